"""A real Celery worker for the tests that need one: nrm_panel's app in a subprocess, on the test database and
the test run's Redis (settings.REDIS_URL, so a unix socket under `make test` too), taking a queue of its own.

Import both fixtures into a conftest.py (`celery_worker` needs `celery_worker_later`), as tests/nrm_panel
and tests/browser do:

    from tests.celery_worker import celery_worker, celery_worker_later  # noqa: F401

`celery_worker` is running when the test starts; `celery_worker_later` starts when the test says. Meanwhile
the test process sends its tasks to the worker's queue rather than running them eagerly, and the worker
sees only committed rows: the fixtures use the transactional database.

The worker is `python -m tests.celery_worker worker --pool=solo -Q <queue>`. This module's `__main__` block
makes three settings of the worker match the test's before handing over to `celery -A nrm_panel`:
- every task it sends goes to its own queue, so the follow-up work a task asks for (the email of a rendered
  letter) comes back to it, not to the shared "celery" queue that a `make run` worker on the same Redis takes;
- files go under the test's PRIVATE_MEDIA_ROOT (settings_test fixes the root; the root conftest moves it);
- email is written to files the test can read (settings_test fixes the in-memory backend, which a test
  cannot see in another process).
"""

import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urlencode, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from nrm_panel.celery import app

QUEUE = "NRM_TEST_WORKER_QUEUE"
MEDIA_ROOT = "NRM_TEST_WORKER_MEDIA_ROOT"
EMAIL_DIR = "NRM_TEST_WORKER_EMAIL_DIR"
# Generous: two shared cores, a cold start of Django and WeasyPrint, and other test runs beside this one.
TIMEOUT = 60
STOP_TIMEOUT = 15


def database_url(database: dict) -> str:
    """A DATABASE_URL (django-environ's form) for a connection's settings: the test database, during tests."""
    query = {key: value for key, value in (database.get("OPTIONS") or {}).items() if isinstance(value, str | int)}
    host = database.get("HOST") or ""
    if host.startswith("/"):  # a unix socket's folder, which a URL carries in its query
        query["host"], host = host, ""
    netloc = quote(database.get("USER") or "", safe="")
    if database.get("PASSWORD"):
        netloc += ":" + quote(database["PASSWORD"], safe="")
    netloc = f"{netloc}@{host}" if netloc else host
    if database.get("PORT"):
        netloc += f":{database['PORT']}"
    return urlunsplit(("postgres", netloc, "/" + quote(database["NAME"], safe=""), urlencode(query), ""))


class CeleryWorker:
    def __init__(self, *, queue: str, env: dict, cwd: Path, log_path: Path, email_dir: Path):
        self.queue = queue
        self.env = env
        self.cwd = cwd
        self.log_path = log_path
        self.email_dir = email_dir
        self.process: subprocess.Popen | None = None

    def start(self) -> "CeleryWorker":
        command = [
            sys.executable,
            "-m",
            "tests.celery_worker",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            f"--queues={self.queue}",
            f"--hostname={self.queue}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
        ]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                command, cwd=self.cwd, env=self.env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        return self

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # a warm shutdown: the task in hand finishes
        try:
            self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no output)"

    def wait_for(self, condition: Callable[[], object], what: str, *, timeout: float = TIMEOUT):
        """Poll `condition` until it is true and return it; fail, with the worker's output, if the worker
        stops or `timeout` seconds pass."""
        deadline = time.monotonic() + timeout
        while True:
            result = condition()
            if result:
                return result
            if self.process is not None and self.process.poll() is not None:
                exit_code = self.process.returncode
                raise AssertionError(f"The worker stopped (exit {exit_code}) before {what}:\n{self.log()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"No {what} after {timeout} s. The worker's output:\n{self.log()}")
            time.sleep(0.2)

    def emails(self) -> list[str]:
        """The emails the worker sent, one text (headers and body) each, oldest first."""
        return [path.read_text() for path in sorted(self.email_dir.glob("*.log"))]


def _require_broker() -> None:
    try:
        with app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=0)
    except Exception as error:
        pytest.fail(f"No Redis at REDIS_URL={settings.REDIS_URL} ({error}): run the tests with `make test`.")


def _route_to(queue: str | None) -> None:
    # Through update(), which rebuilds the app's router (celery.app.amqp observes it); setting the attribute does not.
    app.conf.update(task_routes={"*": {"queue": queue}} if queue else None)


def _delete_queue(queue: str) -> None:
    try:
        with app.connection_for_write() as broker:
            # Declared first: a channel deletes only the bindings it knows of.
            bound = app.amqp.queues[queue](broker.default_channel)
            bound.declare()
            bound.delete()
    except Exception:  # only tidying: the queue is empty, or Redis is gone
        pass


@pytest.fixture
def celery_worker_later(transactional_db, tmp_path):
    """A worker not yet started (call `.start()`): meanwhile the test's tasks wait for it in Redis."""
    _require_broker()
    queue = f"nrm-test-{uuid.uuid4().hex[:12]}"
    email_dir = tmp_path / "worker-email"
    email_dir.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "nrm_panel.settings_test",
        "NRM_ENVIRONMENT": "test",
        "DATABASE_URL": database_url(connection.settings_dict),
        "DATABASE_CONN_MAX_AGE": "0",  # no connection left open when the test run flushes or drops the database
        "REDIS_URL": settings.REDIS_URL,
        "PYTHONUNBUFFERED": "1",
        QUEUE: queue,
        MEDIA_ROOT: str(settings.PRIVATE_MEDIA_ROOT),
        EMAIL_DIR: str(email_dir),
    }
    worker = CeleryWorker(
        queue=queue, env=env, cwd=Path(settings.BASE_DIR), log_path=tmp_path / "celery-worker.log", email_dir=email_dir
    )
    was_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    _route_to(queue)
    try:
        yield worker
    finally:
        worker.stop()
        _route_to(None)
        app.conf.task_always_eager = was_eager
        _delete_queue(queue)


@pytest.fixture
def celery_worker(celery_worker_later):
    """A worker started before the test body runs."""
    return celery_worker_later.start()


def _run_worker(argv: list[str]) -> None:
    settings.PRIVATE_MEDIA_ROOT = Path(os.environ[MEDIA_ROOT])
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = os.environ[EMAIL_DIR]
    _route_to(os.environ[QUEUE])
    app.conf.worker_enable_remote_control = False  # no broadcast queue left behind in a shared Redis
    _exit_with_parent()

    from celery.bin.celery import main

    sys.argv = ["celery", "-A", "nrm_panel", *argv]  # finds the very app imported above
    main()


def _exit_with_parent() -> None:
    """Stop if the test run that started this worker dies without stopping it (killed, say)."""
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


if __name__ == "__main__":
    _run_worker(sys.argv[1:])
