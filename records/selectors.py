"""Reads for records management: when a case closed, which closed cases are due for a retention review, and
what the case page shows of a case's records (its anonymisation, the subject access exports one may make).

Every read of cases starts from the panels where the person holds a role (`nrm_panel.permissions`).
"""

import datetime

from django.db.models import DateField, Exists, F, Func, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from nrm_panel.models import Role
from nrm_panel.permissions import has_role, panel_ids_for, scope_to_panels
from records.models import Anonymisation, RetentionDecision, RetentionReview
from referrals.models import Referral, State
from safeguarding.models import CourtProceeding, HealthResponseDocument, ProceedingStatus
from safeguarding.selectors import panel_case_for

# The states a case ends in: closed after its decisions, withdrawn, or transferred to the Single Competent
# Authority. No move leaves them (referrals.state_machine), so the case's records are complete and the
# retention period runs from the day it entered one.
ENDED_STATES = (State.CLOSED, State.WITHDRAWN, State.TRANSFERRED)
# The coordinator reviews and exports; the chair reads the review list.
REVIEWER_ROLES = frozenset({Role.COORDINATOR})
REVIEW_READER_ROLES = frozenset({Role.COORDINATOR, Role.CHAIR})
# The health part of a subject access export: the designated nurses and doctors, who hold that detail.
HEALTH_EXPORT_ROLES = frozenset({Role.DESIGNATED_NURSE})


class YearsAfter(Func):
    """The date `years` years after a date, as PostgreSQL counts (29 February plus a year is 28 February)."""

    output_field = DateField()

    def __init__(self, date, years):
        super().__init__(date, years)

    def as_sql(self, compiler, connection, **extra):
        date_sql, date_params = compiler.compile(self.source_expressions[0])
        years_sql, years_params = compiler.compile(self.source_expressions[1])
        return f"({date_sql} + make_interval(years => {years_sql}))::date", (*date_params, *years_params)


def with_closure(cases: QuerySet[Referral]) -> QuerySet[Referral]:
    """Ended cases, with when each ended (`closed_at`, `closed_on`) and the day its panel's retention period
    runs out (`review_due_on`).

    The case has no "closed at" field: its history says when it entered the state it ended in (the first
    history row in that state; no move leaves it). A case with no such row (never seen) falls back on its
    last change, which is never earlier than its closure, so a review is never brought forward.
    """
    entered = (
        Referral.history.model.objects.filter(id=OuterRef("pk"), state=OuterRef("state"))
        .order_by("history_date", "history_id")
        .values("history_date")[:1]
    )
    return (
        cases.filter(state__in=ENDED_STATES)
        .annotate(closed_at=Coalesce(Subquery(entered), F("updated_at")))
        .annotate(closed_on=TruncDate("closed_at", tzinfo=timezone.get_default_timezone()))
        .annotate(review_due_on=YearsAfter(F("closed_on"), F("panel__retention_years")))
    )


def _latest_review():
    return RetentionReview.objects.filter(referral=OuterRef("pk")).order_by("-reviewed_at", "-id")


def due_for_review(cases: QuerySet[Referral], *, today: datetime.date) -> QuerySet[Referral]:
    """Of `cases`, those ended and past their panel's retention period, not anonymised, and not kept to a
    later date by their latest review. Each comes with `latest_decision` and `has_ongoing_proceedings`."""
    latest = _latest_review()
    return (
        with_closure(cases)
        .filter(review_due_on__lte=today, anonymisation__isnull=True)
        .annotate(
            latest_decision=Subquery(latest.values("decision")[:1]),
            latest_keep_until=Subquery(latest.values("keep_until")[:1]),
            has_ongoing_proceedings=Exists(
                CourtProceeding.objects.filter(referral=OuterRef("pk"), status=ProceedingStatus.ONGOING)
            ),
        )
        .filter(
            Q(latest_decision__isnull=True)
            | Q(latest_decision=RetentionDecision.ANONYMISE)
            | Q(latest_keep_until__lte=today)
        )
    )


def retention_review_list(user, *, today: datetime.date) -> QuerySet[Referral]:
    """The review list: the cases of the panels the user coordinates or chairs that are due for review,
    the longest closed first, each with its reviews (newest first, as `reviews`) in one more query."""
    cases = scope_to_panels(Referral.objects.all(), user, REVIEW_READER_ROLES)
    return (
        due_for_review(cases, today=today)
        .select_related("panel")
        .prefetch_related(
            Prefetch(
                "retention_reviews",
                queryset=RetentionReview.objects.select_related("reviewed_by").order_by("-reviewed_at", "-id"),
                to_attr="reviews",
            )
        )
        .order_by("closed_at", "reference", "pk")
    )


def may_read_review_list(user) -> bool:
    return bool(panel_ids_for(user, REVIEW_READER_ROLES))


def case_closure(referral: Referral) -> Referral | None:
    """The case with its `closed_at`, `closed_on` and `review_due_on`, or None if it has not ended."""
    return with_closure(Referral.objects.filter(pk=referral.pk)).select_related("panel").first()


def case_for_records(user, public_id) -> Referral:
    """A case the user reads as a member of its panel (not as its referrer), or 404."""
    return panel_case_for(user, public_id)


def anonymisation_of(referral: Referral) -> Anonymisation | None:
    return Anonymisation.objects.filter(referral=referral).select_related("review__reviewed_by").first()


def case_records(user, referral: Referral, *, today: datetime.date) -> dict:
    """What the case page shows of a case's records: whether it was anonymised (then nothing else of the case
    is shown), whether its coordinator has a retention review to record, and which subject access exports the
    user may make."""
    if referral.state == State.DRAFT:
        return {"anonymisation": None, "due_for_review": None, "can_export": False, "can_export_health": False}
    anonymisation = anonymisation_of(referral) if referral.state in ENDED_STATES else None
    is_coordinator = has_role(user, referral.panel_id, REVIEWER_ROLES)
    due = None
    if is_coordinator and not anonymisation and referral.state in ENDED_STATES:
        due = due_for_review(Referral.objects.filter(pk=referral.pk), today=today).first()
    return {
        "anonymisation": anonymisation,
        "due_for_review": due,
        "can_export": is_coordinator and not anonymisation,
        "can_export_health": not anonymisation and has_role(user, referral.panel_id, HEALTH_EXPORT_ROLES),
    }


def export_contents(referral: Referral) -> dict:
    """How much a subject access export of the case holds, for its page."""
    return {
        "attachment_count": referral.attachments.count(),
        "letter_count": referral.letters.exclude(file="").count(),
        "health_request_count": referral.health_requests.count(),
        "health_document_count": HealthResponseDocument.objects.filter(request__referral=referral).count(),
    }
