"""When Redis is down, a change still succeeds and nothing it owes is lost: the notification's email and the
letter wait in the database (the outbox) and go out when beat's sweeps run with the broker back. And a task
run twice (a retry, a redelivery after a lost worker) does its work once."""

import datetime
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from decisions import letters
from decisions.models import DecisionKind, Letter, LetterExport, LetterExportStatus, LetterStatus, Outcome
from decisions.tasks import letter_render, letters_pending
from notifications.models import EmailState, Kind, Notification
from notifications.tasks import emails_send
from nrm_panel.celery import app
from referrals.models import State
from tests.factories import SubmittedReferralFactory

# Nothing listens on port 1: a connection is refused at once, as when Redis is stopped.
UNREACHABLE = "redis://127.0.0.1:1/0"
RETURN_REASON = "Please add the police reference."
# What beat's sweeps leave alone, in case the letter's or the export's own task is still on its way.
SWEEP_GRACE = datetime.timedelta(minutes=5)


class Broker:
    """The test process's Celery app, sending its tasks to a broker that is `down()` until it is `back()`."""

    def __init__(self):
        self.saved = {"broker_url": app.conf.broker_url, "task_always_eager": app.conf.task_always_eager}

    def down(self) -> None:
        app.conf.update(broker_url=UNREACHABLE, task_always_eager=False)
        self._forget_connections()

    def back(self) -> None:
        """The broker is back; tasks run eagerly again, as the worker would run them."""
        app.conf.update(self.saved)
        self._forget_connections()

    @staticmethod
    def _forget_connections() -> None:
        # The app keeps the pool of connections to the broker it first used: forget it (as Celery's own
        # after-fork cleanup does), so that the next task goes to the broker configured now. Not closed:
        # kombu shares a URL's pool, and the broker's pool is wanted again when it is back.
        app._pool = None
        app.amqp._producer_pool = None


@pytest.fixture
def broker():
    broker = Broker()
    yield broker
    broker.back()


def stored(letter: Letter) -> tuple:
    return Letter.objects.values_list("status", "sha256", "file", "rendered_at").get(pk=letter.pk)


def return_referral(client, case):
    return client.post(reverse("referrals:triage", args=[case.public_id, "return"]), {"reason": RETURN_REASON})


@pytest.mark.django_db(transaction=True)  # the change commits, and its on-commit call to the broker runs in the request
def test_a_change_that_notifies_succeeds_while_the_broker_is_down_and_its_email_goes_later(
    panel, coordinator, login, broker, mailoutbox, caplog
):
    case = SubmittedReferralFactory(panel=panel)
    client = login(coordinator)
    broker.down()

    response = return_referral(client, case)

    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:case", args=[case.public_id])
    case.refresh_from_db()
    assert (case.state, case.state_reason) == (State.RETURNED, RETURN_REASON)
    notification = Notification.objects.get(recipient=case.referrer, kind=Kind.REFERRAL_RETURNED)
    assert notification.email_state == EmailState.PENDING
    assert mailoutbox == []
    assert [(record.name, record.levelname) for record in caplog.records] == [("nrm_panel.celery", "WARNING")]

    broker.back()
    assert emails_send() == 1  # beat's minutely sweep
    notification.refresh_from_db()
    assert (notification.email_state, notification.email_attempts) == (EmailState.SENT, 1)
    assert [email.to for email in mailoutbox] == [[case.referrer.email]]
    assert f"/notifications/{notification.public_id}/" in mailoutbox[0].body

    assert emails_send() == 0
    assert len(mailoutbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_letter_and_an_export_asked_for_while_the_broker_is_down_are_made_by_the_sweep(
    sitting, steps, login, broker, mailoutbox
):
    item = steps.decide(steps.case(), sitting.meeting, (DecisionKind.RG, Outcome.POSITIVE))
    decision = item.decisions.get()
    broker.down()
    client = login(sitting.coordinator)

    response = client.post(
        reverse("decisions:case_letter_issue", args=[decision.referral.public_id]), {"decision": decision.public_id}
    )

    assert response.status_code == 302
    letter = Letter.objects.get(decision=decision)
    assert (letter.status, letter.file.name, letter.sha256) == (LetterStatus.QUEUED, "", "")
    export = letters.letters_export_start(letters=[letter], user=sitting.coordinator)
    assert (export.status, export.done) == (LetterExportStatus.QUEUED, 0)

    broker.back()
    mailoutbox.clear()
    Letter.objects.filter(pk=letter.pk).update(requested_at=timezone.now() - SWEEP_GRACE)
    LetterExport.objects.filter(pk=export.pk).update(requested_at=timezone.now() - SWEEP_GRACE)
    assert letters_pending() == 2  # beat's minutely sweep: the letter, then the export
    letter.refresh_from_db()
    export.refresh_from_db()
    assert letter.status == LetterStatus.READY and letter.file.read().startswith(b"%PDF")
    assert (export.status, export.done, export.total) == (LetterExportStatus.READY, 1, 1)
    # Rendering told the coordinator, and with the broker back the email went at once.
    assert [email.to for email in mailoutbox] == [[sitting.coordinator.email]]

    assert letters_pending() == 0
    assert Letter.objects.get(pk=letter.pk).sha256 == letter.sha256
    assert len(mailoutbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_change_answers_within_seconds_while_the_broker_is_down(panel, coordinator, login, broker):
    case = SubmittedReferralFactory(panel=panel)
    client = login(coordinator)
    broker.down()

    started = time.monotonic()
    response = return_referral(client, case)
    took = time.monotonic() - started

    assert response.status_code == 302
    assert took < 3, f"the return took {took:.1f} s"


def test_a_task_run_twice_does_its_work_once(sitting, steps, mailoutbox):
    item = steps.decide(steps.case(), sitting.meeting, (DecisionKind.RG, Outcome.POSITIVE))
    decision = item.decisions.get()
    # No commit in this test, so no task has run yet: each runs here, twice, as a retry or redelivery would.
    letter = letters.letter_issue(referral=decision.referral, decision=decision, user=sitting.coordinator)

    assert letter_render.delay(letter.pk).get() is True
    rendered = stored(letter)
    assert letter_render.delay(letter.pk).get() is False
    assert stored(letter) == rendered
    assert letter.history.filter(history_change_reason__startswith="Rendered").count() == 1
    assert Notification.objects.filter(kind=Kind.LETTER_READY).count() == 1

    mailoutbox.clear()
    pending = Notification.objects.filter(email_state=EmailState.PENDING).count()
    assert pending >= 1
    assert emails_send() == pending
    assert emails_send() == 0
    assert len(mailoutbox) == pending
    assert not Notification.objects.filter(email_state=EmailState.PENDING).exists()
