"""Small steps a person takes on a GOV.UK form, found the way they see it: by label and legend."""

import datetime

from playwright.sync_api import Page, expect

from tests.factories import PASSWORD


def sign_in(page: Page, user) -> None:
    page.goto("/sign-in/")
    page.get_by_label("Email address", exact=True).fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def fill(page: Page, label: str, value: str) -> None:
    page.get_by_label(label, exact=True).fill(value)


def question(page: Page, legend: str):
    """The fieldset of a radio, checkbox or date question, found by its legend."""
    return page.get_by_role("group", name=legend, exact=True)


def choose(page: Page, legend: str, answer: str) -> None:
    question(page, legend).get_by_label(answer, exact=True).check()


def tick(page: Page, legend: str, *answers: str) -> None:
    for answer in answers:
        question(page, legend).get_by_label(answer, exact=True).check()


def fill_date(page: Page, legend: str, date: datetime.date) -> None:
    group = question(page, legend)
    group.get_by_label("Day", exact=True).fill(str(date.day))
    group.get_by_label("Month", exact=True).fill(str(date.month))
    group.get_by_label("Year", exact=True).fill(str(date.year))


def expect_date(page: Page, legend: str, date: datetime.date) -> None:
    group = question(page, legend)
    expect(group.get_by_label("Day", exact=True)).to_have_value(str(date.day))
    expect(group.get_by_label("Month", exact=True)).to_have_value(str(date.month))
    expect(group.get_by_label("Year", exact=True)).to_have_value(str(date.year))


def save_and_continue(page: Page) -> None:
    page.get_by_role("button", name="Save and continue").click()


def expect_success(page: Page, message: str) -> None:
    """The green banner a page shows after a change is saved."""
    expect(page.get_by_role("alert", name="Success")).to_contain_text(message)
