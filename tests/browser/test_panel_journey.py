"""The panel's cycle in a real browser: members give their agencies' inputs, the coordinator builds the
agenda, the chair runs the meeting to signed-off decisions and approved minutes, and the coordinator
returns the decisions to the SCA. And the item page tells the chair who is missing for a quorum."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from decisions import services
from tests.browser.helpers import choose, expect_success, fill, question, sign_in

pytestmark = pytest.mark.browser

VICTIM = "A victim of modern slavery"


def test_inputs_meeting_decisions_minutes_and_sca_return(new_page, sitting, screenshot):
    first = sitting.case(first_name="Casey")
    second = sitting.case(first_name="Robin")
    meeting = sitting.meeting
    social_care, police, health, education = (sitting.agencies[kind] for kind in sitting.agencies)
    conflict = "Teaches the child's sibling."

    # Each statutory partner's member finds the case among those waiting for their input and gives it.
    for person, agency in [(sitting.social_care, social_care), (sitting.police, police), (sitting.health, health)]:
        page = new_page()
        sign_in(page, person)
        give_input(page, first, agency)
    screenshot(page, "20-case-inputs")

    # The coordinator puts both cases on today's agenda.
    coordinator = new_page()
    sign_in(coordinator, sitting.coordinator)
    open_meeting_page(coordinator, meeting)
    coordinator.get_by_role("link", name="Change the agenda").click()
    expect(heading(coordinator)).to_have_text(f"Agenda for the {meeting}")
    coordinator.get_by_label(f"Add {first.reference}", exact=True).check()
    coordinator.get_by_label(f"Add {second.reference}", exact=True).check()
    coordinator.get_by_role("button", name="Add selected cases to the agenda").click()
    expect_success(coordinator, "2 cases added.")
    agenda = coordinator.get_by_test_id("agenda").locator("tbody tr")
    expect(agenda).to_have_count(2)
    expect(agenda.nth(0)).to_contain_text(first.reference)
    expect(agenda.nth(1)).to_contain_text(second.reference)
    expect(coordinator.get_by_role("main")).to_contain_text("No cases are waiting for a decision.")

    # The chair opens the meeting and records who is present: the three voting members and an adviser.
    chair = new_page()
    sign_in(chair, sitting.chair)
    open_meeting_page(chair, meeting)
    chair.get_by_role("button", name="Open the meeting and chair it").click()
    expect(heading(chair)).to_have_text("Who is present?")
    expect_success(chair, "The meeting is open. Record who is present.")
    present = question(chair, "Who is present?")
    for person, agency in [(sitting.social_care, social_care), (sitting.police, police), (sitting.health, health)]:
        present.get_by_label(f"{person}, {agency} (voting)", exact=True).check()
    present.get_by_label(f"{sitting.education}, {education} (advising)", exact=True).check()
    chair.get_by_role("button", name="Save attendance").click()
    expect_success(chair, "Attendance saved.")
    attendance = chair.get_by_test_id("attendance")
    expect(attendance).to_contain_text(f"{sitting.chair} (chair)")
    expect(attendance).to_contain_text(f"{sitting.police}, {police} (voting member)")
    expect(attendance).to_contain_text(f"{sitting.education}, {education} (advising)")

    # Item 1: the education member declares a conflict; the panel finds reasonable, then conclusive, grounds.
    chair.get_by_role("link", name=first.reference, exact=True).click()
    expect(heading(chair)).to_have_text(f"{first.reference}: {first.child_name}")
    expect(chair.get_by_test_id("quorum")).to_contain_text("Quorate The panel can decide this item.")
    chair.get_by_text("Record a conflict of interest", exact=True).click()
    chair.get_by_label("Who has a conflict of interest?", exact=True).select_option(label=str(sitting.education))
    fill(chair, "What is the conflict?", conflict)
    chair.get_by_role("button", name="Record the conflict").click()
    expect_success(chair, "The conflict of interest is recorded: that member takes no part in this item.")
    expect(chair.get_by_test_id("conflicts")).to_contain_text(f"{sitting.education} takes no part: {conflict}")
    record_decision(chair, "reasonable", "Positive", "The indicators of county lines exploitation are credible.")
    expect_success(chair, "The reasonable grounds decision is recorded. Sign it off when the panel agrees.")
    record_decision(chair, "conclusive", "Positive", "On the balance of probabilities the child is a victim.")
    expect_success(chair, "The conclusive grounds decision is recorded. Sign it off when the panel agrees.")
    expect(chair.get_by_test_id("decision-rg")).to_contain_text("Reasonable grounds: positive")
    expect(chair.get_by_test_id("decision-cg")).to_contain_text("Conclusive grounds: positive")
    expect(chair.get_by_test_id("decision-cg")).to_contain_text("Not signed off")
    expect(chair.get_by_test_id("decision-cg")).to_contain_text(f"{social_care}: {VICTIM}")
    expect(chair.get_by_role("button", name="Remove the conclusive grounds decision")).to_be_visible()
    screenshot(chair, "21-item-decided")
    sign_off(chair, first)
    expect(agenda_row(chair, first)).to_contain_text("Signed off")

    # Item 2: a negative reasonable grounds decision.
    chair.get_by_role("link", name=second.reference, exact=True).click()
    record_decision(chair, "reasonable", "Negative", "No indicator of exploitation is made out.")
    expect(chair.get_by_role("link", name="Record the conclusive grounds decision")).to_have_count(0)
    sign_off(chair, second)
    expect(agenda_row(chair, second)).to_contain_text("Reasonable grounds: negative")

    # The chair approves the minutes, which close the meeting.
    chair.get_by_role("link", name="Minutes", exact=True).click()
    minutes = chair.get_by_test_id("minutes")
    expect(minutes).to_contain_text(f"{sitting.education} declared a conflict of interest and took no part: {conflict}")
    expect(minutes).to_contain_text("Conclusive grounds: positive. Signed off by")
    expect(minutes).to_contain_text("Reasonable grounds: negative. Signed off by")
    screenshot(chair, "22-minutes")
    chair.get_by_role("button", name="Approve the minutes and close the meeting").click()
    expect_success(chair, "The minutes are approved and the meeting is closed.")
    expect(chair.get_by_role("main").locator(".govuk-tag").first).to_have_text("Minutes approved")

    # The case pages show the outcomes.
    open_case_from_agenda(chair, first)
    expect(state_tag(chair)).to_have_text("Positive conclusive grounds")
    expect(chair.get_by_test_id("decisions")).to_contain_text("Reasonable grounds: positive")
    expect(chair.get_by_test_id("decisions")).to_contain_text("Conclusive grounds: positive")
    screenshot(chair, "23-case-decided")
    chair.get_by_role("link", name="Meetings", exact=True).click()
    open_meeting_page(chair, meeting)
    open_case_from_agenda(chair, second)
    expect(state_tag(chair)).to_have_text("Negative reasonable grounds")
    expect(chair.get_by_test_id("decisions")).to_contain_text("Reasonable grounds: negative")

    # The coordinator sends the signed decisions to the SCA and marks them returned.
    coordinator.get_by_role("link", name="Return to the SCA", exact=True).click()
    to_return = coordinator.get_by_test_id("to-return")
    expect(to_return.locator("tbody tr")).to_have_count(3)
    for case, kind in [(first, "reasonable"), (first, "conclusive"), (second, "reasonable")]:
        to_return.get_by_label(f"Mark {case.reference} {kind} grounds as returned", exact=True).check()
    coordinator.get_by_role("button", name="Mark selected as returned to the SCA").click()
    expect_success(coordinator, "3 decisions marked as returned to the SCA.")
    expect(coordinator.get_by_role("main")).to_contain_text("Every signed decision has been returned.")
    returned = coordinator.get_by_test_id("returned")
    expect(coordinator.get_by_role("heading", name="Recently returned")).to_be_visible()
    expect(returned.get_by_role("listitem")).to_have_count(3)
    expect(returned).to_contain_text(f"{first.reference}, conclusive grounds positive: returned")
    expect(returned).to_contain_text(f"{second.reference}, reasonable grounds negative: returned")
    screenshot(coordinator, "24-sca-returned")


def test_the_item_page_says_who_is_missing_for_a_quorum(new_page, sitting, screenshot):
    case = sitting.case()
    services.agenda_add(meeting=sitting.meeting, referral=case, user=sitting.coordinator)
    social_care, police, health = (sitting.agencies[kind] for kind in ("social_care", "police", "health"))

    page = new_page()
    sign_in(page, sitting.chair)
    page.goto(reverse("decisions:meeting", args=[sitting.meeting.public_id]))
    page.get_by_role("button", name="Open the meeting and chair it").click()
    question(page, "Who is present?").get_by_label(f"{sitting.social_care}, {social_care} (voting)").check()
    page.get_by_role("button", name="Save attendance").click()
    expect(agenda_row(page, case)).to_contain_text("Not quorate")

    page.get_by_role("link", name=case.reference, exact=True).click()
    quorum = page.get_by_test_id("quorum")
    expect(quorum.get_by_role("heading", name="Not quorate for this item")).to_be_visible()
    expect(quorum.get_by_role("listitem")).to_have_text(
        [
            "a voting member from Police without a conflict of interest",
            "a voting member from Health without a conflict of interest",
        ]
    )
    expect(page.get_by_role("link", name="Record the reasonable grounds decision")).to_have_count(0)
    screenshot(page, "25-not-quorate")

    # The police and health members arrive: the panel can now decide.
    page.get_by_role("link", name="Back to the meeting").click()
    page.get_by_role("link", name="Record attendance").click()
    present = question(page, "Who is present?")
    expect(present.get_by_label(f"{sitting.social_care}, {social_care} (voting)")).to_be_checked()
    present.get_by_label(f"{sitting.police}, {police} (voting)").check()
    present.get_by_label(f"{sitting.health}, {health} (voting)").check()
    page.get_by_role("button", name="Save attendance").click()
    expect(agenda_row(page, case)).to_contain_text("Quorate")
    page.get_by_role("link", name=case.reference, exact=True).click()
    expect(page.get_by_test_id("quorum")).to_contain_text("Quorate The panel can decide this item.")
    expect(page.get_by_role("link", name="Record the reasonable grounds decision")).to_be_visible()


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def state_tag(page: Page):
    return page.get_by_role("main").locator(".govuk-tag").first


def agenda_row(page: Page, case):
    return page.get_by_test_id("agenda").get_by_role("row").filter(has_text=case.reference)


def open_meeting_page(page: Page, meeting) -> None:
    page.get_by_role("link", name="Meetings", exact=True).click()
    page.get_by_role("link", name=str(meeting), exact=True).click()
    expect(heading(page)).to_have_text(str(meeting))


def open_case_from_agenda(page: Page, case) -> None:
    page.get_by_role("link", name=case.reference, exact=True).click()
    page.get_by_role("link", name="Open the case").click()
    expect(heading(page)).to_have_text(f"{case.reference}: {case.child_name}")


def give_input(page: Page, case, agency) -> None:
    page.get_by_role("link", name="Agency inputs", exact=True).click()
    expect(page.get_by_test_id("outstanding")).to_contain_text(case.reference)
    page.get_by_role("link", name=case.reference, exact=True).click()
    expect(heading(page)).to_have_text(f"{case.reference}: {case.child_name}")
    page.get_by_role("link", name="Give your agency's input").click()
    expect(heading(page)).to_have_text(f"{agency}'s input")
    fill(page, "What does your agency know of the child?", f"{agency} has worked with the family since 2024.")
    fill(page, "What are the risks to the child?", "Goes missing; found far from home with cash.")
    choose(page, "Your agency's recommendation", VICTIM)
    fill(page, "Reasons for the recommendation", "Indicators of county lines exploitation.")
    page.get_by_role("button", name="Submit input").click()
    expect_success(page, f"{agency}'s input on {case.reference} is saved.")
    expect(page.get_by_test_id("case-inputs")).to_contain_text(f"{agency}: In {VICTIM}")
    expect(page.get_by_role("link", name="Revise your agency's input")).to_be_visible()


def record_decision(page: Page, grounds: str, outcome: str, reasons: str) -> None:
    page.get_by_role("link", name=f"Record the {grounds} grounds decision").click()
    expect(heading(page)).to_have_text(f"{grounds.capitalize()} grounds decision")
    choose(page, "Outcome", outcome)
    fill(page, "Reasons for the decision", reasons)
    fill(page, "Evidence considered", "The referral, the agencies' inputs and the chronology.")
    page.get_by_role("button", name="Record the decision").click()


def sign_off(page: Page, case) -> None:
    page.get_by_role("button", name="Sign off the decisions").click()
    expect_success(page, f"{case.reference}: signed off. The decisions can no longer change.")
