"""The coordinator issues a meeting's decision letters and downloads them as one zip, in a real browser with
JavaScript off and a real Celery worker doing the rendering and zipping: the export page shows its progress
and refreshes itself until the zip is ready."""

import hashlib
import zipfile

import pytest
from playwright.sync_api import expect

from decisions import letters
from decisions.models import DecisionKind, Letter, Outcome
from tests.browser.helpers import expect_success, sign_in
from tests.celery_worker import TIMEOUT

pytestmark = pytest.mark.browser

DECISIONS = 8


@pytest.fixture
def page_without_javascript(new_context):
    return new_context(java_script_enabled=False).new_page()


def test_the_coordinator_issues_a_meetings_letters_and_downloads_them_as_a_zip(
    page_without_javascript, sitting, steps, celery_worker_later, screenshot
):
    meeting = sitting.meeting
    for _ in range(DECISIONS):
        steps.decide(steps.case(), meeting, (DecisionKind.RG, Outcome.POSITIVE))
    # Another meeting's letter, which this meeting's zip must not hold.
    earlier = steps.meeting(steps.day(-7))
    other_item = steps.decide(steps.case(referral_date=steps.day(-10)), earlier, (DecisionKind.RG, Outcome.NEGATIVE))
    other = letters.letter_issue(
        referral=other_item.referral, decision=other_item.decisions.get(), user=sitting.coordinator
    )

    page = page_without_javascript
    sign_in(page, sitting.coordinator)
    page.get_by_role("link", name="Meetings", exact=True).click()
    page.get_by_role("link", name=str(meeting), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(str(meeting))
    meeting_letters = page.get_by_test_id("meeting-letters")
    expect(meeting_letters).to_have_text(f"{DECISIONS} signed decisions: 0 with a letter issued, 0 ready to download.")

    page.get_by_role("button", name="Issue the letters").click()
    expect_success(page, f"{DECISIONS} letters are being prepared.")
    expect(meeting_letters).to_have_text(
        f"{DECISIONS} signed decisions: {DECISIONS} with a letter issued, 0 ready to download."
    )
    expect(page.get_by_role("button", name="Issue the letters")).to_have_count(0)

    page.get_by_role("button", name="Download this meeting's letters as a zip").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Letters export")
    progress = page.locator("progress#export-progress-bar")
    label = page.get_by_test_id("export-progress").locator("label")
    # The worker starts only now, so the page is seen with the export waiting, its bar empty. Once the
    # worker runs, it renders the letters (their tasks are first in its queue) and only then zips them,
    # which takes milliseconds: a bar part-filled is rarely on screen at a refresh, so it is not asserted.
    expect(label).to_have_text(f"Waiting to start: 0 of {DECISIONS} letters")
    expect(progress).to_have_attribute("max", str(DECISIONS))
    expect(progress).to_have_attribute("value", "0")
    expect(page.locator('meta[http-equiv="refresh"]')).to_have_count(1)
    screenshot(page, "30-letters-export-waiting")
    loads = []
    page.on("load", lambda _: loads.append(1))
    celery_worker_later.start()

    download_link = page.get_by_role("link", name="Download the zip")
    # No reload here: only the page's own refresh shows it ready.
    expect(download_link).to_be_visible(timeout=TIMEOUT * 1000)
    assert loads, "the page never refreshed itself"
    expect(label).to_have_text(f"Ready to download: {DECISIONS} of {DECISIONS} letters")
    expect(progress).to_have_attribute("value", str(DECISIONS))
    expect(page.locator('meta[http-equiv="refresh"]')).to_have_count(0)
    screenshot(page, "31-letters-export-ready")

    with page.expect_download() as started:
        download_link.click()
    download = started.value
    assert download.suggested_filename.startswith("nrm-letters-") and download.suggested_filename.endswith(".zip")
    archive = zipfile.ZipFile(download.path())
    expected = {letter.filename: letter for letter in Letter.objects.filter(decision__item__meeting=meeting)}
    assert len(expected) == DECISIONS
    assert sorted(archive.namelist()) == sorted(expected)
    assert other.filename not in archive.namelist()
    for name, letter in expected.items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == letter.sha256
