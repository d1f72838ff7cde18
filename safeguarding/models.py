"""The parts of a child's case that outlive the decision: health information from GPs and hospitals,
the Independent Child Trafficking Guardian and other support, safeguarding actions, the move to
adulthood and criminal proceedings (DESIGN.md sections 2 and 3).

Health detail (what was asked of a health provider and what it answered) is for health roles
only: `nrm_panel.permissions.health_panel_ids` says who they are.
"""

import uuid

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from referrals.models import PrivateUploadStorage, Referral

# Health information requests


class ProviderKind(models.TextChoices):
    GP_PRACTICE = "gp_practice", "GP practice"
    HOSPITAL_TRUST = "hospital_trust", "Hospital trust"
    CAMHS = "camhs", "Child and adolescent mental health services (CAMHS)"
    SCHOOL_NURSING = "school_nursing", "School nursing"
    HEALTH_VISITING = "health_visiting", "Health visiting"
    SEXUAL_HEALTH = "sexual_health", "Sexual health service"
    SUBSTANCE_MISUSE = "substance_misuse", "Substance misuse service"
    COMMUNITY_PAEDIATRICS = "community_paediatrics", "Community paediatrics"
    OTHER = "other", "Other health provider"


class LegalBasis(models.TextChoices):
    """Why a provider may share a child's health information with the panel without consent."""

    SECTION_47 = "children_act_1989_s47", "Children Act 1989, section 47 (child protection enquiries)"
    SECTION_17 = "children_act_1989_s17", "Children Act 1989, section 17 (child in need)"
    SECTION_11 = "children_act_2004_s11", "Children Act 2004, section 11 (duty to safeguard)"
    CONSENT = "consent", "With the consent of the child or person with parental responsibility"
    OTHER = "other", "Other (explain in the questions)"


class HealthRequestState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"
    CHASED = "chased", "Chased"
    RECEIVED = "received", "Received"
    WITHDRAWN = "withdrawn", "Withdrawn"


# A request waiting for the provider's answer; past its due date it is overdue.
AWAITING_RESPONSE = (HealthRequestState.SENT, HealthRequestState.CHASED)


class HealthInformationRequest(models.Model):
    """A designated nurse's or doctor's request to a health provider for what it knows about a child."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="health_requests")
    provider_kind = models.CharField(max_length=30, choices=ProviderKind.choices)
    provider_name = models.CharField(max_length=200, help_text="For example 'Rushey Green Group Practice'")
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(help_text="The secure link to answer the request is sent here")
    questions = models.TextField()
    legal_basis = models.CharField(max_length=30, choices=LegalBasis.choices)
    due_date = models.DateField()
    state = models.CharField(max_length=10, choices=HealthRequestState.choices, default=HealthRequestState.DRAFT)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_chased_at = models.DateTimeField(null=True, blank=True)
    chase_count = models.PositiveSmallIntegerField(default=0)
    received_at = models.DateTimeField(null=True, blank=True)
    response_text = models.TextField(blank=True)
    # Who answered: the provider's own words on the link's form, or the nurse who typed the answer in.
    responded_by_name = models.CharField(max_length=200, blank=True)
    response_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_reason = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "due_date"])]

    def __str__(self):
        return f"Health information request to {self.provider_name}"

    def is_overdue_on(self, today) -> bool:
        return self.state in AWAITING_RESPONSE and self.due_date < today


class ProviderLink(models.Model):
    """A link that lets a health provider answer one request once, with no account.

    Its token is signed with the SECRET_KEY (`safeguarding.provider_links`), so a token cannot be
    made up; this row makes it single-use and expiring. A new link (on chasing) retires the last.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(HealthInformationRequest, on_delete=models.CASCADE, related_name="links")
    sent_to = models.EmailField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True, help_text="A newer link replaced it, or the request ended")
    # The email that carries the link is an outbox, like notifications: sent after commit, retried by beat.
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_failed = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(emailed_at__isnull=True, email_failed=False),
                name="provider_link_email_to_send",
            )
        ]

    def __str__(self):
        return f"Link for {self.request}"


def _health_document_path(instance, filename):
    # A random name: the original name is kept in a field, never used on disk.
    return f"health/{instance.request.referral.panel_id}/{uuid.uuid4().hex}"


class HealthResponseDocument(models.Model):
    """A document a health provider sent in answer to a request (uploaded by them or by the nurse)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(HealthInformationRequest, on_delete=models.PROTECT, related_name="documents")
    file = models.FileField(storage=PrivateUploadStorage(), upload_to=_health_document_path, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_through = models.ForeignKey(
        ProviderLink, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(uploaded_by__isnull=False) | models.Q(uploaded_through__isnull=False),
                name="health_document_says_who_uploaded_it",
            )
        ]

    def __str__(self):
        return self.original_name


# Support: the Independent Child Trafficking Guardian (ICTG) and other services


class SupportKind(models.TextChoices):
    ICTG = "ictg", "Independent Child Trafficking Guardian (ICTG)"
    ADVOCACY = "advocacy", "Independent advocacy"
    MENTAL_HEALTH = "mental_health", "Mental health support"
    SUBSTANCE_MISUSE = "substance_misuse", "Substance misuse support"
    EDUCATION = "education", "Education, training or employment"
    ACCOMMODATION = "accommodation", "Safe accommodation"
    LEGAL_ADVICE = "legal_advice", "Legal or immigration advice"
    OTHER = "other", "Other support"


class SupportOutcome(models.TextChoices):
    AWAITING = "awaiting", "Awaiting a response"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined by the service"
    REFUSED = "refused", "Declined by the child"
    NOT_ELIGIBLE = "not_eligible", "Not eligible"
    ENDED = "ended", "Support ended"


class SupportReferral(models.Model):
    """A referral of the child to the ICTG service or another support service, and what came of it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="support_referrals")
    kind = models.CharField(max_length=20, choices=SupportKind.choices)
    service_name = models.CharField(max_length=200, blank=True, help_text="For example 'Barnardo's ICTG service'")
    referred_on = models.DateField()
    outcome = models.CharField(max_length=20, choices=SupportOutcome.choices, default=SupportOutcome.AWAITING)
    outcome_on = models.DateField(null=True, blank=True)
    # For an ICTG referral: the guardian allocated to the child.
    contact_name = models.CharField(max_length=200, blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    contact_email = models.EmailField(blank=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["referred_on", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} referral"


class SafeguardingAction(models.Model):
    """Something someone must do to keep the child safe, with its owner and due date."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="safeguarding_actions")
    action = models.TextField()
    owner = models.CharField(max_length=200, help_text="Who does it: a name and their agency")
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    done_note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["done_on", "due_on", "id"]

    def __str__(self):
        return self.action[:60]


# Turning 18


class TransitionPlan(models.Model):
    """How support carries on when the child turns 18 (transitional safeguarding): the case does not close."""

    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="transition_plan")
    plan = models.TextField()
    adult_services_referred_on = models.DateField(null=True, blank=True)
    adult_services_team = models.CharField(max_length=200, blank=True)
    adult_services_contact = models.CharField(max_length=200, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    def __str__(self):
        return f"Transition plan for {self.referral}"


# Court proceedings


class ProceedingStatus(models.TextChoices):
    ONGOING = "ongoing", "Ongoing"
    CONCLUDED = "concluded", "Concluded"
    DISCONTINUED = "discontinued", "Discontinued"


class CourtProceeding(models.Model):
    """Criminal proceedings concerning the child, where the s.45 defence may be raised."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="court_proceedings")
    charge = models.TextField()
    court = models.CharField(max_length=200)
    case_number = models.CharField(max_length=60, blank=True, help_text="The court's or the CPS's reference")
    status = models.CharField(max_length=15, choices=ProceedingStatus.choices, default=ProceedingStatus.ONGOING)
    outcome = models.TextField(blank=True)
    solicitor_name = models.CharField("defence solicitor", max_length=200)
    solicitor_firm = models.CharField("firm", max_length=200)
    solicitor_address = models.TextField("firm's postal address")
    solicitor_email = models.EmailField("email", blank=True)
    solicitor_phone = models.CharField("telephone", max_length=40, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["recorded_at", "id"]

    def __str__(self):
        return f"Proceedings at {self.court}"

    @property
    def solicitor(self) -> str:
        """The defence solicitor as a letter's recipient is recorded by default: name and firm."""
        return f"{self.solicitor_name}, {self.solicitor_firm}"

    @property
    def letter_key(self) -> str:
        """Tells this proceeding's decision summary letters apart from another's on the same case."""
        return f"proceedings-{self.pk}"


class Hearing(models.Model):
    proceeding = models.ForeignKey(CourtProceeding, on_delete=models.CASCADE, related_name="hearings")
    date = models.DateField()
    purpose = models.CharField(max_length=200, help_text="For example 'First appearance' or 'Trial'")
    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "id"]

    def __str__(self):
        return f"{self.purpose}, {self.date:%-d %B %Y}"


class SendMethod(models.TextChoices):
    SECURE_EMAIL = "secure_email", "Secure email"
    POST = "post", "Post"
    BY_HAND = "by_hand", "By hand"


class LetterSent(models.Model):
    """That a decision summary letter went to someone (the defence solicitor, the court), when and how."""

    proceeding = models.ForeignKey(CourtProceeding, on_delete=models.PROTECT, related_name="letters_sent")
    letter = models.ForeignKey("decisions.Letter", on_delete=models.PROTECT, related_name="+")
    recipient = models.CharField(max_length=200, help_text="Who received it: a name and organisation")
    sent_on = models.DateField()
    method = models.CharField(max_length=15, choices=SendMethod.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["sent_on", "id"]

    def __str__(self):
        return f"Sent to {self.recipient} on {self.sent_on:%-d %B %Y}"
