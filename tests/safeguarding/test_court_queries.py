"""The proceedings' page and the case page make the same number of queries with 1 hearing, letter version and
record of sending (or 1 set of proceedings) as with 8: nothing is read once per row."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from decisions import letters
from nrm_panel.models import Role
from safeguarding.services import court
from tests.safeguarding.court_helpers import decided_case, proceeding_fields

pytestmark = pytest.mark.django_db

FEW, MANY = 1, 8


def queries_for(client, url) -> int:
    client.get(url)  # warm the once-per-process caches (content types) so that only the page is counted
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def counts(client, viewers: dict, url) -> dict:
    result = {}
    for name, user in viewers.items():
        client.force_login(user)
        result[name] = queries_for(client, url)
    return result


def viewers(sitting, people) -> dict:
    return {
        "coordinator": sitting.coordinator,
        "chair": sitting.chair,
        "panel_member": sitting.police,
        "designated_nurse": sitting.health,
        "auditor": people[Role.AUDITOR],
    }


def worked_proceeding(sitting, case, n: int, **fields):
    """Proceedings with `n` hearings, `n` versions of their letter (the first rendered) and `n` records of sending."""
    coordinator = sitting.coordinator
    proceeding = court.proceeding_record(referral=case, user=coordinator, **proceeding_fields(**fields))
    today = timezone.localdate()
    for day in range(n):
        court.hearing_add(
            proceeding=proceeding, user=coordinator, date=today + datetime.timedelta(days=day * 7 - 7), purpose="Trial"
        )
    letter = court.defence_summary_issue(proceeding=proceeding, user=coordinator)
    letters.letter_render(letter.pk)
    letter.refresh_from_db()
    for each in range(n):
        court.letter_sent_record(
            proceeding=proceeding,
            user=coordinator,
            letter=letter,
            sent_on=today,
            method="post",
            recipient=f"Recipient {each}",
        )
    for version in range(n - 1):
        court.defence_summary_correct(proceeding=proceeding, user=coordinator, reason=f"Correction {version}")
    return proceeding


def test_the_proceedings_page_reads_the_same_for_few_and_many_rows(client, sitting, steps, people):
    few = worked_proceeding(sitting, decided_case(sitting, steps), FEW)
    many = worked_proceeding(sitting, decided_case(sitting, steps, first_name="Bilal"), MANY)
    assert many.hearings.count() == MANY and many.letters_sent.count() == MANY
    assert court.defence_summary_letters(many).count() == MANY

    with_few = counts(client, viewers(sitting, people), reverse("safeguarding:proceeding", args=[few.public_id]))
    with_many = counts(client, viewers(sitting, people), reverse("safeguarding:proceeding", args=[many.public_id]))

    assert with_many == with_few


def test_the_case_page_reads_the_same_for_few_and_many_proceedings(client, sitting, steps, people):
    few_case = decided_case(sitting, steps)
    many_case = decided_case(sitting, steps, first_name="Bilal")
    worked_proceeding(sitting, few_case, FEW)
    for each in range(MANY):
        worked_proceeding(sitting, many_case, 2, court=f"Court {each}")
    assert many_case.court_proceedings.count() == MANY

    with_few = counts(client, viewers(sitting, people), reverse("referrals:case", args=[few_case.public_id]))
    with_many = counts(client, viewers(sitting, people), reverse("referrals:case", args=[many_case.public_id]))

    assert with_many == with_few
