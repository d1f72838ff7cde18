"""Retention reviews: the coordinator's decision on a closed case past its panel's retention period.

Anonymising the cases reviewed "anonymise" is `records.anonymisation`; the subject access exports are
`records.subject_access`.

Refusals are the decisions app's kinds of error, as the safeguarding app's are, so one set of page helpers
(`decisions.view_helpers`) shows every refusal the same way: next to the answer, nothing typed lost.
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from decisions.services import DecisionError, NotAllowed
from nrm_panel.permissions import has_role
from records.models import Anonymisation, KeepReason, RetentionDecision, RetentionReview
from records.selectors import REVIEWER_ROLES, case_closure
from referrals.models import Referral
from referrals.services import ROLE_NOT_ALLOWED
from safeguarding.models import ProceedingStatus

# Long enough for proceedings and appeals; a case kept longer is simply reviewed again then.
KEEP_UNTIL_MAX_YEARS = 20

NOT_ENDED = (
    "This case is {state}: only a closed, withdrawn or transferred case is reviewed for retention, once its "
    "panel's retention period has passed."
)
NOT_DUE = "This case is not due for review yet: its panel keeps it until {due:%-d %B %Y}."
ALREADY_ANONYMISED = "This case has already been anonymised: there is nothing left to review."
DECISION_REQUIRED = "Select whether to anonymise the case or keep it."
KEEP_UNTIL_REQUIRED = "Enter the date to keep the case until."
KEEP_UNTIL_NOT_FUTURE = "The date to keep the case until must be in the future."
KEEP_UNTIL_TOO_LATE = f"Keep the case for at most {KEEP_UNTIL_MAX_YEARS} years from today: review it again then."
KEEP_REASON_REQUIRED = "Select why the case is kept."
DETAILS_REQUIRED = "Say why the case is kept."
ONGOING_PROCEEDINGS = (
    "Criminal proceedings on this case are recorded as ongoing. Keep the case, or first record the "
    "proceedings as concluded or discontinued."
)


class RecordsError(DecisionError):
    """A records management rule was not met; the message says what to do."""


class AnswerRefused(RecordsError):
    """A rule about one answer: `field` names it as the form does, so the page shows the message next to it."""

    def __init__(self, message: str, *, field: str):
        super().__init__(message)
        self.field = field


def has_ongoing_proceedings(referral: Referral) -> bool:
    return referral.court_proceedings.filter(status=ProceedingStatus.ONGOING).exists()


def check_due_for_review(referral: Referral, *, today: datetime.date) -> Referral:
    """The case with its closure dates, if it is ended, past its panel's retention period and not anonymised;
    else a refusal that says why."""
    if Anonymisation.objects.filter(referral_id=referral.pk).exists():
        raise RecordsError(ALREADY_ANONYMISED)
    case = case_closure(referral)
    if case is None:
        raise RecordsError(NOT_ENDED.format(state=referral.get_state_display().lower()))
    if case.review_due_on > today:
        raise RecordsError(NOT_DUE.format(due=case.review_due_on))
    return case


def retention_review_record(
    *,
    referral: Referral,
    user,
    decision: str,
    keep_until: datetime.date | None = None,
    keep_reason: str = "",
    details: str = "",
    today: datetime.date | None = None,
) -> RetentionReview:
    """Record the coordinator's decision on a case due for review: anonymise it (the `anonymise_cases` command
    does it), or keep it until a date, for a reason; a kept case is listed again on that date.

    The same decision recorded twice in a row (a double click) is recorded once.
    """
    today = today or timezone.localdate()
    details = details.strip()
    with transaction.atomic():
        referral = Referral.objects.select_for_update(of=("self",)).get(pk=referral.pk)
        if not has_role(user, referral.panel_id, REVIEWER_ROLES):
            raise NotAllowed(ROLE_NOT_ALLOWED)
        check_due_for_review(referral, today=today)
        if decision == RetentionDecision.KEEP:
            _check_keep(keep_until=keep_until, keep_reason=keep_reason, details=details, today=today)
        elif decision == RetentionDecision.ANONYMISE:
            if has_ongoing_proceedings(referral):
                raise AnswerRefused(ONGOING_PROCEEDINGS, field="decision")
            keep_until, keep_reason = None, ""
        else:
            raise AnswerRefused(DECISION_REQUIRED, field="decision")
        latest = referral.retention_reviews.order_by("-reviewed_at", "-id").first()
        if latest and _same(latest, decision, keep_until, keep_reason, details, user):
            return latest
        return RetentionReview.objects.create(
            referral=referral,
            decision=decision,
            keep_until=keep_until,
            keep_reason=keep_reason,
            details=details,
            reviewed_by=user,
        )


def _same(review: RetentionReview, decision, keep_until, keep_reason, details, user) -> bool:
    recorded = (review.decision, review.keep_until, review.keep_reason, review.details, review.reviewed_by_id)
    return recorded == (decision, keep_until, keep_reason, details, user.pk)


def _check_keep(*, keep_until, keep_reason: str, details: str, today: datetime.date) -> None:
    if keep_until is None:
        raise AnswerRefused(KEEP_UNTIL_REQUIRED, field="keep_until")
    if keep_until <= today:
        raise AnswerRefused(KEEP_UNTIL_NOT_FUTURE, field="keep_until")
    if keep_until > today + relativedelta(years=KEEP_UNTIL_MAX_YEARS):
        raise AnswerRefused(KEEP_UNTIL_TOO_LATE, field="keep_until")
    if keep_reason not in KeepReason.values:
        raise AnswerRefused(KEEP_REASON_REQUIRED, field="keep_reason")
    if keep_reason == KeepReason.OTHER and not details:
        raise AnswerRefused(DETAILS_REQUIRED, field="details")
