"""Home, signing in and out (with the security code step), your account, the health check, and a
panel administrator's page of the panel's people."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, LogoutView
from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nrm_panel import services, two_factor
from nrm_panel.forms import MembershipAddForm, SecurityCodeForm
from nrm_panel.models import Membership, Panel, Role
from nrm_panel.permissions import active_memberships, panel_ids_for


@login_required
@require_GET
def home(request):
    if any(m.role != Role.ADMINISTRATOR for m in active_memberships(request.user)):
        return redirect("referrals:list")
    panels = Panel.objects.filter(pk__in=panel_ids_for(request.user, {Role.ADMINISTRATOR}))
    return render(
        request, "home.html", {"memberships": active_memberships(request.user), "administered_panels": panels}
    )


class SignInView(LoginView):
    """Django's sign-in (the password step), answering a failed attempt with 400 like every other
    form with errors, and going on to the security code step."""

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_success_url(self):
        after = super().get_success_url()
        if not two_factor.required():
            return after
        step = "second_factor" if two_factor.authenticator(self.request.user) else "second_factor_set_up"
        return f"{reverse(step)}?{urlencode({'next': after})}"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, signed_out_idle=self.request.GET.get("signed_out") == "idle")


class SignOutView(LogoutView):
    """Signing out ends the person's sessions on every device, not only this browser's."""

    def post(self, request, *args, **kwargs):
        two_factor.signing_out(request.user)
        return super().post(request, *args, **kwargs)


@login_required
@require_http_methods(["GET", "POST"])
def second_factor(request):
    if request.user.is_verified():
        return redirect(two_factor.safe_next(request))
    if two_factor.authenticator(request.user) is None:
        return redirect("second_factor_set_up")
    form = SecurityCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            two_factor.verify(request, form.cleaned_data["code"])
        except two_factor.CodeRefused as refusal:
            form.add_error("code", str(refusal))
        else:
            remaining = two_factor.backup_codes_remaining(request.user)
            if remaining <= 3:
                messages.success(request, f"You have {remaining} backup codes left. Make new ones on Your account.")
            return redirect(two_factor.safe_next(request))
    status = 400 if form.errors else 200
    return render(
        request, "registration/second_factor.html", {"form": form, "next": two_factor.safe_next(request)}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_set_up(request):
    """A person with no authenticator yet adds one: scan (or type) the secret, then confirm a code."""
    if two_factor.authenticator(request.user) is not None and not request.user.is_verified():
        return redirect("second_factor")
    device = two_factor.authenticator_to_set_up(request.user)
    form = SecurityCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.set_up(request, device, form.cleaned_data["code"])
        except two_factor.CodeRefused as refusal:
            form.add_error("code", str(refusal))
        else:
            return render(
                request,
                "registration/backup_codes.html",
                {"codes": codes, "next": two_factor.safe_next(request), "first_time": True},
            )
    status = 400 if form.errors else 200
    context = {
        "form": form,
        "qr_code": two_factor.qr_code_svg(device),
        "secret_key": two_factor.secret_key(device),
        "next": two_factor.safe_next(request),
        "replacing": two_factor.authenticator(request.user) is not None,
    }
    return render(request, "registration/second_factor_set_up.html", context, status=status)


@login_required
@require_GET
def account(request):
    context = {
        "authenticator": two_factor.authenticator(request.user),
        "backup_codes_remaining": two_factor.backup_codes_remaining(request.user),
        "memberships": active_memberships(request.user),
    }
    return render(request, "registration/account.html", context)


@login_required
@require_POST
def second_factor_backup_codes(request):
    codes = two_factor.backup_codes_replace(request.user)
    return render(request, "registration/backup_codes.html", {"codes": codes, "next": reverse("account")})


@login_required
@require_GET
def session_keep_alive(request):
    """The "stay signed in" button of the warning before a session ends: any request starts the count again."""
    return HttpResponse(status=204)


@require_GET
def health(request):
    """For the load balancer and docker's health check: the app is up and reaches its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def _administered_panel(request, panel_id) -> Panel:
    if panel_id not in panel_ids_for(request.user, {Role.ADMINISTRATOR}) and not request.user.is_superuser:
        raise Http404("No such panel")
    return get_object_or_404(Panel, pk=panel_id)


@login_required
@require_GET
def panel_people(request, panel_id):
    panel = _administered_panel(request, panel_id)
    memberships = (
        Membership.objects.filter(panel=panel, is_active=True)
        .select_related("user", "agency")
        .order_by("user__last_name", "user__first_name", "role")
    )
    return render(request, "nrm_panel/people.html", {"panel": panel, "memberships": memberships})


@login_required
@require_http_methods(["GET", "POST"])
def panel_person_add(request, panel_id):
    panel = _administered_panel(request, panel_id)
    form = MembershipAddForm(request.POST or None, panel=panel)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.membership_add(
                panel=panel, added_by=request.user, site_url=request.build_absolute_uri("/"), **form.cleaned_data
            )
        except services.MembershipError as error:
            form.add_error(None, str(error))
        else:
            role = membership.get_role_display().lower()
            messages.success(request, f"{form.cleaned_data['email']} is now {role} on {panel}. They have been emailed.")
            return redirect("panel_people", panel_id=panel.pk)
    status = 400 if form.errors else 200
    return render(request, "nrm_panel/person_add.html", {"panel": panel, "form": form}, status=status)


@login_required
@require_POST
def panel_person_sign_in_reset(request, panel_id, membership_id):
    panel = _administered_panel(request, panel_id)
    membership = get_object_or_404(
        Membership.objects.select_related("user"), pk=membership_id, panel=panel, is_active=True
    )
    try:
        services.sign_in_reset(membership=membership, reset_by=request.user, site_url=request.build_absolute_uri("/"))
    except services.MembershipError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{membership.user}'s sign-in was reset. They have been emailed.")
    return redirect("panel_people", panel_id=panel.pk)


@login_required
@require_POST
def panel_membership_end(request, panel_id, membership_id):
    panel = _administered_panel(request, panel_id)
    membership = get_object_or_404(
        Membership.objects.select_related("user"), pk=membership_id, panel=panel, is_active=True
    )
    try:
        services.membership_end(membership=membership, ended_by=request.user)
    except services.MembershipError as error:
        messages.error(request, str(error))
        return redirect("panel_people", panel_id=panel.pk)
    messages.success(request, f"{membership.user} is no longer {membership.get_role_display().lower()} on {panel}.")
    return redirect("panel_people", panel_id=panel.pk)
