"""Demo meetings, agency inputs and decisions: every case the panel has had in front of it has them.

A panel loaded for the first time (one of the first CYCLE_PANELS) gets a month's panel cycle, run
through the real services so that each case's history is what the app itself records: its last
three regular meetings (closed, minutes approved), an extraordinary meeting between them, a
meeting today that has not started, the next regular meeting with cases on its agenda, and one
regular meeting cancelled. Its cases (`STORIES`) are decided, deferred, reconsidered and closed at
and between those meetings.

The services stamp what they write with the time now; `_Clock` moves those stamps back to the day
each thing happened, so the case timelines and the minutes read true.

Cases decided before the cycle get the same rows, made in bulk by `history_create`: their
meetings, agenda items, agency inputs and signed decisions.
"""

import dataclasses
import datetime
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from itertools import groupby
from types import SimpleNamespace

from dateutil.relativedelta import relativedelta
from django.db import connection
from django.db.models import Max
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_create_with_history

from decisions import documents, letters, services
from decisions.models import (
    AgencyInput,
    AgendaItem,
    Attendance,
    Capacity,
    ConflictOfInterest,
    Decision,
    DecisionKind,
    ItemPurpose,
    MeetingFormat,
    MeetingKind,
    MeetingStatus,
    Outcome,
    PanelMeeting,
    Recommendation,
    Reconsideration,
    ThresholdWording,
)
from nrm_panel.management.demo import CHANGE_REASON, content
from nrm_panel.management.demo.referrals import Plan, keeping_given_timestamps
from nrm_panel.models import AgencyKind
from referrals.models import Referral, State
from referrals.services import referral_move

RG, CG = DecisionKind.RG, DecisionKind.CG
POSITIVE, NEGATIVE, DEFERRED = Outcome.POSITIVE, Outcome.NEGATIVE, Outcome.DEFERRED
BATCH_SIZE = 2_000
# A panel's meetings in the cycle, in date order: its last three regular meetings (P1 to P3) with
# an extraordinary one two weeks after the first (E), today's (T), then the regular meetings to come.
PAST_LABELS = ["P1", "E", "P2", "P3"]
CANCELLED_LABEL = "N3"
# How far back the cases decided in bulk go.
HISTORY_MONTHS = 12
# The services take a second or two per panel's cycle: a load of many panels (to try the app at
# scale) runs the cycles of the first few only, the named demo panels.
CYCLE_PANELS = 3
# Extraordinary meetings are virtual, in the afternoon.
EXTRAORDINARY_TIME = datetime.time(14, 0)


# What happens to a case of the cycle, step by step.


@dataclass(frozen=True)
class Sit:
    """The case is on this past meeting's agenda and the panel decides (or defers) it there."""

    at: str
    rg: str | None = None
    cg: str | None = None
    defer_to: str | None = None
    conflict: bool = False  # the advising education member declares a conflict of interest
    deputy: bool = False  # the deputy chair takes the item
    dissent: bool = False


@dataclass(frozen=True)
class Wait:
    """The case is on the agenda of today's or a later meeting, not yet decided."""

    at: str


@dataclass(frozen=True)
class Reconsider:
    """A reconsideration request `request_after` days after the last decision; then accepted or refused."""

    grounds: str
    request_after: int
    then: str | None = None  # "accept", "refuse", or None: still waiting for the coordinator
    then_after: int = 0


@dataclass(frozen=True)
class Close:
    after: int


@dataclass(frozen=True)
class BetweenMeetings:
    """The chair has started a reasonable grounds decision between meetings today; not yet signed off."""


@dataclass(frozen=True)
class Story:
    name: str
    referred: tuple  # (meeting label, fewest days, most days) before that meeting
    steps: tuple
    chair_is_lead_social_worker: bool = False
    missing_input: str | None = None  # an agency kind whose input is still outstanding
    revised_input: str | None = None  # an agency kind that revises its input before the last meeting
    education_input: bool = False


# The cases of a panel's cycle, most needed first (a small load keeps only the first few). With
# the default load every panel has these and one case in each undecided state.
STORIES = [
    Story("today, overdue", ("T", 46, 48), (Wait("T"),), education_input=True),
    Story(
        "today, chaired by a deputy",
        ("T", 30, 34),
        (Wait("T"),),
        chair_is_lead_social_worker=True,
        missing_input=AgencyKind.HEALTH,
    ),
    Story(
        "both decided at one item, then closed",
        ("P1", 20, 35),
        (Sit("P1", rg=POSITIVE, cg=POSITIVE, conflict=True), Close(21)),
        education_input=True,
    ),
    Story("negative, within the reconsideration window", ("P3", 15, 35), (Sit("P3", rg=NEGATIVE),)),
    Story(
        "re-decided after reconsideration",
        ("P1", 15, 30),
        (
            Sit("P1", rg=NEGATIVE),
            Reconsider("new_evidence", 10, "accept", 13),
            Sit("P2", rg=POSITIVE, cg=POSITIVE),
        ),
        revised_input=AgencyKind.SOCIAL_CARE,
    ),
    Story("conclusive grounds at a later meeting", ("P1", 15, 30), (Sit("P1", rg=POSITIVE), Sit("P2", cg=POSITIVE))),
    Story(
        "conclusive grounds negative, with dissent",
        ("P1", 15, 30),
        (Sit("P1", rg=POSITIVE), Sit("P3", cg=NEGATIVE, dissent=True)),
    ),
    Story(
        "awaiting conclusive grounds, chaired by a deputy",
        ("P3", 15, 30),
        (Sit("P3", rg=POSITIVE, deputy=True),),
        chair_is_lead_social_worker=True,
    ),
    Story(
        "deferred, decided, reconsideration requested",
        ("P2", 25, 35),
        (Sit("P2", defer_to="P3"), Sit("P3", rg=NEGATIVE), Reconsider("guidance_not_followed", 5)),
    ),
    Story(
        "reconsideration refused",
        ("E", 15, 30),
        (Sit("E", rg=NEGATIVE), Reconsider("guidance_not_followed", 6, "refuse", 12)),
    ),
    Story("deferred to the next meeting", ("P3", 25, 35), (Sit("P3", defer_to="N1"),)),
    Story(
        "reconsideration accepted, on today's agenda",
        ("E", 15, 30),
        (Sit("E", rg=POSITIVE, cg=NEGATIVE), Reconsider("new_evidence", 9, "accept", 11), Wait("T")),
    ),
    Story("today, a revised input", ("T", 38, 42), (Wait("T"),), revised_input=AgencyKind.POLICE),
    Story("next meeting", ("N1", 25, 40), (Wait("N1"),), missing_input=AgencyKind.POLICE),
]
# On a panel that decides reasonable grounds between meetings, a case shows that instead of this one.
BETWEEN_MEETINGS_STORY = Story("between meetings", ("T", 2, 4), (BetweenMeetings(),))
BETWEEN_MEETINGS_INSTEAD_OF = "today, a revised input"


@dataclass
class Decided:
    """A case decided before the cycle, whose rows history_create inserts."""

    rg_on: datetime.date
    rg: str
    cg_on: datetime.date | None
    cg: str | None
    is_closed: bool
    returned_on: datetime.date | None
    rg_reasons: str
    cg_reasons: str

    @property
    def state_reason(self) -> str:
        return self.cg_reasons or self.rg_reasons


# Final state of a case decided in bulk -> its (RG, CG) outcomes.
DECIDED_FLOWS = {
    State.CG_POSITIVE: (POSITIVE, POSITIVE),
    State.CG_NEGATIVE: (POSITIVE, NEGATIVE),
    State.RG_NEGATIVE: (NEGATIVE, None),
}
CLOSED_FLOWS = content.Weighted({(POSITIVE, POSITIVE): 70, (POSITIVE, NEGATIVE): 15, (NEGATIVE, None): 15})


@dataclass
class Cycle:
    """One panel's meeting dates: those of its cycle, and those before it for cases decided in bulk."""

    site: object
    today: datetime.date
    runs_cycle: bool  # a new panel, one of the first few: its cycle is run through the services
    dates: dict  # meeting label -> date, in date order
    regular_today: bool  # today's meeting is the regular one, not an extraordinary one
    schedule_months: int
    history_dates: list

    @property
    def panel(self):
        return self.site.panel

    def stories(self) -> list[Story]:
        stories = STORIES
        if self.panel.allows_rg_between_meetings:
            stories = [BETWEEN_MEETINGS_STORY if each.name == BETWEEN_MEETINGS_INSTEAD_OF else each for each in stories]
        return [dataclasses.replace(story, steps=self._adapted(story.steps)) for story in stories]

    def _adapted(self, steps) -> tuple:
        """The steps as the panel's rules allow: with days required between RG and CG, CG moves to a later meeting."""
        gap = self.panel.min_days_between_rg_and_cg
        if not gap:
            return steps
        adapted, rg_on = [], None
        for step in steps:
            if not isinstance(step, Sit) or step.cg is None:
                adapted.append(step)
                if isinstance(step, Sit) and step.rg == POSITIVE:
                    rg_on = self.dates[step.at]
                continue
            if step.rg == POSITIVE:
                rg_on = self.dates[step.at]
                adapted.append(dataclasses.replace(step, cg=None, dissent=False))
            if self.dates[step.at] >= rg_on + datetime.timedelta(days=gap) and step.rg is None:
                adapted.append(step)
                continue
            later = next(
                label
                for label, date in self.dates.items()
                if date >= rg_on + datetime.timedelta(days=gap) and label != CANCELLED_LABEL
            )
            if self.dates[later] < self.today:
                adapted.append(Sit(later, cg=step.cg, dissent=step.dissent))
            else:
                adapted.append(Wait(later))
                break  # the rest of the story waits for that meeting
        return tuple(adapted)

    def story_plans(self, *, rng) -> list[Plan]:
        if not self.runs_cycle:
            return []
        plans = []
        for story in self.stories():
            label, fewest, most = story.referred
            referral_date = self.dates[label] - datetime.timedelta(days=rng.randint(fewest, most))
            plans.append(
                Plan(
                    site=self.site,
                    state=State.RG_PENDING,
                    referrer=rng.choice(self.site.referrers),
                    referral_date=min(referral_date, self.today - datetime.timedelta(days=2)),
                    story=story,
                    lead_social_worker=self.site.chair if story.chair_is_lead_social_worker else None,
                )
            )
        return plans

    def decided_plan(self, plan: Plan, *, rng) -> None:
        """Date a case the panel decided before its cycle, at one of its regular meetings of the months before."""
        rg, cg = CLOSED_FLOWS.pick(rng) if plan.state == State.CLOSED else DECIDED_FLOWS[plan.state]
        gap = datetime.timedelta(days=self.panel.min_days_between_rg_and_cg)
        dates = self.history_dates
        if cg and gap:
            dates = [date for date in dates if date + gap <= dates[-1]]
        rg_on = rng.choice(dates)
        cg_on = None
        if cg:
            cg_on = next(date for date in self.history_dates if date >= rg_on + gap)
        last = cg_on or rg_on
        yesterday = self.today - datetime.timedelta(days=1)
        returned_on = last + datetime.timedelta(days=rng.randint(5, 12)) if rng.random() < 0.97 else None
        changed = last + datetime.timedelta(days=rng.randint(14, 40) if plan.state == State.CLOSED else 0)
        plan.referral_date = rg_on - datetime.timedelta(days=rng.randint(7, 38))
        plan.last_changed_on = min(changed, yesterday)
        plan.decided = Decided(
            rg_on=rg_on,
            rg=rg,
            cg_on=cg_on,
            cg=cg,
            is_closed=plan.state == State.CLOSED,
            returned_on=min(returned_on, yesterday) if returned_on else None,
            rg_reasons=rng.choice(content.DECISION_REASONS[(RG, rg)]),
            cg_reasons=rng.choice(content.DECISION_REASONS[(CG, cg)]) if cg else "",
        )


def cycles_plan(sites, *, today: datetime.date) -> list[Cycle]:
    """The meeting dates of each panel's cycle, from its repeating rule (the second Tuesday, by default)."""
    cycles = []
    for index, site in enumerate(sites):
        panel = site.panel
        past = services.meeting_dates_by_rule(
            panel, start=today - relativedelta(months=4), end=today - datetime.timedelta(days=1)
        )[-3:]
        until = today + relativedelta(months=6)
        months = (until.year - past[0].year) * 12 + until.month - past[0].month
        rule_dates = services.meeting_dates_by_rule(panel, start=past[0], end=past[0] + relativedelta(months=months))
        dates = {"P1": past[0], "E": past[0] + datetime.timedelta(days=14), "P2": past[1], "P3": past[2], "T": today}
        dates |= {f"N{number}": date for number, date in enumerate([d for d in rule_dates if d > today], start=1)}
        regular_today = today in rule_dates
        history = services.meeting_dates_by_rule(
            panel, start=today - relativedelta(months=HISTORY_MONTHS), end=past[0] - datetime.timedelta(days=1)
        )
        taken = set(
            PanelMeeting.objects.filter(panel=panel, rule_date__in=history)
            .exclude(status=MeetingStatus.CLOSED)
            .values_list("rule_date", flat=True)
        )
        cycles.append(
            Cycle(
                site=site,
                today=today,
                runs_cycle=index < CYCLE_PANELS and not PanelMeeting.objects.filter(panel=panel).exists(),
                dates=dates,
                regular_today=regular_today,
                schedule_months=months,
                history_dates=[date for date in history if date not in taken],
            )
        )
    return cycles


# The cycle, run through the services


def cycles_run(cycles, plans, *, rng) -> int:
    """Run each new panel's cycle; returns how many panels ran one."""
    clock = _Clock()
    ran = 0
    for cycle in cycles:
        if cycle.runs_cycle:
            stories = [plan for plan in plans if plan.story and plan.site is cycle.site]
            _CycleRun(cycle, stories, rng=rng, clock=clock).run()
            ran += 1
    clock.restamp()
    return ran


def letters_issue(cycles) -> int:
    """The coordinator issues the letters of each new panel's latest closed meeting (a worker renders them)."""
    issued = 0
    for cycle in cycles:
        if not cycle.runs_cycle:
            continue
        meeting = cycle.panel.meetings.filter(status=MeetingStatus.CLOSED).order_by("-date").first()
        if meeting:
            issued += len(letters.meeting_letters_issue(meeting=meeting, user=cycle.site.coordinator).issued)
    return issued


@contextmanager
def _acting_as(user):
    """Record `user` on the history of what the services write, as the request middleware does in the app."""
    if user is None:
        yield  # the system, for example the scheduled task that makes the regular meetings
        return
    before = getattr(HistoricalRecords.context, "request", None)
    HistoricalRecords.context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if before is None:
            del HistoricalRecords.context.request
        else:
            HistoricalRecords.context.request = before


def _moment(date: datetime.date, at: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(date, at))


# What the services stamp with the time now, by model; _Clock moves these back.
STAMPED_FIELDS = [
    (Referral, ["updated_at"]),
    (PanelMeeting, ["opened_at", "minutes_approved_at"]),
    (AgendaItem, ["added_at", "signed_off_at", "removed_at"]),
    (Attendance, ["recorded_at"]),
    (ConflictOfInterest, ["recorded_at"]),
    (AgencyInput, ["submitted_at", "updated_at"]),
    (Decision, ["recorded_at", "signed_off_at", "returned_to_sca_at"]),
    (Reconsideration, ["recorded_at"]),
]


class _Clock:
    """Dates what the services write at the moment it happens in the story, not now.

    Each block of service calls (`as_of`) is remembered by the stretch of real time it took; at the
    end `restamp` moves every stamp written in a stretch to its moment, in a few statements. Within
    a block each history record gets a minute more than the one before, so timelines keep their order.
    """

    def __init__(self):
        self.blocks = []  # (started, ended, moment)

    @contextmanager
    def as_of(self, moment: datetime.datetime | None):
        """Run the block as if at `moment`; None leaves what it writes stamped now."""
        started = timezone.now()
        yield
        if moment is not None:
            self.blocks.append((started, timezone.now(), moment))

    def restamp(self) -> None:
        if not self.blocks:
            return
        blocks = ", ".join(["(%s::timestamptz, %s::timestamptz, %s::timestamptz)"] * len(self.blocks))
        params = [value for block in self.blocks for value in block]
        with connection.cursor() as cursor:
            for model, fields in STAMPED_FIELDS:
                history = model.history.model
                tracked = {field.name for field in history._meta.fields}
                for field in fields:
                    tables = [model._meta.db_table] + ([history._meta.db_table] if field in tracked else [])
                    column = model._meta.get_field(field).column
                    for table in tables:
                        cursor.execute(
                            f"UPDATE {table} AS t SET {column} = b.moment "
                            f"FROM (VALUES {blocks}) AS b(started, ended, moment) "
                            f"WHERE t.{column} >= %s AND t.{column} BETWEEN b.started AND b.ended",
                            [*params, self.blocks[0][0]],
                        )
                cursor.execute(
                    f"WITH b(started, ended, moment) AS (VALUES {blocks}), "
                    "dated AS ("
                    "  SELECT h.history_id, b.moment + (ROW_NUMBER() OVER ("
                    "    PARTITION BY b.started ORDER BY h.history_id) - 1) * INTERVAL '1 minute' AS history_date"
                    f"  FROM {history._meta.db_table} AS h JOIN b ON h.history_date BETWEEN b.started AND b.ended"
                    "  WHERE h.history_date >= %s"
                    ") "
                    f"UPDATE {history._meta.db_table} AS h SET history_date = dated.history_date "
                    "FROM dated WHERE h.history_id = dated.history_id",
                    [*params, self.blocks[0][0]],
                )


class _CycleRun:
    """One panel's cycle: events (meetings called, cases added, inputs, sittings, requests) run in date order."""

    def __init__(self, cycle: Cycle, plans, *, rng, clock: _Clock):
        self.cycle, self.rng, self.clock = cycle, rng, clock
        self.site, self.panel, self.today = cycle.site, cycle.panel, cycle.today
        self.chair, self.coordinator = self.site.chair, self.site.coordinator
        self.meetings = {}  # label -> PanelMeeting
        self.sittings = defaultdict(dict)  # label -> {referral id: Sit}
        self.events = []  # (date, time, sequence, who, function)
        self.plans = plans

    def run(self) -> None:
        dates, today, day = self.cycle.dates, self.today, datetime.timedelta(days=1)
        coordinator, chair = self.coordinator, self.chair
        self._on(dates["P1"] - 45 * day, datetime.time(9), self._schedule)  # by the scheduled task
        self._on(dates["P1"] - 3 * day, datetime.time(9), self._extraordinary_call_past, by=coordinator)
        if not self.cycle.regular_today:
            self._on(today - 6 * day, datetime.time(9), self._extraordinary_call_today, by=coordinator)
        if CANCELLED_LABEL in dates:
            self._on(today - day, datetime.time(16), self._cancel, by=coordinator)
        for label in PAST_LABELS:
            starts_at = EXTRAORDINARY_TIME if label == "E" else self.panel.meeting_time
            self._on(dates[label], starts_at, self._sit, label, by=chair)
            if label != PAST_LABELS[-1]:  # the last meeting's decisions are still to be returned to the SCA
                self._on(dates[label] + 7 * day, datetime.time(10), self._return, label, by=coordinator)
        for plan in self.plans:
            self._story_events(plan)
        self.events.sort(key=lambda event: event[:3])  # by date, time, then the order they were planned
        for (date, at), events in groupby(self.events, key=lambda event: event[:2]):
            with self.clock.as_of(_moment(date, at) if date < self.today else None):
                for *_, by, function in events:
                    with _acting_as(by):
                        function()

    def _on(self, date, at, function, *args, by=None, **kwargs) -> None:
        """Run `function` on `date` at `at`, done `by` someone.

        What would happen today or later happens now, in the order it was planned.
        """
        if date >= self.today:
            date, at = self.today, datetime.time.max
        self.events.append((date, at, len(self.events), by, partial(function, *args, **kwargs)))

    # Meetings

    def _schedule(self) -> None:
        services.meetings_schedule(panel=self.panel, today=self.cycle.dates["P1"], months=self.cycle.schedule_months)
        by_date = {meeting.rule_date: meeting for meeting in PanelMeeting.objects.filter(panel=self.panel)}
        for label, date in self.cycle.dates.items():
            if date in by_date:
                self.meetings[label] = by_date[date]

    def _extraordinary_call_past(self) -> None:
        # meeting_call refuses a date in the past: this is the row it would have made when it was called.
        meeting = PanelMeeting(
            panel=self.panel,
            kind=MeetingKind.EXTRAORDINARY,
            date=self.cycle.dates["E"],
            starts_at=EXTRAORDINARY_TIME,
            format=MeetingFormat.VIRTUAL,
            place=content.VIRTUAL_PLACE,
            reason=content.EXTRAORDINARY_REASON_PAST,
            created_by=self.coordinator,
        )
        meeting._change_reason = f"Extraordinary meeting called: {meeting.reason}"
        meeting.save()
        self.meetings["E"] = meeting

    def _extraordinary_call_today(self) -> None:
        self.meetings["T"] = services.meeting_call(
            panel=self.panel,
            user=self.coordinator,
            date=self.today,
            starts_at=EXTRAORDINARY_TIME,
            format=MeetingFormat.VIRTUAL,
            place=content.VIRTUAL_PLACE,
            reason=content.EXTRAORDINARY_REASON_TODAY,
        )

    def _cancel(self) -> None:
        meeting = self.meetings[CANCELLED_LABEL]
        services.meeting_cancel(meeting=meeting, user=self.coordinator, reason=content.CANCELLED_REASON)

    def _sit(self, label: str) -> None:
        """The meeting on the day: opened, attendance, each item decided and signed off, minutes approved."""
        meeting = services.meeting_open(meeting=self.meetings[label], user=self.chair, today=self.cycle.dates[label])
        specs = self.sittings[label]
        members = self.site.members
        people = [members[kind] for kind in (AgencyKind.SOCIAL_CARE, AgencyKind.POLICE, AgencyKind.HEALTH)]
        people.append(members[AgencyKind.EDUCATION])
        if any(spec.deputy for spec in specs.values()):
            people.append(self.site.deputy_chair)
        services.attendance_record(meeting=meeting, user=self.chair, people=people)
        items = meeting.items.filter(removed_at=None).select_related("referral__panel", "reconsideration__decision")
        for item in items.order_by("position"):
            spec = specs[item.referral_id]
            chair = self.chair
            if spec.conflict:
                services.conflict_record(
                    item=item, user=chair, person=members[AgencyKind.EDUCATION], reason=content.CONFLICT_REASON
                )
            if spec.deputy:
                chair = self.site.deputy_chair
                services.item_deputy_chair_set(item=item, user=self.chair, deputy=chair)
            with _acting_as(chair):
                self._decide(item, spec, chair=chair, meeting=meeting)
                services.item_sign_off(item=item, user=chair)
        meeting = PanelMeeting.objects.select_related("panel", "chair").get(pk=meeting.pk)
        services.minutes_approve(meeting=meeting, user=self.chair, minutes_html=documents.minutes_html(meeting))

    def _decide(self, item: AgendaItem, spec: Sit, *, chair, meeting: PanelMeeting) -> None:
        target = item.referral.referral_date + datetime.timedelta(days=self.panel.decision_target_days)

        def delay_reason(effective: datetime.date, reason: str) -> str:
            # As decision_record asks: a reason when the decision comes after the target day, except
            # for a reconsideration, which comes after it by nature.
            is_late = item.purpose != ItemPurpose.RECONSIDERATION and target < effective
            return content.DELAY_REASONS[reason] if is_late else ""

        if spec.defer_to:
            later = self.meetings[spec.defer_to]
            kind = CG if item.purpose == ItemPurpose.CG else RG
            if item.purpose == ItemPurpose.RECONSIDERATION:
                kind = item.reconsideration.decision.kind
            services.decision_record(
                item=item,
                user=chair,
                kind=kind,
                outcome=DEFERRED,
                reasons=content.DEFERRAL_REASON,
                deferred_to=later,
                delay_reason=delay_reason(later.date, "deferred"),
            )
            return
        for kind, outcome in ((RG, spec.rg), (CG, spec.cg)):
            if outcome is None:
                continue
            services.decision_record(
                item=item,
                user=chair,
                kind=kind,
                outcome=outcome,
                reasons=self.rng.choice(content.DECISION_REASONS[(kind, outcome)]),
                evidence_considered=self.rng.choice(content.EVIDENCE_CONSIDERED),
                dissent=content.DISSENT if spec.dissent else "",
                delay_reason=delay_reason(meeting.date, "cg" if item.purpose == ItemPurpose.CG else "deferred"),
            )

    def _return(self, label: str) -> None:
        decisions = Decision.objects.filter(item__meeting=self.meetings[label], signed_off_at__isnull=False).exclude(
            outcome=DEFERRED
        )
        services.decisions_mark_returned_to_sca(decisions=list(decisions), user=self.coordinator)

    # Cases

    def _story_events(self, plan: Plan) -> None:
        story, referral_id = plan.story, plan.referral_id
        day = datetime.timedelta(days=1)
        cursor = plan.referral_date + day  # accepted by the coordinator
        rounds = [step for step in story.steps if isinstance(step, Sit | Wait | BetweenMeetings)]
        for step in story.steps:
            is_last_round = step is rounds[-1]
            if isinstance(step, Sit | Wait):
                on = self.cycle.dates[step.at]
                added_on = max(cursor + day, on - 6 * day)
                inputs_on = max(cursor + day, on - (3 if isinstance(step, Sit) else 2) * day)
                outcome, dissent = None, False
                if isinstance(step, Sit):
                    assert inputs_on < on, f"{story.name}: too little time before {step.at}"
                    self.sittings[step.at][referral_id] = step
                    outcome, dissent = step.rg or step.cg or DEFERRED, step.dissent
                self._on(added_on, datetime.time(11), self._agenda_add, step.at, referral_id, by=self.coordinator)
                self._on(
                    inputs_on,
                    datetime.time(15),
                    self._inputs,
                    referral_id,
                    story,
                    outcome=outcome,
                    is_last_round=is_last_round,
                    dissent=dissent,
                )
                cursor = on
            elif isinstance(step, BetweenMeetings):
                self._on(self.today - day, datetime.time(15), self._inputs, referral_id, story, outcome=None)
                self._on(self.today, datetime.time(9), self._between_meetings, referral_id, by=self.chair)
            elif isinstance(step, Reconsider):
                decided_on = cursor
                cursor = min(decided_on + step.request_after * day, self.today)
                self._on(cursor, datetime.time(10), self._reconsider, referral_id, step, cursor, by=self.coordinator)
                if step.then:
                    cursor = min(decided_on + step.then_after * day, self.today)
                    answer = self._reconsideration_answer
                    self._on(cursor, datetime.time(12), answer, referral_id, step, by=self.coordinator)
            elif isinstance(step, Close):
                cursor = min(cursor + step.after * day, self.today)
                self._on(cursor, datetime.time(16), self._close, referral_id, by=self.coordinator)

    def _referral(self, referral_id: int) -> Referral:
        return Referral.objects.select_related("panel").get(pk=referral_id)

    def _agenda_add(self, label: str, referral_id: int) -> None:
        meeting = self.meetings[label]
        if meeting.items.filter(referral_id=referral_id, removed_at=None).exists():
            return  # put there by a deferral
        services.agenda_add(meeting=meeting, referral=self._referral(referral_id), user=self.coordinator)

    def _inputs(self, referral_id, story: Story, *, outcome, is_last_round=True, dissent=False) -> None:
        """Each agency's input, by its member on the panel; revised where there is one already."""
        referral = self._referral(referral_id)
        # None: not yet decided, and the agencies see a victim; a deferred case is short of information.
        recommendation = {
            POSITIVE: Recommendation.VICTIM,
            NEGATIVE: Recommendation.NOT_A_VICTIM,
            None: Recommendation.VICTIM,
        }.get(outcome, Recommendation.NOT_ENOUGH_INFORMATION)
        kinds = list(self.panel.required_input_kinds)
        if story.education_input:
            kinds.append(AgencyKind.EDUCATION)
        for kind in kinds:
            if is_last_round and kind == story.missing_input:
                continue
            given = recommendation
            if kind == AgencyKind.EDUCATION:
                given = Recommendation.NOT_ENOUGH_INFORMATION
            elif dissent and kind == AgencyKind.POLICE:
                given = Recommendation.VICTIM
            answers = {
                "knowledge": self.rng.choice(content.INPUT_KNOWLEDGE[kind]),
                "risks": self.rng.choice(content.INPUT_RISKS),
                "recommendation": given,
                "reasons": self.rng.choice(content.INPUT_REASONS[given]),
            }
            member, agency = self.site.members[kind], self.site.agencies[kind]
            with _acting_as(member):
                saved = services.agency_input_save(referral=referral, agency=agency, user=member, **answers)
                if is_last_round and kind == story.revised_input:
                    answers["knowledge"] += " " + content.REVISED_INPUT
                    services.agency_input_save(
                        referral=referral, agency=agency, user=member, version=saved.version, **answers
                    )

    def _between_meetings(self, referral_id: int) -> None:
        """Started by the chair with the statutory partners' members; the RG decision awaits sign-off."""
        item = services.meeting_start_between_meetings(referral=self._referral(referral_id), user=self.chair)
        members = self.site.members
        services.attendance_record(
            meeting=item.meeting,
            user=self.chair,
            people=[members[kind] for kind in (AgencyKind.SOCIAL_CARE, AgencyKind.POLICE, AgencyKind.HEALTH)],
        )
        services.decision_record(
            item=item,
            user=self.chair,
            kind=RG,
            outcome=POSITIVE,
            reasons=self.rng.choice(content.DECISION_REASONS[(RG, POSITIVE)]),
            evidence_considered=self.rng.choice(content.EVIDENCE_CONSIDERED),
        )

    def _reconsider(self, referral_id: int, step: Reconsider, received_on: datetime.date) -> None:
        referral = self._referral(referral_id)
        requested_by, requester, details = content.RECONSIDERATION_REQUESTS[step.grounds]
        services.reconsideration_request(
            referral=referral,
            user=self.coordinator,
            requested_by=requested_by,
            requester_name=requester.format(
                organisation=referral.first_responder_organisation, town=self.site.place.town
            ),
            received_on=received_on,
            grounds=step.grounds,
            details=details,
        )

    def _reconsideration_answer(self, referral_id: int, step: Reconsider) -> None:
        reconsideration = Reconsideration.objects.filter(referral_id=referral_id).latest("pk")
        if step.then == "accept":
            services.reconsideration_accept(reconsideration=reconsideration, user=self.coordinator)
        else:
            services.reconsideration_refuse(
                reconsideration=reconsideration, user=self.coordinator, reason=content.RECONSIDERATION_REFUSAL
            )

    def _close(self, referral_id: int) -> None:
        referral_move(
            referral=self._referral(referral_id), move_name="close", user=self.coordinator, reason=content.CLOSE_REASON
        )


# Cases decided before the cycle, in bulk


def history_create(cycles, plans) -> int:
    """Insert the meetings, agenda items, inputs and signed decisions of the cases decided before the cycle.

    The same rows the services write, in bulk; returns how many cases.
    """
    wordings = defaultdict(list)
    for wording in ThresholdWording.objects.order_by("in_force_from"):
        wordings[wording.kind].append(wording)
    by_site = defaultdict(list)
    for plan in plans:
        if plan.decided:
            by_site[id(plan.site)].append(plan)
    for cycle in cycles:
        if by_site[id(cycle.site)]:
            _History(cycle, by_site[id(cycle.site)], wordings).create()
    return sum(len(each) for each in by_site.values())


class _History:
    def __init__(self, cycle: Cycle, plans, wordings):
        self.cycle, self.plans, self.wordings = cycle, plans, wordings
        self.site, self.panel = cycle.site, cycle.panel

    def create(self) -> None:
        meetings = self._meetings()
        positions = {
            row["meeting"]: row["last"]
            for row in AgendaItem.objects.filter(meeting__in=meetings.values())
            .values("meeting")
            .annotate(last=Max("position"))
        }
        who = self._who_was_there(meetings)
        rounds = []  # (plan, meeting, item, [(kind, outcome, reasons)])
        for plan in self.plans:
            decided = plan.decided
            first = [(RG, decided.rg, decided.rg_reasons)]
            if decided.cg_on == decided.rg_on:
                first.append((CG, decided.cg, decided.cg_reasons))
            rounds.append((plan, meetings[decided.rg_on], ItemPurpose.RG, first))
            if decided.cg_on and decided.cg_on != decided.rg_on:
                rounds.append((plan, meetings[decided.cg_on], ItemPurpose.CG, [(CG, decided.cg, decided.cg_reasons)]))
        for start in range(0, len(rounds), BATCH_SIZE):
            self._rounds_create(rounds[start : start + BATCH_SIZE], positions, who)
        for meeting in meetings.values():
            meeting = PanelMeeting.objects.select_related("panel", "chair").get(pk=meeting.pk)
            PanelMeeting.objects.filter(pk=meeting.pk).update(minutes_html=documents.minutes_html(meeting))

    def _meetings(self) -> dict:
        """The closed regular meetings the cases were decided at, by date; made where there are none."""
        dates = {plan.decided.rg_on for plan in self.plans} | {plan.decided.cg_on for plan in self.plans}
        dates.discard(None)
        closed = PanelMeeting.objects.filter(panel=self.panel, rule_date__in=dates, status=MeetingStatus.CLOSED)
        meetings = {meeting.rule_date: meeting for meeting in closed}
        chair = self.site.chair
        new = []
        for date in sorted(dates - set(meetings)):
            starts = _moment(date, self.panel.meeting_time)
            meeting = PanelMeeting(
                panel=self.panel,
                rule_date=date,
                date=date,
                starts_at=self.panel.meeting_time,
                place=self.panel.meeting_place,
                status=MeetingStatus.CLOSED,
                chair=chair,
                opened_at=starts,
                minutes_approved_at=starts + datetime.timedelta(hours=3),
                minutes_approved_by=chair,
            )
            meeting._history_date = meeting.minutes_approved_at
            meeting._history_user = chair
            new.append(meeting)
        bulk_create_with_history(new, PanelMeeting, default_change_reason=CHANGE_REASON)
        members = self.site.members
        seats = [(chair, Capacity.CHAIR, None)] + [
            (members[kind], Capacity.VOTING if kind in self.panel.voting_kinds else Capacity.ADVISING, kind)
            for kind in (AgencyKind.SOCIAL_CARE, AgencyKind.POLICE, AgencyKind.HEALTH, AgencyKind.EDUCATION)
        ]
        attendances = []
        for meeting in new:
            for person, capacity, kind in seats:
                attendance = Attendance(
                    meeting=meeting,
                    person=person,
                    agency=self.site.agencies[kind] if kind else None,
                    capacity=capacity,
                    recorded_by=chair,
                    recorded_at=meeting.opened_at,
                )
                attendance._history_date, attendance._history_user = meeting.opened_at, chair
                attendances.append(attendance)
        with keeping_given_timestamps(Attendance, "recorded_at"):
            bulk_create_with_history(attendances, Attendance, default_change_reason=CHANGE_REASON)
        meetings.update({meeting.rule_date: meeting for meeting in new})
        return meetings

    def _who_was_there(self, meetings) -> dict:
        """Each meeting's present and voting members, as a decision records them."""
        attendances = Attendance.objects.filter(meeting__in=meetings.values()).select_related("person", "agency")
        present, voters = defaultdict(list), defaultdict(list)
        for attendance in attendances.order_by("capacity", "person__last_name"):
            record = {
                "name": str(attendance.person),
                "agency": str(attendance.agency) if attendance.agency_id else "",
                "capacity": attendance.get_capacity_display(),
            }
            present[attendance.meeting_id].append(record)
            if attendance.capacity == Capacity.VOTING:
                voters[attendance.meeting_id].append(record)
        return {meeting.pk: (present[meeting.pk], voters[meeting.pk]) for meeting in meetings.values()}

    def _rounds_create(self, rounds, positions, who) -> None:
        site, chair = self.site, self.site.chair
        items = []
        for plan, meeting, purpose, _ in rounds:
            positions[meeting.pk] = positions.get(meeting.pk, 0) + 1
            signed = _moment(meeting.date, meeting.starts_at) + datetime.timedelta(minutes=5 * positions[meeting.pk])
            item = AgendaItem(
                meeting=meeting,
                referral_id=plan.referral_id,
                purpose=purpose,
                position=positions[meeting.pk],
                added_by=site.coordinator,
                added_at=_moment(meeting.date - datetime.timedelta(days=6), datetime.time(11)),
                signed_off_at=signed,
                signed_off_by=chair,
            )
            item._history_date, item._history_user = signed, chair
            items.append(item)
        with keeping_given_timestamps(AgendaItem, "added_at"):
            bulk_create_with_history(items, AgendaItem, default_change_reason=CHANGE_REASON)
        decisions, inputs = [], []
        for (plan, meeting, _, kinds), item in zip(rounds, items, strict=True):
            these = self._inputs(plan, meeting, item, outcome=kinds[0][1])
            inputs += these
            returned_on = plan.decided.returned_on
            returned_at = _moment(returned_on, datetime.time(10)) if returned_on else None
            present, voters = who[meeting.pk]
            target = plan.referral_date + datetime.timedelta(days=self.panel.decision_target_days)
            for kind, outcome, reasons in kinds:
                decision = Decision(
                    referral_id=plan.referral_id,
                    item=item,
                    kind=kind,
                    outcome=outcome,
                    reasons=reasons,
                    evidence_considered=_nth(content.EVIDENCE_CONSIDERED, plan.referral_id),
                    delay_reason=content.DELAY_REASONS["cg"] if kind == CG and target < meeting.date else "",
                    decided_on=meeting.date,
                    threshold_wording=self._wording_on(kind, meeting.date),
                    agency_recommendations=[_recommendation(each) for each in these],
                    present=present,
                    voters=voters,
                    recorded_by=chair,
                    recorded_at=item.signed_off_at - datetime.timedelta(minutes=2),
                    signed_off_by=chair,
                    signed_off_at=item.signed_off_at,
                    returned_to_sca_at=returned_at,
                    returned_to_sca_by=site.coordinator if returned_at else None,
                )
                decision._history_date = returned_at or item.signed_off_at
                decision._history_user = site.coordinator if returned_at else chair
                decisions.append(decision)
                # As item_sign_off does: the item's first decision locks the inputs it used.
                for agency_input in these:
                    agency_input.locked_by = agency_input.locked_by or decision
        with keeping_given_timestamps(Decision, "recorded_at"):
            bulk_create_with_history(decisions, Decision, default_change_reason=CHANGE_REASON)
        # As item_sign_off does: the case keeps how long its first decision of each kind took.
        taken = defaultdict(dict)
        for plan, meeting, _, kinds in sorted(rounds, key=lambda each: each[1].date):
            for kind, _, _ in kinds:
                taken[plan.referral_id].setdefault(f"days_to_{kind}", (meeting.date - plan.referral_date).days)
        Referral.objects.bulk_update(
            [
                Referral(pk=pk, days_to_rg=days.get("days_to_rg"), days_to_cg=days.get("days_to_cg"))
                for pk, days in taken.items()
            ],
            ["days_to_rg", "days_to_cg"],
        )
        with keeping_given_timestamps(AgencyInput, "submitted_at", "updated_at"):
            bulk_create_with_history(inputs, AgencyInput, default_change_reason=CHANGE_REASON)

    def _inputs(self, plan, meeting, item, *, outcome) -> list[AgencyInput]:
        """The statutory partners' inputs for one round, submitted three days before the meeting."""
        given = Recommendation.VICTIM if outcome == POSITIVE else Recommendation.NOT_A_VICTIM
        submitted = _moment(meeting.date - datetime.timedelta(days=3), datetime.time(15))
        inputs = []
        for number, kind in enumerate(self.panel.required_input_kinds):
            member = self.site.members[kind]
            agency_input = AgencyInput(
                referral_id=plan.referral_id,
                agency=self.site.agencies[kind],
                knowledge=_nth(content.INPUT_KNOWLEDGE[kind], plan.referral_id + number),
                risks=_nth(content.INPUT_RISKS, plan.referral_id + number),
                recommendation=given,
                reasons=_nth(content.INPUT_REASONS[given], plan.referral_id),
                submitted_by=member,
                submitted_at=submitted,
                updated_at=submitted,
            )
            agency_input._history_date, agency_input._history_user = item.signed_off_at, member
            inputs.append(agency_input)
        return inputs

    def _wording_on(self, kind: str, on: datetime.date) -> str:
        in_force = [wording for wording in self.wordings[kind] if wording.in_force_from <= on]
        return in_force[-1].wording if in_force else ""


def _nth(texts: list, number: int) -> str:
    # Varied but without a random draw per row: the bulk is about volume, not variety.
    return texts[number % len(texts)]


def _recommendation(agency_input: AgencyInput) -> dict:
    """An agency's recommendation as a decision records it (decisions.services._snapshot)."""
    return {
        "agency": str(agency_input.agency),
        "kind": agency_input.agency.get_kind_display(),
        "recommendation": Recommendation(agency_input.recommendation).label,
        "reasons": agency_input.reasons,
    }


# Tables whose statistics the query planner needs brought up to date after a load.
MODELS = [PanelMeeting, Attendance, AgendaItem, AgencyInput, Decision, Reconsideration]
