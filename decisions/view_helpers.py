"""What the decisions app's pages share: running a service for a form or a button, and its refusals."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from decisions import services
from nrm_panel.permissions import has_role
from referrals import services as referral_services


def refused(request, error: str, *, back: str, status: int):
    """The page that says why something could not be done (nothing was changed), with a way back."""
    return render(request, "decisions/refused.html", {"error": error, "back": back}, status=status)


def form_page(
    request, form, *, status: int, title: str, back: str, caption="", intro: str = "", template: str = "", **context
):
    """A page holding one form (`decisions/form_page.html`, or a template extending it for a longer intro),
    with what was typed and any refusal next to it."""
    return render(
        request,
        template or "decisions/form_page.html",
        {"form": form, "title": title, "back": back, "caption": caption, "intro": intro, **context},
        status=status,
    )


def error_status(error: Exception) -> int:
    if isinstance(error, services.NotAllowed):
        return 403
    # A stale form, or a case someone else moved meanwhile (withdrawn, say): a conflict.
    if isinstance(error, services.StaleRecord | referral_services.ReferralError):
        return 409
    return 400


def save_form(request, form, save) -> tuple[bool, object, int]:
    """For a POST of a valid form, run `save(cleaned_data)`: (saved, its result, the status to render with).

    A refusal is put on the form, next to what the person typed, so nothing they wrote is lost: next to the
    answer it is about where the error names one (a `field` the form has), else at the top.
    """
    if request.method != "POST":
        return False, None, 200
    if not form.is_valid():
        return False, None, 400
    try:
        return True, save(form.cleaned_data), 200
    except (services.DecisionError, referral_services.ReferralError) as error:
        field = getattr(error, "field", None)
        form.add_error(field if field in form.fields else None, str(error))
        return False, None, error_status(error)


def require_role(user, panel_id: int, roles) -> None:
    if not has_role(user, panel_id, roles):
        raise PermissionDenied


def post_service(request, call, *, success: str, to):
    """Run a service for a button press; a refusal is shown as a message on the page it came from."""
    try:
        call()
    except services.NotAllowed as error:
        raise PermissionDenied(str(error)) from None
    except (services.DecisionError, referral_services.ReferralError) as error:
        return refused(request, str(error), back=to, status=error_status(error))
    if success:
        messages.success(request, success)
    return redirect(to)
