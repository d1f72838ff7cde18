"""Signing in safely, in a real browser: a new person sets up their authenticator app from the key on
the page and keeps their backup codes, a backup code works once, five wrong passwords lock signing
in, and a person who does nothing is warned, may stay, and is otherwise signed out."""

import base64
import re
import time
from urllib.parse import urlencode

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

from nrm_panel.models import Role
from tests.browser.helpers import backup_code, fill, sign_in, signed_in_header
from tests.factories import PASSWORD, UserFactory, member

pytestmark = pytest.mark.browser

WRONG_PASSWORD = "not-the-right-password-at-all"
SERVER_IDLE_SECONDS = 5


def enter_password(page: Page, email: str, password: str = PASSWORD, *, start: str = "/sign-in/"):
    page.goto(start)
    fill(page, "Email address", email)
    fill(page, "Password", password)
    with page.expect_response(lambda r: r.request.method == "POST" and "/sign-in/" in r.url) as answer:
        page.get_by_role("button", name="Sign in").click()
    return answer.value


def enter_code(page: Page, code: str) -> None:
    fill(page, "Security code", code)
    page.get_by_role("button", name="Continue").click()


def take_a_moment(page: Page) -> None:
    """A person told their code is wrong takes a moment to type the next: django-otp refuses every code for
    2^(n-1) seconds after n wrong ones."""
    page.wait_for_timeout(1_500)


def sign_out(page: Page) -> None:
    signed_in_header(page).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to NRM Panel")


def test_a_new_person_sets_up_their_app_then_signs_in_with_a_backup_code_that_works_once(page, panel, screenshot):
    person = member(panel, Role.REFERRER, user=UserFactory(first_name="Nadia"))

    # Sent to sign in by a link whose "next" would run a script: it is dropped, not followed.
    enter_password(page, person.email, start=f"/sign-in/?{urlencode({'next': 'javascript:window.__xss=1'})}")
    expect(page).to_have_url(re.compile(r"/sign-in/set-up/\?next=%2F$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    expect(page.get_by_test_id("qr-code").locator("svg")).to_be_visible()
    page.goto("/referrals/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    page.get_by_text("I cannot scan the QR code").click()
    shown_key = page.get_by_test_id("secret-key").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{1,4})*", shown_key), shown_key
    screenshot(page, "sign-in-01-set-up")
    key = base64.b32decode(shown_key.replace(" ", ""))

    enter_code(page, "123 456" if TOTP(key).token() != 123456 else "654 321")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    expect(page.locator(".govuk-error-summary")).to_contain_text("The code is not right")
    expect(page.get_by_test_id("secret-key")).to_have_text(shown_key)  # the same key, not a new one
    take_a_moment(page)

    enter_code(page, f"{TOTP(key).token():06d}")
    expect(page.get_by_role("heading", name="Your app is set up")).to_be_visible()
    codes = page.get_by_test_id("backup-codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    backup_codes = codes.all_inner_texts()
    assert len(set(backup_codes)) == 10
    screenshot(page, "sign-in-02-backup-codes")
    expect(page.get_by_role("link", name="I have saved my backup codes")).to_have_attribute("href", "/referrals/")
    page.get_by_role("link", name="I have saved my backup codes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My referrals")
    expect(signed_in_header(page)).to_be_visible()
    sign_out(page)

    enter_password(page, person.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    page.get_by_text("I do not have my phone").click()
    enter_code(page, backup_codes[0])
    expect(page.get_by_role("heading", level=1)).to_have_text("My referrals")
    expect(signed_in_header(page)).to_be_visible()
    sign_out(page)

    enter_password(page, person.email)
    enter_code(page, backup_codes[0])
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    expect(page.locator(".govuk-error-summary")).to_contain_text("The code is not right")
    page.goto("/referrals/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    screenshot(page, "sign-in-03-used-backup-code")
    take_a_moment(page)
    enter_code(page, backup_codes[1])
    expect(page.get_by_role("heading", level=1)).to_have_text("My referrals")


def test_signing_out_ends_the_session_and_the_next_sign_in_asks_for_the_code_again(page, referrer):
    sign_in(page, referrer)
    session_cookies = page.context.cookies()

    with page.expect_response(lambda r: r.url.endswith("/sign-out/")) as signing_out:
        signed_in_header(page).click()

    assert signing_out.value.status == 302
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to NRM Panel")
    page.context.add_cookies(session_cookies)  # the old session, as another tab or a copied cookie
    page.goto("/referrals/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to NRM Panel")
    enter_password(page, referrer.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    enter_code(page, backup_code(referrer))
    expect(page.get_by_role("heading", level=1)).to_have_text("My referrals")


def test_five_wrong_passwords_lock_signing_in_even_with_the_right_one(page, referrer, screenshot):
    for _ in range(4):
        assert enter_password(page, referrer.email, WRONG_PASSWORD).status == 400
        expect(page.locator(".govuk-error-summary")).to_be_visible()

    fifth = enter_password(page, referrer.email, WRONG_PASSWORD)

    assert fifth.status == 429
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in locked")
    screenshot(page, "sign-in-04-locked")
    right = enter_password(page, referrer.email.upper())
    assert right.status == 429
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in locked")
    page.goto("/referrals/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to NRM Panel")


def test_a_person_who_does_nothing_is_warned_may_stay_and_is_then_signed_out(page, referrer, settings, screenshot):
    # The page's timers run on a fake clock the test moves on; the server's count of idle time runs
    # in real time, shortened from the minute the page is told so that the test need not wait one.
    settings.SESSION_IDLE_MINUTES = 1
    settings.SESSION_COOKIE_AGE = SERVER_IDLE_SECONDS
    page.clock.install()
    sign_in(page, referrer)
    expect(page.get_by_role("heading", level=1)).to_have_text("My referrals")
    loaded = time.monotonic()
    warning = page.get_by_role("alertdialog", name="You are about to be signed out")

    page.clock.fast_forward("00:29")
    expect(warning).not_to_be_attached()
    page.clock.fast_forward("00:02")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text(re.compile(r"you will be signed out in 1 minutes? unless you do something"))
    expect(warning.get_by_role("button", name="Stay signed in")).to_be_focused()
    screenshot(page, "sign-in-05-session-warning")
    wait_until(loaded + SERVER_IDLE_SECONDS * 0.6)
    warning.get_by_role("button", name="Stay signed in").click()
    expect(warning).not_to_be_attached()
    page.clock.fast_forward("00:29")
    expect(warning).not_to_be_attached()

    # Past the moment the session would have ended without "Stay signed in": the person is still in.
    wait_until(loaded + SERVER_IDLE_SECONDS + 1)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("My referrals")
    expect(signed_in_header(page)).to_be_visible()
    loaded = time.monotonic()

    wait_until(loaded + SERVER_IDLE_SECONDS + 1)
    page.clock.fast_forward("00:31")
    expect(warning).to_be_visible()
    page.clock.fast_forward("00:30")
    expect(page).to_have_url(re.compile(r"/sign-in/\?signed_out=idle$"))
    expect(page.get_by_role("region", name="Important")).to_contain_text(
        re.compile(r"You were signed out because you did nothing for 1 minutes?\.")
    )
    expect(signed_in_header(page)).not_to_be_attached()
    screenshot(page, "sign-in-06-signed-out-idle")
    page.goto("/referrals/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to NRM Panel")


def wait_until(moment: float) -> None:
    time.sleep(max(0.0, moment - time.monotonic()))
