"""The case page: an anonymised case says so and shows nothing else of the child; the coordinator finds the
subject access export there (and the retention review, when the case is due), the designated nurse the health
part; nobody else sees either."""

import pytest
from django.urls import reverse

from nrm_panel.models import Role
from records.anonymisation import case_anonymise
from tests.factories import member
from tests.records.helpers import SECRETS, closed_case, review, years_ago

pytestmark = pytest.mark.django_db


def case_page(client, user, case) -> str:
    client.force_login(user)
    response = client.get(reverse("referrals:case", args=[case.public_id]))
    assert response.status_code == 200
    return response.content.decode()


def link(name: str, case) -> str:
    return f'href="{reverse(name, args=[case.public_id])}"'


def test_an_anonymised_case_shows_anonymised_instead_of_its_details(
    client, full_case, django_capture_on_commit_callbacks
):
    review(full_case.case, full_case.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        case_anonymise(referral=full_case.case)

    for user in (full_case.coordinator, full_case.nurse, full_case.sitting.chair):
        page = case_page(client, user, full_case.case)
        assert f"{full_case.case.reference}: Anonymised" in page
        assert 'data-testid="anonymised"' in page
        assert f"as {full_case.coordinator} decided" in page
        assert "Subject access export" not in page
        assert not [name for name, secret in SECRETS.items() if secret in page]
    assert 'data-testid="timeline"' in page  # what happened, and when, stays


def test_the_coordinator_finds_the_export_and_the_review_and_the_nurse_the_health_part(client, full_case):
    case = full_case.case
    coordinators = case_page(client, full_case.coordinator, case)
    nurses = case_page(client, full_case.nurse, case)
    chairs = case_page(client, full_case.sitting.chair, case)

    assert link("records:subject_access", case) in coordinators
    assert link("records:case_review", case) in coordinators
    assert link("records:health_subject_access", case) not in coordinators
    assert link("records:health_subject_access", case) in nurses
    assert link("records:subject_access", case) not in nurses
    assert "Subject access export" not in chairs and "retention decision" not in chairs


def test_a_case_not_yet_due_has_no_review_link(client, panel, people):
    case = closed_case(panel, closed_on=years_ago(2), referrer=people[Role.REFERRER])

    page = case_page(client, people[Role.COORDINATOR], case)

    assert link("records:subject_access", case) in page
    assert link("records:case_review", case) not in page


def test_the_navigation_links_the_review_for_coordinators_only(client, panel, people):
    client.force_login(people[Role.COORDINATOR])
    assert reverse("records:retention_review") in client.get(reverse("referrals:list")).content.decode()
    for role in (Role.CHAIR, Role.PANEL_MEMBER, Role.AUDITOR):
        client.force_login(people[role] if role != Role.PANEL_MEMBER else member(panel, role))
        assert reverse("records:retention_review") not in client.get(reverse("referrals:list")).content.decode()
