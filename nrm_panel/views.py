"""Home, the health check, and a panel administrator's page of the panel's people."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nrm_panel import services
from nrm_panel.forms import MembershipAddForm
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
    """Django's sign-in, answering a failed attempt with 400 like every other form with errors."""

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


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
