"""Who may open, and who may press, each page of the decisions app: every URL, for every kind of person.

Meetings, their packs and agendas are for the people who sit on the panel (coordinator, chair, panel
member, designated nurse); another panel's objects do not exist for anyone else (404); someone who may
see an object but not act on it gets a 403; anonymous people are sent to sign in. A refused POST changes
nothing. The URL list comes from decisions.urls, so a new URL without an expectation fails.
"""

import pytest
from django.urls import reverse

from decisions import documents
from decisions.models import AgencyInput, Decision, DecisionKind
from decisions.urls import urlpatterns
from nrm_panel.models import AgencyKind, Role
from tests.decisions.http_helpers import TO_LOGIN, build_cycle, outcome, request_as, snapshot
from tests.factories import PASSWORD, member

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


@pytest.fixture
def world(sitting, people, other_panel):
    cycle = build_cycle(sitting, referrer=people[Role.REFERRER])
    outsider = member(other_panel, Role.COORDINATOR)
    member(other_panel, Role.CHAIR, user=outsider)
    member(other_panel, Role.PANEL_MEMBER, user=outsider)
    cycle.actors = {
        "referrer": people[Role.REFERRER],
        "coordinator": sitting.coordinator,
        "chair": sitting.chair,
        "other_chair": sitting.deputy,
        "panel_member": sitting.police,
        "other_agency_member": people[Role.PANEL_MEMBER],
        "designated_nurse": sitting.health,
        "auditor": people[Role.AUDITOR],
        "administrator": people[Role.ADMINISTRATOR],
        "other_panel": outsider,
        "anonymous": None,
    }
    return cycle


@pytest.fixture(autouse=True)
def _quick_pdf(monkeypatch):
    # Who may download the pack is the question here, not the PDF (tested in test_pages).
    monkeypatch.setattr(documents, "meeting_pack_pdf", lambda context: b"%PDF-1.7 test")


# --- The URLs -------------------------------------------------------------------------------------


def everyone(status, **overrides) -> dict:
    return {**{actor: status for actor in ACTORS if actor != "anonymous"}, **overrides}


def only(status, *actors, refused=403, refused_actors=(), default=404) -> dict:
    """`status` for `actors`, `refused` for `refused_actors`, `default` for everyone else."""
    return {**everyone(default), **{a: refused for a in refused_actors}, **{a: status for a in actors}}


def sitting_except(*allowed):
    return tuple(actor for actor in SITTING if actor not in allowed)


MEETING_READERS = only(200, *SITTING)
COORDINATOR_OF_CASE = only(200, "coordinator", refused_actors=(*sitting_except("coordinator"), "auditor"))
COORDINATOR_OF_MEETING = only(200, "coordinator", refused_actors=sitting_except("coordinator"))
CHAIRS_OF_MEETING = only(200, "chair", "other_chair", refused_actors=sitting_except("chair", "other_chair"))
POST_ONLY = everyone(405)
GET_ONLY = everyone(405)


@pytest.fixture
def panel_id(world):
    return world.s.panel.pk


class Url:
    """How to build one URL of the app, a POST that would succeed, and who gets what."""

    def __init__(self, name, args, *, get, post=None, data=None, doer=None, post_refused=None, allowed=()):
        self.name, self.args, self.get, self.data = name, args, get, data
        self.post = post  # refusals of a POST: {actor: status}; None for a GET-only URL
        self.doer = doer  # who makes the POST that succeeds, last
        self.allowed = allowed  # others whose POST would succeed too (not made: it would change the world)

    def url(self, w) -> str:
        return reverse(f"decisions:{self.name}", args=self.args(w))


def _meeting(attr):
    return lambda w: [getattr(w, attr).public_id]


def _item(attr):
    return lambda w: [w.meeting.public_id, getattr(w, attr).pk]


def _case(attr):
    return lambda w: [getattr(w, attr).public_id]


def _refusals(table, *, doer, allowed=()) -> dict:
    return {actor: status for actor, status in table.items() if actor not in (doer, *allowed)}


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


CHAIR_ONLY_POST = only(302, "chair", refused_actors=sitting_except("chair"))
COORDINATOR_ONLY_POST = only(302, "coordinator", refused_actors=sitting_except("coordinator"))
COORDINATOR_OF_CASE_POST = only(302, "coordinator", refused_actors=(*sitting_except("coordinator"), "auditor"))

URLS = [
    Url("meeting_list", lambda w: [], get=everyone(200), post=GET_ONLY),
    Url(
        "meetings_schedule",
        lambda w: [w.s.panel.pk],
        get=POST_ONLY,
        post=only(302, "coordinator"),
        data=lambda w: {},
        doer="coordinator",
    ),
    Url(
        "meeting_call",
        lambda w: [w.s.panel.pk],
        get=only(200, "coordinator", "chair", "other_chair"),
        post=only(302, "coordinator", "chair", "other_chair"),
        data=meeting_form,
        doer="coordinator",
        allowed=("chair", "other_chair"),
    ),
    Url("meeting", _meeting("meeting"), get=MEETING_READERS, post=GET_ONLY),
    Url(
        "meeting_change",
        _meeting("later"),
        get=only(200, "coordinator", "chair", "other_chair", refused_actors=sitting_except("coordinator", "chair", "other_chair")),
        post=only(302, "coordinator", "chair", "other_chair", refused_actors=sitting_except("coordinator", "chair", "other_chair")),
        data=lambda w: meeting_form(w, version=w.later.version),
        doer="coordinator",
        allowed=("chair", "other_chair"),
    ),
    Url(
        "meeting_cancel",
        _meeting("later"),
        get=only(200, "coordinator", "chair", "other_chair", refused_actors=sitting_except("coordinator", "chair", "other_chair")),
        post=only(302, "coordinator", "chair", "other_chair", refused_actors=sitting_except("coordinator", "chair", "other_chair")),
        data=lambda w: {"reason": "Nothing to decide."},
        doer="coordinator",
        allowed=("chair", "other_chair"),
    ),
    Url(
        "meeting_open",
        _meeting("fresh"),
        get=POST_ONLY,
        post=only(302, "chair", "other_chair", refused_actors=sitting_except("chair", "other_chair")),
        data=lambda w: {},
        doer="chair",
        allowed=("other_chair",),
    ),
    Url(
        "attendance",
        _meeting("meeting"),
        get=CHAIRS_OF_MEETING,
        post=CHAIR_ONLY_POST,
        data=lambda w: {"present": [p.pk for p in (*w.s.voting_members, w.s.education)]},
        doer="chair",
    ),
    Url("agenda", _meeting("meeting"), get=COORDINATOR_OF_MEETING, post=GET_ONLY),
    Url(
        "agenda_add",
        _meeting("later"),
        get=POST_ONLY,
        post=COORDINATOR_ONLY_POST,
        data=lambda w: {"cases": [w.waiting.public_id]},
        doer="coordinator",
    ),
    Url(
        "agenda_reorder",
        _item("item_b"),
        get=POST_ONLY,
        post=COORDINATOR_ONLY_POST,
        data=lambda w: {"direction": "up"},
        doer="coordinator",
    ),
    Url(
        "agenda_remove",
        _item("item_b"),
        get=COORDINATOR_OF_MEETING,
        post=COORDINATOR_ONLY_POST,
        data=lambda w: {"reason": "The child has moved away."},
        doer="coordinator",
    ),
    Url("pack", _meeting("meeting"), get=MEETING_READERS, post=GET_ONLY),
    Url("pack_pdf", _meeting("meeting"), get=MEETING_READERS, post=GET_ONLY),
    Url(
        "minutes",
        _meeting("done"),
        get=MEETING_READERS,
        post=CHAIR_ONLY_POST,
        data=lambda w: {},
        doer="chair",
    ),
    Url("item", _item("item_a"), get=MEETING_READERS, post=GET_ONLY),
    Url(
        "conflict_add",
        _item("item_a"),
        get=POST_ONLY,
        post=CHAIR_ONLY_POST,
        data=lambda w: {"person": w.s.deputy.pk, "reason": "Knows the family."},
        doer="chair",
    ),
    Url(
        "conflict_remove",
        lambda w: [w.meeting.public_id, w.item_a.pk, w.conflict.pk],
        get=POST_ONLY,
        post=CHAIR_ONLY_POST,
        data=lambda w: {},
        doer="chair",
    ),
    Url(
        "deputy_set",
        _item("item_a"),
        get=POST_ONLY,
        post=CHAIR_ONLY_POST,
        data=lambda w: {"person": w.s.deputy.pk},
        doer="chair",
    ),
    Url(
        "decision_record",
        lambda w: [w.meeting.public_id, w.item_a.pk, DecisionKind.RG],
        # The other chair is left out here: see test_a_chair_who_does_not_chair_the_item_cannot_open_its_decision_form.
        get={**only(200, "chair", refused_actors=sitting_except("chair")), "other_chair": None},
        post=CHAIR_ONLY_POST,
        data=lambda w: {"outcome": "negative", "reasons": "On reflection, no indicators.", "version": w.rg_a.version},
        doer="chair",
    ),
    Url(
        "decision_remove",
        lambda w: [w.meeting.public_id, w.item_a.pk, DecisionKind.RG],
        get=POST_ONLY,
        post=CHAIR_ONLY_POST,
        data=lambda w: {},
        doer="chair",
    ),
    Url("sign_off", _item("item_a"), get=POST_ONLY, post=CHAIR_ONLY_POST, data=lambda w: {}, doer="chair"),
    Url("inputs_outstanding", lambda w: [], get=everyone(200), post=GET_ONLY),
    Url(
        "case_inputs",
        _case("case_a"),
        get=only(200, *SITTING, refused_actors=("auditor",)),
        post=GET_ONLY,
    ),
    Url(
        "agency_input",
        lambda w: [w.case_a.public_id, w.police.pk],
        get=only(200, "panel_member", refused_actors=(*sitting_except("panel_member"), "auditor")),
        post=only(302, "panel_member", refused_actors=(*sitting_except("panel_member"), "auditor")),
        data=lambda w: {
            "knowledge": "Arrested twice in Margate.",
            "risks": "Owes a debt.",
            "recommendation": "victim",
            "reasons": "Clear indicators.",
            "version": w.police_input.version,
        },
        doer="panel_member",
    ),
    Url(
        "between_meetings",
        _case("waiting"),
        get=POST_ONLY,
        post=only(302, "chair", "other_chair", refused_actors=(*sitting_except("chair", "other_chair"), "auditor")),
        data=lambda w: {},
        doer="chair",
        allowed=("other_chair",),
    ),
    Url(
        "reconsideration_request",
        _case("negative"),
        get=COORDINATOR_OF_CASE,
        post=COORDINATOR_OF_CASE_POST,
        data=lambda w: {
            "requested_by": "child",
            "requester_name": "Sam Advocate, Example Law",
            "received_on_0": w.negative_decision.decided_on.day,
            "received_on_1": w.negative_decision.decided_on.month,
            "received_on_2": w.negative_decision.decided_on.year,
            "grounds": "new_evidence",
            "details": "A letter from the child's school.",
        },
        doer="coordinator",
    ),
    Url(
        "case_close",
        _case("negative"),
        get=COORDINATOR_OF_CASE,
        post=COORDINATOR_OF_CASE_POST,
        data=lambda w: {"reason": "No reconsideration asked for."},
        doer="coordinator",
    ),
    Url(
        "lead_social_worker",
        _case("case_a"),
        get=COORDINATOR_OF_CASE,
        post=COORDINATOR_OF_CASE_POST,
        data=lambda w: {"person": w.s.social_care.pk},
        doer="coordinator",
    ),
    Url(
        "reconsideration_accept",
        lambda w: [w.reconsideration.pk],
        get=POST_ONLY,
        post=only(302, "coordinator"),
        data=lambda w: {},
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
    Url(
        "sca_return",
        lambda w: [],
        get=everyone(403, coordinator=200, other_panel=200),
        # Another panel's coordinator may use the page, but our decisions are not among its choices.
        post=everyone(403, coordinator=302, other_panel=400),
        data=lambda w: {"decisions": [w.negative_decision.public_id]},
        doer="coordinator",
    ),
    Url("sca_export", lambda w: ["csv"], get=everyone(403, coordinator=200, other_panel=200), post=GET_ONLY),
    Url("sca_export", lambda w: ["json"], get=everyone(403, coordinator=200, other_panel=200), post=GET_ONLY),
]
ID = {id(u): u.name + (f"-{u.args(None)[0]}" if u.name == "sca_export" else "") for u in URLS}


def test_every_url_of_the_app_has_expectations():
    assert {u.name for u in URLS} == {p.name for p in urlpatterns}


def _expected(table: dict) -> dict:
    return {**{actor: status for actor, status in table.items() if status is not None}, "anonymous": TO_LOGIN}


@pytest.mark.parametrize("spec", URLS, ids=[ID[id(u)] for u in URLS])
def test_get_gives_each_person_the_expected_status(spec, client, world):
    url = spec.url(world)
    before = snapshot()
    actual = {}
    for actor in ACTORS:
        if actor != "anonymous" and spec.get.get(actor, 404) is None:
            continue
        actual[actor] = outcome(request_as(client, world.actors[actor], "get", url))

    assert actual == _expected(spec.get)
    assert snapshot() == before


POST_URLS = [u for u in URLS if u.doer]


@pytest.mark.parametrize("spec", POST_URLS, ids=[ID[id(u)] for u in POST_URLS])
def test_post_is_refused_to_everyone_else_and_changes_nothing(spec, client, world):
    url = spec.url(world)
    data = spec.data(world)
    refusals = _refusals(spec.post, doer=spec.doer, allowed=spec.allowed)
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


GET_ONLY_URLS = [u for u in URLS if not u.doer]


@pytest.mark.parametrize("spec", GET_ONLY_URLS, ids=[ID[id(u)] for u in GET_ONLY_URLS])
def test_post_to_a_page_that_only_shows_is_not_allowed(spec, client, world):
    url = spec.url(world)
    before = snapshot()

    actual = {actor: outcome(request_as(client, world.actors[actor], "post", url)) for actor in ACTORS}

    assert actual == {**spec.post, "anonymous": TO_LOGIN}
    assert snapshot() == before
