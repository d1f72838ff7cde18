"""Pages for meetings, agendas, the chair's items, agency inputs, reconsiderations and the SCA return.

Views parse input, call one service and render. Meetings come from `selectors.meeting_for` and
cases from `selectors.readable_case`, both scoped to the user's panels: another panel's ids are a 404.
"""

import csv
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from decisions import documents, selectors, services
from decisions.export import decision_rows, spreadsheet_safe
from decisions.forms import (
    AgencyInputForm,
    AgendaAddForm,
    AttendanceForm,
    ConflictForm,
    DecisionForm,
    DecisionSelectionForm,
    MeetingForm,
    PersonChoiceForm,
    ReasonForm,
    ReconsiderationForm,
)
from decisions.models import (
    AgendaItem,
    DecisionKind,
    MeetingStatus,
    Outcome,
    Reconsideration,
)
from decisions.view_helpers import error_status, form_page, post_service, refused, require_role, save_form
from nrm_panel.models import Panel, Role
from nrm_panel.permissions import MEETING_ROLES, panel_ids_for, roles_on
from referrals import services as referral_services
from referrals.clock import AMBER_WHEN_DAYS_LEFT, case_clock


def _item_for(request, public_id, item_id) -> AgendaItem:
    meeting = selectors.meeting_for(request.user, public_id)
    item = get_object_or_404(
        AgendaItem.objects.select_related("referral__panel", "reconsideration__decision", "deputy_chair"),
        pk=item_id,
        meeting=meeting,
    )
    item.meeting = meeting
    return item


# Meetings


@login_required
@require_GET
def meeting_list(request):
    today = timezone.localdate()
    return render(
        request,
        "decisions/meeting_list.html",
        {
            "upcoming": selectors.meeting_list(request.user, today=today, upcoming=True),
            "past": selectors.meeting_list(request.user, today=today, upcoming=False)[:24],
            "organised_panels": Panel.objects.filter(
                pk__in=panel_ids_for(request.user, {Role.COORDINATOR, Role.CHAIR})
            ),
            "scheduling_panel_ids": panel_ids_for(request.user, {Role.COORDINATOR}),
        },
    )


@login_required
@require_POST
def meetings_schedule(request, panel_id):
    panel = get_object_or_404(Panel, pk=panel_id, pk__in=panel_ids_for(request.user, {Role.COORDINATOR}))
    created = services.meetings_schedule(panel=panel, today=timezone.localdate())
    messages.success(
        request,
        f"{len(created)} meeting{'s' if len(created) != 1 else ''} added from the panel's rule"
        if created
        else "The panel's meetings for the next six months are already scheduled.",
    )
    return redirect("decisions:meeting_list")


@login_required
@require_http_methods(["GET", "POST"])
def meeting_call(request, panel_id):
    panel = get_object_or_404(Panel, pk=panel_id, pk__in=panel_ids_for(request.user, {Role.COORDINATOR, Role.CHAIR}))
    form = MeetingForm(
        request.POST if request.method == "POST" else None,
        initial={"starts_at": panel.meeting_time, "place": panel.meeting_place},
        reason_label="Why is the meeting called?",
        button="Call the meeting",
    )
    saved, meeting, status = save_form(
        request,
        form,
        lambda data: services.meeting_call(
            panel=panel,
            user=request.user,
            date=data["date"],
            starts_at=data["starts_at"],
            format=data["format"],
            place=data["place"],
            reason=data["reason"],
        ),
    )
    if saved:
        messages.success(request, f"The {meeting} has been called.")
        return redirect("decisions:meeting", public_id=meeting.public_id)
    return form_page(
        request,
        form,
        status=status,
        title="Call an extraordinary meeting",
        caption=panel,
        back=reverse("decisions:meeting_list"),
    )


@login_required
@require_GET
def meeting_detail(request, public_id):
    meeting = selectors.meeting_for(request.user, public_id)
    roles = roles_on(request.user, meeting.panel_id)
    return render(
        request,
        "decisions/meeting.html",
        {
            "meeting": meeting,
            "rows": selectors.agenda(meeting, today=timezone.localdate()),
            "attendances": selectors.meeting_attendances(meeting),
            "is_coordinator": Role.COORDINATOR in roles,
            "is_chair": Role.CHAIR in roles,
            "is_meeting_chair": meeting.chair_id == request.user.pk,
            "letters": selectors.letter_counts(meeting) if Role.COORDINATOR in roles else None,
            "can_open": Role.CHAIR in roles
            and meeting.status == MeetingStatus.SCHEDULED
            and meeting.date <= timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_change(request, public_id):
    meeting = selectors.meeting_for(request.user, public_id)
    require_role(request.user, meeting.panel_id, {Role.COORDINATOR, Role.CHAIR})
    initial = {
        "date": meeting.date,
        "starts_at": meeting.starts_at,
        "format": meeting.format,
        "place": meeting.place,
        "version": meeting.version,
    }
    form = MeetingForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        reason_label="Why is the meeting changing?",
        button="Save changes",
    )
    saved, _, status = save_form(
        request,
        form,
        lambda data: services.meeting_reschedule(
            meeting=meeting,
            user=request.user,
            date=data["date"],
            starts_at=data["starts_at"],
            format=data["format"],
            place=data["place"],
            reason=data["reason"],
            version=data["version"],
        ),
    )
    if saved:
        messages.success(request, "The meeting has been changed.")
        return redirect("decisions:meeting", public_id=meeting.public_id)
    back = reverse("decisions:meeting", args=[meeting.public_id])
    return form_page(
        request,
        form,
        status=status,
        title=f"Change the {meeting}",
        caption=meeting.panel,
        back=back,
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_cancel(request, public_id):
    meeting = selectors.meeting_for(request.user, public_id)
    require_role(request.user, meeting.panel_id, {Role.COORDINATOR, Role.CHAIR})
    form = ReasonForm(
        request.POST if request.method == "POST" else None,
        label="Why is the meeting cancelled?",
        button="Cancel the meeting",
    )
    saved, _, status = save_form(
        request, form, lambda data: services.meeting_cancel(meeting=meeting, user=request.user, reason=data["reason"])
    )
    if saved:
        messages.success(request, f"The {meeting} has been cancelled.")
        return redirect("decisions:meeting_list")
    back = reverse("decisions:meeting", args=[meeting.public_id])
    return form_page(
        request,
        form,
        status=status,
        title=f"Cancel the {meeting}",
        caption=meeting.panel,
        back=back,
    )


@login_required
@require_POST
def meeting_open(request, public_id):
    meeting = selectors.meeting_for(request.user, public_id)
    require_role(request.user, meeting.panel_id, {Role.CHAIR})
    return post_service(
        request,
        lambda: services.meeting_open(meeting=meeting, user=request.user),
        success="The meeting is open. Record who is present.",
        to=reverse("decisions:attendance", args=[meeting.public_id]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def attendance(request, public_id):
    meeting = selectors.meeting_for(request.user, public_id)
    require_role(request.user, meeting.panel_id, {Role.CHAIR})
    attendances = selectors.meeting_attendances(meeting)
    people = (
        selectors.people_of_panel(meeting.panel, roles=MEETING_ROLES)
        .exclude(pk=meeting.chair_id)
        .order_by("last_name", "first_name")
    )
    form = AttendanceForm(
        request.POST if request.method == "POST" else None,
        people=people,
        labels=selectors.attendance_labels(meeting.panel),
        initial={"present": [a.person_id for a in attendances if a.person_id != meeting.chair_id]},
    )
    saved, _, status = save_form(
        request,
        form,
        lambda data: services.attendance_record(meeting=meeting, user=request.user, people=data["present"]),
    )
    if saved:
        messages.success(request, "Attendance saved.")
        return redirect("decisions:meeting", public_id=meeting.public_id)
    return render(
        request,
        "decisions/attendance.html",
        {"meeting": meeting, "form": form, "attendances": attendances},
        status=status,
    )


# Agendas


@login_required
@require_GET
def agenda_edit(request, public_id):
    meeting = selectors.meeting_for(request.user, public_id)
    require_role(request.user, meeting.panel_id, {Role.COORDINATOR})
    today = timezone.localdate()
    proposals = [
        (case, case_clock(case, today=today), case.target_date < meeting.date)
        for case in selectors.agenda_proposals(meeting)
    ]
    return render(
        request,
        "decisions/agenda_edit.html",
        {"meeting": meeting, "rows": selectors.agenda(meeting, today=today), "proposals": proposals},
    )


@login_required
@require_POST
def agenda_add(request, public_id):
    meeting = selectors.meeting_for(request.user, public_id)
    require_role(request.user, meeting.panel_id, {Role.COORDINATOR})
    form = AgendaAddForm(request.POST, proposals=selectors.agenda_proposals(meeting))
    back = reverse("decisions:agenda", args=[meeting.public_id])
    if not form.is_valid():
        error = form.errors["cases"][0]
        return refused(request, error, back=back, status=400)

    def add_all():
        for case in form.cleaned_data["cases"]:
            services.agenda_add(meeting=meeting, referral=case, user=request.user)

    count = len(form.cleaned_data["cases"])
    return post_service(request, add_all, success=f"{count} case{'s' if count != 1 else ''} added.", to=back)


@login_required
@require_POST
def agenda_reorder(request, public_id, item_id):
    item = _item_for(request, public_id, item_id)
    require_role(request.user, item.meeting.panel_id, {Role.COORDINATOR})
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        return refused(request, "Choose up or down.", back=reverse("decisions:agenda", args=[public_id]), status=400)
    return post_service(
        request,
        lambda: services.agenda_reorder(item=item, user=request.user, direction=direction),
        success="",
        to=reverse("decisions:agenda", args=[public_id]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def agenda_remove(request, public_id, item_id):
    item = _item_for(request, public_id, item_id)
    require_role(request.user, item.meeting.panel_id, {Role.COORDINATOR})
    form = ReasonForm(
        request.POST if request.method == "POST" else None,
        label="Why is the case coming off the agenda?",
        button="Take off the agenda",
    )
    saved, _, status = save_form(
        request, form, lambda data: services.agenda_remove(item=item, user=request.user, reason=data["reason"])
    )
    if saved:
        messages.success(request, f"{item.referral.reference} has been taken off the agenda.")
        return redirect("decisions:agenda", public_id=public_id)
    return form_page(
        request,
        form,
        status=status,
        title=f"Take {item.referral.reference} off the agenda",
        caption=item.meeting,
        back=reverse("decisions:agenda", args=[public_id]),
    )


@login_required
@require_GET
def meeting_pack(request, public_id):
    meeting = selectors.meeting_for(request.user, public_id)
    return render(request, "decisions/pack.html", documents.meeting_pack_context(meeting))


@login_required
@require_GET
def meeting_pack_pdf(request, public_id):
    meeting = selectors.meeting_for(request.user, public_id)
    pdf = documents.meeting_pack_pdf(documents.meeting_pack_context(meeting))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{meeting.panel.code}-meeting-pack-{meeting.date:%Y-%m-%d}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def meeting_pack_send(request, public_id):
    meeting = selectors.meeting_for(request.user, public_id)
    require_role(request.user, meeting.panel_id, {Role.COORDINATOR})
    return post_service(
        request,
        lambda: services.meeting_pack_send(meeting=meeting, user=request.user),
        success="Everyone who sits on the panel's meetings has been told the pack is ready.",
        to=reverse("decisions:meeting", args=[meeting.public_id]),
    )


# The chair's items


@login_required
@require_GET
def item_detail(request, public_id, item_id):
    item = _item_for(request, public_id, item_id)
    meeting = item.meeting
    roles = roles_on(request.user, meeting.panel_id)
    row = next((row for row in selectors.agenda(meeting, today=timezone.localdate()) if row.item.pk == item.pk), None)
    if row is None:
        raise Http404("This case is not on the agenda")
    is_item_chair = Role.CHAIR in roles and row.item.chair_id == request.user.pk and meeting.is_open
    context = {
        "meeting": meeting,
        "row": row,
        "item": row.item,
        "referral": row.item.referral,
        "inputs": selectors.case_inputs(row.item.referral),
        "earlier_decisions": [d for d in selectors.case_decisions(row.item.referral) if d.item_id != item.pk],
        "is_item_chair": is_item_chair,
        "is_meeting_chair": Role.CHAIR in roles and meeting.chair_id == request.user.pk and meeting.is_open,
        "kinds_to_record": services.kinds_to_record(row.item, row.decisions) if is_item_chair else [],
    }
    if context["is_meeting_chair"] and not row.item.is_signed_off:
        present = selectors.people_present(meeting)
        context["conflict_form"] = ConflictForm(people=present)
        context["deputy_form"] = PersonChoiceForm(
            people=present.filter(memberships__panel=meeting.panel, memberships__role=Role.CHAIR)
            .exclude(pk=meeting.chair_id)
            .distinct(),
            label="Deputy chair for this item",
            button="Set the item's chair",
            required=False,
            initial={"person": row.item.deputy_chair_id},
        )
    return render(request, "decisions/item.html", context)


@login_required
@require_POST
def conflict_add(request, public_id, item_id):
    item = _item_for(request, public_id, item_id)
    require_role(request.user, item.meeting.panel_id, {Role.CHAIR})
    form = ConflictForm(request.POST, people=selectors.people_present(item.meeting))
    back = reverse("decisions:item", args=[public_id, item_id])
    if not form.is_valid():
        error = next(iter(form.errors.values()))[0]
        return refused(request, error, back=back, status=400)
    return post_service(
        request,
        lambda: services.conflict_record(
            item=item, user=request.user, person=form.cleaned_data["person"], reason=form.cleaned_data["reason"]
        ),
        success="The conflict of interest is recorded: that member takes no part in this item.",
        to=back,
    )


@login_required
@require_POST
def conflict_remove(request, public_id, item_id, conflict_id):
    item = _item_for(request, public_id, item_id)
    require_role(request.user, item.meeting.panel_id, {Role.CHAIR})
    conflict = get_object_or_404(item.conflicts, pk=conflict_id)
    return post_service(
        request,
        lambda: services.conflict_remove(conflict=conflict, user=request.user),
        success="The conflict of interest is withdrawn.",
        to=reverse("decisions:item", args=[public_id, item_id]),
    )


@login_required
@require_POST
def deputy_set(request, public_id, item_id):
    item = _item_for(request, public_id, item_id)
    require_role(request.user, item.meeting.panel_id, {Role.CHAIR})
    form = PersonChoiceForm(
        request.POST,
        people=selectors.people_of_panel(item.meeting.panel),
        label="Deputy chair",
        button="Set the item's chair",
        required=False,
    )
    back = reverse("decisions:item", args=[public_id, item_id])
    if not form.is_valid():
        return refused(request, form.errors["person"][0], back=back, status=400)
    deputy = form.cleaned_data["person"]
    return post_service(
        request,
        lambda: services.item_deputy_chair_set(item=item, user=request.user, deputy=deputy),
        success=f"{deputy} chairs this item." if deputy else "You chair this item.",
        to=back,
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision_record(request, public_id, item_id, kind):
    if kind not in DecisionKind.values:
        raise Http404("No such decision")
    item = _item_for(request, public_id, item_id)
    require_role(request.user, item.meeting.panel_id, {Role.CHAIR})
    if item.chair_id != request.user.pk:
        raise PermissionDenied(services.NOT_THE_CHAIR)
    existing = item.decisions.filter(kind=kind).first()
    others = item.decisions.exclude(kind=kind).exists()
    initial = {}
    if existing:
        initial = {
            "outcome": existing.outcome,
            "reasons": existing.reasons,
            "evidence_considered": existing.evidence_considered,
            "dissent": existing.dissent,
            "deferred_to": existing.deferred_to_id,
            "delay_reason": existing.delay_reason,
            "version": existing.version,
        }
    form = DecisionForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        allows_deferral=not others,
        later_meetings=selectors.later_meetings(item.meeting),
    )
    back = reverse("decisions:item", args=[public_id, item_id])
    saved, _, status = save_form(
        request,
        form,
        lambda data: services.decision_record(
            item=item,
            user=request.user,
            kind=kind,
            outcome=data["outcome"],
            reasons=data["reasons"],
            evidence_considered=data["evidence_considered"],
            dissent=data["dissent"],
            deferred_to=data["deferred_to"] if data["outcome"] == Outcome.DEFERRED else None,
            delay_reason=data["delay_reason"],
            version=data["version"],
        ),
    )
    if saved:
        messages.success(
            request, f"The {DecisionKind(kind).label.lower()} decision is recorded. Sign it off when the panel agrees."
        )
        return redirect(back)
    clock = case_clock(item.referral, today=item.meeting.date)
    return render(
        request,
        "decisions/decision_form.html",
        {
            "form": form,
            "item": item,
            "meeting": item.meeting,
            "referral": item.referral,
            "kind_label": DecisionKind(kind).label,
            "threshold_wording": services.threshold_wording_on(kind, item.meeting.date),
            "clock": clock,
            "back": back,
        },
        status=status,
    )


@login_required
@require_POST
def decision_remove(request, public_id, item_id, kind):
    item = _item_for(request, public_id, item_id)
    require_role(request.user, item.meeting.panel_id, {Role.CHAIR})
    decision = get_object_or_404(item.decisions, kind=kind)
    return post_service(
        request,
        lambda: services.decision_remove(decision=decision, user=request.user),
        success="The decision is removed.",
        to=reverse("decisions:item", args=[public_id, item_id]),
    )


@login_required
@require_POST
def item_sign_off(request, public_id, item_id):
    item = _item_for(request, public_id, item_id)
    require_role(request.user, item.meeting.panel_id, {Role.CHAIR})
    return post_service(
        request,
        lambda: services.item_sign_off(item=item, user=request.user),
        success=f"{item.referral.reference}: signed off. The decisions can no longer change.",
        to=reverse("decisions:meeting", args=[public_id]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def minutes(request, public_id):
    meeting = selectors.meeting_for(request.user, public_id)
    back = reverse("decisions:meeting", args=[public_id])
    if request.method == "POST":
        require_role(request.user, meeting.panel_id, {Role.CHAIR})
        return post_service(
            request,
            lambda: services.minutes_approve(
                meeting=meeting, user=request.user, minutes_html=documents.minutes_html(meeting)
            ),
            success="The minutes are approved and the meeting is closed.",
            to=back,
        )
    return render(
        request,
        "decisions/minutes.html",
        {
            "meeting": meeting,
            "minutes_html": meeting.minutes_html or documents.minutes_html(meeting),
            "can_approve": meeting.is_open and meeting.chair_id == request.user.pk,
            "back": back,
        },
    )


# Agency inputs


@login_required
@require_GET
def inputs_outstanding(request):
    today = timezone.localdate()
    cases = selectors.outstanding_inputs(request.user)[:200]
    return render(
        request,
        "decisions/inputs_outstanding.html",
        {"rows": [(case, case_clock(case, today=today)) for case in cases]},
    )


@login_required
@require_GET
def case_inputs(request, referral_id):
    referral = selectors.readable_case(request.user, referral_id)
    require_role(request.user, referral.panel_id, MEETING_ROLES)
    return render(
        request,
        "decisions/case_inputs.html",
        {"referral": referral, "inputs": selectors.case_inputs(referral)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def agency_input(request, referral_id, agency_id):
    referral = selectors.readable_case(request.user, referral_id)
    agency = get_object_or_404(referral.panel.agencies, pk=agency_id)
    if not services.may_write_input(request.user, agency):
        raise PermissionDenied(services.NOT_YOUR_AGENCY.format(agency=agency))
    current = referral.agency_inputs.filter(agency=agency, locked_by=None).first()
    initial = AgencyInputForm.initial_from(current or selectors.latest_locked_input(referral, agency))
    if current:
        initial["version"] = current.version
    is_required = agency.kind in referral.panel.required_input_kinds
    form = AgencyInputForm(
        request.POST if request.method == "POST" else None, initial=initial, is_required_agency=is_required
    )
    saved, _, status = save_form(
        request,
        form,
        lambda data: services.agency_input_save(
            referral=referral,
            agency=agency,
            user=request.user,
            knowledge=data["knowledge"],
            risks=data["risks"],
            recommendation=data["recommendation"],
            reasons=data["reasons"],
            version=data["version"],
        ),
    )
    if saved:
        messages.success(request, f"{agency}'s input on {referral.reference} is saved.")
        return redirect("referrals:case", public_id=referral.public_id)
    return render(
        request,
        "decisions/agency_input.html",
        {"form": form, "referral": referral, "agency": agency, "current": current, "is_required": is_required},
        status=status,
    )


# Decisions on the case page's behalf: between meetings, reconsideration, closing


@login_required
@require_POST
def between_meetings_start(request, referral_id):
    referral = selectors.readable_case(request.user, referral_id)
    require_role(request.user, referral.panel_id, {Role.CHAIR})
    try:
        item = services.meeting_start_between_meetings(referral=referral, user=request.user)
    except services.DecisionError as error:
        back = reverse("referrals:case", args=[referral.public_id])
        return refused(request, str(error), back=back, status=error_status(error))
    messages.success(request, "Record who takes part, then the decision.")
    return redirect("decisions:attendance", public_id=item.meeting.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def reconsideration_request(request, referral_id):
    referral = selectors.readable_case(request.user, referral_id)
    require_role(request.user, referral.panel_id, {Role.COORDINATOR})
    decision = services.current_negative_decision(referral)
    form = ReconsiderationForm(request.POST if request.method == "POST" else None)
    saved, _, status = save_form(
        request, form, lambda data: services.reconsideration_request(referral=referral, user=request.user, **data)
    )
    if saved:
        messages.success(request, "The request for reconsideration is recorded.")
        return redirect("referrals:case", public_id=referral.public_id)
    return render(
        request,
        "decisions/reconsideration_form.html",
        {"form": form, "referral": referral, "decision": decision},
        status=status,
    )


def _reconsideration_for(request, reconsideration_id) -> Reconsideration:
    reconsideration = get_object_or_404(
        Reconsideration.objects.select_related("referral"),
        pk=reconsideration_id,
        referral__panel_id__in=panel_ids_for(request.user, {Role.COORDINATOR}),
    )
    return reconsideration


@login_required
@require_POST
def reconsideration_accept(request, reconsideration_id):
    reconsideration = _reconsideration_for(request, reconsideration_id)
    return post_service(
        request,
        lambda: services.reconsideration_accept(reconsideration=reconsideration, user=request.user),
        success="Accepted: the case can now go on a meeting's agenda.",
        to=reverse("referrals:case", args=[reconsideration.referral.public_id]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def reconsideration_refuse(request, reconsideration_id):
    reconsideration = _reconsideration_for(request, reconsideration_id)
    back = reverse("referrals:case", args=[reconsideration.referral.public_id])
    form = ReasonForm(
        request.POST if request.method == "POST" else None,
        label="Why is the request refused?",
        button="Refuse the reconsideration",
    )
    saved, _, status = save_form(
        request,
        form,
        lambda data: services.reconsideration_refuse(
            reconsideration=reconsideration, user=request.user, reason=data["reason"]
        ),
    )
    if saved:
        messages.success(request, "The reconsideration is refused and the case is closed.")
        return redirect(back)
    return form_page(
        request,
        form,
        status=status,
        title="Refuse the reconsideration",
        intro="The reason is recorded on the case, where the referrer sees it.",
        caption=reconsideration.referral.reference,
        back=back,
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_close(request, referral_id):
    referral = selectors.readable_case(request.user, referral_id)
    require_role(request.user, referral.panel_id, {Role.COORDINATOR})
    back = reverse("referrals:case", args=[referral.public_id])
    form = ReasonForm(
        request.POST if request.method == "POST" else None,
        label="Why is the case being closed?",
        button="Close the case",
    )
    saved, _, status = save_form(
        request,
        form,
        lambda data: referral_services.referral_close(referral=referral, user=request.user, reason=data["reason"]),
    )
    if saved:
        messages.success(request, f"{referral.reference} is closed.")
        return redirect(back)
    return form_page(
        request,
        form,
        status=status,
        title=f"Close {referral.reference}",
        caption=referral.child_name,
        back=back,
        intro="The reason is recorded on the case, where the referrer sees it.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def lead_social_worker(request, referral_id):
    referral = selectors.readable_case(request.user, referral_id)
    require_role(request.user, referral.panel_id, {Role.COORDINATOR})
    back = reverse("referrals:case", args=[referral.public_id])
    form = PersonChoiceForm(
        request.POST if request.method == "POST" else None,
        people=selectors.people_of_panel(referral.panel).order_by("last_name", "first_name"),
        label="Who is the child's lead social worker?",
        button="Save",
        required=False,
        initial={"person": referral.lead_social_worker_id},
    )
    saved, _, status = save_form(
        request,
        form,
        lambda data: referral_services.referral_set_lead_social_worker(
            referral=referral, user=request.user, lead_social_worker=data["person"]
        ),
    )
    if saved:
        messages.success(request, "The lead social worker is recorded.")
        return redirect(back)
    return form_page(
        request,
        form,
        status=status,
        title="Lead social worker",
        caption=referral.reference,
        back=back,
        intro="They may not chair the panel's item on this case: a deputy chair takes it.",
    )


# Returning decisions to the Single Competent Authority


@login_required
@require_http_methods(["GET", "POST"])
def sca_return(request):
    if not panel_ids_for(request.user, {Role.COORDINATOR}):
        raise PermissionDenied
    to_return = selectors.decisions_for_sca(request.user, returned=False)
    form = DecisionSelectionForm(request.POST if request.method == "POST" else None, decisions=to_return)
    saved, count, status = save_form(
        request,
        form,
        lambda data: services.decisions_mark_returned_to_sca(decisions=data["decisions"], user=request.user),
    )
    if saved:
        messages.success(request, f"{count} decision{'s' if count != 1 else ''} marked as returned to the SCA.")
        return redirect("decisions:sca_return")
    return render(
        request,
        "decisions/sca_return.html",
        {
            "decisions": to_return[:500],
            "recently_returned": selectors.decisions_for_sca(request.user, returned=True).order_by(
                "-returned_to_sca_at"
            )[:20],
            "form": form,
        },
        status=status,
    )


@login_required
@require_GET
def sca_export(request, fmt):
    if fmt not in ("csv", "json"):
        raise Http404("Decisions are exported as CSV or JSON")
    if not panel_ids_for(request.user, {Role.COORDINATOR}):
        raise PermissionDenied
    which = request.GET.get("decisions", "not_returned")
    if which not in ("not_returned", "all"):
        return refused(
            request,
            "Choose decisions not yet returned, or all decisions.",
            back=reverse("decisions:sca_return"),
            status=400,
        )
    decisions = selectors.decisions_for_sca(request.user, returned=False if which == "not_returned" else None)
    rows = decision_rows(decisions)
    stamp = timezone.localtime().strftime("%Y-%m-%d-%H%M")
    if fmt == "json":
        response = HttpResponse(
            json.dumps({"decisions": rows}, indent=2, default=str), content_type="application/json; charset=utf-8"
        )
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        writer = csv.DictWriter(response, fieldnames=list(rows[0]) if rows else ["decision_id"])
        writer.writeheader()
        writer.writerows(spreadsheet_safe(row) for row in rows)
    response["Content-Disposition"] = f'attachment; filename="nrm-decisions-{stamp}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response


# The 45-day clock

AT_RISK_PAGE_SIZE = 50


@login_required
@require_GET
def at_risk(request):
    """Cases at risk of a late decision, for the coordinators and chairs of their panels."""
    if not panel_ids_for(request.user, selectors.AT_RISK_READER_ROLES):
        raise PermissionDenied
    today = timezone.localdate()
    page = Paginator(selectors.cases_at_risk(request.user, today=today), AT_RISK_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [(case, case_clock(case, today=today), selectors.at_risk_reasons(case)) for case in page.object_list]
    return render(request, "decisions/at_risk.html", {"page": page, "rows": rows, "amber_days": AMBER_WHEN_DAYS_LEFT})
