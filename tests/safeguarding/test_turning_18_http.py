"""The turning-18 list and the transition plan's page: who sees them, what they show, bad input, and the flag
on the case page. The list's and the case page's queries do not grow with their rows."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.formats import date_format

from nrm_panel.models import Role
from referrals.ages import eighteenth_birthday
from referrals.models import State
from safeguarding.models import SupportKind, SupportOutcome, TransitionPlan
from safeguarding.services import support as services
from tests.factories import PanelFactory, member, referral_in_state
from tests.safeguarding.support_helpers import (
    TOO_LONG,
    assert_refused,
    build_team,
    day_fields,
    days,
    snapshot,
    today,
)

pytestmark = pytest.mark.django_db

LIST_URL = "/turning-18/"


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


def born_turning_18_in(days_from_today: int) -> datetime.date:
    """A date of birth whose 18th birthday is that many days from today (a day earlier if that is a 29 February:
    the tests read the birthday back with `birthday_of`)."""
    return days(days_from_today) - relativedelta(years=18)


def birthday_of(case) -> datetime.date:
    return eighteenth_birthday(case.date_of_birth)


def days_to_go(case) -> int:
    return (birthday_of(case) - today()).days


def flagged_case(team, days_from_today=30, panel=None, **fields):
    return referral_in_state(
        fields.pop("state", State.RG_POSITIVE),
        panel=panel or team.panel,
        date_of_birth=born_turning_18_in(days_from_today),
        **fields,
    )


def plan_url(case) -> str:
    return reverse("safeguarding:transition_plan", args=[case.public_id])


def day(value: datetime.date) -> str:
    return date_format(value, "j F Y")


# The list


def test_the_url_of_the_list(team):
    assert reverse("safeguarding:turning_18") == LIST_URL


def test_the_coordinator_sees_each_child_soonest_first_with_what_is_done(team, as_):
    later = flagged_case(team, 90, first_name="Later", last_name="Child")
    turned = flagged_case(team, -10, first_name="Turned", last_name="Already", state=State.CG_POSITIVE)
    soon = flagged_case(team, 5, first_name="Soon", last_name="Child")
    estimated = referral_in_state(
        State.RG_PENDING, panel=team.panel, date_of_birth=None, estimated_age=17, first_name="Estimated"
    )
    referral_in_state(State.CLOSED, panel=team.panel, date_of_birth=born_turning_18_in(20), first_name="Closed")
    flagged_case(team, 400, first_name="NotYet")
    services.transition_plan_save(
        referral=soon,
        user=team.coordinator,
        plan="Leaving care team.",
        adult_services_referred_on=days(-1),
        adult_services_team="Adult Social Care",
    )

    response = as_(team.coordinator).get(LIST_URL)

    assert response.status_code == 200
    page = response.content.decode()
    rows = page.split('data-testid="turning-18-row"')[1:]
    assert [row for row in rows if "Turned Already" in row][0] is rows[0]
    assert ["Turned Already" in rows[0], "Soon Child" in rows[1], "Later Child" in rows[2], "Estimated" in rows[3]] == [
        True
    ] * 4
    assert len(rows) == 4
    assert "Closed" not in page and "NotYet" not in page
    assert f"Turned 18 on {day(birthday_of(turned))}" in rows[0]
    assert f"{days_to_go(soon)} days to go" in rows[1] and f"{days_to_go(later)} days to go" in rows[2]
    assert "May turn 18 soon: age estimated" in rows[3]
    assert "Recorded" in rows[1] and day(days(-1)) in rows[1]
    assert "Not recorded" in rows[2]
    for case, row in zip((turned, soon, later, estimated), rows, strict=True):
        assert reverse("referrals:case", args=[case.public_id]) in row
        assert case.reference in row


def test_the_chair_sees_the_list(team, as_):
    flagged_case(team, first_name="Chaired")

    response = as_(team.chair).get(LIST_URL)

    assert response.status_code == 200
    assert "Chaired" in response.content.decode()


@pytest.mark.parametrize("role", [Role.PANEL_MEMBER, Role.DESIGNATED_NURSE, Role.AUDITOR, Role.REFERRER])
def test_no_one_else_may_open_the_list(role, team, as_):
    flagged_case(team, first_name="Hidden")

    response = as_(team.people[role]).get(LIST_URL)

    assert response.status_code == 403
    assert "Hidden" not in response.content.decode()


def test_signed_out_people_are_sent_to_sign_in(as_):
    response = as_(None).get(LIST_URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_another_panels_coordinator_sees_nothing_of_ours(team, as_):
    flagged_case(team, first_name="Ours")
    flagged_case(team, panel=team.other_panel, first_name="Theirs")

    page = as_(team.other_coordinator).get(LIST_URL).content.decode()

    assert "Theirs" in page
    assert "Ours" not in page


def test_a_coordinator_of_two_panels_sees_one_list_with_the_panel(team, as_):
    member(team.other_panel, Role.CHAIR, user=team.coordinator)
    flagged_case(team, 10, first_name="Ours")
    flagged_case(team, 5, panel=team.other_panel, first_name="Theirs")
    third = PanelFactory(code="THR")
    flagged_case(team, 1, panel=third, first_name="Stranger")

    page = as_(team.coordinator).get(LIST_URL).content.decode()

    rows = page.split('data-testid="turning-18-row"')[1:]
    assert len(rows) == 2
    assert "Theirs" in rows[0] and "BEX" in rows[0]
    assert "Ours" in rows[1] and "LEW" in rows[1]
    assert "Stranger" not in page


def test_an_empty_list_says_so(team, as_):
    page = as_(team.coordinator).get(LIST_URL).content.decode()

    assert 'data-testid="turning-18-empty"' in page


def test_the_navigation_offers_the_list_to_coordinators_and_chairs_only(team, as_):
    home = reverse("referrals:list")

    for role in (Role.COORDINATOR, Role.CHAIR):
        assert f'href="{LIST_URL}"' in as_(team.people[role]).get(home).content.decode()
    for role in (Role.PANEL_MEMBER, Role.DESIGNATED_NURSE, Role.AUDITOR, Role.REFERRER):
        assert f'href="{LIST_URL}"' not in as_(team.people[role]).get(home).content.decode()


# The flag and the plan on the case page


def case_page(client, case) -> str:
    response = client.get(reverse("referrals:case", args=[case.public_id]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_case_page_flags_the_birthday_and_offers_the_coordinator_the_plan(team, as_):
    case = flagged_case(team, 12)

    page = case_page(as_(team.coordinator), case)

    assert f"Turns 18 on {day(birthday_of(case))}, in {days_to_go(case)} days." in page
    assert 'data-testid="no-transition-plan"' in page
    assert plan_url(case) in page


def test_the_chair_sees_the_flag_without_the_link(team, as_):
    case = flagged_case(team, -3)

    page = case_page(as_(team.chair), case)

    assert f"Turned 18 on {day(birthday_of(case))}." in page
    assert plan_url(case) not in page


def test_a_case_not_turning_18_shows_no_flag(team, as_):
    page = case_page(as_(team.coordinator), team.case)

    assert 'data-testid="turning-18-flag"' not in page
    assert plan_url(team.case) not in page


def test_an_estimated_age_is_flagged_as_such_on_the_case(team, as_):
    case = referral_in_state(State.RG_PENDING, panel=team.panel, date_of_birth=None, estimated_age=17)

    page = case_page(as_(team.coordinator), case)

    assert "May turn 18 soon: age estimated at 17" in page


def test_the_plan_shows_on_the_case_page(team, as_):
    case = flagged_case(team, 40)
    services.transition_plan_save(
        referral=case,
        user=team.coordinator,
        plan="Transitions worker from June.",
        adult_services_referred_on=days(-2),
        adult_services_team="Lewisham Adult Social Care",
        adult_services_contact="Pat Adult",
    )

    page = case_page(as_(team.people[Role.AUDITOR]), case)

    plan = page[page.find('data-testid="transition-plan"') :]
    assert "Transitions worker from June." in plan
    assert f"{day(days(-2))}, to Lewisham Adult Social Care" in plan
    assert "Pat Adult" in plan
    assert plan_url(case) not in page


# The transition plan's page


def plan_answers(**overrides) -> dict:
    return {
        "plan": "Leaving care personal adviser from the 18th birthday.",
        "adult_services_referred_on_0": "",
        "adult_services_referred_on_1": "",
        "adult_services_referred_on_2": "",
        "adult_services_team": "",
        "adult_services_contact": "",
        **overrides,
    }


def test_the_coordinator_records_and_then_changes_the_plan(team, as_):
    case = flagged_case(team)
    client = as_(team.coordinator)

    first = client.get(plan_url(case))
    assert first.context["form"].initial == {"version": 0}
    assert client.post(plan_url(case), plan_answers(version=0)).status_code == 302
    second = client.get(plan_url(case))
    response = client.post(
        plan_url(case),
        plan_answers(
            **day_fields("adult_services_referred_on", today()),
            adult_services_team="Adult Social Care",
            version=second.context["form"].initial["version"],
        ),
    )

    assert response.status_code == 302
    saved = TransitionPlan.objects.get()
    assert (saved.adult_services_referred_on, saved.adult_services_team) == (today(), "Adult Social Care")
    assert list(saved.history.order_by("history_id").values_list("history_change_reason", flat=True)) == [
        "Transition plan recorded",
        f"Transition plan changed: referred to adult services on {day(today())}",
    ]


PLAN_BAD_INPUT = {
    "nothing": ({"save": "Save"}, {"plan": services.PLAN_REQUIRED}),
    "blank-plan": (plan_answers(plan="   "), {"plan": services.PLAN_REQUIRED}),
    "plan-too-long": (plan_answers(plan=TOO_LONG), {"plan": "must be 10000 characters or fewer"}),
    "referred-tomorrow": (
        plan_answers(**day_fields("adult_services_referred_on", days(1)), adult_services_team="Team"),
        {"adult_services_referred_on": services.ADULT_REFERRAL_IN_FUTURE},
    ),
    "referred-to-no-team": (
        plan_answers(**day_fields("adult_services_referred_on", today())),
        {"adult_services_team": services.ADULT_TEAM_REQUIRED},
    ),
    "impossible-date": (
        plan_answers(
            adult_services_referred_on_0="31", adult_services_referred_on_1="4", adult_services_referred_on_2="2026"
        ),
        {"adult_services_referred_on": "Enter a real date"},
    ),
    "team-too-long": (plan_answers(adult_services_team="t" * 201), {"adult_services_team": "200 characters"}),
    "contact-too-long": (plan_answers(adult_services_contact="c" * 201), {"adult_services_contact": "200 characters"}),
    "negative-version": (plan_answers(version="-1"), {None: "This form is out of date or damaged"}),
}


@pytest.mark.parametrize("case", PLAN_BAD_INPUT.values(), ids=PLAN_BAD_INPUT.keys())
def test_a_plan_with_bad_input_is_refused_next_to_the_answer(case, team, as_):
    data, messages = case
    flagged = flagged_case(team)
    services.transition_plan_save(referral=flagged, user=team.coordinator, plan="Kept as it was.")
    before = snapshot()

    response = as_(team.coordinator).post(plan_url(flagged), data)

    for field, message in messages.items():
        assert_refused(response, message, field=field)
    assert snapshot() == before


def test_a_first_plan_saved_over_another_coordinators_is_a_conflict(team, as_):
    case = flagged_case(team)
    other_coordinator = member(team.panel, Role.COORDINATOR)
    assert as_(other_coordinator).post(plan_url(case), plan_answers(plan="Theirs", version=0)).status_code == 302

    response = as_(team.coordinator).post(plan_url(case), plan_answers(plan="Mine", version=0))

    assert_refused(response, "Someone else changed this", status=409)
    assert TransitionPlan.objects.get().plan == "Theirs"
    assert "Mine" in response.content.decode()  # what was typed is still on the page


@pytest.mark.parametrize("role", [Role.CHAIR, Role.PANEL_MEMBER, Role.DESIGNATED_NURSE, Role.AUDITOR])
def test_only_the_coordinator_writes_the_plan(role, team, as_):
    case = flagged_case(team)
    client = as_(team.people[role])

    assert client.get(plan_url(case)).status_code == 403
    assert client.post(plan_url(case), plan_answers()).status_code == 403
    assert not TransitionPlan.objects.exists()


@pytest.mark.parametrize("who", ["referrer", "administrator", "other_coordinator"])
def test_a_referrer_an_administrator_and_another_panel_find_no_plan(who, team, as_):
    case = flagged_case(team, referrer=team.people[Role.REFERRER])
    client = as_(team.other_coordinator if who == "other_coordinator" else team.people[who])

    assert client.get(plan_url(case)).status_code == 404
    assert client.post(plan_url(case), plan_answers()).status_code == 404
    assert not TransitionPlan.objects.exists()


# Queries do not grow with rows

FEW, MANY = 1, 8
VIEWERS = (Role.COORDINATOR, Role.CHAIR, Role.PANEL_MEMBER, Role.DESIGNATED_NURSE, Role.AUDITOR)


def queries_for(client, url) -> int:
    client.get(url)  # warm the once-per-process caches (content types), so that only the page is counted
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_turning_18_lists_queries_do_not_grow_with_its_rows(team, as_, panel):
    def counts(rows: int) -> dict:
        TransitionPlan.objects.all().delete()
        for case in panel.referrals.all():
            case.state = State.CLOSED
            case.save()
        for n in range(rows):
            case = flagged_case(team, 10 + n)
            if n % 2 == 0:
                services.transition_plan_save(
                    referral=case,
                    user=team.coordinator,
                    plan="Plan",
                    adult_services_referred_on=today(),
                    adult_services_team="Team",
                )
        referral_in_state(State.RG_PENDING, panel=team.panel, date_of_birth=None, estimated_age=17)
        found = {}
        for role in (Role.COORDINATOR, Role.CHAIR):
            client = as_(team.people[role])
            assert client.get(LIST_URL).content.decode().count('data-testid="turning-18-row"') == rows + 1
            found[role] = queries_for(client, LIST_URL)
        return found

    with_few, with_many = counts(FEW), counts(MANY)

    assert with_few == with_many


def fill_case(team, case, rows: int) -> None:
    """`rows` of each: ICTG referrals (declined, so that more than one may be recorded), other support, open
    actions, done actions; and a transition plan."""
    for n in range(rows):
        services.support_referral_record(
            referral=case,
            user=team.coordinator,
            kind=SupportKind.ICTG,
            referred_on=days(-20),
            outcome=SupportOutcome.DECLINED,
            outcome_on=days(-10),
        )
        services.support_referral_record(
            referral=case,
            user=team.coordinator,
            kind=SupportKind.OTHER,
            service_name=f"Service {n}",
            referred_on=days(-5),
            contact_name="Kay",
            contact_email="kay@example.org",
        )
        services.action_record(referral=case, user=team.chair, action=f"Open {n}", owner="Jo", due_on=days(n))
        done = services.action_record(referral=case, user=team.chair, action=f"Done {n}", owner="Jo", due_on=days(1))
        services.action_done(safeguarding_action=done, user=team.chair, done_on=today(), done_note="Note")
    services.transition_plan_save(
        referral=case,
        user=team.coordinator,
        plan="Plan",
        adult_services_referred_on=today(),
        adult_services_team="Team",
    )


def test_the_case_pages_queries_do_not_grow_with_support_records(team, as_):
    few, many = flagged_case(team, 20), flagged_case(team, 20)
    fill_case(team, few, FEW)
    fill_case(team, many, MANY)
    # The referral's own history (its timeline) is the same for both: the records above do not touch the case.

    def counts(case) -> dict:
        found = {}
        for role in VIEWERS:
            client = as_(team.people[role])
            url = reverse("referrals:case", args=[case.public_id])
            page = client.get(url).content.decode()
            assert page.count('data-testid="open-action"') == (FEW if case == few else MANY)
            found[role] = queries_for(client, url)
        return found

    assert counts(few) == counts(many)
