"""Pages for criminal proceedings concerning the child: the proceedings, their hearings, the defence solicitor, the
decision summary letter for the defence and the record of whom it was sent to.

Proceedings come from `selectors.proceeding_for`, which starts from the cases the user reads as a member of
the panel: another panel's ids, and a referrer's, are a 404. Only the coordinator writes (a 403 for the rest of
the panel). The hearing and "sent" forms and the issue button live on the proceedings' page, which shows a
refusal next to what was typed, with a 4xx.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from decisions.view_helpers import form_page, post_service, require_role, save_form
from nrm_panel.models import Role
from safeguarding import selectors
from safeguarding.forms import DefenceSummaryCorrectForm, HearingForm, LetterSentForm, ProceedingForm
from safeguarding.services import court, history_version

COORDINATOR_ONLY = {Role.COORDINATOR}
PROCEEDING_FIELDS = court.PROCEEDING_FIELDS


def _proceeding_to_write(request, public_id):
    proceeding = selectors.proceeding_for(request.user, public_id)
    require_role(request.user, proceeding.referral.panel_id, COORDINATOR_ONLY)
    return proceeding


def _sent_form(request, proceeding, data=None) -> LetterSentForm:
    return LetterSentForm(
        data,
        letters=selectors.proceeding_letters(request.user, proceeding),
        default_recipient=proceeding.solicitor,
        initial={"sent_on": timezone.localdate()},
    )


def _page(request, proceeding, *, status: int = 200, **bound):
    """The proceedings' page. `bound` holds a form that was posted and refused, shown with what was typed."""
    context = selectors.proceeding_page(request.user, proceeding, today=timezone.localdate())
    context["address_problem"] = court.solicitor_address_problem(proceeding)
    if context["is_coordinator"]:
        context["hearing_form"] = bound.get("hearing_form") or HearingForm()
        context["issue_form"] = bound.get("issue_form") or forms.Form()
        context["sent_form"] = bound.get("sent_form") or (
            _sent_form(request, proceeding) if context["letters"] else None
        )
    context["refused_form"] = next((form for form in bound.values() if form.errors), None)
    return render(request, "safeguarding/proceeding_detail.html", context, status=status)


# Proceedings


@login_required
@require_http_methods(["GET", "POST"])
def proceeding_create(request, referral_id):
    referral = selectors.panel_case_for(request.user, referral_id)
    require_role(request.user, referral.panel_id, COORDINATOR_ONLY)
    form = ProceedingForm(request.POST if request.method == "POST" else None, button="Save the proceedings")
    saved, proceeding, status = save_form(
        request,
        form,
        lambda data: court.proceeding_record(
            referral=referral, user=request.user, **{name: data[name] for name in PROCEEDING_FIELDS}
        ),
    )
    if saved:
        messages.success(request, f"The proceedings at {proceeding.court} are recorded. Add their hearings below.")
        return redirect("safeguarding:proceeding", public_id=proceeding.public_id)
    return form_page(
        request,
        form,
        title="Record criminal proceedings",
        caption=f"{referral.reference}: {referral.child_name}",
        back=reverse("referrals:case", args=[referral.public_id]) + "#criminal-proceedings",
        status=status,
        intro="Proceedings in which the child is charged with an offence. The panel's decision summary for the "
        "defence (Modern Slavery Act 2015, section 45) is addressed to the defence solicitor recorded here.",
    )


@login_required
@require_GET
def proceeding_detail(request, public_id):
    return _page(request, selectors.proceeding_for(request.user, public_id))


@login_required
@require_http_methods(["GET", "POST"])
def proceeding_change(request, public_id):
    proceeding = _proceeding_to_write(request, public_id)
    initial = {name: getattr(proceeding, name) for name in PROCEEDING_FIELDS}
    initial["version"] = history_version(proceeding)
    form = ProceedingForm(request.POST if request.method == "POST" else None, initial=initial, button="Save changes")
    saved, _, status = save_form(
        request,
        form,
        lambda data: court.proceeding_update(
            proceeding=proceeding,
            user=request.user,
            version=data["version"],
            **{name: data[name] for name in PROCEEDING_FIELDS},
        ),
    )
    if saved:
        messages.success(request, "The proceedings are saved. Letters already issued keep the address they went to.")
        return redirect("safeguarding:proceeding", public_id=proceeding.public_id)
    return form_page(
        request,
        form,
        title="Change the proceedings",
        caption=f"{proceeding.referral.reference}: {proceeding}",
        back=reverse("safeguarding:proceeding", args=[proceeding.public_id]),
        status=status,
    )


# Hearings


@login_required
@require_POST
def hearing_add(request, public_id):
    proceeding = _proceeding_to_write(request, public_id)
    form = HearingForm(request.POST)
    saved, hearing, status = save_form(
        request,
        form,
        lambda data: court.hearing_add(
            proceeding=proceeding, user=request.user, date=data["date"], purpose=data["purpose"]
        ),
    )
    if saved:
        messages.success(request, f"Hearing added: {hearing}.")
        return redirect(reverse("safeguarding:proceeding", args=[proceeding.public_id]) + "#hearings")
    return _page(request, proceeding, status=status, hearing_form=form)


@login_required
@require_POST
def hearing_remove(request, public_id, hearing_id):
    proceeding = _proceeding_to_write(request, public_id)
    hearing = selectors.hearing_for(proceeding, hearing_id)
    return post_service(
        request,
        lambda: court.hearing_remove(hearing=hearing, user=request.user),
        success=f"Hearing removed: {hearing}.",
        to=reverse("safeguarding:proceeding", args=[proceeding.public_id]) + "#hearings",
    )


# The decision summary letter for the defence


@login_required
@require_POST
def defence_summary_issue(request, public_id):
    proceeding = _proceeding_to_write(request, public_id)
    form = forms.Form(request.POST)
    saved, _, status = save_form(
        request, form, lambda data: court.defence_summary_issue(proceeding=proceeding, user=request.user)
    )
    if saved:
        messages.success(
            request,
            f"The decision summary letter to {proceeding.solicitor_name} is being prepared: "
            "it is ready to download in a moment.",
        )
        return redirect(reverse("safeguarding:proceeding", args=[proceeding.public_id]) + "#defence-letter")
    return _page(request, proceeding, status=status, issue_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def defence_summary_correct(request, public_id):
    proceeding = _proceeding_to_write(request, public_id)
    form = DefenceSummaryCorrectForm(request.POST if request.method == "POST" else None)
    saved, letter, status = save_form(
        request,
        form,
        lambda data: court.defence_summary_correct(proceeding=proceeding, user=request.user, reason=data["reason"]),
    )
    if saved:
        messages.success(
            request,
            f"Version {letter.version} is being prepared for {proceeding.solicitor_name}. Earlier versions stay.",
        )
        return redirect(reverse("safeguarding:proceeding", args=[proceeding.public_id]) + "#defence-letter")
    address = ", ".join(line.strip() for line in proceeding.solicitor_address.splitlines() if line.strip())
    return form_page(
        request,
        form,
        title="Correct the decision summary letter",
        caption=f"{proceeding.referral.reference}: {proceeding}",
        back=reverse("safeguarding:proceeding", args=[proceeding.public_id]) + "#defence-letter",
        status=status,
        intro=f"A new version is made from the panel's decisions as they stand now, addressed to "
        f"{proceeding.solicitor}, {address}, with your reason printed on it. Earlier versions are kept. "
        "If the solicitor has changed, change the proceedings first.",
    )


@login_required
@require_POST
def letter_sent_record(request, public_id):
    proceeding = _proceeding_to_write(request, public_id)
    form = _sent_form(request, proceeding, request.POST)
    saved, sent, status = save_form(
        request,
        form,
        lambda data: court.letter_sent_record(
            proceeding=proceeding,
            user=request.user,
            letter=data["letter"],
            sent_on=data["sent_on"],
            method=data["method"],
            recipient=data["recipient"],
        ),
    )
    if saved:
        messages.success(request, f"Recorded: version {sent.letter.version} sent to {sent.recipient}.")
        return redirect(reverse("safeguarding:proceeding", args=[proceeding.public_id]) + "#letters-sent")
    return _page(request, proceeding, status=status, sent_form=form)
