"""Fixtures for the Celery app's tests: a real worker, and a panel ready to sit whose decisions have letters."""

from tests.celery_worker import celery_worker, celery_worker_later  # noqa: F401
from tests.decisions.conftest import sitting, steps  # noqa: F401
