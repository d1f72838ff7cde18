"""Pages for letters: issuing, correcting and downloading them, and exporting many as a zip.

Letters come from `selectors.visible_letters` (coordinators and chairs of the case's panel) and
exports from `selectors.visible_exports` (the panel's coordinators): another panel's ids are a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from decisions import letters, selectors, services
from decisions.forms import LetterFilterForm, LetterIssueForm, LetterSelectionForm, ReasonForm
from decisions.models import LetterExportStatus
from decisions.view_helpers import form_page, post_service, refused, require_role, save_form
from nrm_panel.models import Role
from nrm_panel.permissions import panel_ids_for, roles_on
from referrals import services as referral_services
from referrals.forms import LetterRecipientsForm

LETTERS_PER_PAGE = 100


def _attachment(file, filename: str, content_type: str) -> FileResponse:
    response = FileResponse(file, as_attachment=True, filename=filename, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def letter_list(request):
    if not panel_ids_for(request.user, selectors.LETTER_READER_ROLES):
        raise PermissionDenied
    filters = LetterFilterForm(request.GET or None, meetings=selectors.visible_meetings(request.user))
    chosen = filters.cleaned_data if filters.is_valid() else {}
    found = selectors.letter_list(
        request.user, meeting=chosen.get("meeting"), kind=chosen.get("kind", ""), status=chosen.get("status", "")
    )
    page = Paginator(found, LETTERS_PER_PAGE).get_page(request.GET.get("page"))
    others = request.GET.copy()  # the filters, kept from page to page
    others.pop("page", None)
    return render(
        request,
        "decisions/letters.html",
        {
            "page": page,
            "filters": filters,
            "filter_query": f"&{others.urlencode()}" if others else "",
            "can_export": bool(panel_ids_for(request.user, {Role.COORDINATOR})),
            "exports": selectors.visible_exports(request.user).filter(requested_by=request.user)[:5],
        },
        status=200 if filters.is_valid() or not request.GET else 400,
    )


@login_required
@require_POST
def letters_export(request):
    if not panel_ids_for(request.user, {Role.COORDINATOR}):
        raise PermissionDenied
    candidates = selectors.latest_letters(selectors.visible_letters(request.user))
    form = LetterSelectionForm(request.POST, letters=candidates)
    saved, export, status = save_form(
        request, form, lambda data: letters.letters_export_start(letters=list(data["letters"]), user=request.user)
    )
    if saved:
        return redirect("decisions:letters_export_progress", export.public_id)
    return refused(
        request,
        " ".join(e for errors in form.errors.values() for e in errors),
        back=reverse("decisions:letters"),
        status=status,
    )


@login_required
@require_GET
def letters_export_progress(request, public_id):
    export = get_object_or_404(selectors.visible_exports(request.user), public_id=public_id)
    return render(
        request,
        "decisions/letters_export.html",
        {"export": export, "is_finished": export.status in (LetterExportStatus.READY, LetterExportStatus.FAILED)},
    )


@login_required
@require_GET
def letters_export_download(request, public_id):
    export = get_object_or_404(selectors.visible_exports(request.user), public_id=public_id)
    try:
        file = letters.letters_export_download(export=export, user=request.user)
    except services.DecisionError as error:
        back = reverse("decisions:letters_export_progress", args=[export.public_id])
        return refused(request, str(error), back=back, status=409)
    stamp = export.requested_at.strftime("%Y-%m-%d-%H%M")
    return _attachment(file, f"nrm-letters-{stamp}.zip", "application/zip")


@login_required
@require_GET
def letter_detail(request, public_id):
    letter = selectors.letter_for(request.user, public_id)
    return render(
        request,
        "decisions/letter.html",
        {
            "letter": letter,
            "versions": selectors.letter_versions(letter),
            "downloads": letter.downloads.select_related("downloaded_by")[:50],
            "is_coordinator": Role.COORDINATOR in roles_on(request.user, letter.referral.panel_id),
        },
    )


@login_required
@require_GET
def letter_download(request, public_id):
    letter = selectors.letter_for(request.user, public_id)
    try:
        file = letters.letter_download(letter=letter, user=request.user)
    except services.DecisionError as error:
        back = reverse("decisions:letter", args=[letter.public_id])
        return refused(request, str(error), back=back, status=409)
    return _attachment(file, letter.filename, "application/pdf")


@login_required
@require_http_methods(["GET", "POST"])
def letter_correct(request, public_id):
    letter = selectors.letter_for(request.user, public_id)
    require_role(request.user, letter.referral.panel_id, {Role.COORDINATOR})
    form = ReasonForm(
        request.POST if request.method == "POST" else None,
        label="What does the new version correct?",
        button="Make a corrected version",
    )
    saved, corrected, status = save_form(
        request, form, lambda data: letters.letter_correct(letter=letter, user=request.user, reason=data["reason"])
    )
    if saved:
        messages.success(request, f"Version {corrected.version} is being prepared. Version {letter.version} stays.")
        return redirect("decisions:letter", corrected.public_id)
    return form_page(
        request,
        form,
        status=status,
        title=f"Correct the {letter.get_kind_display().lower()} letter",
        caption=letter.referral.reference,
        back=reverse("decisions:letter", args=[letter.public_id]),
        intro="A new version is made from the case as it stands now, with your reason printed on it. "
        "Earlier versions are kept.",
    )


@login_required
@require_POST
def case_letter_issue(request, referral_id):
    referral = selectors.readable_case(request.user, referral_id)
    require_role(request.user, referral.panel_id, {Role.COORDINATOR})
    back = reverse("referrals:case", args=[referral.public_id])
    form = LetterIssueForm(request.POST, decisions=referral.decisions.all())
    if not form.is_valid():
        error = " ".join(e for errors in form.errors.values() for e in errors)
        return refused(request, error, back=back, status=400)
    return post_service(
        request,
        lambda: letters.letter_issue(
            referral=referral, user=request.user, kind=form.cleaned_data["kind"], decision=form.cleaned_data["decision"]
        ),
        success="The letter is being prepared: it appears under Letters in a moment.",
        to=back,
    )


@login_required
@require_POST
def meeting_letters_issue(request, public_id):
    meeting = selectors.meeting_for(request.user, public_id)
    require_role(request.user, meeting.panel_id, {Role.COORDINATOR})
    try:
        result = letters.meeting_letters_issue(meeting=meeting, user=request.user)
    except services.NotAllowed as error:
        raise PermissionDenied(str(error)) from None
    if not result.refused:
        messages.success(request, f"{len(result.issued)} letters are being prepared.")
        return redirect("decisions:meeting", meeting.public_id)
    return render(request, "decisions/letters_issued.html", {"meeting": meeting, "result": result})


@login_required
@require_POST
def meeting_letters_export(request, public_id):
    meeting = selectors.meeting_for(request.user, public_id)
    require_role(request.user, meeting.panel_id, {Role.COORDINATOR})
    back = reverse("decisions:meeting", args=[meeting.public_id])
    try:
        export = letters.letters_export_start(
            letters=list(selectors.letter_list(request.user, meeting=meeting)), user=request.user
        )
    except services.NotAllowed as error:
        raise PermissionDenied(str(error)) from None
    except services.DecisionError as error:
        return refused(request, str(error), back=back, status=400)
    return redirect("decisions:letters_export_progress", export.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def letter_recipients(request, referral_id):
    referral = selectors.readable_case(request.user, referral_id)
    require_role(request.user, referral.panel_id, {Role.COORDINATOR})
    back = reverse("referrals:case", args=[referral.public_id])
    form = LetterRecipientsForm(request.POST if request.method == "POST" else None, instance=referral)
    saved, _, status = save_form(
        request,
        form,
        lambda data: referral_services.referral_update_letter_recipients(
            referral=referral, user=request.user, changes=data
        ),
    )
    if saved:
        messages.success(request, "The letter recipients are saved. Letters already issued keep their addresses.")
        return redirect(back)
    return form_page(
        request,
        form,
        status=status,
        title="Letter recipients",
        caption=referral.reference,
        back=back,
        intro="Letters go to the first responder, and to the child's legal representative where recorded. "
        "They never go to the child, or to an address where the exploitation happened.",
    )
