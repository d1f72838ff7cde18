"""Signing in and out, failures and lockouts, from Django's, django-axes' and our own signals."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from access_log.models import AccessKind
from access_log.services import record
from nrm_panel.signals import second_factor_failed, second_factor_passed


@receiver(user_logged_in)
def _signed_in_with_password(sender, request, user, **kwargs):
    if request is not None:
        record(request, AccessKind.PASSWORD_ACCEPTED, user=user, path=request.path)


@receiver(second_factor_passed)
def _second_factor_passed(sender, request, user, **kwargs):
    record(request, AccessKind.SIGN_IN, user=user, path=request.path)


@receiver(second_factor_failed)
def _second_factor_failed(sender, request, user, **kwargs):
    record(request, AccessKind.SECOND_FACTOR_FAILED, user=user, path=request.path)


@receiver(user_login_failed)
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    if request is not None:
        record(request, AccessKind.SIGN_IN_FAILED, email=credentials.get("username", ""), path=request.path)


@receiver(user_locked_out)
def _locked_out(sender, request, username=None, ip_address=None, **kwargs):
    if request is not None:
        record(request, AccessKind.LOCKED_OUT, email=username or "", path=request.path)


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs):
    if request is not None and user is not None:
        record(request, AccessKind.SIGN_OUT, user=user, path=request.path)
