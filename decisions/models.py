"""Panel meetings, their agendas, attendance and conflicts, agency inputs, and the panel's decisions.

RG is the reasonable grounds decision, CG the conclusive grounds decision (DESIGN.md section 3).
A decision, once the chair signs it off, is never changed: a reconsideration makes a new decision
that supersedes it, and both stay on record.
"""

import uuid

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from nrm_panel.models import Agency, Panel
from referrals.models import PrivateUploadStorage, Referral


class ThresholdWording(models.Model):
    """The legal test in force from a date, stored with each decision made under it.

    Guidance changes the wording; an administrator adds a row with the date it takes effect.
    """

    kind = models.CharField(max_length=2, choices=[("rg", "Reasonable grounds"), ("cg", "Conclusive grounds")])
    wording = models.TextField()
    in_force_from = models.DateField()
    source = models.CharField(max_length=200, blank=True, help_text="The guidance it comes from")
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "-in_force_from"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "in_force_from"], name="threshold_wording_one_per_kind_and_date")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} from {self.in_force_from:%d %B %Y}: {self.wording}"


class MeetingKind(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    EXTRAORDINARY = "extraordinary", "Extraordinary"
    BETWEEN_MEETINGS = "between_meetings", "Reasonable grounds between meetings"


class MeetingFormat(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    VIRTUAL = "virtual", "Virtual"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    OPEN = "open", "In progress"
    CLOSED = "closed", "Minutes approved"
    CANCELLED = "cancelled", "Cancelled"


class PanelMeeting(models.Model):
    """A meeting of the panel at which cases are decided."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField(max_length=20, choices=MeetingKind.choices, default=MeetingKind.SCHEDULED)
    # The date the panel's repeating rule gave this meeting; kept when the meeting is moved, so
    # scheduling again never recreates a meeting that was rescheduled or cancelled.
    rule_date = models.DateField(null=True, blank=True, editable=False)
    date = models.DateField()
    starts_at = models.TimeField()
    format = models.CharField(max_length=20, choices=MeetingFormat.choices, default=MeetingFormat.IN_PERSON)
    place = models.CharField(max_length=200, blank=True, help_text="The room, or the link to join")
    reason = models.TextField(blank=True, help_text="Why it was called, moved or cancelled")
    status = models.CharField(max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    minutes_html = models.TextField(blank=True, editable=False, help_text="The minutes as the chair approved them")
    pack_sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the coordinator sent out the meeting pack"
    )
    pack_sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    minutes_approved_at = models.DateTimeField(null=True, blank=True)
    minutes_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "starts_at"]
        indexes = [models.Index(fields=["panel", "date"])]
        constraints = [
            models.UniqueConstraint(fields=["panel", "rule_date"], name="meeting_one_per_rule_date"),
        ]

    def __str__(self):
        labels = {
            MeetingKind.SCHEDULED: "Meeting",
            MeetingKind.EXTRAORDINARY: "Extraordinary meeting",
            MeetingKind.BETWEEN_MEETINGS: "Decision between meetings",
        }
        return f"{labels[self.kind]}, {self.date:%-d %B %Y}"

    @property
    def is_open(self) -> bool:
        return self.status == MeetingStatus.OPEN


class ItemPurpose(models.TextChoices):
    """What the panel decides at an agenda item."""

    RG = "rg", "Reasonable grounds"
    CG = "cg", "Conclusive grounds"
    RECONSIDERATION = "reconsideration", "Reconsideration"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(PanelMeeting, on_delete=models.CASCADE, related_name="items")
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="agenda_items")
    purpose = models.CharField(max_length=20, choices=ItemPurpose.choices)
    reconsideration = models.ForeignKey(
        "Reconsideration", on_delete=models.PROTECT, null=True, blank=True, related_name="agenda_items"
    )
    position = models.PositiveIntegerField()
    # A deputy chair takes the item when the meeting's chair may not (for example, they are the
    # child's lead social worker); empty means the meeting's chair.
    deputy_chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removal_reason = models.TextField(blank=True)
    signed_off_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "referral"],
                condition=models.Q(removed_at__isnull=True),
                name="agenda_item_case_once_per_meeting",
            ),
            models.UniqueConstraint(
                fields=["referral"],
                condition=models.Q(removed_at__isnull=True, signed_off_at__isnull=True),
                name="agenda_item_case_on_one_open_item",
            ),
        ]

    def __str__(self):
        return f"{self.referral} at {self.meeting}: {self.get_purpose_display().lower()}"

    @property
    def chair_id(self):
        return self.deputy_chair_id or self.meeting.chair_id

    @property
    def is_signed_off(self) -> bool:
        return self.signed_off_at is not None


class Capacity(models.TextChoices):
    CHAIR = "chair", "Chair"
    VOTING = "voting", "Voting member"
    ADVISING = "advising", "Advising"


class Attendance(models.Model):
    """Who was at a meeting, for which agency, and whether they voted."""

    meeting = models.ForeignKey(PanelMeeting, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="attendances")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    capacity = models.CharField(max_length=10, choices=Capacity.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "capacity", "person__last_name"]
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="attendance_once_per_meeting")]

    def __str__(self):
        agency = f", {self.agency}" if self.agency_id else ""
        return f"{self.person}{agency} ({self.get_capacity_display().lower()})"


class ConflictOfInterest(models.Model):
    """A member with a conflict takes no part in that item (DESIGN.md section 3)."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="conflicts")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "conflicts of interest"
        constraints = [models.UniqueConstraint(fields=["item", "person"], name="conflict_once_per_item")]

    def __str__(self):
        return f"{self.person}: {self.reason}"


class Recommendation(models.TextChoices):
    VICTIM = "victim", "A victim of modern slavery"
    NOT_A_VICTIM = "not_a_victim", "Not a victim of modern slavery"
    NOT_ENOUGH_INFORMATION = "not_enough_information", "Not enough information to say"


class AgencyInput(models.Model):
    """One agency's view of a case before the panel decides it."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="agency_inputs")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="inputs")
    knowledge = models.TextField("what the agency knows of the child")
    risks = models.TextField("risks to the child")
    recommendation = models.CharField(max_length=30, choices=Recommendation.choices, blank=True)
    reasons = models.TextField("reasons for the recommendation", blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The signed decision that used this input; from then on the input cannot change.
    locked_by = models.ForeignKey(
        "Decision", on_delete=models.PROTECT, null=True, blank=True, related_name="inputs_used"
    )
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["agency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "agency"],
                condition=models.Q(locked_by__isnull=True),
                name="agency_input_one_open_per_case_and_agency",
            )
        ]

    def __str__(self):
        return f"{self.agency} on {self.referral}"

    @property
    def is_locked(self) -> bool:
        return self.locked_by_id is not None


class DecisionKind(models.TextChoices):
    RG = "rg", "Reasonable grounds"
    CG = "cg", "Conclusive grounds"


class Outcome(models.TextChoices):
    POSITIVE = "positive", "Positive"
    NEGATIVE = "negative", "Negative"
    DEFERRED = "deferred", "Deferred"


class Decision(models.Model):
    """The panel's reasonable or conclusive grounds decision on a case, made at an agenda item.

    Everything a court or the Single Competent Authority's audit asks is stored on the row as it
    stood on the day: the threshold wording, each agency's recommendation, who was present and
    who voted. None of it is recomputed later.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="decisions")
    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(max_length=2, choices=DecisionKind.choices)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reasons = models.TextField()
    evidence_considered = models.TextField(blank=True)
    dissent = models.TextField(blank=True, help_text="Any member who disagreed, and why")
    deferred_to = models.ForeignKey(
        PanelMeeting, on_delete=models.PROTECT, null=True, blank=True, related_name="deferrals_in"
    )
    delay_reason = models.TextField(blank=True, help_text="Why the decision is made after the target day")
    decided_on = models.DateField()
    threshold_wording = models.TextField(blank=True)
    agency_recommendations = models.JSONField(default=list)
    present = models.JSONField(default=list)
    voters = models.JSONField(default=list)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    returned_to_sca_at = models.DateTimeField("returned to the SCA", null=True, blank=True)
    returned_to_sca_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["decided_on", "recorded_at"]
        indexes = [
            models.Index(fields=["referral", "kind"]),
            models.Index(
                fields=["signed_off_at"], name="decision_to_return_to_sca", condition=models.Q(returned_to_sca_at=None)
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["item", "kind"], name="decision_one_per_kind_per_item"),
            models.CheckConstraint(
                condition=~models.Q(outcome="deferred") | models.Q(deferred_to__isnull=False),
                name="decision_deferral_names_meeting",
            ),
            models.CheckConstraint(condition=~models.Q(reasons=""), name="decision_has_reasons"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.get_outcome_display().lower()}, {self.referral}"

    @property
    def is_signed_off(self) -> bool:
        return self.signed_off_at is not None


class RequestedBy(models.TextChoices):
    CHILD = "child", "The child"
    FIRST_RESPONDER = "first_responder", "The first responder"
    SUPPORT_PROVIDER = "support_provider", "A support provider"
    LEGAL_REPRESENTATIVE = "legal_representative", "A legal representative"


class ReconsiderationGrounds(models.TextChoices):
    NEW_EVIDENCE = "new_evidence", "New evidence"
    GUIDANCE_NOT_FOLLOWED = "guidance_not_followed", "The decision did not follow the guidance"


class ReconsiderationStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    ACCEPTED = "accepted", "Accepted: awaiting the panel"
    REFUSED = "refused", "Refused"
    DECIDED = "decided", "Re-decided"


class Reconsideration(models.Model):
    """A request to look again at a negative decision (DESIGN.md section 3)."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="reconsiderations")
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="reconsiderations")
    requested_by = models.CharField(max_length=30, choices=RequestedBy.choices)
    requester_name = models.CharField(max_length=160, help_text="Who asked, and their organisation")
    received_on = models.DateField()
    grounds = models.CharField(max_length=30, choices=ReconsiderationGrounds.choices)
    details = models.TextField()
    exceptional_reason = models.TextField(blank=True, help_text="Why a request after 30 days is accepted")
    status = models.CharField(
        max_length=20, choices=ReconsiderationStatus.choices, default=ReconsiderationStatus.REQUESTED
    )
    refusal_reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["received_on"]

    def __str__(self):
        return f"Reconsideration of {self.decision}"


class ClockThreshold(models.TextChoices):
    """The points of the clock the sweep reports, each once per case (DESIGN.md section 4)."""

    DAY_30_NOT_ON_AGENDA = "day_30_not_on_agenda", "Day 30 and not on an agenda"
    DAY_40_NOT_DECIDED = "day_40_not_decided", "Day 40 and not decided"
    OVERDUE = "overdue", "Past its decision target"
    MEETING_AFTER_TARGET = "meeting_after_target", "Its meeting falls after its decision target"
    RG_TARGET_TOMORROW = "rg_target_tomorrow", "Reasonable grounds target tomorrow"
    RG_TARGET_MISSED = "rg_target_missed", "Reasonable grounds target missed"
    RECONSIDERATION_WINDOW_CLOSING = "reconsideration_closing", "Reconsideration window closes in 5 days"
    INPUT_OVERDUE = "input_overdue", "Agency input overdue"


class ClockAlert(models.Model):
    """A threshold a case crossed, recorded once: the sweep inserts with ON CONFLICT DO NOTHING, so a
    second or concurrent sweep finds it already there and tells nobody twice."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="clock_alerts")
    threshold = models.CharField(max_length=30, choices=ClockThreshold.choices)
    # What the threshold is about where a case can cross it more than once: a decision's
    # reconsideration window, an agency's input for one meeting. Empty otherwise.
    subject = models.CharField(max_length=80, default="", blank=True)
    fired_at = models.DateTimeField()

    class Meta:
        ordering = ["-fired_at"]
        constraints = [
            models.UniqueConstraint(fields=["referral", "threshold", "subject"], name="clock_alert_once_per_case")
        ]

    def __str__(self):
        return f"{self.referral}: {self.get_threshold_display()}"


class LetterKind(models.TextChoices):
    RG_OUTCOME = "rg_outcome", "Reasonable grounds decision"
    CG_OUTCOME = "cg_outcome", "Conclusive grounds decision"
    RECONSIDERATION_OUTCOME = "reconsideration_outcome", "Reconsideration decision"
    DEFENCE_SUMMARY = "defence_summary", "Decision summary for criminal proceedings (Modern Slavery Act 2015 s.45)"
    TRANSFER_SUMMARY = "transfer_summary", "Transfer summary: case sent to the Single Competent Authority"


class LetterStatus(models.TextChoices):
    QUEUED = "queued", "Being prepared"
    READY = "ready", "Ready"
    FAILED = "failed", "Could not be prepared"


def _letter_path(instance, filename):
    return f"letters/{instance.referral.panel_id}/{uuid.uuid4().hex}.pdf"


class Letter(models.Model):
    """A letter about a case, rendered once to PDF and kept with its SHA-256.

    It is never rendered again: a correction is a new version, and earlier versions stay.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="letters")
    kind = models.CharField(max_length=30, choices=LetterKind.choices)
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, null=True, blank=True, related_name="letters")
    # Tells apart letters of one kind on one case that are not about a decision: a decision summary for
    # each set of criminal proceedings (safeguarding.CourtProceeding.letter_key).
    about = models.CharField(max_length=60, blank=True)
    version = models.PositiveSmallIntegerField(default=1)
    correction_reason = models.TextField(blank=True, help_text="Why this version replaces the one before")
    # Recipients and addresses as they stood when the letter was issued: a later change makes a new version.
    addressees = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=LetterStatus.choices, default=LetterStatus.QUEUED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    file = models.FileField(storage=PrivateUploadStorage(), upload_to=_letter_path, max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    render_attempts = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords(excluded_fields=["render_attempts"])

    class Meta:
        ordering = ["referral", "kind", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "kind", "decision", "about", "version"],
                name="letter_one_per_version",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=~models.Q(status="ready") | (~models.Q(sha256="") & ~models.Q(file="")),
                name="letter_ready_has_file_and_hash",
            ),
        ]
        indexes = [
            models.Index(
                fields=["status", "requested_at"], name="letter_to_render", condition=models.Q(status="queued")
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}, {self.referral}, version {self.version}"

    @property
    def filename(self) -> str:
        # A case can have several letters of one kind (two reconsiderations): the decision's date tells them apart.
        decided = f"-{self.decision.decided_on:%Y-%m-%d}" if self.decision_id else ""
        about = f"-{self.about}" if self.about else ""
        return f"{self.referral.reference}-{self.kind.replace('_', '-')}{decided}{about}-v{self.version}.pdf"


class LetterExportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "In progress"
    READY = "ready", "Ready to download"
    FAILED = "failed", "Failed"


def _export_path(instance, filename):
    return f"letter-exports/{instance.panel_id}/{uuid.uuid4().hex}.zip"


class LetterExport(models.Model):
    """Many letters in one zip, put together in the background while the page shows its progress."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="+")
    letters = models.ManyToManyField(Letter, related_name="exports")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=LetterExportStatus.choices, default=LetterExportStatus.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    # When the worker last made progress: an export running with none for minutes was lost, and starts again.
    progress_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(storage=PrivateUploadStorage(), upload_to=_export_path, max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self):
        return f"Letters export of {self.total} letters, {self.requested_at:%d %B %Y %H:%M}"

    @property
    def percent_done(self) -> int:
        return 100 if not self.total else round(100 * self.done / self.total)


class LetterDownload(models.Model):
    """Who downloaded which letter, and when: on its own, or inside an export's zip."""

    letter = models.ForeignKey(Letter, on_delete=models.PROTECT, related_name="downloads")
    export = models.ForeignKey(LetterExport, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    downloaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    downloaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-downloaded_at"]

    def __str__(self):
        return f"{self.letter} downloaded by {self.downloaded_by} on {self.downloaded_at:%d %B %Y %H:%M}"
