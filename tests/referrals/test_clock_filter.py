"""The list's clock filter picks the cases whose clock shows that colour today, at the boundaries and
with each panel's own decision target, and agrees with the colour each case's clock shows."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from nrm_panel.models import Role
from referrals.clock import ClockStatus, case_clock
from referrals.models import State
from tests.factories import PanelFactory, SubmittedReferralFactory, member, referral_in_state

pytestmark = pytest.mark.django_db

GREEN, AMBER, RED = ClockStatus.GREEN, ClockStatus.AMBER, ClockStatus.RED

# Days left to the decision target, and the colour the clock shows.
BOUNDARIES = [(16, GREEN), (15, AMBER), (6, AMBER), (5, RED)]


def case_with_days_left(panel, days_left: int, *, state=State.SUBMITTED):
    today = timezone.localdate()
    elapsed = panel.decision_target_days - days_left
    return referral_in_state(state, panel=panel, referral_date=today - datetime.timedelta(days=elapsed))


def filtered(client, clock: str) -> set:
    response = client.get(reverse("referrals:list"), {"clock": clock})
    assert response.status_code == 200
    return {case.pk for case in response.context["page"].object_list}


@pytest.mark.parametrize(("days_left", "status"), BOUNDARIES)
def test_case_clock_colour_at_the_boundaries(days_left, status, panel):
    case = case_with_days_left(panel, days_left)

    assert case_clock(case, today=timezone.localdate()).status == status


def test_clock_filter_puts_each_boundary_case_under_its_own_colour_only(login, coordinator, panel):
    cases = {days_left: case_with_days_left(panel, days_left) for days_left, _ in BOUNDARIES}
    client = login(coordinator)

    for colour in (GREEN, AMBER, RED):
        expected = {cases[days_left].pk for days_left, status in BOUNDARIES if status == colour}
        assert filtered(client, colour) == expected, colour


def test_clock_filter_leaves_out_cases_whose_clock_has_stopped(login, coordinator, panel):
    case_with_days_left(panel, 3, state=State.WITHDRAWN)
    case_with_days_left(panel, 10, state=State.TRANSFERRED)
    case_with_days_left(panel, 30, state=State.CLOSED)
    client = login(coordinator)

    for colour in (GREEN, AMBER, RED):
        assert filtered(client, colour) == set(), colour


# A panel with a 20-day target: amber from day 5 (15 left), red from day 15 (5 left).
SHORT_TARGET_DAYS = [(4, GREEN), (5, AMBER), (14, AMBER), (15, RED), (21, RED)]


@pytest.fixture
def short_target_panel():
    return PanelFactory(code="TWE", decision_target_days=20)


@pytest.mark.parametrize(("day", "status"), SHORT_TARGET_DAYS)
def test_clock_colour_follows_a_panels_shorter_target(day, status, short_target_panel):
    today = timezone.localdate()
    case = SubmittedReferralFactory(panel=short_target_panel, referral_date=today - datetime.timedelta(days=day))

    clock = case_clock(case, today=today)

    assert clock.status == status
    assert clock.days_left == 20 - day
    assert clock.target_date == case.referral_date + datetime.timedelta(days=20)


def test_clock_filter_uses_each_panels_own_target(login, panel, short_target_panel):
    """A coordinator of a 45-day and a 20-day panel: the same day is a different colour on each."""
    coordinator = member(panel, Role.COORDINATOR)
    member(short_target_panel, Role.COORDINATOR, user=coordinator)
    today = timezone.localdate()
    short = {
        day: SubmittedReferralFactory(panel=short_target_panel, referral_date=today - datetime.timedelta(days=day))
        for day, _ in SHORT_TARGET_DAYS
    }
    usual = {
        day: SubmittedReferralFactory(panel=panel, referral_date=today - datetime.timedelta(days=day))
        for day, _ in SHORT_TARGET_DAYS
    }
    client = login(coordinator)

    for colour in (GREEN, AMBER, RED):
        expected = {short[day].pk for day, status in SHORT_TARGET_DAYS if status == colour}
        if colour == GREEN:
            expected |= {case.pk for case in usual.values()}  # all within 24 days of a 45-day target
        assert filtered(client, colour) == expected, colour
    for case in [*short.values(), *usual.values()]:
        shown = case_clock(case, today=today).status
        assert case.pk in filtered(client, shown)
