"""The case page timeline and the change history page: a draft is the referrer's own until it is
submitted, so what they typed and took back, or uploaded and removed, before then is never shown;
after submission every change is recorded, and the case page leaves out changes to the answers."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from nrm_panel.models import Role
from referrals import services
from referrals.forms import SECTIONS
from referrals.models import Attachment, Referral
from tests.factories import ReferralFactory
from tests.referrals.test_intake_journey import PDF

pytestmark = pytest.mark.django_db

HISTORY_READERS = [Role.COORDINATOR, Role.CHAIR, Role.AUDITOR]

CHILD = SECTIONS["child"].title
EXPLOITATION = SECTIONS["exploitation"].title
VOICE = SECTIONS["voice-of-the-child"].title

DRAFT_ONLY_NAME = "Draftonlyname"
DRAFT_ONLY_ACCOUNT = "Typed into the draft and taken back before submitting"
DRAFT_ONLY_FILE = "removed-while-drafting.pdf"
KEPT_FILE = "kept-statement.pdf"
RETURNED_PHASE_WISHES = "Changed after the case came back"


def upload(referral: Referral, user, name: str) -> Attachment:
    file = SimpleUploadedFile(name, PDF, content_type="application/pdf")
    return services.attachment_add(referral=referral, user=user, upload=file, description=f"About {name}")


def answer(referral: Referral, user, section: str, **changes) -> None:
    services.referral_update(referral=referral, user=user, changes=changes, section=section)


@pytest.fixture
def returned_case(panel, referrer, coordinator, django_capture_on_commit_callbacks):
    """A case drafted with second thoughts, submitted, returned, then changed by the coordinator and the referrer."""
    case = ReferralFactory(panel=panel, referrer=referrer, first_name="Casey", account="The account as submitted.")
    answer(case, referrer, CHILD, first_name=DRAFT_ONLY_NAME)
    answer(case, referrer, EXPLOITATION, account=DRAFT_ONLY_ACCOUNT)
    answer(case, referrer, CHILD, first_name="Casey")
    answer(case, referrer, EXPLOITATION, account="The account as submitted.")
    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_remove(attachment=upload(case, referrer, DRAFT_ONLY_FILE), user=referrer)
    upload(case, referrer, KEPT_FILE)
    services.referral_submit(referral=case, user=referrer, is_complete=True)

    services.referral_return(referral=case, user=coordinator, reason="Please add the police reference.")
    services.referral_record_police_notification(
        referral=case, user=coordinator, notified_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    answer(case, referrer, VOICE, child_wishes_and_feelings=RETURNED_PHASE_WISHES)
    return case


def timeline_of(page: str) -> str:
    return page[page.index('data-testid="timeline"') :]


@pytest.mark.parametrize("role", HISTORY_READERS)
def test_history_page_never_shows_what_the_referrer_typed_and_replaced_while_drafting(
    role, login, people, returned_case
):
    response = login(people[role]).get(reverse("referrals:history", args=[returned_case.public_id]))

    assert response.status_code == 200
    page = response.content.decode()
    assert DRAFT_ONLY_NAME not in page
    assert DRAFT_ONLY_ACCOUNT not in page
    assert f"Answers changed: {CHILD}" not in page
    assert f"Answers changed: {EXPLOITATION}" not in page
    assert "Referral submitted" in page


@pytest.mark.parametrize("role", HISTORY_READERS)
def test_evidence_removed_while_drafting_is_never_shown_by_name(role, login, people, returned_case):
    client = login(people[role])

    history = client.get(reverse("referrals:history", args=[returned_case.public_id])).content.decode()
    case_page = client.get(reverse("referrals:case", args=[returned_case.public_id])).content.decode()

    assert DRAFT_ONLY_FILE not in history
    assert DRAFT_ONLY_FILE not in case_page


@pytest.mark.parametrize("role", HISTORY_READERS)
def test_history_shows_evidence_present_at_submission(role, login, people, returned_case):
    history = login(people[role]).get(reverse("referrals:history", args=[returned_case.public_id])).content.decode()

    assert f"Evidence uploaded: {KEPT_FILE}" in history


@pytest.mark.parametrize("role", HISTORY_READERS)
def test_answers_changed_after_return_are_in_the_history_but_not_the_case_timeline(role, login, people, returned_case):
    client = login(people[role])

    history = client.get(reverse("referrals:history", args=[returned_case.public_id])).content.decode()
    timeline = timeline_of(client.get(reverse("referrals:case", args=[returned_case.public_id])).content.decode())

    assert f"Answers changed: {VOICE}" in history
    assert RETURNED_PHASE_WISHES in history
    assert "Answers changed" not in timeline
    assert "Police notified on" in timeline
    assert "Returned for more information: Please add the police reference." in timeline


@pytest.mark.parametrize("role", HISTORY_READERS)
def test_case_timeline_shows_no_draft_phase_answers_or_evidence(role, login, people, returned_case):
    page = login(people[role]).get(reverse("referrals:case", args=[returned_case.public_id])).content.decode()
    timeline = timeline_of(page)

    assert DRAFT_ONLY_NAME not in page
    assert DRAFT_ONLY_ACCOUNT not in page
    assert "Answers changed" not in timeline
    assert DRAFT_ONLY_FILE not in timeline
    assert f"Evidence uploaded: {KEPT_FILE}" in timeline
