"""The safeguarding app's services: health information requests (`health`), support, actions and the move
to adulthood (`support`), court proceedings (`court`).

Their refusals are the decisions app's kinds of error, so one set of page helpers
(`decisions.view_helpers`) shows every refusal the same way: next to the field, nothing lost.
"""

from decisions.services import DecisionError, NotAllowed, StaleRecord
from nrm_panel.permissions import has_role
from referrals.models import Referral, State
from referrals.services import ROLE_NOT_ALLOWED

__all__ = ["SafeguardingError", "NotAllowed", "StaleRecord", "require_role", "require_open_case"]

NOT_SUBMITTED = "This referral has not been submitted yet."


class SafeguardingError(DecisionError):
    """A safeguarding rule was not met; the message says what to do."""


def require_role(user, referral: Referral, roles) -> None:
    if not has_role(user, referral.panel_id, roles):
        raise NotAllowed(ROLE_NOT_ALLOWED)


def require_open_case(referral: Referral) -> None:
    """Safeguarding work carries on after the decision (and past 18), but not on an unsubmitted draft."""
    if referral.state == State.DRAFT:
        raise SafeguardingError(NOT_SUBMITTED)
