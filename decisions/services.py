"""Functions that change meetings, agendas, agency inputs and decisions.

Each checks who is acting and the rule, writes in a transaction with the reason in the record's
history, and moves the case only through `referrals.services.referral_move`.
"""

import datetime

from dateutil.relativedelta import relativedelta
from dateutil.rrule import MONTHLY, rrule, weekday
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

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
    Reconsideration,
    ReconsiderationStatus,
    ThresholdWording,
)
from decisions.quorum import item_quorum
from notifications.models import Kind
from notifications.services import Event, notify, notify_events, people_with_roles
from nrm_panel.models import AGENCY_ROLES, Agency, Membership, Panel, Role
from nrm_panel.permissions import CASE_READER_ROLES, MEETING_ROLES, has_role
from referrals.clock import case_clock
from referrals.models import Referral, State
from referrals.services import ROLE_NOT_ALLOWED, referral_move
from referrals.state_machine import AWAITING_STATES

# Messages are constants so that views show them and tests can name them.
STALE = "Someone else changed this while you were working on it. Check what is saved now, then make your change again."
MEETING_NOT_OPEN = "The meeting is not open: the chair opens it on the day."
MEETING_NOT_TODAY = "This meeting is on {date}: the chair opens it on the day. To hold it today, move it to today."
MEETING_CLOSED = "This meeting's minutes are approved: it can no longer change."
MEETING_ALREADY_OPEN = "This meeting is already open, chaired by {chair}."
MEETING_NOT_AVAILABLE = "That meeting is {status}: choose another."
MEETING_NOT_SCHEDULED = "Only a meeting that has not started can be moved or cancelled."
MEETING_HAS_ITEMS = "Take the cases off the agenda, or move them to another meeting, before cancelling it."
NOT_THE_CHAIR = "Only the chair of this item can do this."
NOT_A_CHAIR = "The deputy chair must hold the chair role on this panel and be recorded as present."
NOT_AWAITING = "This case is {state}: it is not awaiting a decision by the panel."
ALREADY_ON_AGENDA = "This case is already on the agenda of the {meeting}."
RECONSIDERATION_NOT_ACCEPTED = "Accept the reconsideration request before putting it on an agenda."
OTHER_PANEL = "That belongs to another panel."
DECISIONS_RECORDED = "Decisions are recorded at this item: it cannot be taken off the agenda."
SIGNED_OFF = "This item is signed off: its decisions can no longer be changed."
ITEM_REMOVED = "This case has been taken off the agenda."
NO_QUORUM = "The panel is not quorate for this item. Missing: {missing}."
KIND_NOT_AT_ITEM = "A {kind} decision cannot be recorded at this item."
CG_NEEDS_POSITIVE_RG = "Record a positive reasonable grounds decision at this item before the conclusive grounds one."
CG_TOO_SOON = (
    "The panel's rules need {days} days between the reasonable and conclusive grounds decisions: "
    "the conclusive grounds decision can be made from {date}."
)
DEFERRED_NOT_WITH_OTHER = "A deferred item has one decision: remove the other decision or do not defer."
DEFER_TO_LATER_MEETING = "Choose a later meeting of this panel to defer to."
DELAY_REASON_REQUIRED = "This is after the case's day {target_days} ({date}): give the reason for the delay."
NOTHING_TO_SIGN = "Record the decision before signing off."
PACK_EMPTY = "There is nothing on the agenda yet: add cases before sending the pack."
NOT_ATTENDING = "{person} is not recorded as present at this meeting."
NOT_ON_PANEL = "{person} does not sit on this panel's meetings."
NOT_YOUR_AGENCY = "Only members of {agency} on this panel can write its input."
INPUT_NOT_OPEN = "The panel is not waiting for a decision on this case: its inputs cannot change now."
INPUT_LOCKED = "This input was used by a signed decision and can no longer change."
RECOMMENDATION_REQUIRED = "Choose the agency's recommendation."
NO_NEGATIVE_DECISION = "There is no negative decision on this case to reconsider."
RECONSIDERATION_LATE = (
    "This request was received {days} days after the decision, later than the 30 days allowed: "
    "give the exceptional reason for accepting it."
)
RECEIVED_BEFORE_DECISION = "The request cannot have been received before the decision ({date})."
RECEIVED_IN_FUTURE = "The date received cannot be in the future."
RECONSIDERATION_DONE = "This reconsideration has already been {status}."
BETWEEN_MEETINGS_NOT_ALLOWED = "This panel decides reasonable grounds only at its meetings."
ONLY_RG_BETWEEN_MEETINGS = "Only reasonable grounds is decided between meetings: conclusive grounds go to a meeting."
MINUTES_UNFINISHED = "Sign off or take off every item before approving the minutes."
NOT_RETURNABLE = "Only signed decisions can be returned to the Single Competent Authority."

# Guidance: a reconsideration is asked for within 30 calendar days of the negative decision.
RECONSIDERATION_WINDOW_DAYS = 30
# Agencies give their view this many days before the meeting, so that the pack can go out.
INPUT_DUE_DAYS_BEFORE_MEETING = 3
# What the panel decides for a case waiting in each state.
PURPOSE_FOR_STATE = {state: ItemPurpose(purpose) for purpose, state in AWAITING_STATES.items()}
# The panel can still take agency inputs on a case while it is waiting for, or on, an agenda.
INPUT_STATES = frozenset(PURPOSE_FOR_STATE) | {State.ON_AGENDA}


class DecisionError(Exception):
    """A rule of the panel's work was not met; the message says what to do."""


class StaleRecord(DecisionError):
    pass


class QuorumNotMet(DecisionError):
    pass


class NotAllowed(DecisionError):
    pass


def _save(instance, reason: str) -> None:
    instance._change_reason = reason
    instance.save()


def _require_role(user, panel_id: int, roles) -> None:
    if not has_role(user, panel_id, roles):
        raise NotAllowed(ROLE_NOT_ALLOWED)


def _check_version(instance, version: int | None) -> None:
    if version is not None and version != instance.version:
        raise StaleRecord(STALE)


def threshold_wording_on(kind: str, on: datetime.date) -> str:
    """The wording of the legal test in force on a date, from the table administrators keep."""
    wording = ThresholdWording.objects.filter(kind=kind, in_force_from__lte=on).order_by("-in_force_from").first()
    return wording.wording if wording else ""


# Meetings


def meeting_dates_by_rule(panel: Panel, *, start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """The dates of the panel's regular meeting ("second Tuesday of the month") from start to end."""
    rule = rrule(
        MONTHLY,
        dtstart=datetime.datetime.combine(start, datetime.time()),
        until=datetime.datetime.combine(end, datetime.time()),
        byweekday=weekday(panel.meeting_weekday, panel.meeting_week_of_month),
    )
    return [moment.date() for moment in rule]


def meetings_schedule(*, panel: Panel, today: datetime.date, months: int = 6) -> list[PanelMeeting]:
    """Create the panel's regular meetings for the coming months; safe to run again."""
    created = []
    for date in meeting_dates_by_rule(panel, start=today, end=today + relativedelta(months=months)):
        if PanelMeeting.objects.filter(panel=panel, rule_date=date).exists():
            continue
        meeting = PanelMeeting(
            panel=panel, rule_date=date, date=date, starts_at=panel.meeting_time, place=panel.meeting_place
        )
        try:
            with transaction.atomic():
                _save(meeting, "Scheduled by the panel's rule")
        except IntegrityError:
            continue  # scheduled at the same moment by the daily job or another person
        created.append(meeting)
    return created


def meeting_call(
    *, panel: Panel, user, date: datetime.date, starts_at: datetime.time, format: str, place: str, reason: str
) -> PanelMeeting:
    """Call an extraordinary meeting, for example to decide a case before its day 45."""
    _require_role(user, panel.pk, {Role.COORDINATOR, Role.CHAIR})
    if date < timezone.localdate():
        raise DecisionError("A meeting cannot be called for a date in the past.")
    meeting = PanelMeeting(
        panel=panel,
        kind=MeetingKind.EXTRAORDINARY,
        date=date,
        starts_at=starts_at,
        format=format,
        place=place,
        reason=reason,
        created_by=user,
    )
    _save(meeting, f"Extraordinary meeting called: {reason}")
    return meeting


def _locked_meeting(meeting: PanelMeeting) -> PanelMeeting:
    return PanelMeeting.objects.select_for_update(of=("self",)).select_related("panel").get(pk=meeting.pk)


def meeting_reschedule(
    *,
    meeting: PanelMeeting,
    user,
    date: datetime.date,
    starts_at: datetime.time,
    format: str,
    place: str,
    reason: str,
    version: int | None = None,
) -> PanelMeeting:
    """Change one meeting's date, time or place; the panel's repeating rule is unchanged."""
    with transaction.atomic():
        meeting = _locked_meeting(meeting)
        _require_role(user, meeting.panel_id, {Role.COORDINATOR, Role.CHAIR})
        _check_version(meeting, version)
        if meeting.status != MeetingStatus.SCHEDULED:
            raise DecisionError(MEETING_NOT_SCHEDULED)
        meeting.date, meeting.starts_at, meeting.format, meeting.place = date, starts_at, format, place
        meeting.reason = reason
        meeting.version += 1
        _save(meeting, f"Meeting changed: {reason}")
    return meeting


def meeting_cancel(*, meeting: PanelMeeting, user, reason: str) -> PanelMeeting:
    with transaction.atomic():
        meeting = _locked_meeting(meeting)
        _require_role(user, meeting.panel_id, {Role.COORDINATOR, Role.CHAIR})
        if meeting.status != MeetingStatus.SCHEDULED:
            raise DecisionError(MEETING_NOT_SCHEDULED)
        if meeting.items.filter(removed_at__isnull=True).exists():
            raise DecisionError(MEETING_HAS_ITEMS)
        meeting.status = MeetingStatus.CANCELLED
        meeting.reason = reason
        meeting.version += 1
        _save(meeting, f"Meeting cancelled: {reason}")
    return meeting


def meeting_pack_send(*, meeting: PanelMeeting, user) -> PanelMeeting:
    """Tell everyone who sits on the panel's meetings that the pack is ready to read (again, after a change)."""
    with transaction.atomic():
        meeting = _locked_meeting(meeting)
        _require_role(user, meeting.panel_id, {Role.COORDINATOR})
        if meeting.status not in (MeetingStatus.SCHEDULED, MeetingStatus.OPEN):
            raise DecisionError(MEETING_NOT_AVAILABLE.format(status=meeting.get_status_display().lower()))
        if not meeting.items.filter(removed_at=None).exists():
            raise DecisionError(PACK_EMPTY)
        meeting.pack_sent_at = timezone.now()
        meeting.pack_sent_by = user
        _save(meeting, "Meeting pack sent")
        notify(
            recipients=people_with_roles(meeting.panel_id, MEETING_ROLES),
            roles=MEETING_ROLES,
            panel_id=meeting.panel_id,
            kind=Kind.MEETING_PACK_READY,
            text=f"The pack for the {meeting} is ready to read.",
            link=reverse("decisions:pack", args=[meeting.public_id]),
            key=f"pack:{meeting.pk}:{meeting.pack_sent_at:%Y%m%d%H%M%S%f}",
        )
    return meeting


def _capacity(panel: Panel, person, *, is_chair: bool) -> tuple[str, Agency | None]:
    """Whether a person votes or advises, from the agency they represent on the panel."""
    memberships = Membership.objects.filter(
        user=person, panel=panel, is_active=True, role__in=MEETING_ROLES
    ).select_related("agency")
    agency = next((m.agency for m in memberships if m.role in AGENCY_ROLES and m.agency_id), None)
    if not memberships:
        raise DecisionError(NOT_ON_PANEL.format(person=person))
    if is_chair:
        return Capacity.CHAIR, agency
    if agency and agency.kind in panel.voting_kinds:
        return Capacity.VOTING, agency
    return Capacity.ADVISING, agency


def meeting_open(*, meeting: PanelMeeting, user, today: datetime.date | None = None) -> PanelMeeting:
    """The chair opens the meeting on the day; they are recorded as present, chairing."""
    today = today or timezone.localdate()
    with transaction.atomic():
        meeting = _locked_meeting(meeting)
        _require_role(user, meeting.panel_id, {Role.CHAIR})
        if meeting.status == MeetingStatus.OPEN and meeting.chair_id == user.pk:
            return meeting
        if meeting.status == MeetingStatus.OPEN:
            raise DecisionError(MEETING_ALREADY_OPEN.format(chair=meeting.chair))
        if meeting.status != MeetingStatus.SCHEDULED:
            raise DecisionError(MEETING_NOT_AVAILABLE.format(status=meeting.get_status_display().lower()))
        # Decisions are dated by their meeting: a meeting opened on another day would misdate them.
        if meeting.date != today:
            raise DecisionError(MEETING_NOT_TODAY.format(date=f"{meeting.date:%-d %B %Y}"))
        meeting.status = MeetingStatus.OPEN
        meeting.chair = user
        meeting.opened_at = timezone.now()
        meeting.version += 1
        _save(meeting, "Meeting opened")
        _, agency = _capacity(meeting.panel, user, is_chair=True)
        attendance = meeting.attendances.filter(person=user).first() or Attendance(
            meeting=meeting, person=user, agency=agency, recorded_by=user
        )
        attendance.capacity = Capacity.CHAIR
        _save(attendance, "Chairing the meeting")
    return meeting


def _require_open_meeting_chair(meeting: PanelMeeting, user) -> None:
    _require_role(user, meeting.panel_id, {Role.CHAIR})
    if meeting.status == MeetingStatus.CLOSED:
        raise DecisionError(MEETING_CLOSED)
    if meeting.status != MeetingStatus.OPEN:
        raise DecisionError(MEETING_NOT_OPEN)
    if meeting.chair_id != user.pk:
        raise NotAllowed("Only the chair who opened the meeting can do this.")


def attendance_record(*, meeting: PanelMeeting, user, people) -> list[Attendance]:
    """Record who is present. People not in the list are taken off, except the chair."""
    with transaction.atomic():
        meeting = _locked_meeting(meeting)
        _require_open_meeting_chair(meeting, user)
        wanted = {person.pk: person for person in people}
        existing = {attendance.person_id: attendance for attendance in meeting.attendances.all()}
        for person_id, attendance in existing.items():
            if person_id not in wanted and person_id != meeting.chair_id:
                attendance._change_reason = "Recorded as not present"
                attendance.delete()
        for person_id, person in wanted.items():
            if person_id in existing:
                continue
            capacity, agency = _capacity(meeting.panel, person, is_chair=False)
            attendance = Attendance(meeting=meeting, person=person, agency=agency, capacity=capacity, recorded_by=user)
            _save(attendance, "Recorded as present")
    return list(meeting.attendances.select_related("person", "agency"))


# Agendas


def agenda_add(*, meeting: PanelMeeting, referral: Referral, user) -> AgendaItem:
    """Put a case awaiting a decision on a meeting's agenda, at the end."""
    with transaction.atomic():
        meeting = _locked_meeting(meeting)
        _require_role(user, meeting.panel_id, {Role.COORDINATOR, Role.CHAIR})
        if referral.panel_id != meeting.panel_id:
            raise NotAllowed(OTHER_PANEL)
        if meeting.status not in (MeetingStatus.SCHEDULED, MeetingStatus.OPEN):
            raise DecisionError(MEETING_NOT_AVAILABLE.format(status=meeting.get_status_display().lower()))
        referral = _locked_case(referral)
        open_item = AgendaItem.objects.filter(referral=referral, removed_at=None, signed_off_at=None).first()
        if open_item:
            raise DecisionError(ALREADY_ON_AGENDA.format(meeting=open_item.meeting))
        if referral.state not in PURPOSE_FOR_STATE:
            raise DecisionError(NOT_AWAITING.format(state=referral.get_state_display().lower()))
        purpose = PURPOSE_FOR_STATE[referral.state]
        reconsideration = None
        if purpose == ItemPurpose.RECONSIDERATION:
            reconsideration = referral.reconsiderations.filter(status=ReconsiderationStatus.ACCEPTED).last()
            if reconsideration is None:
                raise DecisionError(RECONSIDERATION_NOT_ACCEPTED)
        if meeting.kind == MeetingKind.BETWEEN_MEETINGS and purpose != ItemPurpose.RG:
            raise DecisionError(BETWEEN_MEETINGS_NOT_ALLOWED)
        last = meeting.items.aggregate(last=Max("position"))["last"] or 0
        item = AgendaItem(
            meeting=meeting,
            referral=referral,
            purpose=purpose,
            reconsideration=reconsideration,
            position=last + 1,
            added_by=user,
        )
        _save(item, "Added to the agenda")
        referral_move(
            referral=referral, move_name="add_to_agenda", user=user, reason=f"{meeting} ({item.get_purpose_display()})"
        )
        _request_inputs(item)
    return item


def _request_inputs(item: AgendaItem) -> None:
    """Ask each agency that must give its view to do so before the meeting."""
    referral, meeting = item.referral, item.meeting
    due = meeting.date - datetime.timedelta(days=INPUT_DUE_DAYS_BEFORE_MEETING)
    link = reverse("decisions:case_inputs", args=[referral.public_id])
    notify_events(
        Event(
            panel_id=referral.panel_id,
            kind=Kind.INPUT_REQUESTED,
            text=f"{referral.reference} is on the agenda of the {meeting}: give {agency}'s view by {due:%-d %B %Y}.",
            link=link,
            key=f"input_requested:{item.pk}",
            roles=AGENCY_ROLES,
            agency_id=agency.pk,
        )
        for agency in Agency.objects.filter(panel_id=referral.panel_id, kind__in=referral.panel.required_input_kinds)
    )


def _locked_case(referral: Referral) -> Referral:
    return Referral.objects.select_for_update(of=("self",)).select_related("panel").get(pk=referral.pk)


def _locked_item(item: AgendaItem) -> AgendaItem:
    return (
        AgendaItem.objects.select_for_update(of=("self",))
        .select_related("meeting__panel", "referral", "reconsideration__decision")
        .get(pk=item.pk)
    )


def agenda_remove(*, item: AgendaItem, user, reason: str) -> AgendaItem:
    with transaction.atomic():
        item = _locked_item(item)
        _require_role(user, item.meeting.panel_id, {Role.COORDINATOR})
        if item.removed_at:
            return item
        if item.is_signed_off or item.decisions.exists():
            raise DecisionError(DECISIONS_RECORDED)
        if not reason.strip():
            raise DecisionError("Give the reason for taking the case off the agenda.")
        item.removed_at = timezone.now()
        item.removal_reason = reason.strip()
        _save(item, f"Taken off the agenda: {reason.strip()}")
        if item.referral.state == State.ON_AGENDA:
            # The coordinator's reason stays on the agenda item, for the panel; the case says which meeting.
            referral_move(
                referral=item.referral,
                move_name=f"remove_from_agenda_{item.purpose}",
                user=user,
                reason=f"of the {item.meeting}",
            )
    return item


def agenda_reorder(*, item: AgendaItem, user, direction: str) -> None:
    """Move an item one place up or down the agenda."""
    with transaction.atomic():
        meeting = _locked_meeting(item.meeting)
        _require_role(user, meeting.panel_id, {Role.COORDINATOR})
        items = list(meeting.items.filter(removed_at=None).order_by("position"))
        index = next((i for i, each in enumerate(items) if each.pk == item.pk), None)
        if index is None:
            raise DecisionError(ITEM_REMOVED)
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(items):
            return
        items[index], items[other] = items[other], items[index]
        for position, each in enumerate(items, start=1):
            if each.position != position:
                each.position = position
                _save(each, "Agenda reordered")


def item_deputy_chair_set(*, item: AgendaItem, user, deputy) -> AgendaItem:
    """The meeting's chair hands one item to a deputy (or takes it back, with deputy None)."""
    with transaction.atomic():
        item = _locked_item(item)
        _require_open_meeting_chair(item.meeting, user)
        if item.is_signed_off:
            raise DecisionError(SIGNED_OFF)
        if deputy is not None and (
            not has_role(deputy, item.meeting.panel_id, {Role.CHAIR})
            or not item.meeting.attendances.filter(person=deputy).exists()
        ):
            raise DecisionError(NOT_A_CHAIR)
        item.deputy_chair = deputy
        _save(item, f"Chaired by {deputy}" if deputy else "Chaired by the meeting's chair")
    return item


def conflict_record(*, item: AgendaItem, user, person, reason: str) -> ConflictOfInterest:
    with transaction.atomic():
        item = _locked_item(item)
        _require_open_meeting_chair(item.meeting, user)
        if item.is_signed_off:
            raise DecisionError(SIGNED_OFF)
        if not item.meeting.attendances.filter(person=person).exists():
            raise DecisionError(NOT_ATTENDING.format(person=person))
        if not reason.strip():
            raise DecisionError("Give the reason for the conflict of interest.")
        conflict = item.conflicts.filter(person=person).first()
        if conflict is None:
            conflict = ConflictOfInterest(item=item, person=person, reason=reason.strip(), recorded_by=user)
            _save(conflict, "Conflict of interest recorded")
    return conflict


def conflict_remove(*, conflict: ConflictOfInterest, user) -> None:
    with transaction.atomic():
        item = _locked_item(conflict.item)
        _require_open_meeting_chair(item.meeting, user)
        if item.is_signed_off:
            raise DecisionError(SIGNED_OFF)
        conflict._change_reason = "Conflict of interest withdrawn"
        conflict.delete()


def _item_quorum(item: AgendaItem):
    attendances = list(item.meeting.attendances.select_related("person", "agency"))
    return item_quorum(item, attendances=attendances, conflicts=list(item.conflicts.all()))


def _require_item_chair(item: AgendaItem, user) -> None:
    _require_role(user, item.meeting.panel_id, {Role.CHAIR})
    if item.meeting.status == MeetingStatus.CLOSED:
        raise DecisionError(MEETING_CLOSED)
    if item.meeting.status != MeetingStatus.OPEN:
        raise DecisionError(MEETING_NOT_OPEN)
    if item.chair_id != user.pk:
        raise NotAllowed(NOT_THE_CHAIR)
    if item.removed_at:
        raise DecisionError(ITEM_REMOVED)
    if item.is_signed_off:
        raise DecisionError(SIGNED_OFF)


def _snapshot(decision: Decision, item: AgendaItem, quorum) -> None:
    """What a court or the SCA's audit will ask of the decision, as it stood on the day."""

    def who(attendance):
        if attendance.person_id == item.chair_id:
            capacity = "Chair"
        elif attendance.capacity == Capacity.CHAIR:
            capacity = "Present, not chairing this item"
        else:
            capacity = attendance.get_capacity_display()
        return {
            "name": str(attendance.person),
            "agency": str(attendance.agency) if attendance.agency_id else "",
            "capacity": capacity,
        }

    decision.present = [who(a) for a in quorum.taking_part]
    decision.voters = [who(a) for a in quorum.voters]
    decision.agency_recommendations = [
        {
            "agency": str(each.agency),
            "kind": each.agency.get_kind_display(),
            "recommendation": each.get_recommendation_display() if each.recommendation else "None given",
            "reasons": each.reasons,
        }
        for each in AgencyInput.objects.filter(referral=item.referral, locked_by=None).select_related("agency")
    ]
    decision.threshold_wording = threshold_wording_on(decision.kind, decision.decided_on)


def _allowed_kinds(item: AgendaItem, decisions: dict) -> set[str]:
    """Which decisions may be recorded at an item, given those already recorded there."""
    if item.purpose == ItemPurpose.CG:
        return {DecisionKind.CG}
    first = DecisionKind.RG
    if item.purpose == ItemPurpose.RECONSIDERATION:
        first = item.reconsideration.decision.kind
    kinds = {first}
    rg = decisions.get(DecisionKind.RG)
    if first == DecisionKind.RG and rg and rg.outcome == Outcome.POSITIVE:
        kinds.add(DecisionKind.CG)
    if item.meeting.kind == MeetingKind.BETWEEN_MEETINGS:
        kinds.discard(DecisionKind.CG)
    return kinds


def _earliest_cg_date(item: AgendaItem, decisions: dict) -> datetime.date | None:
    rg = decisions.get(DecisionKind.RG)
    if rg is None:
        rg = (
            Decision.objects.filter(
                referral=item.referral, kind=DecisionKind.RG, outcome=Outcome.POSITIVE, signed_off_at__isnull=False
            )
            .order_by("-decided_on")
            .first()
        )
    if rg is None:
        return None
    return rg.decided_on + datetime.timedelta(days=item.meeting.panel.min_days_between_rg_and_cg)


def kinds_to_record(item: AgendaItem, decisions: dict) -> list[str]:
    """The decisions the chair can record or correct at an item now, in the order they are made."""
    if item.is_signed_off or item.removed_at:
        return []
    allowed = set(decisions) | _allowed_kinds(item, decisions)
    return [kind for kind in (DecisionKind.RG, DecisionKind.CG) if kind in allowed]


def decision_record(
    *,
    item: AgendaItem,
    user,
    kind: str,
    outcome: str,
    reasons: str,
    evidence_considered: str = "",
    dissent: str = "",
    deferred_to: PanelMeeting | None = None,
    delay_reason: str = "",
    version: int | None = None,
) -> Decision:
    """Record, or correct before sign-off, the panel's decision of one kind at an item."""
    with transaction.atomic():
        item = _locked_item(item)
        _require_item_chair(item, user)
        # The case is locked before its inputs are read, as agency_input_save does: one order, no deadlock.
        item.referral = _locked_case(item.referral)
        if item.referral.state != State.ON_AGENDA:
            raise DecisionError(NOT_AWAITING.format(state=item.referral.get_state_display().lower()))
        quorum = _item_quorum(item)
        if not quorum.has_quorum:
            raise QuorumNotMet(NO_QUORUM.format(missing="; ".join(quorum.missing)))
        decisions = {each.kind: each for each in item.decisions.select_for_update()}
        existing = decisions.get(kind)
        if existing:
            _check_version(existing, version)
        elif version:
            raise StaleRecord(STALE)
        others = {k: d for k, d in decisions.items() if k != kind}
        if kind not in _allowed_kinds(item, others):
            if item.meeting.kind == MeetingKind.BETWEEN_MEETINGS:
                raise DecisionError(ONLY_RG_BETWEEN_MEETINGS)
            if kind == DecisionKind.CG and item.purpose != ItemPurpose.CG:
                raise DecisionError(CG_NEEDS_POSITIVE_RG)
            raise DecisionError(KIND_NOT_AT_ITEM.format(kind=DecisionKind(kind).label.lower()))
        if not reasons.strip():
            raise DecisionError("Give the reasons for the decision.")
        decided_on = item.meeting.date
        if outcome == Outcome.DEFERRED:
            if others:
                raise DecisionError(DEFERRED_NOT_WITH_OTHER)
            if (
                deferred_to is None
                or deferred_to.panel_id != item.meeting.panel_id
                or deferred_to.date <= item.meeting.date
                or deferred_to.status != MeetingStatus.SCHEDULED
            ):
                raise DecisionError(DEFER_TO_LATER_MEETING)
        else:
            deferred_to = None
            if kind == DecisionKind.RG and others.get(DecisionKind.CG) and outcome != Outcome.POSITIVE:
                raise DecisionError(
                    "Remove the conclusive grounds decision first: it needs a positive reasonable grounds decision."
                )
            if kind == DecisionKind.CG:
                earliest = _earliest_cg_date(item, others)
                if earliest is None:
                    raise DecisionError(CG_NEEDS_POSITIVE_RG)
                if decided_on < earliest:
                    raise DecisionError(
                        CG_TOO_SOON.format(
                            days=item.meeting.panel.min_days_between_rg_and_cg, date=f"{earliest:%-d %B %Y}"
                        )
                    )
        # The target (day 45 by default) is for the first decisions; a reconsideration comes after it by nature.
        clock = None if item.purpose == ItemPurpose.RECONSIDERATION else case_clock(item.referral, today=decided_on)
        effective_date = deferred_to.date if deferred_to else decided_on
        if clock and clock.target_date < effective_date and not delay_reason.strip():
            raise DecisionError(
                DELAY_REASON_REQUIRED.format(
                    target_days=item.meeting.panel.decision_target_days, date=f"{clock.target_date:%-d %B %Y}"
                )
            )
        decision = existing or Decision(referral=item.referral, item=item, kind=kind, recorded_by=user)
        decision.outcome = outcome
        decision.reasons = reasons.strip()
        decision.evidence_considered = evidence_considered.strip()
        decision.dissent = dissent.strip()
        decision.deferred_to = deferred_to
        decision.delay_reason = delay_reason.strip()
        decision.decided_on = decided_on
        is_redecision = item.purpose == ItemPurpose.RECONSIDERATION and kind == item.reconsideration.decision.kind
        # A deferral decides nothing: the decision it would replace stays the current one.
        decision.supersedes = item.reconsideration.decision if is_redecision and outcome != Outcome.DEFERRED else None
        if existing:
            decision.version += 1
        _snapshot(decision, item, quorum)
        _save(decision, "Decision corrected before sign-off" if existing else "Decision recorded")
    return decision


def decision_remove(*, decision: Decision, user) -> None:
    """Take back a decision recorded at an item, before sign-off (for example a CG recorded in error)."""
    with transaction.atomic():
        item = _locked_item(decision.item)
        _require_item_chair(item, user)
        decision = Decision.objects.select_for_update().get(pk=decision.pk)
        if decision.kind == DecisionKind.RG and item.decisions.filter(kind=DecisionKind.CG).exists():
            raise DecisionError("Remove the conclusive grounds decision first.")
        decision._change_reason = "Decision removed before sign-off"
        decision.delete()


def item_sign_off(*, item: AgendaItem, user) -> AgendaItem:
    """The chair signs off an item's decisions: they can no longer change, and the case moves on."""
    with transaction.atomic():
        item = _locked_item(item)
        _require_item_chair(item, user)
        item.referral = _locked_case(item.referral)
        if item.referral.state != State.ON_AGENDA:
            raise DecisionError(NOT_AWAITING.format(state=item.referral.get_state_display().lower()))
        quorum = _item_quorum(item)
        if not quorum.has_quorum:
            raise QuorumNotMet(NO_QUORUM.format(missing="; ".join(quorum.missing)))
        decisions = {each.kind: each for each in item.decisions.select_for_update()}
        if not decisions:
            raise DecisionError(NOTHING_TO_SIGN)
        now = timezone.now()
        for decision in decisions.values():
            _snapshot(decision, item, quorum)
            decision.signed_off_by = user
            decision.signed_off_at = now
            decision.version += 1
            _save(decision, "Decision signed off")
        first = decisions.get(DecisionKind.RG) or decisions[DecisionKind.CG]
        if first.outcome != Outcome.DEFERRED:
            # A deferred case is decided later: its agencies may still add to their inputs.
            for agency_input in AgencyInput.objects.select_for_update().filter(referral=item.referral, locked_by=None):
                agency_input.locked_by = first
                _save(agency_input, "Locked: used by a signed decision")
        item.signed_off_at = now
        item.signed_off_by = user
        _save(item, "Signed off")
        if item.reconsideration_id and first.outcome != Outcome.DEFERRED:
            item.reconsideration.status = ReconsiderationStatus.DECIDED
            _save(item.reconsideration, "Re-decided by the panel")
        _move_case_after_sign_off(item, decisions, user)
        _tell_decision_signed(item, decisions)
    return item


def _tell_decision_signed(item: AgendaItem, decisions: dict) -> None:
    """The referrer sees the outcome on their referral; the coordinator issues the letters."""
    referral = item.referral
    what = " and ".join(
        f"{decision.get_kind_display().lower()} {decision.get_outcome_display().lower()}"
        for decision in decisions.values()
    )
    # Each is told as what they are to the case, and only while they still are: the referrer while a
    # referrer on the panel; the lead social worker (anyone on the panel can be named) only if they read cases.
    audiences = [
        (people_with_roles(referral.panel_id, {Role.COORDINATOR}), {Role.COORDINATOR}),
        ([referral.referrer], {Role.REFERRER}),
    ]
    if referral.lead_social_worker_id:
        audiences.append(([referral.lead_social_worker], CASE_READER_ROLES))
    for people, roles in audiences:
        notify(
            recipients=people,
            roles=roles,
            panel_id=referral.panel_id,
            kind=Kind.DECISION_SIGNED,
            text=f"{referral.reference}: {what}, signed off at the {item.meeting}.",
            link=reverse("referrals:case", args=[referral.public_id]),
            key=f"decision_signed:{item.pk}",
        )


def _move_case_after_sign_off(item: AgendaItem, decisions: dict, user) -> None:
    referral = item.referral
    rg, cg = decisions.get(DecisionKind.RG), decisions.get(DecisionKind.CG)
    first = rg or cg
    # The case's reason and timeline say where and when, never the panel's reasons: the referrer reads them.
    if first.outcome == Outcome.DEFERRED:
        referral_move(
            referral=referral, move_name=f"defer_{item.purpose}", user=user, reason=f"to the {first.deferred_to}"
        )
        agenda_add(meeting=first.deferred_to, referral=referral, user=user)
        return
    at = f"at the {item.meeting}"

    def record_days_taken(case: Referral):
        # How long the panel took, kept on the case for the reports: the first decision of each kind counts.
        for decision, field in ((rg, "days_to_rg"), (cg, "days_to_cg")):
            if decision and getattr(case, field) is None:
                setattr(case, field, max(0, (decision.decided_on - case.referral_date).days))

    if rg:
        referral = referral_move(
            referral=referral, move_name=f"decide_rg_{rg.outcome}", user=user, reason=at, before_save=record_days_taken
        )
        if rg.outcome == Outcome.POSITIVE and not cg:
            referral_move(referral=referral, move_name="await_cg", user=user)
    if cg:
        referral_move(
            referral=referral, move_name=f"decide_cg_{cg.outcome}", user=user, reason=at, before_save=record_days_taken
        )


def meeting_start_between_meetings(*, referral: Referral, user) -> AgendaItem:
    """Decide reasonable grounds between meetings, where the panel allows it: the chair and one voting
    member of each statutory partner, recorded like a short meeting under the same quorum and conflict rules."""
    panel = referral.panel
    _require_role(user, panel.pk, {Role.CHAIR})
    if not panel.allows_rg_between_meetings:
        raise DecisionError(BETWEEN_MEETINGS_NOT_ALLOWED)
    if referral.state != State.RG_PENDING:
        raise DecisionError(NOT_AWAITING.format(state=referral.get_state_display().lower()))
    today = timezone.localdate()
    with transaction.atomic():
        meeting = PanelMeeting(
            panel=panel,
            kind=MeetingKind.BETWEEN_MEETINGS,
            date=today,
            starts_at=timezone.localtime().time().replace(second=0, microsecond=0),
            format=MeetingFormat.VIRTUAL,
            reason=f"Reasonable grounds on {referral.reference} between meetings",
            created_by=user,
        )
        _save(meeting, "Called to decide reasonable grounds between meetings")
        meeting_open(meeting=meeting, user=user, today=today)
        return agenda_add(meeting=meeting, referral=referral, user=user)


def minutes_approve(*, meeting: PanelMeeting, user, minutes_html: str) -> PanelMeeting:
    """The chair approves the minutes assembled from the items; the meeting is then closed."""
    with transaction.atomic():
        meeting = _locked_meeting(meeting)
        _require_open_meeting_chair(meeting, user)
        if meeting.items.filter(removed_at=None, signed_off_at=None).exists():
            raise DecisionError(MINUTES_UNFINISHED)
        meeting.minutes_html = minutes_html
        meeting.minutes_approved_at = timezone.now()
        meeting.minutes_approved_by = user
        meeting.status = MeetingStatus.CLOSED
        meeting.version += 1
        _save(meeting, "Minutes approved")
    return meeting


# Agency inputs


def may_write_input(user, agency: Agency) -> bool:
    """Only an agency's own active members on the panel write its input."""
    return Membership.objects.filter(
        user=user, panel_id=agency.panel_id, agency=agency, role__in=AGENCY_ROLES, is_active=True
    ).exists()


def agency_input_save(
    *,
    referral: Referral,
    agency: Agency,
    user,
    knowledge: str,
    risks: str,
    recommendation: str,
    reasons: str,
    version: int | None = None,
) -> AgencyInput:
    """Write or revise an agency's input on a case; only that agency's members on the panel may."""
    if agency.panel_id != referral.panel_id:
        raise NotAllowed(OTHER_PANEL)
    if not may_write_input(user, agency):
        raise NotAllowed(NOT_YOUR_AGENCY.format(agency=agency))
    is_required = agency.kind in referral.panel.required_input_kinds
    if is_required and not recommendation:
        raise DecisionError(RECOMMENDATION_REQUIRED)
    with transaction.atomic():
        referral = _locked_case(referral)
        if referral.state not in INPUT_STATES:
            raise DecisionError(INPUT_NOT_OPEN)
        current = AgencyInput.objects.select_for_update().filter(referral=referral, agency=agency, locked_by=None)
        agency_input = current.first()
        if agency_input:
            _check_version(agency_input, version)
            agency_input.version += 1
        elif version:
            # The form was for an input that has since been used by a signed decision.
            raise StaleRecord(INPUT_LOCKED)
        else:
            agency_input = AgencyInput(referral=referral, agency=agency)
        agency_input.knowledge = knowledge.strip()
        agency_input.risks = risks.strip()
        agency_input.recommendation = recommendation
        agency_input.reasons = reasons.strip()
        agency_input.submitted_by = user
        try:
            with transaction.atomic():
                _save(agency_input, "Input revised" if agency_input.pk else "Input submitted")
        except IntegrityError:
            raise StaleRecord(STALE) from None
    return agency_input


# Reconsideration


def current_negative_decision(referral: Referral) -> Decision | None:
    """The signed negative decision a reconsideration would look at again."""
    return (
        Decision.objects.filter(
            referral=referral,
            outcome=Outcome.NEGATIVE,
            signed_off_at__isnull=False,
            superseded_by__isnull=True,
        )
        .order_by("-decided_on", "-signed_off_at")
        .first()
    )


def reconsideration_request(
    *,
    referral: Referral,
    user,
    requested_by: str,
    requester_name: str,
    received_on: datetime.date,
    grounds: str,
    details: str,
    exceptional_reason: str = "",
) -> Reconsideration:
    """Record a request to reconsider a negative decision, made within 30 days or for an exceptional reason."""
    with transaction.atomic():
        referral = _locked_case(referral)
        _require_role(user, referral.panel_id, {Role.COORDINATOR})
        decision = current_negative_decision(referral)
        if decision is None or referral.state not in (State.RG_NEGATIVE, State.CG_NEGATIVE):
            raise DecisionError(NO_NEGATIVE_DECISION)
        if received_on > timezone.localdate():
            raise DecisionError(RECEIVED_IN_FUTURE)
        if received_on < decision.decided_on:
            raise DecisionError(RECEIVED_BEFORE_DECISION.format(date=f"{decision.decided_on:%-d %B %Y}"))
        days = (received_on - decision.decided_on).days
        if days > RECONSIDERATION_WINDOW_DAYS and not exceptional_reason.strip():
            raise DecisionError(RECONSIDERATION_LATE.format(days=days))
        reconsideration = Reconsideration(
            referral=referral,
            decision=decision,
            requested_by=requested_by,
            requester_name=requester_name.strip(),
            received_on=received_on,
            grounds=grounds,
            details=details.strip(),
            exceptional_reason=exceptional_reason.strip() if days > RECONSIDERATION_WINDOW_DAYS else "",
            recorded_by=user,
        )
        _save(reconsideration, "Reconsideration requested")
        referral_move(
            referral=referral,
            move_name="request_reconsideration",
            user=user,
            reason=(
                f"by {reconsideration.get_requested_by_display().lower()}: "
                f"{reconsideration.get_grounds_display().lower()}"
            ),
        )
    return reconsideration


def reconsideration_accept(*, reconsideration: Reconsideration, user) -> Reconsideration:
    with transaction.atomic():
        reconsideration = Reconsideration.objects.select_for_update().get(pk=reconsideration.pk)
        _require_role(user, reconsideration.referral.panel_id, {Role.COORDINATOR})
        if reconsideration.status == ReconsiderationStatus.ACCEPTED:
            return reconsideration
        if reconsideration.status != ReconsiderationStatus.REQUESTED:
            raise DecisionError(RECONSIDERATION_DONE.format(status=reconsideration.get_status_display().lower()))
        reconsideration.status = ReconsiderationStatus.ACCEPTED
        _save(reconsideration, "Reconsideration accepted: it goes to the panel")
    return reconsideration


def reconsideration_refuse(*, reconsideration: Reconsideration, user, reason: str) -> Reconsideration:
    with transaction.atomic():
        reconsideration = Reconsideration.objects.select_for_update().get(pk=reconsideration.pk)
        _require_role(user, reconsideration.referral.panel_id, {Role.COORDINATOR})
        if reconsideration.status != ReconsiderationStatus.REQUESTED:
            raise DecisionError(RECONSIDERATION_DONE.format(status=reconsideration.get_status_display().lower()))
        referral = _locked_case(reconsideration.referral)
        if referral.state != State.RECONSIDERATION:
            raise DecisionError(NOT_AWAITING.format(state=referral.get_state_display().lower()))
        if not reason.strip():
            raise DecisionError("Give the reason for refusing the reconsideration.")
        reconsideration.status = ReconsiderationStatus.REFUSED
        reconsideration.refusal_reason = reason.strip()
        _save(reconsideration, f"Reconsideration refused: {reason.strip()}")
        referral_move(referral=reconsideration.referral, move_name="refuse_reconsideration", user=user, reason=reason)
    return reconsideration


# Returning decisions to the Single Competent Authority


def decisions_mark_returned_to_sca(*, decisions, user) -> int:
    """Record that signed decisions were sent to the SCA; a decision already marked keeps its first record."""
    marked = 0
    with transaction.atomic():
        for decision in (
            Decision.objects.select_for_update(of=("self",))
            .select_related("referral")
            .filter(pk__in=[d.pk for d in decisions])
        ):
            _require_role(user, decision.referral.panel_id, {Role.COORDINATOR})
            if not decision.is_signed_off or decision.outcome == Outcome.DEFERRED:
                raise DecisionError(NOT_RETURNABLE)
            if decision.returned_to_sca_at:
                continue
            decision.returned_to_sca_at = timezone.now()
            decision.returned_to_sca_by = user
            _save(decision, "Returned to the Single Competent Authority")
            marked += 1
    return marked
