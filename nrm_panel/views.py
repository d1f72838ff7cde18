from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from nrm_panel.permissions import active_memberships


@login_required
@require_GET
def home(request):
    if any(m.role != "administrator" for m in active_memberships(request.user)):
        return redirect("referrals:list")
    return render(request, "home.html", {"memberships": active_memberships(request.user)})


@require_GET
def health(request):
    """For the load balancer and docker's health check: the app is up and reaches its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
