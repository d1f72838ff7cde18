"""Background work: meetings scheduled ahead, letters rendered and exported, the clock's sweep."""

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from decisions import clock_sweep, letters, services
from nrm_panel.models import Panel


@shared_task
def meetings_schedule_all() -> int:
    """Idempotent: a meeting the rule already produced (even if moved or cancelled) is never made again."""
    today = timezone.localdate()
    return sum(
        len(services.meetings_schedule(panel=panel, today=today)) for panel in Panel.objects.filter(is_active=True)
    )


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def letter_render(letter_id: int) -> bool:
    return letters.letter_render(letter_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def letters_export_build(export_id: int) -> bool:
    return letters.letters_export_build(export_id)


@shared_task
def letters_pending() -> int:
    """The outbox of letters and exports: whatever a down broker or a lost worker left waiting."""
    return letters.letters_render_pending() + letters.letters_exports_pending()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def clock_sweep_all() -> dict[str, int]:
    """The 45-day clock's thresholds, for every panel: how many cases fired, by threshold.

    Idempotent (each threshold fires once per case, ever), so beat runs it hourly: a "due tomorrow"
    is caught early in the day, and a missed run costs an hour, not a day.
    """
    return clock_sweep.clock_sweep(today=timezone.localdate())
