"""Working days leave out weekends and the bank holidays of the panel's nation; the 45-day clock counts
calendar days from the referral date, day 45 being the last day on time."""

import datetime

import pytest
from django.urls import reverse

from nrm_panel.models import Nation, Role
from referrals.clock import case_clock as clock_of
from referrals.clock import (
    is_working_day,
    rg_target_date,
    working_day_after,
    working_days_between,
)
from referrals.models import State
from tests.factories import PanelFactory, RgPendingReferralFactory, referral_in_state

pytestmark = pytest.mark.django_db

ENGLAND, SCOTLAND, NI = Nation.ENGLAND_AND_WALES, Nation.SCOTLAND, Nation.NORTHERN_IRELAND
date = datetime.date


@pytest.mark.parametrize(
    "day, nations_off, nations_working",
    [
        # St Andrew's Day 2025 is a Sunday: Scotland takes Monday 1 December instead.
        (date(2025, 11, 30), [ENGLAND, SCOTLAND, NI], []),
        (date(2025, 12, 1), [SCOTLAND], [ENGLAND, NI]),
        # St Andrew's Day on a weekday is a holiday in Scotland only.
        (date(2027, 11, 30), [SCOTLAND], [ENGLAND, NI]),
        # 2 January is Scotland's New Year Holiday.
        (date(2026, 1, 2), [SCOTLAND], [ENGLAND, NI]),
        # St Patrick's Day and the Battle of the Boyne, Northern Ireland's.
        (date(2026, 3, 17), [NI], [ENGLAND, SCOTLAND]),
        (date(2027, 7, 12), [NI], [ENGLAND, SCOTLAND]),
        # 12 July 2026 is a Sunday: Monday 13 July is the holiday.
        (date(2026, 7, 13), [NI], [ENGLAND, SCOTLAND]),
        # Easter Monday in England and Wales and in Northern Ireland, not in Scotland.
        (date(2026, 4, 6), [ENGLAND, NI], [SCOTLAND]),
        # Good Friday everywhere.
        (date(2026, 4, 3), [ENGLAND, SCOTLAND, NI], []),
        # Scotland's summer bank holiday is the first Monday of August; the others' the last.
        (date(2026, 8, 3), [SCOTLAND], [ENGLAND, NI]),
        (date(2026, 8, 31), [ENGLAND, NI], [SCOTLAND]),
        # Christmas 2027 falls on a Saturday and Boxing Day on a Sunday: Monday and Tuesday instead.
        (date(2027, 12, 27), [ENGLAND, SCOTLAND, NI], []),
        (date(2027, 12, 28), [ENGLAND, SCOTLAND, NI], []),
        (date(2027, 12, 29), [], [ENGLAND, SCOTLAND, NI]),
        # Weekends.
        (date(2026, 6, 13), [ENGLAND, SCOTLAND, NI], []),
        (date(2026, 6, 14), [ENGLAND, SCOTLAND, NI], []),
        (date(2026, 6, 15), [SCOTLAND], [ENGLAND, NI]),  # Scotland's World Cup final holiday, by proclamation
        (date(2026, 6, 16), [], [ENGLAND, SCOTLAND, NI]),
    ],
)
def test_working_days_follow_each_nations_bank_holidays(day, nations_off, nations_working):
    assert [nation for nation in nations_off if is_working_day(day, nation=nation)] == []
    assert [nation for nation in nations_working if not is_working_day(day, nation=nation)] == []


@pytest.mark.parametrize(
    "start, count, nation, expected",
    [
        # Friday to Friday: the weekend is skipped.
        (date(2026, 6, 5), 5, ENGLAND, date(2026, 6, 12)),
        # From a Saturday, the Monday is the first working day.
        (date(2026, 6, 6), 1, ENGLAND, date(2026, 6, 8)),
        # Over Christmas and New Year 2027-28: England has 27, 28 December and 3 January off;
        # Scotland 3 and 4 January as well.
        (date(2027, 12, 24), 5, ENGLAND, date(2028, 1, 5)),
        (date(2027, 12, 24), 5, SCOTLAND, date(2028, 1, 6)),
        (date(2027, 12, 24), 5, NI, date(2028, 1, 5)),
        # Over Easter 2026: Good Friday everywhere, Easter Monday not in Scotland.
        (date(2026, 4, 2), 2, ENGLAND, date(2026, 4, 8)),
        (date(2026, 4, 2), 2, SCOTLAND, date(2026, 4, 7)),
        (date(2026, 4, 2), 0, ENGLAND, date(2026, 4, 2)),
    ],
)
def test_the_nth_working_day_after_a_date(start, count, nation, expected):
    assert working_day_after(start, count, nation=nation) == expected
    assert working_days_between(start, expected, nation=nation) == count


def test_working_days_between_counts_the_end_not_the_start():
    assert working_days_between(date(2026, 6, 12), date(2026, 6, 15), nation=ENGLAND) == 1  # Friday to Monday
    assert working_days_between(date(2026, 6, 15), date(2026, 6, 15), nation=ENGLAND) == 0


@pytest.mark.parametrize(
    "nation, expected",
    [(ENGLAND, date(2026, 1, 8)), (SCOTLAND, date(2026, 1, 9)), (NI, date(2026, 1, 8))],
)
def test_the_reasonable_grounds_target_counts_the_panels_own_working_days(nation, expected):
    panel = PanelFactory(nation=nation, rg_target_working_days=5)
    # Referred on New Year's Eve: 1 January is a holiday everywhere, 2 January in Scotland only.
    case = RgPendingReferralFactory(panel=panel, referral_date=date(2025, 12, 31))
    assert rg_target_date(case) == expected


def test_a_panel_without_a_reasonable_grounds_target_has_none():
    case = RgPendingReferralFactory(panel=PanelFactory(), referral_date=date(2025, 12, 31))
    assert rg_target_date(case) is None
    assert clock_of(case, today=date(2026, 1, 20)).rg_target_status is None


@pytest.mark.parametrize(
    "referral_date, day_45",
    [
        (date(2028, 1, 14), date(2028, 2, 28)),
        (date(2028, 1, 15), date(2028, 2, 29)),
        (date(2028, 1, 16), date(2028, 3, 1)),
        (date(2027, 1, 15), date(2027, 3, 1)),  # no 29 February in 2027
    ],
)
def test_day_45_counts_the_leap_day(referral_date, day_45):
    case = RgPendingReferralFactory(referral_date=referral_date)
    assert clock_of(case, today=referral_date).target_date == day_45


@pytest.mark.parametrize(
    "days_since_referral, is_overdue, days_left",
    [(44, False, 1), (45, False, 0), (46, True, -1)],
)
def test_day_45_is_on_time_and_day_46_overdue(days_since_referral, is_overdue, days_left):
    referral_date = date(2028, 1, 15)
    case = RgPendingReferralFactory(referral_date=referral_date)
    clock = clock_of(case, today=referral_date + datetime.timedelta(days=days_since_referral))
    assert clock.days_elapsed == days_since_referral
    assert clock.is_overdue is is_overdue
    assert clock.days_left == days_left


@pytest.mark.parametrize(
    "today, status",
    [(date(2026, 1, 7), "due"), (date(2026, 1, 8), "due_today"), (date(2026, 1, 9), "missed")],
)
def test_the_clock_shows_the_reasonable_grounds_target_while_it_is_awaited(today, status):
    panel = PanelFactory(rg_target_working_days=5)
    case = RgPendingReferralFactory(panel=panel, referral_date=date(2025, 12, 31))
    clock = clock_of(case, today=today)
    assert clock.rg_target_date == date(2026, 1, 8)
    assert clock.rg_target_status == status


def test_once_reasonable_grounds_are_decided_the_target_is_no_longer_due():
    panel = PanelFactory(rg_target_working_days=5)
    case = referral_in_state(State.CG_PENDING, panel=panel, referral_date=date(2025, 12, 31), days_to_rg=3)
    clock = clock_of(case, today=date(2026, 2, 1))
    assert clock.rg_target_date == date(2026, 1, 8)
    assert clock.rg_target_status is None
    assert not clock.is_rg_target_missed


def test_the_case_page_shows_the_reasonable_grounds_target_and_the_days_decisions_took(login, people, panel):
    panel.rg_target_working_days = 5
    panel.save()
    coordinator = people[Role.COORDINATOR]
    awaited = RgPendingReferralFactory(panel=panel, referral_date=date(2025, 12, 31))
    decided = referral_in_state(
        State.CG_POSITIVE, panel=panel, referral_date=date(2025, 12, 31), days_to_rg=4, days_to_cg=30
    )
    client = login(coordinator)

    page = client.get(reverse("referrals:case", args=[awaited.public_id])).content.decode()
    assert "Reasonable grounds target missed" in page
    assert "8 January 2026" in page

    page = client.get(reverse("referrals:case", args=[decided.public_id])).content.decode()
    assert "Reasonable grounds decided on day 4" in page
    assert "Conclusive grounds decided on day 30" in page
    assert "Reasonable grounds target missed" not in page
