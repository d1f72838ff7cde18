"""A health information request in a real browser: the designated nurse drafts and sends it from the case page, the
provider opens the emailed link in a browser with no account and no cookies and answers it (once: the link is then
used), and the nurse reads the answer and its document on the case. A tampered link is refused with its own page."""

import datetime
import time

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from nrm_panel.models import Role
from safeguarding.models import HealthInformationRequest, HealthRequestState
from safeguarding.services import health
from tests.browser.helpers import choose, expect_success, fill, fill_date, sign_in
from tests.factories import RgPendingReferralFactory
from tests.safeguarding.conftest import link_in, request_fields

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PROVIDER = "Lewisham Sexual Health Clinic"
QUESTIONS = "Attendances since January 2024, and any disclosures made to clinic staff."
ANSWER = "Seen three times since March; attended with an older male each time."


def provider_email(to: str, *, seconds: float = 5.0):
    """The email carrying the provider's link. The live server sends it in its own thread, after the commit."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        sent = [message for message in mail.outbox if message.to == [to]]
        if sent:
            return sent[-1]
        time.sleep(0.05)
    raise AssertionError(f"No email to {to}: {[m.to for m in mail.outbox]}")


def test_the_nurse_sends_a_request_whose_link_shows_the_provider_the_child_and_the_questions(
    new_page, panel, people, referrer, screenshot
):
    case = RgPendingReferralFactory(panel=panel, referrer=referrer, first_name="Amara", last_name="Okafor")
    nurse = people[Role.DESIGNATED_NURSE]
    due = timezone.localdate() + datetime.timedelta(days=14)

    # The nurse drafts the request from the case page, then sends it.
    page = new_page()
    sign_in(page, nurse)
    page.goto("/referrals/")
    page.get_by_role("link", name=case.reference, exact=True).click()
    expect(page.get_by_role("heading", name="Health information")).to_be_visible()
    expect(page.get_by_text("No health information has been requested.")).to_be_visible()
    page.get_by_role("link", name="Request health information").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request health information")
    page.get_by_label("Kind of health provider", exact=True).select_option(label="Sexual health service")
    fill(page, "Provider", PROVIDER)
    fill(page, "Contact name", "Dr Ada Okoye")
    fill(page, "Contact email address", "clinic.lead@nhs.net")
    fill(page, "What do you want to know?", QUESTIONS)
    choose(page, "Legal basis for sharing", "Children Act 1989, section 47 (child protection enquiries)")
    fill_date(page, "Respond by", due)
    page.get_by_role("button", name="Save as draft").click()
    expect_success(page, "The request is saved as a draft.")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Health information request to {PROVIDER}")
    expect(page.get_by_test_id("request-state")).to_have_text("Draft")
    expect(page.get_by_test_id("questions")).to_have_text(QUESTIONS)
    page.get_by_role("button", name="Send the request").click()
    expect_success(page, "The request is sent: clinic.lead@nhs.net is emailed a link to answer it.")
    expect(page.get_by_test_id("request-state")).to_have_text("Sent")
    expect(page.get_by_role("button", name="Send the request")).to_have_count(0)
    screenshot(page, "60-health-request-sent")
    request = HealthInformationRequest.objects.get(referral=case)
    assert (request.provider_name, request.questions, request.due_date) == (PROVIDER, QUESTIONS, due)

    message = provider_email("clinic.lead@nhs.net")
    assert "Amara" not in message.body and "Okafor" not in message.body
    path = link_in(message)

    # The provider opens the link with no account: a new browser context, no cookies.
    provider = new_page()
    assert provider.context.cookies() == []
    provider.goto(path)
    expect(provider.get_by_role("heading", level=1)).to_have_text("Request for health information")
    expect(provider.get_by_test_id("child")).to_contain_text("Amara Okafor")
    expect(provider.get_by_test_id("questions")).to_have_text(QUESTIONS)
    expect(provider.get_by_role("button", name="Send the response")).to_be_visible()
    screenshot(provider, "61-health-provider-link")

    # A tampered link is refused, and shows nothing of the child.
    prefix, token = path.rstrip("/").rsplit("/", 1)
    provider.goto(f"{prefix}/{token[:-1]}{'A' if token[-1] != 'A' else 'B'}/")
    expect(provider.get_by_role("heading", name="This link is not valid")).to_be_visible()
    expect(provider.get_by_role("main")).not_to_contain_text("Amara")


def test_the_provider_answers_once_through_the_link_and_the_nurse_reads_the_answer(new_page, panel, people, referrer):
    case = RgPendingReferralFactory(panel=panel, referrer=referrer, first_name="Amara", last_name="Okafor")
    nurse = people[Role.DESIGNATED_NURSE]
    request = health.health_request_create(
        referral=case, user=nurse, **request_fields(provider_name=PROVIDER, contact_email="clinic.lead@nhs.net")
    )
    health.health_request_send(request=request, user=nurse)  # emailed after the commit, by the eager worker
    path = link_in(provider_email("clinic.lead@nhs.net"))

    provider = new_page()
    provider.goto(path)
    fill(provider, "Your name, role and organisation", "Dr Ada Okoye, lead clinician, Lewisham Sexual Health")
    fill(provider, "Response", ANSWER)
    provider.get_by_label("Documents", exact=True).set_input_files(
        files=[{"name": "clinic-summary.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    with provider.expect_response(lambda response: response.request.method == "POST") as posted:
        provider.get_by_role("button", name="Send the response").click()
    assert posted.value.status == 302, f"the provider's response was refused: {posted.value.status}"
    expect(provider.get_by_role("heading", name="Response sent")).to_be_visible()
    expect(provider.get_by_role("main")).not_to_contain_text("Amara")
    # The link is used: a reload sends nothing and shows nothing of the child.
    provider.reload()
    expect(provider.get_by_role("heading", name="Response sent")).to_be_visible()
    expect(provider.get_by_role("button", name="Send the response")).to_have_count(0)
    request.refresh_from_db()
    assert request.state == HealthRequestState.RECEIVED and request.response_text == ANSWER

    # The nurse sees the request received on the case page, and its answer and document on the request's page.
    page = new_page()
    sign_in(page, nurse)
    page.goto(f"/referrals/{case.public_id}/")
    requests = page.get_by_test_id("health-requests")
    expect(requests.locator("tbody tr")).to_have_count(1)
    expect(requests).to_contain_text("Received")
    expect(requests).to_contain_text("1 document")
    requests.get_by_role("link", name=PROVIDER).click()
    expect(page.get_by_test_id("request-state")).to_have_text("Received")
    expect(page.get_by_test_id("response")).to_have_text(ANSWER)
    document = page.get_by_test_id("documents").get_by_role("link", name="clinic-summary.pdf")
    with page.expect_download() as started:
        document.click()
    download = started.value
    assert download.suggested_filename == "clinic-summary.pdf"
    with open(download.path(), "rb") as downloaded:
        assert downloaded.read() == PDF
