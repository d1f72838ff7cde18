"""The retention review: which closed cases are listed (their panel's period passed, not kept to a later date,
not anonymised), to whom, in how many queries; the coordinator's decision on each, and every bad answer
refused with a message next to it, changing nothing."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from nrm_panel.models import Role
from records.anonymisation import case_anonymise
from records.models import KeepReason, RetentionDecision, RetentionReview
from records.selectors import retention_review_list
from referrals.models import State
from safeguarding.models import CourtProceeding
from tests.decisions.http_helpers import TO_LOGIN, outcome, request_as
from tests.factories import PanelFactory, member
from tests.records.helpers import closed_case, review, today, years_ago
from tests.safeguarding.support_helpers import assert_refused, day_fields

pytestmark = pytest.mark.django_db


def listed(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("records:retention_review"))
    assert response.status_code == 200
    return response.content.decode()


def references_in(page: str, cases) -> list[str]:
    """The references of `cases` in the order the page shows them."""
    found = [(page.find(f">{case.reference}<"), case.reference) for case in cases]
    return [reference for position, reference in sorted(found) if position != -1]


def proceedings_on(case, user, status="ongoing") -> CourtProceeding:
    return CourtProceeding.objects.create(
        referral=case,
        charge="Possession",
        court="Bromley Youth Court",
        status=status,
        solicitor_name="Priya Shah",
        solicitor_firm="Example Defence LLP",
        solicitor_address="12 Chancery Row",
        recorded_by=user,
    )


@pytest.fixture
def cases(panel):
    """Cases of our panel (which keeps closed cases for 6 years) in every relation to its retention period."""
    return {
        "closed_10_years_ago": closed_case(panel, closed_on=years_ago(10)),
        "closed_7_years_ago": closed_case(panel, closed_on=years_ago(7)),
        "withdrawn_8_years_ago": closed_case(panel, closed_on=years_ago(8), state=State.WITHDRAWN),
        "transferred_6_years_ago_today": closed_case(panel, closed_on=years_ago(6), state=State.TRANSFERRED),
        "closed_6_years_ago_tomorrow": closed_case(panel, closed_on=years_ago(6) + datetime.timedelta(days=1)),
        "closed_last_year": closed_case(panel, closed_on=years_ago(1)),
        "open_since_8_years": closed_case(panel, closed_on=years_ago(8), state=State.RG_PENDING),
    }


def test_closed_withdrawn_and_transferred_cases_past_the_period_are_listed_longest_closed_first(
    client, coordinator, cases
):
    page = listed(client, coordinator)

    assert references_in(page, cases.values()) == [
        cases["closed_10_years_ago"].reference,
        cases["withdrawn_8_years_ago"].reference,
        cases["closed_7_years_ago"].reference,
        cases["transferred_6_years_ago_today"].reference,
    ]
    assert f"{years_ago(10):%-d %b %Y}" in page  # closed
    assert f"{years_ago(4):%-d %b %Y}" in page  # due for review: closed + 6 years
    assert "4 cases to review" in page


def test_each_panel_keeps_closed_cases_for_its_own_period(client, panel, coordinator):
    quick = PanelFactory(code="QCK", retention_years=2)
    member(quick, Role.COORDINATOR, user=coordinator)
    ours = closed_case(panel, closed_on=years_ago(3))
    theirs = closed_case(quick, closed_on=years_ago(3))

    page = listed(client, coordinator)

    assert references_in(page, [ours, theirs]) == [theirs.reference]
    assert "QCK" in page


def test_another_panels_coordinator_sees_none_of_ours(client, cases):
    other = PanelFactory(code="OTH")
    theirs = closed_case(other, closed_on=years_ago(9))
    outsider = member(other, Role.COORDINATOR)

    page = listed(client, outsider)

    assert references_in(page, [*cases.values(), theirs]) == [theirs.reference]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.COORDINATOR, 200),
        (Role.CHAIR, 200),
        (Role.PANEL_MEMBER, 403),
        (Role.DESIGNATED_NURSE, 403),
        (Role.AUDITOR, 403),
        (Role.REFERRER, 403),
        (Role.ADMINISTRATOR, 403),
        (None, TO_LOGIN),
    ],
)
def test_the_list_is_for_the_panels_coordinators_and_chairs(client, people, cases, role, expected):
    user = people[role] if role else None

    response = request_as(client, user, "get", reverse("records:retention_review"))

    assert outcome(response) == expected
    if expected == 200:
        page = response.content.decode()
        assert cases["closed_10_years_ago"].reference in page
        assert ("Record a decision" in page) == (role == Role.COORDINATOR)


def test_ongoing_court_proceedings_are_flagged(client, coordinator, cases):
    proceedings_on(cases["closed_7_years_ago"], coordinator)
    proceedings_on(cases["closed_10_years_ago"], coordinator, status="concluded")

    page = listed(client, coordinator)

    assert page.count('data-testid="proceedings-flag"') == 1
    row = page[page.find(cases["closed_7_years_ago"].reference) :]
    assert row.find("Court proceedings ongoing") < row.find("</tr>")


def test_a_kept_case_comes_back_on_its_date_and_an_anonymised_one_never(client, coordinator, cases):
    kept, to_anonymise = cases["closed_10_years_ago"], cases["closed_7_years_ago"]
    keep = review(
        kept,
        coordinator,
        decision=RetentionDecision.KEEP,
        keep_until=today() + datetime.timedelta(days=1),
        keep_reason=KeepReason.COMPLAINT,
    )
    review(to_anonymise, coordinator)

    page = listed(client, coordinator)
    assert kept.reference not in page
    assert "To be anonymised" in page

    RetentionReview.objects.filter(pk=keep.pk).update(keep_until=today())
    page = listed(client, coordinator)
    assert kept.reference in page
    assert "Was kept until" in page

    case_anonymise(referral=to_anonymise)
    assert to_anonymise.reference not in listed(client, coordinator)


def test_the_list_takes_the_same_queries_for_one_case_as_for_eight(client, panel, coordinator):
    def queries() -> int:
        client.force_login(coordinator)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("records:retention_review")).status_code == 200
        return len(captured)

    first = closed_case(panel, closed_on=years_ago(9))
    review(first, coordinator, decision=RetentionDecision.KEEP, keep_until=today(), keep_reason=KeepReason.OTHER)
    proceedings_on(first, coordinator)
    one = queries()
    for number in range(7):
        case = closed_case(panel, closed_on=years_ago(8, days=number), state=State.WITHDRAWN)
        review(case, member(panel, Role.COORDINATOR))
        proceedings_on(case, coordinator)
    assert retention_review_list(coordinator, today=today()).count() == 8

    assert queries() == one


# A decision on one case


def review_url(case) -> str:
    return reverse("records:case_review", args=[case.public_id])


def keep_answers(**changes) -> dict:
    answers = {
        "decision": "keep",
        **day_fields("keep_until", today() + datetime.timedelta(days=365)),
        "keep_reason": "court_proceedings",
        "details": "",
    }
    return answers | changes


def test_the_coordinator_decides_to_anonymise(client, coordinator, cases):
    case = cases["closed_7_years_ago"]
    client.force_login(coordinator)

    assert client.get(review_url(case)).status_code == 200
    response = client.post(review_url(case), {"decision": "anonymise"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("records:retention_review")
    assert f"{case.reference} will be anonymised" in response.content.decode()
    (recorded,) = RetentionReview.objects.filter(referral=case)
    assert (recorded.decision, recorded.keep_until, recorded.reviewed_by) == ("anonymise", None, coordinator)


def test_the_coordinator_keeps_a_case_with_a_date_and_a_reason(client, coordinator, cases):
    case = cases["closed_7_years_ago"]
    client.force_login(coordinator)

    response = client.post(review_url(case), keep_answers(details="Appeal lodged"))

    assert response.status_code == 302
    (recorded,) = RetentionReview.objects.filter(referral=case)
    assert recorded.keep_until == today() + datetime.timedelta(days=365)
    assert (recorded.keep_reason, recorded.details) == ("court_proceedings", "Appeal lodged")
    assert references_in(listed(client, coordinator), [case]) == []


def test_a_double_click_records_one_review(client, coordinator, cases):
    case = cases["closed_7_years_ago"]
    client.force_login(coordinator)

    client.post(review_url(case), {"decision": "anonymise"})
    client.post(review_url(case), {"decision": "anonymise"})

    assert RetentionReview.objects.filter(referral=case).count() == 1


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({}, "decision", "Select an answer"),
        ({"decision": "shred"}, "decision", "Select one of the answers shown"),
        (keep_answers(keep_until_0="", keep_until_1="", keep_until_2=""), "keep_until", "Enter the date to keep"),
        (keep_answers(**day_fields("keep_until", today())), "keep_until", "must be in the future"),
        (keep_answers(keep_until_0="31", keep_until_1="2", keep_until_2="2031"), "keep_until", "Enter a real date"),
        (keep_answers(keep_until_2="10000000000000000000000"), "keep_until", "Enter a real date"),
        (
            keep_answers(**day_fields("keep_until", today() + datetime.timedelta(days=365 * 21))),
            "keep_until",
            "at most 20 years",
        ),
        (keep_answers(keep_reason=""), "keep_reason", "Select why the case is kept"),
        (keep_answers(keep_reason="because"), "keep_reason", "Select one of the answers shown"),
        (keep_answers(keep_reason="other"), "details", "Say why the case is kept"),
        (keep_answers(details="x" * 2001), "details", "2000 characters or fewer"),
    ],
)
def test_bad_answers_are_refused_next_to_the_answer_and_change_nothing(
    client, coordinator, cases, answers, field, message
):
    client.force_login(coordinator)

    response = client.post(review_url(cases["closed_7_years_ago"]), answers)

    assert_refused(response, message, field=field)
    assert not RetentionReview.objects.exists()


def test_anonymising_a_case_with_ongoing_proceedings_is_refused(client, coordinator, cases):
    case = cases["closed_7_years_ago"]
    proceedings_on(case, coordinator)
    client.force_login(coordinator)

    page = client.get(review_url(case)).content.decode()
    response = client.post(review_url(case), {"decision": "anonymise"})

    assert 'data-testid="proceedings-warning"' in page
    assert_refused(response, "proceedings on this case are recorded as ongoing", field="decision")
    assert client.post(review_url(case), keep_answers()).status_code == 302


@pytest.mark.parametrize(
    ("which", "message"),
    [
        ("open_since_8_years", "only a closed, withdrawn or transferred case"),
        ("closed_6_years_ago_tomorrow", "not due for review yet"),
        ("closed_last_year", "not due for review yet"),
    ],
)
def test_a_case_that_is_not_due_cannot_be_reviewed(client, coordinator, cases, which, message):
    client.force_login(coordinator)

    for response in (
        client.get(review_url(cases[which])),
        client.post(review_url(cases[which]), {"decision": "anonymise"}),
    ):
        assert_refused(response, message, status=409)
    assert not RetentionReview.objects.exists()


def test_an_anonymised_case_cannot_be_reviewed_again(client, coordinator, cases):
    case = cases["closed_7_years_ago"]
    review(case, coordinator)
    case_anonymise(referral=case)
    client.force_login(coordinator)

    assert_refused(client.post(review_url(case), keep_answers()), "already been anonymised", status=409)


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("coordinator", 200),
        ("chair", 403),
        ("panel_member", 403),
        ("designated_nurse", 403),
        ("auditor", 403),
        ("referrer", 404),
        ("administrator", 404),
        ("other_panel", 404),
        ("anonymous", TO_LOGIN),
    ],
)
def test_only_the_panels_coordinator_records_a_decision(client, people, cases, actor, expected):
    case = cases["closed_7_years_ago"]
    other = PanelFactory(code="OTH")
    actors = {role.value: user for role, user in people.items()} | {
        "other_panel": member(other, Role.COORDINATOR),
        "anonymous": None,
    }
    case.referrer = people[Role.REFERRER]
    case.save()

    got = outcome(request_as(client, actors[actor], "get", review_url(case)))
    posted = outcome(request_as(client, actors[actor], "post", review_url(case), {"decision": "anonymise"}))

    assert (got, posted) == (expected, 302 if expected == 200 else expected)
    assert RetentionReview.objects.filter(referral=case).exists() == (actor == "coordinator")


def test_a_bad_case_id_is_a_404(client, coordinator):
    client.force_login(coordinator)

    assert client.get("/records/cases/not-a-uuid/review/").status_code == 404
    assert client.get("/records/cases/00000000-0000-0000-0000-000000000000/review/").status_code == 404


@pytest.mark.parametrize("page", ["abc", "-1", "0", "99999999999999999999999", "1e999", ""])
def test_a_bad_page_number_shows_a_page_of_the_list(client, coordinator, cases, page):
    client.force_login(coordinator)

    response = client.get(reverse("records:retention_review"), {"page": page})

    assert response.status_code == 200
    assert cases["closed_10_years_ago"].reference in response.content.decode()
