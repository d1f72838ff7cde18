"""The health provider's page, reached with no account through the signed link emailed to them.

The token in the address is the only key, so these pages never send it to another site in a Referer
header ("same-origin": "no-referrer" would make browsers post the form with Origin null, which Django's
CSRF check refuses), are never cached or indexed, and are rate-limited per address and per request.
Guessing is pointless (tokens are signed); the limit keeps a leaked link from being hammered.
"""

from django.shortcuts import redirect, render
from django_ratelimit.decorators import ratelimit

from decisions.view_helpers import save_form
from safeguarding.forms import HealthResponseForm
from safeguarding.services import health

PER_ADDRESS = "60/h"
SUBMISSIONS_PER_REQUEST = "20/h"

REFUSED_STATUS = {health.LINK_INVALID: 404}


def _request_of_link(group, request) -> str:
    return str(request.resolver_match.kwargs["request_id"])


@ratelimit(key="ip", rate=PER_ADDRESS, block=False)
@ratelimit(key=_request_of_link, rate=SUBMISSIONS_PER_REQUEST, method="POST", block=False)
def respond(request, request_id, token):
    if getattr(request, "limited", False):
        return _page(request, "safeguarding/provider_refused.html", {"reason": "rate_limited"}, status=429)
    try:
        link = health.provider_link_check(request_id=request_id, token=token)
    except health.LinkRefused as refused:
        return _refused(request, refused)
    posted = request.method == "POST"
    form = HealthResponseForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        button="Send the response",
        name_label="Your name, role and organisation",
    )
    try:
        saved, _, status = save_form(
            request,
            form,
            lambda data: health.provider_response_submit(
                request_id=request_id,
                token=token,
                responded_by_name=data["responded_by_name"],
                text=data["text"],
                uploads=data["documents"],
            ),
        )
    except health.LinkRefused as refused:
        return _refused(request, refused)
    if saved:
        # The same address now says the link was used, and when: a reload sends nothing twice.
        return redirect(request.path)
    health_request = link.request
    return _page(
        request,
        "safeguarding/provider_respond.html",
        {"link": link, "health_request": health_request, "referral": health_request.referral, "form": form},
        status=status,
    )


def _refused(request, refused: health.LinkRefused):
    return _page(
        request,
        "safeguarding/provider_refused.html",
        {"reason": refused.reason, "link": refused.link},
        status=REFUSED_STATUS.get(refused.reason, 410),
    )


def _page(request, template, context, *, status):
    response = render(request, template, context, status=status)
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
