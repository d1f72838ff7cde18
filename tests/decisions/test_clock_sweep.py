"""The clock's sweep tells the coordinator and chair (and, for an input overdue, the agency) when a case
crosses a threshold of its clock: once per threshold per case, however often and however many sweeps run."""

import datetime
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from decisions import services
from decisions.clock_sweep import clock_sweep
from decisions.models import ClockAlert, ClockThreshold, DecisionKind, MeetingStatus, Outcome
from decisions.tasks import clock_sweep_all
from notifications.models import Kind, Notification
from nrm_panel.models import AgencyKind, Nation, Role
from referrals.models import State
from tests.factories import (
    AgendaItemFactory,
    PanelFactory,
    PanelMeetingFactory,
    RgPendingReferralFactory,
    member,
    referral_in_state,
)

pytestmark = pytest.mark.django_db

DAY_30 = ClockThreshold.DAY_30_NOT_ON_AGENDA
DAY_40 = ClockThreshold.DAY_40_NOT_DECIDED
OVERDUE = ClockThreshold.OVERDUE
MEETING_AFTER = ClockThreshold.MEETING_AFTER_TARGET
RG_SOON = ClockThreshold.RG_TARGET_TOMORROW
RG_MISSED = ClockThreshold.RG_TARGET_MISSED
RECONSIDERATION = ClockThreshold.RECONSIDERATION_WINDOW_CLOSING
INPUT = ClockThreshold.INPUT_OVERDUE
RG, NEGATIVE, POSITIVE = DecisionKind.RG, Outcome.NEGATIVE, Outcome.POSITIVE


def today() -> datetime.date:
    return timezone.localdate()


def fired(threshold) -> set[int]:
    """The cases the threshold has fired for."""
    return set(ClockAlert.objects.filter(threshold=threshold).values_list("referral_id", flat=True))


def told(person, threshold=None) -> list[str]:
    """The clock's event keys the person was notified of (of one threshold, if given)."""
    keys = Notification.objects.filter(recipient=person).values_list("event_key", flat=True)
    return sorted(key for key in keys if key.startswith(f"clock:{threshold or ''}"))


@pytest.fixture
def elsewhere(other_panel):
    """Another panel with its own coordinator and chair, and a case there past its target."""
    coordinator, chair = member(other_panel, Role.COORDINATOR), member(other_panel, Role.CHAIR)
    case = RgPendingReferralFactory(panel=other_panel, referral_date=today() - datetime.timedelta(days=50))
    return {"coordinator": coordinator, "chair": chair, "case": case}


def overseers(sitting):
    return [sitting.coordinator, sitting.chair, sitting.deputy]


def test_day_30_fires_for_a_case_with_15_days_left_that_is_on_no_agenda(sitting, steps, people, elsewhere):
    due = steps.case(referral_date=steps.day(-30))
    steps.case(referral_date=steps.day(-29))
    on_agenda = steps.case(referral_date=steps.day(-30))
    steps.add(steps.meeting(steps.day(7)), on_agenda)
    referral_in_state(State.WITHDRAWN, panel=sitting.panel, referral_date=steps.day(-30))
    referral_in_state(State.CG_POSITIVE, panel=sitting.panel, referral_date=steps.day(-30))

    counts = clock_sweep(today=today())

    assert fired(DAY_30) == {due.pk, elsewhere["case"].pk}
    assert counts[DAY_30] == 2
    for person in overseers(sitting):
        assert told(person, DAY_30) == [f"clock:{DAY_30}:{due.pk}:"]
    for person in [sitting.police, sitting.health, people[Role.REFERRER], people[Role.AUDITOR]]:
        assert told(person) == []
    # Another panel's people hear only of their own cases.
    # (Its case is overdue: it fired day 30 too, recorded but not told, the overdue alert saying more.)
    assert told(elsewhere["coordinator"], DAY_30) == []
    assert told(elsewhere["coordinator"], OVERDUE) == [f"clock:{OVERDUE}:{elsewhere['case'].pk}:"]
    text = Notification.objects.get(recipient=sitting.coordinator, event_key__contains=DAY_30).text
    assert due.reference in text and due.first_name not in text
    assert f"{steps.day(15):%-d %B %Y}" in text


def test_day_40_fires_for_a_case_with_5_days_left_even_on_an_agenda(sitting, steps):
    on_agenda = steps.case(referral_date=steps.day(-40))
    steps.add(steps.meeting(steps.day(2)), on_agenda)
    waiting = steps.case(referral_date=steps.day(-41))
    day_39 = steps.case(referral_date=steps.day(-39))
    referral_in_state(State.TRANSFERRED, panel=sitting.panel, referral_date=steps.day(-41))

    clock_sweep(today=today())

    assert fired(DAY_40) == {on_agenda.pk, waiting.pk}
    assert fired(DAY_30) == {waiting.pk, day_39.pk}
    assert told(sitting.chair, DAY_40) == sorted([f"clock:{DAY_40}:{on_agenda.pk}:", f"clock:{DAY_40}:{waiting.pk}:"])


def test_overdue_fires_from_day_46_not_on_day_45(sitting, steps):
    day_45 = steps.case(referral_date=steps.day(-45))
    day_46 = steps.case(referral_date=steps.day(-46))

    clock_sweep(today=today())

    assert fired(OVERDUE) == {day_46.pk}
    assert fired(DAY_40) == {day_45.pk, day_46.pk}


def test_overdue_follows_the_panels_own_target(sitting, steps):
    sitting.panel.decision_target_days = 20
    sitting.panel.save()
    late = steps.case(referral_date=steps.day(-21))
    steps.case(referral_date=steps.day(-20))

    clock_sweep(today=today())

    assert fired(OVERDUE) == {late.pk}


def test_a_meeting_after_the_target_fires_and_one_on_the_target_does_not(sitting, steps):
    late = steps.case(referral_date=steps.day(-40))  # its target is in 5 days
    steps.add(steps.meeting(steps.day(6)), late)
    on_time = steps.case(referral_date=steps.day(-40))
    steps.add(steps.meeting(steps.day(5)), on_time)
    cancelled = steps.case(referral_date=steps.day(-40), state=State.ON_AGENDA)
    AgendaItemFactory(
        meeting=PanelMeetingFactory(panel=sitting.panel, date=steps.day(8), status=MeetingStatus.CANCELLED),
        referral=cancelled,
    )

    clock_sweep(today=today())

    assert fired(MEETING_AFTER) == {late.pk}
    text = Notification.objects.get(recipient=sitting.coordinator, event_key__startswith=f"clock:{MEETING_AFTER}").text
    assert f"{steps.day(6):%-d %B %Y}" in text


# The reasonable grounds target in working days: fixed dates, England and Wales unless said.
FRIDAY = datetime.date(2026, 1, 9)


def test_the_reasonable_grounds_target_fires_when_due_by_the_next_working_day_and_when_missed(sitting, steps):
    sitting.panel.rg_target_working_days = 5
    sitting.panel.save()
    due_monday = steps.case(referral_date=datetime.date(2026, 1, 5))  # its 5th working day is Monday 12th
    due_today = steps.case(referral_date=datetime.date(2026, 1, 2))  # Friday 9th
    steps.case(referral_date=datetime.date(2026, 1, 6))  # Tuesday 13th: not yet
    missed = steps.case(referral_date=datetime.date(2025, 12, 31))  # Thursday 8th
    decided = steps.case(referral_date=datetime.date(2025, 12, 31))
    item = steps.add(steps.meeting(), decided)
    steps.open(item.meeting)
    steps.record(item, RG, POSITIVE, delay_reason="Waiting for the police.")
    steps.sign(item)
    elsewhere = RgPendingReferralFactory(panel=PanelFactory(), referral_date=datetime.date(2025, 12, 31))

    counts = clock_sweep(today=FRIDAY)

    assert fired(RG_SOON) == {due_monday.pk, due_today.pk}
    assert fired(RG_MISSED) == {missed.pk}
    assert counts[RG_SOON] == 2 and counts[RG_MISSED] == 1
    assert elsewhere.pk not in fired(RG_SOON) | fired(RG_MISSED)
    texts = set(Notification.objects.filter(recipient=sitting.chair).values_list("text", flat=True))
    assert f"{due_monday.reference}: the reasonable grounds decision is due by 12 January 2026 (5 working days " in (
        " ".join(texts)
    )
    assert any("missed its reasonable grounds target of 8 January 2026" in text for text in texts)


def test_the_reasonable_grounds_target_counts_the_bank_holidays_of_the_panels_nation():
    scotland = PanelFactory(nation=Nation.SCOTLAND, rg_target_working_days=5)
    member(scotland, Role.COORDINATOR)
    # 2 January is a holiday in Scotland only: the 5th working day after 31 December is Friday 9th there.
    case = RgPendingReferralFactory(panel=scotland, referral_date=datetime.date(2025, 12, 31))

    clock_sweep(today=FRIDAY)

    assert fired(RG_SOON) == {case.pk}
    assert fired(RG_MISSED) == set()


# Reconsideration window and agency inputs


def decided_negative(steps, days_ago):
    case = steps.case(referral_date=steps.day(-days_ago - 5))
    steps.decide(case, steps.meeting(steps.day(-days_ago)), (RG, NEGATIVE))
    return case


def test_the_reconsideration_window_fires_in_its_last_5_days(sitting, steps):
    on_day_25 = decided_negative(steps, 25)
    on_day_30 = decided_negative(steps, 30)
    decided_negative(steps, 24)
    decided_negative(steps, 31)
    requested = decided_negative(steps, 27)
    services.reconsideration_request(
        referral=requested,
        user=sitting.coordinator,
        requested_by="legal_representative",
        requester_name="A. Solicitor",
        received_on=today(),
        grounds="new_evidence",
        details="A statement from the school.",
    )
    positive = steps.case(referral_date=steps.day(-30))
    steps.decide(positive, steps.meeting(steps.day(-25)), (RG, POSITIVE))

    counts = clock_sweep(today=today())

    assert fired(RECONSIDERATION) == {on_day_25.pk, on_day_30.pk}
    assert counts[RECONSIDERATION] == 2
    decision = on_day_25.decisions.get()
    assert ClockAlert.objects.get(referral=on_day_25, threshold=RECONSIDERATION).subject == str(decision.pk)
    text = Notification.objects.get(recipient=sitting.coordinator, event_key__contains=f":{on_day_25.pk}:").text
    assert f"end on {steps.day(5):%-d %B %Y}" in text


def test_an_input_overdue_tells_that_agencys_people_only(sitting, steps):
    case = steps.case()
    meeting = steps.meeting(steps.day(3))
    steps.add(meeting, case)
    services.agency_input_save(
        referral=case,
        agency=sitting.agencies[AgencyKind.POLICE],
        user=sitting.police,
        knowledge="Known to us.",
        risks="High.",
        recommendation="victim",
        reasons="Indicators present.",
    )
    later = steps.case()
    steps.add(steps.meeting(steps.day(4)), later)

    clock_sweep(today=today())

    social_care, health = sitting.agencies[AgencyKind.SOCIAL_CARE], sitting.agencies[AgencyKind.HEALTH]
    subjects = set(ClockAlert.objects.filter(threshold=INPUT).values_list("referral_id", "subject"))
    assert (case.pk, f"{social_care.pk}:{meeting.pk}") in subjects
    assert (case.pk, f"{health.pk}:{meeting.pk}") in subjects
    assert {referral_id for referral_id, _ in subjects} == {case.pk}
    assert told(sitting.social_care, INPUT) == [f"clock:{INPUT}:{case.pk}:{social_care.pk}:{meeting.pk}"]
    assert told(sitting.health, INPUT) == [f"clock:{INPUT}:{case.pk}:{health.pk}:{meeting.pk}"]
    for person in [sitting.police, sitting.education, sitting.coordinator, sitting.chair]:
        assert told(person, INPUT) == []
    notification = Notification.objects.get(recipient=sitting.health, event_key__startswith=f"clock:{INPUT}")
    assert notification.kind == Kind.INPUT_OVERDUE


# Once, and only once


def every_threshold(sitting, steps, *, cases: int = 1):
    """`cases` cases crossing each threshold on the sitting's panel (its RG target is 5 working days)."""
    sitting.panel.rg_target_working_days = 5
    sitting.panel.save()
    after_target, soon, past = steps.meeting(steps.day(6)), steps.meeting(steps.day(2)), steps.meeting(steps.day(-26))
    for _ in range(cases):
        steps.case(referral_date=steps.day(-46))  # day 30, day 40, overdue, RG missed
        steps.add(after_target, steps.case(referral_date=steps.day(-40)))  # day 40, meeting after, RG missed
        steps.add(soon, steps.case())  # inputs overdue
        steps.decide(steps.case(referral_date=steps.day(-30)), past, (RG, NEGATIVE))  # reconsideration closing


def test_a_second_sweep_tells_nobody_again(sitting, steps):
    every_threshold(sitting, steps)
    first = clock_sweep(today=today())
    notifications = Notification.objects.count()

    second = clock_sweep(today=today())

    # Every threshold fired (none of these cases has its RG target due soon), and fires no more.
    assert {threshold for threshold, count in first.items() if not count} == {RG_SOON}
    assert set(second.values()) == {0}
    assert Notification.objects.count() == notifications
    assert ClockAlert.objects.count() == sum(first.values())


def test_the_sweeps_queries_do_not_grow_with_the_cases(sitting, steps):
    every_threshold(sitting, steps, cases=1)
    with CaptureQueriesContext(connection) as one:
        counts = clock_sweep(today=today())
    assert counts[OVERDUE] == 1
    ClockAlert.objects.all().delete()
    Notification.objects.all().delete()
    every_threshold(sitting, steps, cases=19)

    with CaptureQueriesContext(connection) as twenty:
        counts = clock_sweep(today=today())

    assert counts[OVERDUE] == 20
    assert len(twenty) == len(one), f"{len(one)} queries for 1 case of each, {len(twenty)} for 20"


def test_the_task_sweeps_today_and_returns_the_counts(sitting, steps):
    steps.case(referral_date=steps.day(-46))

    counts = clock_sweep_all.apply().get()

    assert counts[OVERDUE] == 1 and counts[DAY_40] == 1 and counts[DAY_30] == 1
    assert counts[RECONSIDERATION] == 0


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_the_same_moment_tell_each_person_once(sitting, steps):
    every_threshold(sitting, steps, cases=3)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def sweep():
        try:
            barrier.wait(timeout=10)
            results.append(clock_sweep(today=today()))
        except BaseException as error:  # reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(results) == 2
    alerts = ClockAlert.objects.count()
    assert alerts > 0
    assert sum(sum(counts.values()) for counts in results) == alerts
    for threshold in ClockThreshold.values:
        assert sum(counts[threshold] for counts in results) == ClockAlert.objects.filter(threshold=threshold).count()
    keys = list(Notification.objects.filter(recipient=sitting.coordinator).values_list("event_key", flat=True))
    assert len(keys) == len(set(keys))
    # Each is about an alert that fired (a lesser threshold of a case told of a graver one is recorded, not told).
    alert_keys = {
        f"clock:{threshold}:{referral_id}:{subject}"
        for threshold, referral_id, subject in ClockAlert.objects.values_list("threshold", "referral_id", "subject")
    }
    told_keys = {key for key in keys if key.startswith("clock:")}
    assert told_keys and told_keys <= alert_keys


def test_a_case_first_seen_overdue_is_told_once_as_overdue_and_never_later_as_day_30_or_40(sitting, steps):
    late = steps.case(referral_date=steps.day(-50))

    clock_sweep(today=today())
    clock_sweep(today=today() + datetime.timedelta(days=1))

    assert fired(DAY_30) == fired(DAY_40) == fired(OVERDUE) == {late.pk}
    assert told(sitting.coordinator) == [f"clock:{OVERDUE}:{late.pk}:"]
