"""The reports in a real browser: the coordinator opens Reports from the navigation, narrows the dates, asks for the
publication view, and reads charts drawn as SVG beside tables with small counts shown as "<5"; printed, the page
leaves out the navigation and the form."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from nrm_panel.models import Role
from referrals.models import State
from tests.browser.helpers import fill_date, sign_in
from tests.factories import SubmittedReferralFactory

pytestmark = pytest.mark.browser

PUBLICATION = "For publication: show counts under 5 as “<5”"


def row(table, label: str):
    """A table's row, found by its heading cell."""
    return table.locator("tbody tr").filter(has=table.page.get_by_role("rowheader", name=label, exact=True))


def test_the_coordinator_reads_the_published_figures_and_prints_them(page, panel, people, screenshot):
    today = timezone.localdate()
    for _ in range(3):
        SubmittedReferralFactory(panel=panel, referrer=people[Role.REFERRER], referral_date=today, gender="female")
    SubmittedReferralFactory(
        panel=panel, referrer=people[Role.REFERRER], referral_date=today - datetime.timedelta(days=400)
    )
    SubmittedReferralFactory(panel=panel, referrer=people[Role.REFERRER], state=State.RG_PENDING, referral_date=today)

    sign_in(page, people[Role.COORDINATOR])
    page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    expect(page.get_by_test_id("report-scope")).to_contain_text("Lewisham NRM Panel")

    date_from = today.replace(day=1) - datetime.timedelta(days=40)
    fill_date(page, "From", date_from)
    page.get_by_label(PUBLICATION, exact=True).check()
    page.get_by_role("button", name="Show the figures").click()

    expect(page.get_by_test_id("report-scope")).to_contain_text(f"referrals made from {date_from:%-d %B %Y}")
    expect(page.get_by_test_id("report-scope")).to_contain_text("Counts under 5 are shown as “<5”")
    expect(page.get_by_label(PUBLICATION, exact=True)).to_be_checked()
    charts = page.locator("svg[role=img]")
    expect(charts).to_have_count(10)
    per_month = page.get_by_test_id("chart-per_month")
    expect(per_month).to_be_visible()
    expect(per_month.locator("title")).to_have_text(f"Referrals per month ({panel.name})")
    expect(page.get_by_role("img", name=f"Referrals per month ({panel.name})")).to_be_visible()
    gender = page.get_by_test_id("table-gender")
    expect(row(gender, "Female")).to_contain_text("<5")
    expect(row(gender, "Male")).to_contain_text("<5")
    expect(row(gender, "Other")).to_contain_text("0")
    expect(page.get_by_test_id("chart-gender").get_by_text("<5")).to_have_count(2)
    screenshot(page, "90-reports-published")

    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Primary navigation")).to_be_hidden()
    expect(page.get_by_test_id("report-form")).to_be_hidden()
    expect(page.get_by_role("link", name="Data return (CSV)")).to_be_hidden()
    expect(per_month).to_be_visible()
    expect(row(gender, "Female")).to_be_visible()
    screenshot(page, "91-reports-printed")
