"""Who may open, and who may press, each page of the decisions app: every URL, for every kind of person.

Meetings, their packs and agendas are for the people who sit on the panel (coordinator, chair, panel
member, designated nurse); letters are read by the panel's coordinators and chairs, and issued, corrected
and exported by its coordinators; another panel's objects do not exist for anyone else (404); someone who
may see an object but not act on it gets a 403; anonymous people are sent to sign in. A refused POST
changes nothing, and a refused download is not logged. The URL list comes from decisions.urls, so a new
URL without an expectation fails.

The panel and its objects are built once for the module (tests/decisions/http_helpers.py); each test's
changes are rolled back.
"""

import html
import shutil

import pytest
from django.test import override_settings
from django.urls import reverse

from decisions import documents
from decisions.models import DecisionKind
from decisions.urls import urlpatterns
from nrm_panel.models import Role
from tests.decisions.http_helpers import TO_LOGIN, outcome, request_as, snapshot, world_kept_for_module
from tests.factories import member

pytestmark = pytest.mark.django_db

# --- The people -----------------------------------------------------------------------------------

ACTORS = (
    "referrer",
    "coordinator",
    "chair",  # the chair who opened today's meeting and chairs its items
    "other_chair",  # another chair of the panel, present at the meeting but chairing nothing
    "panel_member",  # the police member: writes the police agency's input
    "other_agency_member",  # a panel member for another police agency of the same panel
    "designated_nurse",  # the health member
    "auditor",
    "administrator",
    "other_panel",  # coordinator, chair and panel member of another panel
    "anonymous",
)
SITTING = ("coordinator", "chair", "other_chair", "panel_member", "other_agency_member", "designated_nurse")


@pytest.fixture(scope="module")
def letters_folder(tmp_path_factory):
    """Where the world's letters and exports are stored: kept for the whole module, unlike each test's."""
    folder = tmp_path_factory.mktemp("letters")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, letters_folder):
    with override_settings(PRIVATE_MEDIA_ROOT=letters_folder):
        yield from world_kept_for_module(django_db_blocker, with_letters=True)


@pytest.fixture(autouse=True)
def _private_media(settings, letters_folder):
    # Replaces the project's per-test folder, so the world's stored letters can be downloaded in every test.
    settings.PRIVATE_MEDIA_ROOT = letters_folder


@pytest.fixture(autouse=True)
def _quick_pdf(monkeypatch):
    # Who may download the pack is the question here, not the PDF (tested in test_pages).
    monkeypatch.setattr(documents, "meeting_pack_pdf", lambda context: b"%PDF-1.7 test")


# --- The URLs -------------------------------------------------------------------------------------


def everyone(status, **overrides) -> dict:
    return {**{actor: status for actor in ACTORS if actor != "anonymous"}, **overrides}


def only(status, *allowed) -> dict:
    """`status` for `allowed`; for everyone else the object does not exist (404)."""
    return {**everyone(404), **{actor: status for actor in allowed}}


def sitting_only(status, *allowed, also_refused=()) -> dict:
    """`status` for `allowed`, 403 for the panel's other sitting members (and `also_refused`), else 404."""
    refused = [actor for actor in (*SITTING, *also_refused) if actor not in allowed]
    return {**everyone(404), **{actor: 403 for actor in refused}, **{actor: status for actor in allowed}}


def letter_readers_only(status, *allowed) -> dict:
    """`status` for `allowed`, 403 for the panel's other letter readers (its chairs), else 404."""
    return {**only(403, *LETTER_READERS), **{actor: status for actor in allowed}}


ORGANISERS = ("coordinator", "chair", "other_chair")
CHAIRS = ("chair", "other_chair")
LETTER_READERS = ("coordinator", "chair", "other_chair")
# Pages for the coordinators and chairs of any panel: the other panel's coordinator has the page, for theirs.
PANEL_OVERSIGHT = everyone(403, coordinator=200, chair=200, other_chair=200, other_panel=200)
MEETING_READERS = only(200, *SITTING)
NOT_ALLOWED = everyone(405)  # the wrong method, for everyone signed in


class Url:
    """One URL of the app: how to build it, who gets what from a GET and from a POST, and a POST that
    succeeds for `doer`. `allowed` are others whose POST would succeed too: not made, as it changes things."""

    def __init__(self, name, args, *, get, post, data=None, doer=None, allowed=(), logs_downloads=False):
        self.name, self.args, self.get, self.post = name, args, get, post
        self.data, self.doer, self.allowed = data, doer, allowed
        self.logs_downloads = logs_downloads  # a GET that gives a file logs who downloaded it

    @property
    def label(self) -> str:
        return f"{self.name}-{self.args(None)[0]}" if self.name == "sca_export" else self.name

    def url(self, w) -> str:
        return reverse(f"decisions:{self.name}", args=self.args(w))


def _meeting(attr):
    return lambda w: [getattr(w, attr).public_id]


def _item(attr):
    return lambda w: [w.meeting.public_id, getattr(w, attr).pk]


def _case(attr):
    return lambda w: [getattr(w, attr).public_id]


def _no_data(w):
    return {}


def meeting_form(w, **extra):
    day = w.later.date
    return {
        "date_0": day.day,
        "date_1": day.month,
        "date_2": day.year,
        "starts_at": "14:00",
        "format": "virtual",
        "place": "https://meet.example/abc",
        "reason": "The chair is away that morning.",
        **extra,
    }


def reconsideration_form(w):
    received = w.negative_decision.decided_on
    return {
        "requested_by": "child",
        "requester_name": "Sam Advocate, Example Law",
        "received_on_0": received.day,
        "received_on_1": received.month,
        "received_on_2": received.year,
        "grounds": "new_evidence",
        "details": "A letter from the child's school.",
    }


def recipients_form(w):
    return {
        "decision_safe_address": "Children's Services, Civic Suite, Catford Road, London SE6 4RU",
        "legal_representative_name": "",
        "legal_representative_organisation": "",
        "legal_representative_address": "",
        "exploitation_addresses": "Flat 2, 40 Rushey Green, London SE6 4JF",
    }


def input_form(w):
    return {
        "knowledge": "Arrested twice in Margate.",
        "risks": "Owes a debt.",
        "recommendation": "victim",
        "reasons": "Clear indicators.",
        "version": w.police_input.version,
    }


URLS = [
    Url("meeting_list", lambda w: [], get=everyone(200), post=NOT_ALLOWED),
    # The panel's id in the URL: a panel the person does not organise is not found.
    Url(
        "meetings_schedule",
        lambda w: [w.s.panel.pk],
        get=NOT_ALLOWED,
        post=only(302, "coordinator"),
        data=_no_data,
        doer="coordinator",
    ),
    Url(
        "meeting_call",
        lambda w: [w.s.panel.pk],
        get=only(200, *ORGANISERS),
        post=only(302, *ORGANISERS),
        data=meeting_form,
        doer="coordinator",
        allowed=CHAIRS,
    ),
    Url("meeting", _meeting("meeting"), get=MEETING_READERS, post=NOT_ALLOWED),
    Url(
        "meeting_change",
        _meeting("later"),
        get=sitting_only(200, *ORGANISERS),
        post=sitting_only(302, *ORGANISERS),
        data=lambda w: meeting_form(w, version=w.later.version),
        doer="coordinator",
        allowed=CHAIRS,
    ),
    Url(
        "meeting_cancel",
        _meeting("later"),
        get=sitting_only(200, *ORGANISERS),
        post=sitting_only(302, *ORGANISERS),
        data=lambda w: {"reason": "Nothing to decide."},
        doer="coordinator",
        allowed=CHAIRS,
    ),
    Url(
        "meeting_open",
        _meeting("fresh"),
        get=NOT_ALLOWED,
        post=sitting_only(302, *CHAIRS),
        data=_no_data,
        doer="chair",
        allowed=("other_chair",),
    ),
    # Any chair of the panel sees the attendance form; only the chair who opened the meeting saves it.
    Url(
        "attendance",
        _meeting("meeting"),
        get=sitting_only(200, *CHAIRS),
        post=sitting_only(302, "chair"),
        data=lambda w: {"present": [p.pk for p in (*w.s.voting_members, w.s.education)]},
        doer="chair",
    ),
    Url("agenda", _meeting("meeting"), get=sitting_only(200, "coordinator"), post=NOT_ALLOWED),
    Url(
        "agenda_add",
        _meeting("later"),
        get=NOT_ALLOWED,
        post=sitting_only(302, "coordinator"),
        data=lambda w: {"cases": [w.waiting.public_id]},
        doer="coordinator",
    ),
    Url(
        "agenda_reorder",
        _item("item_b"),
        get=NOT_ALLOWED,
        post=sitting_only(302, "coordinator"),
        data=lambda w: {"direction": "up"},
        doer="coordinator",
    ),
    Url(
        "agenda_remove",
        _item("item_b"),
        get=sitting_only(200, "coordinator"),
        post=sitting_only(302, "coordinator"),
        data=lambda w: {"reason": "The child has moved away."},
        doer="coordinator",
    ),
    Url("pack", _meeting("meeting"), get=MEETING_READERS, post=NOT_ALLOWED),
    Url("pack_pdf", _meeting("meeting"), get=MEETING_READERS, post=NOT_ALLOWED),
    Url("minutes", _meeting("done"), get=MEETING_READERS, post=sitting_only(302, "chair"), data=_no_data, doer="chair"),
    Url("item", _item("item_a"), get=MEETING_READERS, post=NOT_ALLOWED),
    Url(
        "conflict_add",
        _item("item_a"),
        get=NOT_ALLOWED,
        post=sitting_only(302, "chair"),
        data=lambda w: {"person": w.s.deputy.pk, "reason": "Knows the family."},
        doer="chair",
    ),
    Url(
        "conflict_remove",
        lambda w: [w.meeting.public_id, w.item_a.pk, w.conflict.pk],
        get=NOT_ALLOWED,
        post=sitting_only(302, "chair"),
        data=_no_data,
        doer="chair",
    ),
    Url(
        "deputy_set",
        _item("item_a"),
        get=NOT_ALLOWED,
        post=sitting_only(302, "chair"),
        data=lambda w: {"person": w.s.deputy.pk},
        doer="chair",
    ),
    # The other chair is left out of the GET: see test_a_chair_who_does_not_chair_the_item_cannot_open_...
    Url(
        "decision_record",
        lambda w: [w.meeting.public_id, w.item_a.pk, DecisionKind.RG],
        get={**sitting_only(200, "chair"), "other_chair": None},
        post=sitting_only(302, "chair"),
        data=lambda w: {"outcome": "negative", "reasons": "On reflection, no.", "version": w.rg_a.version},
        doer="chair",
    ),
    Url(
        "decision_remove",
        lambda w: [w.meeting.public_id, w.item_a.pk, DecisionKind.RG],
        get=NOT_ALLOWED,
        post=sitting_only(302, "chair"),
        data=_no_data,
        doer="chair",
    ),
    Url("sign_off", _item("item_a"), get=NOT_ALLOWED, post=sitting_only(302, "chair"), data=_no_data, doer="chair"),
    Url("inputs_outstanding", lambda w: [], get=everyone(200), post=NOT_ALLOWED),
    # The auditor reads the case but does not sit on the panel.
    Url("case_inputs", _case("case_a"), get=sitting_only(200, *SITTING, also_refused=("auditor",)), post=NOT_ALLOWED),
    Url(
        "agency_input",
        lambda w: [w.case_a.public_id, w.police.pk],
        get=sitting_only(200, "panel_member", also_refused=("auditor",)),
        post=sitting_only(302, "panel_member", also_refused=("auditor",)),
        data=input_form,
        doer="panel_member",
    ),
    Url(
        "between_meetings",
        _case("waiting"),
        get=NOT_ALLOWED,
        post=sitting_only(302, *CHAIRS, also_refused=("auditor",)),
        data=_no_data,
        doer="chair",
        allowed=("other_chair",),
    ),
    Url(
        "reconsideration_request",
        _case("negative"),
        get=sitting_only(200, "coordinator", also_refused=("auditor",)),
        post=sitting_only(302, "coordinator", also_refused=("auditor",)),
        data=reconsideration_form,
        doer="coordinator",
    ),
    Url(
        "case_close",
        _case("negative"),
        get=sitting_only(200, "coordinator", also_refused=("auditor",)),
        post=sitting_only(302, "coordinator", also_refused=("auditor",)),
        data=lambda w: {"reason": "No reconsideration asked for."},
        doer="coordinator",
    ),
    Url(
        "lead_social_worker",
        _case("case_a"),
        get=sitting_only(200, "coordinator", also_refused=("auditor",)),
        post=sitting_only(302, "coordinator", also_refused=("auditor",)),
        data=lambda w: {"person": w.s.social_care.pk},
        doer="coordinator",
    ),
    # Reconsiderations are found among the coordinator's panels only: for anyone else they do not exist.
    Url(
        "reconsideration_accept",
        lambda w: [w.reconsideration.pk],
        get=NOT_ALLOWED,
        post=only(302, "coordinator"),
        data=_no_data,
        doer="coordinator",
    ),
    Url(
        "reconsideration_refuse",
        lambda w: [w.reconsideration.pk],
        get=only(200, "coordinator"),
        post=only(302, "coordinator"),
        data=lambda w: {"reason": "Nothing new in the request."},
        doer="coordinator",
    ),
    # Another panel's coordinator has the page, but our decisions are not among its choices (400).
    Url(
        "sca_return",
        lambda w: [],
        get=everyone(403, coordinator=200, other_panel=200),
        post=everyone(403, coordinator=302, other_panel=400),
        data=lambda w: {"decisions": [w.negative_decision.public_id]},
        doer="coordinator",
    ),
    Url("sca_export", lambda w: ["csv"], get=everyone(403, coordinator=200, other_panel=200), post=NOT_ALLOWED),
    Url("sca_export", lambda w: ["json"], get=everyone(403, coordinator=200, other_panel=200), post=NOT_ALLOWED),
    Url("at_risk", lambda w: [], get=PANEL_OVERSIGHT, post=NOT_ALLOWED),
    Url(
        "pack_send",
        _meeting("meeting"),
        get=NOT_ALLOWED,
        post=sitting_only(302, "coordinator"),
        data=_no_data,
        doer="coordinator",
    ),
    # Letters. The list is for the coordinators and chairs of any panel, each seeing their panel's letters.
    Url("letters", lambda w: [], get=PANEL_OVERSIGHT, post=NOT_ALLOWED),
    # Another panel's coordinator may export, but our letters are not among the choices (400).
    Url(
        "letters_export",
        lambda w: [],
        get=NOT_ALLOWED,
        post=everyone(403, coordinator=302, other_panel=400),
        data=lambda w: {"letters": [w.letter.public_id]},
        doer="coordinator",
    ),
    Url("letters_export_progress", lambda w: [w.export.public_id], get=only(200, "coordinator"), post=NOT_ALLOWED),
    Url(
        "letters_export_download",
        lambda w: [w.export.public_id],
        get=only(200, "coordinator"),
        post=NOT_ALLOWED,
        logs_downloads=True,
    ),
    Url("letter", lambda w: [w.letter.public_id], get=only(200, *LETTER_READERS), post=NOT_ALLOWED),
    Url(
        "letter_download",
        lambda w: [w.letter.public_id],
        get=only(200, *LETTER_READERS),
        post=NOT_ALLOWED,
        logs_downloads=True,
    ),
    Url(
        "letter_correct",
        lambda w: [w.letter.public_id],
        get=letter_readers_only(200, "coordinator"),
        post=letter_readers_only(302, "coordinator"),
        data=lambda w: {"reason": "The first responder's address had a typo."},
        doer="coordinator",
    ),
    Url(
        "case_letter_issue",
        _case("reconsidered"),
        get=NOT_ALLOWED,
        post=sitting_only(302, "coordinator", also_refused=("auditor",)),
        data=lambda w: {"decision": w.reconsidered.decisions.get().public_id},
        doer="coordinator",
    ),
    Url(
        "letter_recipients",
        _case("case_a"),
        get=sitting_only(200, "coordinator", also_refused=("auditor",)),
        post=sitting_only(302, "coordinator", also_refused=("auditor",)),
        data=recipients_form,
        doer="coordinator",
    ),
    # The meeting's letters: the reconsidered case's is still to issue; the negative case's is ready to export.
    Url(
        "meeting_letters_issue",
        _meeting("done"),
        get=NOT_ALLOWED,
        post=sitting_only(302, "coordinator"),
        data=_no_data,
        doer="coordinator",
    ),
    Url(
        "meeting_letters_export",
        _meeting("done"),
        get=NOT_ALLOWED,
        post=sitting_only(302, "coordinator"),
        data=_no_data,
        doer="coordinator",
    ),
]
POST_URLS = [u for u in URLS if u.doer]
GET_ONLY_URLS = [u for u in URLS if not u.doer and u.get is not NOT_ALLOWED]


def test_every_url_of_the_app_has_expectations():
    assert {u.name for u in URLS} == {p.name for p in urlpatterns}


def _expected(table: dict) -> dict:
    return {**{actor: status for actor, status in table.items() if status is not None}, "anonymous": TO_LOGIN}


@pytest.mark.parametrize("spec", URLS, ids=[u.label for u in URLS])
def test_get_gives_each_person_the_expected_status(spec, client, world):
    url = spec.url(world)
    before = snapshot()
    actual = {}
    for actor in ACTORS:
        if actor != "anonymous" and spec.get.get(actor, 404) is None:
            continue
        actual[actor] = outcome(request_as(client, world.actors[actor], "get", url))

    assert actual == _expected(spec.get)
    after = snapshot()
    if spec.logs_downloads:
        # Only those who were given the file are logged as downloading it.
        (rows, _), (rows_before, _) = after.pop("LetterDownload"), before.pop("LetterDownload")
        logged = [row["downloaded_by_id"] for row in rows if row not in rows_before]
        given = [world.actors[actor].pk for actor, status in actual.items() if status == 200]
        assert sorted(logged) == sorted(given)
    assert after == before


@pytest.mark.parametrize("spec", POST_URLS, ids=[u.label for u in POST_URLS])
def test_post_is_refused_to_everyone_else_and_changes_nothing(spec, client, world):
    url = spec.url(world)
    data = spec.data(world)
    refusals = {actor: status for actor, status in spec.post.items() if actor not in (spec.doer, *spec.allowed)}
    before = snapshot()

    actual = {}
    for actor in [a for a in ACTORS if a in refusals or a == "anonymous"]:
        actual[actor] = outcome(request_as(client, world.actors[actor], "post", url, data))
        assert snapshot() == before, f"A refused POST by {actor} changed what is stored"

    assert actual == {**refusals, "anonymous": TO_LOGIN}
    # The same POST by the person it is for is accepted: the refusals above were about who, not what.
    response = request_as(client, world.actors[spec.doer], "post", url, data)
    assert outcome(response) == spec.post[spec.doer], response.content.decode()[:3000]
    assert snapshot() != before


@pytest.mark.parametrize("spec", GET_ONLY_URLS, ids=[u.label for u in GET_ONLY_URLS])
def test_post_to_a_page_that_only_shows_is_not_allowed(spec, client, world):
    url = spec.url(world)
    before = snapshot()

    actual = {actor: outcome(request_as(client, world.actors[actor], "post", url)) for actor in ACTORS}

    assert actual == {**spec.post, "anonymous": TO_LOGIN}
    assert snapshot() == before


# --- Checks the matrix leaves out: the item's chair, and a refused person sending a bad form ---------


def test_a_chair_who_does_not_chair_the_item_cannot_open_its_decision_form(client, world):
    url = reverse("decisions:decision_record", args=[world.meeting.public_id, world.item_a.pk, DecisionKind.RG])

    response = request_as(client, world.actors["other_chair"], "get", url)

    assert response.status_code == 403


def test_a_chair_who_does_not_chair_the_item_is_refused_even_with_a_bad_form(client, world):
    url = reverse("decisions:decision_record", args=[world.meeting.public_id, world.item_a.pk, DecisionKind.RG])
    before = snapshot()

    response = request_as(client, world.actors["other_chair"], "post", url, {"outcome": "maybe"})

    assert snapshot() == before
    assert response.status_code == 403


@pytest.mark.parametrize("actor", ["other_agency_member", "designated_nurse", "coordinator", "chair", "auditor"])
def test_someone_outside_the_agency_is_refused_its_input_even_with_a_bad_form(actor, client, world):
    url = reverse("decisions:agency_input", args=[world.case_a.public_id, world.police.pk])
    before = snapshot()

    response = request_as(client, world.actors[actor], "post", url, {"knowledge": ""})

    assert snapshot() == before
    assert response.status_code == 403


def test_someone_outside_the_agency_sending_a_bad_form_changes_nothing_and_sees_no_input(client, world):
    # Whatever the status (see the test above), the page must not show the agency's input.
    url = reverse("decisions:agency_input", args=[world.case_a.public_id, world.police.pk])
    before = snapshot()

    response = request_as(client, world.actors["other_agency_member"], "post", url, {"knowledge": ""})

    assert response.status_code in (400, 403)
    assert snapshot() == before
    page = response.content.decode()
    for secret in (world.police_input.knowledge, world.police_input.risks, world.police_input.reasons):
        assert secret not in page


# --- The panel's part of the case page -------------------------------------------------------------


def case_page(client, world, actor, case) -> str:
    response = request_as(client, world.actors[actor], "get", reverse("referrals:case", args=[case.public_id]))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_the_referrer_sees_only_the_outcome_line_of_a_signed_decision(client, world):
    decision = world.reconsidered.decisions.get()
    page = case_page(client, world, "referrer", world.reconsidered)

    assert f"Reasonable grounds: negative, {decision.decided_on:%-d %B %Y}" in page
    for detail in (
        'data-testid="decision-rg"',  # the decision's summary card
        "Agencies' recommendations",
        "Voted",
        "Threshold applied",
        'data-testid="reconsideration"',
        world.reconsideration.requester_name,
        world.reconsideration.details,
        '<h2 class="govuk-heading-m">The panel</h2>',
        "Agency inputs",
    ):
        assert detail not in page, detail
    for voter in decision.voters:
        assert voter["name"] not in page


def test_the_referrer_sees_no_input_and_no_unsigned_decision(client, world):
    page = case_page(client, world, "referrer", world.case_a)

    assert 'data-testid="decisions"' not in page
    assert "Reasonable grounds: positive" not in page
    assert 'data-testid="case-inputs"' not in page
    for secret in (world.police_input.knowledge, world.police_input.risks, world.police, world.rg_a.reasons):
        assert str(secret) not in page


def test_the_referrer_never_sees_the_panels_reasons(client, world):
    reasons = world.negative_decision.reasons

    page = case_page(client, world, "referrer", world.negative)

    assert reasons not in page


@pytest.mark.parametrize("actor", ["coordinator", "chair", "panel_member", "designated_nurse", "auditor"])
def test_the_panels_readers_see_the_signed_decisions_detail_and_its_members_the_inputs(actor, client, world):
    decision = world.reconsidered.decisions.get()

    on_agenda = case_page(client, world, actor, world.case_a)
    decided = case_page(client, world, actor, world.reconsidered)

    # An auditor reads decisions and their reasoning, not the agencies' working inputs.
    assert ('data-testid="case-inputs"' in on_agenda) is (actor != "auditor")
    assert 'data-testid="decision-rg"' in decided
    assert decision.reasons in decided
    assert 'data-testid="reconsideration"' in decided


@pytest.mark.parametrize(
    ("actor", "sees_it"), [("chair", True), ("coordinator", False), ("panel_member", False), ("auditor", False)]
)
def test_only_the_chair_sees_a_decision_not_yet_signed_off(actor, sees_it, client, world):
    page = case_page(client, world, actor, world.case_a)

    assert ("Not signed off" in page) is sees_it
    assert (world.rg_a.reasons in page) is sees_it


def test_someone_on_two_panels_acts_on_each_with_that_panels_role_only(client, world):
    # Our coordinator, and a chair of the other panel.
    person = world.s.coordinator
    member(world.theirs.s.panel, Role.CHAIR, user=person)
    before = snapshot()

    ours = {
        "open our meeting": outcome(
            request_as(client, person, "post", reverse("decisions:meeting_open", args=[world.fresh.public_id]))
        ),
        "record our decision": outcome(
            request_as(
                client,
                person,
                "get",
                reverse("decisions:decision_record", args=[world.meeting.public_id, world.item_a.pk, "rg"]),
            )
        ),
    }
    theirs = {
        "their agenda": outcome(
            request_as(client, person, "get", reverse("decisions:agenda", args=[world.theirs.meeting.public_id]))
        ),
        "their reconsideration": outcome(
            request_as(
                client,
                person,
                "post",
                reverse("decisions:reconsideration_accept", args=[world.theirs.reconsideration.pk]),
            )
        ),
        "their case's lead social worker": outcome(
            request_as(
                client, person, "get", reverse("decisions:lead_social_worker", args=[world.theirs.case_a.public_id])
            )
        ),
    }

    assert ours == {"open our meeting": 403, "record our decision": 403}
    assert theirs == {"their agenda": 403, "their reconsideration": 404, "their case's lead social worker": 403}
    assert snapshot() == before
    page = request_as(client, person, "get", reverse("decisions:sca_return")).content.decode()
    assert world.negative.reference in page
    assert world.theirs.negative.reference not in page


@pytest.mark.parametrize("actor", [a for a in ACTORS if a != "anonymous"])
def test_the_lists_show_this_panels_meetings_and_cases_only_to_those_who_sit_on_it(actor, client, world):
    meetings = request_as(client, world.actors[actor], "get", reverse("decisions:meeting_list")).content.decode()
    outstanding = request_as(client, world.actors[actor], "get", reverse("decisions:inputs_outstanding"))
    outstanding = outstanding.content.decode()

    sits = actor in SITTING
    assert (str(world.meeting.public_id) in meetings) is sits
    assert (world.waiting.reference in outstanding) is sits
    for theirs in (world.theirs.meeting.public_id, world.theirs.later.public_id):
        assert (str(theirs) in meetings) is (actor == "other_panel")
    assert (world.theirs.waiting.reference in outstanding) is (actor == "other_panel")


# --- Letters: another panel's do not exist, and the lists show each panel its own -------------------


def their_letter_urls(w) -> list[tuple[str, str]]:
    theirs = w.theirs
    return [
        ("get", reverse("decisions:letter", args=[theirs.letter.public_id])),
        ("get", reverse("decisions:letter_download", args=[theirs.letter.public_id])),
        ("get", reverse("decisions:letter_correct", args=[theirs.letter.public_id])),
        ("post", reverse("decisions:letter_correct", args=[theirs.letter.public_id])),
        ("get", reverse("decisions:letters_export_progress", args=[theirs.export.public_id])),
        ("get", reverse("decisions:letters_export_download", args=[theirs.export.public_id])),
        ("post", reverse("decisions:case_letter_issue", args=[theirs.reconsidered.public_id])),
        ("get", reverse("decisions:letter_recipients", args=[theirs.case_a.public_id])),
        ("post", reverse("decisions:letter_recipients", args=[theirs.case_a.public_id])),
        ("post", reverse("decisions:meeting_letters_issue", args=[theirs.done.public_id])),
        ("post", reverse("decisions:meeting_letters_export", args=[theirs.done.public_id])),
        ("post", reverse("decisions:pack_send", args=[theirs.meeting.public_id])),
    ]


@pytest.mark.parametrize("actor", LETTER_READERS)
def test_another_panels_letters_exports_and_cases_are_not_found(actor, client, world):
    before = snapshot()
    data = {
        "reason": "A typo.",
        "decision": world.theirs.reconsidered.decisions.get().public_id,
        **recipients_form(world),
    }

    actual = {
        f"{method} {url}": outcome(request_as(client, world.actors[actor], method, url, data))
        for method, url in their_letter_urls(world)
    }

    assert actual == {key: 404 for key in actual}
    assert snapshot() == before


def test_a_coordinator_cannot_export_another_panels_letter_among_their_own(client, world):
    before = snapshot()
    url = reverse("decisions:letters_export")

    response = request_as(
        client,
        world.actors["coordinator"],
        "post",
        url,
        {"letters": [world.letter.public_id, world.theirs.letter.public_id]},
    )

    assert response.status_code == 400
    assert snapshot() == before


@pytest.mark.parametrize("actor", [*LETTER_READERS, "other_panel"])
def test_the_letters_list_shows_each_reader_their_panels_letters_only(actor, client, world):
    page = request_as(client, world.actors[actor], "get", reverse("decisions:letters")).content.decode()

    is_ours = actor != "other_panel"
    assert (str(world.letter.public_id) in page) is is_ours
    assert (world.negative.reference in page) is is_ours
    assert (str(world.theirs.letter.public_id) in page) is not is_ours
    assert (world.theirs.negative.reference in page) is not is_ours
    # Only a coordinator is offered the export, and sees their own exports.
    assert (str(world.export.public_id) in page) is (actor == "coordinator")
    assert (str(world.theirs.export.public_id) in page) is (actor == "other_panel")
