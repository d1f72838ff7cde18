"""The referrer's and coordinator's main journey through HTTP: start, fill every section,
upload evidence, check answers, submit; then the coordinator finds and accepts the case."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from referrals import services
from referrals.models import Referral, State
from tests.factories import ReturnedReferralFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

SECTION_ANSWERS = {
    "child": {
        "first_name": "Casey",
        "last_name": "Example",
        "date_of_birth_0": "3",
        "date_of_birth_1": "4",
        "date_of_birth_2": "2011",
        "is_age_disputed": "False",
        "gender": "female",
        "nationality": "British",
        "languages": "English",
        "needs_interpreter": "False",
        "current_address": "Foster placement",
        "looked_after_status": "looked_after",
    },
    "first-responder": {
        "first_responder_organisation": "Lewisham Children's Services",
        "first_responder_organisation_type": "local_authority",
        "first_responder_name": "Jo Worker",
        "first_responder_role": "Social worker",
        "first_responder_email": "jo@council.example",
        "first_responder_phone": "020 7946 0000",
        "decision_safe_address": "Town Hall, Catford",
    },
    "exploitation": {
        "exploitation_types": ["county_lines"],
        "exploited_in": "uk",
        "exploitation_places": "Lewisham; Margate",
        "is_exploitation_ongoing": "False",
        "account": "Found in a trap house in Margate.",
        "indicators": ["missing_episodes", "drugs_or_weapons"],
    },
    "voice-of-the-child": {"child_wishes_and_feelings": "Wants to go home.", "child_knows_about_referral": "yes"},
    "other-agencies": {"other_agencies_involved": "Youth offending team"},
}


@pytest.mark.django_db
def test_referrer_submits_and_coordinator_accepts(login, referrer, coordinator, panel):
    client = login(referrer)
    response = client.post(reverse("referrals:start"), {"panel": panel.pk, "is_adult": "False"})
    referral = Referral.objects.get(referrer=referrer)
    assert response.status_code == 302
    for section, answers in SECTION_ANSWERS.items():
        response = client.post(
            reverse("referrals:section", args=[referral.public_id, section]), {**answers, "continue": ""}
        )
        assert response.status_code == 302, (section, response.content.decode()[:3000])
    upload = SimpleUploadedFile("chronology.pdf", PDF, content_type="application/pdf")
    response = client.post(
        reverse("referrals:evidence", args=[referral.public_id]), {"file": upload, "description": "Chronology"}
    )
    assert response.status_code == 302
    response = client.get(reverse("referrals:check", args=[referral.public_id]))
    assert response.status_code == 200
    assert "Incomplete" not in response.content.decode()
    response = client.post(reverse("referrals:check", args=[referral.public_id]))
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.state == State.SUBMITTED
    assert referral.reference.startswith("LEW-")
    page = client.get(response.url).content.decode()
    assert referral.reference in page

    client.logout()
    client = login(coordinator)
    queue = client.get(reverse("referrals:list"), {"state": "needs_triage", "search": "Casey"}).content.decode()
    assert referral.reference in queue
    case = client.get(reverse("referrals:case", args=[referral.public_id])).content.decode()
    assert "Casey Example" in case and "chronology.pdf" in case
    response = client.post(
        reverse("referrals:triage", args=[referral.public_id, "accept"]),
        {"is_in_panel_area": "True", "is_public_order_disqualification_considered": "False"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    referral.refresh_from_db()
    assert referral.state == State.RG_PENDING
    history = client.get(reverse("referrals:history", args=[referral.public_id])).content.decode()
    assert "Accepted: awaiting a reasonable grounds decision" in history


@pytest.mark.django_db
def test_evidence_the_panel_received_stays_when_the_referral_is_returned(login, referrer, panel):
    referral = ReturnedReferralFactory(panel=panel, referrer=referrer, submitted_at=timezone.now())
    client = login(referrer)
    upload = SimpleUploadedFile("seen.pdf", PDF, content_type="application/pdf")
    client.post(reverse("referrals:evidence", args=[referral.public_id]), {"file": upload, "description": "Seen"})
    seen = referral.attachments.get()
    # Uploaded before the last submission: the panel has it.
    referral.attachments.filter(pk=seen.pk).update(uploaded_at=referral.submitted_at - datetime.timedelta(days=1))

    response = client.post(
        reverse("referrals:attachment_remove", args=[referral.public_id, seen.public_id]), follow=True
    )

    assert services.EVIDENCE_SUBMITTED in response.content.decode()
    assert referral.attachments.filter(pk=seen.pk).exists()
    evidence_page = client.get(reverse("referrals:evidence", args=[referral.public_id])).content.decode()
    assert "Submitted to the panel" in evidence_page


@pytest.mark.django_db
def test_evidence_added_while_returned_can_be_removed_before_resubmitting(login, referrer, panel):
    referral = ReturnedReferralFactory(
        panel=panel, referrer=referrer, submitted_at=timezone.now() - datetime.timedelta(days=2)
    )
    client = login(referrer)
    upload = SimpleUploadedFile("wrong.pdf", PDF, content_type="application/pdf")
    client.post(reverse("referrals:evidence", args=[referral.public_id]), {"file": upload, "description": "Wrong"})
    attachment = referral.attachments.get()

    client.post(reverse("referrals:attachment_remove", args=[referral.public_id, attachment.public_id]))

    assert not referral.attachments.exists()
