"""Adding to the access log: the one way events are written."""

from access_log.models import AccessEvent, AccessKind
from nrm_panel.requester import client_address


def record(request, kind: AccessKind, *, user=None, email: str = "", status: int | None = None, **fields) -> None:
    """Log one event of `request`. `user` defaults to the person signed in; `email` to theirs."""
    if user is None:
        signed_in = getattr(request, "user", None)
        user = signed_in if signed_in is not None and signed_in.is_authenticated else None
    AccessEvent.objects.create(
        user=user,
        email=(email or (user.email if user else ""))[:254],
        kind=kind,
        method=request.method or "",
        path=fields.pop("path", request.get_full_path())[:500],
        status=status,
        address=client_address(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        **fields,
    )
