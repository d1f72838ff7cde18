"""The production configuration: Django's deployment checks pass, cookies and transport are locked down, the
content security policy allows no inline code, and the local demonstration's switch is refused. Then uploads:
a file is what its content says (not its name), is stored under a random name outside the web root, and comes
back only as a download the browser will not open as a page.

The production start's other refusals and the HSTS redirect behind gunicorn are in
tests/nrm_panel/test_production_settings.py; the evidence upload's refusals (executables or HTML named .pdf,
empty, oversized, path names) in tests/referrals/test_bad_input.py, its download headers in
tests/referrals/test_permissions.py (test_attachment_download_is_never_cached_or_sniffed), and the health
provider's uploads in tests/safeguarding/test_provider_link.py. Here: the same for the nurse's upload of a
health document, and one upload of each kind followed from the form to the disk and back."""

import json
import os
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.http import parse_header_parameters

from nrm_panel.models import Role
from referrals import services as referral_services
from safeguarding.models import HealthRequestState
from safeguarding.services import health
from tests.factories import RgPendingReferralFactory
from tests.nrm_panel.test_production_settings import production_environment, run_python
from tests.safeguarding.conftest import request_fields

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200 + b"This program cannot be run"
HTML_PAGE = b"<!DOCTYPE html><html><body><script>document.location='https://evil.example'</script></body></html>"
# A PDF to anything that checks its first bytes, and a web page to a browser that sniffs.
POLYGLOT = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n%%EOF\n"

PRODUCTION_SETTINGS = [
    "DEBUG",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_NAME",
    "CSRF_COOKIE_NAME",
    "SESSION_COOKIE_PATH",
    "SESSION_COOKIE_DOMAIN",
    "CSRF_COOKIE_PATH",
    "CSRF_COOKIE_DOMAIN",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_EXPIRE_AT_BROWSER_CLOSE",
    "CSRF_COOKIE_HTTPONLY",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS",
    "CONTENT_SECURITY_POLICY",
    "SIGN_IN_WITHOUT_SECOND_FACTOR",
    "PRIVATE_MEDIA_ROOT",
    "STATIC_ROOT",
    "STATICFILES_DIRS",
    "EMAIL_BACKEND",
]


# --- The production settings -------------------------------------------------------------------------


def test_production_settings_pass_the_deployment_checks_at_warning_level():
    result = run_python(
        "manage.py", "check", "--deploy", "--fail-level", "WARNING", environment=production_environment()
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.fixture(scope="module")
def production():
    """The settings a production start ends up with (read in a process started as production)."""
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name, None) for name in {PRODUCTION_SETTINGS!r}}}, default=str))"
    )
    result = run_python("-c", script, environment=production_environment())
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_sends_cookies_only_over_https_to_this_host(production):
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    # A __Host- cookie is kept by browsers only when Secure, for the path /, with no Domain.
    assert production["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert production["CSRF_COOKIE_NAME"].startswith("__Host-")
    assert production["SESSION_COOKIE_PATH"] == production["CSRF_COOKIE_PATH"] == "/"
    assert production["SESSION_COOKIE_DOMAIN"] is None and production["CSRF_COOKIE_DOMAIN"] is None
    assert production["SESSION_COOKIE_HTTPONLY"] is True and production["CSRF_COOKIE_HTTPONLY"] is True
    assert production["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert production["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is True


def test_production_insists_on_https(production):
    assert production["DEBUG"] is False
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert production["SECURE_HSTS_SECONDS"] >= 365 * 24 * 60 * 60
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert production["SECURE_REFERRER_POLICY"] == "same-origin"
    assert production["X_FRAME_OPTIONS"] == "DENY"


def test_production_content_security_policy_allows_no_inline_code(production):
    directives = production["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]
    every_source = [str(source) for sources in directives.values() for source in sources]

    assert not [source for source in every_source if "unsafe" in source or source == "*"]
    assert directives["default-src"] == ["'self'"]
    # A script runs from the app's own files, or written into the page with the page's nonce.
    assert directives["script-src"] == ["'self'", "csp.constants.NONCE"]
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == directives["object-src"] == directives["base-uri"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]


def test_production_keeps_uploads_outside_the_static_files_and_sends_real_email(production):
    private = Path(production["PRIVATE_MEDIA_ROOT"]).resolve()
    static_roots = [Path(production["STATIC_ROOT"]).resolve()] + [
        Path(entry[1] if isinstance(entry, list) else entry).resolve() for entry in production["STATICFILES_DIRS"]
    ]

    for static in static_roots:
        assert not private.is_relative_to(static), f"{private} is under {static}"
        assert not static.is_relative_to(private)
    assert production["SIGN_IN_WITHOUT_SECOND_FACTOR"] is False
    assert "console" not in production["EMAIL_BACKEND"] and "locmem" not in production["EMAIL_BACKEND"]


@pytest.mark.parametrize("value", ["true", "1", "yes"])
def test_production_refuses_to_start_without_the_second_factor(value):
    environment = production_environment(SIGN_IN_WITHOUT_SECOND_FACTOR=value)

    start = run_python("-c", "import django; django.setup()", environment=environment)
    check = run_python("manage.py", "check", "--deploy", environment=environment)

    for result in (start, check):
        assert result.returncode != 0
        assert "Refusing to start in production" in result.stderr
        assert "SIGN_IN_WITHOUT_SECOND_FACTOR is for a local demonstration only" in result.stderr


# --- What every response says to the browser ---------------------------------------------------------


@pytest.fixture
def case(panel, referrer):
    return RgPendingReferralFactory(panel=panel, referrer=referrer, first_name="Amara", last_name="Okafor")


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["login", "case", "set_up"])
def test_pages_carry_the_policy_and_every_script_carries_its_nonce(client, case, coordinator, page):
    if page == "case":
        client.force_login(coordinator)
        path = reverse("referrals:case", args=[case.public_id])
    elif page == "set_up":
        client.force_login(coordinator, second_factor=False)
        path = reverse("second_factor_set_up")
    else:
        path = reverse("login")

    response = client.get(path)

    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    nonce = re.search(r"script-src 'self' 'nonce-([^']+)'", policy).group(1)
    html = response.content.decode()
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert 'src="' in tag or f'nonce="{nonce}"' in tag, tag
    assert not re.search(r"<style\b", html), "an inline style block, which the policy blocks"
    assert not re.search(r"\sstyle=", html), "an inline style attribute, which the policy blocks"
    assert not re.search(r"\son[a-z]+=", html), "an inline event handler, which the policy blocks"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]


# --- Uploads -----------------------------------------------------------------------------------------


def files_under(root) -> list[str]:
    return sorted(os.path.relpath(os.path.join(d, f), root) for d, _, files in os.walk(root) for f in files)


def assert_stored_privately(file_field, folder: str, original_name: str) -> None:
    """Under PRIVATE_MEDIA_ROOT/<folder>/ with a random name; nothing of the name the person gave it."""
    root = os.path.realpath(django_settings.PRIVATE_MEDIA_ROOT)
    stored = os.path.realpath(file_field.path)
    assert stored.startswith(root + os.sep)
    assert not stored.startswith(os.path.realpath(django_settings.STATIC_ROOT) + os.sep)
    assert re.fullmatch(rf"{folder}/[0-9a-f]{{32}}", file_field.name), file_field.name
    stem = Path(original_name).stem.lower()
    assert stem not in file_field.name.lower() and ".pdf" not in file_field.name


def assert_served_as_a_download(response, content: bytes, original_name: str) -> None:
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert original_name in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == content


@pytest.mark.django_db
def test_evidence_is_stored_under_a_random_name_and_served_only_as_a_download(client, panel, referrer):
    from tests.factories import ReferralFactory

    draft = ReferralFactory(panel=panel, referrer=referrer)
    client.force_login(referrer)
    # What the browser says the file is does not count: the app reads the content.
    upload = SimpleUploadedFile("Amara statement.pdf", POLYGLOT, content_type="text/html")

    response = client.post(
        reverse("referrals:evidence", args=[draft.public_id]), {"file": upload, "description": "Statement"}
    )

    assert response.status_code == 302
    attachment = draft.attachments.get()
    assert attachment.content_type == "application/pdf"
    assert_stored_privately(attachment.file, str(panel.pk), "Amara statement.pdf")
    download = client.get(reverse("referrals:attachment", args=[draft.public_id, attachment.public_id]))
    assert_served_as_a_download(download, POLYGLOT, "Amara statement.pdf")


@pytest.fixture
def sent_request(case, people, django_capture_on_commit_callbacks):
    nurse = people[Role.DESIGNATED_NURSE]
    draft = health.health_request_create(referral=case, user=nurse, **request_fields())
    with django_capture_on_commit_callbacks(execute=True):
        health.health_request_send(request=draft, user=nurse)
    draft.refresh_from_db()
    return draft


@pytest.fixture
def as_nurse(client, people):
    client.force_login(people[Role.DESIGNATED_NURSE])
    return client


def record_response(client, health_request, *documents):
    return client.post(
        reverse("safeguarding:health_response_record", args=[health_request.public_id]),
        {"responded_by_name": "Dr Priya Shah, GP partner", "text": "See the attached summary.", "documents": documents},
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content"),
    [("summary.pdf", EXE), ("summary.pdf", HTML_PAGE), ("summary.html", HTML_PAGE), ("summary.exe", EXE)],
    ids=["exe-named-pdf", "html-named-pdf", "html", "exe"],
)
def test_a_health_document_that_is_not_what_its_name_says_is_refused(as_nurse, sent_request, name, content):
    response = record_response(
        as_nurse, sent_request, SimpleUploadedFile(name, content, content_type="application/pdf")
    )

    assert response.status_code == 400
    assert f"{name}: {referral_services.FILE_TYPE_NOT_ALLOWED}" in response.content.decode()
    sent_request.refresh_from_db()
    assert sent_request.state == HealthRequestState.SENT and not sent_request.documents.exists()
    assert files_under(django_settings.PRIVATE_MEDIA_ROOT) == []


@pytest.mark.django_db
def test_an_oversized_health_document_is_refused(as_nurse, sent_request, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    big = SimpleUploadedFile("summary.pdf", PDF + b"0" * 2048)

    response = record_response(as_nurse, sent_request, big)

    assert response.status_code == 400
    message = referral_services.FILE_TOO_BIG.format(limit=filesizeformat(1024))
    assert f"summary.pdf: {message}" in response.content.decode()
    assert not sent_request.documents.exists()
    assert files_under(settings.PRIVATE_MEDIA_ROOT) == []


@pytest.mark.django_db
def test_a_health_document_is_stored_under_a_random_name_and_served_only_as_a_download(as_nurse, sent_request, panel):
    upload = SimpleUploadedFile("Amara Okafor GP summary.pdf", POLYGLOT, content_type="text/html")

    response = record_response(as_nurse, sent_request, upload)

    assert response.status_code == 302, response.content.decode()[:2000]
    document = sent_request.documents.get()
    assert document.content_type == "application/pdf"
    assert_stored_privately(document.file, f"health/{panel.pk}", "Amara Okafor GP summary.pdf")
    assert files_under(django_settings.PRIVATE_MEDIA_ROOT) == [document.file.name]
    download = as_nurse.get(reverse("safeguarding:health_document", args=[sent_request.public_id, document.public_id]))
    assert_served_as_a_download(download, POLYGLOT, "Amara Okafor GP summary.pdf")


@pytest.mark.django_db
def test_a_health_documents_name_cannot_break_out_of_the_download_header(as_nurse, sent_request, people):
    # Through the service: the test client's own multipart encoding would not carry such a name intact.
    name = 'summary"; filename="page.html".pdf'
    upload = SimpleUploadedFile("summary.pdf", PDF)
    upload._name = name
    nurse = people[Role.DESIGNATED_NURSE]
    health.health_response_record(
        request=sent_request, user=nurse, responded_by_name="Dr Shah", text="", uploads=[upload]
    )
    document = sent_request.documents.get()

    download = as_nurse.get(reverse("safeguarding:health_document", args=[sent_request.public_id, document.public_id]))

    assert download.status_code == 200
    disposition, parameters = parse_header_parameters(download["Content-Disposition"])
    assert (disposition, parameters) == ("attachment", {"filename": name})
    assert download["Content-Type"] == "application/pdf"
