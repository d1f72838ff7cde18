"""Health detail is for health roles only: "a non-health panel member, another panel and a referrer cannot read
health detail by any URL, list, search, export or history view".

A health provider has answered a request about a child: its name, the questions, the answer, who answered and
the document it sent each carry a marker that must never reach anyone but the panel's designated nurse and its
members for a health agency. Every health URL (taken from safeguarding.urls, so a new one without an
expectation fails) is asked for, read and posted to, by everyone else on the panel, by the referrer, by a nurse
whose membership ended, by a coordinator who is a nurse only on another panel, by another panel's people and by
someone not signed in; then every other page where the detail could surface: the case page, its change history,
the referrals search, notifications, the meeting pack and its PDF, the SCA export, the decision letter, the
Django admin and the emails sent. The panel's other readers see only that health information was asked for and
received, with the dates.

Then the nurse's own forms, given bad input, and the query counts of the health pages.

The panel and its request are built once for the module, in a transaction rolled back at its end; each test runs
in its own savepoint, so a POST that got through would not leak into the next test.
"""

import csv
import datetime
import html
import io
import json
import re
import shutil
from dataclasses import dataclass, field

import pytest
from django.contrib import admin
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from decisions import documents, letters
from decisions.models import Letter
from notifications.models import Kind, Notification
from notifications.services import send_pending_emails
from nrm_panel.models import AgencyKind, Membership, Role
from referrals.models import Referral
from safeguarding import urls as safeguarding_urls
from safeguarding.models import (
    HealthInformationRequest,
    HealthRequestState,
    HealthResponseDocument,
    LegalBasis,
    ProviderKind,
    ProviderLink,
)
from safeguarding.services import health
from tests.decisions.conftest import Steps
from tests.decisions.http_helpers import TO_LOGIN, outcome, request_as, sitting_for
from tests.factories import PanelFactory, RgPendingReferralFactory, member
from tests.safeguarding.conftest import link_in, request_fields
from tests.safeguarding.court_helpers import date_data

pytestmark = pytest.mark.django_db

# --- What must not leak ---------------------------------------------------------------------------

CHILD = ("Ifeoma", "Nwachukwu")
PROVIDER = "Marker Sexual Health Clinic"
QUESTIONS = "Attendances since 2024, MARKER-QUESTIONS-4410, and any disclosures made to clinic staff."
RESPONSE = "Seen four times since March; MARKER-HEALTH-7731; disclosed an older 'boyfriend' who gives her lifts."
CONTACT_EMAIL = "marker.clinic.6643@nhs.net"
RESPONDED_BY = "Dr Marker Respondent-3317, lead clinician"
DOCUMENT_NAME = "marker-clinic-summary-5520.pdf"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n% MARKER-PDF-9902 clinic summary\ntrailer<<>>\n%%EOF\n"
# Each is found only in the health detail of our panel's request.
MARKERS = (
    "MARKER-HEALTH-7731",
    "MARKER-QUESTIONS-4410",
    PROVIDER,
    CONTACT_EMAIL,
    "Dr Marker Respondent-3317",
    DOCUMENT_NAME,
    "MARKER-PDF-9902",
)
# The other panel's request: our panel's people, our nurse included, must not read it either.
OTHER_MARKERS = ("OTHER-PANEL-HEALTH-2208", "Other Borough Walk-in Centre")


def leaked(text: str, markers=MARKERS + OTHER_MARKERS) -> list[str]:
    return [marker for marker in markers if marker in text]


def forbidden(actor: str) -> tuple[str, ...]:
    """The markers `actor` must not read: ours unless they hold a health role on our panel, the other panel's
    unless they hold one there."""
    return (() if actor in HEALTH_READERS else MARKERS) + (() if actor in OTHER_HEALTH_READERS else OTHER_MARKERS)


def body(response) -> str:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return data.decode("utf-8", "replace")


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


# --- The panel, built once ------------------------------------------------------------------------

ACTORS = (
    "nurse",  # the designated nurse who asked
    "health_member",  # a panel member for a health agency: reads health detail, writes none
    "coordinator",
    "chair",
    "auditor",
    "police_member",  # a panel member for a police agency
    "coordinator_nurse_elsewhere",  # our panel's coordinator, and a designated nurse on another panel
    "referrer",  # who referred the child
    "former_nurse",  # a designated nurse of our panel whose membership ended
    "other_nurse",  # another panel's designated nurse, with a request of her own
    "other_coordinator",
    "anonymous",
)
HEALTH_READERS = ("nurse", "health_member")
OTHER_HEALTH_READERS = ("coordinator_nurse_elsewhere", "other_nurse")  # designated nurses of the other panel
NOT_HEALTH_READERS = tuple(actor for actor in ACTORS if actor not in HEALTH_READERS)
# On the panel, reading its cases, but not its health detail: they see the summary sentence.
PANEL_NOT_HEALTH = ("coordinator", "chair", "auditor", "police_member", "coordinator_nurse_elsewhere")


@dataclass
class World:
    case: Referral
    request: HealthInformationRequest
    document: HealthResponseDocument
    token: str  # the provider's link, used
    other_case: Referral
    other_request: HealthInformationRequest
    other_document: HealthResponseDocument
    meeting: object
    item: object  # the case's item on the meeting's agenda
    letter: Letter
    actors: dict
    emails: list = field(default_factory=list)  # every email the building sent

    def ids(self) -> dict:
        return {
            "referral_id": self.case.public_id,
            "public_id": self.request.public_id,
            "request_id": self.request.public_id,
            "document_id": self.document.public_id,
            "token": self.token,
        }

    def other_ids(self) -> dict:
        return {
            "referral_id": self.other_case.public_id,
            "public_id": self.other_request.public_id,
            "request_id": self.other_request.public_id,
            "document_id": self.other_document.public_id,
            "token": self.token,
        }


def build_world() -> World:
    mail.outbox = []
    panel = PanelFactory(name="Hackney NRM Panel", code="HKY")
    other = PanelFactory(name="Bromley NRM Panel", code="BRM")
    ours, theirs = sitting_for(panel, "Hackney"), sitting_for(other, "Bromley")
    referrer = member(panel, Role.REFERRER)
    nurse = ours.health
    former_nurse = member(panel, Role.DESIGNATED_NURSE, agency=ours.agencies[AgencyKind.HEALTH])
    Membership.objects.filter(user=former_nurse).update(is_active=False)
    coordinator_nurse_elsewhere = member(panel, Role.COORDINATOR)
    member(other, Role.DESIGNATED_NURSE, user=coordinator_nurse_elsewhere, agency=theirs.agencies[AgencyKind.HEALTH])

    case = RgPendingReferralFactory(panel=panel, referrer=referrer, first_name=CHILD[0], last_name=CHILD[1])
    request = health.health_request_create(
        referral=case,
        user=nurse,
        provider_kind=ProviderKind.SEXUAL_HEALTH,
        provider_name=PROVIDER,
        contact_name="Dr Ada Okoye",
        contact_email=CONTACT_EMAIL,
        questions=QUESTIONS,
        legal_basis=LegalBasis.SECTION_47,
        due_date=timezone.localdate() + datetime.timedelta(days=14),
    )
    link = health.health_request_send(request=request, user=nurse)
    health.provider_emails_send()  # the outbox's worker, as after the commit
    token = health.provider_link_token(link)
    health.provider_response_submit(
        request_id=request.public_id,
        token=token,
        responded_by_name=RESPONDED_BY,
        text=RESPONSE,
        uploads=[SimpleUploadedFile(DOCUMENT_NAME, PDF, content_type="application/pdf")],
    )
    send_pending_emails()  # the nurse is told by email, as after the commit

    other_case = RgPendingReferralFactory(panel=other)
    other_request = health.health_request_create(
        referral=other_case,
        user=theirs.health,
        **request_fields(provider_name="Other Borough Walk-in Centre", questions="OTHER-PANEL-HEALTH-2208"),
    )
    health.health_request_send(request=other_request, user=theirs.health)
    health.health_response_record(
        request=other_request,
        user=theirs.health,
        responded_by_name="By telephone",
        text="OTHER-PANEL-HEALTH-2208 answered",
        uploads=[SimpleUploadedFile("other.pdf", PDF, content_type="application/pdf")],
    )

    # The case goes to today's meeting, is decided, and its decision letter is issued and rendered.
    item = Steps(ours).decide(case, ours.meeting)
    letter = letters.letter_issue(referral=case, decision=item.decisions.get(), user=ours.coordinator)
    letters.letter_render(letter.pk)

    world = World(
        case=Referral.objects.get(pk=case.pk),
        request=HealthInformationRequest.objects.get(pk=request.pk),
        document=request.documents.get(),
        token=token,
        other_case=other_case,
        other_request=other_request,
        other_document=other_request.documents.get(),
        meeting=ours.meeting,
        item=item,
        letter=Letter.objects.get(pk=letter.pk),
        actors={
            "nurse": nurse,
            "health_member": member(panel, Role.PANEL_MEMBER, agency=ours.agencies[AgencyKind.HEALTH]),
            "coordinator": ours.coordinator,
            "chair": ours.chair,
            "auditor": member(panel, Role.AUDITOR),
            "police_member": member(panel, Role.PANEL_MEMBER),  # a police agency's, by default
            "coordinator_nurse_elsewhere": coordinator_nurse_elsewhere,
            "referrer": referrer,
            "former_nurse": former_nurse,
            "other_nurse": theirs.health,
            "other_coordinator": theirs.coordinator,
            "anonymous": None,
        },
    )
    world.emails = list(mail.outbox)
    return world


@pytest.fixture(scope="module")
def media_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("health-uploads")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, media_folder):
    with override_settings(PRIVATE_MEDIA_ROOT=media_folder), django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _private_media(settings, media_folder):
    # Replaces the project's per-test folder, so the world's stored document can be downloaded in every test.
    settings.PRIVATE_MEDIA_ROOT = media_folder


STORED = (HealthInformationRequest, HealthResponseDocument, ProviderLink, Notification, Referral, Letter)


def snapshot() -> dict:
    """Every row a health request touches, with the number of history entries of each kind that keeps one."""
    return {
        model.__name__: (
            list(model.objects.order_by("pk").values()),
            model.history.count() if hasattr(model, "history") else None,
        )
        for model in STORED
    }


# --- Every health URL -----------------------------------------------------------------------------

PATTERNS = {
    pattern.name: pattern
    for pattern in safeguarding_urls.urlpatterns
    if pattern.name.startswith("health") or pattern.name == "provider_respond"
}


def url(name: str, ids: dict) -> str:
    """The URL, its arguments filled from `ids` by the names the URLconf gives them."""
    names = PATTERNS[name].pattern.converters
    missing = set(names) - set(ids)
    assert not missing, f"{name} takes {missing}: say which object's id fills it"
    return reverse(f"safeguarding:{name}", kwargs={key: ids[key] for key in names})


def expect(default, **by_actor) -> dict:
    return {actor: by_actor.get(actor, default) for actor in ACTORS}


NURSE_WRITES = expect(404, nurse=200, health_member=403)
# A POST to change an answered request: refused with a message, for the nurse too.
NURSE_WRITES_POST = expect(404, nurse=400, health_member=403)
# Who gets what: another panel's or a referrer's request for our ids is answered as if nothing existed (404);
# a reader of the case who may not do this gets a 403; the health list is refused to all but health roles
# (theirs is empty of ours); the provider's used link says so to everyone, whoever they are.
EXPECTED = {
    "health_requests": (
        expect(403, nurse=200, health_member=200, coordinator_nurse_elsewhere=200, other_nurse=200),
        expect(403, nurse=200, health_member=200, coordinator_nurse_elsewhere=200, other_nurse=200),
    ),
    "health_request_create": (
        expect(404, nurse=200, **dict.fromkeys(("health_member", *PANEL_NOT_HEALTH), 403)),
        expect(404, nurse=302, **dict.fromkeys(("health_member", *PANEL_NOT_HEALTH), 403)),
    ),
    "health_request": (expect(404, nurse=200, health_member=200), expect(404, nurse=200, health_member=200)),
    "health_request_change": (NURSE_WRITES, NURSE_WRITES_POST),
    "health_request_send": (expect(404, nurse=302, health_member=403), NURSE_WRITES_POST),
    "health_request_chase": (NURSE_WRITES, NURSE_WRITES_POST),
    "health_response_record": (NURSE_WRITES, NURSE_WRITES_POST),
    "health_request_withdraw": (NURSE_WRITES, NURSE_WRITES_POST),
    "health_document": (expect(404, nurse=200, health_member=200), expect(404, nurse=200, health_member=200)),
    "provider_respond": (expect(410), expect(410)),
}
# The health views do not send someone signed out to sign in (they have no login_required): they refuse, as to
# anyone else who may not see the page. Any of the three is fine for leaks.
REFUSED_ANONYMOUS = {403, 404, TO_LOGIN}


def post_data(name: str) -> dict:
    """A POST each URL would accept from the nurse on a request still open."""
    due = timezone.localdate() + datetime.timedelta(days=21)
    return {
        "health_request_create": form_data(request_fields(questions="A second request")),
        "health_request_change": form_data(request_fields(questions="Changed by someone")),
        "health_request_chase": date_data("due_date", due),
        "health_response_record": {
            "responded_by_name": "Someone else",
            "text": "A different answer",
            "documents": [SimpleUploadedFile("other.pdf", PDF, content_type="application/pdf")],
        },
        "health_request_withdraw": {"reason": "No longer needed"},
        "provider_respond": {"responded_by_name": "Someone else", "text": "A different answer"},
    }.get(name, {})


def form_data(fields: dict) -> dict:
    """A request's fields as the browser posts them."""
    data = {name: value for name, value in fields.items() if name != "due_date"}
    return data | date_data("due_date", fields["due_date"])


def test_every_health_url_has_an_expectation():
    assert set(PATTERNS) == set(EXPECTED), "A health URL was added or removed: say who may open it, and how"


def assert_status(actor: str, got, expected) -> None:
    if actor == "anonymous" and expected in (403, 404):
        assert got in REFUSED_ANONYMOUS
    else:
        assert got == expected


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_health_url_opened_by_anyone_shows_health_detail_only_to_health_roles(client, world, name, actor):
    response = request_as(client, world.actors[actor], "get", url(name, world.ids()))
    assert_status(actor, outcome(response), EXPECTED[name][0][actor])
    text = body(response)
    markers = MARKERS + OTHER_MARKERS if name == "provider_respond" else forbidden(actor)
    assert leaked(text, markers) == [], f"{actor} read health detail at {name}"
    assert CHILD[1] not in text or actor in HEALTH_READERS


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_health_url_posted_to_by_anyone_changes_nothing_unless_it_is_the_nurses_to_change(client, world, name, actor):
    before = snapshot()
    response = request_as(client, world.actors[actor], "post", url(name, world.ids()), post_data(name))
    assert_status(actor, outcome(response), EXPECTED[name][1][actor])
    assert leaked(body(response), forbidden(actor)) == [], f"{actor} read health detail by posting to {name}"
    if (name, actor) == ("health_request_create", "nurse"):
        assert HealthInformationRequest.objects.filter(referral=world.case).count() == 2
    else:
        assert snapshot() == before, f"{actor}'s POST to {name} changed something"


@pytest.mark.parametrize("actor", ["nurse", "health_member", "coordinator"])
@pytest.mark.parametrize("name", sorted(set(EXPECTED) - {"health_requests", "provider_respond"}))
def test_another_panels_ids_are_not_found_even_by_health_roles(client, world, name, actor):
    for method in ("get", "post"):
        before = snapshot()
        response = request_as(client, world.actors[actor], method, url(name, world.other_ids()), post_data(name))
        assert outcome(response) == 404
        assert leaked(body(response)) == []
        assert snapshot() == before


def test_another_panels_nurse_cannot_reach_our_document_through_her_own_request(client, world):
    path = reverse("safeguarding:health_document", args=[world.other_request.public_id, world.document.public_id])
    response = request_as(client, world.actors["other_nurse"], "get", path)
    assert response.status_code == 404
    assert leaked(body(response)) == []
    # Nor ours hers.
    path = reverse("safeguarding:health_document", args=[world.request.public_id, world.other_document.public_id])
    assert request_as(client, world.actors["nurse"], "get", path).status_code == 404


@pytest.mark.parametrize("actor", HEALTH_READERS)
def test_health_roles_read_the_request_and_download_its_document(client, world, actor):
    response = request_as(client, world.actors[actor], "get", url("health_request", world.ids()))
    page = html.unescape(body(response))
    for marker in MARKERS[:-1]:  # all but the PDF's content, which is in the document
        assert marker in page
    assert leaked(page, OTHER_MARKERS) == []

    download = request_as(client, world.actors[actor], "get", url("health_document", world.ids()))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert DOCUMENT_NAME in download["Content-Disposition"]
    assert download["Cache-Control"] == "private, no-store"

    listed = body(request_as(client, world.actors[actor], "get", reverse("safeguarding:health_requests")))
    assert PROVIDER in listed and leaked(listed, OTHER_MARKERS) == []


# --- Every other page where the detail could surface ------------------------------------------------


SUMMARY = "Health information was requested from 1 provider; 1 has responded, most recently on"


@pytest.mark.parametrize("actor", ACTORS)
def test_the_case_page_shows_health_detail_to_health_roles_and_a_sentence_to_the_panels_other_readers(
    client, world, actor
):
    response = request_as(client, world.actors[actor], "get", reverse("referrals:case", args=[world.case.public_id]))
    page = body(response)
    if actor in HEALTH_READERS:
        assert response.status_code == 200
        assert PROVIDER in page and "Received" in page
        assert leaked(page, OTHER_MARKERS) == []
        return
    assert leaked(page, forbidden(actor)) == []
    if actor in PANEL_NOT_HEALTH:
        assert response.status_code == 200
        summary = re.search(r'data-testid="health-summary">(.*?)</p>', page, re.S)
        assert summary, "no health summary on the case page"
        received = timezone.localtime(world.request.received_at)
        assert f"{SUMMARY} {received.day} {received:%B %Y}." in summary.group(1)
        assert reverse("safeguarding:health_request", args=[world.request.public_id]) not in page
    elif actor == "referrer":
        assert response.status_code == 200  # their own referral: the outcome, nothing of the panel's work
        assert 'id="health"' not in page and "health-summary" not in page
    else:
        assert outcome(response) in (404, TO_LOGIN)


@pytest.mark.parametrize("actor", NOT_HEALTH_READERS)
def test_the_cases_change_history_holds_no_health_detail(client, world, actor):
    response = request_as(client, world.actors[actor], "get", reverse("referrals:history", args=[world.case.public_id]))
    assert leaked(body(response)) == []
    if actor in ("coordinator", "chair", "auditor"):
        assert response.status_code == 200 and world.case.reference in body(response)


@pytest.mark.parametrize("term", ["MARKER-HEALTH-7731", "Marker", "MARKER-QUESTIONS-4410", CONTACT_EMAIL, "Sexual"])
def test_searching_the_referrals_for_health_text_finds_no_case_for_anyone(client, world, term):
    for actor in ACTORS:
        if actor == "anonymous":
            continue
        response = request_as(client, world.actors[actor], "get", reverse("referrals:list"), {"search": term})
        assert response.status_code == 200
        page = body(response)
        assert world.case.reference not in page and world.other_case.reference not in page, (actor, term)
        assert 'data-testid="result-count">0 referrals<' in page, (actor, term)
    # The search itself works: the coordinator finds the case by the child's name.
    found = request_as(client, world.actors["coordinator"], "get", reverse("referrals:list"), {"search": CHILD[1]})
    assert world.case.reference in body(found)


@pytest.mark.parametrize("actor", [actor for actor in ACTORS if actor != "anonymous"])
def test_notifications_hold_no_health_detail(client, world, actor):
    response = request_as(client, world.actors[actor], "get", reverse("notifications:list"))
    assert response.status_code == 200
    page = body(response)
    assert leaked(page, forbidden(actor)) == [] and CHILD[1] not in page
    if actor == "nurse":
        assert world.case.reference in page  # told that a provider answered, by the case's reference only


def test_only_the_nurse_is_told_of_the_response_and_no_notification_holds_detail(world):
    told = Notification.objects.filter(kind__in=[Kind.HEALTH_RESPONSE_RECEIVED, Kind.HEALTH_REQUEST_OVERDUE])
    assert {n.recipient_id for n in told.filter(panel=world.case.panel)} == {world.actors["nurse"].pk}
    for notification in Notification.objects.all():
        assert leaked(f"{notification.text} {notification.link}") == []
        assert CHILD[0] not in notification.text and CHILD[1] not in notification.text


def test_the_emails_sent_name_no_child_and_hold_no_health_detail(world):
    kinds = {message.subject for message in world.emails}
    assert any("Request for health information" in subject for subject in kinds), "the provider was not emailed"
    assert any(subject.startswith("NRM Panel:") for subject in kinds), "the nurse was not emailed"
    for message in world.emails:
        text = f"{message.subject}\n{message.body}"
        assert leaked(text) == [], message.subject
        assert CHILD[0] not in text and CHILD[1] not in text and world.case.reference not in text
    (to_provider,) = [m for m in world.emails if "/health-provider/" in m.body]
    assert to_provider.to == [CONTACT_EMAIL]
    assert link_in(to_provider).startswith(f"/health-provider/{world.request.public_id}/")


@pytest.mark.parametrize("actor", ["coordinator", "chair", "police_member", "coordinator_nurse_elsewhere"])
def test_the_meeting_pack_holds_no_health_detail(client, world, actor):
    response = request_as(client, world.actors[actor], "get", reverse("decisions:pack", args=[world.meeting.public_id]))
    assert response.status_code == 200
    page = body(response)
    assert world.case.reference in page  # the case is in the pack
    assert leaked(page) == []


def test_the_meeting_pack_pdf_holds_no_health_detail(client, world):
    response = request_as(
        client, world.actors["police_member"], "get", reverse("decisions:pack_pdf", args=[world.meeting.public_id])
    )
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert world.case.reference in text
    assert leaked(text) == []
    # And the pack as it is built, whoever asks: the template's context holds no health request.
    context = documents.meeting_pack_context(world.meeting)
    assert leaked(str(context)) == []


@pytest.mark.parametrize("fmt", ["csv", "json"])
@pytest.mark.parametrize("actor", ["coordinator", "coordinator_nurse_elsewhere", "other_coordinator"])
def test_the_sca_export_holds_no_health_detail(client, world, fmt, actor):
    response = request_as(
        client, world.actors[actor], "get", reverse("decisions:sca_export", args=[fmt]), {"decisions": "all"}
    )
    assert response.status_code == 200
    text = body(response)
    assert leaked(text) == []
    rows = json.loads(text)["decisions"] if fmt == "json" else list(csv.DictReader(io.StringIO(text)))
    references = {row["reference"] for row in rows}
    assert (world.case.reference in references) == (actor != "other_coordinator")


def test_the_cases_letter_holds_no_health_detail(client, world):
    with world.letter.file.open("rb") as stored:
        text = pdf_text(stored.read())
    assert CHILD[1] in text or world.case.reference in text  # the letter is the case's
    assert leaked(text) == []
    for actor in ("coordinator", "chair"):
        for path in (reverse("decisions:letters"), reverse("decisions:letter", args=[world.letter.public_id])):
            response = request_as(client, world.actors[actor], "get", path)
            assert response.status_code == 200
            assert leaked(body(response)) == []


def other_pages(w: World) -> list[str]:
    """The pages about the case, its meeting, or the lists it is in, outside the health pages."""
    meeting, case = w.meeting.public_id, w.case.public_id
    return [
        reverse("decisions:case_inputs", args=[case]),
        reverse("decisions:meeting_list"),
        reverse("decisions:meeting", args=[meeting]),
        reverse("decisions:minutes", args=[meeting]),
        reverse("decisions:item", args=[meeting, w.item.pk]),
        reverse("decisions:inputs_outstanding"),
        reverse("decisions:at_risk"),
        reverse("decisions:sca_return"),
        reverse("safeguarding:turning_18"),
    ]


@pytest.mark.parametrize("actor", NOT_HEALTH_READERS)
def test_no_other_page_about_the_case_or_its_meeting_holds_health_detail(client, world, actor):
    opened = 0
    for path in other_pages(world):
        response = request_as(client, world.actors[actor], "get", path)
        assert leaked(body(response), forbidden(actor)) == [], f"{actor} read health detail at {path}"
        opened += response.status_code == 200
    if actor == "coordinator":  # who opens them all: the sweep looked at the pages, not at refusals
        assert opened == len(other_pages(world))


def test_the_health_models_are_not_in_the_django_admin():
    for model in (HealthInformationRequest, HealthResponseDocument, ProviderLink):
        assert admin.site.is_registered(model) is False, model.__name__
        for model_admin in admin.site._registry.values():
            assert model not in {inline.model for inline in model_admin.inlines}, type(model_admin).__name__


# --- Query counts ---------------------------------------------------------------------------------

PDF_UPLOAD = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def answered_request(case, nurse, *, documents: int = 1, links: int = 1):
    """A request sent, chased until it has `links` links, and answered with `documents` documents."""
    request = health.health_request_create(referral=case, user=nurse, **request_fields())
    health.health_request_send(request=request, user=nurse)
    for _ in range(links - 1):
        health.health_request_chase(request=request, user=nurse)
    health.health_response_record(
        request=request,
        user=nurse,
        responded_by_name="Dr Shah",
        text="Seen twice.",
        uploads=[SimpleUploadedFile(f"page-{n}.pdf", PDF_UPLOAD) for n in range(documents)],
    )
    return request


def queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def test_the_health_list_costs_the_same_queries_for_1_request_or_8(client, panel, case, nurse):
    answered_request(case, nurse)
    client.force_login(nurse)
    path = reverse("safeguarding:health_requests")
    one = queries(client, path)
    for n in range(7):
        other_case = RgPendingReferralFactory(panel=panel)
        if n % 3 == 0:
            health.health_request_create(referral=other_case, user=nurse, **request_fields())
        else:
            answered_request(other_case, nurse, documents=n % 3 + 1)
    eight = queries(client, path)
    assert len(re.findall(r'href="/health-requests/[0-9a-f-]{36}/"', body(client.get(path)))) == 8
    assert eight == one


def test_the_request_page_costs_the_same_queries_for_1_document_or_8(client, panel, case, nurse):
    small = answered_request(case, nurse)
    large = answered_request(RgPendingReferralFactory(panel=panel), nurse, documents=8, links=8)
    assert large.documents.count() == 8 and large.links.count() == 8
    client.force_login(nurse)
    assert queries(client, url("health_request", {"public_id": small.public_id})) == queries(
        client, url("health_request", {"public_id": large.public_id})
    )


def test_the_case_page_costs_the_same_queries_for_1_health_request_or_8(client, panel, case, nurse):
    other_case = RgPendingReferralFactory(panel=panel)
    answered_request(case, nurse)
    for _ in range(8):
        answered_request(other_case, nurse, documents=2)
    client.force_login(nurse)
    assert queries(client, reverse("referrals:case", args=[case.public_id])) == queries(
        client, reverse("referrals:case", args=[other_case.public_id])
    )


# --- The nurse's forms, given bad input -----------------------------------------------------------


def field_error(response, name: str) -> str:
    """The message shown next to a field (its GOV.UK error message), or ''."""
    found = re.search(
        rf'<span id="id_{name}_\d+_error" class="govuk-error-message">\s*'
        r'<span class="govuk-visually-hidden">Error:</span>(.*?)</span>',
        body(response),
        re.S,
    )
    return html.unescape(found.group(1)).strip() if found else ""


def error_summary(response) -> str:
    page = body(response)
    assert "govuk-error-summary" in page, "no error summary on the page"
    start = page.index("govuk-error-summary")
    return html.unescape(page[start : page.find("<h1", start)])


def assert_refused(response, errors: dict, *, status=400) -> None:
    """A 4xx; each message next to its field and in the error summary; a message for '' only in the summary."""
    assert response.status_code == status, body(response)[:3000]
    summary = error_summary(response)
    for name, message in errors.items():
        assert message in summary, f"{message!r} not in the error summary:\n{summary}"
        if name:
            assert message in field_error(response, name), f"{message!r} is not next to {name}"
            assert re.search(rf'href="#id_{name}(_\d+)?"', summary)


def stored(request: HealthInformationRequest) -> dict:
    return {
        **HealthInformationRequest.objects.filter(pk=request.pk).values().get(),
        "history": request.history.count(),
        "links": list(request.links.values()),
        "documents": request.documents.count(),
    }


FUTURE = timezone.localdate() + datetime.timedelta(days=30)
YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)
REQUEST_BAD_INPUT = {
    "nothing-at-all": (
        {},
        {
            "provider_kind": "Select an answer for “Kind of health provider”",
            "provider_name": "Enter an answer for “Provider”",
            "contact_email": "Enter an answer for “Contact email address”",
            "questions": "Enter an answer for “What do you want to know?”",
            "legal_basis": "Select an answer for “Legal basis for sharing”",
            "due_date": "Enter the day, month and year",
        },
    ),
    "31-february": ({"due_date_0": "31", "due_date_1": "2", "due_date_2": "2027"}, {"due_date": "Enter a real date"}),
    "letters-in-the-date": (
        {"due_date_0": "aa", "due_date_1": "bb", "due_date_2": "cccc"},
        {"due_date": "Enter a valid date"},
    ),
    "a-20-digit-year": ({"due_date_2": "9" * 20}, {"due_date": "Enter a real date"}),
    "not-an-email": ({"contact_email": "practice manager at nhs"}, {"contact_email": "Enter an email address like"}),
    "unknown-provider-kind": (
        {"provider_kind": "witch_doctor"},
        {"provider_kind": "Select one of the answers shown for “Kind of health provider”"},
    ),
    "unknown-legal-basis": (
        {"legal_basis": "because"},
        {"legal_basis": "Select one of the answers shown for “Legal basis for sharing”"},
    ),
    "questions-10001-characters": (
        {"questions": "x" * 10_001},
        {"questions": "“What do you want to know?” must be 10000 characters or fewer"},
    ),
    "provider-201-characters": ({"provider_name": "x" * 201}, {"provider_name": "must be 200 characters or fewer"}),
    "due-yesterday": (
        date_data("due_date", timezone.localdate() - datetime.timedelta(days=1)),
        {"": health.DUE_DATE_PAST},
    ),
}


def good_request(changes=None, **more) -> dict:
    return form_data(request_fields(due_date=FUTURE)) | (changes or {}) | more


@pytest.mark.parametrize("data,errors", REQUEST_BAD_INPUT.values(), ids=REQUEST_BAD_INPUT.keys())
def test_a_request_with_bad_input_is_refused_and_none_is_saved(client, case, nurse, data, errors):
    client.force_login(nurse)
    posted = {} if data == {} else good_request(data)
    response = client.post(reverse("safeguarding:health_request_create", args=[case.public_id]), posted)
    assert_refused(response, errors)
    assert not HealthInformationRequest.objects.filter(referral=case).exists()
    # What the nurse typed is kept on the page.
    if "questions" in posted and "questions" not in errors:
        assert html.escape(posted["questions"]) in body(response) or posted["questions"] in body(response)


@pytest.mark.parametrize("data,errors", REQUEST_BAD_INPUT.values(), ids=REQUEST_BAD_INPUT.keys())
def test_a_change_with_bad_input_is_refused_and_the_saved_request_is_kept(client, draft_request, nurse, data, errors):
    before = stored(draft_request)
    client.force_login(nurse)
    posted = {} if data == {} else good_request({"questions": "A change that must not be saved"} | data)
    response = client.post(reverse("safeguarding:health_request_change", args=[draft_request.public_id]), posted)
    assert_refused(response, errors)
    assert stored(draft_request) == before


@pytest.mark.parametrize(
    "data,errors",
    [
        ({"due_date_0": "31", "due_date_1": "2", "due_date_2": "2027"}, {"due_date": "Enter a real date"}),
        ({"due_date_0": "aa", "due_date_1": "bb", "due_date_2": "cccc"}, {"due_date": "Enter a valid date"}),
        (date_data("due_date", YESTERDAY), {"": health.DUE_DATE_PAST}),
    ],
    ids=["31-february", "letters", "yesterday"],
)
def test_a_chase_with_a_bad_date_is_refused_and_sends_nothing(client, sent_request, nurse, data, errors):
    before, emails = stored(sent_request), len(mail.outbox)
    client.force_login(nurse)
    response = client.post(reverse("safeguarding:health_request_chase", args=[sent_request.public_id]), data)
    assert_refused(response, errors)
    assert stored(sent_request) == before and len(mail.outbox) == emails


@pytest.mark.parametrize(
    "data,errors",
    [
        ({}, {"responded_by_name": "Enter an answer for “Who responded”"}),
        ({"responded_by_name": "Dr Shah", "text": "  "}, {"": health.EMPTY_RESPONSE}),
        ({"responded_by_name": "Dr Shah", "text": "x" * 10_001}, {"text": "must be 10000 characters or fewer"}),
        ({"responded_by_name": "x" * 201, "text": "Seen"}, {"responded_by_name": "must be 200 characters or fewer"}),
        (
            {"responded_by_name": "Dr Shah", "text": "See attached", "documents": "exe"},
            {"": "notes.pdf: The selected file must be a PDF"},
        ),
    ],
    ids=["nothing", "blank-response", "response-10001-characters", "name-201-characters", "a-disguised-program"],
)
def test_a_recorded_response_with_bad_input_is_refused_and_the_request_stays_open(
    client, sent_request, nurse, data, errors
):
    if data.get("documents") == "exe":
        data["documents"] = SimpleUploadedFile("notes.pdf", b"MZ\x90\x00 a windows program", "application/pdf")
    before = stored(sent_request)
    client.force_login(nurse)
    response = client.post(reverse("safeguarding:health_response_record", args=[sent_request.public_id]), data)
    assert_refused(response, errors)
    assert stored(sent_request) == before
    assert sent_request.state == HealthRequestState.SENT


@pytest.mark.parametrize(
    "data,errors",
    [
        ({}, {"reason": "Enter an answer for “Why is the request no longer needed?”"}),
        ({"reason": "   "}, {"reason": "Enter an answer for “Why is the request no longer needed?”"}),
        ({"reason": "x" * 10_001}, {"reason": "must be 10000 characters or fewer"}),
    ],
    ids=["nothing", "spaces", "10001-characters"],
)
def test_a_withdrawal_without_a_sensible_reason_is_refused(client, sent_request, nurse, data, errors):
    before = stored(sent_request)
    client.force_login(nurse)
    response = client.post(reverse("safeguarding:health_request_withdraw", args=[sent_request.public_id]), data)
    assert_refused(response, errors)
    assert stored(sent_request) == before


def test_a_request_on_another_panels_case_is_not_found_and_none_is_saved(client, nurse, other_panel):
    theirs = RgPendingReferralFactory(panel=other_panel)
    client.force_login(nurse)
    path = reverse("safeguarding:health_request_create", args=[theirs.public_id])
    assert client.get(path).status_code == 404
    assert client.post(path, good_request()).status_code == 404
    assert not HealthInformationRequest.objects.filter(referral=theirs).exists()


def test_a_coordinator_cannot_draft_or_change_a_request(client, case, coordinator, draft_request):
    before = stored(draft_request)
    client.force_login(coordinator)
    create = reverse("safeguarding:health_request_create", args=[case.public_id])
    assert client.post(create, good_request()).status_code == 403
    for name in ("health_request_change", "health_request_send", "health_request_withdraw"):
        path = reverse(f"safeguarding:{name}", args=[draft_request.public_id])
        assert client.post(path, good_request() | {"reason": "x"}).status_code in (403, 404)
    assert HealthInformationRequest.objects.filter(referral=case).count() == 1 and stored(draft_request) == before


def test_sending_by_a_get_does_nothing(client, draft_request, nurse):
    client.force_login(nurse)
    response = client.get(reverse("safeguarding:health_request_send", args=[draft_request.public_id]))
    assert response.status_code == 302
    assert response["Location"] == reverse("safeguarding:health_request", args=[draft_request.public_id])
    draft_request.refresh_from_db()
    assert draft_request.state == HealthRequestState.DRAFT
    assert not draft_request.links.exists() and mail.outbox == []


def test_sending_twice_sends_once_and_says_why(client, draft_request, nurse, django_capture_on_commit_callbacks):
    client.force_login(nurse)
    path = reverse("safeguarding:health_request_send", args=[draft_request.public_id])
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(path)
        second = client.post(path)
    assert first.status_code == 302
    assert second.status_code == 400
    assert health.NOT_A_DRAFT in html.unescape(body(second))
    assert draft_request.links.count() == 1 and len(mail.outbox) == 1
