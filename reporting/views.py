"""The reporting dashboard: one panel's figures, or several panels' side by side, for chosen referral dates."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from nrm_panel.permissions import CASE_READER_ROLES, has_role
from reporting import charts, figures
from reporting.data_return import recent_exports
from reporting.forms import ReportForm
from reporting.scope import may_download_case_rows, reporting_panels


@login_required
@require_GET
def dashboard(request):
    panels = list(reporting_panels(request.user))
    if not panels:
        raise PermissionDenied
    today = timezone.localdate()
    form = ReportForm(request.GET if request.GET else None, panels=panels, today=today)
    context = {"form": form, "today": today}
    if not form.is_valid():
        return render(request, "reporting/dashboard.html", context, status=400)
    chosen = form.chosen_panels()
    suppress = form.cleaned_data["suppress"]
    scope = figures.Scope(panels=chosen, date_from=form.cleaned_data["date_from"], date_to=form.cleaned_data["date_to"])
    context |= {
        "scope": scope,
        "suppress": suppress,
        "tables": [charts.shown(table, suppress=suppress) for table in figures.dashboard_tables(scope, today=today)],
        "query": request.GET.urlencode(),
        "can_export": may_download_case_rows(request.user, chosen),
    }
    if context["can_export"]:
        context["exports"] = recent_exports(chosen)
    # Person-level rows only on one panel's page, for those who read its cases; never across panels.
    if len(chosen) == 1 and has_role(request.user, chosen[0].pk, CASE_READER_ROLES):
        context["overdue"], context["overdue_count"] = figures.overdue_cases(chosen[0], today=today)
    return render(request, "reporting/dashboard.html", context)
