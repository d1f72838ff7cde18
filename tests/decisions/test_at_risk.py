"""The at-risk list: the coordinator's and chair's open cases that may be decided late, most urgent first,
with why; nobody else's, and in the same number of queries whatever the number of rows."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from decisions.models import DecisionKind, Outcome
from nrm_panel.models import Role
from referrals.models import State
from tests.factories import RgPendingReferralFactory, member, referral_in_state

pytestmark = pytest.mark.django_db

URL = reverse("decisions:at_risk")


def rows(page: str) -> list[str]:
    """The references listed, in order."""
    return [chunk.split("</a>")[0].rsplit(">", 1)[-1] for chunk in page.split('data-testid="at-risk-row"')[1:]]


@pytest.fixture
def cases(sitting, steps):
    """One case of each kind the list shows or leaves out, keyed by what it is."""
    sitting.panel.rg_target_working_days = 5
    sitting.panel.save()
    amber = steps.case(referral_date=steps.day(-30))
    red = steps.case(referral_date=steps.day(-41))
    overdue = steps.case(referral_date=steps.day(-47), delay_reason="Waiting for the police disclosure.")
    late_meeting = steps.case(referral_date=steps.day(-25))  # green, but its meeting is after its target
    steps.add(steps.meeting(steps.day(25)), late_meeting)
    rg_missed = steps.case(referral_date=steps.day(-10))  # green, past its 5 working days
    rg_decided = steps.case(referral_date=steps.day(-10))
    steps.decide(rg_decided, sitting.meeting, (DecisionKind.RG, Outcome.POSITIVE))
    green = steps.case(referral_date=steps.day(-1))
    stopped = referral_in_state(State.CG_POSITIVE, panel=sitting.panel, referral_date=steps.day(-50))
    return {
        "amber": amber,
        "red": red,
        "overdue": overdue,
        "late_meeting": late_meeting,
        "rg_missed": rg_missed,
        "rg_decided": rg_decided,
        "green": green,
        "stopped": stopped,
    }


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.CHAIR])
def test_the_list_shows_the_cases_at_risk_most_urgent_first(login, people, cases, role):
    page = login(people[role]).get(URL).content.decode()

    expected = ["overdue", "red", "amber", "late_meeting", "rg_missed"]
    assert rows(page) == [cases[name].reference for name in expected]
    assert "Overdue by 2 days" in page
    assert "Waiting for the police disclosure." in page
    assert "Not on an agenda" in page
    assert "after its target" in page
    assert "Reasonable grounds target missed" in page
    assert cases["green"].child_name not in page


def test_people_who_do_not_oversee_the_clock_are_refused(login, people, cases):
    for role in (Role.REFERRER, Role.PANEL_MEMBER, Role.DESIGNATED_NURSE, Role.AUDITOR):
        response = login(people[role]).get(URL)
        assert response.status_code == 403, role
        assert cases["overdue"].reference not in response.content.decode()


def test_another_panels_coordinator_sees_only_their_own_cases(login, cases, other_panel):
    theirs = RgPendingReferralFactory(panel=other_panel, referral_date=timezone.localdate() - datetime.timedelta(50))
    page = login(member(other_panel, Role.COORDINATOR)).get(URL).content.decode()

    assert rows(page) == [theirs.reference]


def test_the_navigation_offers_the_list_to_coordinators_and_chairs_only(login, people):
    assert URL in login(people[Role.COORDINATOR]).get(reverse("referrals:list")).content.decode()
    assert URL not in login(people[Role.PANEL_MEMBER]).get(reverse("referrals:list")).content.decode()


def test_the_list_makes_the_same_queries_for_1_row_and_for_8(client, sitting, steps):
    def queries() -> tuple[int, int]:
        client.force_login(sitting.coordinator)
        client.get(URL)
        with CaptureQueriesContext(connection) as captured:
            page = client.get(URL).content.decode()
        return len(captured), len(rows(page))

    sitting.panel.rg_target_working_days = 5
    sitting.panel.save()
    meeting = steps.meeting(steps.day(30))

    def at_risk_case():
        steps.add(meeting, steps.case(referral_date=steps.day(-20), delay_reason="Interpreter needed."))

    at_risk_case()
    with_one, shown = queries()
    assert shown == 1
    for _ in range(7):
        at_risk_case()
    with_eight, shown = queries()
    assert shown == 8
    assert with_eight == with_one
