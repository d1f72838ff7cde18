"""Reads for meetings, agendas, agency inputs and decisions, every one scoped to the user's panels."""

import datetime
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from decisions.models import (
    AgencyInput,
    AgendaItem,
    Attendance,
    ConflictOfInterest,
    Decision,
    DecisionKind,
    Letter,
    LetterExport,
    MeetingStatus,
    Outcome,
    PanelMeeting,
    Reconsideration,
    ReconsiderationStatus,
)
from decisions.quorum import item_quorum
from decisions.services import INPUT_STATES
from notifications.services import people_with_roles
from nrm_panel.models import AGENCY_ROLES, Agency, Membership, Panel, Role, User
from nrm_panel.permissions import CASE_READER_ROLES, MEETING_ROLES, active_memberships, panel_ids_for, scope_to_panels
from referrals.clock import (
    AMBER_WHEN_DAYS_LEFT,
    case_clock,
    latest_referral_date_missing_rg_target,
    with_target_date,
)
from referrals.models import Referral, State
from referrals.selectors import visible_referrals
from referrals.state_machine import CLOCK_RUNNING_STATES


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
    conflicts: list


def agenda(meeting: PanelMeeting, *, today: datetime.date) -> list[AgendaRow]:
    """The meeting's items in order, with each case's clock, quorum and decisions, in a fixed number of queries."""
    items = list(
        meeting.items.filter(removed_at=None)
        .select_related("referral__panel", "referral__lead_social_worker", "deputy_chair", "reconsideration__decision")
        # Into plain lists (to_attr): Django otherwise clones a queryset for each item, which on a long agenda
        # cost more than all the page's queries.
        .prefetch_related(
            Prefetch(
                "conflicts", queryset=ConflictOfInterest.objects.select_related("person"), to_attr="conflict_list"
            ),
            Prefetch(
                "decisions",
                queryset=Decision.objects.select_related("deferred_to", "signed_off_by"),
                to_attr="decision_list",
            ),
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
                quorum=item_quorum(item, attendances=attendances, conflicts=item.conflict_list),
                decisions={decision.kind: decision for decision in item.decision_list},
                is_due_before_meeting=bool(clock and clock.target_date < meeting.date),
                conflicts=item.conflict_list,
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
    return people_with_roles(panel.pk, Role.values if roles is None else roles)


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


# Letters: the coordinator issues and exports them; the chair may read them.

LETTER_READER_ROLES = frozenset({Role.COORDINATOR, Role.CHAIR})


def visible_letters(user) -> QuerySet[Letter]:
    letters = Letter.objects.select_related("referral", "decision", "requested_by")
    return scope_to_panels(letters, user, LETTER_READER_ROLES, panel_field="referral__panel")


def letter_for(user, public_id) -> Letter:
    return get_object_or_404(visible_letters(user).select_related("referral__panel"), public_id=public_id)


def latest_letters(letters: QuerySet[Letter]) -> QuerySet[Letter]:
    """Only the latest version of each letter (DISTINCT ON counts a missing decision as one value)."""
    latest = letters.order_by("referral_id", "kind", "decision_id", "about", "-version").distinct(
        "referral_id", "kind", "decision_id", "about"
    )
    return letters.filter(pk__in=Subquery(latest.values("pk")))


def letter_list(user, *, meeting: PanelMeeting | None = None, kind: str = "", status: str = "") -> QuerySet[Letter]:
    # The latest version first, then the filters: "ready" must never offer a version since corrected.
    letters = latest_letters(visible_letters(user))
    if meeting is not None:
        letters = letters.filter(decision__item__meeting=meeting)
    if kind:
        letters = letters.filter(kind=kind)
    if status:
        letters = letters.filter(status=status)
    return letters.order_by("-requested_at", "referral__reference")


def letter_versions(letter: Letter) -> QuerySet[Letter]:
    return (
        Letter.objects.filter(
            referral_id=letter.referral_id, kind=letter.kind, decision=letter.decision_id, about=letter.about
        )
        .order_by("-version")
        .select_related("requested_by")
    )


def case_letters(referral: Referral) -> list[Letter]:
    return list(latest_letters(Letter.objects.filter(referral=referral)).select_related("decision"))


def visible_exports(user) -> QuerySet[LetterExport]:
    return scope_to_panels(LetterExport.objects.select_related("requested_by"), user, {Role.COORDINATOR})


def letter_counts(meeting: PanelMeeting) -> dict:
    """How many of a meeting's signed decisions have their letter, and how many letters are ready."""
    return (
        Decision.objects.filter(item__meeting=meeting)
        .exclude(signed_off_at=None)
        .exclude(outcome=Outcome.DEFERRED)
        .aggregate(
            decisions=Count("pk", distinct=True),
            with_letter=Count("pk", filter=Q(letters__isnull=False), distinct=True),
            # Decisions with a letter ready (a corrected letter has several versions, and counts once).
            ready=Count("pk", filter=Q(letters__status="ready"), distinct=True),
        )
    )


# The 45-day clock: conditions the clock's sweep (decisions.clock_sweep) and the at-risk list share.


def open_agenda_items() -> QuerySet[AgendaItem]:
    """The case's item on an agenda (at most one), for an Exists on a Referral queryset."""
    return AgendaItem.objects.filter(referral=OuterRef("pk"), removed_at__isnull=True, signed_off_at__isnull=True)


def late_agenda_items() -> QuerySet[AgendaItem]:
    """The case's item on a meeting dated after its target; the referrals need `with_target_date`."""
    return (
        open_agenda_items()
        .filter(meeting__date__gt=OuterRef("target_date"))
        .exclude(meeting__status=MeetingStatus.CANCELLED)
    )


def next_meeting_date(today: datetime.date) -> Subquery:
    """The date of the case's panel's next scheduled meeting, for a Referral queryset."""
    return Subquery(
        PanelMeeting.objects.filter(panel=OuterRef("panel"), date__gte=today, status=MeetingStatus.SCHEDULED)
        .order_by("date")
        .values("date")[:1]
    )


def with_late_meeting(cases: QuerySet[Referral], *, today: datetime.date) -> QuerySet[Referral]:
    """Annotate `late_meeting_date`: the meeting the case will be decided at, where it falls after its
    target: the one whose agenda it is on, or, not on an agenda yet, the panel's next meeting.
    The cases need `with_target_date`."""
    return cases.annotate(
        is_on_agenda=Exists(open_agenda_items()), next_meeting_date=next_meeting_date(today)
    ).annotate(
        late_meeting_date=Coalesce(
            Subquery(late_agenda_items().values("meeting__date")[:1]),
            Case(
                When(is_on_agenda=False, next_meeting_date__gt=F("target_date"), then=F("next_meeting_date")),
                default=None,
            ),
        )
    )


def rg_decided() -> Exists:
    """The case has a signed reasonable grounds decision (a deferral decides nothing)."""
    return Exists(
        Decision.objects.filter(referral=OuterRef("pk"), kind=DecisionKind.RG, signed_off_at__isnull=False).exclude(
            outcome=Outcome.DEFERRED
        )
    )


def rg_target_rules() -> list[tuple[str, int]]:
    """The (nation, working days) of every panel that sets a reasonable grounds target: a handful."""
    return list(
        Panel.objects.filter(rg_target_working_days__isnull=False)
        .order_by()
        .values_list("nation", "rg_target_working_days")
        .distinct()
    )


def rg_referral_dates(rules, bounds) -> Q | None:
    """Cases of panels with those rules whose referral date is within `bounds(nation, working days)`,
    a (first, last) pair where either may be None; None where no panel sets a target."""
    condition = None
    for nation, working_days in rules:
        first, last = bounds(nation, working_days)
        dates = Q(panel__nation=nation, panel__rg_target_working_days=working_days)
        if first is not None:
            dates &= Q(referral_date__gte=first)
        if last is not None:
            dates &= Q(referral_date__lte=last)
        condition = dates if condition is None else condition | dates
    return condition


def rg_target_missed(rules, *, today: datetime.date) -> Q | None:
    """Cases whose reasonable grounds target was before today (whether or not RG is decided)."""
    return rg_referral_dates(
        rules, lambda nation, days: (None, latest_referral_date_missing_rg_target(nation, days, today=today))
    )


AT_RISK_READER_ROLES = frozenset({Role.COORDINATOR, Role.CHAIR})


def cases_at_risk(user, *, today: datetime.date) -> QuerySet[Referral]:
    """Cases of the user's panels (as coordinator or chair) whose clock runs and which are at risk of a
    late decision: amber, red or overdue, on a meeting after their target, or past their RG target.

    Most urgent first. Each case is annotated with what the list shows: `target_date`,
    `is_on_agenda`, `late_meeting_date` and `is_rg_target_missed`.
    """
    cases = with_target_date(
        scope_to_panels(Referral.objects.filter(state__in=CLOCK_RUNNING_STATES), user, AT_RISK_READER_ROLES)
    )
    missed = rg_target_missed(rg_target_rules(), today=today)
    is_rg_target_missed = (
        ExpressionWrapper(missed & ~rg_decided(), output_field=BooleanField()) if missed else Value(False)
    )
    cases = with_late_meeting(cases, today=today).annotate(is_rg_target_missed=is_rg_target_missed)
    return (
        cases.filter(
            Q(target_date__lte=today + datetime.timedelta(days=AMBER_WHEN_DAYS_LEFT))
            | Q(late_meeting_date__isnull=False)
            | Q(is_rg_target_missed=True)
        )
        .select_related("panel")
        .order_by("target_date", "referral_date", "reference")
    )


def at_risk_reasons(case: Referral) -> list[str]:
    """Why a case from `cases_at_risk` is at risk, besides its clock, in words."""
    reasons = []
    if not case.is_on_agenda:
        reasons.append("Not on an agenda")
    if case.late_meeting_date:
        which = "Meeting" if case.is_on_agenda else "The panel's next meeting"
        reasons.append(f"{which} on {case.late_meeting_date:%-d %B %Y}, after its target")
    if case.is_rg_target_missed:
        reasons.append("Reasonable grounds target missed")
    return reasons
