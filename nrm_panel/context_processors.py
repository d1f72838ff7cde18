"""Navigation for the header, from the user's roles on their panels."""

from nrm_panel.models import Role
from nrm_panel.permissions import active_memberships


def navigation(request):
    roles = {m.role for m in active_memberships(request.user)}
    return {"user_roles": roles, "is_referrer_only": roles == {Role.REFERRER}}
