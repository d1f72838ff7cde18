"""Who may open, and who may press, each page of court proceedings: the panel's case readers read them, only its
coordinator writes (403 for the rest of the panel), and for a referrer, an administrator or another panel's
coordinator they do not exist (404). A refused request changes nothing."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from safeguarding.services import court, history_version
from tests.decisions.http_helpers import TO_LOGIN, outcome, request_as
from tests.safeguarding.court_helpers import date_data, proceeding_fields, stored

pytestmark = pytest.mark.django_db

ACTORS = (
    "coordinator",
    "chair",
    "panel_member",
    "designated_nurse",
    "auditor",
    "administrator",
    "referrer",
    "other_panel",
    "anonymous",
)
READERS = ("coordinator", "chair", "panel_member", "designated_nurse", "auditor")
STRANGERS = ("administrator", "referrer", "other_panel")


def requests_for(w) -> list[tuple[str, str, str, dict, int | None]]:
    """(what, method, url, data, the coordinator's status) for every court URL, in an order the coordinator can
    press them one after another; None for a page everyone on the panel reads."""
    proceeding, pid = w.proceeding, w.proceeding.public_id
    today = timezone.localdate()
    return [
        ("read the proceedings", "get", reverse("safeguarding:proceeding", args=[pid]), {}, None),
        ("open the record form", "get", reverse("safeguarding:proceeding_create", args=[w.case.public_id]), {}, 200),
        (
            "record proceedings",
            "post",
            reverse("safeguarding:proceeding_create", args=[w.case.public_id]),
            proceeding_fields(court="Croydon Youth Court"),
            302,
        ),
        ("open the change form", "get", reverse("safeguarding:proceeding_change", args=[pid]), {}, 200),
        (
            "change the proceedings",
            "post",
            reverse("safeguarding:proceeding_change", args=[pid]),
            proceeding_fields(case_number="02YC7654321", version=history_version(proceeding)),
            302,
        ),
        (
            "add a hearing",
            "post",
            reverse("safeguarding:hearing_add", args=[pid]),
            {**date_data("date", today + datetime.timedelta(days=3)), "purpose": "Plea hearing"},
            302,
        ),
        ("remove a hearing", "post", reverse("safeguarding:hearing_remove", args=[pid, w.hearing.pk]), {}, 302),
        ("issue the letter", "post", reverse("safeguarding:defence_summary_issue", args=[w.fresh.public_id]), {}, 302),
        ("open the correction form", "get", reverse("safeguarding:defence_summary_correct", args=[pid]), {}, 200),
        (
            "correct the letter",
            "post",
            reverse("safeguarding:defence_summary_correct", args=[pid]),
            {"reason": "The firm moved office."},
            302,
        ),
        (
            "record it as sent",
            "post",
            reverse("safeguarding:letter_sent_record", args=[pid]),
            {
                "letter": w.letter.public_id,
                "recipient": "Court clerk, Bromley Youth Court",
                **date_data("sent_on", today),
                "method": "by_hand",
            },
            302,
        ),
    ]


def expected(actor: str, coordinators_status: int | None) -> int | str:
    if actor == "anonymous":
        return TO_LOGIN
    if actor in STRANGERS:
        return 404
    if coordinators_status is None:
        return 200
    return coordinators_status if actor == "coordinator" else 403


@pytest.mark.parametrize("actor", ACTORS)
def test_each_court_page_answers_each_person_as_their_role_allows(actor, client, court_world):
    w = court_world
    before = stored()
    wanted, actual = {}, {}
    for what, method, url, data, coordinators_status in requests_for(w):
        actual[what] = outcome(request_as(client, w.actors[actor], method, url, data))
        wanted[what] = expected(actor, coordinators_status)

    assert actual == wanted
    if actor != "coordinator":
        assert stored() == before


def test_the_coordinators_presses_did_what_they_say(client, court_world):
    w = court_world
    for _, method, url, data, _ in requests_for(w):
        request_as(client, w.actors["coordinator"], method, url, data)

    w.proceeding.refresh_from_db()
    assert w.proceeding.case_number == "02YC7654321"
    assert w.case.court_proceedings.filter(court="Croydon Youth Court").exists()
    assert [h.purpose for h in w.proceeding.hearings.all()] == ["Plea hearing"]
    assert court.defence_summary_letters(w.fresh).count() == 1
    assert [ltr.version for ltr in court.defence_summary_letters(w.proceeding)] == [2, 1]
    assert [s.recipient for s in w.proceeding.letters_sent.all()] == [
        "Priya Shah, Example Defence LLP",
        "Court clerk, Bromley Youth Court",
    ]


@pytest.mark.parametrize("actor", ["coordinator", "chair", "auditor"])
def test_another_panels_proceedings_are_not_found(actor, client, court_world):
    """Every court URL with the other panel's ids is a 404 for our people, whatever they hold on our panel."""
    before = stored()
    actual = {
        f"{method} {what}": outcome(request_as(client, court_world.actors[actor], method, url, data))
        for what, method, url, data, _ in requests_for(court_world.theirs)
    }
    assert actual == {key: 404 for key in actual}
    assert stored() == before


def test_another_panels_ids_under_our_proceedings_are_refused(client, court_world):
    w, theirs = court_world, court_world.theirs
    pid = w.proceeding.public_id
    coordinator = w.actors["coordinator"]
    before = stored()

    remove = request_as(
        client, coordinator, "post", reverse("safeguarding:hearing_remove", args=[pid, theirs.hearing.pk])
    )
    assert remove.status_code == 404
    sent = request_as(
        client,
        coordinator,
        "post",
        reverse("safeguarding:letter_sent_record", args=[pid]),
        {"letter": theirs.letter.public_id, **date_data("sent_on", timezone.localdate()), "method": "post"},
    )
    assert sent.status_code == 400
    assert "Choose one of the versions of this letter listed" in sent.content.decode()
    # Nor is their letter's page, nor their case's record form, open to our coordinator.
    assert (
        request_as(client, coordinator, "get", reverse("decisions:letter", args=[theirs.letter.public_id])).status_code
        == 404
    )
    assert stored() == before


def test_the_panel_reads_the_proceedings_but_only_letter_readers_see_the_letters(client, court_world):
    w = court_world
    url = reverse("safeguarding:proceeding", args=[w.proceeding.public_id])
    letter_link = reverse("decisions:letter", args=[w.letter.public_id])
    for actor in READERS:
        page = request_as(client, w.actors[actor], "get", url).content.decode()
        assert "Bromley Youth Court" in page and "Priya Shah" in page and "Trial" in page, actor
        assert (letter_link in page) is (actor in ("coordinator", "chair")), actor
        assert ("Issue the letter" in page or "Correct it" in page) is (actor == "coordinator"), actor
        assert ("Add the hearing" in page) is (actor == "coordinator"), actor
    # The others' proceedings and their solicitor are nowhere on ours.
    page = request_as(client, w.actors["coordinator"], "get", url).content.decode()
    assert str(w.theirs.proceeding.public_id) not in page and str(w.theirs.letter.public_id) not in page
