"""The rules of safeguarding actions, through the services: the coordinator and the chair record them, a new
due date is not in the past, 'done' is a past day on or after the referral, done once, reopened with a reason;
each change is in the history with why and by whom."""

import datetime
import re

import pytest

from nrm_panel.models import Role
from referrals.models import State
from safeguarding.models import SafeguardingAction
from safeguarding.services import NOT_SUBMITTED, NotAllowed, SafeguardingError, StaleRecord, history_version
from safeguarding.services import support as services
from tests.factories import referral_in_state
from tests.safeguarding.support_helpers import build_team

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 5, 20)
REFERRED = datetime.date(2026, 5, 1)


@pytest.fixture
def team(panel, people):
    team = build_team(panel, people)
    team.case.referral_date = REFERRED
    team.case.save()
    return team


def record(team, user=None, **changes) -> SafeguardingAction:
    answers = {
        "action": "Visit the placement and check who is calling the child.",
        "owner": "Jo Worker, Lewisham Children's Social Care",
        "due_on": TODAY + datetime.timedelta(days=7),
    }
    return services.action_record(
        referral=changes.pop("referral", team.case), user=user or team.coordinator, today=TODAY, **answers | changes
    )


def reasons(action) -> list[str]:
    return list(action.history.order_by("history_id").values_list("history_change_reason", flat=True))


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.CHAIR])
def test_the_coordinator_and_the_chair_record_actions(team, role):
    action = record(team, user=team.people[role], action="  Safety plan review  ", owner=" Police SPOC ")

    saved = SafeguardingAction.objects.get()
    assert (saved.pk, saved.action, saved.owner, saved.done_on) == (
        action.pk,
        "Safety plan review",
        "Police SPOC",
        None,
    )
    assert saved.recorded_by == team.people[role]
    entry = saved.history.get()
    assert entry.history_change_reason == "Safeguarding action recorded, due 27 May 2026"
    assert entry.history_user == team.people[role]


@pytest.mark.parametrize("role", [Role.PANEL_MEMBER, Role.DESIGNATED_NURSE, Role.AUDITOR, Role.REFERRER])
def test_no_one_else_records_or_completes_actions(team, role):
    action = record(team)
    someone = team.people[role]

    with pytest.raises(NotAllowed):
        record(team, user=someone)
    with pytest.raises(NotAllowed):
        services.action_update(
            safeguarding_action=action, user=someone, action="x", owner="y", due_on=action.due_on, today=TODAY
        )
    with pytest.raises(NotAllowed):
        services.action_done(safeguarding_action=action, user=someone, done_on=TODAY, today=TODAY)

    assert list(SafeguardingAction.objects.values_list("action", "done_on")) == [(action.action, None)]


def test_another_panels_coordinator_cannot_touch_our_actions(team):
    action = record(team)

    with pytest.raises(NotAllowed):
        record(team, user=team.other_coordinator)
    with pytest.raises(NotAllowed):
        services.action_done(safeguarding_action=action, user=team.other_coordinator, done_on=TODAY, today=TODAY)

    assert SafeguardingAction.objects.get().done_on is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"due_on": TODAY - datetime.timedelta(days=1)}, services.DUE_IN_PAST),
        ({"action": "   "}, services.ACTION_REQUIRED),
        ({"owner": ""}, services.OWNER_REQUIRED),
    ],
    ids=["due-yesterday", "no-action", "no-owner"],
)
def test_an_action_breaking_a_rule_is_refused(team, changes, message):
    with pytest.raises(SafeguardingError, match=message):
        record(team, **changes)

    assert not SafeguardingAction.objects.exists()


def test_an_action_may_be_due_today(team):
    assert record(team, due_on=TODAY).due_on == TODAY


def test_actions_are_not_recorded_on_a_draft(team):
    with pytest.raises(SafeguardingError, match=NOT_SUBMITTED):
        record(team, referral=referral_in_state(State.DRAFT, panel=team.panel))


def test_marking_an_action_done_records_the_day_and_the_note(team):
    action = record(team)

    services.action_done(
        safeguarding_action=action, user=team.chair, done_on=TODAY, done_note=" Visited; phone taken. ", today=TODAY
    )

    saved = SafeguardingAction.objects.get()
    assert (saved.done_on, saved.done_note) == (TODAY, "Visited; phone taken.")
    assert reasons(saved)[-1] == "Safeguarding action done on 20 May 2026"
    assert saved.history.order_by("history_id").last().history_user == team.chair


@pytest.mark.parametrize(
    ("done_on", "message"),
    [
        (TODAY + datetime.timedelta(days=1), services.DONE_IN_FUTURE),
        (REFERRED - datetime.timedelta(days=1), "must be the same as or after the date of the referral (1 May 2026)"),
    ],
    ids=["tomorrow", "before-the-referral"],
)
def test_an_action_cannot_be_done_in_the_future_or_before_the_referral(team, done_on, message):
    action = record(team)

    with pytest.raises(SafeguardingError, match=re.escape(message)):
        services.action_done(safeguarding_action=action, user=team.coordinator, done_on=done_on, today=TODAY)

    assert SafeguardingAction.objects.get().done_on is None


def test_an_action_done_on_the_day_of_the_referral_is_accepted(team):
    action = record(team)

    services.action_done(safeguarding_action=action, user=team.coordinator, done_on=REFERRED, today=TODAY)

    assert SafeguardingAction.objects.get().done_on == REFERRED


def test_an_action_marked_done_twice_keeps_the_first(team):
    action = record(team)
    services.action_done(safeguarding_action=action, user=team.chair, done_on=TODAY, done_note="First", today=TODAY)

    with pytest.raises(StaleRecord, match="already marked as done on 20 May 2026"):
        services.action_done(
            safeguarding_action=action,
            user=team.coordinator,
            done_on=TODAY - datetime.timedelta(days=1),
            done_note="Second",
            today=TODAY,
        )

    assert SafeguardingAction.objects.values_list("done_on", "done_note").get() == (TODAY, "First")


def test_changing_an_action_keeps_an_overdue_date_but_refuses_a_new_past_one(team):
    action = record(team)
    SafeguardingAction.objects.filter(pk=action.pk).update(due_on=TODAY - datetime.timedelta(days=3))
    action.refresh_from_db()

    services.action_update(
        safeguarding_action=action,
        user=team.coordinator,
        action="Reworded",
        owner=action.owner,
        due_on=action.due_on,
        today=TODAY,
    )
    with pytest.raises(SafeguardingError, match=services.DUE_IN_PAST):
        services.action_update(
            safeguarding_action=action,
            user=team.coordinator,
            action="Reworded",
            owner=action.owner,
            due_on=TODAY - datetime.timedelta(days=1),
            today=TODAY,
        )
    services.action_update(
        safeguarding_action=action, user=team.chair, action="Reworded", owner="Someone else", due_on=TODAY, today=TODAY
    )

    saved = SafeguardingAction.objects.get()
    assert (saved.action, saved.owner, saved.due_on) == ("Reworded", "Someone else", TODAY)
    assert reasons(saved)[-2:] == ["Safeguarding action changed", "Safeguarding action changed: now due 20 May 2026"]


def test_a_done_action_is_reopened_before_it_changes(team):
    action = record(team)
    services.action_done(safeguarding_action=action, user=team.chair, done_on=TODAY, today=TODAY)

    with pytest.raises(SafeguardingError, match=services.DONE_CANNOT_CHANGE):
        services.action_update(
            safeguarding_action=action, user=team.coordinator, action="New", owner="New", due_on=TODAY, today=TODAY
        )

    assert SafeguardingAction.objects.get().action == action.action


def test_reopening_an_action_needs_a_reason_and_keeps_it(team):
    action = record(team)
    services.action_done(safeguarding_action=action, user=team.chair, done_on=TODAY, done_note="Done", today=TODAY)

    with pytest.raises(SafeguardingError, match=services.REOPEN_REASON_REQUIRED):
        services.action_reopen(safeguarding_action=action, user=team.coordinator, reason="  ")
    assert SafeguardingAction.objects.get().done_on == TODAY

    services.action_reopen(safeguarding_action=action, user=team.coordinator, reason="The visit did not happen.")

    saved = SafeguardingAction.objects.get()
    assert (saved.done_on, saved.done_note) == (None, "")
    assert reasons(saved)[-1] == "Safeguarding action reopened: The visit did not happen."


def test_an_open_action_cannot_be_reopened(team):
    action = record(team)

    with pytest.raises(StaleRecord, match=services.NOT_DONE):
        services.action_reopen(safeguarding_action=action, user=team.coordinator, reason="Why not")


def test_a_change_over_someone_elses_is_refused(team):
    action = record(team)
    seen = history_version(action)
    services.action_update(
        safeguarding_action=action,
        user=team.chair,
        action="Chair's",
        owner="A",
        due_on=action.due_on,
        version=seen,
        today=TODAY,
    )

    with pytest.raises(StaleRecord):
        services.action_update(
            safeguarding_action=action,
            user=team.coordinator,
            action="Coordinator's",
            owner="B",
            due_on=action.due_on,
            version=seen,
            today=TODAY,
        )

    assert SafeguardingAction.objects.get().action == "Chair's"
