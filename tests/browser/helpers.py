"""Small steps a person takes on a GOV.UK form, found the way they see it: by label and legend."""

import datetime
import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from nrm_panel import two_factor
from tests.factories import PASSWORD


def sign_in(page: Page, user) -> None:
    """Sign in as a person who has set up their authenticator app: password, then the app's code
    (or, when the app's current code was already used this half-minute, one of their backup codes)."""
    code = security_code(user)
    page.goto("/sign-in/")
    page.get_by_label("Email address", exact=True).fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    page.get_by_label("Security code", exact=True).fill(code)
    page.get_by_role("button", name="Continue").click()
    expect(signed_in_header(page)).to_be_visible()


def signed_in_header(page: Page):
    """The header's "Sign out", shown only once both steps of signing in are done."""
    return page.get_by_role("navigation", name="Account").get_by_role("button", name="Sign out")


def security_code(user) -> str:
    """What the person's phone shows now, or a fresh backup code if the app's code was already used
    (django-otp refuses a second use of one time step). Sets the app up first if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=two_factor.APP_DEVICE_NAME, confirmed=True)
        two_factor.backup_codes_replace(user)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = time.time()
    if totp.t() > device.last_t:
        return f"{totp.token():0{device.digits}d}"
    return backup_code(user)


def backup_code(user) -> str:
    """One more unused backup code for the person, as if printed with the others."""
    backup, _ = StaticDevice.objects.get_or_create(
        user=user, name=two_factor.BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    token = StaticToken.random_token()
    backup.token_set.create(token=token)
    return token


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
