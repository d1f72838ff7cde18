"""The referral journeys in a real browser: a referrer fills in and submits the multi-page form,
the coordinator finds, reads and accepts or returns it, and another panel cannot see it."""

import datetime
import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from nrm_panel.models import Role
from referrals.models import State
from tests.browser.helpers import (
    choose,
    expect_date,
    fill,
    fill_date,
    question,
    save_and_continue,
    sign_in,
    tick,
)
from tests.factories import SubmittedReferralFactory, member

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
GOVUK_GREEN = "rgb(0, 112, 60)"  # a .govuk-button: proves /static/build/application.css loaded
REFERENCE = re.compile(r"^[A-Z]{2,5}-\d{4}-\d{4}$")


def test_referrer_submits_and_coordinator_accepts(new_page, referrer, coordinator, tmp_path, screenshot):
    today = datetime.date.today()
    date_of_birth = datetime.date(today.year - 14, 3, 4)
    started_on, ended_on = today - datetime.timedelta(days=200), today - datetime.timedelta(days=30)
    chronology = tmp_path / "chronology.pdf"
    chronology.write_bytes(PDF)

    page = new_page()
    sign_in(page, referrer)
    page.get_by_role("link", name="Make a referral").first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Make a referral to the NRM panel")
    expect(page.get_by_role("button", name="Continue")).to_have_css("background-color", GOVUK_GREEN)
    screenshot(page, "01-start")
    # "Yes" reveals a nested consent question with its own Yes/No: pick the outer answer by its name.
    is_adult = question(page, "Is the person 18 or over?")
    is_adult.get_by_label("No", exact=True).and_(page.locator("[name=is_adult]")).check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("About the child or young person")
    save_and_continue(page)
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.locator(".govuk-error-summary").locator('a[href="#id_first_name"]')).to_be_visible()
    expect(page.locator("#div_id_first_name .govuk-error-message")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: "))
    screenshot(page, "02-section-errors")
    fill_child(page, date_of_birth)
    save_and_continue(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("The first responder")
    fill_first_responder(page)
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_text("Your draft has been saved.")).to_be_visible()

    page.goto("/")
    page.get_by_role("link", name="My referrals").click()
    page.get_by_role("link", name=re.compile(r"^Continue draft for Casey Example")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before submitting")
    sections = page.get_by_role("navigation", name="Referral sections")
    sections.get_by_role("link", name="About the child or young person").click()
    expect(page.get_by_label("First name", exact=True)).to_have_value("Casey")
    expect(page.get_by_label("Last name", exact=True)).to_have_value("Example")
    expect_date(page, "Date of birth", date_of_birth)
    expect(question(page, "Gender").get_by_label("Female", exact=True)).to_be_checked()
    page.get_by_role("navigation", name="Referral sections").get_by_role("link", name="The first responder").click()
    expect(page.get_by_label("Organisation", exact=True)).to_have_value("Lewisham Children's Services")
    expect(page.get_by_label("Telephone number", exact=True)).to_have_value("020 7946 0000")
    expect(question(page, "Type of organisation").get_by_label("Local authority", exact=True)).to_be_checked()
    save_and_continue(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("The exploitation")
    fill_exploitation(page, started_on, ended_on)
    save_and_continue(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("The voice of the child")
    fill(page, "The child's wishes and feelings", "Wants to go home.")
    choose(page, "Does the child know about this referral?", "Yes")
    save_and_continue(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Other agencies involved")
    fill(page, "Other agencies and professionals involved", "Youth offending team")
    save_and_continue(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Evidence")
    page.get_by_label("Upload a file", exact=True).set_input_files(chronology)
    fill(page, "Describe the document", "Chronology")
    page.get_by_role("button", name="Upload file").click()
    expect(page.get_by_text("chronology.pdf has been uploaded.")).to_be_visible()
    expect(page.get_by_test_id("attachments")).to_contain_text("Chronology")
    screenshot(page, "03-evidence")
    page.get_by_role("link", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before submitting")
    expect(page.get_by_role("main")).not_to_contain_text("Incomplete")
    expect(page.get_by_role("main")).to_contain_text("Casey")
    expect(page.get_by_role("main")).to_contain_text("chronology.pdf: Chronology")
    screenshot(page, "04-check-answers")
    page.get_by_role("button", name="Submit referral").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Referral submitted")
    expect(page.get_by_test_id("reference")).to_have_text(REFERENCE)
    reference = page.get_by_test_id("reference").inner_text()
    screenshot(page, "05-confirmation")

    page = new_page()
    sign_in(page, coordinator)
    page.get_by_role("link", name="Referrals", exact=True).click()
    fill(page, "Reference or name", reference)
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_test_id("result-count")).to_have_text("1 referral")
    screenshot(page, "06-queue")
    page.get_by_role("link", name=reference).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"{reference}: Casey Example")
    expect(page.get_by_test_id("attachments")).to_contain_text("chronology.pdf")
    screenshot(page, "07-case")
    with page.expect_download() as download:
        page.get_by_role("link", name="chronology.pdf").click()
    assert download.value.suggested_filename == "chronology.pdf"
    assert Path(download.value.path()).read_bytes() == PDF

    page.get_by_role("link", name="Accept: awaiting reasonable grounds").click()
    choose(page, "Was the child referred in, or do they live in, the panel's area?", "Yes")
    choose(page, "Is a public order disqualification being considered?", "No")
    screenshot(page, "08-triage-accept")
    page.get_by_role("button", name="Accept referral").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"{reference}: Casey Example")
    expect(page.get_by_role("main").locator(".govuk-tag").first).to_have_text("Awaiting reasonable grounds decision")
    expect(page.get_by_test_id("timeline")).to_contain_text("Accepted: awaiting a reasonable grounds decision")
    screenshot(page, "09-case-accepted")


def test_returned_referral_is_changed_and_resubmitted_under_the_same_reference(
    new_page, panel, referrer, coordinator, screenshot
):
    referral = SubmittedReferralFactory(panel=panel, referrer=referrer, first_name="Robin")
    reason = "Please add the police crime reference."

    page = new_page()
    sign_in(page, coordinator)
    page.goto(reverse("referrals:case", args=[referral.public_id]))
    page.get_by_role("link", name="Return for more information").click()
    fill(page, "What more information is needed?", reason)
    page.get_by_role("button", name="Return to referrer").click()
    expect(page.get_by_role("main").locator(".govuk-tag").first).to_have_text("Returned for more information")

    page = new_page()
    sign_in(page, referrer)
    page.get_by_role("link", name="My referrals").click()
    page.get_by_role("link", name=referral.reference).click()
    expect(page.get_by_test_id("state-reason")).to_have_text(reason)
    screenshot(page, "10-case-returned")
    page.get_by_role("link", name="Change and resubmit the referral").click()
    page.get_by_role("link", name="Change the exploitation").click()
    expect(page.get_by_role("main")).to_contain_text(reason)
    fill(page, "Police crime or incident reference (if any)", "CAD 1234/26")
    save_and_continue(page)
    page.get_by_role("navigation", name="Referral sections").get_by_role("link", name="Check your answers").click()
    expect(page.get_by_role("main")).to_contain_text("CAD 1234/26")
    page.get_by_role("button", name="Resubmit referral").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Referral submitted")
    expect(page.get_by_test_id("reference")).to_have_text(referral.reference)
    referral.refresh_from_db()
    assert referral.state == State.SUBMITTED
    assert referral.police_reference == "CAD 1234/26"


def test_a_case_of_another_panel_is_not_found(page, panel, other_panel, referrer, screenshot):
    referral = SubmittedReferralFactory(panel=panel, referrer=referrer, first_name="Robin")
    outsider = member(other_panel, Role.COORDINATOR)

    sign_in(page, outsider)
    response = page.goto(reverse("referrals:case", args=[referral.public_id]))

    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_role("main")).not_to_contain_text("Robin")
    screenshot(page, "11-not-found")


def fill_child(page: Page, date_of_birth: datetime.date) -> None:
    fill(page, "First name", "Casey")
    fill(page, "Last name", "Example")
    fill_date(page, "Date of birth", date_of_birth)
    choose(page, "Is their age disputed?", "No")
    choose(page, "Gender", "Female")
    fill(page, "Nationality", "British")
    fill(page, "Languages spoken", "English")
    choose(page, "Do they need an interpreter?", "No")
    fill(page, "Where are they staying now?", "Foster placement")
    choose(page, "Looked-after status", "Looked after by a local authority")


def fill_first_responder(page: Page) -> None:
    fill(page, "Organisation", "Lewisham Children's Services")
    choose(page, "Type of organisation", "Local authority")
    fill(page, "Your name", "Jo Worker")
    fill(page, "Your role", "Social worker")
    fill(page, "Email address", "jo@council.example")
    fill(page, "Telephone number", "020 7946 0000")
    fill(page, "Safe postal address for the decision letter", "Town Hall, Catford")


def fill_exploitation(page: Page, started_on: datetime.date, ended_on: datetime.date) -> None:
    tick(page, "Types of exploitation", "Criminal exploitation: county lines")
    choose(page, "Where did the exploitation happen?", "In the UK")
    fill(page, "Places (UK towns, countries abroad)", "Lewisham; Margate")
    fill_date(page, "When did it start?", started_on)
    choose(page, "Is the child still being exploited?", "No")
    fill_date(page, "If it has ended, when?", ended_on)
    tick(
        page,
        "Indicators seen",
        "Repeatedly goes missing from home, care or school",
        "Found with drugs, cash or weapons",
    )
    fill(page, "What happened, in your words", "Found in a trap house in Margate.")
