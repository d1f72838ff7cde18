"""Pages for the ICTG and other support referrals, safeguarding actions, the transition plan and the list of
children turning 18.

Views parse input, call one service and render. Cases come from `selectors.panel_case_for` and records from
`selectors.support_referral_for` / `safeguarding_action_for`, all scoped to the panels where the person reads
cases: a referrer's or another panel's request for one is a 404. Writing needs the role the service names
(a 403 before any form is shown); a broken rule is shown next to the answer, with everything typed kept.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from decisions.view_helpers import form_page, require_role, save_form
from nrm_panel.permissions import panel_ids_for
from safeguarding import selectors
from safeguarding.forms import (
    ActionDoneForm,
    ActionReopenForm,
    SafeguardingActionForm,
    SupportReferralForm,
    TransitionPlanForm,
)
from safeguarding.models import SupportKind
from safeguarding.services import history_version, support
from safeguarding.services.support import ACTION_WRITER_ROLES, SUPPORT_WRITER_ROLES, TRANSITION_WRITER_ROLES

TURNING_18_PAGE_SIZE = 50


def _case_url(referral) -> str:
    return reverse("referrals:case", args=[referral.public_id]) + "#support"


def _case_form_page(request, form, status: int, *, template: str, referral, title: str, **context):
    return form_page(
        request,
        form,
        status=status,
        title=title,
        back=_case_url(referral),
        caption=f"{referral.reference}: {referral.child_name}",
        template=f"safeguarding/{template}",
        **context,
    )


def _data(request):
    return request.POST if request.method == "POST" else None


# Support referrals


@login_required
@require_http_methods(["GET", "POST"])
def support_referral_create(request, referral_id):
    referral = selectors.panel_case_for(request.user, referral_id)
    require_role(request.user, referral.panel_id, SUPPORT_WRITER_ROLES)
    # The case page offers "Record an ICTG referral" and "Record another support referral".
    initial = {"kind": SupportKind.ICTG} if request.GET.get("kind") == SupportKind.ICTG else {}
    form = SupportReferralForm(_data(request), initial=initial, button="Record the referral")
    saved, support_referral, status = save_form(
        request,
        form,
        lambda data: support.support_referral_record(
            referral=referral,
            user=request.user,
            kind=data["kind"],
            service_name=data["service_name"],
            referred_on=data["referred_on"],
            outcome=data["outcome"],
            outcome_on=data["outcome_on"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
            contact_email=data["contact_email"],
            notes=data["notes"],
        ),
    )
    if saved:
        messages.success(request, f"The {support_referral.get_kind_display()} referral is recorded.")
        return redirect(_case_url(referral))
    return _case_form_page(
        request,
        form,
        status,
        template="support_referral_form.html",
        referral=referral,
        title="Record a support referral",
    )


@login_required
@require_http_methods(["GET", "POST"])
def support_referral_change(request, public_id):
    support_referral = selectors.support_referral_for(request.user, public_id)
    referral = support_referral.referral
    require_role(request.user, referral.panel_id, SUPPORT_WRITER_ROLES)
    form = SupportReferralForm(
        _data(request), initial=SupportReferralForm.initial_from(support_referral), button="Save changes"
    )
    saved, _, status = save_form(
        request,
        form,
        lambda data: support.support_referral_update(
            support_referral=support_referral,
            user=request.user,
            kind=data["kind"],
            service_name=data["service_name"],
            referred_on=data["referred_on"],
            outcome=data["outcome"],
            outcome_on=data["outcome_on"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
            contact_email=data["contact_email"],
            notes=data["notes"],
            version=data["version"],
        ),
    )
    if saved:
        messages.success(request, "The support referral is saved.")
        return redirect(_case_url(referral))
    return _case_form_page(
        request,
        form,
        status,
        template="support_referral_form.html",
        referral=referral,
        title=f"Change the {support_referral.get_kind_display()} referral",
    )


# Safeguarding actions


@login_required
@require_http_methods(["GET", "POST"])
def action_create(request, referral_id):
    referral = selectors.panel_case_for(request.user, referral_id)
    require_role(request.user, referral.panel_id, ACTION_WRITER_ROLES)
    form = SafeguardingActionForm(_data(request), button="Record the action")
    saved, _, status = save_form(
        request,
        form,
        lambda data: support.action_record(
            referral=referral, user=request.user, action=data["action"], owner=data["owner"], due_on=data["due_on"]
        ),
    )
    if saved:
        messages.success(request, "The safeguarding action is recorded.")
        return redirect(_case_url(referral))
    return _case_form_page(
        request, form, status, template="action_form.html", referral=referral, title="Record a safeguarding action"
    )


def _action_form_view(request, public_id, *, form_for, save, success: str, title: str):
    """A page changing one safeguarding action: `form_for(action)` makes its form, `save(action, data)` runs
    its service."""
    action = selectors.safeguarding_action_for(request.user, public_id)
    referral = action.referral
    require_role(request.user, referral.panel_id, ACTION_WRITER_ROLES)
    form = form_for(action)
    saved, _, status = save_form(request, form, lambda data: save(action, data))
    if saved:
        messages.success(request, success)
        return redirect(_case_url(referral))
    return _case_form_page(
        request, form, status, template="action_form.html", referral=referral, title=title, action=action
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_change(request, public_id):
    return _action_form_view(
        request,
        public_id,
        form_for=lambda action: SafeguardingActionForm(
            _data(request),
            initial={
                "action": action.action,
                "owner": action.owner,
                "due_on": action.due_on,
                "version": history_version(action),
            },
            button="Save changes",
            current_due_on=action.due_on,
        ),
        save=lambda action, data: support.action_update(
            safeguarding_action=action,
            user=request.user,
            action=data["action"],
            owner=data["owner"],
            due_on=data["due_on"],
            version=data["version"],
        ),
        success="The safeguarding action is saved.",
        title="Change a safeguarding action",
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_done(request, public_id):
    return _action_form_view(
        request,
        public_id,
        form_for=lambda action: ActionDoneForm(
            _data(request), initial={"done_on": timezone.localdate()}, referral=action.referral
        ),
        save=lambda action, data: support.action_done(
            safeguarding_action=action, user=request.user, done_on=data["done_on"], done_note=data["done_note"]
        ),
        success="The safeguarding action is marked as done.",
        title="Mark a safeguarding action as done",
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_reopen(request, public_id):
    return _action_form_view(
        request,
        public_id,
        form_for=lambda action: ActionReopenForm(_data(request)),
        save=lambda action, data: support.action_reopen(
            safeguarding_action=action, user=request.user, reason=data["reason"]
        ),
        success="The safeguarding action is open again.",
        title="Reopen a safeguarding action",
    )


# Turning 18


@login_required
@require_http_methods(["GET", "POST"])
def transition_plan(request, referral_id):
    referral = selectors.panel_case_for(request.user, referral_id)
    require_role(request.user, referral.panel_id, TRANSITION_WRITER_ROLES)
    current = selectors.transition_plan_of(referral)
    form = TransitionPlanForm(_data(request), initial=TransitionPlanForm.initial_from(current))
    saved, _, status = save_form(
        request,
        form,
        lambda data: support.transition_plan_save(
            referral=referral,
            user=request.user,
            plan=data["plan"],
            adult_services_referred_on=data["adult_services_referred_on"],
            adult_services_team=data["adult_services_team"],
            adult_services_contact=data["adult_services_contact"],
            version=data["version"],
        ),
    )
    if saved:
        messages.success(request, "The transition plan is saved.")
        return redirect(_case_url(referral))
    return _case_form_page(
        request,
        form,
        status,
        template="transition_plan_form.html",
        referral=referral,
        title="Change the transition plan" if current else "Record the transition plan",
        turning_18=selectors.turning_18_flag(referral, today=timezone.localdate()),
    )


@login_required
@require_GET
def turning_18(request):
    """Children of the user's panels who turn 18 within six months, or have turned 18 with the case still open."""
    if not panel_ids_for(request.user, selectors.TURNING_18_READER_ROLES):
        raise PermissionDenied
    today = timezone.localdate()
    page = Paginator(selectors.turning_18_cases(request.user, today=today), TURNING_18_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [
        (case, selectors.turning_18_flag(case, today=today), selectors.transition_plan_of(case))
        for case in page.object_list
    ]
    return render(
        request,
        "safeguarding/turning_18.html",
        {
            "page": page,
            "rows": rows,
            "shows_panel": len(panel_ids_for(request.user, selectors.TURNING_18_READER_ROLES)) > 1,
        },
    )
