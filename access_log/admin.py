from django.contrib import admin

from access_log.models import AccessEvent
from referrals.admin import ReadOnlyAdmin


@admin.register(AccessEvent)
class AccessEventAdmin(ReadOnlyAdmin):
    """The access log, read-only: the app's own page (Access log) is where auditors search it."""

    list_display = ["at", "email", "kind", "method", "path", "status", "address"]
    list_filter = ["kind"]
    search_fields = ["email", "path", "address"]
    date_hierarchy = "at"
