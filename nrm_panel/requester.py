"""Who is asking and from where, said one way for rate limits, sign-in lockouts and the access log."""

from django.conf import settings


def client_address(request) -> str:
    """The caller's address: REMOTE_ADDR, or behind a proxy the header CLIENT_ADDRESS_META_KEY names.

    A forwarded-for header lists every hop; the last one is the address our own proxy saw, the only
    one a caller cannot write themselves."""
    value = request.META.get(settings.CLIENT_ADDRESS_META_KEY) or request.META.get("REMOTE_ADDR") or ""
    return value.split(",")[-1].strip()[:45]


def sign_in_email(request, credentials) -> str:
    """The email address a sign-in attempt names, as lockouts count it: in any capitals, one person."""
    typed = (credentials or {}).get("username") or request.POST.get("username") or ""
    return typed.strip().lower()[:254]  # django-axes keeps at most 255 characters
