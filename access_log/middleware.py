"""Logs every request to a page that shows or changes personal data (access_log.catalogue)."""

from access_log import catalogue
from access_log.services import record


class AccessLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is None:
            return response
        entry = catalogue.entry_for(match.view_name)
        if entry is None or entry.kind is None:
            return response
        if not request.user.is_authenticated and not entry.anonymous:
            return response  # sent to sign in: nothing was shown
        panel_id, referral_id = entry.subject.panel_and_referral(match.kwargs) if entry.subject else (None, None)
        path = request.get_full_path()
        if entry.secret_kwarg and entry.secret_kwarg in match.kwargs:
            path = path.replace(str(match.kwargs[entry.secret_kwarg]), "[link token]")
        record(
            request,
            entry.kind,
            status=response.status_code,
            path=path,
            url_name=match.view_name,
            panel_id=panel_id,
            referral_id=referral_id,
        )
        return response
