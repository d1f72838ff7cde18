"""The access log, searched by an auditor (their panels) or an instance administrator (every panel)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from access_log import selectors
from access_log.forms import AccessSearchForm

PER_PAGE = 50


@login_required
@require_GET
def search(request):
    if not selectors.may_read(request.user):
        raise Http404("No such page")
    form = AccessSearchForm(request.GET or None)
    events = selectors.readable_events(request.user)
    if form.is_bound:
        events = selectors.matching(events, **form.cleaned_data) if form.is_valid() else events.none()
    page = Paginator(events, PER_PAGE, allow_empty_first_page=True).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    status = 400 if form.errors else 200
    return render(
        request, "access_log/search.html", {"form": form, "page": page, "query": query.urlencode()}, status=status
    )
