"""Periodic work for meetings: keep six months of each panel's regular meetings scheduled."""

from celery import shared_task
from django.utils import timezone

from decisions import services
from nrm_panel.models import Panel


@shared_task
def meetings_schedule_all() -> int:
    """Idempotent: a meeting the rule already produced (even if moved or cancelled) is never made again."""
    today = timezone.localdate()
    return sum(
        len(services.meetings_schedule(panel=panel, today=today)) for panel in Panel.objects.filter(is_active=True)
    )
