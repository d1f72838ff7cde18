"""What the benchmarks share: a database of their own (never the demo's), Redis, Django, a Celery worker.

Unless DATABASE_URL / REDIS_URL name servers, the embedded PostgreSQL and Redis of `make run` are
started (nrm_panel.local) and the benchmarks use the database `nrm_panel_bench` in them.
"""

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DATABASE = "nrm_panel_bench"


def use_project_python(script: str) -> None:
    """Started as `bench/<name>` by any Python: run again with the project's virtual environment."""
    venv_python = BASE_DIR / ".venv" / "bin" / "python"
    if venv_python.exists() and Path(sys.prefix).resolve() != venv_python.parent.parent.resolve():
        os.execv(venv_python, [str(venv_python), script, *sys.argv[1:]])


def prepare() -> list:
    """Point Django at the benchmark database and Redis, set it up, migrate it; return what must stay alive."""
    sys.path.insert(0, str(BASE_DIR))
    os.chdir(BASE_DIR)
    from nrm_panel import local

    keep_alive = []
    if not os.environ.get("DATABASE_URL"):
        server, url = local.start_postgres(BENCH_DATABASE)
        keep_alive.append(server)
        os.environ["DATABASE_URL"] = url
    if not os.environ.get("REDIS_URL"):
        process, url = local.start_redis()
        if process:
            keep_alive.append(process)
        os.environ["REDIS_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "nrm_panel.settings"
    os.environ["NRM_ENVIRONMENT"] = "local"
    os.environ["DEBUG"] = "true"  # the demo-data command runs only on a local run
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    os.environ.setdefault("PRIVATE_MEDIA_ROOT", tempfile.mkdtemp(prefix="nrm-bench-"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return keep_alive


def start_worker(concurrency: int = 1) -> subprocess.Popen:
    """A Celery worker on the same database and Redis, ready when this returns."""
    from nrm_panel.celery import app

    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "nrm_panel",
            "worker",
            f"--concurrency={concurrency}",
            "--loglevel=WARNING",
        ],
        cwd=BASE_DIR,
        env=os.environ.copy(),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if app.control.ping(timeout=0.5):
            return worker
    worker.terminate()
    raise SystemExit("The Celery worker did not start within a minute")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()


def wait_until(condition, *, timeout: float = 600, every: float = 0.1) -> float:
    """Seconds until `condition()` holds (or SystemExit after `timeout`)."""
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > timeout:
            raise SystemExit(f"Gave up after {timeout:.0f} s")
        time.sleep(every)
    return time.perf_counter() - started


def timed(call, runs: int) -> list[float]:
    """Milliseconds per call, over `runs` calls after one warm-up."""
    call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def percentiles(times: list[float]) -> tuple[float, float]:
    """The median and the 95th percentile (nearest rank) of `times`."""
    ordered = sorted(times)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def describe(times: list[float]) -> str:
    median, p95 = percentiles(times)
    return f"median {median:7.1f} ms   p95 {p95:7.1f} ms   ({len(times)} runs)"


def machine() -> str:
    """The machine and the software the figures came from, in a few lines: a figure means little without them."""
    import django
    from django.db import connection

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            cpu = next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    try:
        memory = f", {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB memory"
    except (ValueError, OSError, AttributeError):
        memory = ""
    load = ""
    if hasattr(os, "getloadavg"):
        load = "\nLoad average when measured: " + " ".join(f"{each:.2f}" for each in os.getloadavg())
    version = connection.pg_version if connection.vendor == "postgresql" else None
    database = f"PostgreSQL {version // 10000}.{version % 10000}" if version else connection.vendor
    return (
        f"Machine: {cpu}, {usable} of {os.cpu_count()} cores usable{memory}; {platform.system()} {platform.release()}\n"
        f"Software: Python {platform.python_version()}, Django {django.get_version()}, {database}{load}"
    )
