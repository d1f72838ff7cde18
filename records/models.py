"""Records management: the coordinator's review of closed cases past their panel's retention period, and the
record that a case was anonymised.

Neither keeps a django-simple-history: a review is never changed (a new review is a new row, the latest
counts) and an anonymisation is written once.
"""

from django.conf import settings
from django.db import models

from referrals.models import Referral


class RetentionDecision(models.TextChoices):
    ANONYMISE = "anonymise", "Anonymise"
    KEEP = "keep", "Keep until a later date"


class KeepReason(models.TextChoices):
    """Why a case past its retention period is kept: the usual reasons in records schedules for children's
    social care, and another reason the coordinator explains."""

    COURT_PROCEEDINGS = "court_proceedings", "Court proceedings (criminal or family)"
    RECONSIDERATION = "reconsideration", "A reconsideration, or a new referral of the same child"
    COMPLAINT = "complaint", "A complaint or a legal claim"
    SUBJECT_ACCESS = "subject_access", "A subject access request being answered"
    INQUIRY = "inquiry", "A review or inquiry (for example a child safeguarding practice review)"
    OTHER = "other", "Another reason"


class RetentionReview(models.Model):
    """A coordinator's decision on a closed case past its panel's retention period: anonymise it, or keep it
    until a date with a reason. The latest review of a case is the one in force."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="retention_reviews")
    decision = models.CharField(max_length=10, choices=RetentionDecision.choices)
    keep_until = models.DateField(null=True, blank=True, help_text="A kept case is listed for review again then")
    keep_reason = models.CharField(max_length=20, choices=KeepReason.choices, blank=True)
    # Emptied when the case is anonymised: the coordinator may have named people in it.
    details = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reviewed_at", "-id"]
        indexes = [models.Index(fields=["referral", "-reviewed_at", "-id"], name="retention_review_latest")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(decision=RetentionDecision.KEEP, keep_until__isnull=False) & ~models.Q(keep_reason="")
                )
                | models.Q(decision=RetentionDecision.ANONYMISE, keep_until__isnull=True, keep_reason=""),
                name="retention_review_keep_has_date_and_reason",
            )
        ]

    def __str__(self):
        if self.decision == RetentionDecision.KEEP:
            return f"{self.referral}: keep until {self.keep_until:%-d %B %Y}"
        return f"{self.referral}: anonymise"


class Anonymisation(models.Model):
    """That a case was anonymised, when, and on whose review. What was removed is listed in
    `removed_files` (the stored files deleted, each with its size and SHA-256) and `rows` (how many records
    of each kind, history included, were cleared)."""

    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="anonymisation")
    review = models.ForeignKey(RetentionReview, on_delete=models.PROTECT, related_name="+")
    anonymised_at = models.DateTimeField(auto_now_add=True)
    removed_files = models.JSONField(default=list)
    rows = models.JSONField(default=dict)
    # Files are deleted once the anonymisation has committed; a run that died in between finishes the job.
    files_deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-anonymised_at"]
        indexes = [
            models.Index(
                fields=["anonymised_at"], name="anonymisation_files_left", condition=models.Q(files_deleted_at=None)
            )
        ]

    def __str__(self):
        return f"{self.referral} anonymised on {self.anonymised_at:%-d %B %Y}"
