"""Telling people about events, in the app and by email.

`notify` writes the notifications in the caller's transaction (the outbox) and, once that
commits, asks a worker to email them. If Redis or the worker is down, nothing is lost: the
beat job `notifications.tasks.emails_send` sends whatever is still pending when they are back.
An email carries no child's name and no case detail, only a link into the app.
"""

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from notifications.models import EmailState, Notification
from notifications.selectors import visible_notifications
from nrm_panel.celery import announce
from nrm_panel.models import Agency, Membership, User

log = logging.getLogger(__name__)

MAX_EMAIL_ATTEMPTS = 6
# 2, 4, 8, 16, 32 minutes between attempts.
FIRST_RETRY_AFTER = datetime.timedelta(minutes=2)
EMAIL_SUBJECT = "NRM Panel: {kind}"
EMAIL_BODY = (
    "You have a new notification in NRM Panel: {kind}.\n\n"
    "Sign in to read it:\n{link}\n\n"
    "For the safety of the children concerned, this email holds no case details."
)


@dataclass(frozen=True)
class Event:
    """Something that happened on one panel, for the people there with one of `roles`
    (of one agency, where named)."""

    panel_id: int
    kind: str
    text: str
    link: str
    key: str
    roles: frozenset = frozenset()
    agency_id: int | None = None


def notify(
    *, recipients: Iterable[User], roles: Iterable[str], panel_id: int, kind: str, text: str, link: str, key: str
) -> None:
    """Tell each recipient who holds one of `roles` on the panel once about one event (the same key again
    tells nobody twice). Someone who no longer holds such a role hears nothing more of it."""
    roles = sorted(roles)
    candidates = {person.pk: person for person in recipients if person.is_active}
    still_there = set(
        Membership.objects.filter(
            user_id__in=candidates, panel_id=panel_id, is_active=True, role__in=roles
        ).values_list("user_id", flat=True)
    )
    rows = [
        _notification(person.pk, person.email, panel_id, roles, kind, text, link, key)
        for person in candidates.values()
        if person.pk in still_there
    ]
    _save(rows)


def notify_events(events: Iterable[Event]) -> int:
    """Tell the people each event concerns, for many events at once: two queries whatever their number.

    Used by the clock's sweep, where one run can report thousands of cases.
    """
    events = list(events)
    if not events:
        return 0
    wanted = Q()
    for panel_id in {event.panel_id for event in events}:
        wanted |= Q(panel_id=panel_id)
    memberships = (
        Membership.objects.filter(wanted, is_active=True, user__is_active=True)
        .values_list("panel_id", "role", "agency_id", "user_id", "user__email")
        .order_by()
    )
    people_by_panel: dict[int, list[tuple]] = {}
    for panel_id, role, agency_id, user_id, email in memberships:
        people_by_panel.setdefault(panel_id, []).append((role, agency_id, user_id, email))
    rows = []
    for event in events:
        chosen = {}
        for role, agency_id, user_id, email in people_by_panel.get(event.panel_id, []):
            if role in event.roles and (event.agency_id is None or agency_id == event.agency_id):
                chosen[user_id] = email
        roles = sorted(event.roles)
        rows += [
            _notification(user_id, email, event.panel_id, roles, event.kind, event.text, event.link, event.key)
            for user_id, email in chosen.items()
        ]
    return _save(rows)


def _notification(user_id, email, panel_id, roles, kind, text, link, key) -> Notification:
    return Notification(
        recipient_id=user_id,
        panel_id=panel_id,
        roles=roles,
        kind=kind,
        text=text[:300],
        link=link,
        event_key=key,
        email_state=EmailState.PENDING if email else EmailState.NOT_SENT,
    )


def _save(rows: list[Notification]) -> int:
    if not rows:
        return 0
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    transaction.on_commit(_ask_worker_to_send)
    return len(rows)


def _ask_worker_to_send() -> None:
    from notifications.tasks import emails_send  # the tasks module imports this one

    announce(emails_send)


def people_with_roles(panel_id: int, roles: Iterable[str], *, agency: Agency | None = None):
    """Active people holding one of `roles` on the panel (for `agency`, where named: in the same membership)."""
    memberships = Membership.objects.filter(panel_id=panel_id, is_active=True, role__in=list(roles))
    if agency is not None:
        memberships = memberships.filter(agency=agency)
    return User.objects.filter(is_active=True, memberships__in=memberships).distinct()


def send_pending_emails(*, now: datetime.datetime | None = None, limit: int = 500) -> int:
    """Email every pending notification once; safe to run twice or at the same time (rows are
    taken with SKIP LOCKED and marked in the same transaction)."""
    sent = 0
    for _ in range(limit):
        now_ = now or timezone.now()
        with transaction.atomic():
            notification = (
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("recipient")
                .filter(email_state=EmailState.PENDING)
                .filter(Q(email_not_before__isnull=True) | Q(email_not_before__lte=now_))
                .order_by("created_at", "id")
                .first()
            )
            if notification is None:
                break
            sent += _send_one(notification, now_)
    return sent


def _send_one(notification: Notification, now: datetime.datetime) -> int:
    if not _may_still_be_told(notification):
        # Deactivated, or off the panel, since the event: the email is not sent.
        notification.email_state = EmailState.NOT_SENT
        notification.save(update_fields=["email_state"])
        return 0
    kind = notification.get_kind_display()
    link = settings.SITE_URL.rstrip("/") + f"/notifications/{notification.public_id}/"
    notification.email_attempts += 1
    try:
        send_mail(
            EMAIL_SUBJECT.format(kind=kind),
            EMAIL_BODY.format(kind=kind[0].lower() + kind[1:], link=link),
            None,
            [notification.recipient.email],
        )
    except Exception:  # an SMTP or Notify failure: try again later, then give up and say so
        log.warning("Could not email notification %s", notification.public_id, exc_info=True)
        if notification.email_attempts >= MAX_EMAIL_ATTEMPTS:
            notification.email_state = EmailState.FAILED
        else:
            notification.email_not_before = now + FIRST_RETRY_AFTER * 2 ** (notification.email_attempts - 1)
        notification.save(update_fields=["email_attempts", "email_state", "email_not_before"])
        return 0
    notification.email_state = EmailState.SENT
    notification.emailed_at = now
    notification.save(update_fields=["email_attempts", "email_state", "emailed_at"])
    return 1


def _may_still_be_told(notification: Notification) -> bool:
    recipient = notification.recipient
    return (
        recipient.is_active
        and bool(recipient.email)
        and Membership.objects.filter(
            user=recipient, panel_id=notification.panel_id, role__in=notification.roles, is_active=True
        ).exists()
    )


def notification_open(notification: Notification) -> str:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification.link


def notifications_mark_all_read(user) -> int:
    return visible_notifications(user).filter(read_at=None).update(read_at=timezone.now())
