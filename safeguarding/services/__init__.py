"""The safeguarding app's services: health information requests (`health`), support, actions and the move
to adulthood (`support`), court proceedings (`court`).

Their refusals are the decisions app's kinds of error, so one set of page helpers
(`decisions.view_helpers`) shows every refusal the same way: next to the field, nothing lost.
"""

from decisions.services import STALE, DecisionError, NotAllowed, StaleRecord
from nrm_panel.permissions import has_role
from referrals.models import Referral, State
from referrals.services import ROLE_NOT_ALLOWED

__all__ = [
    "SafeguardingError",
    "AnswerRefused",
    "NotAllowed",
    "StaleRecord",
    "require_role",
    "require_open_case",
    "history_version",
    "check_version",
    "save_with_reason",
]

NOT_SUBMITTED = "This referral has not been submitted yet."


class SafeguardingError(DecisionError):
    """A safeguarding rule was not met; the message says what to do."""


class AnswerRefused(SafeguardingError):
    """A rule about one answer: `field` names the argument as the form names its field, so the page shows the
    message next to that answer (`decisions.view_helpers.save_form`)."""

    def __init__(self, message: str, *, field: str):
        super().__init__(message)
        self.field = field


def require_role(user, referral: Referral, roles) -> None:
    if not has_role(user, referral.panel_id, roles):
        raise NotAllowed(ROLE_NOT_ALLOWED)


def require_open_case(referral: Referral) -> None:
    """Safeguarding work carries on after the decision (and past 18), but not on an unsubmitted draft."""
    if referral.state == State.DRAFT:
        raise SafeguardingError(NOT_SUBMITTED)


def history_version(record) -> int:
    """The id of the record's latest history entry (0 for no record). A change form carries it, so that saving
    over a change someone else made meanwhile is refused instead of silently undoing theirs."""
    if record is None or record.pk is None:
        return 0
    return record.history.order_by("-history_id").values_list("history_id", flat=True).first() or 0


def check_version(record, version: int | None) -> None:
    if version is not None and version != history_version(record):
        raise StaleRecord(STALE)


def save_with_reason(record, reason: str, user=None) -> None:
    """Save, with why in the history; and who, where given, so it is named even outside a request."""
    record._change_reason = reason
    if user is not None:
        record._history_user = user
    record.save()
