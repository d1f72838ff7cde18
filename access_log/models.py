"""The access log: who saw or fetched what, when and from where. Rows are only ever added.

Besides the model's own refusals, a database trigger (migration 0001) refuses any UPDATE or
DELETE, so not even the admin, a shell or a bug can rewrite what happened."""

from django.conf import settings
from django.db import models


class AccessKind(models.TextChoices):
    PASSWORD_ACCEPTED = "password_accepted", "Password accepted"
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    SECOND_FACTOR_FAILED = "second_factor_failed", "Wrong security code"
    LOCKED_OUT = "locked_out", "Locked out"
    SIGN_OUT = "sign_out", "Signed out"
    ACCOUNT = "account", "Own account and sign-in settings"
    CASE = "case", "Case"
    HEALTH = "health", "Health information"
    DECISION = "decision", "Decision, meeting or agency input"
    SAFEGUARDING = "safeguarding", "Support, actions or court proceedings"
    LIST = "list", "List or search"
    REPORT = "report", "Report or data return"
    LETTER_DOWNLOAD = "letter_download", "Letter downloaded"
    ATTACHMENT_DOWNLOAD = "attachment_download", "Document downloaded"
    EXPORT_DOWNLOAD = "export_download", "Export downloaded"
    PEOPLE = "people", "Panel people and roles"
    RECORDS = "records", "Retention, anonymisation or subject access"
    ACCESS_LOG = "access_log", "Access log"
    ADMINISTRATION = "administration", "Administration"


class AppendOnly(Exception):
    pass


class AccessEvent(models.Model):
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Plain references, not enforced keys: an event outlives whatever it names.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    # As typed, for a failed sign-in; the person's address otherwise.
    email = models.CharField(max_length=254, blank=True)
    kind = models.CharField(max_length=30, choices=AccessKind.choices)
    method = models.CharField(max_length=10, blank=True)
    path = models.CharField(max_length=500, blank=True)
    url_name = models.CharField(max_length=100, blank=True)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    address = models.CharField("from address", max_length=45, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    panel = models.ForeignKey(
        "nrm_panel.Panel", null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    referral = models.ForeignKey(
        "referrals.Referral",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["panel", "-at"], name="access_panel_at"),
            models.Index(fields=["referral", "-at"], name="access_referral_at"),
            models.Index(fields=["user", "-at"], name="access_user_at"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} by {self.email or 'someone not signed in'} at {self.at:%d %B %Y %H:%M:%S}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnly("The access log is append-only: an event cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("The access log is append-only: an event cannot be deleted")
