"""Referral pages: intake by the referrer, the case page, the queue and triage by the coordinator.

Views parse input, call one service and render. Which cases a person may see is decided in
`referrals.selectors.visible_referrals`; a case they may not see is a 404.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nrm_panel.models import Role
from nrm_panel.permissions import (
    CASE_READER_ROLES,
    HISTORY_READER_ROLES,
    TRIAGE_ROLES,
    has_role,
    panel_ids_for,
    roles_on,
)
from referrals import selectors, services
from referrals.clock import case_clock
from referrals.forms import (
    SAVE_DRAFT,
    SECTION_FORMS,
    SECTIONS,
    AcceptForm,
    AttachmentForm,
    DelayReasonForm,
    DutyToNotifyForm,
    PoliceNotificationForm,
    ReasonForm,
    ReferralFilterForm,
    StartReferralForm,
    TransferForm,
    missing_by_section,
)
from referrals.models import State
from referrals.scope import assess_scope
from referrals.state_machine import EDITABLE_STATES, MOVES, moves_from

PAGE_SIZE = 25


def _editable_referral(request, public_id):
    """A referral the user may change: their own draft or returned referral."""
    referral = selectors.referral_for(request.user, public_id)
    if not request.user.has_perm("referrals.change_referral", referral) or not has_role(
        request.user, referral.panel_id, {Role.REFERRER}
    ):
        raise PermissionDenied
    if referral.state not in EDITABLE_STATES:
        messages.error(request, services.NOT_EDITABLE)
        return None, redirect("referrals:case", public_id=referral.public_id)
    return referral, None


def _coordinated_referral(request, public_id):
    referral = selectors.referral_for(request.user, public_id)
    if not has_role(request.user, referral.panel_id, TRIAGE_ROLES):
        raise PermissionDenied
    return referral


@login_required
@require_GET
def referral_list(request):
    filter_form = ReferralFilterForm(request.GET or None)
    filters = filter_form.filters() if request.GET else selectors.ReferralFilters()
    cases = selectors.referral_list(request.user, filters, today=timezone.localdate())
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [(case, case_clock(case, today=today)) for case in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = request.GET.copy()
    sort_query.pop("sort", None)
    sort_query.pop("page", None)
    return render(
        request,
        "referrals/referral_list.html",
        {
            "filter_form": filter_form,
            "filters": filters,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "sort_query": sort_query.urlencode(),
            "can_refer": bool(panel_ids_for(request.user, {Role.REFERRER})),
            "needs_triage_count": selectors.needs_triage_count(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def referral_start(request):
    panels = selectors.panels_user_refers_for(request.user)
    if not panels.exists():
        raise PermissionDenied
    form = StartReferralForm(request.POST if request.method == "POST" else None, panels=panels)
    if request.method == "POST" and form.is_valid():
        panel = form.cleaned_data["panel"]
        if form.cleaned_data["is_adult"] and not form.cleaned_data["adult_has_consented"]:
            return redirect("referrals:duty_to_notify", panel_id=panel.pk)
        referral = services.referral_create(
            referrer=request.user,
            panel=panel,
            is_adult=form.cleaned_data["is_adult"],
            adult_has_consented=form.cleaned_data["adult_has_consented"] if form.cleaned_data["is_adult"] else None,
        )
        return redirect("referrals:section", public_id=referral.public_id, section=SECTION_FORMS[0].slug)
    return render(request, "referrals/start.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def duty_to_notify(request, panel_id):
    if not has_role(request.user, panel_id, {Role.REFERRER}):
        raise Http404("No such panel")
    form = DutyToNotifyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        panel = selectors.panels_user_refers_for(request.user).get(pk=panel_id)
        services.duty_to_notify_record(recorded_by=request.user, panel=panel, **form.cleaned_data)
        return render(request, "referrals/duty_to_notify_done.html")
    return render(request, "referrals/duty_to_notify.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def referral_section(request, public_id, section):
    form_class = SECTIONS.get(section)
    if form_class is None:
        raise Http404("No such section")
    referral, refusal = _editable_referral(request, public_id)
    if refusal:
        return refusal
    if request.method == "POST":
        is_draft_save = SAVE_DRAFT in request.POST
        form = form_class(request.POST, instance=referral, is_draft_save=is_draft_save)
        if form.is_valid():
            try:
                services.referral_update(
                    referral=referral, user=request.user, changes=form.cleaned_data, section=form_class.title
                )
            except services.ReferralError as error:  # submitted meanwhile, in another tab
                messages.error(request, str(error))
                return redirect("referrals:case", public_id=referral.public_id)
            if is_draft_save:
                messages.success(request, "Your draft has been saved. You can come back to it from My referrals.")
                return redirect("referrals:list")
            return redirect(_next_step_url(referral, section))
        status = 400
    else:
        form = form_class(instance=referral)
        status = 200
    return render(
        request,
        "referrals/section.html",
        {"referral": referral, "form": form, "section": form_class, "steps": _steps(referral, section)},
        status=status,
    )


def _steps(referral, current):
    steps = [
        (form.slug, form.title, reverse("referrals:section", args=[referral.public_id, form.slug]))
        for form in SECTION_FORMS
    ]
    steps.append(("evidence", "Evidence", reverse("referrals:evidence", args=[referral.public_id])))
    steps.append(("check", "Check your answers", reverse("referrals:check", args=[referral.public_id])))
    return [{"slug": slug, "title": title, "url": url, "is_current": slug == current} for slug, title, url in steps]


def _next_step_url(referral, section):
    slugs = [form.slug for form in SECTION_FORMS]
    index = slugs.index(section)
    if index + 1 < len(slugs):
        return reverse("referrals:section", args=[referral.public_id, slugs[index + 1]])
    return reverse("referrals:evidence", args=[referral.public_id])


@login_required
@require_http_methods(["GET", "POST"])
def referral_evidence(request, public_id):
    referral, refusal = _editable_referral(request, public_id)
    if refusal:
        return refusal
    status = 200
    form = AttachmentForm()
    if request.method == "POST":
        form = AttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.attachment_add(
                    referral=referral,
                    user=request.user,
                    upload=form.cleaned_data["file"],
                    description=form.cleaned_data["description"],
                )
            except services.ReferralError as error:
                form.add_error("file", str(error))
            else:
                messages.success(request, f"{form.cleaned_data['file'].name} has been uploaded.")
                return redirect("referrals:evidence", public_id=referral.public_id)
        status = 400
    return render(
        request,
        "referrals/evidence.html",
        {
            "referral": referral,
            "form": form,
            "attachments": [
                (attachment, not services.is_submitted_evidence(attachment, referral))
                for attachment in referral.attachments.all()
            ],
            "steps": _steps(referral, "evidence"),
            "max_bytes": settings.ATTACHMENT_MAX_BYTES,
        },
        status=status,
    )


@login_required
@require_POST
def attachment_remove(request, public_id, attachment_id):
    referral, refusal = _editable_referral(request, public_id)
    if refusal:
        return refusal
    attachment = get_object_or_404(referral.attachments, public_id=attachment_id)
    try:
        services.attachment_remove(attachment=attachment, user=request.user)
    except services.ReferralError as error:  # submitted meanwhile, in another tab
        messages.error(request, str(error))
        return redirect("referrals:case", public_id=referral.public_id)
    messages.success(request, f"{attachment.original_name} has been removed.")
    return redirect("referrals:evidence", public_id=referral.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def referral_check(request, public_id):
    referral, refusal = _editable_referral(request, public_id)
    if refusal:
        return refusal
    missing = missing_by_section(referral)
    is_complete = not any(missing.values())
    status = 200
    if request.method == "POST":
        try:
            referral = services.referral_submit(referral=referral, user=request.user, is_complete=is_complete)
        except services.ReferralError as error:
            messages.error(request, str(error))
            status = 400
        else:
            return redirect("referrals:submitted", public_id=referral.public_id)
    sections = [
        {"form": form_class(instance=referral), "section": form_class, "missing": missing[form_class.slug]}
        for form_class in SECTION_FORMS
    ]
    return render(
        request,
        "referrals/check.html",
        {
            "referral": referral,
            "sections": sections,
            "is_complete": is_complete,
            "attachments": referral.attachments.all(),
            "steps": _steps(referral, "check"),
        },
        status=status,
    )


@login_required
@require_GET
def referral_submitted(request, public_id):
    referral = selectors.referral_for(request.user, public_id)
    if referral.referrer_id != request.user.pk or referral.state != State.SUBMITTED:
        return redirect("referrals:case", public_id=referral.public_id)
    clock = case_clock(referral, today=timezone.localdate())
    return render(request, "referrals/submitted.html", {"referral": referral, "clock": clock})


@login_required
@require_GET
def referral_case(request, public_id):
    referral = selectors.referral_for(request.user, public_id)
    today = timezone.localdate()
    roles = roles_on(request.user, referral.panel_id)
    is_coordinator = Role.COORDINATOR in roles
    context = {
        "referral": referral,
        "clock": case_clock(referral, today=today),
        "timeline": selectors.case_timeline(referral, include_answer_changes=False),
        "attachments": referral.attachments.select_related("uploaded_by"),
        "sections": [{"form": form_class(instance=referral), "section": form_class} for form_class in SECTION_FORMS],
        "is_coordinator": is_coordinator,
        # Free text about the panel's work on the case: for the panel, not the referrer (who sees the outcome).
        "is_panel_reader": bool(roles & CASE_READER_ROLES),
        "can_edit": referral.state in EDITABLE_STATES and request.user.has_perm("referrals.change_referral", referral),
        "can_read_history": bool(roles & HISTORY_READER_ROLES),
        "moves": [move for move in moves_from(referral.state) if move.name in TRIAGE] if is_coordinator else [],
    }
    if is_coordinator and referral.state != State.DRAFT:
        context["scope"] = assess_scope(referral, on=referral.referral_date)
        context["duplicates"] = selectors.possible_duplicates_of(request.user, referral)
    return render(request, "referrals/case.html", context)


@login_required
@require_GET
def referral_history(request, public_id):
    referral = selectors.referral_for(request.user, public_id)
    if not has_role(request.user, referral.panel_id, HISTORY_READER_ROLES):
        raise PermissionDenied
    return render(
        request, "referrals/history.html", {"referral": referral, "timeline": selectors.case_timeline(referral)}
    )


@login_required
@require_GET
def attachment_download(request, public_id, attachment_id):
    referral = selectors.referral_for(request.user, public_id)
    attachment = get_object_or_404(referral.attachments, public_id=attachment_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage") from None
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


TRIAGE = {
    "accept": ("Accept the referral", AcceptForm),
    "return": ("Return the referral for more information", ReasonForm),
    "transfer": ("Transfer the case to the Single Competent Authority", TransferForm),
    "withdraw": ("Withdraw the case", ReasonForm),
}
TRIAGE_BUTTONS = {
    "return": ("Return to referrer", "What more information is needed?"),
    "withdraw": ("Withdraw case", "Why is the case being withdrawn?"),
}


@login_required
@require_http_methods(["GET", "POST"])
def referral_triage(request, public_id, move):
    if move not in TRIAGE:
        raise Http404("No such action")
    referral = _coordinated_referral(request, public_id)
    title, form_class = TRIAGE[move]
    kwargs = {}
    if move in TRIAGE_BUTTONS:
        kwargs = {"button": TRIAGE_BUTTONS[move][0], "reason_label": TRIAGE_BUTTONS[move][1]}
    scope = assess_scope(referral, on=referral.referral_date) if referral.referral_date else None
    initial = {}
    if move == "transfer" and scope:
        initial["reason"] = "; ".join(scope.reasons_out_of_scope)
    form = form_class(request.POST if request.method == "POST" else None, initial=initial, **kwargs)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _apply_triage(move, referral, request.user, form.cleaned_data)
            except services.ReferralError as error:
                form.add_error(None, str(error))
                status = 409 if isinstance(error, services.TransitionNotAllowed) else 400
            else:
                messages.success(request, f"{referral.reference}: {MOVES[move].done.lower()}.")
                return redirect("referrals:case", public_id=referral.public_id)
        else:
            status = 400
    return render(
        request,
        "referrals/triage.html",
        {"referral": referral, "form": form, "title": title, "move": move, "scope": scope},
        status=status,
    )


def _apply_triage(move, referral, user, data):
    if move == "accept":
        return services.referral_accept(
            referral=referral,
            user=user,
            is_in_panel_area=data["is_in_panel_area"],
            is_public_order_disqualification_considered=data["is_public_order_disqualification_considered"],
        )
    if move == "return":
        return services.referral_return(referral=referral, user=user, reason=data["reason"])
    if move == "transfer":
        return services.referral_transfer(
            referral=referral,
            user=user,
            reason=data["reason"],
            is_in_panel_area=data.get("is_in_panel_area"),
            is_public_order_disqualification_considered=data.get("is_public_order_disqualification_considered"),
        )
    return services.referral_withdraw(referral=referral, user=user, reason=data["reason"])


@login_required
@require_http_methods(["GET", "POST"])
def police_notification(request, public_id):
    referral = _coordinated_referral(request, public_id)
    form = PoliceNotificationForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.referral_record_police_notification(
                    referral=referral, user=request.user, notified_on=form.cleaned_data["notified_on"]
                )
            except services.ReferralError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "The police notification has been recorded.")
                return redirect("referrals:case", public_id=referral.public_id)
        status = 400
    return render(request, "referrals/police_notification.html", {"referral": referral, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def delay_reason(request, public_id):
    """The coordinator records why the case is, or will be, decided after its target."""
    referral = _coordinated_referral(request, public_id)
    form = DelayReasonForm(
        request.POST if request.method == "POST" else None, initial={"delay_reason": referral.delay_reason}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.referral_record_delay_reason(
                    referral=referral, user=request.user, reason=form.cleaned_data["delay_reason"]
                )
            except services.ReferralError as error:
                form.add_error("delay_reason", str(error))
            else:
                messages.success(request, "The reason for the delay has been recorded.")
                return redirect("referrals:case", public_id=referral.public_id)
        status = 400
    clock = case_clock(referral, today=timezone.localdate())
    return render(
        request, "referrals/delay_reason.html", {"referral": referral, "form": form, "clock": clock}, status=status
    )
