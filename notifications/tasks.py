"""Sending the outbox's emails: after each change that notifies, and every minute by beat."""

from celery import shared_task
from django.db import OperationalError

from notifications import services


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def emails_send() -> int:
    return services.send_pending_emails()
