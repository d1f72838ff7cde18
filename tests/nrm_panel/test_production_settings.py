"""The production start: it refuses unsafe settings, passes Django's deployment checks, serves
the container's health check behind a TLS-terminating proxy, and the files that deploy it
(docker-compose.yml, .env.example, the Dockerfile) agree with the settings."""

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
GOOD_SECRET_KEY = secrets.token_urlsafe(64)
HOST = "nrm.example.gov.uk"

DEBUG_ON = "DEBUG must be off"
BAD_SECRET_KEY = "SECRET_KEY must be set to a long random value"
NO_ALLOWED_HOSTS = "ALLOWED_HOSTS must name the host(s) the app is served on"
NO_SITE_URL = "SITE_URL must be the app's https:// address"


def settings_variables() -> set[str]:
    """Every environment variable nrm_panel/settings.py reads."""
    source = (BASE_DIR / "nrm_panel" / "settings.py").read_text()
    return set(re.findall(r"""env\.\w+\(\s*["']([A-Z][A-Z0-9_]*)["']""", source))


def production_environment(**overrides: str | None) -> dict[str, str]:
    """This process's environment with good production settings; an override of None unsets it.

    Every variable the settings read is dropped first (keeping the test run's database and
    Redis), so nothing from the developer's shell or the test settings leaks in.
    """
    keep = {"DATABASE_URL", "REDIS_URL"}
    environment = {
        name: value
        for name, value in os.environ.items()
        # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for the whole test run; a server never has it.
        if name in keep or name not in settings_variables() | {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="nrm_panel.settings",
        NRM_ENVIRONMENT="production",
        SECRET_KEY=GOOD_SECRET_KEY,
        ALLOWED_HOSTS=HOST,
        SITE_URL=f"https://{HOST}",
    )
    for name, value in overrides.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return environment


def run_python(*args: str, environment: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=120
    )


def test_settings_variables_are_found():
    # Guards the helper: if the way settings.py reads variables changes, the tests below
    # would otherwise quietly check nothing.
    assert {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"} <= settings_variables()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"DEBUG": "true"}, DEBUG_ON),
        ({"SECRET_KEY": None}, BAD_SECRET_KEY),
        ({"SECRET_KEY": ""}, BAD_SECRET_KEY),
        ({"SECRET_KEY": "short-and-guessable"}, BAD_SECRET_KEY),
        ({"ALLOWED_HOSTS": None}, NO_ALLOWED_HOSTS),
        ({"ALLOWED_HOSTS": ""}, NO_ALLOWED_HOSTS),
        ({"SITE_URL": None}, NO_SITE_URL),
        ({"SITE_URL": f"http://{HOST}"}, NO_SITE_URL),
    ],
    ids=[
        "debug-on",
        "no-secret-key",
        "empty-secret-key",
        "short-secret-key",
        "no-allowed-hosts",
        "empty-allowed-hosts",
        "no-site-url",
        "plain-http-site-url",
    ],
)
def test_production_start_refuses_unsafe_settings(overrides, message):
    result = run_python("-c", "import django; django.setup()", environment=production_environment(**overrides))

    assert result.returncode != 0
    assert "Refusing to start in production" in result.stderr
    assert message in result.stderr
    # Only the one problem is reported, so the message points at what to fix.
    for other in {DEBUG_ON, BAD_SECRET_KEY, NO_ALLOWED_HOSTS, NO_SITE_URL} - {message}:
        assert other not in result.stderr


def test_production_start_refuses_the_local_secret_key():
    from nrm_panel.settings import LOCAL_SECRET_KEY

    result = run_python(
        "-c", "import django; django.setup()", environment=production_environment(SECRET_KEY=LOCAL_SECRET_KEY)
    )

    assert result.returncode != 0
    assert BAD_SECRET_KEY in result.stderr


def test_production_settings_pass_the_deployment_checks():
    result = run_python(
        "manage.py", "check", "--deploy", "--fail-level", "WARNING", environment=production_environment()
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def _database_url_of(settings_dict: dict) -> str:
    """This run's DATABASE_URL (a TCP host, or the embedded server's socket) naming the test database."""
    parts = urllib.parse.urlsplit(os.environ.get("DATABASE_URL", "postgres:///nrm_panel"))
    return urllib.parse.urlunsplit(parts._replace(path="/" + settings_dict["NAME"]))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def production_web(db, tmp_path):
    """gunicorn serving the app with production settings, on the test database; yields its base URL."""
    from django.db import connection

    port = _free_port()
    log = tmp_path / "gunicorn.log"
    environment = production_environment(
        DATABASE_URL=_database_url_of(connection.settings_dict), STATIC_ROOT=str(tmp_path / "static")
    )
    with log.open("w") as log_file:  # gunicorn keeps its own copy of the file
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "nrm_panel.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            cwd=BASE_DIR,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=log_file,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    pytest.fail(f"gunicorn did not start:\n{log.read_text()}")
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)
        sys.stderr.write(log.read_text())  # shown by pytest when the test fails


def test_web_container_health_check_passes_behind_the_proxy(production_web):
    url = f"{production_web}/health/"

    healthy = run_python("scripts/healthcheck.py", url, environment={"ALLOWED_HOSTS": f"{HOST},other.example.gov.uk"})
    wrong_host = run_python("scripts/healthcheck.py", url, environment={"ALLOWED_HOSTS": "elsewhere.example"})

    assert healthy.returncode == 0, healthy.stderr
    assert wrong_host.returncode == 1


def test_production_redirects_plain_http_and_sends_hsts(production_web):
    import http.client

    parsed = urllib.parse.urlsplit(production_web)
    plain = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
    plain.request("GET", "/health/", headers={"Host": HOST})
    redirect = plain.getresponse()
    proxied = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
    proxied.request("GET", "/health/", headers={"Host": HOST, "X-Forwarded-Proto": "https"})
    secure = proxied.getresponse()

    assert redirect.status == 301
    assert redirect.getheader("Location") == f"https://{HOST}/health/"
    assert secure.status == 200
    assert secure.getheader("Strict-Transport-Security") == "max-age=31536000; includeSubDomains"


def test_env_example_documents_every_setting():
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", (BASE_DIR / ".env.example").read_text(), re.MULTILINE))

    assert settings_variables() - documented == set()


def test_readme_configuration_table_lists_every_setting():
    readme = (BASE_DIR / "README.md").read_text()

    assert {name for name in settings_variables() if f"`{name}`" not in readme} == set()


def test_env_example_holds_no_secret():
    values = dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", (BASE_DIR / ".env.example").read_text(), re.MULTILINE))

    assert values["SECRET_KEY"] == ""
    assert values["POSTGRES_PASSWORD"] == ""


def test_image_installs_the_system_libraries_the_setup_script_does():
    setup = (BASE_DIR / "scripts" / "setup").read_text()
    packages = re.search(r"system_packages=\(([^)]*)\)", setup).group(1).split()
    dockerfile = (BASE_DIR / "Dockerfile").read_text()

    # Chromium is for the browser tests only.
    assert [package for package in packages if package != "chromium" and package not in dockerfile] == []


def _docker_compose() -> list[str]:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    pytest.skip("docker-compose is not installed")


@pytest.fixture
def compose_directory(tmp_path):
    for name in ("docker-compose.yml", "Dockerfile", ".env.example"):
        shutil.copy(BASE_DIR / name, tmp_path / name)
    return tmp_path


def test_compose_file_is_valid_once_env_is_filled_in(compose_directory):
    compose = _docker_compose()
    filled = (compose_directory / ".env.example").read_text()
    filled = filled.replace("\nSECRET_KEY=\n", f"\nSECRET_KEY={GOOD_SECRET_KEY}\n")
    filled = filled.replace("\nPOSTGRES_PASSWORD=\n", f"\nPOSTGRES_PASSWORD={secrets.token_hex(32)}\n")
    (compose_directory / ".env").write_text(filled)

    result = subprocess.run([*compose, "config", "-q"], cwd=compose_directory, capture_output=True, text=True)

    assert result.returncode == 0, result.stderr


def test_compose_refuses_to_start_without_a_database_password(compose_directory):
    compose = _docker_compose()
    shutil.copy(compose_directory / ".env.example", compose_directory / ".env")

    result = subprocess.run([*compose, "config", "-q"], cwd=compose_directory, capture_output=True, text=True)

    assert result.returncode != 0
    assert "set POSTGRES_PASSWORD in .env" in result.stderr
