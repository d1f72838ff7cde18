"""Demo data in bulk for benchmarks (`manage.py demo_data --bulk-referrals 100000 --panels 30`): many open
cases across many panels, inserted in batches without the services, in minutes.

Every case is submitted, with a reference and a referral date in the last 60 days, and its clock
running: some wait for triage or were returned, most await reasonable grounds (RG), some are on the
agenda of a meeting to come (with some of the statutory partners' inputs in), some await conclusive
grounds (CG) after a positive RG signed at a past meeting. One case in NEGATIVE_EVERY more has a
negative RG decision signed within its 30-day reconsideration window. The rows are those the
services would write (agenda items, inputs, signed decisions with their snapshot, days to RG), so
the constraints hold and the pages show them as usual.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from decisions.models import (
    AgencyInput,
    AgendaItem,
    Attendance,
    Capacity,
    Decision,
    DecisionKind,
    ItemPurpose,
    MeetingKind,
    MeetingStatus,
    Outcome,
    PanelMeeting,
    Recommendation,
)
from decisions.services import meeting_dates_by_rule, threshold_wording_on
from nrm_panel.management.demo import CHANGE_REASON, content
from nrm_panel.management.demo.decisions import EXTRAORDINARY_TIME
from nrm_panel.management.demo.referrals import (
    Plan,
    keeping_given_timestamps,
    references_assign,
    referrals_create,
)
from nrm_panel.management.demo.sites import DemoSite
from referrals.models import State

MAX_AGE_DAYS = 60
# A case referred this recently is still with the coordinator for triage.
TRIAGE_DAYS = 3
TRIAGE_SHARES = content.Weighted({State.SUBMITTED: 85, State.RETURNED: 15})
OPEN_SHARES = content.Weighted(
    {State.SUBMITTED: 3, State.RETURNED: 4, State.RG_PENDING: 50, State.ON_AGENDA: 28, State.CG_PENDING: 15}
)
NEGATIVE_EVERY = 50
# Panels following the national model's RG target of 5 working days: every third one.
RG_TARGET_EVERY, RG_TARGET_WORKING_DAYS = 3, 5
# The share of a case's required agency inputs already in while it is on an agenda.
INPUT_GIVEN_SHARE = 0.7
# Extraordinary meetings this many days from today: one ahead, so that some agendas are close enough
# for inputs to be due; one behind, so that some negative decisions' reconsideration windows are closing.
EXTRAORDINARY_IN_DAYS = (2, -27)
BATCH_SIZE = 5_000
# Tables whose statistics the query planner needs brought up to date after a load (with the referrals').
MODELS = [PanelMeeting, Attendance, AgendaItem, AgencyInput, Decision]


@dataclass
class Meetings:
    """A panel's meetings for the bulk load: closed ones behind (to decide at), scheduled ones ahead."""

    past: list
    upcoming: list


def bulk_load(sites: list[DemoSite], count: int, *, rng, today: datetime.date, progress) -> int:
    """Insert `count` open cases (and their negative decisions) across `sites`; returns how many cases in all."""
    _rg_targets_set(sites)
    meetings = {site.panel.id: _meetings_ensure(site, today=today) for site in sites}
    plans, rounds = _plans(sites, count, meetings, rng=rng, today=today)
    references_assign(plans)
    for done in referrals_create(plans, rng=rng):
        progress(f"  referrals: {done:,} of {len(plans):,}")
    _agendas_create(rounds, rng=rng)
    progress(f"  {len(rounds):,} agenda items with their inputs and decisions")
    return len(plans)


def _rg_targets_set(sites) -> None:
    for number, site in enumerate(sites):
        panel = site.panel
        if number % RG_TARGET_EVERY == RG_TARGET_EVERY - 1 and panel.rg_target_working_days is None:
            panel.rg_target_working_days = RG_TARGET_WORKING_DAYS
            panel._change_reason = CHANGE_REASON
            panel.save()


def _meetings_ensure(site: DemoSite, *, today: datetime.date) -> Meetings:
    """The panel's regular meetings from MAX_AGE_DAYS ago to as far ahead, and its extraordinary ones
    (EXTRAORDINARY_IN_DAYS); those already there (from an earlier load) are used again."""
    panel, chair = site.panel, site.chair
    start, end = today - datetime.timedelta(days=MAX_AGE_DAYS), today + datetime.timedelta(days=MAX_AGE_DAYS)
    kept = list(PanelMeeting.objects.filter(panel=panel, rule_date__gte=start))
    existing, new = {meeting.rule_date for meeting in kept}, []
    for date in meeting_dates_by_rule(panel, start=start, end=end):
        if date in existing or date == today:
            continue
        meeting = PanelMeeting(panel=panel, rule_date=date, date=date, starts_at=panel.meeting_time, chair=chair)
        meeting.place = panel.meeting_place
        if date < today:
            opened = timezone.make_aware(datetime.datetime.combine(date, panel.meeting_time))
            meeting.status, meeting.opened_at = MeetingStatus.CLOSED, opened
            meeting.minutes_approved_at, meeting.minutes_approved_by = opened + datetime.timedelta(hours=3), chair
        new.append(meeting)
    for days in EXTRAORDINARY_IN_DAYS:
        extraordinary = _extraordinary(site, today + datetime.timedelta(days=days), today=today)
        if extraordinary.pk is None:
            new.append(extraordinary)
        else:
            kept.append(extraordinary)
    for meeting in new:
        meeting._history_user = site.coordinator
    bulk_create_with_history(new, PanelMeeting, default_change_reason=CHANGE_REASON)
    _attendances_create(site, [meeting for meeting in new if meeting.status == MeetingStatus.CLOSED])
    meetings = kept + new
    return Meetings(
        past=sorted((m for m in meetings if m.date < today and m.status == MeetingStatus.CLOSED), key=_by_date),
        upcoming=sorted((m for m in meetings if m.date > today and m.status == MeetingStatus.SCHEDULED), key=_by_date),
    )


def _extraordinary(site: DemoSite, date: datetime.date, *, today: datetime.date) -> PanelMeeting:
    """The panel's extraordinary meeting on `date` from an earlier load, or a new one (not yet saved)."""
    status = MeetingStatus.CLOSED if date < today else MeetingStatus.SCHEDULED
    meeting = PanelMeeting.objects.filter(
        panel=site.panel, kind=MeetingKind.EXTRAORDINARY, date=date, status=status
    ).first()
    if meeting:
        return meeting
    meeting = PanelMeeting(
        panel=site.panel,
        kind=MeetingKind.EXTRAORDINARY,
        date=date,
        starts_at=EXTRAORDINARY_TIME,
        place=content.VIRTUAL_PLACE,
        reason=content.EXTRAORDINARY_REASON_PAST,
        chair=site.chair,
        status=status,
    )
    if status == MeetingStatus.CLOSED:
        meeting.opened_at = _moment(date, EXTRAORDINARY_TIME)
        meeting.minutes_approved_at = meeting.opened_at + datetime.timedelta(hours=2)
        meeting.minutes_approved_by = site.chair
    return meeting


def _attendances_create(site: DemoSite, meetings) -> None:
    """The chair and a member of each statutory partner at each past meeting: quorate."""
    panel, rows = site.panel, []
    for meeting in meetings:
        rows.append(Attendance(meeting=meeting, person=site.chair, capacity=Capacity.CHAIR, recorded_by=site.chair))
        rows += [
            Attendance(
                meeting=meeting,
                person=site.members[kind],
                agency=site.agencies[kind],
                capacity=Capacity.VOTING,
                recorded_by=site.chair,
            )
            for kind in panel.voting_kinds
            if kind in site.members
        ]
    for row in rows:
        row.recorded_at = row._history_date = row.meeting.opened_at
        row._history_user = site.chair
    with keeping_given_timestamps(Attendance, "recorded_at"):
        bulk_create_with_history(rows, Attendance, default_change_reason=CHANGE_REASON)


def _by_date(meeting: PanelMeeting):
    return meeting.date


@dataclass
class Round:
    """A case's agenda item: open at a meeting to come, or signed at a past one with its RG decision."""

    plan: Plan
    meeting: PanelMeeting
    outcome: str | None = None  # the signed RG decision's, if any


def _plans(sites, count, meetings, *, rng, today) -> tuple[list[Plan], list[Round]]:
    plans, rounds = [], []
    negatives_wanted = count // NEGATIVE_EVERY
    for number in range(count + negatives_wanted):
        site = sites[number % len(sites)]
        panel_meetings = meetings[site.panel.id]
        # More recent cases than old ones, as on a panel that keeps up: about a quarter past day 30.
        age = round(rng.triangular(0, MAX_AGE_DAYS, 0))
        referral_date = today - datetime.timedelta(days=age)
        is_negative = number >= count
        state = TRIAGE_SHARES.pick(rng) if age < TRIAGE_DAYS else OPEN_SHARES.pick(rng)
        plan = Plan(site=site, state=state, referrer=rng.choice(site.referrers), referral_date=referral_date)
        if is_negative or state == State.CG_PENDING:
            # Decided at a past meeting after the referral (within the reconsideration window if negative).
            earliest = today - datetime.timedelta(days=29) if is_negative else referral_date
            held = [m for m in panel_meetings.past if earliest < m.date and referral_date < m.date]
            if held:
                meeting = rng.choice(held)
                plan.state = State.RG_NEGATIVE if is_negative else State.CG_PENDING
                plan.days_to_rg = (meeting.date - referral_date).days
                rounds.append(Round(plan, meeting, Outcome.NEGATIVE if is_negative else Outcome.POSITIVE))
            elif is_negative:
                continue
            else:
                plan.state = State.RG_PENDING
        elif state == State.ON_AGENDA:
            rounds.append(Round(plan, rng.choice(panel_meetings.upcoming[:3])))
        plans.append(plan)
    plans.sort(key=lambda plan: plan.referral_date)
    return plans, rounds


def _agendas_create(rounds: list[Round], *, rng) -> None:
    positions = defaultdict(int)
    for meeting_id, last in AgendaItem.objects.filter(meeting__in={r.meeting.pk for r in rounds}).values_list(
        "meeting", "position"
    ):
        positions[meeting_id] = max(positions[meeting_id], last)
    wordings = {}
    for start in range(0, len(rounds), BATCH_SIZE):
        batch = rounds[start : start + BATCH_SIZE]
        items = [_item(each, positions) for each in batch]
        with keeping_given_timestamps(AgendaItem, "added_at"):
            bulk_create_with_history(items, AgendaItem, default_change_reason=CHANGE_REASON)
        decisions, inputs = [], []
        for each, item in zip(batch, items, strict=True):
            if each.outcome:
                key = each.meeting.date
                if key not in wordings:
                    wordings[key] = threshold_wording_on(DecisionKind.RG, key)
                decisions.append(_decision(each, item, wordings[key], rng=rng))
            else:
                inputs += _inputs(each, item, rng=rng)
        with keeping_given_timestamps(Decision, "recorded_at"):
            bulk_create_with_history(decisions, Decision, default_change_reason=CHANGE_REASON)
        with keeping_given_timestamps(AgencyInput, "submitted_at", "updated_at"):
            bulk_create_with_history(inputs, AgencyInput, default_change_reason=CHANGE_REASON)


def _moment(date: datetime.date, at: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(date, at))


def _item(each: Round, positions) -> AgendaItem:
    meeting, site = each.meeting, each.plan.site
    positions[meeting.pk] += 1
    added = min(
        _moment(max(each.plan.referral_date, meeting.date - datetime.timedelta(days=7)), datetime.time(11)),
        timezone.now(),
    )
    item = AgendaItem(
        meeting=meeting,
        referral_id=each.plan.referral_id,
        purpose=ItemPurpose.RG,
        position=positions[meeting.pk],
        added_by=site.coordinator,
        added_at=added,
    )
    if each.outcome:
        item.signed_off_at = _moment(meeting.date, meeting.starts_at) + datetime.timedelta(hours=1)
        item.signed_off_by = site.chair
    item._history_date, item._history_user = item.signed_off_at or added, site.coordinator
    return item


def _decision(each: Round, item: AgendaItem, wording: str, *, rng) -> Decision:
    site, meeting = each.plan.site, each.meeting
    present = [{"name": str(site.chair), "agency": "", "capacity": "Chair"}] + [
        {"name": str(site.members[kind]), "agency": str(site.agencies[kind]), "capacity": "Voting member"}
        for kind in site.panel.voting_kinds
    ]
    target = each.plan.referral_date + datetime.timedelta(days=site.panel.decision_target_days)
    decision = Decision(
        referral_id=each.plan.referral_id,
        item=item,
        kind=DecisionKind.RG,
        outcome=each.outcome,
        reasons=rng.choice(content.DECISION_REASONS[(DecisionKind.RG, each.outcome)]),
        evidence_considered=rng.choice(content.EVIDENCE_CONSIDERED),
        decided_on=meeting.date,
        delay_reason=content.DELAY_REASONS["deferred"] if target < meeting.date else "",
        threshold_wording=wording,
        present=present,
        voters=present[1:],
        recorded_by=site.chair,
        recorded_at=item.signed_off_at - datetime.timedelta(minutes=20),
        signed_off_by=site.chair,
        signed_off_at=item.signed_off_at,
    )
    decision._history_date, decision._history_user = item.signed_off_at, site.chair
    return decision


def _inputs(each: Round, item: AgendaItem, *, rng) -> list[AgencyInput]:
    """Some of the required agencies' inputs, for a case on the agenda of a meeting to come."""
    site, inputs = each.plan.site, []
    for kind in site.panel.required_input_kinds:
        if kind not in site.agencies or rng.random() > INPUT_GIVEN_SHARE:
            continue
        recommendation = rng.choice([Recommendation.VICTIM] * 3 + [Recommendation.NOT_ENOUGH_INFORMATION])
        agency_input = AgencyInput(
            referral_id=each.plan.referral_id,
            agency=site.agencies[kind],
            knowledge=rng.choice(content.INPUT_KNOWLEDGE[kind]),
            risks=rng.choice(content.INPUT_RISKS),
            recommendation=recommendation,
            reasons=rng.choice(content.INPUT_REASONS[recommendation]),
            submitted_by=site.members[kind],
            submitted_at=item.added_at,
            updated_at=item.added_at,
        )
        agency_input._history_date, agency_input._history_user = item.added_at, site.members[kind]
        inputs.append(agency_input)
    return inputs
