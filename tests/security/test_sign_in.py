"""Signing in: a password, then a code from an authenticator app (or a backup code), for every role; lockouts
after wrong passwords; signing out everywhere; sessions that end when idle; passwords people may choose.

The tests sign in through the pages with the real password (never force_login, which skips both steps),
except where a session is only the starting point."""

import datetime
import re
import time
from base64 import b32decode
from urllib.parse import urlencode

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from access_log.models import AccessEvent, AccessKind
from nrm_panel import two_factor
from nrm_panel.models import Role, User
from tests.factories import PASSWORD, PanelMeetingFactory, RgPendingReferralFactory

pytestmark = pytest.mark.django_db

CHILD = "Okafor"  # the case's surname: never on a page before the code is given
WRONG_CODE = "The code is not right"
TOO_MANY_CODES = "Too many wrong codes"
LOCKED = "Sign-in locked"
EVIL_NEXTS = [
    "https://evil.example/",
    "//evil.example",
    "///evil.example/",
    "\\\\evil.example",
    "https:/evil.example",
    "javascript:alert(1)",
]


# --- Helpers ----------------------------------------------------------------------------------------


def sign_in(client, email, password=PASSWORD, **extra):
    return client.post(reverse("login"), {"username": email, "password": password}, **extra)


def enter_code(client, code, next_path=None):
    data = {"code": code} if next_path is None else {"code": code, "next": next_path}
    return client.post(reverse("second_factor"), data)


def step_url(step: str, next_path: str) -> str:
    return f"{reverse(step)}?{urlencode({'next': next_path})}"


def app_of(user) -> TOTPDevice:
    """A confirmed authenticator app of the person's, as after setting it up."""
    return TOTPDevice.objects.create(user=user, name=two_factor.APP_DEVICE_NAME, confirmed=True)


def code_of(key: bytes | TOTPDevice, *, at: float | None = None) -> str:
    """The six digits an app holding `key` shows now (or at `at`)."""
    device = key if isinstance(key, TOTPDevice) else TOTPDevice(key=key.hex())
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    return f"{totp.token():0{device.digits}d}"


def wrong_code(key: bytes | TOTPDevice) -> str:
    return f"{(int(code_of(key)) + 1) % 10**6:06d}"


def wait_out_throttle(user) -> None:
    """As if the person waited long enough after a wrong code (django-otp doubles the wait after each)."""
    long_ago = timezone.now() - datetime.timedelta(days=1)
    TOTPDevice.objects.filter(user=user).update(throttling_failure_timestamp=long_ago)
    StaticDevice.objects.filter(user=user).update(throttling_failure_timestamp=long_ago)


def is_verified(client) -> bool:
    """The session has given both steps: an ordinary page answers instead of sending it to a step."""
    return client.get(reverse("account")).status_code == 200


def text(response) -> str:
    return response.content.decode()


class World:
    def __init__(self, panel, people, referrer):
        self.panel = panel
        self.people = people
        self.case = RgPendingReferralFactory(panel=panel, referrer=referrer, first_name="Amara", last_name=CHILD)
        self.meeting = PanelMeetingFactory(panel=panel)
        self.superuser = User.objects.create_superuser("instance.admin@council.example", PASSWORD)

    def person(self, role: str) -> User:
        return self.superuser if role == "superuser" else self.people[role]

    def case_url(self) -> str:
        return reverse("referrals:case", args=[self.case.public_id])


@pytest.fixture
def world(panel, people, referrer):
    return World(panel, people, referrer)


# What each role opens first once signed in.
ROLE_PAGES = {
    Role.REFERRER: lambda w: w.case_url(),
    Role.COORDINATOR: lambda w: w.case_url(),
    Role.CHAIR: lambda w: reverse("decisions:meeting", args=[w.meeting.public_id]),
    Role.PANEL_MEMBER: lambda w: reverse("decisions:meeting", args=[w.meeting.public_id]),
    Role.DESIGNATED_NURSE: lambda w: reverse("safeguarding:health_requests"),
    Role.AUDITOR: lambda w: reverse("access_log:search"),
    Role.ADMINISTRATOR: lambda w: reverse("panel_people", args=[w.panel.pk]),
    "superuser": lambda w: reverse("admin:index"),
}


# --- The second step, for every role ----------------------------------------------------------------


@pytest.mark.parametrize("role", list(ROLE_PAGES))
def test_after_the_password_alone_every_page_asks_for_the_code_and_the_right_code_opens_them(client, world, role):
    user = world.person(role)
    device = app_of(user)
    page = ROLE_PAGES[role](world)

    signed_in = sign_in(client, user.email)

    assert signed_in.status_code == 302
    assert signed_in["Location"] == step_url("second_factor", reverse("home"))
    for path in {page, reverse("home"), world.case_url(), reverse("account"), reverse("access_log:search")}:
        response = client.get(path)
        assert (response.status_code, response["Location"]) == (302, step_url("second_factor", path)), path
        assert CHILD not in text(response)

    response = enter_code(client, code_of(device), next_path=page)

    assert (response.status_code, response["Location"]) == (302, page)
    opened = client.get(page)
    assert opened.status_code == 200
    if page == world.case_url():
        assert CHILD in text(opened)


@pytest.mark.parametrize("role", list(ROLE_PAGES))
def test_after_the_password_a_person_without_an_app_is_sent_to_set_one_up(client, world, role):
    user = world.person(role)

    signed_in = sign_in(client, user.email)
    page = client.get(ROLE_PAGES[role](world))

    assert signed_in["Location"] == step_url("second_factor_set_up", reverse("home"))
    assert page["Location"] == step_url("second_factor_set_up", ROLE_PAGES[role](world))
    assert client.get(reverse("second_factor"))["Location"] == reverse("second_factor_set_up")
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def test_signing_in_through_the_admins_own_page_still_needs_the_code(client, world):
    app_of(world.superuser)

    response = client.post(
        reverse("admin:login"), {"username": world.superuser.email, "password": PASSWORD, "next": "/admin/"}
    )
    admin_index = client.get(reverse("admin:index"))
    users = client.get(reverse("admin:nrm_panel_user_changelist"))

    assert response.status_code == 302
    assert admin_index["Location"] == step_url("second_factor", reverse("admin:index"))
    assert users["Location"] == step_url("second_factor", reverse("admin:nrm_panel_user_changelist"))


def test_a_post_with_the_password_alone_changes_nothing(client, world):
    administrator = world.person(Role.ADMINISTRATOR)
    app_of(administrator)
    codes = two_factor.backup_codes_replace(administrator)
    sign_in(client, administrator.email)
    memberships = administrator.memberships.count()

    new_codes = client.post(reverse("second_factor_backup_codes"))
    person_added = client.post(
        reverse("panel_person_add", args=[world.panel.pk]),
        {"email": "newcomer@council.example", "first_name": "New", "last_name": "Comer", "role": Role.REFERRER},
    )

    assert new_codes["Location"] == step_url("second_factor", reverse("second_factor_backup_codes"))
    assert person_added.status_code == 302 and person_added["Location"].startswith(reverse("second_factor"))
    assert sorted(StaticToken.objects.filter(device__user=administrator).values_list("token", flat=True)) == sorted(
        codes
    )
    assert not User.objects.filter(email="newcomer@council.example").exists()
    assert administrator.memberships.count() == memberships


def test_a_wrong_code_is_refused_with_a_message_and_logged(client, world, coordinator):
    device = app_of(coordinator)
    sign_in(client, coordinator.email)
    response = enter_code(client, wrong_code(device))

    assert response.status_code == 400
    assert WRONG_CODE in text(response)
    assert not is_verified(client)
    event = AccessEvent.objects.get(kind=AccessKind.SECOND_FACTOR_FAILED)
    assert (event.user, event.email, event.path) == (coordinator, coordinator.email, reverse("second_factor"))


def test_a_code_from_minutes_ago_is_refused(client, world, coordinator):
    device = app_of(coordinator)
    sign_in(client, coordinator.email)

    response = enter_code(client, code_of(device, at=time.time() - 3 * device.step))

    assert response.status_code == 400 and WRONG_CODE in text(response)
    assert not is_verified(client)


@pytest.mark.parametrize("code", ["", "abcdef", "1" * 21, "12 34 56 78 90 12 34 56"])
def test_a_code_that_is_not_a_code_is_refused_without_an_error(client, world, coordinator, code):
    app_of(coordinator)
    sign_in(client, coordinator.email)

    response = enter_code(client, code)

    assert response.status_code == 400
    assert "govuk-error-summary" in text(response)
    assert not is_verified(client)


def test_a_code_with_spaces_as_the_app_shows_it_is_accepted(client, world, coordinator):
    device = app_of(coordinator)
    sign_in(client, coordinator.email)
    code = code_of(device)

    response = enter_code(client, f" {code[:3]} {code[3:]} ")

    assert response.status_code == 302
    assert is_verified(client)


def test_the_same_code_is_refused_a_second_time(world, coordinator):
    device = app_of(coordinator)
    code = code_of(device)
    first, second = Client(), Client()
    sign_in(first, coordinator.email)
    sign_in(second, coordinator.email)

    accepted = enter_code(first, code)
    replayed = enter_code(second, code)

    assert accepted.status_code == 302 and is_verified(first)
    assert replayed.status_code == 400 and WRONG_CODE in text(replayed)
    assert not is_verified(second)


def test_repeated_wrong_codes_are_throttled_even_before_the_right_code(client, world, coordinator):
    device = app_of(coordinator)
    sign_in(client, coordinator.email)
    for _ in range(6):
        wait_out_throttle(coordinator)  # each wrong code counted, not refused for being too quick
        assert enter_code(client, wrong_code(device)).status_code == 400

    throttled = enter_code(client, code_of(device))

    assert throttled.status_code == 400
    assert TOO_MANY_CODES in text(throttled)
    assert not is_verified(client)
    # The wait doubles with each wrong code: after six, more than half a minute.
    device.refresh_from_db()
    assert device.throttling_failure_count == 6
    assert device.verify_is_allowed()[1]["locked_until"] > timezone.now() + datetime.timedelta(seconds=30)

    wait_out_throttle(coordinator)
    assert enter_code(client, code_of(device)).status_code == 302
    assert is_verified(client)


def test_a_backup_code_signs_in_once(world, coordinator):
    app_of(coordinator)
    codes = two_factor.backup_codes_replace(coordinator)
    first, second = Client(), Client()
    sign_in(first, coordinator.email)
    sign_in(second, coordinator.email)

    accepted = enter_code(first, codes[0].upper())  # as read aloud or typed in capitals
    wait_out_throttle(coordinator)
    replayed = enter_code(second, codes[0])

    assert accepted.status_code == 302 and is_verified(first)
    assert replayed.status_code == 400 and WRONG_CODE in text(replayed)
    assert not is_verified(second)
    assert two_factor.backup_codes_remaining(coordinator) == 9
    wait_out_throttle(coordinator)
    assert enter_code(second, codes[1]).status_code == 302 and is_verified(second)


def test_new_backup_codes_replace_the_old_ones(client, world, coordinator):
    app_of(coordinator)
    old = two_factor.backup_codes_replace(coordinator)
    client.force_login(coordinator)

    response = client.post(reverse("second_factor_backup_codes"))

    new = re.findall(r"<li><code>([^<]+)</code></li>", text(response))
    assert len(new) == two_factor.BACKUP_CODES
    stored = set(StaticToken.objects.filter(device__user=coordinator).values_list("token", flat=True))
    assert stored == set(new) and not stored & set(old)


# --- Setting up the app -----------------------------------------------------------------------------


def shown_key(response) -> bytes:
    key = re.search(r'data-testid="secret-key">([A-Z2-7 ]+)<', text(response)).group(1)
    return b32decode(key.replace(" ", ""))


def test_setting_up_shows_the_qr_code_and_key_refuses_a_wrong_code_and_confirms_the_right_one(client, world):
    nurse = world.person(Role.DESIGNATED_NURSE)
    sign_in(client, nurse.email)

    page = client.get(reverse("second_factor_set_up"))
    abandoned = TOTPDevice.objects.create(user=nurse, name="Another attempt", confirmed=False)

    assert page.status_code == 200
    assert re.search(r'data-testid="qr-code"><svg[^>]*>', text(page))
    key = shown_key(page)
    assert len(key) >= 20
    # The same key however often the page is opened, until it is confirmed.
    assert shown_key(client.get(reverse("second_factor_set_up"))) == key

    wrong = client.post(reverse("second_factor_set_up"), {"code": wrong_code(key)})

    assert wrong.status_code == 400 and WRONG_CODE in text(wrong)
    assert not TOTPDevice.objects.filter(user=nurse, confirmed=True).exists()
    assert not is_verified(client)
    # django-otp makes a person wait a second after a wrong code before the next: that second passes.
    TOTPDevice.objects.filter(user=nurse).update(
        throttling_failure_timestamp=timezone.now() - datetime.timedelta(seconds=5)
    )

    confirmed = client.post(reverse("second_factor_set_up"), {"code": code_of(key)})

    assert confirmed.status_code == 200
    codes = re.findall(r"<li><code>([^<]+)</code></li>", text(confirmed))
    assert len(codes) == two_factor.BACKUP_CODES == len(set(codes))
    (device,) = TOTPDevice.objects.filter(user=nurse)
    assert device.confirmed and device.bin_key == key and device.pk != abandoned.pk
    assert two_factor.backup_codes_remaining(nurse) == two_factor.BACKUP_CODES
    assert is_verified(client)
    assert AccessEvent.objects.filter(kind=AccessKind.SIGN_IN, user=nurse).count() == 1


def test_a_wrong_code_while_setting_up_is_logged(client, world):
    nurse = world.person(Role.DESIGNATED_NURSE)
    sign_in(client, nurse.email)
    key = shown_key(client.get(reverse("second_factor_set_up")))

    response = client.post(reverse("second_factor_set_up"), {"code": wrong_code(key)})

    assert response.status_code == 400
    assert AccessEvent.objects.filter(kind=AccessKind.SECOND_FACTOR_FAILED, user=nurse).exists()


def test_a_person_with_an_app_cannot_set_up_another_with_the_password_alone(client, world, coordinator):
    device = app_of(coordinator)
    sign_in(client, coordinator.email)

    page = client.get(reverse("second_factor_set_up"))
    attempt = client.post(reverse("second_factor_set_up"), {"code": "123456"})

    assert page["Location"] == reverse("second_factor")
    assert attempt["Location"] == reverse("second_factor")
    assert list(TOTPDevice.objects.filter(user=coordinator)) == [device]
    assert not is_verified(client)


# --- Where a sign-in goes next ----------------------------------------------------------------------


@pytest.mark.parametrize("evil", EVIL_NEXTS)
def test_the_next_address_never_leaves_the_site(client, world, coordinator, evil):
    device = app_of(coordinator)

    signed_in = client.post(reverse("login"), {"username": coordinator.email, "password": PASSWORD, "next": evil})
    form = client.get(reverse("second_factor"), {"next": evil})
    after_code = enter_code(client, code_of(device), next_path=evil)
    already_verified = client.get(reverse("second_factor"), {"next": evil})

    assert signed_in["Location"] == step_url("second_factor", reverse("home"))
    assert 'name="next" value="/"' in text(form)
    assert after_code["Location"] == reverse("home")
    assert already_verified["Location"] == reverse("home")


@pytest.mark.parametrize("evil", EVIL_NEXTS[:2])
def test_the_next_address_after_setting_up_never_leaves_the_site(client, world, coordinator, evil):
    sign_in(client, coordinator.email)
    key = shown_key(client.get(reverse("second_factor_set_up"), {"next": evil}))

    confirmed = client.post(reverse("second_factor_set_up"), {"code": code_of(key), "next": evil})

    assert confirmed.status_code == 200
    assert "evil.example" not in text(confirmed)
    assert 'href="/">I have saved my backup codes' in text(confirmed)


def test_the_next_address_on_the_site_is_followed(client, world, coordinator):
    device = app_of(coordinator)
    page = world.case_url()

    signed_in = client.post(reverse("login"), {"username": coordinator.email, "password": PASSWORD, "next": page})
    after_code = enter_code(client, code_of(device), next_path=page)

    assert signed_in["Location"] == step_url("second_factor", page)
    assert after_code["Location"] == page


# --- The local demonstration's switch ---------------------------------------------------------------


def test_without_the_second_factor_setting_the_password_alone_signs_in(client, world, coordinator, settings):
    settings.SIGN_IN_WITHOUT_SECOND_FACTOR = True

    signed_in = client.post(
        reverse("login"), {"username": coordinator.email, "password": PASSWORD, "next": world.case_url()}
    )
    case = client.get(world.case_url())

    assert signed_in["Location"] == world.case_url()
    assert case.status_code == 200 and CHILD in text(case)


def test_without_the_second_factor_setting_a_password_only_session_is_let_through(client, world, coordinator):
    client.force_login(coordinator, second_factor=False)
    assert client.get(world.case_url()).status_code == 302

    with override_settings(SIGN_IN_WITHOUT_SECOND_FACTOR=True):
        assert client.get(world.case_url()).status_code == 200


def test_production_refuses_to_start_without_the_second_factor(monkeypatch):
    from nrm_panel import settings as production

    good = {
        "DEBUG": False,
        "SECRET_KEY": "k" * 64,
        "ALLOWED_HOSTS": ["nrm.example.gov.uk"],
        "SITE_URL": "https://nrm.example.gov.uk",
        "SIGN_IN_WITHOUT_SECOND_FACTOR": False,
    }
    for name, value in good.items():
        monkeypatch.setattr(production, name, value)
    production.check_production_settings()  # the good settings start

    monkeypatch.setattr(production, "SIGN_IN_WITHOUT_SECOND_FACTOR", True)

    with pytest.raises(ImproperlyConfigured, match="SIGN_IN_WITHOUT_SECOND_FACTOR is for a local demonstration only"):
        production.check_production_settings()


# --- Lockout after wrong passwords (django-axes) -----------------------------------------------------


def fail_until_locked(client, email, **extra):
    responses = [sign_in(client, email, "not-the-password", **extra) for _ in range(5)]
    return responses


def test_five_wrong_passwords_lock_that_email_from_that_address(client, world, coordinator, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    app_of(coordinator)

    responses = fail_until_locked(client, coordinator.email)
    right = sign_in(client, coordinator.email)

    assert [r.status_code for r in responses] == [400, 400, 400, 400, 429]
    assert right.status_code == 429
    assert LOCKED in text(right) and "30 minutes" in text(right)
    assert not is_verified(client) and client.get(reverse("second_factor")).status_code == 302
    assert reverse("login") in client.get(reverse("second_factor"))["Location"]


def test_a_locked_email_still_signs_in_from_another_address(client, world, coordinator):
    app_of(coordinator)
    fail_until_locked(client, coordinator.email)

    elsewhere = sign_in(Client(), coordinator.email, REMOTE_ADDR="192.0.2.50")

    assert elsewhere.status_code == 302
    assert elsewhere["Location"] == step_url("second_factor", reverse("home"))


def test_another_persons_email_from_the_same_address_is_not_locked(client, world, coordinator):
    chair = world.person(Role.CHAIR)
    fail_until_locked(client, coordinator.email)

    assert sign_in(Client(), chair.email).status_code == 302


def test_different_capitals_in_the_email_count_as_the_same_person(client, world, coordinator):
    shouted = coordinator.email.upper()
    mixed = coordinator.email.capitalize()
    for typed in [shouted, mixed, shouted, coordinator.email]:
        assert sign_in(client, typed, "not-the-password").status_code == 400

    fifth = sign_in(client, mixed, "not-the-password")
    right = sign_in(client, coordinator.email)

    assert fifth.status_code == 429
    assert right.status_code == 429 and LOCKED in text(right)
    assert AccessAttempt.objects.get().username == coordinator.email


@pytest.mark.parametrize(
    "email",
    ["a" * 10_000 + "@council.example", "b" * 250 + "@council.example", "x" * 300, "\x00@council.example"],
    ids=["10k-characters", "over-254", "no-at-sign", "nul-byte"],
)
def test_an_oversized_or_odd_email_is_refused_without_an_error(client, world, email):
    for _ in range(6):
        response = sign_in(client, email, "not-the-password")
        assert response.status_code in (400, 429), response.status_code
    assert "Sign in" in text(response) or LOCKED in text(response)


def test_a_right_password_starts_the_count_again(client, world, coordinator):
    app_of(coordinator)
    for _ in range(4):
        sign_in(client, coordinator.email, "not-the-password")
    assert sign_in(client, coordinator.email).status_code == 302

    again = Client()
    for _ in range(4):
        assert sign_in(again, coordinator.email, "not-the-password").status_code == 400
    assert sign_in(again, coordinator.email).status_code == 302


def admin_action(client, action: str, *users) -> object:
    return client.post(
        reverse("admin:nrm_panel_user_changelist"),
        {"action": action, "_selected_action": [user.pk for user in users]},
    )


def test_the_administrators_unlock_action_lets_a_locked_person_sign_in(client, world, coordinator):
    app_of(coordinator)
    fail_until_locked(client, coordinator.email)
    assert sign_in(client, coordinator.email).status_code == 429
    administrator = Client()
    administrator.force_login(world.superuser)

    response = admin_action(administrator, "unlock_sign_in", coordinator)

    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username=coordinator.email).exists()
    assert sign_in(client, coordinator.email).status_code == 302


def test_a_lockout_is_in_the_access_log(client, world, coordinator):
    fail_until_locked(client, coordinator.email.upper())

    event = AccessEvent.objects.get(kind=AccessKind.LOCKED_OUT)

    assert event.email == coordinator.email
    assert event.address == "127.0.0.1"
    assert AccessEvent.objects.filter(kind=AccessKind.SIGN_IN_FAILED).count() == 5


# --- Resetting a person's sign-in, and signing out everywhere ---------------------------------------


def test_the_administrators_reset_removes_the_app_and_ends_the_persons_sessions(client, world, coordinator):
    app_of(coordinator)
    two_factor.backup_codes_replace(coordinator)
    client.force_login(coordinator)
    assert client.get(world.case_url()).status_code == 200
    administrator = Client()
    administrator.force_login(world.superuser)

    response = admin_action(administrator, "reset_sign_in", coordinator)
    after = client.get(world.case_url())

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=coordinator).exists()
    assert not StaticDevice.objects.filter(user=coordinator).exists()
    assert after.status_code == 302 and after["Location"].startswith(reverse("login"))
    assert CHILD not in text(after)
    # The administrator's own session is untouched, and the person sets up a new app at their next sign-in.
    assert administrator.get(reverse("admin:index")).status_code == 200
    assert sign_in(Client(), coordinator.email)["Location"] == step_url("second_factor_set_up", reverse("home"))


def test_signing_out_ends_the_persons_sessions_on_every_device(world, coordinator):
    laptop, phone = Client(), Client()
    laptop.force_login(coordinator)
    phone.force_login(coordinator)
    assert phone.get(world.case_url()).status_code == 200

    signed_out = laptop.post(reverse("logout"))
    later = phone.get(world.case_url())

    assert signed_out["Location"] == reverse("login")
    assert later.status_code == 302 and later["Location"].startswith(reverse("login"))
    assert laptop.get(world.case_url())["Location"].startswith(reverse("login"))


def test_signing_out_leaves_other_peoples_sessions_alone(world, coordinator):
    chair = world.person(Role.CHAIR)
    mine, theirs = Client(), Client()
    mine.force_login(coordinator)
    theirs.force_login(chair)

    mine.post(reverse("logout"))

    assert theirs.get(world.case_url()).status_code == 200


def test_a_session_with_only_the_password_cannot_sign_the_person_out_everywhere(world, coordinator):
    app_of(coordinator)
    signed_in = Client()
    signed_in.force_login(coordinator)
    stranger = Client()
    sign_in(stranger, coordinator.email)

    stranger.post(reverse("logout"))

    assert signed_in.get(world.case_url()).status_code == 200


# --- Sessions end when idle -------------------------------------------------------------------------


def stored_session(client) -> Session:
    return Session.objects.get(session_key=client.cookies[django_settings.SESSION_COOKIE_NAME].value)


def test_the_session_lasts_the_idle_minutes_from_the_last_request(client, world, coordinator, settings):
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_MINUTES * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    client.force_login(coordinator)
    Session.objects.filter(pk=stored_session(client).pk).update(expire_date=timezone.now() + datetime.timedelta(1))

    client.get(world.case_url())

    expected = timezone.now() + datetime.timedelta(minutes=settings.SESSION_IDLE_MINUTES)
    assert abs(stored_session(client).expire_date - expected) < datetime.timedelta(seconds=30)


def test_a_session_left_past_the_idle_time_is_gone(client, world, coordinator):
    client.force_login(coordinator)
    assert client.get(world.case_url()).status_code == 200
    Session.objects.filter(pk=stored_session(client).pk).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )

    response = client.get(world.case_url())

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={world.case_url()}"
    assert CHILD not in text(response)


def test_the_keep_alive_answers_204_and_starts_the_idle_count_again(client, world, coordinator, settings):
    client.force_login(coordinator)
    client.get(world.case_url())
    soon = timezone.now() + datetime.timedelta(minutes=1)
    Session.objects.filter(pk=stored_session(client).pk).update(expire_date=soon)

    response = client.get(reverse("session_keep_alive"))

    assert response.status_code == 204 and response.content == b""
    expected = timezone.now() + datetime.timedelta(minutes=settings.SESSION_IDLE_MINUTES)
    assert abs(stored_session(client).expire_date - expected) < datetime.timedelta(seconds=30)


def test_the_keep_alive_does_not_bring_an_ended_session_back(client, world, coordinator):
    client.force_login(coordinator)
    Session.objects.filter(pk=stored_session(client).pk).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )

    response = client.get(reverse("session_keep_alive"))

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_session_cookie_is_http_only_lax_and_ends_with_the_browser(client, world, coordinator):
    app_of(coordinator)

    response = sign_in(client, coordinator.email)

    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["expires"] == "" and cookie["max-age"] == ""
    csrf = client.get(reverse("login")).cookies.get("csrftoken") or client.cookies["csrftoken"]
    assert csrf["httponly"] is True and csrf["samesite"] == "Lax"


def test_signing_in_gives_a_new_session_key(client, world, coordinator):
    app_of(coordinator)
    client.get(reverse("login"))
    client.session.save()
    before = client.cookies[django_settings.SESSION_COOKIE_NAME].value

    sign_in(client, coordinator.email)

    assert client.cookies[django_settings.SESSION_COOKIE_NAME].value != before


# --- Passwords people may choose --------------------------------------------------------------------


def password_set_page(client, user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    response = client.get(reverse("password_reset_confirm", args=[uid, token]))
    assert response.status_code == 302  # to the same page without the token in its address
    return response["Location"]


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Tr0ub4dor&3", "This password is too short. It must contain at least 12 characters."),
        ("password1234", "This password is too common."),
        ("123456789012", "This password is entirely numeric."),
    ],
    ids=["short", "common", "numeric"],
)
def test_a_weak_password_is_refused_on_the_password_set_page(client, world, coordinator, password, message):
    page = password_set_page(client, coordinator)
    before = User.objects.get(pk=coordinator.pk).password

    response = client.post(page, {"new_password1": password, "new_password2": password})

    assert response.status_code in (200, 400)
    assert message in text(response)
    assert User.objects.get(pk=coordinator.pk).password == before


def test_a_password_like_the_email_address_is_refused(client, world, coordinator):
    page = password_set_page(client, coordinator)
    password = coordinator.email.split("@")[0] + "@council"

    response = client.post(page, {"new_password1": password, "new_password2": password})

    assert "The password is too similar to the email address." in text(response)


def test_a_strong_password_is_accepted_and_ends_the_persons_other_sessions(client, world, coordinator):
    other = Client()
    other.force_login(coordinator)
    page = password_set_page(client, coordinator)

    response = client.post(page, {"new_password1": "maple orbit lantern 42", "new_password2": "maple orbit lantern 42"})

    assert response["Location"] == reverse("password_reset_complete")
    assert User.objects.get(pk=coordinator.pk).check_password("maple orbit lantern 42")
    assert other.get(world.case_url())["Location"].startswith(reverse("login"))
