"""The security headers, on every page of the URL configuration, asked for with a GET by a person who may see it:
a Content-Security-Policy with no inline scripts (each script of the page carries the response's nonce) that
no other site may frame, X-Frame-Options, Referrer-Policy, Permissions-Policy, nosniff and
Cross-Origin-Opener-Policy. Files are downloads (Content-Disposition: attachment), never shown in the browser;
and with the production settings the app insists on HTTPS (HSTS).

Every named URL needs a way here to build it and someone to ask for it (PAGES; Django's admin is built from its
patterns): a new page without one fails test_every_page_is_covered.
"""

import datetime
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from decisions import documents
from notifications.models import Kind, Notification
from nrm_panel.models import Membership, Role
from referrals import services as referral_services
from referrals.models import Referral, State
from safeguarding.models import SupportKind
from safeguarding.services import health, support
from tests.decisions.http_helpers import Cycle, world_kept_for_module
from tests.factories import ReferralFactory, SubmittedReferralFactory, UserFactory, member
from tests.safeguarding.conftest import request_fields
from tests.safeguarding.court_helpers import build_court_world

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def url_names(resolver=None, namespace: tuple = ()) -> dict[str, URLPattern]:
    """Every named URL, by its full name (namespace:name)."""
    found = {}
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            found |= url_names(pattern, namespace + ((pattern.namespace,) if pattern.namespace else ()))
        elif pattern.name:
            found.setdefault(":".join((*namespace, pattern.name)), pattern)
    return found


URL_NAMES = url_names()


# --- The world ------------------------------------------------------------------------------------


@dataclass
class World:
    w: Cycle
    people: dict
    draft: Referral  # the referrer's, with evidence
    attachment: object
    submitted: Referral  # submitted, awaiting triage
    closed: Referral  # closed long ago: due for its retention review
    health_request: object  # answered, with a document
    document: object
    link_request: object  # sent, awaiting the provider's answer
    token: str
    support_referral: object
    action: object
    court: object
    notification: Notification
    leaver: Membership
    clients: dict  # who → a Client signed in as them (both steps), or not signed in

    def client(self, who: str) -> Client:
        return self.clients[who]


def closed_long_ago(panel, referrer) -> Referral:
    case = SubmittedReferralFactory(panel=panel, referrer=referrer, state=State.CLOSED)
    # When a case closed is read from its history: put that past the panel's retention period.
    long_ago = timezone.now() - datetime.timedelta(days=366 * (panel.retention_years + 1))
    Referral.history.filter(id=case.pk).update(history_date=long_ago)
    Referral.objects.filter(pk=case.pk).update(updated_at=long_ago)
    return case


def build_world(w: Cycle) -> World:
    s, today = w.s, timezone.localdate()
    referrer = w.actors["referrer"]
    draft = ReferralFactory(panel=s.panel, referrer=referrer)
    attachment = referral_services.attachment_add(
        referral=draft,
        user=referrer,
        upload=SimpleUploadedFile("statement.pdf", PDF, content_type="application/pdf"),
        description="Statement",
    )
    answered = health.health_request_create(referral=w.waiting, user=s.health, **request_fields())
    health.health_request_send(request=answered, user=s.health)
    health.health_response_record(
        request=answered,
        user=s.health,
        responded_by_name="By telephone",
        text="Seen twice at the walk-in centre.",
        uploads=[SimpleUploadedFile("summary.pdf", PDF, content_type="application/pdf")],
    )
    link_request = health.health_request_create(referral=w.waiting, user=s.health, **request_fields())
    link = health.health_request_send(request=link_request, user=s.health)
    people = {
        **{who: user for who, user in w.actors.items() if who != "anonymous"},
        "superuser": UserFactory(is_superuser=True, is_staff=True),
        "password_only": w.actors["coordinator"],
        "no_authenticator": member(s.panel, Role.REFERRER),
    }
    clients = {"anonymous": Client()}
    for who, user in people.items():
        clients[who] = Client()
        clients[who].force_login(user, second_factor=who not in ("password_only", "no_authenticator"))
    return World(
        w=w,
        people=people,
        draft=draft,
        attachment=attachment,
        submitted=SubmittedReferralFactory(panel=s.panel, referrer=referrer),
        closed=closed_long_ago(s.panel, referrer),
        health_request=answered,
        document=answered.documents.get(),
        link_request=link_request,
        token=health.provider_link_token(link),
        support_referral=support.support_referral_record(
            referral=w.waiting, user=s.coordinator, kind=SupportKind.ADVOCACY, referred_on=today
        ),
        action=support.action_record(
            referral=w.waiting,
            user=s.coordinator,
            action="Strategy meeting",
            owner="Social worker",
            due_on=today + datetime.timedelta(days=7),
        ),
        court=build_court_world(s, w.steps),
        notification=notify_coordinator(w),
        leaver=Membership.objects.get(user=member(s.panel, Role.PANEL_MEMBER)),
        clients=clients,
    )


def notify_coordinator(w: Cycle) -> Notification:
    return Notification.objects.create(
        recipient=w.s.coordinator,
        panel=w.s.panel,
        roles=[Role.COORDINATOR],
        kind=Kind.CLOCK,
        text="A case is near its target.",
        link=reverse("referrals:case", args=[w.waiting.public_id]),
        event_key="headers",
    )


@pytest.fixture(scope="module")
def media_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("headers-media")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def _private_media(settings, media_folder):
    # Replaces the project's per-test folder, so the world's stored files can be downloaded in every test.
    settings.PRIVATE_MEDIA_ROOT = media_folder


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, media_folder):
    with override_settings(PRIVATE_MEDIA_ROOT=media_folder), pytest.MonkeyPatch.context() as patch:
        patch.setattr(documents, "meeting_pack_pdf", lambda context: b"%PDF-1.7 test")  # the PDF is not the point
        cycles = world_kept_for_module(django_db_blocker, with_letters=True)
        try:
            with django_db_blocker.unblock():
                yield build_world(next(cycles))
        finally:
            cycles.close()  # rolls back everything the module built


@pytest.fixture(autouse=True)
def _quick_pdf(monkeypatch):
    monkeypatch.setattr(documents, "meeting_pack_pdf", lambda context: b"%PDF-1.7 test")


# --- The pages ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    who: str  # who asks (a key of World.people, or "anonymous")
    args: Callable[[World], list] = lambda x: []
    status: int = 200
    query: str = ""
    method: str = "get"
    download: bool = False  # a file to save, not a page to show


def ids(*attributes: str) -> Callable[[World], list]:
    """The URL's arguments, each an attribute path from the world (`w.meeting.public_id`, `draft.public_id`…)."""

    def build(world: World) -> list:
        values = []
        for path in attributes:
            value = world
            for part in path.split("."):
                value = value[part] if isinstance(value, dict) else getattr(value, part)
            values.append(value)
        return values

    return build


def constant(*values) -> Callable[[World], list]:
    return lambda world: list(values)


MEETING = "w.meeting.public_id"
ITEM = ("w.meeting.public_id", "w.item_a.pk")
WAITING = "w.waiting.public_id"
PROCEEDING = "court.proceeding.public_id"
POST_ONLY = 405

PAGES: dict[str, Page] = {
    # Signing in, your account, the people of a panel
    "home": Page("coordinator", status=302),
    "login": Page("anonymous"),
    "second_factor": Page("password_only"),
    "second_factor_set_up": Page("no_authenticator"),
    "logout": Page("coordinator", status=POST_ONLY),
    "account": Page("coordinator"),
    "second_factor_backup_codes": Page("coordinator", status=POST_ONLY),
    "session_keep_alive": Page("coordinator", status=204),
    "password_reset": Page("anonymous"),
    "password_reset_done": Page("anonymous"),
    "password_reset_confirm": Page(
        "anonymous",
        lambda world: [
            urlsafe_base64_encode(force_bytes(world.people["referrer"].pk)),
            default_token_generator.make_token(world.people["referrer"]),
        ],
        status=302,  # to the same page without the token in its address, as Django does
    ),
    "password_reset_complete": Page("anonymous"),
    "panel_people": Page("administrator", ids("w.s.panel.pk")),
    "panel_person_add": Page("administrator", ids("w.s.panel.pk")),
    "panel_person_sign_in_reset": Page("administrator", ids("w.s.panel.pk", "leaver.pk"), status=POST_ONLY),
    "panel_membership_end": Page("administrator", ids("w.s.panel.pk", "leaver.pk"), status=POST_ONLY),
    "health": Page("anonymous"),
    # Referrals
    "referrals:list": Page("coordinator"),
    "referrals:start": Page("referrer"),
    "referrals:duty_to_notify": Page("referrer", ids("w.s.panel.pk")),
    "referrals:case": Page("coordinator", ids(WAITING)),
    "referrals:history": Page("coordinator", ids(WAITING)),
    "referrals:section": Page("referrer", lambda world: [world.draft.public_id, "child"]),
    "referrals:evidence": Page("referrer", ids("draft.public_id")),
    "referrals:attachment_remove": Page("referrer", ids("draft.public_id", "attachment.public_id"), status=POST_ONLY),
    "referrals:attachment": Page("referrer", ids("draft.public_id", "attachment.public_id"), download=True),
    "referrals:check": Page("referrer", ids("draft.public_id")),
    "referrals:submitted": Page("referrer", ids("submitted.public_id")),
    "referrals:triage": Page("coordinator", lambda world: [world.submitted.public_id, "accept"]),
    "referrals:police_notification": Page("coordinator", ids(WAITING)),
    "referrals:delay_reason": Page("coordinator", ids(WAITING)),
    # Meetings, agendas, items and decisions
    "decisions:meeting_list": Page("coordinator"),
    "decisions:meetings_schedule": Page("coordinator", ids("w.s.panel.pk"), status=POST_ONLY),
    "decisions:meeting_call": Page("coordinator", ids("w.s.panel.pk")),
    "decisions:meeting": Page("coordinator", ids(MEETING)),
    "decisions:meeting_change": Page("coordinator", ids("w.later.public_id")),
    "decisions:meeting_cancel": Page("coordinator", ids("w.later.public_id")),
    "decisions:meeting_open": Page("chair", ids("w.fresh.public_id"), status=POST_ONLY),
    "decisions:attendance": Page("chair", ids(MEETING)),
    "decisions:agenda": Page("coordinator", ids(MEETING)),
    "decisions:agenda_add": Page("coordinator", ids(MEETING), status=POST_ONLY),
    "decisions:agenda_reorder": Page("coordinator", ids(*ITEM), status=POST_ONLY),
    "decisions:agenda_remove": Page("coordinator", ids(*ITEM)),
    "decisions:pack": Page("chair", ids(MEETING)),
    "decisions:pack_pdf": Page("chair", ids(MEETING), download=True),
    "decisions:minutes": Page("chair", ids("w.done.public_id")),
    "decisions:item": Page("chair", ids(*ITEM)),
    "decisions:conflict_add": Page("chair", ids(*ITEM), status=POST_ONLY),
    "decisions:conflict_remove": Page("chair", ids(*ITEM, "w.conflict.pk"), status=POST_ONLY),
    "decisions:deputy_set": Page("chair", ids(*ITEM), status=POST_ONLY),
    "decisions:decision_record": Page("chair", lambda world: [world.w.meeting.public_id, world.w.item_b.pk, "rg"]),
    "decisions:decision_remove": Page(
        "chair", lambda world: [world.w.meeting.public_id, world.w.item_a.pk, "rg"], status=POST_ONLY
    ),
    "decisions:sign_off": Page("chair", ids(*ITEM), status=POST_ONLY),
    "decisions:inputs_outstanding": Page("panel_member"),
    "decisions:at_risk": Page("coordinator"),
    "decisions:case_inputs": Page("chair", ids("w.case_a.public_id")),
    "decisions:agency_input": Page("panel_member", ids("w.case_a.public_id", "w.police.pk")),
    "decisions:between_meetings": Page("coordinator", ids(WAITING), status=POST_ONLY),
    "decisions:reconsideration_request": Page("coordinator", ids("w.negative.public_id")),
    "decisions:case_close": Page("coordinator", ids("w.negative.public_id")),
    "decisions:lead_social_worker": Page("coordinator", ids(WAITING)),
    "decisions:reconsideration_accept": Page("coordinator", ids("w.reconsideration.pk"), status=POST_ONLY),
    "decisions:reconsideration_refuse": Page("coordinator", ids("w.reconsideration.pk")),
    "decisions:pack_send": Page("coordinator", ids("w.later.public_id"), status=POST_ONLY),
    # Letters
    "decisions:meeting_letters_issue": Page("coordinator", ids("w.done.public_id"), status=POST_ONLY),
    "decisions:meeting_letters_export": Page("coordinator", ids("w.done.public_id"), status=POST_ONLY),
    "decisions:case_letter_issue": Page("coordinator", ids("w.negative.public_id"), status=POST_ONLY),
    "decisions:letter_recipients": Page("coordinator", ids(WAITING)),
    "decisions:letters": Page("coordinator"),
    "decisions:letters_export": Page("coordinator", status=POST_ONLY),
    "decisions:letters_export_progress": Page("coordinator", ids("w.export.public_id")),
    "decisions:letters_export_download": Page("coordinator", ids("w.export.public_id"), download=True),
    "decisions:letter": Page("coordinator", ids("w.letter.public_id")),
    "decisions:letter_download": Page("coordinator", ids("w.letter.public_id"), download=True),
    "decisions:letter_correct": Page("coordinator", ids("w.letter.public_id")),
    "decisions:sca_return": Page("coordinator"),
    "decisions:sca_export": Page("coordinator", constant("csv"), download=True),
    # Notifications
    "notifications:list": Page("coordinator"),
    "notifications:mark_all_read": Page("coordinator", status=POST_ONLY),
    "notifications:open": Page("coordinator", ids("notification.public_id"), status=302),
    # Health information
    "safeguarding:health_requests": Page("designated_nurse"),
    "safeguarding:health_request_create": Page("designated_nurse", ids(WAITING)),
    "safeguarding:health_request": Page("designated_nurse", ids("health_request.public_id")),
    "safeguarding:health_request_change": Page("designated_nurse", ids("link_request.public_id")),
    "safeguarding:health_request_send": Page("designated_nurse", ids("link_request.public_id"), status=302),
    "safeguarding:health_request_chase": Page("designated_nurse", ids("link_request.public_id")),
    "safeguarding:health_response_record": Page("designated_nurse", ids("link_request.public_id")),
    "safeguarding:health_request_withdraw": Page("designated_nurse", ids("link_request.public_id")),
    "safeguarding:health_document": Page(
        "designated_nurse", ids("health_request.public_id", "document.public_id"), download=True
    ),
    "safeguarding:provider_respond": Page("anonymous", ids("link_request.public_id", "token")),
    # Court proceedings
    "safeguarding:proceeding_create": Page("coordinator", ids("court.case.public_id")),
    "safeguarding:proceeding": Page("coordinator", ids(PROCEEDING)),
    "safeguarding:proceeding_change": Page("coordinator", ids(PROCEEDING)),
    "safeguarding:hearing_add": Page("coordinator", ids(PROCEEDING), status=POST_ONLY),
    "safeguarding:hearing_remove": Page("coordinator", ids(PROCEEDING, "court.hearing.pk"), status=POST_ONLY),
    "safeguarding:defence_summary_issue": Page("coordinator", ids(PROCEEDING), status=POST_ONLY),
    "safeguarding:defence_summary_correct": Page("coordinator", ids(PROCEEDING)),
    "safeguarding:letter_sent_record": Page("coordinator", ids(PROCEEDING), status=POST_ONLY),
    # Support, safeguarding actions, turning 18
    "safeguarding:support_referral_create": Page("coordinator", ids(WAITING)),
    "safeguarding:support_referral_change": Page("coordinator", ids("support_referral.public_id")),
    "safeguarding:action_create": Page("coordinator", ids(WAITING)),
    "safeguarding:action_change": Page("coordinator", ids("action.public_id")),
    "safeguarding:action_done": Page("coordinator", ids("action.public_id")),
    "safeguarding:action_reopen": Page("coordinator", ids("action.public_id")),
    "safeguarding:transition_plan": Page("coordinator", ids(WAITING)),
    "safeguarding:turning_18": Page("coordinator"),
    # Reports, the access log, records
    "reporting:dashboard": Page("coordinator"),
    "reporting:data_return": Page("coordinator", constant("csv"), download=True),
    "reporting:data_dictionary": Page("coordinator", download=True),
    "access_log:search": Page("auditor"),
    "records:retention_review": Page("coordinator"),
    "records:case_review": Page("coordinator", ids("closed.public_id")),
    "records:subject_access": Page("coordinator", ids(WAITING)),
    "records:subject_access_download": Page("coordinator", ids(WAITING), method="post", download=True),
    "records:health_subject_access": Page("designated_nurse", ids(WAITING)),
    "records:health_subject_access_download": Page("designated_nurse", ids(WAITING), method="post", download=True),
}


# Django's admin: every page answers to the one permission (an instance superuser), each built from its pattern.
ADMIN = sorted(name for name in URL_NAMES if name.startswith("admin:"))


def admin_model(name: str):
    view = name.removeprefix("admin:")
    if view == "auth_user_password_change":  # Django's UserAdmin names it so, whatever the user model
        return get_user_model()
    for model in admin.site._registry:
        if view.startswith(f"{model._meta.app_label}_{model._meta.model_name}_"):
            return model
    return None


def admin_url(name: str) -> str:
    model = admin_model(name)
    obj = model.objects.order_by("pk").first() if model else None
    history = getattr(obj, "history", None)
    version = history.order_by("pk").first() if history is not None else None
    values = {
        "object_id": obj.pk if obj else 0,
        "pk": obj.pk if obj else 0,
        "id": obj.pk if obj else 0,
        "app_label": "nrm_panel",
        "content_type_id": 1,
        "version_id": version.pk if version else 0,
    }
    pattern = URL_NAMES[name].pattern
    regex = re.compile(str(pattern))
    named = set(pattern.converters) | set(regex.groupindex)
    if regex.groups > len(regex.groupindex):  # simple_history's pages: an object, then one of its versions
        return reverse(name, args=[values["object_id"], values["version_id"]])
    return reverse(name, kwargs={key: values[key] for key in named})


# --- The checks -----------------------------------------------------------------------------------


def ask(world: World, name: str, page: Page):
    url = reverse(name, args=page.args(world)) + (f"?{page.query}" if page.query else "")
    return getattr(world.client(page.who), page.method)(url)


def policy(response) -> dict[str, list[str]]:
    header = response.get("Content-Security-Policy", "")
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def header_problems(response) -> list[str]:
    """What a response lacks of the security headers every answer of the app carries."""
    problems = []
    csp = policy(response)
    script_src = csp.get("script-src", csp.get("default-src"))
    if not csp:
        problems.append("no Content-Security-Policy")
    elif not script_src:
        problems.append("the Content-Security-Policy does not limit scripts")
    else:
        problems += [
            f"script-src allows {bad}" for bad in ("'unsafe-inline'", "'unsafe-eval'", "*") if bad in script_src
        ]
        if csp.get("frame-ancestors") != ["'none'"]:
            problems.append(f"frame-ancestors is {csp.get('frame-ancestors')}, not 'none'")
    expected = {
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "X-Content-Type-Options": "nosniff",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    problems += [
        f"{header}: {response.get(header)!r}, not {value!r}"
        for header, value in expected.items()
        if response.get(header) != value
    ]
    permissions = response.get("Permissions-Policy", "")
    problems += [
        f"Permissions-Policy leaves {f} on"
        for f in ("camera", "microphone", "geolocation")
        if f"{f}=()" not in permissions
    ]
    return problems


SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
NOT_A_SCRIPT = re.compile(r"""\btype=["']?(application/json|application/ld\+json|text/template)""", re.IGNORECASE)


def script_problems(response) -> list[str]:
    """The page's scripts are ones the policy lets run: a script written into the page carries the response's
    nonce, and a script file comes from the app itself. A nonce on the page is the one the policy names."""
    if not response.get("Content-Type", "").startswith("text/html"):
        return []
    sources = policy(response).get("script-src", [])
    nonces = {source.removeprefix("'nonce-").removesuffix("'") for source in sources if source.startswith("'nonce-")}
    problems = []
    for attributes in SCRIPT_TAG.findall(body(response)):
        if NOT_A_SCRIPT.search(attributes):
            continue  # data for a script, which the browser never runs
        nonce = re.search(r"""\bnonce=["']?([^"' >]+)""", attributes)
        src = re.search(r"""\bsrc=["']?([^"' >]+)""", attributes)
        if nonce and nonce.group(1) not in nonces:
            problems.append(f"<script{attributes}> carries a nonce the policy does not name ({sorted(nonces)})")
        if not src and not nonce:
            problems.append(f"<script{attributes}> is written into the page without the nonce")
        if src and not nonce and (not src.group(1).startswith("/") or src.group(1).startswith("//")):
            problems.append(f"<script{attributes}> comes from elsewhere")
    return problems


def download_problems(response) -> list[str]:
    disposition = response.get("Content-Disposition", "")
    problems = [] if disposition.startswith("attachment") else [f"Content-Disposition is {disposition!r}"]
    if response.get("Content-Type", "").startswith("text/html"):
        problems.append("a download served as HTML")
    return problems


def test_every_page_is_covered():
    """A page in the URL configuration with no way here to build its address, or no one to ask for it."""
    missing = sorted(set(URL_NAMES) - set(PAGES) - set(ADMIN))
    gone = sorted(set(PAGES) - set(URL_NAMES))
    assert not missing, f"Pages with no entry in PAGES: {missing}"
    assert not gone, f"Entries in PAGES for pages that no longer exist: {gone}"


@pytest.mark.parametrize("name", sorted(PAGES))
def test_every_page_sends_the_security_headers(world, name):
    page = PAGES[name]

    response = ask(world, name, page)

    assert response.status_code == page.status, f"{name} answered {response.status_code}"
    problems = header_problems(response) + script_problems(response)
    if page.download:
        problems += download_problems(response)
    assert not problems, f"{name}: " + "; ".join(problems)


@pytest.mark.parametrize("name", ADMIN)
def test_every_admin_page_sends_the_security_headers(world, name):
    response = world.client("superuser").get(admin_url(name))

    assert response.status_code < 500
    problems = header_problems(response) + script_problems(response)
    assert not problems, f"{name}: " + "; ".join(problems)


def test_a_refusal_and_a_missing_page_send_them_too(world):
    for response in (
        world.client("referrer").get(reverse("decisions:at_risk")),  # not theirs to see
        world.client("coordinator").get("/no-such-page/"),
        world.client("anonymous").get(reverse("referrals:list")),  # sent to sign in
    ):
        assert response.status_code in (302, 403, 404)
        assert not header_problems(response) + script_problems(response), response.status_code


PRODUCTION_ENVIRONMENT = {
    "NRM_ENVIRONMENT": "production",
    "SECRET_KEY": "x" * 64,
    "ALLOWED_HOSTS": "nrm.council.example",
    "SITE_URL": "https://nrm.council.example",
}
SECURITY_SETTINGS = (
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
)


@pytest.fixture(scope="module")
def production_settings() -> dict:
    """The security settings a production start reads (NRM_ENVIRONMENT=production), from a fresh process."""
    program = (
        "import json; from nrm_panel import settings; "
        f"print(json.dumps({{name: getattr(settings, name, None) for name in {SECURITY_SETTINGS!r}}}))"
    )
    environment = {**os.environ, **PRODUCTION_ENVIRONMENT}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-c", program],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    )
    values = json.loads(result.stdout.strip().splitlines()[-1])
    values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"] or ()) or None
    return values


def test_production_sends_hsts_over_https_and_sends_plain_http_there(world, production_settings):
    assert production_settings["SECURE_HSTS_SECONDS"] >= 365 * 24 * 60 * 60
    assert production_settings["SECURE_SSL_REDIRECT"] is True
    proxy_header, https = production_settings["SECURE_PROXY_SSL_HEADER"]
    with override_settings(**production_settings, ALLOWED_HOSTS=["nrm.council.example"]):
        client = Client()  # its middleware reads the settings when it first answers
        client.cookies = world.client("coordinator").cookies
        over_https = client.get(reverse("referrals:list"), HTTP_HOST="nrm.council.example", **{proxy_header: https})
        over_http = client.get(reverse("referrals:list"), HTTP_HOST="nrm.council.example")

    assert over_https.status_code == 200
    assert over_https["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert not header_problems(over_https)
    assert over_http.status_code == 301
    assert over_http["Location"] == "https://nrm.council.example" + reverse("referrals:list")
