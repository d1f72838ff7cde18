"""The data return's rows: one per submitted case of the chosen panels referred in the dates, read by one query,
with the age as a band, the latest signed RG and CG, the reconsideration, and a pseudonymous id for the case."""

import datetime

import pytest

from nrm_panel.models import Role
from referrals.ages import age_on
from referrals.models import Referral
from reporting.ages import AGE_NOT_KNOWN, age_band, age_band_conditions
from reporting.data_return import (
    COLUMN_NAMES,
    data_return_rows,
    pseudonymous_id,
    recent_exports,
)
from reporting.services import report_export_record
from tests.decisions import conftest as decision_fixtures
from tests.factories import RgPendingReferralFactory, member
from tests.reporting.data_return_world import build_world

pytestmark = pytest.mark.django_db

sitting, steps = decision_fixtures.sitting, decision_fixtures.steps


@pytest.fixture
def world(sitting, steps, other_panel):
    return build_world(sitting, steps, other_panel)


def rows_of(panels, world) -> list[dict]:
    return list(data_return_rows(panels, world.date_from, world.date_to))


def plain(case, **columns) -> dict:
    """The row of a case awaiting its RG, made by the factory, with `columns` changed."""
    return {
        "pseudonymous_id": pseudonymous_id(case.public_id),
        "panel": case.panel.code,
        "referral_month": f"{case.referral_date:%Y-%m}",
        "age_band": "14 to 15",
        "age_disputed": "no",
        "gender": "male",
        "nationality": "British",
        "second_nationality": "",
        "exploitation_types": "county_lines",
        "exploited_in": "uk",
        "first_responder_organisation_type": "local_authority",
        "looked_after_status": "looked_after",
        "state": "rg_pending",
        "rg_outcome": "",
        "rg_decided_on": "",
        "days_to_rg": "",
        "cg_outcome": "",
        "cg_decided_on": "",
        "days_to_cg": "",
        "reconsideration_requested": "no",
        "reconsideration_status": "",
        "transferred_to_sca": "no",
    } | columns


def test_each_submitted_case_of_the_panel_in_the_dates_is_one_exact_row(world, panel, steps):
    today, forty_days_ago = steps.day(0).isoformat(), steps.day(-40).isoformat()
    cases = world.cases
    expected = [
        plain(cases["eleven"], age_band="Under 12"),
        plain(cases["twelve"], age_band="12 to 13"),
        plain(cases["seventeen"], age_band="16 to 17", age_disputed="yes"),
        plain(cases["eighteen"], age_band="18 or over"),
        plain(cases["estimated"], age_band="14 to 15", age_disputed=""),
        plain(
            cases["not_known"],
            age_band="Not known",
            gender="female",
            second_nationality="Eritrean",
            exploitation_types="sexual;labour",
            exploited_in="both",
            first_responder_organisation_type="police",
            looked_after_status="none",
        ),
        plain(
            cases["decided"],
            state="cg_positive",
            rg_outcome="positive",
            rg_decided_on=today,
            days_to_rg=20,
            cg_outcome="positive",
            cg_decided_on=today,
            days_to_cg=20,
        ),
        plain(
            cases["requested"],
            state="reconsideration",
            rg_outcome="negative",
            rg_decided_on=forty_days_ago,
            days_to_rg=5,
            reconsideration_requested="yes",
            reconsideration_status="requested",
        ),
        # The re-decision is the latest RG; the days to RG stay those of the first.
        plain(
            cases["reconsidered"],
            state="cg_pending",
            rg_outcome="positive",
            rg_decided_on=today,
            days_to_rg=5,
            reconsideration_requested="yes",
            reconsideration_status="decided",
        ),
        plain(cases["deferred"], state="on_agenda"),
        plain(cases["unsigned"], state="on_agenda"),
        plain(cases["transferred"], state="transferred", age_band="16 to 17", transferred_to_sca="yes"),
        plain(cases["first_day"]),
        plain(cases["last_day"]),
    ]

    rows = rows_of([panel], world)

    assert all(list(row) == COLUMN_NAMES for row in rows)
    by_id = sorted(rows, key=lambda row: row["pseudonymous_id"])
    assert by_id == sorted(expected, key=lambda row: row["pseudonymous_id"])
    assert [row["referral_month"] for row in rows] == sorted(row["referral_month"] for row in rows)


def test_the_rows_are_read_by_one_query(world, panel, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = rows_of([panel], world)
    assert len(rows) == len(world.cases)


def test_another_panels_cases_are_only_in_its_own_return(world, panel, other_panel):
    theirs = pseudonymous_id(world.left_out["other_panel"].public_id)

    assert theirs not in {row["pseudonymous_id"] for row in rows_of([panel], world)}
    assert {row["pseudonymous_id"] for row in rows_of([other_panel], world)} == {theirs}
    both = rows_of([panel, other_panel], world)
    assert len(both) == len(world.cases) + 1
    assert {row["panel"] for row in both} == {"LEW", "OTH"}


def test_drafts_and_cases_referred_outside_the_dates_are_left_out(world, panel):
    ids = {row["pseudonymous_id"] for row in rows_of([panel], world)}

    assert pseudonymous_id(world.left_out["draft"].public_id) not in ids
    assert pseudonymous_id(world.left_out["before_the_range"].public_id) not in ids
    assert pseudonymous_id(world.cases["first_day"].public_id) in ids
    assert pseudonymous_id(world.cases["last_day"].public_id) in ids


def test_the_pseudonymous_id_is_stable_distinct_and_keyed_by_the_secret_key(world, panel, settings):
    first = [row["pseudonymous_id"] for row in rows_of([panel], world)]
    again = [row["pseudonymous_id"] for row in rows_of([panel], world)]

    assert first == again
    assert len(set(first)) == len(first)
    assert all(len(each) == 16 and int(each, 16) >= 0 for each in first)
    for case in world.cases.values():
        assert pseudonymous_id(case.public_id) not in (case.reference, str(case.public_id), case.public_id.hex)

    settings.SECRET_KEY = "another-secret-key-" + "x" * 50
    assert not set(first) & {row["pseudonymous_id"] for row in rows_of([panel], world)}


@pytest.mark.parametrize("years", [0, 11, 12, 13, 14, 15, 16, 17, 18, 25])
@pytest.mark.parametrize("days", [-1, 0, 1])
def test_age_bands_in_python_and_in_the_database_agree(panel, years, days):
    """The data return's age_band(age_on(...)) and the dashboard's conditions, either side of each birthday."""
    referral_date = datetime.date(2026, 3, 1)
    born = referral_date.replace(year=referral_date.year - years) + datetime.timedelta(days=days)
    case = RgPendingReferralFactory(panel=panel, referral_date=referral_date, date_of_birth=born)
    in_database = [
        band for band, condition in age_band_conditions() if Referral.objects.filter(condition, pk=case.pk).exists()
    ]
    expected = age_band(age_on(born, referral_date)) if born <= referral_date else AGE_NOT_KNOWN
    assert in_database == [expected]


@pytest.mark.parametrize(
    ("estimated_age", "band"), [(None, AGE_NOT_KNOWN), (11, "Under 12"), (12, "12 to 13"), (18, "18 or over")]
)
def test_an_estimated_age_is_banded_where_there_is_no_date_of_birth(panel, estimated_age, band):
    case = RgPendingReferralFactory(panel=panel, date_of_birth=None, estimated_age=estimated_age)
    in_database = [
        b for b, condition in age_band_conditions() if Referral.objects.filter(condition, pk=case.pk).exists()
    ]
    assert in_database == [band] == [age_band(estimated_age)]


@pytest.mark.parametrize(
    ("referral_date", "band"),
    [(datetime.date(2026, 2, 28), "16 to 17"), (datetime.date(2026, 3, 1), "18 or over")],
)
def test_a_child_born_on_29_february_turns_18_on_1_march_as_elsewhere_in_the_app(panel, referral_date, band):
    born = datetime.date(2008, 2, 29)
    RgPendingReferralFactory(panel=panel, referral_date=referral_date, date_of_birth=born)

    [row] = data_return_rows([panel], referral_date, referral_date)

    assert row["age_band"] == band == age_band(age_on(born, referral_date))


def test_recent_exports_are_those_of_the_panels_only_newest_first(panel, other_panel, django_assert_num_queries):
    coordinator = member(panel, Role.COORDINATOR)
    day = datetime.date(2026, 4, 1)

    def export(*panels):
        return report_export_record(
            user=coordinator, panels=panels, date_from=day, date_to=day, format="csv", row_count=1
        )

    ours, theirs, both = export(panel), export(other_panel), export(panel, other_panel)

    with django_assert_num_queries(1):
        listed = recent_exports([panel])
        assert [each.exported_by for each in listed] == [coordinator]
    # One that also held the other panel's cases is not shown to someone of ours alone.
    assert listed == [ours]
    assert recent_exports([panel, other_panel]) == [both, theirs, ours]
    assert recent_exports([other_panel.pk]) == [theirs]
    assert recent_exports([]) == []
