"""Every form, given what people (and attackers) really send: missing answers, wrong types, values too
long, hostile files. The answer is a 4xx with a message in the GOV.UK error summary that says what to
fix, never a 500, and nothing already saved is lost."""

import html
import os
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone

from nrm_panel.models import Role
from referrals import services
from referrals.forms import SECTIONS
from referrals.models import OrganisationType, Referral, State
from tests.factories import (
    PanelFactory,
    ReferralFactory,
    ReturnedReferralFactory,
    RgPendingReferralFactory,
    SubmittedReferralFactory,
    member,
    referral_in_state,
)
from tests.referrals.test_intake_journey import PDF, SECTION_ANSWERS

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200 + b"This program cannot be run"
HTML_PAGE = b"<!DOCTYPE html><html><body><script>document.location='https://evil.example'</script></body></html>"


def error_summary(response) -> str:
    """The text of the page's GOV.UK error summary (which comes before the page heading)."""
    page = response.content.decode()
    assert "govuk-error-summary" in page, "No error summary on the page"
    start = page.index("govuk-error-summary")
    end = page.find("<h1", start)
    return html.unescape(page[start : end if end != -1 else None])


def assert_refused(response, *messages, status=400, fields=()):
    """A 4xx, an error summary holding each message, and a link from it to each field named."""
    assert response.status_code == status, response.content.decode()[:2000]
    summary = error_summary(response)
    for message in messages:
        assert message in summary, f"{message!r} not in the error summary:\n{summary}"
    for field in fields:
        assert re.search(rf'href="#id_{field}(_\d+)?"', summary), f"No link to the field {field} in:\n{summary}"


def stored(referral: Referral) -> dict:
    values = Referral.objects.filter(pk=referral.pk).values().get()
    values.pop("updated_at")
    return {**values, "history": referral.history.count(), "attachments": referral.attachments.count()}


def child_answers(**overrides) -> dict:
    return {**SECTION_ANSWERS["child"], **overrides}


def section_url(referral, section="child"):
    return reverse("referrals:section", args=[referral.public_id, section])


@pytest.fixture
def as_referrer(client, referrer):
    client.force_login(referrer)
    return client


@pytest.fixture
def as_coordinator(client, coordinator):
    client.force_login(coordinator)
    return client


# --- Starting a referral --------------------------------------------------------------------------


def test_start_with_nothing_answered_asks_for_each_answer(as_referrer):
    response = as_referrer.post(reverse("referrals:start"), {})

    assert_refused(response, "Select yes or no: is the person 18 or over", fields=["is_adult"])
    assert not Referral.objects.exists()


def test_start_with_maybe_for_a_yes_no_question_is_refused(as_referrer, panel):
    response = as_referrer.post(reverse("referrals:start"), {"panel": panel.pk, "is_adult": "maybe"})

    assert_refused(response, "Is the person 18 or over", fields=["is_adult"])
    assert not Referral.objects.exists()


def test_start_for_an_adult_without_the_consent_answer_is_refused(as_referrer, panel):
    response = as_referrer.post(reverse("referrals:start"), {"panel": panel.pk, "is_adult": "True"})

    assert_refused(response, "Select whether the adult has consented to a referral", fields=["adult_has_consented"])
    assert not Referral.objects.exists()


@pytest.mark.parametrize("panel_value", ["other", "abc", "99999999999999999999", "-1", ""])
def test_start_for_a_panel_that_is_not_the_referrers_is_refused_with_a_message(as_referrer, other_panel, panel_value):
    value = other_panel.pk if panel_value == "other" else panel_value

    response = as_referrer.post(reverse("referrals:start"), {"panel": value, "is_adult": "False"})

    expected = "Select the panel" if panel_value == "" else "Select one of your panels"
    assert_refused(response, expected)
    assert not Referral.objects.exists()


def test_start_for_a_panel_the_referrer_is_only_coordinator_of_is_refused(client, panel, other_panel, referrer):
    member(other_panel, Role.COORDINATOR, user=referrer)
    client.force_login(referrer)

    response = client.post(reverse("referrals:start"), {"panel": other_panel.pk, "is_adult": "False"})

    assert_refused(response, "Select one of your panels")
    assert not Referral.objects.exists()


def test_start_for_another_panel_with_two_panels_to_choose_from_is_refused(client, panel, other_panel, referrer):
    member(PanelFactory(), Role.REFERRER, user=referrer)
    client.force_login(referrer)

    response = client.post(reverse("referrals:start"), {"panel": other_panel.pk, "is_adult": "False"})

    assert_refused(response, "Select one of your panels", fields=["panel"])
    assert not Referral.objects.exists()


def test_duty_to_notify_with_nothing_answered_is_refused(as_referrer, panel):
    response = as_referrer.post(reverse("referrals:duty_to_notify", args=[panel.pk]), {})

    assert_refused(response, "Select at least one type of exploitation", fields=["exploitation_types"])
    assert not panel.duty_to_notify_records.exists()


def test_duty_to_notify_with_choices_not_in_the_list_is_refused(as_referrer, panel):
    response = as_referrer.post(
        reverse("referrals:duty_to_notify", args=[panel.pk]),
        {
            "gender": "robot",
            "exploitation_types": ["slavery"],
            "exploited_in": "mars",
            "first_responder_organisation": "x" * 500,
        },
    )

    assert_refused(response, fields=["gender", "exploitation_types", "exploited_in", "first_responder_organisation"])
    assert not panel.duty_to_notify_records.exists()


# --- The sections of the referral -----------------------------------------------------------------

CHILD_BAD_INPUT = {
    "missing-everything": (
        {},
        ["Select yes or no: is their age disputed"],
        ["first_name", "gender", "is_age_disputed"],
    ),
    "letters-in-the-date": (
        {"date_of_birth_0": "aa", "date_of_birth_1": "bb", "date_of_birth_2": "cccc"},
        [],
        ["date_of_birth"],
    ),
    "impossible-date": (
        {"date_of_birth_0": "31", "date_of_birth_1": "2", "date_of_birth_2": "2011"},
        [],
        ["date_of_birth"],
    ),
    "huge-year": (
        {"date_of_birth_0": "1", "date_of_birth_1": "1", "date_of_birth_2": "99999999999"},
        [],
        ["date_of_birth"],
    ),
    "year-0": ({"date_of_birth_0": "1", "date_of_birth_1": "1", "date_of_birth_2": "0"}, [], ["date_of_birth"]),
    "part-of-a-date": (
        {"date_of_birth_0": "3", "date_of_birth_1": "", "date_of_birth_2": ""},
        ["Enter the month"],
        ["date_of_birth"],
    ),
    "future-date-of-birth": (
        {"date_of_birth_0": "1", "date_of_birth_1": "1", "date_of_birth_2": "2999"},
        ["Date of birth must be in the past"],
        ["date_of_birth"],
    ),
    "maybe-for-yes-no": (
        {"is_age_disputed": "maybe", "needs_interpreter": "perhaps"},
        [],
        ["is_age_disputed", "needs_interpreter"],
    ),
    "choice-not-in-the-list": (
        {"gender": "robot", "looked_after_status": "adopted"},
        [],
        ["gender", "looked_after_status"],
    ),
    "estimated-age-letters": (
        {"date_of_birth_0": "", "date_of_birth_1": "", "date_of_birth_2": "", "estimated_age": "abc"},
        [],
        ["estimated_age"],
    ),
    "estimated-age-999": ({"estimated_age": "999"}, ["Enter an estimated age of 25 or under"], ["estimated_age"]),
    "estimated-age-negative": ({"estimated_age": "-1"}, [], ["estimated_age"]),
    "estimated-age-enormous": ({"estimated_age": "9" * 30}, [], ["estimated_age"]),
    "first-name-200-characters": (
        {"first_name": "A" * 200},
        ["“First name” must be 100 characters or fewer"],
        ["first_name"],
    ),
    "address-20000-characters": (
        {"current_address": "A" * 20_000},
        ["must be 10000 characters or fewer"],
        ["current_address"],
    ),
    "null-character": ({"first_name": "Ca\x00sey"}, ["Null characters are not allowed"], ["first_name"]),
    "no-date-of-birth-or-age": (
        {"date_of_birth_0": "", "date_of_birth_1": "", "date_of_birth_2": ""},
        ["Enter the date of birth or, if it is not known, an estimated age"],
        ["estimated_age"],
    ),
}


# Saving a draft does not ask for missing answers; every other check applies to both buttons.
ONLY_WHEN_CONTINUING = {"missing-everything", "no-date-of-birth-or-age"}
CHILD_CASES = [
    (case_name, button)
    for case_name in CHILD_BAD_INPUT
    for button in ("continue", "draft")
    if button == "continue" or case_name not in ONLY_WHEN_CONTINUING
]


@pytest.mark.parametrize(("case_name", "button"), CHILD_CASES, ids=[f"{c}-{b}" for c, b in CHILD_CASES])
def test_child_section_with_bad_input_is_refused_and_nothing_saved_is_lost(case_name, button, as_referrer, draft):
    answers, messages, fields = CHILD_BAD_INPUT[case_name]
    data = ({} if case_name == "missing-everything" else child_answers(**answers)) | {button: ""}
    before = stored(draft)

    response = as_referrer.post(section_url(draft), data)

    assert_refused(response, *messages, fields=fields)
    assert stored(draft) == before


FIRST_RESPONDER_BAD_INPUT = {
    "missing-everything": ({}, [], ["first_responder_organisation", "first_responder_email", "decision_safe_address"]),
    "bad-email": (
        {"first_responder_email": "not an email"},
        ["Enter a valid email address"],
        ["first_responder_email"],
    ),
    "type-not-in-the-list": ({"first_responder_organisation_type": "mi5"}, [], ["first_responder_organisation_type"]),
    "phone-too-long": (
        {"first_responder_phone": "0" * 40},
        ["“Telephone number” must be 30 characters or fewer"],
        ["first_responder_phone"],
    ),
    "address-20000-characters": (
        {"decision_safe_address": "A" * 20_000},
        ["must be 10000 characters or fewer"],
        ["decision_safe_address"],
    ),
}

EXPLOITATION_BAD_INPUT = {
    "missing-everything": (
        {},
        ["Select at least one type of exploitation", "Select yes or no: is the child still being exploited"],
        ["exploitation_types", "is_exploitation_ongoing", "account"],
    ),
    "type-not-in-the-list": ({"exploitation_types": ["county_lines", "slavery"]}, [], ["exploitation_types"]),
    "indicator-not-in-the-list": ({"indicators": ["bad_vibes"]}, [], ["indicators"]),
    "other-without-saying-what": (
        {"exploitation_types": ["other"]},
        ["Say what kind of exploitation 'other' means"],
        ["exploitation_type_other"],
    ),
    "letters-in-the-dates": (
        {"exploitation_started_on_0": "x", "exploitation_started_on_1": "y", "exploitation_started_on_2": "z"},
        [],
        ["exploitation_started_on"],
    ),
    "ended-before-it-started": (
        {
            "exploitation_started_on_0": "1",
            "exploitation_started_on_1": "6",
            "exploitation_started_on_2": "2025",
            "exploitation_ended_on_0": "1",
            "exploitation_ended_on_1": "1",
            "exploitation_ended_on_2": "2025",
        },
        ["The end date must be the same as or after the start date"],
        ["exploitation_ended_on"],
    ),
    "started-in-the-future": (
        {"exploitation_started_on_0": "1", "exploitation_started_on_1": "1", "exploitation_started_on_2": "2999"},
        ["The start date must be today or in the past"],
        ["exploitation_started_on"],
    ),
    "maybe-for-still-exploited": ({"is_exploitation_ongoing": "maybe"}, [], ["is_exploitation_ongoing"]),
    "where-not-in-the-list": ({"exploited_in": "moon"}, [], ["exploited_in"]),
    "account-20000-characters": (
        {"account": "A" * 20_000},
        ["“What happened, in your words” must be 10000 characters or fewer"],
        ["account"],
    ),
    "police-reference-too-long": (
        {"police_reference": "R" * 61},
        ["must be 60 characters or fewer"],
        ["police_reference"],
    ),
}

VOICE_BAD_INPUT = {
    "missing-everything": ({}, [], ["child_wishes_and_feelings", "child_knows_about_referral"]),
    "choice-not-in-the-list": ({"child_knows_about_referral": "perhaps"}, [], ["child_knows_about_referral"]),
    "wishes-20000-characters": (
        {"child_wishes_and_feelings": "A" * 20_000},
        ["must be 10000 characters or fewer"],
        ["child_wishes_and_feelings"],
    ),
}

OTHER_AGENCIES_BAD_INPUT = {
    "missing-everything": ({}, [], ["other_agencies_involved"]),
    "20000-characters": (
        {"other_agencies_involved": "A" * 20_000},
        ["must be 10000 characters or fewer"],
        ["other_agencies_involved"],
    ),
}

SECTION_BAD_INPUT = [
    (section, case_name, *cases[case_name])
    for section, cases in {
        "first-responder": FIRST_RESPONDER_BAD_INPUT,
        "exploitation": EXPLOITATION_BAD_INPUT,
        "voice-of-the-child": VOICE_BAD_INPUT,
        "other-agencies": OTHER_AGENCIES_BAD_INPUT,
    }.items()
    for case_name in cases
]


@pytest.mark.parametrize(
    ("section", "case_name", "answers", "messages", "fields"),
    SECTION_BAD_INPUT,
    ids=[f"{section}-{case_name}" for section, case_name, *_ in SECTION_BAD_INPUT],
)
def test_section_with_bad_input_is_refused_and_nothing_saved_is_lost(
    section, case_name, answers, messages, fields, as_referrer, draft
):
    data = ({} if case_name == "missing-everything" else {**SECTION_ANSWERS[section], **answers}) | {"continue": ""}
    before = stored(draft)

    response = as_referrer.post(section_url(draft, section), data)

    assert_refused(response, *messages, fields=fields)
    assert stored(draft) == before


@pytest.mark.parametrize("section", list(SECTION_ANSWERS))
def test_every_required_answer_missing_is_named_in_the_error_summary(section, as_referrer, draft):
    form = SECTIONS[section](instance=draft)
    required = [name for name, field in form.fields.items() if field.required]

    response = as_referrer.post(section_url(draft, section), {"continue": ""})

    assert response.status_code == 400
    summary = error_summary(response)
    assert "This field is required" not in summary, "Say which answer is missing"
    for name in required:
        assert re.search(rf'href="#id_{name}(_\d+)?"', summary), name


def test_section_with_a_choice_not_in_the_list_says_which_question(as_referrer, draft):
    response = as_referrer.post(section_url(draft), {**child_answers(gender="robot"), "continue": ""})

    summary = error_summary(response)
    assert "Gender" in summary


def test_draft_save_with_some_answers_blank_keeps_what_was_typed(as_referrer, draft):
    response = as_referrer.post(section_url(draft), {"first_name": "Typed", "last_name": "Name", "draft": ""})

    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:list")
    draft.refresh_from_db()
    assert (draft.first_name, draft.last_name) == ("Typed", "Name")
    assert draft.state == State.DRAFT


def test_draft_save_with_a_yes_no_question_unanswered_saves_and_leaves_it_to_answer(as_referrer, draft):
    Referral.objects.filter(pk=draft.pk).update(is_age_disputed=True)

    response = as_referrer.post(section_url(draft), {"first_name": "Typed", "draft": ""})

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.first_name == "Typed"
    assert draft.is_age_disputed is None
    check_page = as_referrer.get(reverse("referrals:check", args=[draft.public_id])).content.decode()
    assert "Is their age disputed?" in check_page.split("Incomplete:")[1].split("</strong>")[0]


def test_draft_save_of_every_section_with_nothing_typed_is_accepted(as_referrer, draft):
    for section in SECTION_ANSWERS:
        response = as_referrer.post(section_url(draft, section), {"draft": ""})
        assert response.status_code == 302, (section, response.content.decode()[:2000])


def test_draft_save_with_a_bad_date_keeps_the_old_values(as_referrer, draft):
    before = stored(draft)

    response = as_referrer.post(
        section_url(draft),
        {
            "first_name": "Newname",
            "date_of_birth_0": "1",
            "date_of_birth_1": "ab",
            "date_of_birth_2": "2011",
            "draft": "",
        },
    )

    assert_refused(response, fields=["date_of_birth"])
    assert stored(draft) == before
    draft.refresh_from_db()
    assert draft.first_name == before["first_name"]


def test_refused_section_shows_what_was_typed_so_it_is_not_lost(as_referrer, draft):
    response = as_referrer.post(
        section_url(draft),
        child_answers(
            first_name="Retyped",
            estimated_age="abc",
            date_of_birth_0="",
            date_of_birth_1="",
            date_of_birth_2="",
            **{"continue": ""},
        ),
    )

    assert response.status_code == 400
    assert 'value="Retyped"' in response.content.decode()


def test_good_section_answers_are_saved(as_referrer, draft):
    response = as_referrer.post(section_url(draft), child_answers(**{"continue": ""}))

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.first_name == "Casey"


# --- Evidence -------------------------------------------------------------------------------------


def evidence_url(referral):
    return reverse("referrals:evidence", args=[referral.public_id])


def upload(client, referral, name, content, description="Chronology"):
    return client.post(evidence_url(referral), {"file": SimpleUploadedFile(name, content), "description": description})


def files_under(root) -> list[str]:
    return sorted(os.path.relpath(os.path.join(d, f), root) for d, _, files in os.walk(root) for f in files)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("setup.exe", EXE),
        ("statement.pdf", EXE),
        ("statement.pdf", HTML_PAGE),
        ("statement.html", HTML_PAGE),
        ("photo.png.exe", PNG),
        ("statement.docx", PDF),
        ("notes.txt", b"just some text, nothing more"),
        ("statement.pdf", b"\x00\x01\x02\x03" * 100),
    ],
    ids=["exe", "exe-named-pdf", "html-named-pdf", "html", "png-named-exe", "pdf-named-docx", "text", "noise"],
)
def test_upload_of_a_disallowed_type_is_refused(name, content, as_referrer, draft, settings):
    response = upload(as_referrer, draft, name, content)

    assert_refused(response, services.FILE_TYPE_NOT_ALLOWED, fields=["file"])
    assert not draft.attachments.exists()
    assert files_under(settings.PRIVATE_MEDIA_ROOT) == []


def test_upload_of_an_empty_file_is_refused(as_referrer, draft):
    response = upload(as_referrer, draft, "empty.pdf", b"")

    assert_refused(response, "empty", fields=["file"])
    assert not draft.attachments.exists()


def test_upload_over_the_size_limit_is_refused(as_referrer, draft, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    too_big = PDF + b"0" * (settings.ATTACHMENT_MAX_BYTES + 1 - len(PDF))

    response = upload(as_referrer, draft, "big.pdf", too_big)

    assert_refused(response, services.FILE_TOO_BIG.format(limit=filesizeformat(1024 * 1024)), fields=["file"])
    assert not draft.attachments.exists()
    assert files_under(settings.PRIVATE_MEDIA_ROOT) == []


def test_upload_exactly_at_the_size_limit_is_accepted(as_referrer, draft, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    just_fits = PDF + b"0" * (settings.ATTACHMENT_MAX_BYTES - len(PDF))

    response = upload(as_referrer, draft, "fits.pdf", just_fits)

    assert response.status_code == 302
    assert draft.attachments.get().size == settings.ATTACHMENT_MAX_BYTES


def test_upload_without_a_file_or_description_is_refused(as_referrer, draft):
    response = as_referrer.post(evidence_url(draft), {})

    assert_refused(response, "Select a file to upload", "Describe the document", fields=["file", "description"])


def test_upload_with_a_description_too_long_is_refused(as_referrer, draft):
    response = upload(as_referrer, draft, "statement.pdf", PDF, description="D" * 301)

    assert_refused(response, "“Describe the document” must be 300 characters or fewer", fields=["description"])
    assert not draft.attachments.exists()


def test_upload_with_a_file_field_that_is_not_a_file_is_refused(as_referrer, draft):
    response = as_referrer.post(evidence_url(draft), {"file": "not a file", "description": "Chronology"})

    assert_refused(response, "Select a file to upload", fields=["file"])


def multipart(boundary: str, filename: str, content: bytes, description: str = "Chronology") -> bytes:
    """A request body as a browser would send it, with a file name the test client would not allow."""
    return (
        (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="description"\r\n\r\n{description}\r\n'
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            f"Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )


@pytest.mark.parametrize(
    "filename", ["../../etc/passwd.pdf", "..\\..\\windows\\win.pdf", "/etc/passwd.pdf", "....//....//etc/passwd.pdf"]
)
def test_upload_with_a_path_in_its_name_is_stored_under_a_random_name_inside_private_media(
    filename, as_referrer, draft, settings, tmp_path
):
    body = multipart("BoUnDaRy", filename, PDF)

    response = as_referrer.post(evidence_url(draft), body, content_type="multipart/form-data; boundary=BoUnDaRy")

    assert response.status_code == 302, response.content.decode()[:2000]
    attachment = draft.attachments.get()
    root = os.path.realpath(settings.PRIVATE_MEDIA_ROOT)
    stored_path = os.path.realpath(attachment.file.path)
    assert stored_path.startswith(root + os.sep)
    assert re.fullmatch(rf"{draft.panel_id}/[0-9a-f]{{32}}", attachment.file.name)
    assert files_under(root) == [attachment.file.name]
    with open(stored_path, "rb") as handle:
        assert handle.read() == PDF
    assert "/" not in attachment.original_name and ".." not in attachment.original_name.replace("....", "")
    assert not (tmp_path / "etc").exists()


def test_service_given_a_path_in_the_name_still_stores_under_a_random_name(referrer, draft, settings):
    upload_file = SimpleUploadedFile("statement.pdf", PDF)
    upload_file._name = "../../../etc/passwd.pdf"  # bypass the sanitising that Django does on the way in

    attachment = services.attachment_add(referral=draft, user=referrer, upload=upload_file, description="Statement")

    root = os.path.realpath(settings.PRIVATE_MEDIA_ROOT)
    assert os.path.realpath(attachment.file.path).startswith(root + os.sep)
    assert re.fullmatch(rf"{draft.panel_id}/[0-9a-f]{{32}}", attachment.file.name)


def test_upload_to_a_submitted_referral_is_refused(client, referrer, panel):
    case = SubmittedReferralFactory(panel=panel, referrer=referrer)
    client.force_login(referrer)

    response = upload(client, case, "statement.pdf", PDF)

    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:case", args=[case.public_id])
    assert not case.attachments.exists()


# --- Submitting -----------------------------------------------------------------------------------


def test_submitting_an_incomplete_referral_is_refused_with_a_message(as_referrer, panel, referrer):
    incomplete = ReferralFactory(panel=panel, referrer=referrer, account="", nationality="")

    response = as_referrer.post(reverse("referrals:check", args=[incomplete.public_id]))

    assert_refused(response, services.INCOMPLETE)
    incomplete.refresh_from_db()
    assert incomplete.state == State.DRAFT and incomplete.reference is None


# --- Triage ---------------------------------------------------------------------------------------


def triage_url(referral, move):
    return reverse("referrals:triage", args=[referral.public_id, move])


SCOPE_QUESTION = "Select yes or no: was the child referred in, or do they live in, the panel's area"
PO_QUESTION = "Select yes or no: is a public order disqualification being considered"

TRIAGE_BAD_INPUT = [
    ("accept", {}, [SCOPE_QUESTION, PO_QUESTION], ["is_in_panel_area", "is_public_order_disqualification_considered"]),
    (
        "accept",
        {"is_in_panel_area": "maybe", "is_public_order_disqualification_considered": "perhaps"},
        [],
        ["is_in_panel_area", "is_public_order_disqualification_considered"],
    ),
    (
        "accept",
        {"is_in_panel_area": "1", "is_public_order_disqualification_considered": "0"},
        [],
        ["is_in_panel_area", "is_public_order_disqualification_considered"],
    ),
    ("return", {}, ["Enter the reason"], ["reason"]),
    ("return", {"reason": "   \n  "}, ["Enter the reason"], ["reason"]),
    ("return", {"reason": "R" * 20_000}, ["must be 10000 characters or fewer"], ["reason"]),
    ("transfer", {}, ["Enter the reason"], ["reason"]),
    ("transfer", {"reason": "Out of area", "is_in_panel_area": "maybe"}, [], ["is_in_panel_area"]),
    ("transfer", {"reason": "R" * 20_000}, ["must be 10000 characters or fewer"], ["reason"]),
    ("withdraw", {}, ["Enter the reason"], ["reason"]),
    ("withdraw", {"reason": "\x00"}, [], ["reason"]),
]


@pytest.mark.parametrize(
    ("move", "data", "messages", "fields"),
    TRIAGE_BAD_INPUT,
    ids=[f"{move}-{i}" for i, (move, *_) in enumerate(TRIAGE_BAD_INPUT)],
)
def test_triage_with_bad_input_is_refused_and_the_case_unchanged(move, data, messages, fields, as_coordinator, panel):
    case = SubmittedReferralFactory(panel=panel)
    before = stored(case)

    response = as_coordinator.post(triage_url(case, move), data)

    assert_refused(response, *messages, fields=fields)
    assert stored(case) == before


def test_coordinator_cannot_accept_a_returned_referral(as_coordinator, panel):
    case = ReturnedReferralFactory(panel=panel)
    before = stored(case)

    response = as_coordinator.post(
        triage_url(case, "accept"), {"is_in_panel_area": "True", "is_public_order_disqualification_considered": "False"}
    )

    assert_refused(response, "This case is returned for more information: it cannot be moved to", status=409)
    assert stored(case) == before


@pytest.mark.parametrize(
    ("state", "move"),
    [
        (State.RG_PENDING, "return"),
        (State.CLOSED, "transfer"),
        (State.CLOSED, "withdraw"),
        (State.TRANSFERRED, "accept"),
        (State.RG_POSITIVE, "transfer"),
        (State.WITHDRAWN, "return"),
    ],
)
def test_triage_move_from_the_wrong_state_is_a_conflict(state, move, as_coordinator, panel):
    case = referral_in_state(state, panel=panel)
    before = stored(case)

    response = as_coordinator.post(
        triage_url(case, move),
        {"is_in_panel_area": "True", "is_public_order_disqualification_considered": "False", "reason": "Because"},
    )

    assert_refused(response, "it cannot be moved to", status=409)
    assert stored(case) == before


def test_accepting_an_out_of_scope_case_is_refused_with_the_reason(as_coordinator, panel):
    case = SubmittedReferralFactory(panel=panel, is_age_disputed=True)
    before = stored(case)

    response = as_coordinator.post(
        triage_url(case, "accept"), {"is_in_panel_area": "True", "is_public_order_disqualification_considered": "False"}
    )

    assert_refused(response, services.OUT_OF_SCOPE.format(reasons="age disputed"))
    assert stored(case) == before


def test_accept_repeated_on_an_accepted_case_does_nothing(as_coordinator, panel):
    case = RgPendingReferralFactory(panel=panel)
    before = stored(case)

    response = as_coordinator.post(
        triage_url(case, "accept"), {"is_in_panel_area": "True", "is_public_order_disqualification_considered": "False"}
    )

    assert response.status_code == 302
    assert stored(case) == before


# --- Police notification --------------------------------------------------------------------------


def police_url(referral):
    return reverse("referrals:police_notification", args=[referral.public_id])


def date_answer(day, month, year):
    return {"notified_on_0": day, "notified_on_1": month, "notified_on_2": year}


POLICE_BAD_INPUT = {
    "missing": ({}, ["Enter the date the police were notified"]),
    "letters": (date_answer("aa", "bb", "cccc"), []),
    "impossible-date": (date_answer("30", "2", "2026"), []),
    "huge-year": (date_answer("1", "1", "99999999999"), []),
    "part-of-a-date": (date_answer("1", "", "2026"), ["Enter the month"]),
    "future": (date_answer("1", "1", "2999"), ["The date must be today or in the past"]),
}


@pytest.mark.parametrize("case_name", POLICE_BAD_INPUT)
def test_police_notification_with_a_bad_date_is_refused(case_name, as_coordinator, panel):
    data, messages = POLICE_BAD_INPUT[case_name]
    case = SubmittedReferralFactory(panel=panel)
    before = stored(case)

    response = as_coordinator.post(police_url(case), data)

    assert_refused(response, *messages, fields=["notified_on"])
    assert stored(case) == before


def test_police_notification_for_a_police_referral_is_refused_with_a_message(as_coordinator, panel):
    case = SubmittedReferralFactory(panel=panel, first_responder_organisation_type=OrganisationType.POLICE)
    today = timezone.localdate()

    response = as_coordinator.post(police_url(case), date_answer(str(today.day), str(today.month), str(today.year)))

    assert_refused(response, services.POLICE_REFERRED)
    case.refresh_from_db()
    assert case.police_notified_on is None


def test_police_notification_with_a_good_date_is_recorded(as_coordinator, coordinator, panel):
    case = SubmittedReferralFactory(panel=panel)

    response = as_coordinator.post(police_url(case), date_answer("2", "1", "2026"))

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.police_notified_on.isoformat() == "2026-01-02"
    assert case.police_notified_by == coordinator


# --- The list's filters ---------------------------------------------------------------------------

ODD_FILTERS = [
    {"state": "bogus"},
    {"clock": "purple"},
    {"exploitation_type": "piracy"},
    {"sort": "; DROP TABLE referrals_referral"},
    {"sort": "panel__name"},
    {"page": "abc"},
    {"page": "-1"},
    {"page": "99999999999999999999"},
    {"search": "S" * 5000},
    {"search": "\x00"},
    {"search": "%"},
    {"search": "_"},
    {"search": "' OR 1=1 --"},
    {"state": ["draft", "closed"], "clock": ["red", "green"]},
]


@pytest.mark.parametrize("query", ODD_FILTERS, ids=[str(i) for i in range(len(ODD_FILTERS))])
@pytest.mark.parametrize("who", ["coordinator", "referrer"])
def test_list_with_odd_filters_still_shows_a_list(query, who, client, people, panel, referrer, other_panel):
    mine = SubmittedReferralFactory(panel=panel, referrer=referrer, first_name="Listedchild")
    theirs = SubmittedReferralFactory(panel=other_panel, first_name="Hiddenchild")
    client.force_login(people[who])

    response = client.get(reverse("referrals:list"), query)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Hiddenchild" not in page and theirs.reference not in page
    assert mine.public_id


def test_list_search_for_a_wildcard_does_not_match_everything(client, coordinator, panel):
    SubmittedReferralFactory(panel=panel, first_name="Ordinary")
    client.force_login(coordinator)

    page = client.get(reverse("referrals:list"), {"search": "%"}).content.decode()

    assert "0 referrals" in page
    assert "Ordinary" not in page[page.index('data-testid="result-count"') :]


# --- Signing in -----------------------------------------------------------------------------------

SIGN_IN_BAD_INPUT = {
    "missing": ({}, ["Enter your email address", "Enter your password"]),
    "wrong-password": (
        {"username": "someone@council.example", "password": "nope"},
        ["Enter a correct email address and password"],
    ),
    "email-too-long": ({"username": "a" * 1000 + "@council.example", "password": "x"}, []),
    "null-character": ({"username": "a\x00@council.example", "password": "x"}, []),
    "password-enormous": ({"username": "someone@council.example", "password": "p" * 100_000}, []),
}


@pytest.mark.parametrize("case_name", SIGN_IN_BAD_INPUT)
def test_sign_in_with_bad_input_shows_what_to_fix_and_does_not_sign_in(case_name, client, referrer):
    data, messages = SIGN_IN_BAD_INPUT[case_name]

    response = client.post(reverse("login"), data)

    assert response.status_code in (200, 400), "see test_sign_in_with_errors_answers_400"
    summary = error_summary(response)
    for message in messages:
        assert message in summary
    assert "_auth_user_id" not in client.session


def test_sign_in_with_the_wrong_password_for_a_real_user_does_not_sign_in(client, referrer):
    response = client.post(reverse("login"), {"username": referrer.email, "password": "wrong"})

    assert "Enter a correct email address and password" in error_summary(response)
    assert "_auth_user_id" not in client.session


def test_sign_in_with_errors_answers_400(client):
    response = client.post(reverse("login"), {})

    assert response.status_code == 400
