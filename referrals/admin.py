"""Case data in Django admin is read-only history: changes to a case go through its services."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from referrals.models import Attachment, DutyToNotify, Referral


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyHistoryAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    pass


@admin.register(Referral)
class ReferralAdmin(ReadOnlyHistoryAdmin):
    list_display = ["reference", "panel", "state", "referral_date"]
    list_filter = ["panel", "state"]
    search_fields = ["reference"]
    list_select_related = ["panel"]
    exclude = ["possible_duplicates"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyHistoryAdmin):
    list_display = ["original_name", "referral", "uploaded_at"]
    exclude = ["file"]  # stored files have no URL; they are downloaded from the case page
    list_select_related = ["referral"]


@admin.register(DutyToNotify)
class DutyToNotifyAdmin(ReadOnlyHistoryAdmin):
    list_display = ["panel", "recorded_at", "gender", "exploited_in"]
    list_filter = ["panel"]
