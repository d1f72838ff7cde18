"""Background work: emailing health providers their links, and reminding nurses of overdue requests."""

from celery import shared_task

from safeguarding.services import health


@shared_task
def provider_emails_send() -> int:
    return health.provider_emails_send()


@shared_task
def health_requests_remind_overdue() -> None:
    health.health_requests_remind_overdue()
