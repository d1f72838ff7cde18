"""Whether a referral is for the panel to decide: DESIGN.md section 3, "Scope".

In scope: a child who is, or is understood to be, 17 or under, more than 100 days from their
18th birthday, referred in or resident in the panel's area. Otherwise the case is transferred to
the Single Competent Authority (SCA) with a recorded reason.
"""

import datetime
from dataclasses import dataclass, field

from referrals.ages import days_until_18

DAYS_BEFORE_18_OUT_OF_SCOPE = 100


@dataclass(frozen=True)
class ScopeAssessment:
    reasons_out_of_scope: list[str] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)

    @property
    def is_in_scope(self) -> bool:
        return not self.reasons_out_of_scope and not self.unanswered


def assess_scope(referral, *, on: datetime.date) -> ScopeAssessment:
    reasons, unanswered = [], []
    if referral.is_adult:
        reasons.append("Aged 18 or over")
    elif referral.date_of_birth is None:
        reasons.append("Age uncertain: no date of birth")
    else:
        days_left = days_until_18(referral.date_of_birth, on)
        if days_left <= 0:
            reasons.append("Aged 18 or over")
        elif days_left <= DAYS_BEFORE_18_OUT_OF_SCOPE:
            reasons.append(f"Within {DAYS_BEFORE_18_OUT_OF_SCOPE} days of their 18th birthday ({days_left} days)")
    if referral.is_age_disputed:
        reasons.append("Age disputed")
    if referral.is_public_order_disqualification_considered:
        reasons.append("Being considered for a public order disqualification")
    elif referral.is_public_order_disqualification_considered is None:
        unanswered.append("Whether a public order disqualification is being considered")
    if referral.is_in_panel_area is False:
        reasons.append("Not referred in or resident in the panel's area")
    elif referral.is_in_panel_area is None:
        unanswered.append("Whether the child was referred in or lives in the panel's area")
    return ScopeAssessment(reasons_out_of_scope=reasons, unanswered=unanswered)
