"""Who may open which case page: every case URL, for every kind of person, with the exact status.

A case a person may not see is a 404 (it does not exist for them); a case they may see but not act on
is a 403. The URL list is built from referrals.urls, so a new case URL without an expectation fails.
"""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.urls import reverse

from nrm_panel.models import Role, User
from referrals.forms import SECTIONS
from referrals.models import Attachment, Referral, State
from referrals.state_machine import MOVES
from referrals.urls import urlpatterns
from referrals.views import TRIAGE
from tests.factories import (
    ReferralFactory,
    ReturnedReferralFactory,
    SubmittedReferralFactory,
    UserFactory,
    member,
)
from tests.referrals.test_intake_journey import PDF, SECTION_ANSWERS

pytestmark = pytest.mark.django_db

# --- The URLs, from referrals.urls ----------------------------------------------------------------

# Values to fill each URL parameter with (the attachment id comes from the case under test).
PARAMETER_VALUES = {"section": sorted(SECTIONS), "move": sorted(TRIAGE)}
CASE_PATTERNS = [p for p in urlpatterns if "public_id" in p.pattern.converters]
OTHER_PATTERNS = [p for p in urlpatterns if "public_id" not in p.pattern.converters]
POST_ONLY = {"attachment_remove"}


def _expand(pattern):
    combos = [{}]
    for param in sorted(set(pattern.pattern.converters) - {"public_id", "attachment_id"}):
        combos = [{**combo, param: value} for combo in combos for value in PARAMETER_VALUES.get(param, [])]
    return combos


CASE_URLS = [(p.name, params) for p in CASE_PATTERNS for params in _expand(p)]


def case_url(name: str, params: dict, case: Referral, attachment: Attachment | None = None) -> str:
    kwargs = {"public_id": case.public_id, **params}
    pattern = next(p for p in CASE_PATTERNS if p.name == name)
    if "attachment_id" in pattern.pattern.converters:
        kwargs["attachment_id"] = attachment.public_id
    return reverse(f"referrals:{name}", kwargs=kwargs)


def test_every_case_url_parameter_has_values_to_test_with():
    for pattern in CASE_PATTERNS:
        unknown = set(pattern.pattern.converters) - {"public_id", "attachment_id"} - PARAMETER_VALUES.keys()
        assert not unknown, f"{pattern.name}: add test values for {unknown} to PARAMETER_VALUES"


def test_the_non_case_urls_are_the_known_ones():
    # A new URL that is not about one case needs its own permission tests below.
    assert {p.name for p in OTHER_PATTERNS} == {"list", "start", "duty_to_notify"}


# --- The people -----------------------------------------------------------------------------------

READERS = ("coordinator", "chair", "panel_member", "designated_nurse", "auditor")
OUTSIDERS = ["other_referrer", "administrator", "no_role", "superuser"] + [f"other_panel_{role}" for role in Role]


@pytest.fixture
def actors(panel, other_panel, people, referrer):
    """Everyone who might ask for a case page, by a name used in the expectation tables."""
    found = {
        "owner": referrer,
        "other_referrer": member(panel, Role.REFERRER),
        **{role: people[role] for role in READERS},
        "administrator": people[Role.ADMINISTRATOR],
        "no_role": UserFactory(),
        "superuser": UserFactory(is_superuser=True, is_staff=True),
        "anonymous": None,
    }
    for role in Role:
        found[f"other_panel_{role}"] = member(other_panel, role)
    return found


# --- What each person gets ------------------------------------------------------------------------

TO_LOGIN, TO_CASE, TO_EVIDENCE = "→sign-in", "→case", "→evidence"


def readers(status, **overrides):
    return {**{role: status for role in READERS}, **overrides}


# For each kind of case, each URL name: the outcome per person. People not named get a 404
# (the case does not exist for them) and anonymous people are sent to sign in.
EXPECTED = {
    "draft": {
        "case": {"owner": 200},
        "history": {"owner": 403},
        "section": {"owner": 200},
        "evidence": {"owner": 200},
        "attachment": {"owner": 200},
        "attachment_remove": {"owner": TO_EVIDENCE},
        "check": {"owner": 200},
        "submitted": {"owner": TO_CASE},
        "triage": {"owner": 403},
        "police_notification": {"owner": 403},
        "delay_reason": {"owner": 403},
    },
    "submitted": {
        "case": readers(200, owner=200),
        "history": readers(403, coordinator=200, chair=200, auditor=200, owner=403),
        "section": readers(403, owner=TO_CASE),
        "evidence": readers(403, owner=TO_CASE),
        "attachment": readers(200, owner=200),
        "attachment_remove": readers(403, owner=TO_CASE),
        "check": readers(403, owner=TO_CASE),
        "submitted": readers(TO_CASE, owner=200),
        "triage": readers(403, coordinator=200, owner=403),
        "police_notification": readers(403, coordinator=200, owner=403),
        "delay_reason": readers(403, coordinator=200, owner=403),
    },
    "returned": {
        "case": readers(200, owner=200),
        "history": readers(403, coordinator=200, chair=200, auditor=200, owner=403),
        "section": readers(403, owner=200),
        "evidence": readers(403, owner=200),
        "attachment": readers(200, owner=200),
        "attachment_remove": readers(403, owner=TO_EVIDENCE),
        "check": readers(403, owner=200),
        "submitted": readers(TO_CASE, owner=TO_CASE),
        "triage": readers(403, coordinator=200, owner=403),
        "police_notification": readers(403, coordinator=200, owner=403),
        "delay_reason": readers(403, coordinator=200, owner=403),
    },
}
CASE_FACTORIES = {"draft": ReferralFactory, "submitted": SubmittedReferralFactory, "returned": ReturnedReferralFactory}


def expected_outcomes(kind: str, name: str, actor_names) -> dict:
    table = EXPECTED[kind]
    assert name in table, f"No expectation for the case URL {name!r} on a {kind} case: add it to EXPECTED"
    outcomes = {actor: 404 for actor in actor_names}
    outcomes.update(table[name])
    outcomes["anonymous"] = TO_LOGIN
    return outcomes


def make_attachment(case: Referral, uploaded_by) -> Attachment:
    attachment = Attachment(
        referral=case,
        original_name="statement.pdf",
        content_type="application/pdf",
        size=len(PDF),
        description="Statement",
        uploaded_by=uploaded_by,
    )
    attachment.file.save("upload", ContentFile(PDF), save=False)
    attachment.save()
    return attachment


def outcome(response, case: Referral):
    """The status, or where a redirect goes, in the words of the expectation tables."""
    if response.streaming:
        b"".join(response.streaming_content)  # read to the end, which closes the file
    if response.status_code != 302:
        return response.status_code
    location = response["Location"]
    if location.startswith(reverse("login") + "?next="):
        return TO_LOGIN
    if location == reverse("referrals:case", args=[case.public_id]):
        return TO_CASE
    if location == reverse("referrals:evidence", args=[case.public_id]):
        return TO_EVIDENCE
    return f"→{location}"


def request_as(client, user, method: str, url: str, data=None):
    client.logout()
    if user is not None:
        client.force_login(user)
    return getattr(client, method)(url, data or {})


@pytest.mark.parametrize("kind", sorted(EXPECTED))
@pytest.mark.parametrize(
    ("name", "params"), CASE_URLS, ids=["-".join([name, *params.values()]) for name, params in CASE_URLS]
)
def test_case_url_gives_each_person_the_expected_status(kind, name, params, client, actors, panel, referrer):
    case = CASE_FACTORIES[kind](panel=panel, referrer=referrer)
    method = "post" if name in POST_ONLY else "get"
    actual = {}
    for actor_name, user in actors.items():
        attachment = make_attachment(case, referrer)
        actual[actor_name] = outcome(request_as(client, user, method, case_url(name, params, case, attachment)), case)

    assert actual == expected_outcomes(kind, name, actors)


# A valid answer for each page that changes something, so a refused POST would otherwise have
# changed the case.
def valid_post(name: str, params: dict) -> dict:
    if name == "section":
        return {**SECTION_ANSWERS[params["section"]], "first_name": "Changed", "continue": ""}
    if name == "evidence":
        return {"file": ContentFile(PDF, name="more.pdf"), "description": "More evidence"}
    if name == "triage":
        return {
            "is_in_panel_area": "True",
            "is_public_order_disqualification_considered": "False",
            "reason": "Because",
        }
    if name == "police_notification":
        return {"notified_on_0": "1", "notified_on_1": "1", "notified_on_2": "2026"}
    return {}


MUTATING = [(name, params) for name, params in CASE_URLS if name not in {"case", "history", "attachment", "submitted"}]


def snapshot(case: Referral) -> dict:
    case = Referral.objects.get(pk=case.pk)
    return {
        "state": case.state,
        "reference": case.reference,
        "state_reason": case.state_reason,
        "first_name": case.first_name,
        "police_notified_on": case.police_notified_on,
        "history": case.history.count(),
        "attachments": sorted(map(str, Attachment.objects.filter(referral=case).values_list("public_id", flat=True))),
        "attachment_history": Attachment.history.filter(referral_id=case.pk).count(),
    }


@pytest.mark.parametrize("kind", sorted(EXPECTED))
@pytest.mark.parametrize(
    ("name", "params"), MUTATING, ids=["-".join([name, *params.values()]) for name, params in MUTATING]
)
def test_refused_post_changes_nothing(kind, name, params, client, actors, panel, referrer):
    case = CASE_FACTORIES[kind](panel=panel, referrer=referrer)
    attachment = make_attachment(case, referrer)
    expected = expected_outcomes(kind, name, actors)
    refused = {actor: status for actor, status in expected.items() if status in (403, 404, TO_LOGIN, TO_CASE)}
    assert refused
    before = snapshot(case)
    actual = {}
    for actor_name in refused:
        url = case_url(name, params, case, attachment)
        response = request_as(client, actors[actor_name], "post", url, valid_post(name, params))
        actual[actor_name] = outcome(response, case)
        assert snapshot(case) == before, f"A refused POST by {actor_name} changed the case"

    assert actual == refused


def test_the_triage_view_offers_every_move_a_coordinator_makes_before_the_panel_sits():
    # Later moves (agenda, reconsideration, closing) have their own pages in the decisions app.
    before_the_panel = {State.SUBMITTED, State.RG_PENDING}
    coordinator_moves = {
        name for name, move in MOVES.items() if Role.COORDINATOR in move.roles and move.sources & before_the_panel
    }
    assert set(TRIAGE) == coordinator_moves - {"add_to_agenda"}


@pytest.mark.parametrize("move", ["submit", "delete", "close"])
def test_triage_with_a_move_that_has_no_triage_page_is_not_found(move, client, coordinator, panel):
    case = SubmittedReferralFactory(panel=panel)
    client.force_login(coordinator)

    assert client.get(reverse("referrals:triage", args=[case.public_id, move])).status_code == 404
    assert client.post(reverse("referrals:triage", args=[case.public_id, move])).status_code == 404
    assert Referral.objects.get(pk=case.pk).state == State.SUBMITTED


def test_unknown_section_is_not_found(client, referrer, draft):
    client.force_login(referrer)

    assert client.get(reverse("referrals:section", args=[draft.public_id, "secrets"])).status_code == 404


def test_inactive_membership_hides_the_referrers_own_referral(client, panel, referrer, draft):
    referrer.memberships.filter(panel=panel).update(is_active=False)
    client.force_login(referrer)

    assert client.get(reverse("referrals:case", args=[draft.public_id])).status_code == 404


def test_inactive_panel_hides_its_cases_from_its_coordinator(client, panel, coordinator):
    case = SubmittedReferralFactory(panel=panel)
    panel.is_active = False
    panel.save()
    client.force_login(coordinator)

    assert client.get(reverse("referrals:case", args=[case.public_id])).status_code == 404


# --- An attachment asked for under another case's URL ----------------------------------------------


def test_attachment_of_one_case_under_another_cases_url_is_not_found(client, panel, coordinator, referrer):
    case_a = SubmittedReferralFactory(panel=panel, referrer=referrer)
    case_b = SubmittedReferralFactory(panel=panel, referrer=referrer)
    attachment = make_attachment(case_a, referrer)
    client.force_login(coordinator)

    response = client.get(reverse("referrals:attachment", args=[case_b.public_id, attachment.public_id]))

    assert response.status_code == 404
    own = client.get(reverse("referrals:attachment", args=[case_a.public_id, attachment.public_id]))
    assert own.status_code == 200
    assert b"".join(own.streaming_content) == PDF


def test_attachment_of_another_panels_case_under_a_visible_cases_url_is_not_found(
    client, panel, other_panel, coordinator
):
    mine = SubmittedReferralFactory(panel=panel)
    theirs = SubmittedReferralFactory(panel=other_panel)
    attachment = make_attachment(theirs, theirs.referrer)
    client.force_login(coordinator)

    assert client.get(reverse("referrals:attachment", args=[mine.public_id, attachment.public_id])).status_code == 404


def test_removing_an_attachment_of_one_draft_under_another_drafts_url_is_not_found(client, panel, referrer):
    draft_a = ReferralFactory(panel=panel, referrer=referrer)
    draft_b = ReferralFactory(panel=panel, referrer=referrer)
    attachment = make_attachment(draft_a, referrer)
    client.force_login(referrer)

    response = client.post(reverse("referrals:attachment_remove", args=[draft_b.public_id, attachment.public_id]))

    assert response.status_code == 404
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_attachment_download_is_never_cached_or_sniffed(client, referrer, draft):
    attachment = make_attachment(draft, referrer)
    client.force_login(referrer)

    response = client.get(reverse("referrals:attachment", args=[draft.public_id, attachment.public_id]))

    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == PDF


# --- The list page and its search -----------------------------------------------------------------


def list_page(client, user, **query) -> str:
    """The list's results (the count and the table), not the search box that echoes the query."""
    client.force_login(user)
    response = client.get(reverse("referrals:list"), query)
    assert response.status_code == 200
    page = response.content.decode()
    return page[page.index('data-testid="result-count"') :]


@pytest.fixture
def elsewhere(other_panel):
    """A submitted case and a draft of the other panel, with names found nowhere else."""
    return {
        "submitted": SubmittedReferralFactory(panel=other_panel, first_name="Zebedee", last_name="Farawayson"),
        "draft": ReferralFactory(panel=other_panel, first_name="Quentin", last_name="Draftington"),
    }


SEARCHES_FOR_ELSEWHERE = ["reference", "Zebedee", "Farawayson", "Zebedee Farawayson", "Quentin", "Draftington", "OTH"]
STATE_FILTERS = ["", "submitted", "draft", "needs_triage", "open"]


@pytest.mark.parametrize("role", [role for role in Role])
def test_list_never_shows_another_panels_case(role, client, people, elsewhere):
    for search in SEARCHES_FOR_ELSEWHERE:
        for state in STATE_FILTERS:
            term = elsewhere["submitted"].reference if search == "reference" else search

            page = list_page(client, people[role], search=term, state=state)

            assert elsewhere["submitted"].reference not in page, (term, state)
            for name in ("Zebedee", "Farawayson", "Quentin", "Draftington"):
                assert name not in page, (term, state)
            assert "0 referrals" in page, (term, state)


def test_list_of_a_panel_shows_its_own_case_found_by_reference(client, coordinator, panel, elsewhere):
    mine = SubmittedReferralFactory(panel=panel, first_name="Harriet")

    page = list_page(client, coordinator, search=mine.reference)

    assert mine.reference in page and "Harriet" in page
    assert "1 referral" in page


def test_referrer_sees_only_their_own_referrals(client, panel, referrer):
    colleague = member(panel, Role.REFERRER)
    own_draft = ReferralFactory(panel=panel, referrer=referrer, first_name="Ownedraft")
    own_submitted = SubmittedReferralFactory(panel=panel, referrer=referrer, first_name="Ownsubmitted")
    colleague_draft = ReferralFactory(panel=panel, referrer=colleague, first_name="Colleaguedraft")
    colleague_submitted = SubmittedReferralFactory(panel=panel, referrer=colleague, first_name="Colleaguesubmitted")

    page = list_page(client, referrer)

    assert "Ownedraft" in page and own_submitted.reference in page
    assert "Colleaguedraft" not in page
    assert colleague_submitted.reference not in page and "Colleaguesubmitted" not in page
    assert "2 referrals" in page
    for term in ("Colleague", colleague_submitted.reference):
        searched = list_page(client, referrer, search=term)
        assert "Colleaguedraft" not in searched and "Colleaguesubmitted" not in searched
    assert own_draft.pk != colleague_draft.pk


@pytest.mark.parametrize("role", list(READERS))
def test_panel_roles_see_submitted_cases_but_no_ones_drafts(role, client, panel, people, referrer):
    draft = ReferralFactory(panel=panel, referrer=referrer, first_name="Unsubmitted")
    submitted = SubmittedReferralFactory(panel=panel, referrer=referrer, first_name="Submittedchild")

    for query in ({}, {"state": "draft"}, {"search": "Unsubmitted"}, {"state": "draft", "search": "Unsubmitted"}):
        page = list_page(client, people[role], **query)
        assert "Unsubmitted" not in page, query
        assert str(draft.public_id) not in page

    page = list_page(client, people[role])
    assert submitted.reference in page and "Submittedchild" in page


def test_administrator_role_sees_no_case_data_in_the_list(client, panel, people):
    SubmittedReferralFactory(panel=panel, first_name="Visibletoreaders")

    page = list_page(client, people[Role.ADMINISTRATOR])

    assert "Visibletoreaders" not in page


def test_person_with_roles_on_two_panels_sees_each_panel_only_through_the_role_held_there(
    client, panel, other_panel, elsewhere
):
    person = member(panel, Role.COORDINATOR)
    member(other_panel, Role.REFERRER, user=person)
    own_elsewhere = ReferralFactory(panel=other_panel, referrer=person, first_name="Myownreferral")
    here = SubmittedReferralFactory(panel=panel, first_name="Localcase")

    page = list_page(client, person)

    assert "Localcase" in page and here.reference in page
    assert "Myownreferral" in page
    assert elsewhere["submitted"].reference not in page and "Zebedee" not in page
    assert "Quentin" not in page
    client.force_login(person)
    assert client.get(reverse("referrals:case", args=[elsewhere["submitted"].public_id])).status_code == 404
    assert client.get(reverse("referrals:case", args=[own_elsewhere.public_id])).status_code == 200
    assert client.get(reverse("referrals:triage", args=[own_elsewhere.public_id, "accept"])).status_code == 403


def test_list_sends_anonymous_people_to_sign_in(client):
    response = client.get(reverse("referrals:list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


# --- Possible duplicates and global permissions -----------------------------------------------------


def test_a_duplicate_link_to_another_panels_case_never_shows_it(client, panel, other_panel, coordinator):
    # Duplicates are only ever flagged within a panel; this link is made by hand, as corrupt data
    # or a future bug might, to prove the case page shows only what the coordinator may see.
    mine = SubmittedReferralFactory(panel=panel, first_name="Localchild")
    theirs = SubmittedReferralFactory(panel=other_panel, first_name="Zebedee", last_name="Farawayson")
    Referral.possible_duplicates.through.objects.create(from_referral=mine, to_referral=theirs)
    Referral.possible_duplicates.through.objects.create(from_referral=theirs, to_referral=mine)
    client.force_login(coordinator)

    response = client.get(reverse("referrals:case", args=[mine.public_id]))

    assert response.status_code == 200
    page = response.content.decode()
    assert theirs.reference not in page
    assert "Zebedee" not in page and "Farawayson" not in page
    assert str(theirs.public_id) not in page
    assert 'data-testid="duplicates"' not in page


@pytest.mark.parametrize("wider_right", ["global_view_permission", "superuser"])
def test_a_wider_right_does_not_widen_the_referrals_a_referrer_sees(wider_right, client, panel, referrer):
    # Per-case rights are guardian object permissions. A model-wide `view_referral` given in the
    # admin, or the superuser flag, must not make a referrer a reader of every referral of their
    # panel. (Guardian ignores global permissions while `with_superuser=False`, so this fails only
    # if both of `visible_referrals`'s keyword arguments to get_objects_for_user change.)
    colleague = member(panel, Role.REFERRER)
    own = SubmittedReferralFactory(panel=panel, referrer=referrer, first_name="Ownchild")
    colleague_draft = ReferralFactory(panel=panel, referrer=colleague, first_name="Colleaguedraft")
    colleague_case = SubmittedReferralFactory(panel=panel, referrer=colleague, first_name="Colleaguecase")
    if wider_right == "superuser":
        User.objects.filter(pk=referrer.pk).update(is_superuser=True)
    else:
        view_referral = Permission.objects.get(codename="view_referral", content_type__app_label="referrals")
        referrer.user_permissions.add(view_referral)
    assert User.objects.get(pk=referrer.pk).has_perm("referrals.view_referral")

    page = list_page(client, User.objects.get(pk=referrer.pk))

    assert own.reference in page and "Ownchild" in page
    assert "Colleaguedraft" not in page and "Colleaguecase" not in page
    assert colleague_case.reference not in page
    assert "1 referral" in page
    for case in (colleague_draft, colleague_case):
        assert client.get(reverse("referrals:case", args=[case.public_id])).status_code == 404
    assert client.get(reverse("referrals:case", args=[own.public_id])).status_code == 200


# --- Starting a referral and Duty to Notify -------------------------------------------------------


@pytest.mark.parametrize("role", [role for role in Role if role != Role.REFERRER])
def test_start_is_refused_to_people_who_are_not_referrers(role, client, people):
    client.force_login(people[role])

    assert client.get(reverse("referrals:start")).status_code == 403
    assert client.post(reverse("referrals:start"), {"is_adult": "False"}).status_code == 403
    assert not Referral.objects.exists()


def test_start_sends_anonymous_people_to_sign_in(client):
    assert client.get(reverse("referrals:start"))["Location"].startswith(reverse("login"))


def test_duty_to_notify_for_another_panel_is_not_found(client, referrer, other_panel):
    client.force_login(referrer)
    url = reverse("referrals:duty_to_notify", args=[other_panel.pk])
    answers = {
        "gender": "male",
        "exploitation_types": ["labour"],
        "exploited_in": "uk",
        "first_responder_organisation": "Somewhere",
    }

    assert client.get(url).status_code == 404
    assert client.post(url, answers).status_code == 404
    assert not other_panel.duty_to_notify_records.exists()


@pytest.mark.parametrize("role", [role for role in Role if role != Role.REFERRER])
def test_duty_to_notify_is_not_found_for_people_who_are_not_referrers(role, client, people, panel):
    client.force_login(people[role])

    assert client.get(reverse("referrals:duty_to_notify", args=[panel.pk])).status_code == 404


# --- Django admin ---------------------------------------------------------------------------------

ADMIN_URLS = [
    "/admin/",
    "/admin/referrals/referral/",
    "/admin/referrals/attachment/",
    "/admin/referrals/dutytonotify/",
    "/admin/nrm_panel/user/",
    "/admin/nrm_panel/membership/",
    "/admin/nrm_panel/panel/",
]


@pytest.mark.parametrize("url", ADMIN_URLS)
@pytest.mark.parametrize("kind", ["staff", "staff_coordinator", "coordinator", "anonymous"])
def test_django_admin_is_refused_to_everyone_but_superusers(url, kind, client, panel):
    case = SubmittedReferralFactory(panel=panel, first_name="Adminhidden")
    if kind == "staff":
        client.force_login(UserFactory(is_staff=True))
    elif kind == "staff_coordinator":
        client.force_login(member(panel, Role.COORDINATOR, user=UserFactory(is_staff=True)))
    elif kind == "coordinator":
        client.force_login(member(panel, Role.COORDINATOR))

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    history = client.get(f"/admin/referrals/referral/{case.pk}/history/")
    assert history.status_code == 302
    assert "Adminhidden" not in client.get(response["Location"]).content.decode()


def test_staff_user_signing_in_to_the_admin_does_not_get_in(client, password):
    staff = UserFactory(is_staff=True)

    response = client.post("/admin/login/?next=/admin/", {"username": staff.email, "password": password}, follow=True)

    # The password is not enough: the security code comes next, for the admin too.
    assert response.redirect_chain[-1][0].startswith("/sign-in/set-up/")
    client.force_login(staff)  # and with the code, staff who are not instance administrators stay out
    assert client.get("/admin/referrals/referral/").status_code == 302


@pytest.mark.parametrize("url", ADMIN_URLS)
def test_django_admin_opens_for_a_superuser(url, client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    assert client.get(url).status_code == 200
