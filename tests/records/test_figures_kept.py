"""Anonymising keeps every figure the reports give: the dashboard's tables (counts by outcome, age band at
referral, gender, nationality, type of exploitation, transfers and why, days to decisions) and the data
return's rows are the same before and after, for cases whose dates of birth test every edge of the age bands."""

import datetime

import pytest

from records.anonymisation import case_anonymise
from records.models import Anonymisation
from referrals.models import ExploitationType, Gender, Referral, State
from reporting import data_return, figures
from tests.records.helpers import closed_case, review, today, years_ago

pytestmark = pytest.mark.django_db

CLOSED_ON = years_ago(8)


def reports(panel) -> tuple:
    since = datetime.date(2010, 1, 1)
    scope = figures.Scope(panels=[panel], date_from=since, date_to=today())
    tables = figures.dashboard_tables(scope, today=today())
    rows = list(data_return.data_return_rows([panel], since, today()))
    return tables, rows


def edge_cases(panel) -> list[Referral]:
    def case(referral_date, date_of_birth, **fields):
        return closed_case(
            panel, closed_on=CLOSED_ON, referral_date=referral_date, date_of_birth=date_of_birth, **fields
        )

    return [
        case(datetime.date(2017, 3, 2), datetime.date(2005, 3, 2)),  # 12 on the day
        case(datetime.date(2017, 3, 2), datetime.date(2005, 3, 3), gender=Gender.FEMALE),  # 11, a day short of 12
        case(datetime.date(2016, 2, 29), datetime.date(2000, 2, 29), nationality="Albanian"),  # 16, born 29 Feb
        case(datetime.date(2017, 6, 1), datetime.date(1999, 6, 2), state=State.TRANSFERRED),  # 18 tomorrow
        case(datetime.date(2017, 6, 1), datetime.date(1999, 8, 20), state=State.TRANSFERRED),  # within 100 days
        case(datetime.date(2017, 6, 1), datetime.date(1999, 9, 15), state=State.TRANSFERRED),  # 101 days to go
        case(datetime.date(2017, 6, 1), datetime.date(1998, 1, 1), state=State.TRANSFERRED, is_adult=True),
        case(datetime.date(2017, 6, 1), datetime.date(1998, 1, 1), state=State.TRANSFERRED, is_age_disputed=True),
        case(datetime.date(2017, 6, 1), None, estimated_age=16, is_age_disputed=True, state=State.TRANSFERRED),
        case(datetime.date(2017, 6, 1), None, estimated_age=None, state=State.WITHDRAWN),
        case(datetime.date(2017, 6, 1), datetime.date(2018, 1, 1)),  # born after the referral: age not known
        case(
            datetime.date(2018, 1, 31),
            datetime.date(2003, 12, 31),
            exploitation_types=[ExploitationType.SEXUAL, ExploitationType.LABOUR],
            nationality="Vietnamese",
            days_to_rg=40,
            days_to_cg=44,
        ),
    ]


def test_every_report_gives_the_same_figures_before_and_after(panel, coordinator, full_case):
    cases = [*edge_cases(panel), full_case.case]
    before = reports(panel)

    for case in cases:
        review(case, coordinator)
        case_anonymise(referral=case)

    assert Anonymisation.objects.count() == len(cases)
    assert not Referral.objects.filter(pk__in=[case.pk for case in cases]).exclude(first_name="").exists()
    after = reports(panel)
    assert after[1] == before[1]  # the data return, row by row
    assert after[0] == before[0]  # every table of the dashboard
    assert len(before[1]) == len(cases)
