"""The Celery app, configured from Django settings (the CELERY_ namespace)."""

import logging
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nrm_panel.settings")

app = Celery("nrm_panel")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

log = logging.getLogger(__name__)


def announce(task, *args) -> None:
    """Ask a worker to start `task` now, for work already recorded in the database (an outbox).

    When the broker is down this neither raises nor waits (kombu would otherwise keep trying to
    connect for seconds, per task, inside the person's request): beat's sweep does the work later.
    """
    try:
        with app.connection_for_write(transport_options={"max_retries": 0}) as connection:
            task.apply_async(args, retry=False, connection=connection)
    except Exception:  # each transport raises its own errors; all of them mean "later"
        log.warning("The broker is unreachable: %s%s is left to the next sweep", task.name, args, exc_info=True)
