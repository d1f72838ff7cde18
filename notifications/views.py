"""The person's notifications: a list, and a link that opens one (the link an email carries)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from notifications import selectors, services

PER_PAGE = 50


@login_required
@require_GET
def notification_list(request):
    notifications = selectors.visible_notifications(request.user)
    page = Paginator(notifications, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_GET
def notification_open(request, public_id):
    notification = get_object_or_404(selectors.visible_notifications(request.user), public_id=public_id)
    return redirect(services.notification_open(notification))


@login_required
@require_POST
def notifications_mark_all_read(request):
    services.notifications_mark_all_read(request.user)
    return redirect("notifications:list")
