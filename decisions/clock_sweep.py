"""The clock's sweep (DESIGN.md section 4): finds the cases that crossed a threshold of the 45-day clock and
tells the people concerned, once per threshold per case, however often it runs.

Set-based: each threshold is one SQL statement that inserts its alerts for every case crossing it
(`INSERT … SELECT … ON CONFLICT DO NOTHING`) and returns only the rows it inserted, so a second
sweep, or one running at the same moment, finds them there and tells nobody twice. Then one
`notify_events` call per threshold writes the notifications, in the same transaction as the alerts.
"""

import datetime
import functools
import uuid
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import CharField, Exists, F, OuterRef, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone

from decisions.models import (
    AgencyInput,
    AgendaItem,
    ClockAlert,
    ClockThreshold,
    Decision,
    MeetingStatus,
    Outcome,
    PanelMeeting,
    Reconsideration,
)
from decisions.selectors import (
    open_agenda_items,
    rg_decided,
    rg_referral_dates,
    rg_target_missed,
    rg_target_rules,
    with_late_meeting,
)
from decisions.services import INPUT_DUE_DAYS_BEFORE_MEETING, INPUT_STATES, RECONSIDERATION_WINDOW_DAYS
from notifications.models import Kind
from notifications.services import Event, notify_events
from nrm_panel.models import AGENCY_ROLES, Agency, Panel, Role
from referrals.clock import (
    AMBER_WHEN_DAYS_LEFT,
    RED_WHEN_DAYS_LEFT,
    referral_dates_with_rg_target_between,
    with_target_date,
    working_day_after,
)
from referrals.models import Referral, State
from referrals.state_machine import CLOCK_RUNNING_STATES

# The coordinator and chair hear this many days before a reconsideration window closes.
RECONSIDERATION_WARNING_DAYS = 5
OVERSEERS = frozenset({Role.COORDINATOR, Role.CHAIR})


@dataclass(frozen=True)
class Fired:
    """A threshold a case crossed, as the sweep's statement returned it, with what its message needs."""

    referral_id: int
    subject: str
    detail: datetime.date | None  # the meeting or decision date the message names, where there is one
    public_id: object
    reference: str
    panel_id: int
    referral_date: datetime.date
    decision_target_days: int
    nation: str
    rg_target_working_days: int | None

    @property
    def target_date(self) -> datetime.date:
        return self.referral_date + datetime.timedelta(days=self.decision_target_days)

    @property
    def rg_target_date(self) -> datetime.date | None:
        if self.rg_target_working_days is None:
            return None
        return working_day_after(self.referral_date, self.rg_target_working_days, nation=self.nation)


def clock_sweep(*, today: datetime.date) -> dict[str, int]:
    """Fire every threshold the clock's cases crossed by `today`: how many alerts fired, by threshold (one
    per case, or per case, agency and meeting for an input overdue)."""
    now = timezone.now()
    counts = {}
    told: dict[str, set[int]] = {}  # the cases told of each threshold in this sweep
    for threshold, candidates in _candidates(today).items():
        graver = set().union(*(told.get(each, set()) for each in SAID_BY_GRAVER.get(threshold, ())))
        with transaction.atomic():
            fired = _fire(threshold, candidates, fired_at=now)
            # A case first seen already overdue (a late sweep, a case entered late) crosses its lesser
            # thresholds too: they are recorded, so they never fire later, but only the gravest is told.
            notify_events(_event(threshold, row, today=today) for row in fired if row.referral_id not in graver)
        told[threshold] = {row.referral_id for row in fired}
        counts[str(threshold)] = len(fired)
    return counts


# The thresholds that say what a lesser one says, more urgently: the sweep runs them first.
SAID_BY_GRAVER = {
    ClockThreshold.MEETING_AFTER_TARGET: (ClockThreshold.OVERDUE,),
    ClockThreshold.DAY_40_NOT_DECIDED: (ClockThreshold.OVERDUE, ClockThreshold.MEETING_AFTER_TARGET),
    ClockThreshold.DAY_30_NOT_ON_AGENDA: (
        ClockThreshold.OVERDUE,
        ClockThreshold.MEETING_AFTER_TARGET,
        ClockThreshold.DAY_40_NOT_DECIDED,
    ),
    ClockThreshold.RG_TARGET_TOMORROW: (ClockThreshold.RG_TARGET_MISSED,),
}


# Which cases cross each threshold: querysets giving (alert_referral, alert_subject) pairs, compiled
# into the sweep's INSERT. None of them is evaluated in Python.


def _running() -> QuerySet[Referral]:
    return with_target_date(Referral.objects.filter(state__in=CLOCK_RUNNING_STATES, panel__is_active=True).order_by())


def _per_case(cases: QuerySet[Referral]) -> QuerySet:
    return cases.values(alert_referral=F("pk"), alert_subject=Value("", output_field=CharField()))


def _candidates(today: datetime.date) -> dict[str, QuerySet]:
    amber_from = today + datetime.timedelta(days=AMBER_WHEN_DAYS_LEFT)
    red_from = today + datetime.timedelta(days=RED_WHEN_DAYS_LEFT)
    running = _running()
    rules = rg_target_rules()
    rg_awaited = running.exclude(rg_decided())
    # Due today or by the next working day: on a Friday, a Monday target is reported (and on the
    # Monday itself if a sweep was missed).
    due_soon = rg_referral_dates(
        rules,
        lambda nation, days: referral_dates_with_rg_target_between(
            nation, days, first=today, last=working_day_after(today, 1, nation=nation)
        ),
    )
    missed = rg_target_missed(rules, today=today)
    return {  # graver before lesser (SAID_BY_GRAVER)
        ClockThreshold.OVERDUE: _per_case(running.filter(target_date__lt=today)),
        ClockThreshold.MEETING_AFTER_TARGET: _per_case(
            with_late_meeting(running, today=today).filter(late_meeting_date__isnull=False)
        ),
        ClockThreshold.DAY_40_NOT_DECIDED: _per_case(running.filter(target_date__lte=red_from)),
        ClockThreshold.DAY_30_NOT_ON_AGENDA: _per_case(
            running.filter(target_date__lte=amber_from).exclude(Exists(open_agenda_items()))
        ),
        ClockThreshold.RG_TARGET_MISSED: _per_case(rg_awaited.filter(missed) if missed else running.none()),
        ClockThreshold.RG_TARGET_TOMORROW: _per_case(rg_awaited.filter(due_soon) if due_soon else running.none()),
        ClockThreshold.RECONSIDERATION_WINDOW_CLOSING: _reconsideration_closing(today),
        ClockThreshold.INPUT_OVERDUE: _inputs_overdue(today),
    }


def _reconsideration_closing(today: datetime.date) -> QuerySet:
    """A signed negative decision, the case's last word, with no reconsideration asked for and its
    30-day window closing within RECONSIDERATION_WARNING_DAYS days; the subject is the decision."""
    window = datetime.timedelta(days=RECONSIDERATION_WINDOW_DAYS)
    warning = datetime.timedelta(days=RECONSIDERATION_WARNING_DAYS)
    return (
        Decision.objects.filter(
            signed_off_at__isnull=False,
            outcome=Outcome.NEGATIVE,
            referral__state__in=[State.RG_NEGATIVE, State.CG_NEGATIVE],
            referral__panel__is_active=True,
            decided_on__gte=today - window,
            decided_on__lte=today - window + warning,
        )
        .exclude(Exists(Decision.objects.filter(supersedes=OuterRef("pk"))))
        .exclude(Exists(Reconsideration.objects.filter(decision=OuterRef("pk"))))
        .order_by()
        .values(alert_referral=F("referral_id"), alert_subject=Cast("pk", CharField()))
    )


def _inputs_overdue(today: datetime.date) -> QuerySet:
    """A required agency's input not in (as `selectors.outstanding_inputs` counts it) for a case on the
    agenda of a meeting INPUT_DUE_DAYS_BEFORE_MEETING days away or fewer; the subject is agency:meeting."""
    required = [
        agency.pk
        for agency in Agency.objects.filter(panel__is_active=True).select_related("panel")
        if agency.kind in agency.panel.required_input_kinds
    ]
    given = AgencyInput.objects.filter(
        referral=OuterRef("referral_id"), agency=OuterRef("input_agency"), locked_by=None
    )
    return (
        AgendaItem.objects.filter(
            removed_at__isnull=True,
            signed_off_at__isnull=True,
            referral__state__in=INPUT_STATES,
            meeting__date__gte=today,
            meeting__date__lte=today + datetime.timedelta(days=INPUT_DUE_DAYS_BEFORE_MEETING),
            meeting__status__in=[MeetingStatus.SCHEDULED, MeetingStatus.OPEN],
            referral__panel__agencies__in=required,
        )
        .annotate(input_agency=F("referral__panel__agencies"))
        .exclude(Exists(given))
        .order_by()
        .values(
            alert_referral=F("referral_id"),
            alert_subject=Concat(
                Cast("input_agency", CharField()), Value(":"), Cast("meeting_id", CharField()), output_field=CharField()
            ),
        )
    )


# The statement.


def _detail_sql(threshold: str) -> str:
    """SQL for the date a threshold's message names (`fired` is the inserted alert), or NULL."""
    quote = connection.ops.quote_name
    meetings, items = quote(PanelMeeting._meta.db_table), quote(AgendaItem._meta.db_table)
    if threshold == ClockThreshold.RECONSIDERATION_WINDOW_CLOSING:
        return f"(SELECT d.decided_on FROM {quote(Decision._meta.db_table)} d WHERE d.id = fired.subject::bigint)"
    if threshold == ClockThreshold.INPUT_OVERDUE:
        return f"(SELECT m.date FROM {meetings} m WHERE m.id = split_part(fired.subject, ':', 2)::bigint)"
    if threshold == ClockThreshold.MEETING_AFTER_TARGET:
        # The meeting whose agenda it is on or, on none, the panel's first meeting after its target.
        return (
            f"COALESCE((SELECT m.date FROM {items} i JOIN {meetings} m ON m.id = i.meeting_id WHERE i.referral_id = "
            f"fired.referral_id AND i.removed_at IS NULL AND i.signed_off_at IS NULL LIMIT 1), "
            f"(SELECT min(m.date) FROM {meetings} m WHERE m.panel_id = case_.panel_id AND m.status = 'scheduled' "
            f"AND m.date > case_.referral_date + panel.decision_target_days))"
        )
    return "NULL::date"


def _fire(threshold: str, candidates: QuerySet, *, fired_at: datetime.datetime) -> list[Fired]:
    """Insert the threshold's alert for every candidate that has none; return those inserted."""
    try:
        select_sql, select_params = candidates.query.sql_with_params()
    except EmptyResultSet:  # nothing can match, for example no panel sets an RG target
        return []
    quote = connection.ops.quote_name
    sql = f"""
        WITH fired AS (
            INSERT INTO {quote(ClockAlert._meta.db_table)} (referral_id, threshold, subject, fired_at)
            SELECT DISTINCT candidate.alert_referral, %s::varchar, candidate.alert_subject, %s::timestamptz
            FROM ({select_sql}) AS candidate
            ORDER BY 1, 3
            ON CONFLICT (referral_id, threshold, subject) DO NOTHING
            RETURNING referral_id, subject
        )
        SELECT fired.referral_id, fired.subject, {_detail_sql(threshold)}, case_.public_id, case_.reference,
            case_.panel_id, case_.referral_date, panel.decision_target_days, panel.nation, panel.rg_target_working_days
        FROM fired
        JOIN {quote(Referral._meta.db_table)} case_ ON case_.id = fired.referral_id
        JOIN {quote(Panel._meta.db_table)} panel ON panel.id = case_.panel_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [str(threshold), fired_at, *select_params])
        return [Fired(*row) for row in cursor.fetchall()]


# What people are told. In-app text may name the case reference, never the child.


def _event(threshold: str, row: Fired, *, today: datetime.date) -> Event:
    agency_id = int(row.subject.split(":")[0]) if threshold == ClockThreshold.INPUT_OVERDUE else None
    return Event(
        panel_id=row.panel_id,
        kind=Kind.INPUT_OVERDUE if agency_id else Kind.CLOCK,
        text=_text(threshold, row, today=today),
        link=_case_link_template().format(row.public_id),
        key=f"clock:{threshold}:{row.referral_id}:{row.subject}",
        roles=AGENCY_ROLES if agency_id else OVERSEERS,
        agency_id=agency_id,
    )


def _text(threshold: str, row: Fired, *, today: datetime.date) -> str:
    case, due = row.reference, _date(row.target_date)
    if threshold == ClockThreshold.DAY_30_NOT_ON_AGENDA:
        return f"{case} is on day {(today - row.referral_date).days} and not on a meeting's agenda: due by {due}."
    if threshold == ClockThreshold.DAY_40_NOT_DECIDED:
        return f"{case} is on day {(today - row.referral_date).days} and not yet decided: due by {due}."
    if threshold == ClockThreshold.OVERDUE:
        return f"{case} is past its decision target of {due}: record the reason for the delay."
    if threshold == ClockThreshold.MEETING_AFTER_TARGET:
        return f"{case} will be decided at a meeting on {_date(row.detail)}, after its decision target of {due}."
    if threshold in (ClockThreshold.RG_TARGET_TOMORROW, ClockThreshold.RG_TARGET_MISSED):
        target = f"{_date(row.rg_target_date)} ({row.rg_target_working_days} working days from the referral)"
        if threshold == ClockThreshold.RG_TARGET_MISSED:
            return f"{case} missed its reasonable grounds target of {target}."
        return f"{case}: the reasonable grounds decision is due by {target}."
    if threshold == ClockThreshold.RECONSIDERATION_WINDOW_CLOSING:
        closes = row.detail + datetime.timedelta(days=RECONSIDERATION_WINDOW_DAYS) if row.detail else None
        return (
            f"{case}: the {RECONSIDERATION_WINDOW_DAYS} days to ask for a reconsideration of the negative "
            f"decision of {_date(row.detail)} end on {_date(closes)}."
        )
    return f"{case}: your agency's input is due for the meeting on {_date(row.detail)}."


_ANY_CASE = uuid.UUID(int=0)


@functools.cache
def _case_link_template() -> str:
    """The case page's path with {} for its id: reversed once, not once per row (a first sweep has thousands)."""
    return reverse("referrals:case", args=[_ANY_CASE]).replace(str(_ANY_CASE), "{}")


def _date(day: datetime.date | None) -> str:
    return f"{day:%-d %B %Y}" if day else "a date to be confirmed"
