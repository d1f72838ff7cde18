"""Reads of safeguarding records. Every one starts from the cases a person reads as a member of a panel
(`panel_cases`), and health detail also from the panels where they hold a health role."""

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from decisions.models import Letter, LetterKind
from decisions.selectors import LETTER_READER_ROLES, visible_letters
from nrm_panel.models import Role
from nrm_panel.permissions import (
    CASE_READER_ROLES,
    has_role,
    health_panel_ids,
    panel_ids_for,
    roles_on,
    scope_to_panels,
)
from referrals.ages import eighteenth_birthday
from referrals.models import Referral, State
from safeguarding.models import (
    AWAITING_RESPONSE,
    CourtProceeding,
    HealthInformationRequest,
    HealthRequestState,
    Hearing,
    SafeguardingAction,
    SupportKind,
    SupportReferral,
    TransitionPlan,
)
from safeguarding.services.support import ACTION_WRITER_ROLES, SUPPORT_WRITER_ROLES, TRANSITION_WRITER_ROLES


def panel_cases(user) -> QuerySet[Referral]:
    """The submitted cases of the panels where the user holds a case-reading role. Not a referrer's own
    referrals: the safeguarding record is the panel's, not the referrer's."""
    if not user.is_authenticated:
        return Referral.objects.none()
    return scope_to_panels(Referral.objects.exclude(state=State.DRAFT), user, CASE_READER_ROLES)


def panel_case_for(user, public_id) -> Referral:
    """One case the user reads as a member of its panel, or 404 (a case one may not read does not exist)."""
    try:
        return panel_cases(user).select_related("panel").get(public_id=public_id)
    except (Referral.DoesNotExist, ValueError):
        raise Http404("No such case") from None


def is_health_reader(user, referral: Referral) -> bool:
    return referral.panel_id in health_panel_ids(user)


def visible_health_requests(user) -> QuerySet[HealthInformationRequest]:
    """Health information requests on the cases the user reads, of the panels where they hold a health role."""
    return HealthInformationRequest.objects.filter(
        referral__in=panel_cases(user), referral__panel_id__in=health_panel_ids(user)
    )


def health_request_for(user, public_id) -> HealthInformationRequest:
    try:
        return (
            visible_health_requests(user)
            .select_related("referral__panel", "requested_by", "response_recorded_by")
            .get(public_id=public_id)
        )
    except (HealthInformationRequest.DoesNotExist, ValueError):
        raise Http404("No such request") from None


def health_request_list(user, *, today: datetime.date) -> list[HealthInformationRequest]:
    """Every request on the user's health panels: those waiting for an answer first, the most overdue
    at the top, then drafts, then the answered and withdrawn, newest first."""
    requests = list(
        visible_health_requests(user)
        .select_related("referral__panel", "requested_by")
        .annotate(document_count=Count("documents"))
        .order_by("-created_at", "-id")
    )
    order = {HealthRequestState.SENT: 0, HealthRequestState.CHASED: 0, HealthRequestState.DRAFT: 1}
    return sorted(
        requests,
        key=lambda r: (order.get(r.state, 2), r.due_date if r.state in AWAITING_RESPONSE else datetime.date.max),
    )


def case_health(user, referral: Referral) -> dict:
    """The health part of the case page. A health role sees each request; anyone else on the panel sees only
    that health information was asked for and received, with the dates: never what was asked or answered."""
    if is_health_reader(user, referral):
        requests = list(
            referral.health_requests.select_related("requested_by")
            .annotate(document_count=Count("documents"))
            .order_by("-created_at", "-id")
        )
        return {
            "is_health_reader": True,
            "requests": requests,
            "can_request": has_role(user, referral.panel_id, {Role.DESIGNATED_NURSE}),
        }
    counts = referral.health_requests.exclude(state=HealthRequestState.DRAFT).aggregate(
        asked=Count("pk", filter=~Q(state=HealthRequestState.WITHDRAWN)),
        received=Count("pk", filter=Q(state=HealthRequestState.RECEIVED)),
        last_received_at=Max("received_at"),
    )
    return {"is_health_reader": False, **counts}


def health_request_page(user, request: HealthInformationRequest) -> dict:
    """Everything the page of one request shows; `request` comes from `health_request_for`."""
    is_nurse = has_role(user, request.referral.panel_id, {Role.DESIGNATED_NURSE})
    is_open = request.state not in (HealthRequestState.RECEIVED, HealthRequestState.WITHDRAWN)
    return {
        "health_request": request,
        "referral": request.referral,
        "documents": list(request.documents.select_related("uploaded_by")),
        "links": list(request.links.select_related("created_by")),
        "history": list(request.history.select_related("history_user").order_by("-history_date", "-history_id")),
        "today": timezone.localdate(),
        "now": timezone.now(),
        "can_send": is_nurse and request.state == HealthRequestState.DRAFT,
        "can_chase": is_nurse and request.state in AWAITING_RESPONSE,
        "can_change": is_nurse and is_open,
    }


# Court proceedings: read by every case-reading role of the panel; their letters only by those who read letters


def visible_proceedings(user) -> QuerySet[CourtProceeding]:
    return CourtProceeding.objects.filter(referral__in=panel_cases(user))


def proceeding_for(user, public_id) -> CourtProceeding:
    """One set of proceedings on a case the user reads as a member of its panel, or 404."""
    try:
        return visible_proceedings(user).select_related("referral__panel", "recorded_by").get(public_id=public_id)
    except (CourtProceeding.DoesNotExist, ValueError):
        raise Http404("No such proceedings") from None


def hearing_for(proceeding: CourtProceeding, hearing_id: int) -> Hearing:
    """A hearing of these proceedings (its id means nothing under any other), or 404."""
    try:
        return proceeding.hearings.get(pk=hearing_id)
    except (Hearing.DoesNotExist, ValueError):
        raise Http404("No such hearing") from None


def next_hearing(hearings, *, today: datetime.date) -> Hearing | None:
    """The first hearing today or later, from hearings in date order."""
    return next((hearing for hearing in hearings if hearing.date >= today), None)


def _defence_summaries(user, referral: Referral) -> QuerySet[Letter]:
    """The case's decision summary letters the user may read (`decisions.selectors.visible_letters`): none for
    a role that does not read letters."""
    return visible_letters(user).filter(referral=referral, kind=LetterKind.DEFENCE_SUMMARY)


def proceeding_letters(user, proceeding: CourtProceeding) -> QuerySet[Letter]:
    """Every version of the proceedings' decision summary letter the user may read, the latest first."""
    return _defence_summaries(user, proceeding.referral).filter(about=proceeding.letter_key).order_by("-version")


def proceeding_page(user, proceeding: CourtProceeding, *, today: datetime.date) -> dict:
    """Everything the proceedings' page shows, in a fixed number of queries whatever the number of hearings,
    letters and records of sending."""
    panel_id = proceeding.referral.panel_id
    hearings = list(proceeding.hearings.all())
    is_letter_reader = has_role(user, panel_id, LETTER_READER_ROLES)
    letters = list(proceeding_letters(user, proceeding)) if is_letter_reader else []
    return {
        "proceeding": proceeding,
        "referral": proceeding.referral,
        "hearings": hearings,
        "next_hearing": next_hearing(hearings, today=today),
        "is_letter_reader": is_letter_reader,
        "letters": letters,
        "sent": list(proceeding.letters_sent.select_related("letter", "recorded_by")),
        "is_coordinator": has_role(user, panel_id, {Role.COORDINATOR}),
    }


@dataclass
class ProceedingRow:
    proceeding: CourtProceeding
    next_hearing: Hearing | None
    latest_letter: Letter | None


def case_court(user, referral: Referral, *, today: datetime.date | None = None) -> dict:
    """The court part of the case page: each set of proceedings with its next hearing, how many times its
    letter was sent and, for those who read letters, its latest version."""
    today = today or timezone.localdate()
    proceedings = list(
        visible_proceedings(user)
        .filter(referral=referral)
        .annotate(sent_count=Count("letters_sent"))
        .prefetch_related("hearings")
        .order_by("recorded_at", "id")
    )
    is_letter_reader = has_role(user, referral.panel_id, LETTER_READER_ROLES)
    latest = {}
    if proceedings and is_letter_reader:
        keys = [proceeding.letter_key for proceeding in proceedings]
        for letter in _defence_summaries(user, referral).filter(about__in=keys).order_by("about", "-version"):
            latest.setdefault(letter.about, letter)
    return {
        "rows": [
            ProceedingRow(
                proceeding=proceeding,
                next_hearing=next_hearing(proceeding.hearings.all(), today=today),
                latest_letter=latest.get(proceeding.letter_key),
            )
            for proceeding in proceedings
        ],
        "is_letter_reader": is_letter_reader,
        "can_record": has_role(user, referral.panel_id, {Role.COORDINATOR}),
    }


# Support, safeguarding actions and turning 18

# A case is flagged when the child turns 18 within this time (or has turned 18 and the case is still open).
TURNING_18_WITHIN = relativedelta(months=6)
# With no date of birth, an estimated age of this or more flags the case: the child may turn 18 soon.
TURNING_18_ESTIMATED_AGE = 17
# Cases that are not the panel's to support: not yet accepted, sent back to the referrer, or ended.
NOT_WITH_PANEL = frozenset(
    {State.DRAFT, State.SUBMITTED, State.RETURNED, State.WITHDRAWN, State.CLOSED, State.TRANSFERRED}
)
# The turning-18 list is for the people who run the panel's cases, like the list of cases at risk.
TURNING_18_READER_ROLES = frozenset({Role.COORDINATOR, Role.CHAIR})


@dataclass(frozen=True)
class Turning18:
    """Why a case is flagged: the 18th birthday from the date of birth, or, with none, an estimated age."""

    birthday: datetime.date | None
    days_to_go: int | None  # 0 on the birthday, negative after it
    estimated_age: int | None

    @property
    def has_turned_18(self) -> bool:
        return self.days_to_go is not None and self.days_to_go <= 0


def turning_18_cutoff(today: datetime.date) -> datetime.date:
    """The latest date of birth whose 18th birthday is on or before today plus six months.

    Subtracting 18 years from that day gives it: relativedelta takes a 29 February back to the 28th, and a child
    born on 29 February (18th birthday 1 March, `eighteenth_birthday`) is flagged from the day 1 March is six
    months away, since 29 February comes before 1 March.
    """
    return today + TURNING_18_WITHIN - relativedelta(years=18)


def _is_turning_18(today: datetime.date) -> Q:
    return Q(date_of_birth__lte=turning_18_cutoff(today)) | Q(
        date_of_birth__isnull=True, estimated_age__gte=TURNING_18_ESTIMATED_AGE
    )


def turning_18_flag(referral: Referral, *, today: datetime.date) -> Turning18 | None:
    """The case's turning-18 flag, by the same rule as `turning_18_cases`, or None. A case referred as an adult
    is not a child's: it has no move to adulthood to plan."""
    if referral.state in NOT_WITH_PANEL or referral.is_adult:
        return None
    if referral.date_of_birth is not None:
        birthday = eighteenth_birthday(referral.date_of_birth)
        if birthday > today + TURNING_18_WITHIN:
            return None
        return Turning18(birthday=birthday, days_to_go=(birthday - today).days, estimated_age=None)
    if referral.estimated_age is not None and referral.estimated_age >= TURNING_18_ESTIMATED_AGE:
        return Turning18(birthday=None, days_to_go=None, estimated_age=referral.estimated_age)
    return None


def turning_18_cases(user, *, today: datetime.date) -> QuerySet[Referral]:
    """The open cases, across the panels where the user is coordinator or chair, of children who turn 18 within six
    months or have turned 18, soonest 18th birthday first; those known only by an estimated age last. Each case
    comes with its transition plan (or none) in the same query."""
    return (
        panel_cases(user)
        .filter(panel_id__in=panel_ids_for(user, TURNING_18_READER_ROLES), is_adult=False)
        .exclude(state__in=NOT_WITH_PANEL)
        .filter(_is_turning_18(today))
        .select_related("panel", "transition_plan")
        .order_by(F("date_of_birth").asc(nulls_last=True), "-estimated_age", "reference")
    )


def transition_plan_of(referral: Referral) -> TransitionPlan | None:
    """A case's transition plan; from a case read through `panel_cases`, or from a `turning_18_cases` row."""
    try:
        return referral.transition_plan
    except TransitionPlan.DoesNotExist:
        return None


def visible_support_referrals(user) -> QuerySet[SupportReferral]:
    return SupportReferral.objects.filter(referral__in=panel_cases(user))


def visible_safeguarding_actions(user) -> QuerySet[SafeguardingAction]:
    return SafeguardingAction.objects.filter(referral__in=panel_cases(user))


def support_referral_for(user, public_id) -> SupportReferral:
    try:
        return visible_support_referrals(user).select_related("referral__panel").get(public_id=public_id)
    except (SupportReferral.DoesNotExist, ValueError):
        raise Http404("No such support referral") from None


def safeguarding_action_for(user, public_id) -> SafeguardingAction:
    try:
        return visible_safeguarding_actions(user).select_related("referral__panel").get(public_id=public_id)
    except (SafeguardingAction.DoesNotExist, ValueError):
        raise Http404("No such safeguarding action") from None


def case_support(user, referral: Referral, *, today: datetime.date | None = None) -> dict:
    """The support part of the case page: the ICTG and other support referrals, the safeguarding actions (open
    ones by due date, overdue ones marked), the turning-18 flag and the transition plan. Three queries, whatever
    the number of records, each limited to the cases the user reads."""
    today = today or timezone.localdate()
    roles = roles_on(user, referral.panel_id)
    supports = list(visible_support_referrals(user).filter(referral=referral).order_by("-referred_on", "-id"))
    actions = list(
        visible_safeguarding_actions(user)
        .filter(referral=referral)
        .annotate(is_overdue=ExpressionWrapper(Q(done_on__isnull=True, due_on__lt=today), output_field=BooleanField()))
    )
    plan = TransitionPlan.objects.filter(referral__in=panel_cases(user), referral=referral).select_related("updated_by")
    return {
        "ictg": [s for s in supports if s.kind == SupportKind.ICTG],
        "other_support": [s for s in supports if s.kind != SupportKind.ICTG],
        "open_actions": sorted((a for a in actions if a.done_on is None), key=lambda a: (a.due_on, a.pk)),
        "done_actions": sorted(
            (a for a in actions if a.done_on is not None), key=lambda a: (a.done_on, a.pk), reverse=True
        ),
        "turning_18": turning_18_flag(referral, today=today),
        "transition_plan": plan.first(),
        "today": today,
        "can_record_support": bool(roles & SUPPORT_WRITER_ROLES),
        "can_record_actions": bool(roles & ACTION_WRITER_ROLES),
        "can_plan_transition": bool(roles & TRANSITION_WRITER_ROLES),
    }
