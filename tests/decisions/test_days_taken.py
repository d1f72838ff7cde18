"""The case keeps how many days its first reasonable and conclusive grounds decisions took."""

import pytest

from decisions.models import DecisionKind, Outcome

pytestmark = pytest.mark.django_db


def test_days_to_rg_and_cg_are_kept_from_the_first_decisions(sitting, steps):
    case = steps.case(referral_date=steps.day(-20))
    steps.decide(case, steps.meeting(), (DecisionKind.RG, Outcome.POSITIVE))
    assert (case.days_to_rg, case.days_to_cg) == (20, None)
    steps.decide(case, steps.meeting(), (DecisionKind.CG, Outcome.NEGATIVE))
    assert (case.days_to_rg, case.days_to_cg) == (20, 20)


def test_a_deferral_is_not_a_decision(sitting, steps):
    case = steps.case(referral_date=steps.day(-10))
    later = steps.meeting(steps.day(14))
    item = steps.add(steps.meeting(), case)
    steps.open(item.meeting)
    steps.record(item, DecisionKind.RG, Outcome.DEFERRED, deferred_to=later)
    steps.sign(item)
    case.refresh_from_db()
    assert case.days_to_rg is None
