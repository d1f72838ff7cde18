"""The second step of signing in: a six-digit code from an authenticator app (TOTP), or one of ten
single-use backup codes, through django-otp. Everyone needs it (SecondFactorRequiredMiddleware);
only a local demonstration may switch it off (settings.SIGN_IN_WITHOUT_SECOND_FACTOR)."""

import uuid
from base64 import b32encode

import segno
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from nrm_panel.signals import second_factor_failed, second_factor_passed

BACKUP_CODES = 10
APP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"

# Pages a person who has given their password, but not yet their code, may open.
OPEN_BEFORE_SECOND_FACTOR = {"second_factor", "second_factor_set_up", "logout", "health", "session_keep_alive"}


class CodeRefused(Exception):
    pass


# django-otp doubles the wait after each wrong code (1, 2, 4… seconds).
TOO_MANY = "Too many wrong codes. Wait a little, then enter the newest code from your app"


def required() -> bool:
    return not settings.SIGN_IN_WITHOUT_SECOND_FACTOR


def fully_signed_in(user) -> bool:
    """Signed in with the password and, where required, the code (not the password alone)."""
    verified = getattr(user, "is_verified", None)  # django-otp's middleware adds it
    return bool(user is not None and user.is_authenticated and (not required() or (verified and verified())))


def authenticator(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def authenticator_to_set_up(user) -> TOTPDevice:
    """The person's unconfirmed authenticator: the same secret on every visit until they confirm it."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def secret_key(device: TOTPDevice) -> str:
    """The secret as typed into an app that cannot scan: base32, in groups of four."""
    key = b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    # Our own SVG of the otpauth:// address: no outside service ever sees the secret.
    return mark_safe(segno.make(device.config_url, error="m").svg_inline(scale=4, title="QR code to scan"))


def backup_codes_remaining(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def backup_codes_replace(user) -> list[str]:
    """Ten new single-use codes, shown once; the old ones stop working."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _clean(token: str) -> str:
    return "".join(token.split()).lower()


def set_up(request, device: TOTPDevice, token: str) -> list[str]:
    """Confirm a new authenticator with its first code; returns the new backup codes."""
    if not device.verify_is_allowed()[0]:
        raise CodeRefused(TOO_MANY)
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=request.user)
        confirmed = device.verify_token(_clean(token))
        if confirmed:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=request.user).exclude(pk=device.pk).delete()
            codes = backup_codes_replace(request.user)
            otp_login(request, device)
    # Outside the transaction: a refusal's throttle count and its access-log event must stay.
    if not confirmed:
        second_factor_failed.send(sender=set_up, request=request, user=request.user)
        raise CodeRefused("The code is not right. Check the time on your phone is correct and enter the newest code")
    second_factor_passed.send(sender=set_up, request=request, user=request.user)
    return codes


def verify(request, token: str) -> None:
    """Check a code from the app or a backup code; on success the session is fully signed in."""
    user = request.user
    token = _clean(token)
    # Six digits are the app's; anything else can only be a backup code. Trying one device only means
    # a backup code does not count as a wrong code from the app (which would slow the next one down).
    if token.isdigit() and len(token) == 6:
        device = authenticator(user)
    else:
        device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        raise CodeRefused("The code is not right. Enter the newest 6-digit code from your app, or a backup code")
    if not device.verify_is_allowed()[0]:
        raise CodeRefused(TOO_MANY)
    with transaction.atomic():
        locked = type(device).objects.select_for_update().get(pk=device.pk)
        verified = locked.verify_token(token)
        if verified:
            otp_login(request, locked)
    if not verified:
        second_factor_failed.send(sender=verify, request=request, user=user)
        raise CodeRefused("The code is not right. Enter the newest 6-digit code from your app, or a backup code")
    second_factor_passed.send(sender=verify, request=request, user=user)


@transaction.atomic
def reset(user) -> None:
    """Forget a person's authenticator and backup codes (they set up again at their next sign-in),
    and end their sessions."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    sign_out_everywhere(user)


def sign_out_everywhere(user) -> None:
    get_user_model().objects.filter(pk=user.pk).update(sessions_generation=uuid.uuid4())


def signing_out(user) -> None:
    """Signing out ends the person's sessions on every device, but only from a fully signed-in session:
    a password alone must not be enough to sign someone out, again and again."""
    if fully_signed_in(user):
        sign_out_everywhere(user)


def safe_next(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    # Only a path on this site: anything else (another site, or "0", which redirect() would take for a
    # URL name) goes home.
    on_this_site = url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure())
    if on_this_site and candidate.startswith("/") and not candidate.startswith("//"):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


class SecondFactorRequiredMiddleware:
    """A person who has given their password sees nothing else until they give their code."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or fully_signed_in(user):
            return None
        if request.resolver_match.view_name in OPEN_BEFORE_SECOND_FACTOR:
            return None
        step = "second_factor" if authenticator(user) else "second_factor_set_up"
        return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
