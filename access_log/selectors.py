"""What of the access log a person may read: an auditor, their panels' events; an instance administrator, all."""

from django.db.models import Q, QuerySet

from access_log.models import AccessEvent, AccessKind
from nrm_panel.models import Membership, Role
from nrm_panel.permissions import panel_ids_for

SIGNING_IN = [
    AccessKind.PASSWORD_ACCEPTED,
    AccessKind.SIGN_IN,
    AccessKind.SECOND_FACTOR_FAILED,
    AccessKind.SIGN_OUT,
]


def may_read(user) -> bool:
    return user.is_superuser or bool(panel_ids_for(user, {Role.AUDITOR}))


def readable_events(user) -> QuerySet[AccessEvent]:
    events = AccessEvent.objects.select_related("user", "referral", "panel")
    if user.is_superuser:
        return events
    panel_ids = panel_ids_for(user, {Role.AUDITOR})
    # Events about a panel's cases and meetings; and the signing in and out of the people who have ever
    # had a role on it. Nothing else that names no panel: a list or a search (whose address may hold
    # a child's name from another of the person's panels) is for instance administrators only.
    people = Membership.objects.filter(panel_id__in=panel_ids).values("user_id")
    return events.filter(Q(panel_id__in=panel_ids) | Q(kind__in=SIGNING_IN, user_id__in=people))


def matching(events: QuerySet[AccessEvent], *, person="", case="", kind="", address="", date_from=None, date_to=None):
    """The events of a search; every criterion optional (an AccessSearchForm's cleaned data)."""
    if person:
        events = events.filter(email__icontains=person)
    if case:
        events = events.filter(referral__reference__iexact=case.strip())
    if kind:
        events = events.filter(kind=kind)
    if address:
        events = events.filter(address=address.strip())
    if date_from:
        events = events.filter(at__date__gte=date_from)
    if date_to:
        events = events.filter(at__date__lte=date_to)
    return events
