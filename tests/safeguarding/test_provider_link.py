"""The health provider's link: no account, signed, single-use, expiring, for one request, rate-limited.
Every refusal is a page that says what happened, never an error."""

import datetime
import threading

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from notifications.models import Kind, Notification
from safeguarding.models import HealthRequestState
from safeguarding.services import health
from tests.factories import RgPendingReferralFactory
from tests.safeguarding.conftest import link_in, request_fields

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def answer(client, path, **extra):
    data = {"responded_by_name": "Dr Priya Shah, GP partner", "text": "Registered since 2023; seen twice."} | extra
    return client.post(path, data)


def test_the_link_shows_the_request_without_signing_in(client, provider_path, sent_request):
    response = client.get(provider_path)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Amara Okafor" in page and "Registration, attendances" in page
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]
    # Opening the link does not use it up.
    assert client.get(provider_path).status_code == 200


def test_the_provider_answers_once_with_a_document(client, provider_path, sent_request, nurse):
    upload = SimpleUploadedFile("summary.pdf", PDF, content_type="application/pdf")
    response = answer(client, provider_path, documents=[upload])
    assert response.status_code == 302 and response["Location"] == provider_path
    sent_request.refresh_from_db()
    assert sent_request.state == HealthRequestState.RECEIVED
    assert sent_request.responded_by_name == "Dr Priya Shah, GP partner"
    (document,) = sent_request.documents.all()
    assert document.uploaded_by is None and document.uploaded_through == sent_request.links.get()
    assert Notification.objects.filter(kind=Kind.HEALTH_RESPONSE_RECEIVED, recipient=nurse).exists()
    after = client.get(provider_path)
    assert after.status_code == 410
    assert "Response sent" in after.content.decode()
    assert "Amara" not in after.content.decode()


def test_a_used_link_cannot_send_again_and_changes_nothing(client, provider_path, sent_request):
    answer(client, provider_path)
    again = answer(client, provider_path, text="Something else entirely")
    assert again.status_code == 410
    assert again.context["reason"] == health.LINK_USED
    sent_request.refresh_from_db()
    assert sent_request.response_text == "Registered since 2023; seen twice."


def test_an_expired_link_gets_a_clear_page(client, provider_path, sent_request):
    sent_request.links.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    for response in (client.get(provider_path), answer(client, provider_path)):
        assert response.status_code == 410
        assert "This link has expired" in response.content.decode()
        assert "Amara" not in response.content.decode()
    sent_request.refresh_from_db()
    assert sent_request.state == HealthRequestState.SENT


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature
        lambda token: "X" + token[1:],  # the signed value
        lambda token: token.split(":")[0],  # no signature at all
        lambda token: "not-a-token",
        lambda token: "%00" + token,
        lambda token: "a" * 2000,
    ],
)
def test_a_tampered_token_is_refused_cleanly(client, provider_path, sent_request, tamper):
    prefix, token = provider_path.rstrip("/").rsplit("/", 1)
    response = client.get(f"{prefix}/{tamper(token)}/")
    assert response.status_code == 404
    assert "This link is not valid" in response.content.decode()
    assert answer(client, f"{prefix}/{tamper(token)}/").status_code == 404
    sent_request.refresh_from_db()
    assert sent_request.state == HealthRequestState.SENT


def test_a_token_works_only_for_its_own_request(client, panel, nurse, sent_request, provider_path):
    other = health.health_request_create(
        referral=RgPendingReferralFactory(panel=panel), user=nurse, **request_fields(contact_email="ward@nhs.net")
    )
    health.health_request_send(request=other, user=nurse)
    token = provider_path.rstrip("/").rsplit("/", 1)[1]
    # This request's token on the other request's address.
    crossed = f"/health-provider/{other.public_id}/{token}/"
    assert client.get(crossed).status_code == 404
    assert answer(client, crossed).status_code == 404
    other.refresh_from_db()
    sent_request.refresh_from_db()
    assert other.state == sent_request.state == HealthRequestState.SENT


def test_a_link_replaced_by_a_chase_or_for_a_withdrawn_request_says_so(
    client, provider_path, sent_request, nurse, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        health.health_request_chase(request=sent_request, user=nurse)
    assert client.get(provider_path).context["reason"] == health.LINK_REPLACED
    health.health_request_withdraw(request=sent_request, user=nurse, reason="Wrong practice")
    response = client.get(provider_path)
    assert response.status_code == 410 and response.context["reason"] == health.LINK_WITHDRAWN
    first, new_message = mail.outbox
    assert client.get(link_in(new_message)).context["reason"] == health.LINK_WITHDRAWN


def test_a_request_answered_by_the_nurse_closes_the_link(client, provider_path, sent_request, nurse):
    health.health_response_record(request=sent_request, user=nurse, responded_by_name="By phone", text="Noted")
    assert client.get(provider_path).status_code == 410


def test_the_links_are_rate_limited_per_address(client, provider_path, sent_request):
    for _ in range(60):
        assert client.get(provider_path).status_code == 200
    response = client.get(provider_path)
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    # Another address is not held back.
    assert client.get(provider_path, REMOTE_ADDR="192.0.2.7").status_code == 200


def test_guessing_tokens_is_rate_limited_too(client, sent_request):
    for attempt in range(60):
        client.get(f"/health-provider/{sent_request.public_id}/guess{attempt}/")
    assert client.get(f"/health-provider/{sent_request.public_id}/guess/").status_code == 429


def test_submissions_to_one_request_are_rate_limited_across_addresses(client, provider_path, sent_request):
    for attempt in range(20):
        client.post(provider_path, {"responded_by_name": ""}, REMOTE_ADDR=f"192.0.2.{attempt + 1}")
    response = answer(client, provider_path, REMOTE_ADDR="198.51.100.1")
    assert response.status_code == 429
    sent_request.refresh_from_db()
    assert sent_request.state == HealthRequestState.SENT


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"responded_by_name": ""}, "Enter an answer for"),
        ({"text": ""}, health.EMPTY_RESPONSE),
        ({"responded_by_name": "x" * 201}, "200 characters or fewer"),
        ({"text": "x" * 10_001}, "10000 characters or fewer"),
    ],
)
def test_bad_answers_are_refused_next_to_the_field_and_keep_the_link(
    client, provider_path, sent_request, data, message
):
    response = answer(client, provider_path, **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert client.get(provider_path).status_code == 200


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.pdf", b"MZ\x90\x00\x03 a windows program", "must be a PDF"),
        ("page.html", b"<script>alert(1)</script>", "must be a PDF"),
        ("empty.pdf", b"", "The submitted file is empty"),
        ("../../etc/passwd.pdf", PDF, None),
    ],
)
def test_malicious_uploads_are_refused_or_stored_safely(client, provider_path, sent_request, name, content, message):
    response = answer(client, provider_path, documents=[SimpleUploadedFile(name, content)])
    sent_request.refresh_from_db()
    if message:
        assert response.status_code == 400 and message in response.content.decode()
        assert sent_request.state == HealthRequestState.SENT and not sent_request.documents.exists()
    else:
        (document,) = sent_request.documents.all()
        assert ".." not in document.file.name and "passwd" not in document.file.name


def test_an_oversized_upload_or_too_many_files_are_refused(client, provider_path, sent_request, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * 2048)
    response = answer(client, provider_path, documents=[big])
    assert response.status_code == 400 and "must be smaller than" in response.content.decode()
    many = [SimpleUploadedFile(f"p{n}.pdf", PDF) for n in range(health.MAX_DOCUMENTS_PER_RESPONSE + 1)]
    response = answer(client, provider_path, documents=many)
    assert response.status_code == 400 and health.TOO_MANY_DOCUMENTS in response.content.decode()
    sent_request.refresh_from_db()
    assert sent_request.state == HealthRequestState.SENT


def test_a_signed_in_person_of_another_panel_learns_nothing_more(client, provider_path, login, other_panel):
    from nrm_panel.models import Role
    from tests.factories import member

    login(member(other_panel, Role.DESIGNATED_NURSE))
    prefix = provider_path.rsplit("/", 2)[0]
    assert client.get(f"{prefix}/forged/").status_code == 404


def test_the_email_holds_the_address_of_the_providers_page(sent_request, provider_path, client):
    link = sent_request.links.get()
    token = health.provider_link_token(link)
    assert provider_path == reverse("safeguarding:provider_respond", args=[sent_request.public_id, token])
    # Anonymous, and not sent to sign in: the link is the key.
    assert client.get(provider_path).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_two_answers_sent_at_the_same_moment_store_one(case, nurse):
    request = health.health_request_create(referral=case, user=nurse, **request_fields())
    token = health.provider_link_token(health.health_request_send(request=request, user=nurse))
    barrier = threading.Barrier(2)
    answered, refused, errors = [], [], []

    def send(text):
        try:
            barrier.wait(timeout=10)
            health.provider_response_submit(
                request_id=request.public_id, token=token, responded_by_name="Dr Shah", text=text
            )
            answered.append(text)
        except health.LinkRefused as refusal:
            refused.append(refusal.reason)
        except BaseException as error:  # reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(f"Answer {n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == [] and len(answered) == 1 and refused in (["used"], ["answered"])
    request.refresh_from_db()
    assert request.response_text == answered[0]
    assert request.history.filter(history_change_reason__startswith="Response received").count() == 1
