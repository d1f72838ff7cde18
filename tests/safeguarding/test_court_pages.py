"""Court proceedings through their pages: the coordinator records them, adds hearings, issues the letter to the
defence solicitor, records whom it went to and corrects it; the case page shows them; the case page's letters no
longer issue the defence summary. Every bad input is answered with a message next to the field, a 4xx, what was
typed kept and nothing saved."""

import datetime
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from decisions import letters
from decisions.models import Letter, LetterStatus
from decisions.services import STALE
from safeguarding.models import CourtProceeding
from safeguarding.services import court, history_version
from tests.decisions.http_helpers import request_as
from tests.safeguarding.court_helpers import (
    CHILDS_ADDRESS,
    OTHER_SOLICITOR,
    build_court_world,
    date_data,
    pdf_text,
    proceeding_fields,
    stored,
)

pytestmark = pytest.mark.django_db


def today() -> datetime.date:
    return timezone.localdate()


def days(offset: int) -> datetime.date:
    return today() + datetime.timedelta(days=offset)


@pytest.fixture
def w(sitting, steps):
    """Our panel's proceedings part-way through (see `build_court_world`), without another panel's."""
    return build_court_world(sitting, steps)


def shown_errors(response) -> list[str]:
    """The messages of the page's error summary."""
    page = response.content.decode()
    start = page.find("govuk-error-summary")
    if start == -1:
        return []
    found = re.findall(r"<li><a [^>]*>(.*?)</a></li>", page[start : page.find("</ul>", start)], re.S)
    return [html.unescape(text).strip() for text in found]


def next_to_fields(response) -> list[str]:
    """The messages shown next to the fields (and next to the issue button)."""
    found = re.findall(
        r'class="govuk-error-message"[^>]*>\s*<span class="govuk-visually-hidden">Error:</span>(.*?)</(?:span|p)>',
        response.content.decode(),
        re.S,
    )
    return [html.unescape(text).strip() for text in found]


def assert_refused(response, *expected, status=400, kept=()):
    assert response.status_code == status, response.content.decode()[:3000]
    summary, beside = shown_errors(response), next_to_fields(response)
    assert summary, "The page shows no message saying what to fix"
    for message in expected:
        assert any(message in error for error in summary), f"{message!r} not in the summary: {summary}"
        assert any(message in error for error in beside), f"{message!r} not next to its field: {beside}"
    page = html.unescape(response.content.decode())
    for typed in kept:
        in_textarea = re.search(rf"<textarea[^>]*>\s*{re.escape(typed)}\s*</textarea>", page)
        assert f'value="{typed}"' in page or in_textarea, f"{typed!r} was lost"
    assert "<title>Error: " in page


# The coordinator's journey


def test_the_coordinator_works_the_proceedings_through_the_pages(
    client, sitting, decided, django_capture_on_commit_callbacks
):
    coordinator = sitting.coordinator
    case_page = request_as(client, coordinator, "get", reverse("referrals:case", args=[decided.public_id]))
    create_url = reverse("safeguarding:proceeding_create", args=[decided.public_id])
    assert create_url in case_page.content.decode()
    assert request_as(client, coordinator, "get", create_url).status_code == 200

    response = client.post(create_url, proceeding_fields())
    proceeding = CourtProceeding.objects.get()
    page_url = reverse("safeguarding:proceeding", args=[proceeding.public_id])
    assert response.status_code == 302 and response["Location"] == page_url
    assert (proceeding.court, proceeding.solicitor_name, proceeding.recorded_by) == (
        "Bromley Youth Court",
        "Priya Shah",
        coordinator,
    )

    client.post(
        reverse("safeguarding:hearing_add", args=[proceeding.public_id]),
        {**date_data("date", days(-7)), "purpose": "First appearance"},
    )
    client.post(
        reverse("safeguarding:hearing_add", args=[proceeding.public_id]),
        {**date_data("date", days(21)), "purpose": "Trial"},
    )
    client.post(
        reverse("safeguarding:hearing_add", args=[proceeding.public_id]),
        {**date_data("date", days(60)), "purpose": "Sentencing"},
    )
    page = client.get(page_url).content.decode()
    next_row = re.search(r'data-testid="next-hearing-row">(.*?)</tr>', page, re.S).group(1)
    assert "Trial" in next_row and f"{days(21):%-d %B %Y}" in next_row
    assert "Next hearing: <strong>Trial</strong>" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("safeguarding:defence_summary_issue", args=[proceeding.public_id]))
    assert response.status_code == 302
    letter = Letter.objects.get()
    assert letter.status == LetterStatus.READY and letter.about == proceeding.letter_key
    page = client.get(page_url).content.decode()
    assert reverse("decisions:letter", args=[letter.public_id]) in page
    assert "Ready" in page and "Version 1" in page

    response = client.post(
        reverse("safeguarding:letter_sent_record", args=[proceeding.public_id]),
        {"letter": letter.public_id, "recipient": "", **date_data("sent_on", today()), "method": "secure_email"},
    )
    assert response.status_code == 302
    sent = proceeding.letters_sent.get()
    assert (sent.letter, sent.recipient, sent.method) == (letter, "Priya Shah, Example Defence LLP", "secure_email")
    sent_table = re.search(r'data-testid="letters-sent">(.*?)</table>', client.get(page_url).content.decode(), re.S)
    assert "Priya Shah, Example Defence LLP" in sent_table.group(1) and "Secure email" in sent_table.group(1)

    # The child changes solicitor: the proceedings say so, and a corrected version goes to the new one.
    change_url = reverse("safeguarding:proceeding_change", args=[proceeding.public_id])
    form = client.get(change_url).content.decode()
    version = re.search(r'name="version" value="(\d+)"', form).group(1)
    assert 'value="Priya Shah"' in form
    response = client.post(change_url, proceeding_fields(**OTHER_SOLICITOR, version=version))
    assert response.status_code == 302
    correct_url = reverse("safeguarding:defence_summary_correct", args=[proceeding.public_id])
    assert (
        "Tom Okoro, Riverside Criminal Law, 3 Quay Street, Bristol BS1 4DB" in client.get(correct_url).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(correct_url, {"reason": "The child has a new defence solicitor."})
    assert response.status_code == 302
    corrected = Letter.objects.get(version=2)
    assert corrected.about == proceeding.letter_key and corrected.addressees[0]["name"] == "Tom Okoro"
    assert "Dear Tom Okoro," in pdf_text(corrected)

    hearing = proceeding.hearings.get(purpose="Sentencing")
    response = client.post(reverse("safeguarding:hearing_remove", args=[proceeding.public_id, hearing.pk]))
    assert response.status_code == 302
    assert [h.purpose for h in proceeding.hearings.all()] == ["First appearance", "Trial"]
    page = client.get(page_url).content.decode()
    assert page.count(reverse("decisions:letter", args=[corrected.public_id])) >= 1 and "(latest)" in page


def test_an_unsafe_solicitor_address_is_shown_before_the_letter_is_refused(client, sitting, w):
    court.proceeding_update(proceeding=w.fresh, user=sitting.coordinator, solicitor_address=CHILDS_ADDRESS)
    page_url = reverse("safeguarding:proceeding", args=[w.fresh.public_id])
    page = html.unescape(request_as(client, sitting.coordinator, "get", page_url).content.decode())
    warning = court.SOLICITOR_AT_CHILDS_ADDRESS.format(match="postcode SE13 5AB")
    assert warning in page
    before = stored()

    response = client.post(reverse("safeguarding:defence_summary_issue", args=[w.fresh.public_id]))

    assert_refused(response, warning)
    assert stored() == before


# The case page


def test_the_case_page_shows_the_proceedings_to_the_panel_only(client, sitting, people, w):
    url = reverse("referrals:case", args=[w.case.public_id])
    proceeding_link = reverse("safeguarding:proceeding", args=[w.proceeding.public_id])
    letter_link = reverse("decisions:letter", args=[w.letter.public_id])
    record_link = reverse("safeguarding:proceeding_create", args=[w.case.public_id])
    readers = {
        "coordinator": sitting.coordinator,
        "chair": sitting.chair,
        "panel_member": sitting.police,
        "designated_nurse": sitting.health,
        "auditor": people["auditor"],
    }
    for name, person in readers.items():
        page = request_as(client, person, "get", url).content.decode()
        section = page[page.index('id="criminal-proceedings"') :]
        assert proceeding_link in section and "Bromley Youth Court" in section, name
        assert "Inner London Crown Court" in section, name
        assert "Sent 1 time" in section, name
        assert f"{days(14):%-d %b %Y}" in section and "Trial" in section, name
        assert (letter_link in section) is (name in ("coordinator", "chair")), name
        assert (record_link in page) is (name == "coordinator"), name

    page = request_as(client, w.case.referrer, "get", url)
    assert page.status_code == 200
    assert "criminal-proceedings" not in page.content.decode().replace('href="#criminal-proceedings"', "")
    assert "Bromley Youth Court" not in page.content.decode()


def test_the_case_pages_letters_no_longer_issue_the_defence_summary(client, sitting, decided):
    page = request_as(client, sitting.coordinator, "get", reverse("referrals:case", args=[decided.public_id]))
    letters_table = re.search(r'data-testid="case-letters">(.*?)</table>', page.content.decode(), re.S).group(1)
    assert "criminal proceedings" not in letters_table.lower()
    assert 'value="defence_summary"' not in page.content.decode()
    assert 'data-testid="defence-summary-pointer"' in page.content.decode()

    response = client.post(
        reverse("decisions:case_letter_issue", args=[decided.public_id]), {"kind": "defence_summary"}
    )

    assert response.status_code == 400
    assert "Choose a kind of letter." in html.unescape(response.content.decode())
    assert not Letter.objects.exists()


# Bad input: every form, answered next to the field with nothing saved


def _post(url_name, *, on="proceeding", data=lambda w: {}):
    return url_name, on, data


def _long(n: int) -> str:
    return "x" * n


BAD_INPUT = {
    # Recording proceedings
    "record-nothing": (
        _post("proceeding_create", on="case"),
        [
            "Enter an answer for “Charge”",
            "Enter an answer for “Court”",
            "Select an answer for “Where have the proceedings got to?”",
            "Enter the defence solicitor's name",
            "Enter the firm",
            "Enter an answer for “Firm's postal address”",
        ],
        (),
    ),
    "record-concluded-without-outcome": (
        _post(
            "proceeding_create", on="case", data=lambda w: proceeding_fields(status="concluded", court="Typed Court")
        ),
        [court.OUTCOME_REQUIRED],
        ("Typed Court",),
    ),
    "record-unknown-status": (
        _post("proceeding_create", on="case", data=lambda w: proceeding_fields(status="adjourned")),
        ["Select one of the answers shown for “Where have the proceedings got to?”"],
        ("Bromley Youth Court",),
    ),
    "record-oversized-charge": (
        _post("proceeding_create", on="case", data=lambda w: proceeding_fields(charge=_long(10_001))),
        ["“Charge” must be 10000 characters or fewer"],
        ("Priya Shah",),
    ),
    "record-oversized-court": (
        _post("proceeding_create", on="case", data=lambda w: proceeding_fields(court=_long(201))),
        ["“Court” must be 200 characters or fewer"],
        (),
    ),
    "record-oversized-case-number": (
        _post("proceeding_create", on="case", data=lambda w: proceeding_fields(case_number=_long(61))),
        ["“Case number” must be 60 characters or fewer"],
        (),
    ),
    "record-bad-email": (
        _post("proceeding_create", on="case", data=lambda w: proceeding_fields(solicitor_email="priya at law")),
        ["Enter an email address like name@example.com"],
        ("priya at law",),
    ),
    "record-bad-telephone": (
        _post("proceeding_create", on="case", data=lambda w: proceeding_fields(solicitor_phone="ring the office")),
        ["Enter a telephone number, like 020 7946 0000"],
        ("ring the office",),
    ),
    # Changing them
    "change-damaged-version": (
        _post("proceeding_change", data=lambda w: proceeding_fields(version="not-a-number")),
        ["This form is out of date or damaged"],
        (),
    ),
    "change-concluded-without-outcome": (
        _post(
            "proceeding_change",
            data=lambda w: proceeding_fields(status="concluded", version=history_version(w.proceeding)),
        ),
        [court.OUTCOME_REQUIRED],
        (),
    ),
    # Hearings
    "hearing-nothing": (
        _post("hearing_add"),
        ["Enter the date of the hearing", "Enter the purpose of the hearing"],
        (),
    ),
    "hearing-impossible-date": (
        _post("hearing_add", data=lambda w: {"date_0": "31", "date_1": "2", "date_2": "2027", "purpose": "Plea"}),
        ["Enter a real date, for example 27 3 2011"],
        ("Plea", "31"),
    ),
    "hearing-date-not-a-number": (
        _post("hearing_add", data=lambda w: {"date_0": "first", "date_1": "3", "date_2": "2027", "purpose": "Plea"}),
        ["Enter a valid date"],
        ("first",),
    ),
    "hearing-oversized-purpose": (
        _post("hearing_add", data=lambda w: {**date_data("date", days(3)), "purpose": _long(201)}),
        ["“Purpose” must be 200 characters or fewer"],
        (),
    ),
    "hearing-already-recorded": (
        _post("hearing_add", data=lambda w: {**date_data("date", days(14)), "purpose": "trial"}),
        [court.HEARING_ALREADY_RECORDED],
        ("trial",),
    ),
    # The letter
    "issue-again": (_post("defence_summary_issue"), [letters.ALREADY_ISSUED], ()),
    "correct-without-reason": (_post("defence_summary_correct"), ["Enter what the new version corrects"], ()),
    "correct-oversized-reason": (
        _post("defence_summary_correct", data=lambda w: {"reason": _long(10_001)}),
        ["must be 10000 characters or fewer"],
        (),
    ),
    "correct-before-issuing": (
        _post("defence_summary_correct", on="fresh", data=lambda w: {"reason": "A typo."}),
        [court.NOTHING_TO_CORRECT],
        ("A typo.",),
    ),
    # Records of sending
    "sent-nothing": (
        _post("letter_sent_record"),
        ["Choose the version that was sent", "Enter the date the letter was sent", "Choose how the letter was sent"],
        (),
    ),
    "sent-in-the-future": (
        _post(
            "letter_sent_record",
            data=lambda w: {
                "letter": w.letter.public_id,
                "recipient": "Court clerk",
                **date_data("sent_on", days(1)),
                "method": "post",
            },
        ),
        [court.SENT_IN_FUTURE],
        ("Court clerk",),
    ),
    "sent-before-issued": (
        _post(
            "letter_sent_record",
            data=lambda w: {"letter": w.letter.public_id, **date_data("sent_on", days(-1)), "method": "post"},
        ),
        [court.SENT_BEFORE_ISSUED.format(version=1, date=days(0))],
        (),
    ),
    "sent-not-a-letter": (
        _post(
            "letter_sent_record",
            data=lambda w: {"letter": "not-a-uuid", **date_data("sent_on", days(0)), "method": "post"},
        ),
        ["Choose one of the versions of this letter listed"],
        (),
    ),
    "sent-by-pigeon": (
        _post(
            "letter_sent_record",
            data=lambda w: {"letter": w.letter.public_id, **date_data("sent_on", days(0)), "method": "pigeon"},
        ),
        ["Select one of the answers shown for “How was it sent?”"],
        (),
    ),
    "sent-oversized-recipient": (
        _post(
            "letter_sent_record",
            data=lambda w: {
                "letter": w.letter.public_id,
                "recipient": _long(201),
                **date_data("sent_on", days(0)),
                "method": "post",
            },
        ),
        ["“Who received it?” must be 200 characters or fewer"],
        (),
    ),
    "sent-twice": (
        _post(
            "letter_sent_record",
            data=lambda w: {"letter": w.letter.public_id, **date_data("sent_on", days(0)), "method": "secure_email"},
        ),
        [court.SENT_ALREADY_RECORDED.format(recipient="Priya Shah, Example Defence LLP")],
        (),
    ),
}


@pytest.mark.parametrize("case", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_is_answered_next_to_the_field_and_saves_nothing(client, sitting, w, case):
    (url_name, on, data), messages, kept = case
    target = {"case": w.case, "proceeding": w.proceeding, "fresh": w.fresh}[on]
    url = reverse(f"safeguarding:{url_name}", args=[target.public_id])
    before = stored()

    response = request_as(client, sitting.coordinator, "post", url, data(w))

    assert_refused(response, *messages, kept=kept)
    assert stored() == before


def test_a_change_made_meanwhile_is_not_overwritten(client, sitting, w):
    url = reverse("safeguarding:proceeding_change", args=[w.proceeding.public_id])
    started_from = history_version(w.proceeding)
    court.proceeding_update(proceeding=w.proceeding, user=sitting.coordinator, case_number="NEW-REF")
    before = stored()

    response = request_as(
        client, sitting.coordinator, "post", url, proceeding_fields(court="My Typed Court", version=started_from)
    )

    assert response.status_code == 409
    assert STALE in shown_errors(response)
    assert 'value="My Typed Court"' in response.content.decode()
    assert stored() == before


def test_a_case_with_no_signed_decision_has_no_letter_to_issue(client, sitting, steps):
    undecided = steps.case()
    proceeding = court.proceeding_record(referral=undecided, user=sitting.coordinator, **proceeding_fields())
    before = stored()

    response = request_as(
        client, sitting.coordinator, "post", reverse("safeguarding:defence_summary_issue", args=[proceeding.public_id])
    )

    assert_refused(response, letters.NOTHING_TO_SUMMARISE)
    assert stored() == before


def test_a_hearing_of_other_proceedings_is_not_found_under_these(client, sitting, w):
    theirs = court.hearing_add(proceeding=w.fresh, user=sitting.coordinator, date=days(2), purpose="Mention")
    before = stored()
    url = reverse("safeguarding:hearing_remove", args=[w.proceeding.public_id, theirs.pk])
    assert request_as(client, sitting.coordinator, "post", url).status_code == 404
    assert request_as(client, sitting.coordinator, "get", url).status_code == 405
    assert stored() == before


# Found in the decisions app's letter reads, which predate `Letter.about`: each marks what is wrong today


@pytest.fixture
def two_series(sitting, w):
    """Both proceedings of the case with their letter; the second corrected once (so at version 2)."""
    theirs = court.defence_summary_issue(proceeding=w.fresh, user=sitting.coordinator)
    corrected = court.defence_summary_correct(proceeding=w.fresh, user=sitting.coordinator, reason="A typo.")
    return w.letter, theirs, corrected


def test_a_letter_page_lists_only_its_own_proceedings_versions(client, sitting, two_series):
    ours, theirs, corrected = two_series
    page = request_as(client, sitting.coordinator, "get", reverse("decisions:letter", args=[ours.public_id]))
    page = page.content.decode()
    assert str(theirs.public_id) not in page and str(corrected.public_id) not in page
    assert reverse("decisions:letter_correct", args=[ours.public_id]) in page


def test_the_letters_list_shows_each_proceedings_latest_letter(client, sitting, two_series):
    ours, _, corrected = two_series
    page = request_as(client, sitting.coordinator, "get", reverse("decisions:letters")).content.decode()
    assert str(ours.public_id) in page and str(corrected.public_id) in page
