"""The coordinator records why a case will be decided late; it shows on the case and in the at-risk list."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from nrm_panel.models import Role
from referrals import services
from referrals.models import Referral
from tests.factories import RgPendingReferralFactory, member

pytestmark = pytest.mark.django_db

REASON = "Waiting for the police disclosure, promised for next week."


@pytest.fixture
def late_case(panel, people):
    """A case on day 41 of 45: red."""
    return RgPendingReferralFactory(panel=panel, referral_date=timezone.localdate() - datetime.timedelta(days=41))


def url(case) -> str:
    return reverse("referrals:delay_reason", args=[case.public_id])


def test_the_coordinator_records_a_reason_shown_on_the_case(login, coordinator, late_case):
    client = login(coordinator)
    case_page = client.get(reverse("referrals:case", args=[late_case.public_id])).content.decode()
    assert url(late_case) in case_page

    response = client.post(url(late_case), {"delay_reason": REASON})

    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:case", args=[late_case.public_id])
    late_case.refresh_from_db()
    assert late_case.delay_reason == REASON
    assert late_case.history.first().history_change_reason == "Reason for the delay recorded"
    assert REASON in client.get(response["Location"]).content.decode()


def test_a_missing_reason_is_refused_next_to_the_field_and_the_old_one_kept(login, coordinator, late_case):
    late_case.delay_reason = "An earlier reason."
    late_case.save()

    response = login(coordinator).post(url(late_case), {"delay_reason": "   "})

    assert response.status_code == 400
    page = response.content.decode()
    field = page[page.index('id="div_id_delay_reason"') : page.index("</textarea>")]
    assert "govuk-error-message" in field and "Enter the reason for the delay" in field
    late_case.refresh_from_db()
    assert late_case.delay_reason == "An earlier reason."


def test_a_reason_too_long_is_refused_and_what_was_typed_kept(login, coordinator, late_case):
    typed = "Waiting. " * 1200
    response = login(coordinator).post(url(late_case), {"delay_reason": typed})

    assert response.status_code == 400
    assert typed.strip()[:200] in response.content.decode()
    assert Referral.objects.get(pk=late_case.pk).delay_reason == ""


def test_another_panels_case_is_not_found(login, late_case, other_panel):
    client = login(member(other_panel, Role.COORDINATOR))
    assert client.get(url(late_case)).status_code == 404
    assert client.post(url(late_case), {"delay_reason": REASON}).status_code == 404
    assert Referral.objects.get(pk=late_case.pk).delay_reason == ""


@pytest.mark.parametrize("role", [Role.CHAIR, Role.PANEL_MEMBER, Role.AUDITOR])
def test_only_the_coordinator_may_record_it(login, people, late_case, role):
    client = login(people[role])
    assert client.get(url(late_case)).status_code == 403
    assert client.post(url(late_case), {"delay_reason": REASON}).status_code == 403
    assert Referral.objects.get(pk=late_case.pk).delay_reason == ""


def test_the_service_refuses_a_blank_reason_and_another_role(people, late_case):
    with pytest.raises(services.ReferralError, match=services.DELAY_REASON_REQUIRED):
        services.referral_record_delay_reason(referral=late_case, user=people[Role.COORDINATOR], reason=" ")
    with pytest.raises(services.ReferralError, match=services.ROLE_NOT_ALLOWED):
        services.referral_record_delay_reason(referral=late_case, user=people[Role.CHAIR], reason=REASON)


def test_the_case_page_offers_it_only_while_the_case_is_at_risk(login, coordinator, panel):
    on_track = RgPendingReferralFactory(panel=panel, referral_date=timezone.localdate() - datetime.timedelta(days=10))
    page = login(coordinator).get(reverse("referrals:case", args=[on_track.public_id])).content.decode()
    assert url(on_track) not in page


def test_the_reason_is_for_the_panel_not_the_referrer(client, coordinator, people, late_case):
    services.referral_record_delay_reason(referral=late_case, user=coordinator, reason=REASON)
    case_url = reverse("referrals:case", args=[late_case.public_id])
    client.force_login(people[Role.AUDITOR])
    assert REASON in client.get(case_url).content.decode()
    client.force_login(late_case.referrer)
    page = client.get(case_url)
    assert page.status_code == 200 and REASON not in page.content.decode()
