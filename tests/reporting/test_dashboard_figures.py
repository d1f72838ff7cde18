"""The dashboard's figures on hand-built cases, exactly: every count, rate, median and share worked out by hand, at
the edges of the dates, the age bands and the day bands; drafts and another panel's cases never counted."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from decisions.models import (
    Decision,
    DecisionKind,
    Outcome,
    Reconsideration,
    ReconsiderationGrounds,
    ReconsiderationStatus,
    RequestedBy,
)
from decisions.services import reconsideration_accept, reconsideration_refuse, reconsideration_request
from nrm_panel.models import Role
from referrals.clock import ClockStatus, case_clock
from referrals.models import ExploitationType, ExploitedIn, Gender, OrganisationType, State
from referrals.scope import assess_scope
from reporting import figures
from reporting.figures import Scope
from tests.decisions.conftest import sitting, steps  # noqa: F401  (real decisions and reconsiderations)
from tests.factories import AgendaItemFactory, PanelFactory, PanelMeetingFactory, SubmittedReferralFactory, member

pytestmark = pytest.mark.django_db

REFERRED = datetime.date(2025, 6, 10)
YEAR_2025 = (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
RG, CG = DecisionKind.RG, DecisionKind.CG
POSITIVE, NEGATIVE, DEFERRED = Outcome.POSITIVE, Outcome.NEGATIVE, Outcome.DEFERRED


def case(panel, **fields):
    """A submitted case of `panel`, referred on REFERRED by default, aged 15 then; `fields` set directly."""
    if not hasattr(panel, "_test_referrer"):
        panel._test_referrer = member(panel, Role.REFERRER)
    fields.setdefault("referrer", panel._test_referrer)
    fields.setdefault("referral_date", REFERRED)
    fields.setdefault("date_of_birth", fields["referral_date"] - relativedelta(years=15))
    return SubmittedReferralFactory(panel=panel, **fields)


def draft(panel, **fields):
    """A draft that carries every field a count looks at: it must still never be counted."""
    return case(panel, state=State.DRAFT, reference=None, **fields)


def rows(table) -> list[tuple]:
    return [(row.label, row.values) for row in table.rows]


def values(table) -> dict:
    return {row.label: row.values for row in table.rows}


def scope(*panels, date_from=YEAR_2025[0], date_to=YEAR_2025[1]) -> Scope:
    return Scope(panels=list(panels), date_from=date_from, date_to=date_to)


# --- Referrals per month --------------------------------------------------------------------------------------------


@pytest.fixture
def monthly(panel, other_panel):
    """Referrals around a range of 15 April to 10 July 2025: both ends in, the days either side out, May empty."""
    for day in ["2025-04-14", "2025-04-15", "2025-04-30", "2025-06-03", "2025-06-03", "2025-07-10", "2025-07-11"]:
        case(panel, referral_date=datetime.date.fromisoformat(day))
    case(panel, referral_date=datetime.date(2025, 6, 20), state=State.RETURNED)
    case(panel, referral_date=datetime.date(2025, 6, 21), state=State.CLOSED)
    draft(panel, referral_date=datetime.date(2025, 6, 4))
    case(other_panel, referral_date=datetime.date(2025, 5, 5))
    case(other_panel, referral_date=datetime.date(2025, 7, 10))
    draft(other_panel, referral_date=datetime.date(2025, 5, 6))
    return scope(panel, date_from=datetime.date(2025, 4, 15), date_to=datetime.date(2025, 7, 10))


def test_referrals_per_month_count_both_ends_of_the_range_and_show_empty_months(monthly):
    table = figures.referrals_per_month(monthly)

    assert table.columns == ["Lewisham NRM Panel"]
    assert rows(table) == [("Apr 2025", [2]), ("May 2025", [0]), ("Jun 2025", [4]), ("Jul 2025", [1])]


def test_another_panels_cases_count_only_in_its_own_column_with_the_right_total(monthly, panel, other_panel):
    both = Scope(panels=[panel, other_panel], date_from=monthly.date_from, date_to=monthly.date_to)

    table = figures.referrals_per_month(both)

    assert table.columns == ["Lewisham NRM Panel", "Other Borough NRM Panel", "Total"]
    assert rows(table) == [
        ("Apr 2025", [2, 0, 2]),
        ("May 2025", [0, 1, 1]),
        ("Jun 2025", [4, 0, 4]),
        ("Jul 2025", [1, 1, 2]),
    ]


def test_a_range_within_one_month_has_one_row(panel):
    case(panel, referral_date=datetime.date(2025, 2, 28))
    case(panel, referral_date=datetime.date(2025, 3, 1))

    table = figures.referrals_per_month(
        scope(panel, date_from=datetime.date(2025, 2, 1), date_to=datetime.date(2025, 2, 28))
    )

    assert rows(table) == [("Feb 2025", [1])]


# --- Referrals by category ------------------------------------------------------------------------------------------


@pytest.fixture
def categories(panel, other_panel):
    case(
        panel,
        exploitation_types=[ExploitationType.SEXUAL, ExploitationType.LABOUR],
        gender=Gender.FEMALE,
        first_responder_organisation_type=OrganisationType.POLICE,
        exploited_in=ExploitedIn.BOTH,
    )
    case(
        panel,
        exploitation_types=[ExploitationType.COUNTY_LINES],
        gender=Gender.MALE,
        first_responder_organisation_type=OrganisationType.LOCAL_AUTHORITY,
        exploited_in=ExploitedIn.UK,
    )
    case(
        panel,
        exploitation_types=[ExploitationType.COUNTY_LINES, ExploitationType.SEXUAL],
        gender=Gender.FEMALE,
        first_responder_organisation_type=OrganisationType.LOCAL_AUTHORITY,
        exploited_in=ExploitedIn.UK,
    )
    case(panel, exploitation_types=[], gender="", first_responder_organisation_type="", exploited_in="")
    for owner, fields in [(panel, {"state": State.DRAFT, "reference": None}), (other_panel, {})]:
        case(
            owner,
            exploitation_types=[ExploitationType.ORGAN_REMOVAL],
            gender=Gender.OTHER,
            first_responder_organisation_type=OrganisationType.NGO,
            exploited_in=ExploitedIn.OVERSEAS,
            **fields,
        )
    return scope(panel)


def test_a_case_with_two_types_of_exploitation_counts_under_each(categories):
    assert rows(figures.by_exploitation_type(categories)) == [
        ("Criminal exploitation (not county lines)", [0]),
        ("Criminal exploitation: county lines", [2]),
        ("Sexual exploitation", [2]),
        ("Labour exploitation", [1]),
        ("Domestic servitude", [0]),
        ("Organ removal", [0]),
        ("Other", [0]),
        # The case with none recorded (the blank answers' case) is not lost.
        ("Not recorded", [1]),
    ]


def test_by_gender_first_responder_and_where_exploited_with_blanks_as_not_recorded(categories):
    assert rows(figures.by_gender(categories)) == [
        ("Female", [2]),
        ("Male", [1]),
        ("Other", [0]),
        ("Not known", [0]),
        ("Not recorded", [1]),
    ]
    assert rows(figures.by_first_responder(categories)) == [
        ("Local authority", [2]),
        ("Police", [1]),
        ("Health", [0]),
        ("Charity or voluntary organisation", [0]),
        ("Government agency", [0]),
        ("Other", [0]),
        ("Not recorded", [1]),
    ]
    assert rows(figures.by_where_exploited(categories)) == [
        ("In the UK", [2]),
        ("Overseas", [0]),
        ("Both in the UK and overseas", [1]),
        ("Not known", [0]),
        ("Not recorded", [1]),
    ]


def test_categories_side_by_side_count_each_panels_own_cases(categories, panel, other_panel):
    both = scope(panel, other_panel)

    assert values(figures.by_exploitation_type(both))["Organ removal"] == [0, 1, 1]
    assert values(figures.by_exploitation_type(both))["Sexual exploitation"] == [2, 0, 2]
    assert values(figures.by_gender(both))["Other"] == [0, 1, 1]
    assert values(figures.by_where_exploited(both))["Overseas"] == [0, 1, 1]


# --- Age at referral ------------------------------------------------------------------------------------------------


def test_age_bands_at_their_boundaries_on_the_referral_date(panel, other_panel):
    born = {
        "11, a day before 12": datetime.date(2013, 6, 11),
        "12 on the day": datetime.date(2013, 6, 10),
        "13, a day before 14": datetime.date(2011, 6, 11),
        "14 on the day": datetime.date(2011, 6, 10),
        "17, a day before 18": datetime.date(2007, 6, 11),
        "18 on the day": datetime.date(2007, 6, 10),
    }
    for date_of_birth in born.values():
        case(panel, date_of_birth=date_of_birth, estimated_age=None)
    case(panel, date_of_birth=None, estimated_age=15)  # no date of birth: the estimate
    case(panel, date_of_birth=datetime.date(2015, 1, 1), estimated_age=16)  # a date of birth wins: 10
    case(panel, date_of_birth=None, estimated_age=None)
    draft(panel, date_of_birth=None, estimated_age=None)
    case(other_panel, date_of_birth=datetime.date(2007, 6, 10))

    assert rows(figures.by_age_band(scope(panel))) == [
        ("Under 12", [2]),
        ("12 to 13", [2]),
        ("14 to 15", [2]),
        ("16 to 17", [1]),
        ("18 or over", [1]),
        ("Not known", [1]),
    ]


def test_a_child_born_on_29_february_turns_18_on_1_march(panel):
    born = datetime.date(2008, 2, 29)
    case(panel, date_of_birth=born, referral_date=datetime.date(2026, 2, 28))
    case(panel, date_of_birth=born, referral_date=datetime.date(2026, 3, 1))

    table = figures.by_age_band(scope(panel, date_from=datetime.date(2026, 1, 1), date_to=datetime.date(2026, 12, 31)))

    assert values(table)["16 to 17"] == [1]
    assert values(table)["18 or over"] == [1]


def test_a_date_of_birth_years_after_the_referral_is_not_known(panel):
    case(panel, date_of_birth=REFERRED + relativedelta(years=2), estimated_age=15)

    assert values(figures.by_age_band(scope(panel)))["Not known"] == [1]


def test_a_date_of_birth_weeks_after_the_referral_is_not_known(panel):
    case(panel, date_of_birth=REFERRED + datetime.timedelta(days=80), estimated_age=15)

    assert values(figures.by_age_band(scope(panel)))["Not known"] == [1]


# --- Nationality ----------------------------------------------------------------------------------------------------


def test_the_ten_most_referred_nationalities_and_the_rest_together(panel, other_panel):
    counts = {
        "British": 3,
        "Albanian": 3,
        "Vietnamese": 2,
        "Eritrean": 2,
        "Afghan": 1,
        "Chinese": 1,
        "Iranian": 1,
        "Iraqi": 1,
        "Nigerian": 1,
        "Romanian": 1,
        "Somali": 1,
        "Sudanese": 1,
    }
    for nationality, count in counts.items():
        for _ in range(count):
            case(panel, nationality=nationality)
    case(panel, nationality=" british ")  # the same nationality, however it was typed
    for _ in range(6):
        case(other_panel, nationality="Sudanese")
    draft(panel, nationality="Somali")
    draft(panel, nationality="Somali")

    table = figures.by_nationality(scope(panel))

    # 4 British; ties in order of name; of the twelve, Somali and Sudanese (1 each) fall outside the ten.
    assert rows(table) == [
        ("British", [4]),
        ("Albanian", [3]),
        ("Eritrean", [2]),
        ("Vietnamese", [2]),
        ("Afghan", [1]),
        ("Chinese", [1]),
        ("Iranian", [1]),
        ("Iraqi", [1]),
        ("Nigerian", [1]),
        ("Romanian", [1]),
        ("All other nationalities", [2]),
    ]
    # Side by side, the ten are of both panels together: the other panel's 6 Sudanese lead.
    both = figures.by_nationality(scope(panel, other_panel))
    assert both.rows[0].label == "Sudanese" and both.rows[0].values == [1, 6, 7]
    assert values(both)["All other nationalities"] == [2, 0, 2]  # Romanian and Somali now


def test_no_other_nationalities_row_when_there_are_ten_or_fewer(panel):
    case(panel, nationality="British")
    case(panel, nationality="British")
    case(panel, nationality="")

    assert rows(figures.by_nationality(scope(panel))) == [("British", [2]), ("Not recorded", [1])]


# --- Decisions ------------------------------------------------------------------------------------------------------


def decide(panel, kind, outcome, *, decided_on=REFERRED, signed=True, supersedes=None, referral=None):
    """A decision row made directly, at its own agenda item (the decision services are tested in tests/decisions;
    one test below goes through them)."""
    recorder = member(panel, Role.CHAIR)
    meeting = PanelMeetingFactory(panel=panel, date=decided_on)
    referral = referral or case(panel, referral_date=decided_on - datetime.timedelta(days=20))
    signed_at = timezone.now() if signed else None
    item = AgendaItemFactory(meeting=meeting, referral=referral, added_by=recorder, signed_off_at=signed_at)
    return Decision.objects.create(
        referral=referral,
        item=item,
        kind=kind,
        outcome=outcome,
        reasons="The panel's reasons.",
        decided_on=decided_on,
        deferred_to=PanelMeetingFactory(panel=panel) if outcome == DEFERRED else None,
        supersedes=supersedes,
        recorded_by=recorder,
        signed_off_by=recorder if signed else None,
        signed_off_at=signed_at,
    )


def reconsideration(decision, status, *, received_on=REFERRED):
    return Reconsideration.objects.create(
        referral=decision.referral,
        decision=decision,
        requested_by=RequestedBy.LEGAL_REPRESENTATIVE,
        requester_name="A. Solicitor",
        received_on=received_on,
        grounds=ReconsiderationGrounds.NEW_EVIDENCE,
        details="New evidence.",
        status=status,
        recorded_by=decision.recorded_by,
    )


@pytest.fixture
def decided(panel, other_panel):
    for _ in range(3):
        decide(panel, RG, POSITIVE)
    rg_negative = decide(panel, RG, NEGATIVE)
    decide(panel, RG, DEFERRED)
    decide(panel, RG, POSITIVE, signed=False)  # not signed off: not yet a decision
    decide(panel, RG, POSITIVE, decided_on=datetime.date(2024, 12, 31))  # before the dates
    decide(panel, RG, POSITIVE, decided_on=datetime.date(2026, 1, 1))  # after them
    decide(panel, CG, POSITIVE, decided_on=YEAR_2025[0])  # the first day
    decide(panel, CG, POSITIVE, decided_on=YEAR_2025[1])  # the last day
    cg_negatives = [decide(panel, CG, NEGATIVE) for _ in range(2)]
    # Re-decisions after reconsideration: their own table, not first decisions.
    decide(panel, RG, POSITIVE, supersedes=rg_negative, referral=rg_negative.referral)
    decide(panel, CG, NEGATIVE, supersedes=cg_negatives[0], referral=cg_negatives[0].referral)
    decide(panel, CG, POSITIVE, supersedes=cg_negatives[1], referral=cg_negatives[1].referral, signed=False)
    reconsideration(rg_negative, ReconsiderationStatus.DECIDED)
    reconsideration(cg_negatives[0], ReconsiderationStatus.DECIDED)
    reconsideration(cg_negatives[1], ReconsiderationStatus.ACCEPTED)
    reconsideration(cg_negatives[1], ReconsiderationStatus.REFUSED, received_on=YEAR_2025[0])
    reconsideration(cg_negatives[1], ReconsiderationStatus.REQUESTED, received_on=datetime.date(2024, 12, 31))
    # The other panel's: never in Lewisham's figures.
    other_negatives = [decide(other_panel, RG, NEGATIVE) for _ in range(2)]
    reconsideration(other_negatives[0], ReconsiderationStatus.REQUESTED)
    decide(other_panel, RG, POSITIVE, supersedes=other_negatives[1], referral=other_negatives[1].referral)


def test_signed_decisions_by_outcome_and_the_positive_rate(decided, panel):
    assert rows(figures.decision_outcomes(scope(panel))) == [
        ("Reasonable grounds: positive", [3]),
        ("Reasonable grounds: negative", [1]),
        ("Reasonable grounds: deferred", [1]),
        ("Reasonable grounds: positive rate", [0.75]),
        ("Conclusive grounds: positive", [2]),
        ("Conclusive grounds: negative", [2]),
        ("Conclusive grounds: deferred", [0]),
        ("Conclusive grounds: positive rate", [0.5]),
    ]


def test_decisions_side_by_side_with_the_rate_of_the_total(decided, panel, other_panel):
    assert rows(figures.decision_outcomes(scope(panel, other_panel))) == [
        ("Reasonable grounds: positive", [3, 0, 3]),
        ("Reasonable grounds: negative", [1, 2, 3]),
        ("Reasonable grounds: deferred", [1, 0, 1]),
        ("Reasonable grounds: positive rate", [0.75, 0.0, 0.5]),
        ("Conclusive grounds: positive", [2, 0, 2]),
        ("Conclusive grounds: negative", [2, 0, 2]),
        ("Conclusive grounds: deferred", [0, 0, 0]),
        ("Conclusive grounds: positive rate", [0.5, None, 0.5]),
    ]


def test_reconsideration_requests_by_status_and_the_new_decisions_outcomes(decided, panel, other_panel):
    assert rows(figures.reconsiderations(scope(panel))) == [
        ("Requests: requested", [0]),
        ("Requests: accepted: awaiting the panel", [1]),
        ("Requests: refused", [1]),
        ("Requests: re-decided", [2]),
        ("Decided again: positive", [1]),
        ("Decided again: negative", [1]),
    ]
    assert rows(figures.reconsiderations(scope(panel, other_panel))) == [
        ("Requests: requested", [0, 1, 1]),
        ("Requests: accepted: awaiting the panel", [1, 0, 1]),
        ("Requests: refused", [1, 0, 1]),
        ("Requests: re-decided", [2, 0, 2]),
        ("Decided again: positive", [1, 1, 2]),
        ("Decided again: negative", [1, 0, 1]),
    ]


def test_no_decisions_give_zero_counts_and_no_rate(panel):
    assert values(figures.decision_outcomes(scope(panel)))["Reasonable grounds: positive rate"] == [None]
    assert values(figures.decision_outcomes(scope(panel)))["Reasonable grounds: positive"] == [0]


def test_real_decisions_and_reconsiderations_through_the_services(sitting, steps, panel):  # noqa: F811
    """Two negative RGs signed off 40 days ago; one reconsidered and decided again positive today, one refused."""
    reconsidered, refused = steps.case(referral_date=steps.day(-45)), steps.case(referral_date=steps.day(-45))
    steps.decide(reconsidered, steps.meeting(steps.day(-40)), (RG, NEGATIVE))
    steps.decide(refused, steps.meeting(steps.day(-39)), (RG, NEGATIVE))
    for referral in (reconsidered, refused):
        reconsideration_request(
            referral=referral,
            user=sitting.coordinator,
            requested_by=RequestedBy.CHILD,
            requester_name="The child",
            received_on=steps.day(-30),
            grounds=ReconsiderationGrounds.NEW_EVIDENCE,
            details="A statement from the child's teacher.",
        )
    reconsideration_accept(reconsideration=reconsidered.reconsiderations.get(), user=sitting.coordinator)
    reconsideration_refuse(reconsideration=refused.reconsiderations.get(), user=sitting.coordinator, reason="None")
    steps.decide(reconsidered, sitting.meeting, (RG, POSITIVE))
    recent = scope(panel, date_from=steps.day(-60), date_to=steps.day(0))

    assert values(figures.decision_outcomes(recent))["Reasonable grounds: negative"] == [2]
    assert values(figures.decision_outcomes(recent))["Reasonable grounds: positive"] == [0]
    assert rows(figures.reconsiderations(recent)) == [
        ("Requests: requested", [0]),
        ("Requests: accepted: awaiting the panel", [0]),
        ("Requests: refused", [1]),
        ("Requests: re-decided", [1]),
        ("Decided again: positive", [1]),
        ("Decided again: negative", [0]),
    ]


# --- Transfers to the SCA -------------------------------------------------------------------------------------------

TRANSFER_LABELS = [
    "Transferred to the SCA",
    "Aged 18 or over",
    "Within 100 days of 18",
    "Age disputed or uncertain",
    "Public order disqualification considered",
    "Not in the panel's area",
    "Another reason",
]


def transferred(panel, **fields):
    fields = {
        "state": State.TRANSFERRED,
        "is_adult": False,
        "is_age_disputed": False,
        "is_in_panel_area": True,
        "is_public_order_disqualification_considered": False,
    } | fields
    return case(panel, **fields)


def eighteen_in(days: int) -> datetime.date:
    """The date of birth of a child whose 18th birthday is `days` after REFERRED."""
    return (REFERRED + datetime.timedelta(days=days)) - relativedelta(years=18)


def test_transfers_by_reason(panel, other_panel):
    transferred(panel, date_of_birth=eighteen_in(100))  # the last day of "within 100 days"
    transferred(panel, date_of_birth=eighteen_in(101))  # in scope by age: another reason
    transferred(panel, is_age_disputed=True)
    transferred(panel, date_of_birth=None, estimated_age=16)
    transferred(panel, is_in_panel_area=False)
    transferred(panel, is_public_order_disqualification_considered=True)
    transferred(panel, date_of_birth=eighteen_in(30), is_in_panel_area=False)  # two reasons
    case(panel, state=State.RG_PENDING, date_of_birth=eighteen_in(30))  # not transferred
    transferred(panel, is_in_panel_area=False, referral_date=datetime.date(2024, 12, 31))  # before the dates
    transferred(other_panel, is_in_panel_area=False)
    transferred(other_panel, is_public_order_disqualification_considered=True)

    table = figures.transfers(scope(panel))

    assert rows(table) == list(zip(TRANSFER_LABELS, [[7], [0], [2], [2], [1], [2], [1]], strict=True))
    both = figures.transfers(scope(panel, other_panel))
    assert values(both)["Transferred to the SCA"] == [7, 2, 9]
    assert values(both)["Not in the panel's area"] == [2, 1, 3]
    assert values(both)["Public order disqualification considered"] == [1, 1, 2]


def test_the_reasons_match_the_scope_rules_at_100_and_101_days(panel):
    """The figures' "within 100 days of 18" is the scope rule's (referrals.scope.assess_scope)."""
    near, not_near = (
        transferred(panel, date_of_birth=eighteen_in(100)),
        transferred(panel, date_of_birth=eighteen_in(101)),
    )

    assert any("Within 100 days" in r for r in assess_scope(near, on=REFERRED).reasons_out_of_scope)
    assert assess_scope(not_near, on=REFERRED).is_in_scope
    assert values(figures.transfers(scope(panel)))["Within 100 days of 18"] == [1]


def test_a_transfer_with_unanswered_questions_counts_as_another_reason(panel):
    transferred(panel, is_age_disputed=None, is_in_panel_area=None, is_public_order_disqualification_considered=None)

    assert rows(figures.transfers(scope(panel))) == list(
        zip(TRANSFER_LABELS, [[1], [0], [0], [0], [0], [0], [1]], strict=True)
    )


def test_a_case_aged_18_or_over_counts_as_aged_18_or_over_not_as_within_100_days_of_18(panel):
    adult = transferred(panel, is_adult=True, date_of_birth=REFERRED - relativedelta(years=19))
    turned_18 = transferred(panel, date_of_birth=eighteen_in(-10))
    for referral in (adult, turned_18):
        assert assess_scope(referral, on=REFERRED).reasons_out_of_scope == ["Aged 18 or over"]

    table = values(figures.transfers(scope(panel)))

    assert (table["Aged 18 or over"], table["Within 100 days of 18"]) == ([2], [0])


def test_a_29_february_birthday_is_within_100_days_of_18_as_the_scope_rule_says(panel):
    born = datetime.date(2008, 2, 29)  # 18 on 1 March 2026; 101 days before is 20 November 2025
    referral = transferred(panel, date_of_birth=born, referral_date=datetime.date(2025, 11, 20))
    assert assess_scope(referral, on=referral.referral_date).is_in_scope

    assert values(figures.transfers(scope(panel)))["Within 100 days of 18"] == [0]


# --- Days to a decision ---------------------------------------------------------------------------------------------


@pytest.fixture
def thirty_day_panel(db):
    return PanelFactory(name="Thirty Day NRM Panel", code="TDP", decision_target_days=30)


@pytest.fixture
def timed(panel, thirty_day_panel):
    for days in (10, 45, 46):
        case(panel, days_to_rg=days)
    for days in (10, 20, 30, 50):
        case(panel, days_to_cg=days)
    case(panel, days_to_rg=None, days_to_cg=None)  # undecided: not in the figures
    case(panel, days_to_rg=1, referral_date=datetime.date(2024, 12, 31))  # referred before the dates
    draft(panel, days_to_rg=2, days_to_cg=2)
    for days in (30, 31):
        case(thirty_day_panel, days_to_rg=days)


def test_days_to_rg_median_of_an_odd_count_mean_and_share_within_45_days(timed, panel):
    table = figures.days_taken(scope(panel), kind=RG)

    assert table.title == "Days from referral to reasonable grounds"
    assert values(table)["Median days"] == [45.0]
    assert values(table)["Mean days"] == [pytest.approx(101 / 3)]
    assert values(table)["Decided"] == [3]
    assert values(table)["Decided within the target"] == [pytest.approx(2 / 3)]


def test_days_to_cg_median_of_an_even_count_is_the_mean_of_the_middle_two(timed, panel):
    table = figures.days_taken(scope(panel), kind=CG)

    assert table.title == "Days from referral to conclusive grounds"
    assert values(table)["Median days"] == [25.0]
    assert values(table)["Mean days"] == [27.5]
    assert values(table)["Decided"] == [4]
    assert values(table)["Decided within the target"] == [0.75]


def test_the_share_within_the_target_is_of_each_panels_own_target(timed, panel, thirty_day_panel):
    table = values(figures.days_taken(scope(panel, thirty_day_panel), kind=RG))

    assert table["Decided"] == [3, 2, 5]
    assert table["Median days"] == [45.0, 30.5, 31.0]
    assert table["Mean days"] == [pytest.approx(101 / 3), 30.5, pytest.approx(32.4)]
    # 30 of 30 days is within; 31 is not; the total counts each case against its own panel's target (3 of 5).
    assert table["Decided within the target"] == [pytest.approx(2 / 3), 0.5, 0.6]


def test_days_with_nothing_decided_are_none(panel):
    table = values(figures.days_taken(scope(panel), kind=RG))

    assert table["Median days"] == [None]
    assert table["Mean days"] == [None]
    assert table["Decided"] == [0]
    assert table["Decided within the target"] == [None]


def test_the_distribution_of_days_at_the_edges_of_its_bands(panel):
    for days in (0, 7, 8, 14, 15, 30, 31, 45, 46, 60, 61, 200):
        case(panel, days_to_rg=days)

    table = figures.days_taken(scope(panel), kind=RG)

    assert rows(table)[4:] == [
        ("0 to 7 days", [2]),
        ("8 to 14 days", [2]),
        ("15 to 30 days", [2]),
        ("31 to 45 days", [2]),
        ("46 to 60 days", [2]),
        ("More than 60 days", [2]),
    ]
    assert values(table)["Median days"] == [30.5]
    assert values(table)["Decided within the target"] == [pytest.approx(8 / 12)]


# --- Open cases by their clock, and the overdue ones ----------------------------------------------------------------

TODAY = datetime.date(2025, 6, 30)


def days_ago(days: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=days)


@pytest.fixture
def clocks(panel, other_panel, thirty_day_panel):
    """Open cases on either side of each threshold of a 45-day clock: 15 and 5 days left, and due today."""
    running = {}
    for elapsed, state in [
        (0, State.SUBMITTED),
        (29, State.RG_PENDING),  # 16 days left: on track
        (30, State.ON_AGENDA),  # 15 left: at risk
        (39, State.RG_POSITIVE),  # 6 left
        (40, State.CG_PENDING),  # 5 left: nearly due
        (45, State.RETURNED),  # due today: not yet overdue
        (46, State.RECONSIDERATION),  # a day overdue
        (100, State.RG_PENDING),  # referred long before any report's dates: still open
    ]:
        running[elapsed] = case(panel, referral_date=days_ago(elapsed), state=state)
    for state in (State.CG_POSITIVE, State.CG_NEGATIVE, State.RG_NEGATIVE, State.TRANSFERRED, State.CLOSED):
        case(panel, referral_date=days_ago(80), state=state)  # decided or closed: no clock
    draft(panel, referral_date=days_ago(80))
    case(other_panel, referral_date=days_ago(80), state=State.RG_PENDING)
    case(thirty_day_panel, referral_date=days_ago(31), state=State.RG_PENDING)  # overdue on a 30-day target
    return running


def test_open_cases_by_their_clock_today(clocks, panel):
    table = figures.open_by_clock(scope(panel), today=TODAY)

    assert rows(table) == [
        ("On track", [2]),
        ("At risk: 15 days or fewer left", [2]),
        ("Nearly due", [2]),
        ("Overdue", [2]),
    ]


def test_the_clock_figures_agree_with_each_cases_clock(clocks, panel):
    statuses = {elapsed: case_clock(referral, today=TODAY) for elapsed, referral in clocks.items()}

    assert {elapsed: (clock.status, clock.is_overdue) for elapsed, clock in statuses.items()} == {
        0: (ClockStatus.GREEN, False),
        29: (ClockStatus.GREEN, False),
        30: (ClockStatus.AMBER, False),
        39: (ClockStatus.AMBER, False),
        40: (ClockStatus.RED, False),
        45: (ClockStatus.RED, False),
        46: (ClockStatus.RED, True),
        100: (ClockStatus.RED, True),
    }


def test_open_cases_side_by_side_on_each_panels_own_target(clocks, panel, other_panel, thirty_day_panel):
    table = figures.open_by_clock(scope(panel, other_panel, thirty_day_panel), today=TODAY)

    assert rows(table) == [
        ("On track", [2, 0, 0, 2]),
        ("At risk: 15 days or fewer left", [2, 0, 0, 2]),
        ("Nearly due", [2, 0, 0, 2]),
        ("Overdue", [2, 1, 1, 4]),
    ]


def test_overdue_cases_most_overdue_first_with_their_delay_reasons(panel, other_panel):
    a_day = case(panel, referral_date=days_ago(46), state=State.RG_PENDING, delay_reason="Waiting for the police")
    most = case(panel, referral_date=days_ago(100), state=State.CG_PENDING, delay_reason="")
    middle = case(panel, referral_date=days_ago(60), state=State.ON_AGENDA, delay_reason="Interpreter needed")
    case(panel, referral_date=days_ago(45), state=State.RG_PENDING)  # due today
    case(panel, referral_date=days_ago(100), state=State.CLOSED)
    draft(panel, referral_date=days_ago(100))
    case(other_panel, referral_date=days_ago(200), state=State.RG_PENDING)

    listed, count = figures.overdue_cases(panel, today=TODAY)

    assert count == 3
    assert [(row["reference"], row["days_overdue"], row["delay_reason"]) for row in listed] == [
        (most.reference, 55, ""),
        (middle.reference, 15, "Interpreter needed"),
        (a_day.reference, 1, "Waiting for the police"),
    ]
    assert [row["public_id"] for row in listed] == [most.public_id, middle.public_id, a_day.public_id]
    # Person-level rows carry no name or date of birth: only what the list shows.
    assert set(listed[0]) == {"public_id", "reference", "referral_date", "target_date", "delay_reason", "days_overdue"}


def test_only_the_most_overdue_are_listed_but_all_are_counted(panel, monkeypatch):
    monkeypatch.setattr(figures, "OVERDUE_LISTED", 2)
    for elapsed in (50, 70, 60):
        case(panel, referral_date=days_ago(elapsed), state=State.RG_PENDING)

    listed, count = figures.overdue_cases(panel, today=TODAY)

    assert ([row["days_overdue"] for row in listed], count) == ([25, 15], 3)


# --- The whole dashboard --------------------------------------------------------------------------------------------


def test_the_dashboard_has_every_table_once(panel):
    tables = figures.dashboard_tables(scope(panel), today=TODAY)

    assert [table.key for table in tables] == [
        "per_month",
        "exploitation",
        "gender",
        "age",
        "nationality",
        "first_responder",
        "where",
        "decisions",
        "reconsiderations",
        "transfers",
        "days_rg",
        "days_cg",
        "clock",
    ]
