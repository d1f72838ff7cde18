"""The coordinator's queue: what waits for triage, counted on their own panel only."""

import pytest
from django.urls import reverse

from nrm_panel.models import Role
from tests.factories import RgPendingReferralFactory, SubmittedReferralFactory, member

pytestmark = pytest.mark.django_db


def test_coordinator_sees_how_many_referrals_of_their_panel_need_triage(login, coordinator, panel, other_panel):
    SubmittedReferralFactory.create_batch(2, panel=panel)
    RgPendingReferralFactory(panel=panel)
    SubmittedReferralFactory(panel=other_panel)

    page = login(coordinator).get(reverse("referrals:list")).content.decode()

    assert "2 referrals need triage" in page


def test_referrer_is_not_shown_a_triage_count(login, referrer, panel):
    SubmittedReferralFactory(panel=panel, referrer=referrer)

    response = login(referrer).get(reverse("referrals:list"))

    assert "need triage" not in response.content.decode()
    assert "needs triage" not in response.content.decode()
    assert response.context["needs_triage_count"] is None


def test_a_coordinator_of_two_panels_counts_both(login, coordinator, panel, other_panel):
    member(other_panel, Role.COORDINATOR, user=coordinator)
    SubmittedReferralFactory(panel=panel)
    SubmittedReferralFactory(panel=other_panel)

    page = login(coordinator).get(reverse("referrals:list")).content.decode()

    assert "2 referrals need triage" in page


def test_case_page_prompts_the_coordinator_to_notify_the_police_until_recorded(login, coordinator, panel):
    from referrals.models import OrganisationType

    case = SubmittedReferralFactory(panel=panel)
    by_police = SubmittedReferralFactory(panel=panel, first_responder_organisation_type=OrganisationType.POLICE)
    client = login(coordinator)
    prompt = "Record the police notification"

    assert prompt in client.get(reverse("referrals:case", args=[case.public_id])).content.decode()
    assert prompt not in client.get(reverse("referrals:case", args=[by_police.public_id])).content.decode()
    client.post(
        reverse("referrals:police_notification", args=[case.public_id]),
        {"notified_on_0": "1", "notified_on_1": "11", "notified_on_2": "2026"},
    )
    page = client.get(reverse("referrals:case", args=[case.public_id])).content.decode()
    assert prompt not in page
    assert "Police notified on 1 November 2026" in page


def test_no_police_prompt_where_the_panel_does_not_notify(login, coordinator, panel):
    panel.notifies_police = False
    panel.save()
    case = SubmittedReferralFactory(panel=panel)

    page = login(coordinator).get(reverse("referrals:case", args=[case.public_id])).content.decode()

    assert "Record the police notification" not in page
