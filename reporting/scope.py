"""Whose figures a person may see: the panels where they hold a reporting role, or every panel for an
instance administrator. Reports never name a person, but they are still only of one's own panels."""

from django.db.models import QuerySet

from nrm_panel.models import Panel, Role
from nrm_panel.permissions import panel_ids_for

# The coordinator produces the figures; the chair and auditors read them (DESIGN.md section 2).
REPORT_ROLES = frozenset({Role.COORDINATOR, Role.CHAIR, Role.AUDITOR})


def reporting_panels(user, *, figures_only: bool = True) -> QuerySet[Panel]:
    """The panels whose reports the user may see. An instance administrator sees every panel's figures, but
    case-level rows (the data return, even anonymised) only of panels where they hold a reporting role:
    ask for those with `figures_only=False`."""
    if not user.is_authenticated:
        return Panel.objects.none()
    if user.is_superuser and figures_only:
        return Panel.objects.filter(is_active=True).order_by("name")
    return Panel.objects.filter(pk__in=panel_ids_for(user, REPORT_ROLES), is_active=True).order_by("name")


def may_download_case_rows(user, panels) -> bool:
    """Whether the user may download the data return of `panels`: case-level rows, even anonymised, only for
    panels where they hold a reporting role (an instance administrator's view of every panel is figures only)."""
    allowed = set(reporting_panels(user, figures_only=False).values_list("pk", flat=True))
    return {panel.pk for panel in panels} <= allowed
