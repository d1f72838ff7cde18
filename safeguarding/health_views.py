"""Pages of health information requests: for the panel's health roles only (designated nurses and doctors,
and members for a health agency); only a designated nurse or doctor changes them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from decisions.view_helpers import form_page, post_service, require_role, save_form
from nrm_panel.permissions import health_panel_ids
from safeguarding import selectors
from safeguarding.forms import ChaseForm, HealthRequestForm, HealthResponseForm, WithdrawForm
from safeguarding.services import health
from safeguarding.services.health import NURSE_ONLY

HEALTH = "Health information"


@login_required
def request_list(request):
    if not health_panel_ids(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    return render(
        request,
        "safeguarding/health_requests.html",
        {"requests": selectors.health_request_list(request.user, today=today), "today": today},
    )


@login_required
def request_create(request, referral_id):
    referral = selectors.panel_case_for(request.user, referral_id)
    require_role(request.user, referral.panel_id, NURSE_ONLY)
    form = HealthRequestForm(request.POST if request.method == "POST" else None)
    saved, created, status = save_form(
        request, form, lambda data: health.health_request_create(referral=referral, user=request.user, **data)
    )
    if saved:
        messages.success(request, "The request is saved as a draft. Check it, then send it.")
        return redirect("safeguarding:health_request", created.public_id)
    return form_page(
        request,
        form,
        status=status,
        caption=HEALTH,
        title="Request health information",
        back=reverse("referrals:case", args=[referral_id]),
    )


@login_required
def request_detail(request, public_id):
    health_request = selectors.health_request_for(request.user, public_id)
    return render(
        request, "safeguarding/health_request.html", selectors.health_request_page(request.user, health_request)
    )


@login_required
def request_change(request, public_id):
    health_request = _nurse_request(request, public_id)
    initial = {name: getattr(health_request, name) for name in health.REQUEST_FIELDS}
    form = HealthRequestForm(request.POST if request.method == "POST" else None, initial=initial, button="Save")
    saved, _, status = save_form(
        request,
        form,
        lambda data: health.health_request_update(request=health_request, user=request.user, **data),
    )
    if saved:
        messages.success(request, "The request is changed.")
        return redirect("safeguarding:health_request", public_id)
    return form_page(request, form, status=status, caption=HEALTH, title="Change the request", back=_page(public_id))


def _nurse_request(request, public_id):
    health_request = selectors.health_request_for(request.user, public_id)
    require_role(request.user, health_request.referral.panel_id, NURSE_ONLY)
    return health_request


def _page(public_id) -> str:
    return reverse("safeguarding:health_request", args=[public_id])


@login_required
def request_send(request, public_id):
    health_request = _nurse_request(request, public_id)
    if request.method != "POST":
        return redirect(_page(public_id))
    return post_service(
        request,
        lambda: health.health_request_send(request=health_request, user=request.user),
        success=f"The request is sent: {health_request.contact_email} is emailed a link to answer it.",
        to=_page(public_id),
    )


@login_required
def request_chase(request, public_id):
    health_request = _nurse_request(request, public_id)
    form = ChaseForm(request.POST if request.method == "POST" else None)
    saved, _, status = save_form(
        request,
        form,
        lambda data: health.health_request_chase(request=health_request, user=request.user, due_date=data["due_date"]),
    )
    if saved:
        messages.success(request, "The provider is chased with a new link. The last link no longer works.")
        return redirect(_page(public_id))
    return form_page(
        request,
        form,
        status=status,
        caption=HEALTH,
        title="Chase the request",
        back=_page(public_id),
        intro=f"{health_request.contact_email} is emailed a new link. It is due by "
        f"{health_request.due_date:%-d %B %Y}.",
    )


@login_required
def response_record(request, public_id):
    health_request = _nurse_request(request, public_id)
    form = HealthResponseForm(
        request.POST if request.method == "POST" else None, request.FILES if request.method == "POST" else None
    )
    saved, _, status = save_form(
        request,
        form,
        lambda data: health.health_response_record(
            request=health_request,
            user=request.user,
            responded_by_name=data["responded_by_name"],
            text=data["text"],
            uploads=data["documents"],
        ),
    )
    if saved:
        messages.success(request, "The response is recorded.")
        return redirect(_page(public_id))
    return form_page(
        request,
        form,
        status=status,
        caption=HEALTH,
        title="Record the provider's response",
        back=_page(public_id),
        intro="For a response that came by telephone, secure email or post.",
    )


@login_required
def request_withdraw(request, public_id):
    health_request = _nurse_request(request, public_id)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    saved, _, status = save_form(
        request,
        form,
        lambda data: health.health_request_withdraw(request=health_request, user=request.user, reason=data["reason"]),
    )
    if saved:
        messages.success(request, "The request is withdrawn. Its link no longer works.")
        return redirect(_page(public_id))
    return form_page(request, form, status=status, caption=HEALTH, title="Withdraw the request", back=_page(public_id))


@login_required
def document_download(request, public_id, document_id):
    health_request = selectors.health_request_for(request.user, public_id)
    document = get_object_or_404(health_request.documents, public_id=document_id)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage") from None
    response = FileResponse(
        handle, as_attachment=True, filename=document.original_name, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
