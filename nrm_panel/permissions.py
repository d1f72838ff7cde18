"""The one place that decides which panels' data a person may see, and with which role.

Every query of case data starts from `scope_to_panels()` (through each app's selectors), so
panel separation is not left to each view. Per-case rights (a referrer sees only their own
referrals) are django-guardian object permissions assigned by the service that creates the case.
"""

from collections.abc import Iterable

from django.db.models import QuerySet

from nrm_panel.models import AgencyKind, Membership, Role

# Roles that read every submitted case of their panel.
CASE_READER_ROLES = frozenset({Role.COORDINATOR, Role.CHAIR, Role.PANEL_MEMBER, Role.DESIGNATED_NURSE, Role.AUDITOR})
# Roles that read the full change history of a case (who changed what, when).
HISTORY_READER_ROLES = frozenset({Role.COORDINATOR, Role.CHAIR, Role.AUDITOR})
TRIAGE_ROLES = frozenset({Role.COORDINATOR})
# The people who sit on a panel's meetings, give agency inputs and read its meeting packs.
MEETING_ROLES = frozenset({Role.COORDINATOR, Role.CHAIR, Role.PANEL_MEMBER, Role.DESIGNATED_NURSE})


def active_memberships(user) -> list[Membership]:
    """The user's active roles, loaded once per request and kept on the user object."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_nrm_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user, is_active=True, panel__is_active=True).select_related(
                "panel", "agency"
            )
        )
        user._nrm_memberships = cached
    return cached


def panel_ids_for(user, roles: Iterable[str]) -> set[int]:
    roles = set(roles)
    return {m.panel_id for m in active_memberships(user) if m.role in roles}


def has_role(user, panel_id: int, roles: Iterable[str]) -> bool:
    return panel_id in panel_ids_for(user, roles)


def roles_on(user, panel_id: int) -> set[str]:
    return {m.role for m in active_memberships(user) if m.panel_id == panel_id}


def scope_to_panels(queryset: QuerySet, user, roles: Iterable[str], *, panel_field: str = "panel") -> QuerySet:
    """Limit any queryset to rows of the panels where the user holds one of `roles`."""
    return queryset.filter(**{f"{panel_field}__in": panel_ids_for(user, roles)})


def health_panel_ids(user) -> set[int]:
    """The panels where the user holds a health role: designated nurse or doctor, or a panel member for a
    health agency. Only they read health detail: what was asked of a health provider and what it answered."""
    return {
        m.panel_id
        for m in active_memberships(user)
        if m.role == Role.DESIGNATED_NURSE
        or (m.role == Role.PANEL_MEMBER and m.agency is not None and m.agency.kind == AgencyKind.HEALTH)
    }
