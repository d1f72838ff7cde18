"""Turning 18: which cases are flagged (the 18th birthday within six months, or past with the case still open,
or no date of birth and an estimated age of 17 or more), the same by the list's SQL and by the case page's
flag, and the transition plan's rules."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta

from nrm_panel.models import Role
from referrals.ages import eighteenth_birthday
from referrals.models import Referral, State
from safeguarding import selectors
from safeguarding.models import TransitionPlan
from safeguarding.services import NotAllowed, SafeguardingError, StaleRecord, history_version
from safeguarding.services import support as services
from tests.factories import member, referral_in_state
from tests.safeguarding.support_helpers import build_team

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 15)
OPEN_STATES = [
    State.RG_PENDING,
    State.ON_AGENDA,
    State.RG_POSITIVE,
    State.RG_NEGATIVE,
    State.CG_PENDING,
    State.CG_POSITIVE,
    State.CG_NEGATIVE,
    State.RECONSIDERATION,
]
NOT_WITH_PANEL = [State.DRAFT, State.SUBMITTED, State.RETURNED, State.WITHDRAWN, State.CLOSED, State.TRANSFERRED]


@pytest.fixture
def team(panel, people):
    return build_team(panel, people)


def case(team, *, state=State.RG_PENDING, **fields) -> Referral:
    return referral_in_state(state, panel=team.panel, **fields)


def listed(team, today=TODAY, user=None) -> list[Referral]:
    return list(selectors.turning_18_cases(user or team.coordinator, today=today))


# Which cases are flagged


def test_a_child_whose_18th_birthday_is_exactly_six_months_away_is_flagged(team):
    exactly = case(team, date_of_birth=datetime.date(2008, 9, 15))  # 18 on 15 September 2026
    a_day_over = case(team, date_of_birth=datetime.date(2008, 9, 16))

    assert listed(team) == [exactly]
    flag = selectors.turning_18_flag(exactly, today=TODAY)
    assert (flag.birthday, flag.days_to_go, flag.has_turned_18) == (datetime.date(2026, 9, 15), 184, False)
    assert selectors.turning_18_flag(a_day_over, today=TODAY) is None


@pytest.mark.parametrize(
    ("today", "is_flagged"),
    [
        (datetime.date(2025, 8, 28), False),  # six months on is 28 February 2026; the birthday is 1 March
        (datetime.date(2025, 8, 31), False),  # six months on is still 28 February 2026 (no 31st, no 29th)
        (datetime.date(2025, 9, 1), True),  # six months on is 1 March 2026
    ],
)
def test_a_child_born_on_29_february_turns_18_on_1_march(team, today, is_flagged):
    leapling = case(team, date_of_birth=datetime.date(2008, 2, 29))

    assert (listed(team, today) == [leapling]) is is_flagged
    assert (selectors.turning_18_flag(leapling, today=today) is not None) is is_flagged
    if is_flagged:
        assert selectors.turning_18_flag(leapling, today=today).birthday == datetime.date(2026, 3, 1)


def test_six_months_on_may_be_a_29_february(team):
    # 29 August 2027 + six months is 29 February 2028.
    today = datetime.date(2027, 8, 29)
    on_the_28th = case(team, date_of_birth=datetime.date(2010, 2, 28))
    case(team, date_of_birth=datetime.date(2010, 3, 1))

    assert listed(team, today) == [on_the_28th]


def test_a_young_person_already_18_is_flagged_while_the_case_is_open(team):
    turned = case(team, state=State.CG_POSITIVE, date_of_birth=datetime.date(2007, 1, 10))
    today_18 = case(team, date_of_birth=datetime.date(2008, 3, 15))

    assert listed(team) == [turned, today_18]
    flag = selectors.turning_18_flag(turned, today=TODAY)
    assert (flag.birthday, flag.has_turned_18, flag.days_to_go) == (datetime.date(2025, 1, 10), True, -429)
    assert selectors.turning_18_flag(today_18, today=TODAY).has_turned_18


@pytest.mark.parametrize(("estimated_age", "is_flagged"), [(16, False), (17, True), (18, True)])
def test_with_no_date_of_birth_an_estimated_age_of_17_or_more_is_flagged(team, estimated_age, is_flagged):
    estimated = case(team, date_of_birth=None, estimated_age=estimated_age)

    assert (listed(team) == [estimated]) is is_flagged
    flag = selectors.turning_18_flag(estimated, today=TODAY)
    assert (flag is not None) is is_flagged
    if is_flagged:
        assert (flag.birthday, flag.estimated_age, flag.has_turned_18) == (None, estimated_age, False)


def test_a_known_date_of_birth_wins_over_an_estimated_age(team):
    case(team, date_of_birth=datetime.date(2011, 1, 1), estimated_age=17)

    assert listed(team) == []


@pytest.mark.parametrize("state", NOT_WITH_PANEL)
def test_cases_no_longer_with_the_panel_are_not_flagged(team, state):
    gone = case(team, state=state, date_of_birth=datetime.date(2008, 4, 1))
    case(team, state=state, date_of_birth=None, estimated_age=17)

    assert listed(team) == []
    assert selectors.turning_18_flag(gone, today=TODAY) is None


@pytest.mark.parametrize("state", OPEN_STATES)
def test_cases_still_with_the_panel_are_flagged_whatever_their_decision(team, state):
    open_case = case(team, state=state, date_of_birth=datetime.date(2008, 4, 1))

    assert listed(team) == [open_case]


def test_a_case_referred_as_an_adult_is_not_flagged(team):
    adult = case(team, date_of_birth=datetime.date(2000, 4, 1), is_adult=True, adult_has_consented=True)

    assert listed(team) == []
    assert selectors.turning_18_flag(adult, today=TODAY) is None


def test_the_list_is_soonest_birthday_first_then_estimated_ages(team):
    estimated = case(team, date_of_birth=None, estimated_age=17)
    september = case(team, date_of_birth=datetime.date(2008, 9, 1))
    april = case(team, date_of_birth=datetime.date(2008, 4, 1))
    already = case(team, date_of_birth=datetime.date(2007, 12, 1))
    case(team, date_of_birth=datetime.date(2010, 1, 1))  # not yet 16

    assert listed(team) == [already, april, september, estimated]


def test_the_lists_sql_agrees_with_the_case_pages_flag_day_by_day(team):
    """Every date of birth around the six-month line, 29 February and its neighbours among them, on days either
    side of the leap day: the SQL cut-off and the Python birthday rule flag the same cases."""
    births = [datetime.date(2007, 12, 20) + datetime.timedelta(days=n) for n in range(0, 900, 7)]
    births += [datetime.date(2008, 2, 28), datetime.date(2008, 2, 29), datetime.date(2008, 3, 1)]
    births += [datetime.date(2010, 2, 28), datetime.date(2010, 3, 1), datetime.date(2012, 2, 29)]
    cases = [team.case] + [case(team, date_of_birth=born) for born in births]
    todays = [
        datetime.date(2025, 8, 27) + datetime.timedelta(days=n)
        for n in range(0, 8)  # 27 August to 3 September
    ] + [datetime.date(2027, 8, 28), datetime.date(2027, 8, 29), datetime.date(2027, 8, 31), datetime.date(2029, 8, 29)]

    for today in todays:
        by_sql = {c.pk for c in listed(team, today)}
        by_rule = {c.pk for c in cases if eighteenth_birthday(c.date_of_birth) <= today + relativedelta(months=6)}
        by_flag = {c.pk for c in cases if selectors.turning_18_flag(c, today=today)}
        assert by_sql == by_rule == by_flag, today
        assert by_sql, today  # each day flags someone: the comparison is not of two empty sets


# Who sees the list


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.CHAIR])
def test_coordinators_and_chairs_see_their_panels_cases(team, role):
    ours = case(team, date_of_birth=datetime.date(2008, 4, 1))

    assert listed(team, user=team.people[role]) == [ours]


@pytest.mark.parametrize("role", [Role.PANEL_MEMBER, Role.DESIGNATED_NURSE, Role.AUDITOR, Role.REFERRER])
def test_no_one_else_is_given_the_list(team, role):
    case(team, date_of_birth=datetime.date(2008, 4, 1))

    assert listed(team, user=team.people[role]) == []


def test_another_panels_coordinator_sees_only_their_own(team):
    case(team, date_of_birth=datetime.date(2008, 4, 1))
    theirs = referral_in_state(State.RG_PENDING, panel=team.other_panel, date_of_birth=datetime.date(2008, 5, 1))

    assert listed(team, user=team.other_coordinator) == [theirs]


def test_a_panel_member_who_chairs_another_panel_sees_only_that_panels_cases(team):
    case(team, date_of_birth=datetime.date(2008, 4, 1))
    theirs = referral_in_state(State.RG_PENDING, panel=team.other_panel, date_of_birth=datetime.date(2008, 5, 1))
    member_here = team.people[Role.PANEL_MEMBER]
    member(team.other_panel, Role.CHAIR, user=member_here)

    assert listed(team, user=member_here) == [theirs]


# The transition plan


def test_the_coordinator_records_then_changes_the_transition_plan(team):
    plan = services.transition_plan_save(
        referral=team.case, user=team.coordinator, plan="  Leaving care team from July.  ", version=0, today=TODAY
    )
    services.transition_plan_save(
        referral=team.case,
        user=team.coordinator,
        plan="Leaving care team from July.",
        adult_services_referred_on=TODAY,
        adult_services_team="Lewisham Adult Social Care, Transitions",
        adult_services_contact="Pat Adult, 020 7946 0001",
        version=history_version(plan),
        today=TODAY,
    )

    saved = TransitionPlan.objects.get()
    assert (saved.referral, saved.plan, saved.adult_services_referred_on, saved.updated_by) == (
        team.case,
        "Leaving care team from July.",
        TODAY,
        team.coordinator,
    )
    history = list(saved.history.order_by("history_id").values_list("history_change_reason", "history_user"))
    assert history == [
        ("Transition plan recorded", team.coordinator.pk),
        ("Transition plan changed: referred to adult services on 15 March 2026", team.coordinator.pk),
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"plan": "   "}, services.PLAN_REQUIRED),
        (
            {"adult_services_referred_on": TODAY + datetime.timedelta(days=1), "adult_services_team": "Team"},
            services.ADULT_REFERRAL_IN_FUTURE,
        ),
        ({"adult_services_referred_on": TODAY}, services.ADULT_TEAM_REQUIRED),
    ],
    ids=["no-plan", "referred-tomorrow", "referred-to-no-team"],
)
def test_a_transition_plan_breaking_a_rule_is_refused(team, changes, message):
    with pytest.raises(SafeguardingError, match=message):
        services.transition_plan_save(
            referral=team.case, user=team.coordinator, today=TODAY, **{"plan": "A plan"} | changes
        )

    assert not TransitionPlan.objects.exists()


def test_two_coordinators_recording_a_first_plan_at_once_do_not_overwrite_each_other(team):
    second_coordinator = member(team.panel, Role.COORDINATOR)
    services.transition_plan_save(referral=team.case, user=team.coordinator, plan="First", version=0, today=TODAY)

    with pytest.raises(StaleRecord):
        services.transition_plan_save(
            referral=team.case, user=second_coordinator, plan="Second", version=0, today=TODAY
        )

    assert TransitionPlan.objects.get().plan == "First"


@pytest.mark.parametrize("role", [Role.CHAIR, Role.PANEL_MEMBER, Role.DESIGNATED_NURSE, Role.AUDITOR, Role.REFERRER])
def test_only_the_coordinator_records_the_transition_plan(team, role):
    with pytest.raises(NotAllowed):
        services.transition_plan_save(referral=team.case, user=team.people[role], plan="A plan", today=TODAY)
    with pytest.raises(NotAllowed):
        services.transition_plan_save(referral=team.case, user=team.other_coordinator, plan="A plan", today=TODAY)

    assert not TransitionPlan.objects.exists()


def test_turning_18_does_not_close_the_case(team):
    turned = case(team, state=State.CG_POSITIVE, date_of_birth=datetime.date(2007, 1, 10))

    services.transition_plan_save(referral=turned, user=team.coordinator, plan="Adult services lead.", today=TODAY)

    turned.refresh_from_db()
    assert turned.state == State.CG_POSITIVE
    assert listed(team) == [turned]
