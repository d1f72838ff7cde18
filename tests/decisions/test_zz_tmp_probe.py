import pytest
from referrals import services
from tests.factories import SubmittedReferralFactory

pytestmark = pytest.mark.django_db


def test_probe(panel, coordinator):
    case = SubmittedReferralFactory(panel=panel)
    services.referral_return(referral=case, user=coordinator, reason="x" * 90)
