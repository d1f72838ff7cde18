"""The support referral pages, given what people (and attackers) really send: missing answers, wrong types,
dates in the future, text too long, another panel's ids, a referrer or an auditor trying to write. The answer
is a 4xx with a message that says what to fix, next to the answer, with what was typed kept; nothing saved is
lost. And the case page shows the records to the panel's case readers only."""

import datetime
import re

import pytest
from django.urls import reverse

from nrm_panel.models import Role
from safeguarding.models import SupportKind, SupportOutcome, SupportReferral
from safeguarding.services import history_version
from safeguarding.services import support as services
from tests.factories import member
from tests.safeguarding.support_helpers import (
    HUGE,
    NOTHING,
    TOO_LONG,
    assert_refused,
    build_team,
    day_fields,
    days,
    snapshot,
    today,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(panel, people):
    return build_team(panel, people)


@pytest.fixture
def as_(client):
    def _as(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return _as


def answers(**overrides) -> dict:
    return {
        "kind": SupportKind.ICTG,
        "service_name": "Barnardo's ICTG service",
        **day_fields("referred_on", days(-7)),
        "outcome": SupportOutcome.AWAITING,
        "outcome_on_0": "",
        "outcome_on_1": "",
        "outcome_on_2": "",
        "contact_name": "",
        "contact_phone": "",
        "contact_email": "",
        "notes": "",
        **overrides,
    }


def create_url(team) -> str:
    return reverse("safeguarding:support_referral_create", args=[team.case.public_id])


def change_url(support) -> str:
    return reverse("safeguarding:support_referral_change", args=[support.public_id])


def recorded(team, **changes) -> SupportReferral:
    fields = {"kind": SupportKind.ICTG, "referred_on": days(-7), "service_name": "Barnardo's ICTG service"}
    return services.support_referral_record(referral=team.case, user=team.coordinator, **fields | changes)


def test_the_coordinator_records_an_ictg_referral(team, as_):
    response = as_(team.coordinator).post(
        create_url(team),
        answers(
            outcome=SupportOutcome.ACCEPTED,
            **day_fields("outcome_on", today()),
            contact_name="Sam Guardian",
            contact_phone="+44 7700 900 982",
            contact_email="sam@ictg.example",
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:case", args=[team.case.public_id]) + "#support"
    saved = SupportReferral.objects.get()
    assert (saved.referral, saved.outcome, saved.contact_name, saved.outcome_on) == (
        team.case,
        SupportOutcome.ACCEPTED,
        "Sam Guardian",
        today(),
    )
    entry = saved.history.get()
    assert entry.history_change_reason == "Independent Child Trafficking Guardian (ICTG) referral recorded: accepted"
    assert entry.history_user == team.coordinator


def test_the_form_offered_for_an_ictg_referral_has_it_chosen(team, as_):
    chosen = as_(team.coordinator).get(create_url(team) + "?kind=ictg").content.decode()
    plain = as_(team.coordinator).get(create_url(team)).content.decode()

    assert re.search(r'value="ictg"\s*checked', chosen)
    assert not re.search(r'value="ictg"\s*checked', plain)


BAD_INPUT = {
    "nothing": (NOTHING, {"kind": "Select an answer", "referred_on": "Enter the date the child was referred"}),
    "no-outcome": (answers(outcome=""), {"outcome": "Select an answer for “Outcome”"}),
    "unknown-kind": (answers(kind="wizard"), {"kind": "Select one of the answers shown"}),
    "unknown-outcome": (answers(outcome="maybe"), {"outcome": "Select one of the answers shown"}),
    "letters-in-the-date": (answers(referred_on_0="aa", referred_on_1="bb", referred_on_2="cccc"), {"referred_on": ""}),
    "impossible-date": (
        answers(referred_on_0="31", referred_on_1="2", referred_on_2="2026"),
        {"referred_on": "real date"},
    ),
    "huge-year": (answers(referred_on_2=HUGE), {"referred_on": "Enter a real date"}),
    "half-a-date": (answers(referred_on_0="", referred_on_2=""), {"referred_on": ""}),
    "referred-tomorrow": (answers(**day_fields("referred_on", days(1))), {"referred_on": services.REFERRED_IN_FUTURE}),
    "outcome-without-date": (
        answers(outcome=SupportOutcome.DECLINED),
        {"outcome_on": "Enter the date of the outcome (“Declined by the service”)"},
    ),
    "outcome-tomorrow": (
        answers(outcome=SupportOutcome.DECLINED, **day_fields("outcome_on", days(1))),
        {"outcome_on": services.OUTCOME_IN_FUTURE},
    ),
    "outcome-before-referral": (
        answers(outcome=SupportOutcome.DECLINED, **day_fields("outcome_on", days(-8))),
        {"outcome_on": "must be the same as or after the date of the referral"},
    ),
    "awaiting-with-a-date": (
        answers(**day_fields("outcome_on", today())),
        {"outcome_on": services.AWAITING_HAS_NO_DATE},
    ),
    "accepted-ictg-without-guardian": (
        answers(outcome=SupportOutcome.ACCEPTED, **day_fields("outcome_on", today())),
        {"contact_name": services.GUARDIAN_NAME_REQUIRED},
    ),
    "other-support-unnamed": (
        answers(kind=SupportKind.OTHER, service_name=""),
        {"service_name": services.SERVICE_NAME_REQUIRED},
    ),
    "bad-email": (answers(contact_email="sam at ictg"), {"contact_email": "Enter an email address like"}),
    "bad-phone": (answers(contact_phone="call me maybe"), {"contact_phone": "Enter a telephone number"}),
    "name-too-long": (answers(contact_name="n" * 201), {"contact_name": "must be 200 characters or fewer"}),
    "service-too-long": (answers(service_name="s" * 201), {"service_name": "must be 200 characters or fewer"}),
    "notes-too-long": (answers(notes=TOO_LONG), {"notes": "must be 10000 characters or fewer"}),
    "damaged-version": (answers(version="abc"), {None: "This form is out of date or damaged"}),
}


@pytest.mark.parametrize("case", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_recording_support_with_bad_input_is_refused_next_to_the_answer(case, team, as_):
    data, messages = case
    before = snapshot()

    response = as_(team.coordinator).post(create_url(team), data)

    for field, message in messages.items():
        assert_refused(response, message, field=field)
    assert snapshot() == before


@pytest.mark.parametrize("case", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_changing_support_with_bad_input_is_refused_and_the_record_kept(case, team, as_):
    support = recorded(team, notes="Kept")
    data, messages = case
    before = snapshot()

    response = as_(team.coordinator).post(change_url(support), data)

    for field, message in messages.items():
        assert_refused(response, message, field=field)
    assert snapshot() == before


def test_what_was_typed_is_kept_on_a_refused_form(team, as_):
    response = as_(team.coordinator).post(
        create_url(team),
        answers(
            **day_fields("referred_on", days(3)),
            service_name="Hestia ICTG",
            contact_name="Typed Guardian",
            notes="Typed notes that must not be lost.",
        ),
    )

    page = response.content.decode()
    assert response.status_code == 400
    for typed in ("Hestia ICTG", "Typed Guardian", "Typed notes that must not be lost.", f'value="{days(3).year}"'):
        assert typed in page


def test_a_second_ictg_referral_is_refused_with_a_message(team, as_):
    first = recorded(team)
    before = snapshot()

    response = as_(team.coordinator).post(create_url(team), answers(**day_fields("referred_on", today())))

    assert_refused(response, "This child already has an ICTG referral awaiting a response")
    assert snapshot() == before
    assert list(SupportReferral.objects.all()) == [first]


def test_the_coordinator_records_the_outcome_and_the_guardian(team, as_):
    support = recorded(team)

    form = as_(team.coordinator).get(change_url(support))
    response = as_(team.coordinator).post(
        change_url(support),
        answers(
            outcome=SupportOutcome.ACCEPTED,
            **day_fields("outcome_on", today()),
            contact_name="Sam Guardian",
            version=form.context["form"].initial["version"],
        ),
    )

    assert response.status_code == 302
    saved = SupportReferral.objects.get()
    assert (saved.outcome, saved.contact_name) == (SupportOutcome.ACCEPTED, "Sam Guardian")
    assert saved.history.order_by("history_id").last().history_change_reason.endswith("changed: accepted")


def test_a_change_over_someone_elses_is_refused_as_a_conflict(team, as_):
    support = recorded(team)
    version = history_version(support)
    second_coordinator = member(team.panel, Role.COORDINATOR)
    assert as_(team.coordinator).post(change_url(support), answers(notes="First", version=version)).status_code == 302

    response = as_(second_coordinator).post(change_url(support), answers(notes="Second", version=version))

    assert_refused(response, "Someone else changed this", status=409)
    assert SupportReferral.objects.get().notes == "First"


# Who may


def urls(team, support) -> dict:
    return {"create": create_url(team), "change": change_url(support)}


@pytest.mark.parametrize("role", [Role.CHAIR, Role.PANEL_MEMBER, Role.DESIGNATED_NURSE, Role.AUDITOR])
def test_the_panels_other_case_readers_are_refused(role, team, as_):
    support = recorded(team)
    before = snapshot()
    client = as_(team.people[role])

    for url in urls(team, support).values():
        assert client.get(url).status_code == 403
        response = client.post(url, answers(notes="Not mine to write"))
        assert response.status_code == 403
        assert "Your role on this panel does not allow this" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("who", ["referrer", "administrator", "other_coordinator"])
def test_a_referrer_an_administrator_and_another_panel_find_nothing(who, team, as_):
    support = recorded(team)
    user = team.other_coordinator if who == "other_coordinator" else team.people[who]
    before = snapshot()
    client = as_(user)

    for url in urls(team, support).values():
        assert client.get(url).status_code == 404
        assert client.post(url, answers(notes="Not mine to write")).status_code == 404
    assert snapshot() == before


def test_another_panels_support_referral_is_not_found_by_our_coordinator(team, as_):
    theirs = services.support_referral_record(
        referral=team.other_case, user=team.other_coordinator, kind=SupportKind.ADVOCACY, referred_on=today()
    )
    before = snapshot()
    client = as_(team.coordinator)

    assert client.get(change_url(theirs)).status_code == 404
    assert client.post(change_url(theirs), answers(notes="Ours now")).status_code == 404
    assert (
        client.get(reverse("safeguarding:support_referral_create", args=[team.other_case.public_id])).status_code == 404
    )
    assert snapshot() == before


def test_signed_out_people_are_sent_to_sign_in(team, as_):
    support = recorded(team)
    client = as_(None)

    for url in urls(team, support).values():
        response = client.post(url, answers())
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_an_unknown_id_is_not_found(team, as_):
    client = as_(team.coordinator)
    missing = "00000000-0000-0000-0000-000000000000"

    assert client.get(f"/support-referrals/{missing}/change/").status_code == 404
    assert client.get(f"/cases/{missing}/support-referrals/new/").status_code == 404
    assert client.get("/support-referrals/not-a-uuid/change/").status_code == 404


# The case page


def case_page(client, team) -> str:
    response = client.get(reverse("referrals:case", args=[team.case.public_id]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_case_page_shows_the_guardian_and_other_support(team, as_):
    ictg = recorded(team, outcome=SupportOutcome.ACCEPTED, outcome_on=today(), contact_name="Sam Guardian")
    other = recorded(team, kind=SupportKind.MENTAL_HEALTH, service_name="CAMHS crisis team")

    page = case_page(as_(team.coordinator), team)

    assert 'data-testid="ictg-referral"' in page
    assert "Sam Guardian" in page
    assert "CAMHS crisis team" in page
    assert change_url(ictg) in page and change_url(other) in page
    assert create_url(team) + "?kind=ictg" in page


@pytest.mark.parametrize("role", [Role.CHAIR, Role.PANEL_MEMBER, Role.DESIGNATED_NURSE, Role.AUDITOR])
def test_the_panels_case_readers_see_support_without_change_links(role, team, as_):
    ictg = recorded(team, outcome=SupportOutcome.ACCEPTED, outcome_on=today(), contact_name="Sam Guardian")

    page = case_page(as_(team.people[role]), team)

    assert "Sam Guardian" in page
    assert change_url(ictg) not in page
    assert create_url(team) not in page


def test_the_referrer_sees_none_of_it_on_their_case(team, as_):
    recorded(team, outcome=SupportOutcome.ACCEPTED, outcome_on=today(), contact_name="Sam Guardian")

    page = case_page(as_(team.people[Role.REFERRER]), team)

    assert "Sam Guardian" not in page
    assert "Support and safeguarding" not in page


def test_another_panels_coordinator_cannot_open_the_case(team, as_):
    recorded(team, contact_name="Sam Guardian")

    response = as_(team.other_coordinator).get(reverse("referrals:case", args=[team.case.public_id]))

    assert response.status_code == 404
    assert "Sam Guardian" not in response.content.decode()


def test_a_case_with_no_support_says_so(team, as_):
    page = case_page(as_(team.coordinator), team)

    assert "No ICTG referral is recorded." in page
    assert "No other support referral is recorded." in page


def test_dates_from_last_year_are_fine(team, as_):
    response = as_(team.coordinator).post(
        create_url(team), answers(kind=SupportKind.EDUCATION, **day_fields("referred_on", datetime.date(2024, 2, 29)))
    )

    assert response.status_code == 302
    assert SupportReferral.objects.get().referred_on == datetime.date(2024, 2, 29)
