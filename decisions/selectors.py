"""Reads for meetings, agendas, agency inputs and decisions, every one scoped to the user's panels."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from decisions.models import (
    AgencyInput,
    AgendaItem,
    Attendance,
    ConflictOfInterest,
    Decision,
    MeetingStatus,
    Outcome,
    PanelMeeting,
    Reconsideration,
    ReconsiderationStatus,
)
from decisions.quorum import item_quorum
from decisions.services import INPUT_STATES
from nrm_panel.models import AGENCY_ROLES, Agency, Membership, Panel, Role, User
from nrm_panel.permissions import CASE_READER_ROLES, MEETING_ROLES, active_memberships, panel_ids_for, scope_to_panels
from referrals.clock import case_clock, with_target_date
from referrals.models import Referral, State
from referrals.selectors import visible_referrals


def visible_meetings(user) -> QuerySet[PanelMeeting]:
    return scope_to_panels(PanelMeeting.objects.select_related("panel", "chair"), user, MEETING_ROLES)


def meeting_for(user, public_id) -> PanelMeeting:
    return get_object_or_404(visible_meetings(user), public_id=public_id)


def meeting_list(user, *, today: datetime.date, upcoming: bool) -> QuerySet[PanelMeeting]:
    meetings = visible_meetings(user).annotate(
        item_count=Count("items", filter=Q(items__removed_at__isnull=True), distinct=True)
    )
    if upcoming:
        return meetings.filter(Q(date__gte=today) | Q(status=MeetingStatus.OPEN)).order_by("date", "starts_at")
    return meetings.filter(date__lt=today).exclude(status=MeetingStatus.OPEN).order_by("-date", "-starts_at")


def later_meetings(meeting: PanelMeeting) -> QuerySet[PanelMeeting]:
    """Meetings an item can be deferred to."""
    return PanelMeeting.objects.filter(
        panel_id=meeting.panel_id, date__gt=meeting.date, status=MeetingStatus.SCHEDULED
    ).order_by("date")


@dataclass
class AgendaRow:
    item: AgendaItem
    clock: object
    quorum: object
    decisions: dict
    is_due_before_meeting: bool


def agenda(meeting: PanelMeeting, *, today: datetime.date) -> list[AgendaRow]:
    """The meeting's items in order, with each case's clock, quorum and decisions, in a fixed number of queries."""
    items = list(
        meeting.items.filter(removed_at=None)
        .select_related("referral__panel", "referral__lead_social_worker", "deputy_chair", "reconsideration__decision")
        .prefetch_related(
            Prefetch("conflicts", queryset=ConflictOfInterest.objects.select_related("person")),
            Prefetch("decisions", queryset=Decision.objects.select_related("deferred_to", "signed_off_by")),
        )
        .order_by("position")
    )
    attendances = meeting_attendances(meeting)
    rows = []
    for item in items:
        item.meeting = meeting
        clock = case_clock(item.referral, today=today)
        rows.append(
            AgendaRow(
                item=item,
                clock=clock,
                quorum=item_quorum(item, attendances=attendances, conflicts=list(item.conflicts.all())),
                decisions={decision.kind: decision for decision in item.decisions.all()},
                is_due_before_meeting=bool(clock and clock.target_date < meeting.date),
            )
        )
    return rows


def meeting_attendances(meeting: PanelMeeting) -> list[Attendance]:
    return list(meeting.attendances.select_related("person", "agency"))


def agenda_proposals(meeting: PanelMeeting) -> QuerySet[Referral]:
    """Cases of the panel awaiting a decision and on no agenda, most urgent by the clock first."""
    on_an_agenda = AgendaItem.objects.filter(
        referral=OuterRef("pk"), removed_at__isnull=True, signed_off_at__isnull=True
    )
    accepted_reconsideration = Reconsideration.objects.filter(
        referral=OuterRef("pk"), status=ReconsiderationStatus.ACCEPTED
    )
    cases = (
        Referral.objects.filter(panel_id=meeting.panel_id)
        .filter(
            Q(state__in=[State.RG_PENDING, State.CG_PENDING])
            | Q(state=State.RECONSIDERATION) & Exists(accepted_reconsideration)
        )
        .exclude(Exists(on_an_agenda))
        .select_related("panel")
        .order_by("referral_date", "reference")
    )
    return with_target_date(cases)


def people_of_panel(panel: Panel, roles=None) -> QuerySet[User]:
    """Everyone with an active role on the panel (or one of `roles`): attendees, deputies, lead social workers."""
    if roles is not None:
        return User.objects.filter(
            memberships__panel=panel, memberships__is_active=True, memberships__role__in=roles, is_active=True
        ).distinct()
    return User.objects.filter(memberships__panel=panel, memberships__is_active=True, is_active=True).distinct()


def people_present(meeting: PanelMeeting) -> QuerySet[User]:
    return User.objects.filter(attendances__meeting=meeting).order_by("last_name", "first_name")


def attendance_labels(panel: Panel) -> dict[int, str]:
    """How each person on the panel would be recorded: 'Name, agency (voting)' or 'Name, role (advising)'."""
    labels = {}
    memberships = Membership.objects.filter(panel=panel, is_active=True, role__in=MEETING_ROLES)
    for membership in memberships.select_related("user", "agency"):
        if membership.agency_id:
            capacity = "voting" if membership.agency.kind in panel.voting_kinds else "advising"
            labels[membership.user_id] = f"{membership.user}, {membership.agency} ({capacity})"
        else:
            labels.setdefault(membership.user_id, f"{membership.user}, {membership.get_role_display()} (advising)")
    return labels


# Agency inputs


@dataclass
class InputStatus:
    agency: Agency
    agency_input: AgencyInput | None
    is_required: bool


def case_inputs(referral: Referral) -> list[InputStatus]:
    """Each agency of the panel with its current input on the case; required agencies first."""
    return inputs_for_cases([referral])[referral.pk]


def inputs_for_cases(referrals: list[Referral]) -> dict[int, list[InputStatus]]:
    """`case_inputs` for many cases of one panel in two queries, for the meeting pack."""
    if not referrals:
        return {}
    panel = referrals[0].panel
    agencies = list(Agency.objects.filter(panel_id=panel.pk))
    inputs = {}
    for each in AgencyInput.objects.filter(referral__in=referrals, locked_by=None).select_related("submitted_by"):
        inputs[(each.referral_id, each.agency_id)] = each
    result = {}
    for referral in referrals:
        rows = [
            InputStatus(
                agency=agency,
                agency_input=inputs.get((referral.pk, agency.pk)),
                is_required=agency.kind in panel.required_input_kinds,
            )
            for agency in agencies
        ]
        rows = [row for row in rows if row.is_required or row.agency_input]
        result[referral.pk] = sorted(rows, key=lambda row: (not row.is_required, row.agency.name))
    return result


def latest_locked_input(referral: Referral, agency: Agency) -> AgencyInput | None:
    """The agency's input used by the last signed decision, to start a new input from."""
    return (
        AgencyInput.objects.filter(referral=referral, agency=agency, locked_by__isnull=False)
        .order_by("-submitted_at")
        .first()
    )


def outstanding_inputs(user) -> QuerySet[Referral]:
    """Cases awaiting a decision on which an agency's input is not yet in, annotated `missing_input_count`.

    The coordinator and chair see the required agencies' gaps; a member sees their own agency's.
    """
    panel_ids = panel_ids_for(user, MEETING_ROLES)
    overseen = panel_ids_for(user, {Role.COORDINATOR, Role.CHAIR})
    agency_ids = {
        agency.pk
        for agency in Agency.objects.filter(panel_id__in=overseen).select_related("panel")
        if agency.kind in agency.panel.required_input_kinds
    } | {m.agency_id for m in active_memberships(user) if m.role in AGENCY_ROLES and m.panel_id not in overseen}
    given = AgencyInput.objects.filter(referral=OuterRef(OuterRef("pk")), agency=OuterRef("pk"), locked_by=None)
    missing = (
        Agency.objects.filter(pk__in=agency_ids, panel_id=OuterRef("panel_id"))
        .exclude(Exists(given))
        .order_by()
        .values("panel_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    cases = (
        Referral.objects.filter(panel_id__in=panel_ids, state__in=INPUT_STATES)
        .annotate(missing_input_count=Coalesce(Subquery(missing), 0))
        .filter(missing_input_count__gt=0)
        .select_related("panel")
        .order_by("referral_date", "reference")
    )
    return with_target_date(cases)


# Decisions


def case_decisions(referral: Referral) -> list[Decision]:
    """Every decision on the case, oldest first; a superseded decision stays on record."""
    return list(
        referral.decisions.select_related(
            "item__meeting", "signed_off_by", "deferred_to", "supersedes", "superseded_by"
        ).order_by("decided_on", "recorded_at")
    )


def case_agenda_item(referral: Referral) -> AgendaItem | None:
    return referral.agenda_items.filter(removed_at=None, signed_off_at=None).select_related("meeting").first()


def decisions_for_sca(user, *, returned: bool | None = None) -> QuerySet[Decision]:
    """Signed decisions of the coordinator's panels, for the return to the Single Competent Authority."""
    decisions = scope_to_panels(
        Decision.objects.filter(signed_off_at__isnull=False).exclude(outcome=Outcome.DEFERRED),
        user,
        {Role.COORDINATOR},
        panel_field="referral__panel",
    ).select_related("referral__panel", "item__meeting", "signed_off_by", "returned_to_sca_by", "supersedes")
    if returned is not None:
        decisions = decisions.filter(returned_to_sca_at__isnull=not returned)
    return decisions.order_by("signed_off_at")


def readable_case(user, referral_public_id) -> Referral:
    """A case the user may read as a member of its panel (not as its referrer)."""
    return get_object_or_404(
        visible_referrals(user).filter(panel_id__in=panel_ids_for(user, CASE_READER_ROLES)),
        public_id=referral_public_id,
    )
