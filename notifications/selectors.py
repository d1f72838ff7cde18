"""Reads of the person's notifications: only those a role they still hold earned them."""

from django.db.models import Q

from notifications.models import Notification
from nrm_panel.permissions import active_memberships


def visible_notifications(user):
    """The user's notifications that a role they still hold on its panel earned them."""
    roles_by_panel: dict[int, list[str]] = {}
    for membership in active_memberships(user):
        roles_by_panel.setdefault(membership.panel_id, []).append(membership.role)
    still_held = Q(pk__in=[])
    for panel_id, roles in roles_by_panel.items():
        still_held |= Q(panel_id=panel_id, roles__overlap=roles)
    return Notification.objects.filter(still_held, recipient=user)


def unread_count(user) -> int:
    return visible_notifications(user).filter(read_at=None).count()
