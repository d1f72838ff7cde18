"""Health information requests: drafting, sending, chasing, recording, withdrawing, and the overdue reminder."""

import datetime
import hashlib

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from decisions.services import NotAllowed
from notifications.models import Kind, Notification
from nrm_panel.models import Role
from safeguarding.models import HealthRequestState, ProviderLink
from safeguarding.services import SafeguardingError, health
from tests.factories import ReferralFactory, RgPendingReferralFactory, member
from tests.safeguarding.conftest import link_in, request_fields

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="gp-summary.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_only_a_designated_nurse_of_the_panel_drafts_a_request(case, people, health_member, other_panel):
    for person in (
        people[Role.COORDINATOR],
        people[Role.CHAIR],
        health_member,
        member(other_panel, Role.DESIGNATED_NURSE),
    ):
        with pytest.raises(NotAllowed):
            health.health_request_create(referral=case, user=person, **request_fields())
    assert not case.health_requests.exists()


def test_a_draft_is_saved_with_its_history_and_sends_nothing(draft_request):
    assert draft_request.state == HealthRequestState.DRAFT
    assert not draft_request.links.exists()
    assert mail.outbox == []
    assert draft_request.history.get().history_change_reason.startswith("Health information request to")


def test_a_due_date_in_the_past_is_refused(case, nurse):
    with pytest.raises(SafeguardingError, match=health.DUE_DATE_PAST):
        health.health_request_create(
            referral=case, user=nurse, **request_fields(due_date=timezone.localdate() - datetime.timedelta(days=1))
        )


def test_no_request_on_an_unsubmitted_draft_referral(panel, nurse):
    draft = ReferralFactory(panel=panel)
    with pytest.raises(SafeguardingError):
        health.health_request_create(referral=draft, user=nurse, **request_fields())


def test_sending_emails_the_provider_a_link_that_names_no_child(sent_request):
    assert sent_request.state == HealthRequestState.SENT
    assert sent_request.sent_at is not None
    link = sent_request.links.get()
    assert link.emailed_at is not None
    (message,) = mail.outbox
    assert message.to == ["practice.manager@nhs.net"]
    assert link_in(message).startswith(f"/health-provider/{sent_request.public_id}/")
    for detail in ("Amara", "Okafor", "Registration", sent_request.referral.reference):
        assert detail not in message.body and detail not in message.subject


def test_a_request_is_sent_once(sent_request, nurse):
    with pytest.raises(SafeguardingError, match="already been sent"):
        health.health_request_send(request=sent_request, user=nurse)
    assert sent_request.links.count() == 1


def test_chasing_sends_a_new_link_and_retires_the_old_one(sent_request, nurse, django_capture_on_commit_callbacks):
    old = sent_request.links.get()
    new_due = timezone.localdate() + datetime.timedelta(days=20)
    with django_capture_on_commit_callbacks(execute=True):
        new = health.health_request_chase(request=sent_request, user=nurse, due_date=new_due)
    sent_request.refresh_from_db()
    old.refresh_from_db()
    assert sent_request.state == HealthRequestState.CHASED
    assert sent_request.chase_count == 1 and sent_request.due_date == new_due
    assert old.retired_at is not None and new.retired_at is None
    assert len(mail.outbox) == 2 and health.provider_link_token(new) in mail.outbox[1].body
    with pytest.raises(health.LinkRefused) as refused:
        health.provider_link_check(request_id=sent_request.public_id, token=health.provider_link_token(old))
    assert refused.value.reason == health.LINK_REPLACED


def test_a_draft_cannot_be_chased(draft_request, nurse):
    with pytest.raises(SafeguardingError, match=health.NOT_AWAITING):
        health.health_request_chase(request=draft_request, user=nurse)


def test_the_nurse_records_a_response_with_documents(sent_request, nurse):
    health.health_response_record(
        request=sent_request, user=nurse, responded_by_name="Dr Shah, GP", text="Registered 2023.", uploads=[pdf()]
    )
    sent_request.refresh_from_db()
    assert sent_request.state == HealthRequestState.RECEIVED
    assert sent_request.response_recorded_by == nurse
    (document,) = sent_request.documents.all()
    assert document.sha256 == hashlib.sha256(PDF).hexdigest() and document.uploaded_by == nurse
    with document.file.open("rb") as stored:
        assert stored.read() == PDF
    assert sent_request.links.get().retired_at is not None


def test_an_empty_response_or_a_disguised_file_is_refused_and_nothing_is_saved(sent_request, nurse):
    with pytest.raises(SafeguardingError, match=health.EMPTY_RESPONSE):
        health.health_response_record(request=sent_request, user=nurse, responded_by_name="Dr Shah", text=" ")
    with pytest.raises(SafeguardingError, match="must be a PDF"):
        health.health_response_record(
            request=sent_request,
            user=nurse,
            responded_by_name="Dr Shah",
            text="See attached",
            uploads=[pdf("notes.pdf", b"MZ\x90\x00 this is a windows program")],
        )
    sent_request.refresh_from_db()
    assert sent_request.state == HealthRequestState.SENT and not sent_request.documents.exists()


def test_an_answer_is_never_overwritten(sent_request, nurse):
    health.health_response_record(request=sent_request, user=nurse, responded_by_name="Dr Shah", text="First")
    with pytest.raises(SafeguardingError, match=health.ANSWERED):
        health.health_response_record(request=sent_request, user=nurse, responded_by_name="Someone", text="Second")
    sent_request.refresh_from_db()
    assert sent_request.response_text == "First"


def test_withdrawing_needs_a_reason_and_stops_the_link(sent_request, nurse):
    with pytest.raises(SafeguardingError, match=health.WITHDRAW_REASON_REQUIRED):
        health.health_request_withdraw(request=sent_request, user=nurse, reason="")
    health.health_request_withdraw(request=sent_request, user=nurse, reason="Sent to the wrong practice")
    link = sent_request.links.get()
    with pytest.raises(health.LinkRefused) as refused:
        health.provider_link_check(request_id=sent_request.public_id, token=health.provider_link_token(link))
    assert refused.value.reason == health.LINK_WITHDRAWN


def test_a_failing_mail_server_is_tried_again_then_shown_as_failed(draft_request, nurse, settings):
    settings.EMAIL_BACKEND = "tests.safeguarding.test_health_requests.BrokenBackend"
    health.health_request_send(request=draft_request, user=nurse)
    link = draft_request.links.get()
    for _ in range(health.MAX_EMAIL_ATTEMPTS):
        assert health.provider_emails_send() == 0
    link.refresh_from_db()
    assert link.email_failed and link.emailed_at is None and link.email_attempts == health.MAX_EMAIL_ATTEMPTS
    health.provider_emails_send()
    link.refresh_from_db()
    assert link.email_attempts == health.MAX_EMAIL_ATTEMPTS


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


def test_the_link_email_goes_once_however_often_the_outbox_runs(draft_request, nurse):
    health.health_request_send(request=draft_request, user=nurse)
    assert health.provider_emails_send() == 1
    assert health.provider_emails_send() == 0
    assert len(mail.outbox) == 1


def test_overdue_requests_remind_the_panels_nurses_once_per_due_date(sent_request, nurse, people, panel):
    second_nurse = member(panel, Role.DESIGNATED_NURSE)
    late = sent_request.due_date + datetime.timedelta(days=1)
    reminded = Notification.objects.filter(kind=Kind.HEALTH_REQUEST_OVERDUE)
    health.health_requests_remind_overdue(today=sent_request.due_date)
    assert not reminded.exists()
    health.health_requests_remind_overdue(today=late)
    health.health_requests_remind_overdue(today=late)
    assert sorted(n.recipient_id for n in reminded) == sorted([nurse.pk, second_nurse.pk])
    assert all("Rushey" not in n.text and "Amara" not in n.text for n in reminded)
    # A chase with a new date that also passes reminds again.
    sent_request.due_date = late + datetime.timedelta(days=5)
    sent_request.save()
    health.health_requests_remind_overdue(today=sent_request.due_date + datetime.timedelta(days=1))
    assert reminded.all().count() == 4


def test_answered_withdrawn_and_draft_requests_are_never_reminded(case, nurse, sent_request):
    draft = health.health_request_create(referral=case, user=nurse, **request_fields())
    health.health_response_record(request=sent_request, user=nurse, responded_by_name="Dr Shah", text="Done")
    health.health_requests_remind_overdue(today=draft.due_date + datetime.timedelta(days=30))
    assert not Notification.objects.filter(kind=Kind.HEALTH_REQUEST_OVERDUE).exists()


def test_the_reminder_is_set_based(panel, nurse, django_assert_max_num_queries):
    for _ in range(8):
        request = health.health_request_create(
            referral=RgPendingReferralFactory(panel=panel), user=nurse, **request_fields()
        )
        health.health_request_send(request=request, user=nurse)
    with django_assert_max_num_queries(4):
        health.health_requests_remind_overdue(today=timezone.localdate() + datetime.timedelta(days=30))
    assert Notification.objects.filter(kind=Kind.HEALTH_REQUEST_OVERDUE, recipient=nurse).count() == 8
    assert ProviderLink.objects.count() == 8
