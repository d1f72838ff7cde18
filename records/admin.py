from django.contrib import admin

from records.models import Anonymisation, RetentionReview
from referrals.admin import ReadOnlyAdmin


@admin.register(RetentionReview)
class RetentionReviewAdmin(ReadOnlyAdmin):
    """Read-only: a review is recorded by the panel's coordinator, on the Retention review page."""

    list_display = ["referral", "decision", "keep_until", "keep_reason", "reviewed_by", "reviewed_at"]
    list_filter = ["decision", "referral__panel"]
    search_fields = ["referral__reference"]
    list_select_related = ["referral", "reviewed_by"]


@admin.register(Anonymisation)
class AnonymisationAdmin(ReadOnlyAdmin):
    """Read-only: cases are anonymised by `manage.py anonymise_cases`."""

    list_display = ["referral", "anonymised_at", "files_deleted_at"]
    list_filter = ["referral__panel"]
    search_fields = ["referral__reference"]
    list_select_related = ["referral"]
