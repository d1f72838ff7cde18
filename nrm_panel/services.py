"""Functions that change who sits on a panel: a panel's administrators add and remove people."""

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from nrm_panel import two_factor
from nrm_panel.models import Agency, Membership, Panel, Role, User
from nrm_panel.permissions import has_role

NOT_AN_ADMINISTRATOR = "You are not an administrator of this panel."
CANNOT_CHANGE_OWN_ROLES = "You cannot give yourself a role: ask another administrator."
ONLY_SUPERUSERS_ADD_ADMINISTRATORS = "Only the instance's administrators can make someone a panel administrator."
CANNOT_REMOVE_OWN_ADMINISTRATOR_ROLE = "You cannot remove your own administrator role: ask another administrator."


class MembershipError(Exception):
    """A rule about panel membership was not met; the message says what to do."""


def _check_administrator(user, panel: Panel) -> None:
    if not (user.is_superuser or has_role(user, panel.pk, {Role.ADMINISTRATOR})):
        raise MembershipError(NOT_AN_ADMINISTRATOR)


def membership_add(
    *,
    panel: Panel,
    added_by,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    agency: Agency | None,
    site_url: str,
) -> Membership:
    """Give a person a role on the panel, creating their account (and inviting them) if new."""
    _check_administrator(added_by, panel)
    email = email.strip().lower()
    # A panel administrator manages people, never cases: they may not give themselves (or make
    # another administrator who could give them) a role that reads case data.
    if email == added_by.email.lower():
        raise MembershipError(CANNOT_CHANGE_OWN_ROLES)
    if role == Role.ADMINISTRATOR and not added_by.is_superuser:
        raise MembershipError(ONLY_SUPERUSERS_ADD_ADMINISTRATORS)
    with transaction.atomic():
        user, is_new = User.objects.get_or_create(
            email=email, defaults={"first_name": first_name.strip(), "last_name": last_name.strip()}
        )
        if is_new:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        membership = Membership.objects.filter(user=user, panel=panel, role=role).first() or Membership(
            user=user, panel=panel, role=role
        )
        membership.agency = agency
        membership.is_active = True
        try:
            membership.full_clean()
        except ValidationError as error:
            raise MembershipError(" ".join(error.messages)) from error
        membership.save()
        # New, or invited before and never signed in: a link to set a password. Otherwise they are
        # told of the new role, so nobody is added to a panel without knowing.
        transaction.on_commit(
            lambda: send_invitation(
                user=user, panel=panel, site_url=site_url, set_password=not user.has_usable_password()
            )
        )
    return membership


def membership_end(*, membership: Membership, ended_by) -> Membership:
    """End a person's role on a panel. The record stays, inactive, for the history."""
    _check_administrator(ended_by, membership.panel)
    if membership.user_id == ended_by.pk and membership.role == Role.ADMINISTRATOR:
        raise MembershipError(CANNOT_REMOVE_OWN_ADMINISTRATOR_ROLE)
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    return membership


def sign_in_reset(*, membership: Membership, reset_by, site_url: str) -> None:
    """A panel administrator resets the authenticator app of a person on their panel (a lost or new
    phone): the person is signed out everywhere and sets up their app at their next sign-in. They are
    emailed, so a reset they did not ask for does not go unnoticed."""
    _check_administrator(reset_by, membership.panel)
    if membership.user_id == reset_by.pk:
        raise MembershipError("You cannot reset your own sign-in. Ask another administrator.")
    if membership.user.is_superuser:
        raise MembershipError("An instance administrator's sign-in is reset in Django admin only.")
    two_factor.reset(membership.user)
    context = {"panel": membership.panel, "reset_by": reset_by, "url": site_url.rstrip("/") + reverse("login")}
    body = render_to_string("registration/sign_in_reset_email.txt", context)
    send_mail("Your NRM Panel sign-in was reset", body, None, [membership.user.email])


def send_invitation(*, user: User, panel: Panel, site_url: str, set_password: bool) -> None:
    """Email a person that they were added to a panel, with a link to set their password if they
    have none yet. The email names the panel, nothing else."""
    path = reverse("login")
    if set_password:
        uid, token = urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)
        path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    context = {"panel": panel, "url": site_url.rstrip("/") + path, "set_password": set_password}
    body = render_to_string("registration/invitation_email.txt", context)
    send_mail("You have been added to NRM Panel", body, None, [user.email])
