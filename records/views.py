"""Pages of records management: the retention review list, a case's review, and subject access exports.

Cases come from `selectors.case_for_records` (the cases a person reads as a member of the panel): another
panel's ids, and a referrer's or an administrator's, are a 404. Within the panel only the coordinator
reviews and exports (a 403 for the rest; the chair reads the review list), and only a designated nurse or
doctor exports the health part. A download is a POST: it is built when asked for, never by a link prefetched.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from decisions.services import NotAllowed
from decisions.view_helpers import form_page, refused, require_role, save_form
from nrm_panel.permissions import panel_ids_for
from records import selectors, services
from records import subject_access as exports
from records.forms import RetentionReviewForm
from records.models import RetentionDecision

REVIEWS_PER_PAGE = 100


@login_required
@require_GET
def retention_review_list(request):
    if not selectors.may_read_review_list(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    cases = selectors.retention_review_list(request.user, today=today)
    page = Paginator(cases, REVIEWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "records/retention_review.html",
        {"page": page, "reviewer_panels": panel_ids_for(request.user, selectors.REVIEWER_ROLES), "today": today},
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_review(request, public_id):
    referral = selectors.case_for_records(request.user, public_id)
    require_role(request.user, referral.panel_id, selectors.REVIEWER_ROLES)
    today = timezone.localdate()
    back = reverse("records:retention_review")
    try:
        case = services.check_due_for_review(referral, today=today)
    except services.RecordsError as error:
        return refused(request, str(error), back=reverse("referrals:case", args=[referral.public_id]), status=409)
    form = RetentionReviewForm(request.POST if request.method == "POST" else None)
    saved, review, status = save_form(
        request,
        form,
        lambda data: services.retention_review_record(referral=referral, user=request.user, today=today, **data),
    )
    if saved:
        if review.decision == RetentionDecision.ANONYMISE:
            messages.success(request, f"{case.reference} will be anonymised at the next anonymisation run.")
        else:
            messages.success(request, f"{case.reference} is kept until {review.keep_until:%-d %B %Y}.")
        return redirect(back)
    return form_page(
        request,
        form,
        status=status,
        title="Retention review",
        caption=f"{case.reference}: {case.child_name}",
        back=back,
        template="records/case_review.html",
        case=case,
        has_ongoing_proceedings=services.has_ongoing_proceedings(referral),
        reviews=list(referral.retention_reviews.select_related("reviewed_by")),
    )


# Subject access exports


def _export_page(request, public_id, *, roles, template: str):
    referral = selectors.case_for_records(request.user, public_id)
    require_role(request.user, referral.panel_id, roles)
    if selectors.anonymisation_of(referral):
        back = reverse("referrals:case", args=[referral.public_id])
        return refused(request, exports.ANONYMISED_CASE, back=back, status=409)
    return render(request, template, {"referral": referral, **selectors.export_contents(referral)})


def _download(request, public_id, *, roles, build):
    referral = selectors.case_for_records(request.user, public_id)
    require_role(request.user, referral.panel_id, roles)
    try:
        export = build(referral=referral, user=request.user)
    except NotAllowed as error:
        raise PermissionDenied(str(error)) from None
    except services.RecordsError as error:
        return refused(request, str(error), back=reverse("referrals:case", args=[referral.public_id]), status=409)
    file, filename = exports.export_zip(export, user=request.user)
    response = FileResponse(file, as_attachment=True, filename=filename, content_type="application/zip")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def subject_access(request, public_id):
    return _export_page(request, public_id, roles=selectors.REVIEWER_ROLES, template="records/subject_access.html")


@login_required
@require_POST
def subject_access_download(request, public_id):
    return _download(request, public_id, roles=selectors.REVIEWER_ROLES, build=exports.case_export)


@login_required
@require_GET
def health_subject_access(request, public_id):
    return _export_page(
        request, public_id, roles=selectors.HEALTH_EXPORT_ROLES, template="records/health_subject_access.html"
    )


@login_required
@require_POST
def health_subject_access_download(request, public_id):
    return _download(request, public_id, roles=selectors.HEALTH_EXPORT_ROLES, build=exports.health_export)
