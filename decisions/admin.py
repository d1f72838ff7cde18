"""Threshold wordings are kept here by the instance's administrators; the rest is read-only history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from decisions.models import AgencyInput, Decision, Letter, LetterDownload, PanelMeeting, ThresholdWording
from referrals.admin import ReadOnlyAdmin, ReadOnlyHistoryAdmin


@admin.register(ThresholdWording)
class ThresholdWordingAdmin(SimpleHistoryAdmin):
    """A new wording is added with the date guidance brings it in; a wording in use is never edited,
    because decisions already made under it store its text."""

    list_display = ["kind", "in_force_from", "wording"]
    list_filter = ["kind"]

    def has_change_permission(self, request, obj=None):
        return obj is None

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PanelMeeting)
class PanelMeetingAdmin(ReadOnlyHistoryAdmin):
    list_display = ["__str__", "panel", "status"]
    list_filter = ["panel", "status", "kind"]
    list_select_related = ["panel"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyHistoryAdmin):
    list_display = ["referral", "kind", "outcome", "decided_on", "signed_off_at", "returned_to_sca_at"]
    list_filter = ["kind", "outcome"]
    list_select_related = ["referral"]


@admin.register(AgencyInput)
class AgencyInputAdmin(ReadOnlyHistoryAdmin):
    list_display = ["referral", "agency", "recommendation", "updated_at"]
    list_select_related = ["referral", "agency"]


@admin.register(Letter)
class LetterAdmin(ReadOnlyHistoryAdmin):
    list_display = ["referral", "kind", "version", "status", "requested_at", "sha256"]
    list_filter = ["kind", "status"]
    list_select_related = ["referral"]
    exclude = ["file"]


@admin.register(LetterDownload)
class LetterDownloadAdmin(ReadOnlyAdmin):
    """Who downloaded which letter: an audit record, never changed."""

    list_display = ["letter", "downloaded_by", "downloaded_at", "export"]
    list_select_related = ["letter__referral", "downloaded_by"]
