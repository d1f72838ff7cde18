"""Navigation for the header, from the user's roles on their panels, and the sign-in limits pages mention."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from notifications.selectors import unread_count
from nrm_panel import two_factor
from nrm_panel.models import Role
from nrm_panel.permissions import MEETING_ROLES, active_memberships, health_panel_ids
from reporting.scope import REPORT_ROLES


def navigation(request):
    # Error pages (a bad Host header, say) can render before the auth middleware has run.
    user = getattr(request, "user", None)
    # Someone who has given only their password sees no navigation until they give their code.
    fully_signed_in = two_factor.fully_signed_in(user)
    if not fully_signed_in:
        user = None
    memberships = active_memberships(user) if user else []
    roles = {m.role for m in memberships}
    return {
        "fully_signed_in": fully_signed_in,
        "user_roles": roles,
        "is_referrer_only": roles == {Role.REFERRER},
        "sits_on_meetings": bool(roles & MEETING_ROLES),
        "reads_health_detail": bool(health_panel_ids(user)) if memberships else False,
        # Reports: a coordinator, chair or auditor, or an instance administrator (every panel's figures).
        "reads_reports": bool(roles & REPORT_ROLES) or bool(user and user.is_superuser),
        "reads_access_log": Role.AUDITOR in roles or bool(user and user.is_superuser),
        "oversees_clock": bool(roles & {Role.COORDINATOR, Role.CHAIR}),
        "administered_panels": [m.panel for m in memberships if m.role == Role.ADMINISTRATOR],
        # Counted only on pages that show it (the header of a signed-in page).
        "unread_notifications": SimpleLazyObject(lambda: unread_count(user)) if memberships else 0,
        "idle_minutes": settings.SESSION_IDLE_MINUTES,
        "lockout_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
