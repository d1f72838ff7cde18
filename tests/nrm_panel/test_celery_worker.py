"""The background work on a real Celery worker, as in production: a worker process taking tasks from Redis
and working on rows the web process committed. Letters are rendered and exported, and the outbox's emails
sent, by the worker alone (nothing runs eagerly in the test process)."""

import hashlib
import io
import zipfile

import pytest

from decisions import letters
from decisions.models import DecisionKind, Letter, LetterExport, LetterExportStatus, LetterStatus, Outcome
from notifications.models import EmailState, Kind, Notification
from referrals import services as referral_services
from referrals.models import Referral, State
from tests.factories import SubmittedReferralFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_worker_renders_a_letter_exports_it_and_emails_that_it_is_ready(sitting, steps, celery_worker):
    item = steps.decide(steps.case(), sitting.meeting, (DecisionKind.RG, Outcome.POSITIVE))
    decision = item.decisions.get()

    letter = letters.letter_issue(referral=decision.referral, decision=decision, user=sitting.coordinator)
    letter = celery_worker.wait_for(
        lambda: Letter.objects.filter(pk=letter.pk, status=LetterStatus.READY).first(), "letter rendered"
    )
    pdf = letter.file.read()
    assert pdf.startswith(b"%PDF") and hashlib.sha256(pdf).hexdigest() == letter.sha256

    export = letters.letters_export_start(letters=[letter], user=sitting.coordinator)
    export = celery_worker.wait_for(
        lambda: LetterExport.objects.filter(pk=export.pk, status=LetterExportStatus.READY).first(), "export built"
    )
    assert (export.done, export.total) == (1, 1)
    with export.file.open("rb") as zipped:
        archive = zipfile.ZipFile(io.BytesIO(zipped.read()))
    assert archive.namelist() == [letter.filename]
    assert hashlib.sha256(archive.read(letter.filename)).hexdigest() == letter.sha256

    # Rendering told the coordinator the letter is ready; the worker asked itself to email them, and did.
    ready = Notification.objects.get(recipient=sitting.coordinator, kind=Kind.LETTER_READY)
    celery_worker.wait_for(lambda: _email_state(ready) == EmailState.SENT, "letter-ready email sent")
    (email,) = [text for text in celery_worker.emails() if "Subject: NRM Panel: Letter ready" in text]
    assert f"To: {sitting.coordinator.email}" in email
    assert f"/notifications/{ready.public_id}/" in email
    assert decision.referral.reference not in email  # a link, no case detail


def test_a_change_in_the_web_process_is_emailed_by_the_worker(panel, coordinator, celery_worker):
    case = SubmittedReferralFactory(panel=panel)

    referral_services.referral_return(referral=case, user=coordinator, reason="Please add the police reference.")

    assert Referral.objects.get(pk=case.pk).state == State.RETURNED
    notification = Notification.objects.get(recipient=case.referrer, kind=Kind.REFERRAL_RETURNED)
    celery_worker.wait_for(lambda: _email_state(notification) == EmailState.SENT, "email sent")
    (email,) = celery_worker.emails()
    assert f"To: {case.referrer.email}" in email
    assert "Subject: NRM Panel: Referral returned for more information" in email
    assert f"/notifications/{notification.public_id}/" in email


def _email_state(notification: Notification) -> str:
    return Notification.objects.values_list("email_state", flat=True).get(pk=notification.pk)
