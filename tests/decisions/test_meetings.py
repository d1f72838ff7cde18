"""Meetings and their agendas: the panel's regular meetings are scheduled from its rule, opened on the day,
cancelled only when empty; reasonable grounds between meetings where the panel allows it; which cases go on
an agenda, come off it, and are proposed for it."""

import datetime
import re

import pytest

from decisions import selectors, services
from decisions.models import (
    AgendaItem,
    Attendance,
    Capacity,
    DecisionKind,
    ItemPurpose,
    MeetingKind,
    MeetingStatus,
    Outcome,
    PanelMeeting,
)
from nrm_panel.models import Weekday, WeekOfMonth
from referrals.models import State
from tests.factories import PanelMeetingFactory, RgPendingReferralFactory, referral_in_state

pytestmark = pytest.mark.django_db

D = datetime.date


# --- Scheduling from the panel's rule --------------------------------------------------------------


def test_meetings_are_scheduled_on_the_second_tuesday_by_default(panel):
    panel.meeting_time = datetime.time(14, 30)
    panel.meeting_place = "Civic Suite"
    panel.save()

    created = services.meetings_schedule(panel=panel, today=D(2026, 11, 24))

    assert [m.date for m in created] == [
        D(2026, 12, 8),
        D(2027, 1, 12),
        D(2027, 2, 9),
        D(2027, 3, 9),
        D(2027, 4, 13),
        D(2027, 5, 11),
    ]
    assert all(m.rule_date == m.date for m in created)
    assert {(m.kind, m.status, m.starts_at, m.place) for m in created} == {
        (MeetingKind.SCHEDULED, MeetingStatus.SCHEDULED, datetime.time(14, 30), "Civic Suite")
    }


def test_meetings_follow_the_panels_own_rule(panel):
    panel.meeting_week_of_month = WeekOfMonth.LAST
    panel.meeting_weekday = Weekday.FRIDAY
    panel.save()

    created = services.meetings_schedule(panel=panel, today=D(2026, 11, 24), months=3)

    assert [m.date for m in created] == [D(2026, 11, 27), D(2026, 12, 25), D(2027, 1, 29)]


def test_scheduling_again_creates_nothing_new(panel):
    first = services.meetings_schedule(panel=panel, today=D(2026, 11, 24))

    assert services.meetings_schedule(panel=panel, today=D(2026, 11, 24)) == []
    assert PanelMeeting.objects.count() == len(first)


def test_a_rescheduled_or_cancelled_meeting_is_not_recreated(panel, coordinator):
    december, january, *_ = services.meetings_schedule(panel=panel, today=D(2026, 11, 24))
    services.meeting_reschedule(
        meeting=december,
        user=coordinator,
        date=D(2026, 12, 10),
        starts_at=datetime.time(10, 0),
        format="virtual",
        place="Teams",
        reason="The room is taken",
    )
    services.meeting_cancel(meeting=january, user=coordinator, reason="Few cases")

    assert services.meetings_schedule(panel=panel, today=D(2026, 11, 24)) == []
    assert not PanelMeeting.objects.filter(date=D(2026, 12, 8)).exists()
    assert not PanelMeeting.objects.filter(date=D(2027, 1, 12), status=MeetingStatus.SCHEDULED).exists()
    assert PanelMeeting.objects.get(rule_date=D(2026, 12, 8)).date == D(2026, 12, 10)


def test_scheduling_one_panel_leaves_another_alone(panel, other_panel):
    services.meetings_schedule(panel=panel, today=D(2026, 11, 24))
    assert len(services.meetings_schedule(panel=other_panel, today=D(2026, 11, 24))) == 6
    assert PanelMeeting.objects.filter(panel=other_panel).count() == 6


# --- Opening and cancelling ------------------------------------------------------------------------


def test_a_meeting_cannot_be_opened_before_its_day(sitting):
    meeting = PanelMeetingFactory(panel=sitting.panel, date=D(2026, 12, 8))

    with pytest.raises(services.DecisionError, match="This meeting is on 8 December 2026"):
        services.meeting_open(meeting=meeting, user=sitting.chair, today=D(2026, 12, 7))
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED

    services.meeting_open(meeting=meeting, user=sitting.chair, today=D(2026, 12, 8))
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.OPEN
    assert meeting.chair == sitting.chair
    assert Attendance.objects.get(meeting=meeting, person=sitting.chair).capacity == Capacity.CHAIR


@pytest.mark.parametrize("who", ["coordinator", "police"])
def test_only_a_chair_opens_a_meeting(sitting, who):
    with pytest.raises(services.NotAllowed):
        services.meeting_open(meeting=sitting.meeting, user=getattr(sitting, who))
    sitting.meeting.refresh_from_db()
    assert sitting.meeting.status == MeetingStatus.SCHEDULED


def test_a_meeting_with_cases_on_its_agenda_cannot_be_cancelled(sitting, steps):
    item = steps.add(sitting.meeting, steps.case())

    with pytest.raises(services.DecisionError, match=services.MEETING_HAS_ITEMS):
        services.meeting_cancel(meeting=sitting.meeting, user=sitting.coordinator, reason="Too few members")
    sitting.meeting.refresh_from_db()
    assert sitting.meeting.status == MeetingStatus.SCHEDULED

    services.agenda_remove(item=item, user=sitting.coordinator, reason="Moved to the extraordinary meeting")
    services.meeting_cancel(meeting=sitting.meeting, user=sitting.coordinator, reason="Too few members")
    sitting.meeting.refresh_from_db()
    assert sitting.meeting.status == MeetingStatus.CANCELLED


# --- Reasonable grounds between meetings ----------------------------------------------------------


def test_rg_between_meetings_is_refused_unless_the_panel_allows_it(sitting, steps):
    assert not sitting.panel.allows_rg_between_meetings
    case = steps.case()

    with pytest.raises(services.DecisionError, match=services.BETWEEN_MEETINGS_NOT_ALLOWED):
        services.meeting_start_between_meetings(referral=case, user=sitting.chair)
    assert not PanelMeeting.objects.filter(kind=MeetingKind.BETWEEN_MEETINGS).exists()
    case.refresh_from_db()
    assert case.state == State.RG_PENDING


@pytest.fixture
def between_meetings(sitting):
    sitting.panel.allows_rg_between_meetings = True
    sitting.panel.save()
    return sitting.panel


def test_rg_between_meetings_is_decided_like_a_short_meeting_under_the_quorum_rule(sitting, steps, between_meetings):
    case = steps.case()
    item = services.meeting_start_between_meetings(referral=case, user=sitting.chair)
    meeting = item.meeting
    assert (meeting.kind, meeting.status, meeting.chair) == (
        MeetingKind.BETWEEN_MEETINGS,
        MeetingStatus.OPEN,
        sitting.chair,
    )
    assert item.purpose == ItemPurpose.RG

    with pytest.raises(services.QuorumNotMet):
        steps.record(item)
    services.attendance_record(meeting=meeting, user=sitting.chair, people=sitting.voting_members)
    steps.record(item, DecisionKind.RG, Outcome.POSITIVE)
    steps.sign(item)

    case.refresh_from_db()
    assert case.state == State.CG_PENDING


@pytest.fixture
def between_meetings_item(sitting):
    """A case on a between-meetings meeting, with the statutory partners taking part."""
    sitting.panel.allows_rg_between_meetings = True
    sitting.panel.save()
    item = services.meeting_start_between_meetings(referral=sitting.case(), user=sitting.chair)
    services.attendance_record(meeting=item.meeting, user=sitting.chair, people=sitting.voting_members)
    return item


def test_only_rg_is_recorded_at_a_between_meetings_meeting(steps, between_meetings_item):
    steps.record(between_meetings_item, DecisionKind.RG, Outcome.POSITIVE)

    with pytest.raises(services.DecisionError):
        steps.record(between_meetings_item, DecisionKind.CG, Outcome.POSITIVE)
    assert list(between_meetings_item.decisions.values_list("kind", flat=True)) == [DecisionKind.RG]


def test_cg_between_meetings_is_refused_with_a_message_that_says_why(steps, between_meetings_item):
    steps.record(between_meetings_item, DecisionKind.RG, Outcome.POSITIVE)

    with pytest.raises(services.DecisionError) as refused:
        steps.record(between_meetings_item, DecisionKind.CG, Outcome.POSITIVE)
    assert str(refused.value) == services.ONLY_RG_BETWEEN_MEETINGS


def test_a_case_awaiting_cg_is_not_decided_between_meetings(sitting, steps, between_meetings):
    case = referral_in_state(State.CG_PENDING, panel=sitting.panel)

    with pytest.raises(services.DecisionError, match="it is not awaiting a decision by the panel"):
        services.meeting_start_between_meetings(referral=case, user=sitting.chair)
    between = PanelMeetingFactory(panel=sitting.panel, kind=MeetingKind.BETWEEN_MEETINGS)
    with pytest.raises(services.DecisionError, match=services.BETWEEN_MEETINGS_NOT_ALLOWED):
        steps.add(between, case)
    assert not case.agenda_items.exists()


# --- Putting cases on the agenda and taking them off -----------------------------------------------


@pytest.mark.parametrize(("state", "purpose"), [(State.RG_PENDING, ItemPurpose.RG), (State.CG_PENDING, ItemPurpose.CG)])
def test_a_case_goes_on_the_agenda_for_what_it_awaits(sitting, steps, state, purpose):
    case = referral_in_state(state, panel=sitting.panel)

    item = steps.add(sitting.meeting, case)

    case.refresh_from_db()
    assert item.purpose == purpose
    assert case.state == State.ON_AGENDA


def test_agenda_add_refuses_another_panels_case(sitting, steps, other_panel):
    theirs = RgPendingReferralFactory(panel=other_panel)

    with pytest.raises(services.NotAllowed, match=services.OTHER_PANEL):
        steps.add(sitting.meeting, theirs)
    theirs.refresh_from_db()
    assert theirs.state == State.RG_PENDING
    assert not AgendaItem.objects.exists()


@pytest.mark.parametrize(
    "state", [State.SUBMITTED, State.RG_NEGATIVE, State.CG_POSITIVE, State.CLOSED, State.WITHDRAWN], ids=str
)
def test_agenda_add_refuses_a_case_not_awaiting_a_decision(sitting, steps, state):
    case = referral_in_state(state, panel=sitting.panel)

    with pytest.raises(services.DecisionError, match="it is not awaiting a decision by the panel"):
        steps.add(sitting.meeting, case)
    case.refresh_from_db()
    assert case.state == state
    assert not AgendaItem.objects.exists()


def test_agenda_add_refuses_a_case_already_on_an_open_agenda_item(sitting, steps):
    case = steps.case()
    steps.add(sitting.meeting, case)
    next_month = steps.meeting(steps.day(21))

    with pytest.raises(services.DecisionError, match=re.escape(f"already on the agenda of the {sitting.meeting}")):
        steps.add(next_month, case)
    assert not next_month.items.exists()


def test_items_are_added_at_the_end_of_the_agenda(sitting, steps):
    items = [steps.add(sitting.meeting, steps.case()) for _ in range(3)]
    assert [item.position for item in items] == [1, 2, 3]


@pytest.mark.parametrize(
    ("state", "back_to"),
    [(State.RG_PENDING, State.RG_PENDING), (State.CG_PENDING, State.CG_PENDING)],
    ids=str,
)
def test_taking_a_case_off_the_agenda_returns_it_to_awaiting(sitting, steps, state, back_to):
    case = referral_in_state(state, panel=sitting.panel)
    item = steps.add(sitting.meeting, case)

    services.agenda_remove(item=item, user=sitting.coordinator, reason="The police report is not in")

    case.refresh_from_db()
    item.refresh_from_db()
    assert case.state == back_to
    assert item.removed_at is not None
    assert item.removal_reason == "The police report is not in"
    assert selectors.case_agenda_item(case) is None


def test_a_case_is_not_taken_off_the_agenda_once_a_decision_is_recorded(sitting, steps):
    case = steps.case()
    item = steps.add(sitting.meeting, case)
    steps.open(sitting.meeting)
    steps.record(item)

    with pytest.raises(services.DecisionError, match=services.DECISIONS_RECORDED):
        services.agenda_remove(item=item, user=sitting.coordinator, reason="Changed our minds")

    item.refresh_from_db()
    case.refresh_from_db()
    assert item.removed_at is None
    assert case.state == State.ON_AGENDA


def test_a_case_taken_off_can_go_on_another_agenda(sitting, steps):
    case = steps.case()
    services.agenda_remove(item=steps.add(sitting.meeting, case), user=sitting.coordinator, reason="Moved")

    item = steps.add(steps.meeting(steps.day(7)), case)
    case.refresh_from_db()
    assert selectors.case_agenda_item(case) == item
    assert case.state == State.ON_AGENDA


def test_agenda_reorder_swaps_an_item_with_its_neighbour(sitting, steps):
    first, second, third = (steps.add(sitting.meeting, steps.case()) for _ in range(3))

    def order():
        return list(sitting.meeting.items.order_by("position").values_list("pk", flat=True))

    services.agenda_reorder(item=third, user=sitting.coordinator, direction="up")
    assert order() == [first.pk, third.pk, second.pk]

    services.agenda_reorder(item=first, user=sitting.coordinator, direction="down")
    assert order() == [third.pk, first.pk, second.pk]

    services.agenda_reorder(item=third, user=sitting.coordinator, direction="up")
    services.agenda_reorder(item=second, user=sitting.coordinator, direction="down")
    assert order() == [third.pk, first.pk, second.pk]
    assert sorted(sitting.meeting.items.values_list("position", flat=True)) == [1, 2, 3]


# --- Proposals for the agenda ----------------------------------------------------------------------


def _reconsideration(steps, sitting, *, referral_date, accept):
    """A case whose negative RG is asked to be reconsidered (and the request accepted, if `accept`)."""
    case = steps.case(referral_date=referral_date)
    steps.decide(case, steps.meeting(referral_date + datetime.timedelta(days=5)), (DecisionKind.RG, Outcome.NEGATIVE))
    request = services.reconsideration_request(
        referral=case,
        user=sitting.coordinator,
        requested_by="legal_representative",
        requester_name="A. Solicitor, Example Law",
        received_on=referral_date + datetime.timedelta(days=10),
        grounds="new_evidence",
        details="A statement from the child's school.",
    )
    if accept:
        services.reconsideration_accept(reconsideration=request, user=sitting.coordinator)
    case.refresh_from_db()
    return case


def test_agenda_proposals_are_this_panels_awaiting_cases_not_on_an_agenda_oldest_referral_first(
    sitting, steps, other_panel
):
    awaiting_rg = steps.case(referral_date=steps.day(-10))
    awaiting_cg = referral_in_state(State.CG_PENDING, panel=sitting.panel, referral_date=steps.day(-30))
    oldest = steps.case(referral_date=steps.day(-40))
    accepted = _reconsideration(steps, sitting, referral_date=steps.day(-20), accept=True)
    _reconsideration(steps, sitting, referral_date=steps.day(-25), accept=False)
    steps.add(steps.meeting(steps.day(7)), steps.case(referral_date=steps.day(-35)))
    referral_in_state(State.SUBMITTED, panel=sitting.panel, referral_date=steps.day(-50))
    RgPendingReferralFactory(panel=other_panel, referral_date=steps.day(-45))

    proposed = list(selectors.agenda_proposals(sitting.meeting))

    assert proposed == [oldest, awaiting_cg, accepted, awaiting_rg]
    assert [case.target_date for case in proposed] == [
        case.referral_date + datetime.timedelta(days=45) for case in proposed
    ]


def test_only_the_coordinator_orders_the_agenda(sitting, steps):
    first, second = (steps.add(sitting.meeting, steps.case()) for _ in range(2))

    with pytest.raises(services.NotAllowed):
        services.agenda_reorder(item=second, user=sitting.chair, direction="up")

    assert list(sitting.meeting.items.order_by("position")) == [first, second]


def test_a_past_meeting_is_not_opened_late(sitting):
    sitting.meeting.date -= datetime.timedelta(days=40)
    sitting.meeting.save()

    with pytest.raises(services.DecisionError, match="move it to today"):
        services.meeting_open(meeting=sitting.meeting, user=sitting.chair)
