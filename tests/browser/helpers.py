"""Small steps a person takes on a GOV.UK form, found the way they see it: by label and legend; signing in with
both steps; and what went wrong in the browser that a person would not see (CSP violations, script errors)."""

import dataclasses
import datetime
import re
import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import BrowserContext, Page, expect

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
    expect(page).not_to_have_url(re.compile(r"/sign-in/"))
    expect(signed_in_header(page)).to_be_visible()


def signed_in_header(page: Page):
    """The header's "Sign out" (shown from the password step on)."""
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


# Reports every Content-Security-Policy violation of a page to the test, with what was blocked and
# where; added to every page before the page's own scripts run.
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__reportCspViolation?.(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}` +
      ` on ${document.location.pathname}: ${event.sample}`,
  );
}, true);
"""


@dataclasses.dataclass
class BrowserProblems:
    """What went wrong in a browser context that a person may not see: a page whose own markup breaks
    the Content-Security-Policy (its scripts or styles then silently do nothing), a script error, a
    dialog (an alert an injected script opened)."""

    csp_violations: list[str] = dataclasses.field(default_factory=list)
    script_errors: list[str] = dataclasses.field(default_factory=list)
    dialogs: list[str] = dataclasses.field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            *(f"CSP violation: {v}" for v in self.csp_violations),
            *(f"script error: {e}" for e in self.script_errors),
            *(f"dialog: {d}" for d in self.dialogs),
        ]


def watch_for_problems(context: BrowserContext) -> BrowserProblems:
    problems = BrowserProblems()
    context.expose_binding("__reportCspViolation", lambda source, text: problems.csp_violations.append(text))
    context.add_init_script(_CSP_LISTENER)

    def on_console(message):
        # Chromium also logs each violation ("Refused to execute inline script because it violates…").
        if message.type == "error" and "Content Security Policy" in message.text:
            problems.csp_violations.append(f"console on {message.page.url if message.page else '?'}: {message.text}")

    def on_page(page):
        page.on("pageerror", lambda error: problems.script_errors.append(f"{page.url}: {error}"))

    def on_dialog(dialog):
        problems.dialogs.append(f"{dialog.type} on {dialog.page.url if dialog.page else '?'}: {dialog.message}")
        dialog.dismiss()

    context.on("console", on_console)
    context.on("page", on_page)
    context.on("dialog", on_dialog)
    return problems
