"""The safeguarding part of the case page: health information, support, actions, turning 18, court proceedings.

An inclusion tag, so the referrals app's case page shows it without importing this app's code.
"""

from django import template

from nrm_panel.permissions import CASE_READER_ROLES, roles_on
from referrals.models import State
from safeguarding import selectors

register = template.Library()


@register.inclusion_tag("safeguarding/_case_section.html", takes_context=True)
def case_safeguarding(context, referral):
    user = context["request"].user
    roles = roles_on(user, referral.panel_id)
    if referral.state == State.DRAFT or not roles & CASE_READER_ROLES:
        return {"shown": False}
    return {
        "shown": True,
        "referral": referral,
        "health": selectors.case_health(user, referral),
        "support": selectors.case_support(user, referral),
        "court": selectors.case_court(user, referral),
    }
