"""The pages that list things make the same number of queries with 5 rows as with 50: no query per row."""

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from nrm_panel.models import Role
from referrals.models import Attachment, Referral, State
from tests.factories import ReferralFactory, SubmittedReferralFactory, member
from tests.referrals.test_intake_journey import PDF

pytestmark = pytest.mark.django_db


def queries_for(client, url, **query) -> int:
    client.get(url, query)  # warm the once-per-process caches (content types) so only the page is counted
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, query)
    assert response.status_code == 200
    return len(captured)


def add_referrals(panel, count, **kwargs):
    for index in range(count):
        factory = SubmittedReferralFactory if index % 2 == 0 or "referrer" not in kwargs else ReferralFactory
        factory(panel=panel, **kwargs)


def add_activity(case: Referral, count: int, uploaded_by):
    """`count` attachments, `count` changes to the case, and `count` possible duplicates."""
    for index in range(count):
        attachment = Attachment(
            referral=case,
            original_name=f"document-{index}.pdf",
            content_type="application/pdf",
            size=len(PDF),
            description=f"Document {index}",
            uploaded_by=uploaded_by,
        )
        attachment.file.save("upload", ContentFile(PDF), save=False)
        attachment._history_user = uploaded_by  # as when saved in a request: the timeline shows who
        attachment.save()
        case.first_name = f"Name{index}"
        case.account = f"Account version {index}"
        case._history_user = uploaded_by
        case.save()
        case.possible_duplicates.add(SubmittedReferralFactory(panel=case.panel, date_of_birth=case.date_of_birth))
    assert case.history.count() > count
    assert case.history.filter(history_user=uploaded_by).count() == count
    assert case.attachments.count() == count


@pytest.mark.parametrize("query", [{}, {"state": "open", "sort": "name"}, {"search": "Alex"}, {"clock": "green"}])
def test_list_for_a_coordinator_makes_the_same_queries_for_5_and_50_cases(query, client, panel, coordinator):
    client.force_login(coordinator)
    url = reverse("referrals:list")
    add_referrals(panel, 5)
    with_5 = queries_for(client, url, **query)

    add_referrals(panel, 45)
    with_50 = queries_for(client, url, **query)

    assert with_50 == with_5
    assert Referral.objects.filter(panel=panel).count() == 50


def test_list_for_a_referrer_makes_the_same_queries_for_5_and_50_referrals(client, panel, referrer):
    client.force_login(referrer)
    url = reverse("referrals:list")
    add_referrals(panel, 5, referrer=referrer)
    with_5 = queries_for(client, url)

    add_referrals(panel, 45, referrer=referrer)
    with_50 = queries_for(client, url)

    assert with_50 == with_5
    assert Referral.objects.filter(referrer=referrer).exclude(state=State.DRAFT).exists()
    assert Referral.objects.filter(referrer=referrer, state=State.DRAFT).exists()


def test_list_for_a_person_with_roles_on_two_panels_makes_the_same_queries_for_5_and_50(client, panel, other_panel):
    person = member(panel, Role.COORDINATOR)
    member(other_panel, Role.REFERRER, user=person)
    client.force_login(person)
    url = reverse("referrals:list")
    add_referrals(panel, 5)
    add_referrals(other_panel, 5, referrer=person)
    with_5 = queries_for(client, url)

    add_referrals(panel, 45)
    add_referrals(other_panel, 45, referrer=person)
    with_50 = queries_for(client, url)

    assert with_50 == with_5


@pytest.mark.parametrize("who", [Role.COORDINATOR, Role.CHAIR, Role.PANEL_MEMBER, "owner"])
def test_case_page_makes_the_same_queries_with_5_and_50_attachments_and_history_entries(
    who, client, panel, people, referrer
):
    few = SubmittedReferralFactory(panel=panel, referrer=referrer)
    many = SubmittedReferralFactory(panel=panel, referrer=referrer)
    add_activity(few, 5, referrer)
    add_activity(many, 50, referrer)
    client.force_login(referrer if who == "owner" else people[who])

    with_5 = queries_for(client, reverse("referrals:case", args=[few.public_id]))
    with_50 = queries_for(client, reverse("referrals:case", args=[many.public_id]))

    assert with_50 == with_5


def test_case_page_of_a_draft_makes_the_same_queries_with_5_and_50_attachments(client, panel, referrer):
    few = ReferralFactory(panel=panel, referrer=referrer)
    many = ReferralFactory(panel=panel, referrer=referrer)
    add_activity(few, 5, referrer)
    add_activity(many, 50, referrer)
    client.force_login(referrer)

    assert queries_for(client, reverse("referrals:case", args=[many.public_id])) == queries_for(
        client, reverse("referrals:case", args=[few.public_id])
    )


@pytest.mark.parametrize("name", ["evidence", "check"])
def test_referrer_pages_listing_evidence_make_the_same_queries_with_5_and_50_attachments(name, client, panel, referrer):
    few = ReferralFactory(panel=panel, referrer=referrer)
    many = ReferralFactory(panel=panel, referrer=referrer)
    add_activity(few, 5, referrer)
    add_activity(many, 50, referrer)
    client.force_login(referrer)

    assert queries_for(client, reverse(f"referrals:{name}", args=[many.public_id])) == queries_for(
        client, reverse(f"referrals:{name}", args=[few.public_id])
    )


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.AUDITOR])
def test_history_page_makes_the_same_queries_with_5_and_50_entries(role, client, panel, people, referrer):
    few = SubmittedReferralFactory(panel=panel, referrer=referrer)
    many = SubmittedReferralFactory(panel=panel, referrer=referrer)
    add_activity(few, 5, referrer)
    add_activity(many, 50, referrer)
    client.force_login(people[role])

    with_5 = queries_for(client, reverse("referrals:history", args=[few.public_id]))
    with_50 = queries_for(client, reverse("referrals:history", args=[many.public_id]))

    assert with_50 == with_5
