"""The access log: every page that shows personal data records who, when, what, from where and about which
case; signing in and out is recorded; no one can change or delete an event; and only a panel's auditors (their
panels) and the instance's administrators (every panel) can search it."""

import datetime
import hashlib
import re
import uuid
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.utils import InternalError, ProgrammingError
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from access_log import catalogue
from access_log.models import AccessEvent, AccessKind, AppendOnly
from decisions.models import Letter, LetterKind, LetterStatus
from nrm_panel.models import Role, User
from referrals.models import Attachment
from safeguarding.services import health
from tests.factories import (
    PASSWORD,
    AgendaItemFactory,
    PanelMeetingFactory,
    RgPendingReferralFactory,
    member,
)
from tests.safeguarding.conftest import request_fields
from tests.security.test_sign_in import app_of, code_of, enter_code, sign_in, wrong_code

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FROM = "198.51.100.7"
BROWSER = "Mozilla/5.0 (test) NRM"


class World:
    """A panel with a case that has one of everything a logged page names, and another panel with its own case."""

    def __init__(self, panel, other_panel, people, referrer):
        self.panel, self.other_panel, self.people = panel, other_panel, people
        self.coordinator = people[Role.COORDINATOR]
        self.nurse = people[Role.DESIGNATED_NURSE]
        self.auditor = people[Role.AUDITOR]
        self.case = RgPendingReferralFactory(panel=panel, referrer=referrer, first_name="Amara", last_name="Okafor")
        self.other_case = RgPendingReferralFactory(panel=other_panel, first_name="Bilal", last_name="Farouk")
        self.meeting = PanelMeetingFactory(panel=panel)
        self.health_request = health.health_request_create(referral=self.case, user=self.nurse, **request_fields())
        self.attachment = Attachment(
            referral=self.case,
            original_name="statement.pdf",
            content_type="application/pdf",
            size=len(PDF),
            description="Statement",
            uploaded_by=referrer,
        )
        self.attachment.file.save("upload", ContentFile(PDF), save=False)
        self.attachment.save()
        self.letter = Letter(
            referral=self.case,
            kind=LetterKind.TRANSFER_SUMMARY,
            status=LetterStatus.READY,
            requested_by=self.coordinator,
            sha256=hashlib.sha256(PDF).hexdigest(),
            size=len(PDF),
        )
        self.letter.file.save("letter.pdf", ContentFile(PDF), save=False)
        self.letter.save()
        self.superuser = User.objects.create_superuser("instance.admin@council.example", PASSWORD)


@pytest.fixture
def world(panel, other_panel, people, referrer):
    return World(panel, other_panel, people, referrer)


def get_as(user, path: str, **extra):
    client = Client(REMOTE_ADDR=FROM, HTTP_USER_AGENT=BROWSER)
    client.force_login(user)
    return client.get(path, **extra)


def event_name(path: str) -> str:
    return get_resolver().resolve(path.split("?")[0]).view_name


def last_event(**filters) -> AccessEvent:
    return AccessEvent.objects.filter(**filters).order_by("-pk").first()


# --- Every page that shows personal data is logged --------------------------------------------------

# page: (who asks, the page's address, what is logged, whether the event names the panel and the case)
PAGES = {
    "case": (
        lambda w: w.coordinator,
        lambda w: reverse("referrals:case", args=[w.case.public_id]),
        AccessKind.CASE,
        True,
        True,
    ),
    "case-history": (
        lambda w: w.coordinator,
        lambda w: reverse("referrals:history", args=[w.case.public_id]),
        AccessKind.CASE,
        True,
        True,
    ),
    "health-request": (
        lambda w: w.nurse,
        lambda w: reverse("safeguarding:health_request", args=[w.health_request.public_id]),
        AccessKind.HEALTH,
        True,
        True,
    ),
    "case-inputs": (
        lambda w: w.coordinator,
        lambda w: reverse("decisions:case_inputs", args=[w.case.public_id]),
        AccessKind.DECISION,
        True,
        True,
    ),
    "meeting": (
        lambda w: w.people[Role.CHAIR],
        lambda w: reverse("decisions:meeting", args=[w.meeting.public_id]),
        AccessKind.DECISION,
        True,
        False,
    ),
    "letter-download": (
        lambda w: w.coordinator,
        lambda w: reverse("decisions:letter_download", args=[w.letter.public_id]),
        AccessKind.LETTER_DOWNLOAD,
        True,
        True,
    ),
    "evidence-download": (
        lambda w: w.coordinator,
        lambda w: reverse("referrals:attachment", args=[w.case.public_id, w.attachment.public_id]),
        AccessKind.ATTACHMENT_DOWNLOAD,
        True,
        True,
    ),
    "data-return": (
        lambda w: w.coordinator,
        lambda w: reverse("reporting:data_return", args=["csv"]),
        AccessKind.EXPORT_DOWNLOAD,
        False,
        False,
    ),
    "sca-export": (
        lambda w: w.coordinator,
        lambda w: reverse("decisions:sca_export", args=["csv"]) + "?decisions=all",
        AccessKind.EXPORT_DOWNLOAD,
        False,
        False,
    ),
    "panel-people": (
        lambda w: w.people[Role.ADMINISTRATOR],
        lambda w: reverse("panel_people", args=[w.panel.pk]),
        AccessKind.PEOPLE,
        True,
        False,
    ),
    "case-list-search": (
        lambda w: w.coordinator,
        lambda w: reverse("referrals:list") + "?search=Okafor",
        AccessKind.LIST,
        False,
        False,
    ),
    "admin": (lambda w: w.superuser, lambda w: reverse("admin:index"), AccessKind.ADMINISTRATION, False, False),
}


@pytest.mark.parametrize("page", list(PAGES))
def test_a_page_with_personal_data_logs_who_when_what_where_and_which_case(world, page):
    actor, address, kind, names_panel, names_case = PAGES[page]
    user, path = actor(world), address(world)
    before = timezone.now()

    response = get_as(user, path)

    assert response.status_code == 200, response.content[:500]
    event = AccessEvent.objects.get(url_name=event_name(path))
    assert (event.user, event.email) == (user, user.email)
    assert before <= event.at <= timezone.now()
    assert (event.kind, event.method, event.path, event.status) == (kind, "GET", path, 200)
    assert (event.address, event.user_agent) == (FROM, BROWSER)
    assert event.panel_id == (world.panel.pk if names_panel else None)
    assert event.referral_id == (world.case.pk if names_case else None)


def test_a_health_document_download_is_logged_against_the_case(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        health.health_request_send(request=world.health_request, user=world.nurse)
    upload = ContentFile(PDF, name="gp-summary.pdf")
    health.health_response_record(
        request=world.health_request, user=world.nurse, responded_by_name="Dr Shah", text="", uploads=[upload]
    )
    document = world.health_request.documents.get()
    path = reverse("safeguarding:health_document", args=[world.health_request.public_id, document.public_id])

    response = get_as(world.nurse, path)

    assert response.status_code == 200
    event = last_event(url_name="safeguarding:health_document")
    assert (event.kind, event.user, event.status) == (AccessKind.ATTACHMENT_DOWNLOAD, world.nurse, 200)
    assert (event.panel_id, event.referral_id) == (world.panel.pk, world.case.pk)


def test_an_agenda_item_page_is_logged_against_its_case(world):
    item = AgendaItemFactory(meeting=world.meeting, added_by=world.coordinator)
    path = reverse("decisions:item", args=[world.meeting.public_id, item.pk])

    response = get_as(world.people[Role.CHAIR], path)

    assert response.status_code == 200
    event = last_event(url_name="decisions:item")
    assert (event.panel_id, event.referral_id) == (world.panel.pk, item.referral_id)


def test_a_change_is_logged_with_its_method_and_answer(world):
    client = Client(REMOTE_ADDR=FROM)
    client.force_login(world.coordinator)
    path = reverse("decisions:lead_social_worker", args=[world.case.public_id])

    response = client.post(path, {"lead_social_worker_name": "x" * 10_000})

    event = last_event(url_name="decisions:lead_social_worker")
    assert (event.method, event.status) == ("POST", response.status_code)
    assert (event.panel_id, event.referral_id) == (world.panel.pk, world.case.pk)


def test_behind_a_proxy_the_address_is_the_last_forwarded_one(world, settings):
    settings.CLIENT_ADDRESS_META_KEY = "HTTP_X_FORWARDED_FOR"
    path = reverse("referrals:case", args=[world.case.public_id])

    # The caller wrote the first address themselves; the proxy added the last, the one it saw.
    get_as(world.coordinator, path, HTTP_X_FORWARDED_FOR="203.0.113.66, 192.0.2.10")
    forwarded = last_event(url_name="referrals:case")
    get_as(world.coordinator, path)
    no_header = last_event(url_name="referrals:case")

    assert forwarded.address == "192.0.2.10"
    assert no_header.address == FROM


def test_pages_without_personal_data_and_pages_refused_to_strangers_log_nothing(world, client):
    client.get(reverse("health"))
    client.get(reverse("login"))
    client.get(reverse("referrals:case", args=[world.case.public_id]))  # not signed in: sent to sign in
    client.get(reverse("reporting:data_dictionary"))

    assert not AccessEvent.objects.exists()


def test_the_health_providers_link_is_logged_without_its_token(world, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        link = health.health_request_send(request=world.health_request, user=world.nurse)
    token = health.provider_link_token(link)
    path = reverse("safeguarding:provider_respond", args=[world.health_request.public_id, token])

    response = client.get(path, REMOTE_ADDR=FROM)

    assert response.status_code == 200
    event = AccessEvent.objects.get()
    assert token not in event.path and token.split(":")[0] not in event.path
    assert event.path == f"/health-provider/{world.health_request.public_id}/[link token]/"
    assert (event.user, event.email, event.kind, event.address) == (None, "", AccessKind.HEALTH, FROM)
    assert (event.panel_id, event.referral_id) == (world.panel.pk, world.case.pk)


# --- Signing in and out ------------------------------------------------------------------------------


def test_signing_in_logs_the_password_and_the_code(world, client):
    device = app_of(world.coordinator)

    sign_in(client, world.coordinator.email, REMOTE_ADDR=FROM)
    enter_code(client, code_of(device))

    password, code = AccessEvent.objects.order_by("pk")
    assert (password.kind, password.user, password.path) == (
        AccessKind.PASSWORD_ACCEPTED,
        world.coordinator,
        "/sign-in/",
    )
    assert (code.kind, code.user, code.email) == (AccessKind.SIGN_IN, world.coordinator, world.coordinator.email)
    assert code.path == reverse("second_factor")
    assert password.address == FROM


@pytest.mark.parametrize("typed", ["Amara.Okafor.Guess@Council.example", "nobody@elsewhere.example"])
def test_a_wrong_password_is_logged_with_the_email_typed(world, client, typed):
    response = sign_in(client, typed, "not-the-password", REMOTE_ADDR=FROM)

    assert response.status_code == 400
    event = AccessEvent.objects.get()
    assert (event.kind, event.email, event.user, event.address) == (AccessKind.SIGN_IN_FAILED, typed, None, FROM)
    assert "not-the-password" not in str(AccessEvent.objects.values().get())


def test_a_wrong_password_behind_a_proxy_is_logged_from_the_forwarded_address(world, client, settings):
    settings.CLIENT_ADDRESS_META_KEY = "HTTP_X_FORWARDED_FOR"

    sign_in(client, world.coordinator.email, "not-the-password", HTTP_X_FORWARDED_FOR="203.0.113.66, 192.0.2.10")

    assert AccessEvent.objects.get().address == "192.0.2.10"


def test_a_wrong_code_is_logged(world, client):
    device = app_of(world.coordinator)
    sign_in(client, world.coordinator.email)

    enter_code(client, wrong_code(device))

    event = last_event()
    assert (event.kind, event.user) == (AccessKind.SECOND_FACTOR_FAILED, world.coordinator)


def test_a_lockout_is_logged(world, client):
    for _ in range(5):
        sign_in(client, world.coordinator.email, "not-the-password", REMOTE_ADDR=FROM)

    event = AccessEvent.objects.get(kind=AccessKind.LOCKED_OUT)

    assert (event.email, event.address, event.path) == (world.coordinator.email, FROM, reverse("login"))


def test_signing_out_is_logged(world):
    client = Client(REMOTE_ADDR=FROM)
    client.force_login(world.coordinator)

    client.post(reverse("logout"))

    event = last_event()
    assert (event.kind, event.user, event.address) == (AccessKind.SIGN_OUT, world.coordinator, FROM)


# --- The catalogue of pages --------------------------------------------------------------------------


def url_patterns(resolver: URLResolver | None = None, namespace: str = ""):
    """Every (view name, pattern) of the URL configuration; an unnamed pattern's name is its namespace and None."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
        elif isinstance(pattern, URLPattern):
            yield (f"{namespace}{pattern.name}" if pattern.name else (namespace, None)), pattern


def named_urls() -> dict[str, URLPattern]:
    return {name: pattern for name, pattern in url_patterns() if isinstance(name, str)}


def test_every_page_of_the_app_is_in_the_catalogue_and_every_entry_is_a_page():
    app_pages = {name for name in named_urls() if not name.startswith("admin:")}

    assert sorted(app_pages - catalogue.PAGES.keys()) == []
    assert sorted(catalogue.PAGES.keys() - app_pages) == []


def test_every_page_outside_the_admin_has_a_name_so_the_catalogue_can_find_it():
    # An unnamed page's view name is its function's path, which the catalogue never lists: it would go unlogged.
    unnamed = [(name, str(pattern.pattern)) for name, pattern in url_patterns() if isinstance(name, tuple)]

    assert [route for (namespace, _), route in unnamed if not namespace.startswith("admin:")] == []


def test_every_admin_page_is_logged_as_administration():
    admin_pages = [name for name in named_urls() if name.startswith("admin:")]

    assert admin_pages
    assert {catalogue.entry_for(name).kind for name in admin_pages} == {AccessKind.ADMINISTRATION}


@pytest.mark.parametrize("name", sorted(name for name, entry in catalogue.PAGES.items() if entry.subject))
def test_every_subject_in_the_catalogue_names_a_part_of_its_address_and_finds_its_row(name):
    entry = catalogue.PAGES[name]
    converters = named_urls()[name].pattern.converters

    assert entry.subject.kwarg in converters, f"{name} has no <{entry.subject.kwarg}> in its address"
    value = uuid.uuid4() if type(converters[entry.subject.kwarg]).__name__ == "UUIDConverter" else 0
    # A wrong path to the panel or the case would raise FieldError here rather than log nothing in use.
    assert entry.subject.panel_and_referral({entry.subject.kwarg: value}) == (None, None)


def test_the_secret_part_of_an_address_is_a_part_of_that_address():
    secret = {name: entry.secret_kwarg for name, entry in catalogue.PAGES.items() if entry.secret_kwarg}

    assert secret == {"safeguarding:provider_respond": "token"}
    assert "token" in named_urls()["safeguarding:provider_respond"].pattern.converters


def test_only_the_health_providers_link_is_logged_for_someone_not_signed_in():
    assert [name for name, entry in catalogue.PAGES.items() if entry.anonymous] == ["safeguarding:provider_respond"]


# --- Nothing can change or delete an event ----------------------------------------------------------


@pytest.fixture
def event(world):
    return AccessEvent.objects.create(
        user=world.coordinator,
        email=world.coordinator.email,
        kind=AccessKind.CASE,
        method="GET",
        path="/referrals/x/",
        status=200,
        address=FROM,
        panel=world.panel,
        referral=world.case,
    )


def stored(event) -> dict:
    return AccessEvent.objects.filter(pk=event.pk).values().get()


def test_an_event_cannot_be_saved_again_or_deleted(event):
    before = stored(event)
    event.kind = AccessKind.ACCOUNT

    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()

    assert stored(event) == before


@pytest.mark.parametrize(
    "change",
    [
        lambda qs: qs.update(email="someone.else@council.example"),
        lambda qs: qs.update(at=timezone.now() - datetime.timedelta(days=400)),
        lambda qs: qs.delete(),
        lambda qs: connection.cursor().execute("UPDATE access_log_accessevent SET path = '/nothing/'"),
        lambda qs: connection.cursor().execute("DELETE FROM access_log_accessevent"),
    ],
    ids=["update-email", "update-time", "queryset-delete", "sql-update", "sql-delete"],
)
def test_the_database_refuses_to_change_or_delete_an_event(event, change):
    before = stored(event)

    with pytest.raises((InternalError, ProgrammingError), match="append-only"):
        with transaction.atomic():
            change(AccessEvent.objects.filter(pk=event.pk))

    assert stored(event) == before


@pytest.fixture
def admin_client_(world):
    client = Client()
    client.force_login(world.superuser)
    return client


def test_the_admin_shows_an_event_read_only(admin_client_, event):
    page = admin_client_.get(reverse("admin:access_log_accessevent_change", args=[event.pk]))

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert event.email in page.content.decode()


def test_the_admin_cannot_add_change_or_delete_an_event(admin_client_, event):
    before = stored(event)

    change = admin_client_.post(
        reverse("admin:access_log_accessevent_change", args=[event.pk]), {"email": "x@example.com", "kind": "case"}
    )
    delete_page = admin_client_.get(reverse("admin:access_log_accessevent_delete", args=[event.pk]))
    delete = admin_client_.post(reverse("admin:access_log_accessevent_delete", args=[event.pk]), {"post": "yes"})
    add = admin_client_.get(reverse("admin:access_log_accessevent_add"))
    action = admin_client_.post(
        reverse("admin:access_log_accessevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )

    assert (change.status_code, delete_page.status_code, delete.status_code, add.status_code) == (403, 403, 403, 403)
    assert action.status_code in (200, 302)
    assert stored(event) == before
    changelist = admin_client_.get(reverse("admin:access_log_accessevent_changelist"))
    assert changelist.status_code == 200 and 'value="delete_selected"' not in changelist.content.decode()


# --- The search page ---------------------------------------------------------------------------------


def logged(*, at: datetime.datetime | None = None, **fields) -> AccessEvent:
    """An event as the app would have written it, `at` a given moment."""
    fields = {"kind": AccessKind.CASE, "method": "GET", "status": 200, "address": "192.0.2.1", **fields}
    if "user" in fields and "email" not in fields:
        fields["email"] = fields["user"].email if fields["user"] else ""
    if at is None:
        return AccessEvent.objects.create(**fields)
    with mock.patch("django.utils.timezone.now", return_value=at):
        return AccessEvent.objects.create(**fields)


def search(user, **query):
    client = Client()
    client.force_login(user)
    return client.get(reverse("access_log:search"), query)


def shown_paths(response) -> set[str]:
    """The events a test logged (their paths start /m/) that the page lists; not the searches themselves."""
    table = response.content.decode().split('data-testid="access-events"')
    if len(table) == 1:
        return set()
    paths = re.findall(r'<td class="govuk-table__cell nrm-break-words">([^<]*)</td>', table[1])
    return {path for path in paths if path.startswith("/m/")}


@pytest.mark.parametrize(
    "role", [Role.REFERRER, Role.COORDINATOR, Role.CHAIR, Role.PANEL_MEMBER, Role.DESIGNATED_NURSE, Role.ADMINISTRATOR]
)
def test_only_auditors_and_instance_administrators_can_open_the_search(world, role):
    logged(user=world.coordinator, panel=world.panel, referral=world.case, path="/case/")

    assert search(world.people[role]).status_code == 404
    assert search(world.auditor).status_code == 200
    assert search(world.superuser).status_code == 200


def test_someone_not_signed_in_is_sent_to_sign_in(client):
    response = client.get(reverse("access_log:search"))

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_an_auditor_sees_their_panels_events_and_their_peoples_sign_ins_never_another_panels(world):
    stranger = member(world.other_panel, Role.COORDINATOR)
    logged(user=world.coordinator, panel=world.panel, referral=world.case, path="/m/ours/case/")
    logged(user=world.people[Role.CHAIR], panel=world.panel, path="/m/ours/meeting/", kind=AccessKind.DECISION)
    logged(user=world.coordinator, kind=AccessKind.SIGN_IN, path="/m/ours/sign-in/")
    logged(user=stranger, panel=world.other_panel, referral=world.other_case, path="/m/theirs/case/")
    logged(user=stranger, kind=AccessKind.SIGN_IN, path="/m/theirs/sign-in/")
    # Someone on both panels, looking at the other panel's case: the other panel's business.
    logged(user=world.coordinator, panel=world.other_panel, referral=world.other_case, path="/m/theirs/by-ours/")
    logged(email="Guess@Council.example", kind=AccessKind.SIGN_IN_FAILED, path="/m/nobody/sign-in/")

    auditor = search(world.auditor)
    by_reference = search(world.auditor, case=world.other_case.reference)
    superuser = search(world.superuser)

    assert shown_paths(auditor) == {"/m/ours/case/", "/m/ours/meeting/", "/m/ours/sign-in/"}
    assert "Farouk" not in auditor.content.decode() and world.other_case.reference not in auditor.content.decode()
    assert by_reference.status_code == 200 and shown_paths(by_reference) == set()
    assert len(shown_paths(superuser)) == 7


def test_an_auditor_never_sees_another_panels_child_through_a_search_made_by_someone_on_both_panels(world):
    both = member(world.other_panel, Role.COORDINATOR, user=world.coordinator)
    get_as(both, reverse("referrals:list") + "?search=Farouk")
    assert last_event(url_name="referrals:list").panel_id is None

    response = search(world.auditor)

    assert "Farouk" not in response.content.decode()


def test_the_search_finds_by_person_case_kind_address_and_dates(world):
    chair = world.people[Role.CHAIR]
    second_case = RgPendingReferralFactory(panel=world.panel)
    noon = datetime.time(12, 0, tzinfo=datetime.UTC)

    def day(n):
        return datetime.datetime.combine(datetime.date(2026, 3, n), noon)

    logged(at=day(2), user=world.coordinator, panel=world.panel, referral=world.case, path="/m/a/")
    logged(at=day(5), user=chair, panel=world.panel, referral=world.case, path="/m/b/", kind=AccessKind.DECISION)
    logged(at=day(9), user=chair, panel=world.panel, referral=second_case, path="/m/c/", address="203.0.113.9")
    logged(at=day(12), user=world.coordinator, panel=world.panel, path="/m/d/", kind=AccessKind.LETTER_DOWNLOAD)

    def found(**query):
        response = search(world.auditor, **query)
        assert response.status_code == 200, response.content.decode()[:2000]
        return shown_paths(response)

    assert found(person=chair.email.upper()) == {"/m/b/", "/m/c/"}
    assert found(person=world.coordinator.email.split("@")[0]) == {"/m/a/", "/m/d/"}
    assert found(case=world.case.reference.lower()) == {"/m/a/", "/m/b/"}
    assert found(case=f"  {second_case.reference} ") == {"/m/c/"}
    assert found(kind=AccessKind.DECISION) == {"/m/b/"}
    assert found(kind=AccessKind.LETTER_DOWNLOAD) == {"/m/d/"}
    assert found(address="203.0.113.9") == {"/m/c/"}
    assert found(date_from_0=5, date_from_1=3, date_from_2=2026) == {"/m/b/", "/m/c/", "/m/d/"}
    assert found(date_to_0=5, date_to_1=3, date_to_2=2026) == {"/m/a/", "/m/b/"}
    assert found(date_from_0=5, date_from_1=3, date_from_2=2026, date_to_0=9, date_to_1=3, date_to_2=2026) == {
        "/m/b/",
        "/m/c/",
    }
    assert found(person=chair.email, kind=AccessKind.CASE) == {"/m/c/"}
    assert found(person="nobody-at-all") == set()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            {
                "date_from_0": 9,
                "date_from_1": 3,
                "date_from_2": 2026,
                "date_to_0": 2,
                "date_to_1": 3,
                "date_to_2": 2026,
            },
            "The end date must be the same as or after the start date",
        ),
        ({"date_from_0": 31, "date_from_1": 2, "date_from_2": 2026}, "Enter a real date"),
        ({"date_to_0": 1, "date_to_1": 13, "date_to_2": 2026}, "Enter a real date"),
        ({"date_from_0": "x", "date_from_1": "y", "date_from_2": "z"}, "From"),
        ({"date_from_0": 1, "date_from_1": 1, "date_from_2": "9" * 30}, "From"),
        ({"date_to_0": "1" * 10_000, "date_to_1": 1, "date_to_2": 2026}, "To"),
        ({"person": "p" * 10_000}, "must be 254 characters or fewer"),
        ({"case": "C" * 10_000}, "must be 20 characters or fewer"),
        ({"address": "9" * 10_000}, "must be 45 characters or fewer"),
        ({"kind": "everything"}, "Select one of the answers shown for “What”"),
        ({"kind": "x" * 10_000}, "Select one of the answers shown for “What”"),
    ],
    ids=[
        "to-before-from",
        "31-february",
        "month-13",
        "letters-for-a-date",
        "30-digit-year",
        "10k-digit-day",
        "10k-person",
        "10k-case",
        "10k-address",
        "unknown-kind",
        "10k-kind",
    ],
)
def test_bad_search_input_is_refused_with_a_message_never_an_error(world, query, message):
    logged(user=world.coordinator, panel=world.panel, referral=world.case, path="/m/a/")

    response = search(world.auditor, **query)

    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page and message in page
    assert shown_paths(response) == set()


@pytest.mark.parametrize("page", ["0", "-1", "999999", "x", "9" * 5000])
def test_a_page_number_that_is_not_a_page_shows_a_page(world, page):
    logged(user=world.coordinator, panel=world.panel, referral=world.case, path="/m/a/")

    response = search(world.auditor, page=page)

    assert response.status_code == 200
    assert shown_paths(response) == {"/m/a/"}


def test_the_search_costs_the_same_queries_for_5_events_or_60(world):
    client = Client()
    client.force_login(world.auditor)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("access_log:search"), {"kind": AccessKind.CASE})
        assert response.status_code == 200
        return len(captured)

    people = [world.coordinator, world.people[Role.CHAIR], world.nurse]
    cases = [world.case, *(RgPendingReferralFactory(panel=world.panel) for _ in range(2))]
    for n in range(5):
        logged(user=people[n % 3], panel=world.panel, referral=cases[n % 3], path=f"/m/{n}/")
    few = queries()
    for n in range(5, 60):
        logged(user=people[n % 3], panel=world.panel, referral=cases[n % 3], path=f"/m/{n}/")

    many = queries()

    assert many == few
