"""What the app tells people: an in-app list with an unread count, and an email that carries only a link.

A notification row is written in the same transaction as the change it reports, so it is also
the email outbox: nothing is lost when Redis or the worker is down (DESIGN.md section 6).
"""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from nrm_panel.models import Panel, Role


class Kind(models.TextChoices):
    REFERRAL_RETURNED = "referral_returned", "Referral returned for more information"
    REFERRAL_ACCEPTED = "referral_accepted", "Referral accepted"
    INPUT_REQUESTED = "input_requested", "Agency input requested"
    INPUT_OVERDUE = "input_overdue", "Agency input overdue"
    MEETING_PACK_READY = "meeting_pack_ready", "Meeting pack ready"
    DECISION_SIGNED = "decision_signed", "Decision signed off"
    LETTER_READY = "letter_ready", "Letter ready"
    CLOCK = "clock", "The 45-day clock"
    HEALTH_RESPONSE_RECEIVED = "health_response_received", "Health information received"
    HEALTH_REQUEST_OVERDUE = "health_request_overdue", "Health information request overdue"


class EmailState(models.TextChoices):
    PENDING = "pending", "To send"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    NOT_SENT = "not_sent", "Not sent: no email address"


class Notification(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="+")
    # The roles that earned it: shown and emailed only while the recipient still holds one of them on the panel.
    roles = ArrayField(models.CharField(max_length=20, choices=Role.choices))
    kind = models.CharField(max_length=30, choices=Kind.choices)
    # In-app only (behind sign-in): may name a case reference, never a child's name.
    text = models.CharField(max_length=300)
    link = models.CharField(max_length=300, help_text="Where the notification leads, a path in the app")
    # Makes an event notify each person once, however often it is reported (a sweep run twice, a retried task).
    event_key = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email_state = models.CharField(max_length=10, choices=EmailState.choices, default=EmailState.PENDING)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # After a failed attempt the email waits, longer each time (backoff), before it is tried again.
    email_not_before = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "event_key"], name="notification_once_per_event_and_person")
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(
                fields=["email_state", "created_at"],
                condition=models.Q(email_state="pending"),
                name="notification_email_to_send",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.recipient}"
