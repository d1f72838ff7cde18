"""What a referral holds, organised like the national NRM referral form, and its evidence."""

import os
import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.files.storage import FileSystemStorage
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from nrm_panel.models import Panel


class State(models.TextChoices):
    """The case's states, DESIGN.md section 3."""

    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned for more information"
    RG_PENDING = "rg_pending", "Awaiting reasonable grounds decision"
    ON_AGENDA = "on_agenda", "On a meeting agenda"
    RG_POSITIVE = "rg_positive", "Positive reasonable grounds"
    RG_NEGATIVE = "rg_negative", "Negative reasonable grounds"
    CG_PENDING = "cg_pending", "Awaiting conclusive grounds decision"
    CG_POSITIVE = "cg_positive", "Positive conclusive grounds"
    CG_NEGATIVE = "cg_negative", "Negative conclusive grounds"
    RECONSIDERATION = "reconsideration", "Reconsideration requested"
    TRANSFERRED = "transferred", "Transferred to the Single Competent Authority"
    WITHDRAWN = "withdrawn", "Withdrawn"
    CLOSED = "closed", "Closed"


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    NOT_KNOWN = "not_known", "Not known"


class LookedAfterStatus(models.TextChoices):
    LOOKED_AFTER = "looked_after", "Looked after by a local authority"
    CHILD_PROTECTION = "child_protection", "On a child protection plan"
    CHILD_IN_NEED = "child_in_need", "Child in need"
    CARE_LEAVER = "care_leaver", "Care leaver"
    NONE = "none", "None of these"
    NOT_KNOWN = "not_known", "Not known"


class OrganisationType(models.TextChoices):
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    POLICE = "police", "Police"
    HEALTH = "health", "Health"
    NGO = "ngo", "Charity or voluntary organisation"
    GOVERNMENT_AGENCY = "government_agency", "Government agency"
    OTHER = "other", "Other"


class ExploitationType(models.TextChoices):
    CRIMINAL = "criminal", "Criminal exploitation (not county lines)"
    COUNTY_LINES = "county_lines", "Criminal exploitation: county lines"
    SEXUAL = "sexual", "Sexual exploitation"
    LABOUR = "labour", "Labour exploitation"
    DOMESTIC_SERVITUDE = "domestic_servitude", "Domestic servitude"
    ORGAN_REMOVAL = "organ_removal", "Organ removal"
    OTHER = "other", "Other"


class ExploitedIn(models.TextChoices):
    UK = "uk", "In the UK"
    OVERSEAS = "overseas", "Overseas"
    BOTH = "both", "Both in the UK and overseas"
    NOT_KNOWN = "not_known", "Not known"


class Indicator(models.TextChoices):
    """Signs a first responder may have seen, grouped as on the national referral form."""

    MISSING_EPISODES = "missing_episodes", "Repeatedly goes missing from home, care or school"
    UNEXPLAINED_MONEY = "unexplained_money", "Unexplained money, phones, clothes or gifts"
    FOUND_OUT_OF_AREA = "found_out_of_area", "Found far from home or in an unfamiliar area"
    CONTROLLED_BY_OTHERS = "controlled_by_others", "Controlled, watched or escorted by others"
    DEBT_BONDAGE = "debt_bondage", "Owes a debt to others or works to pay one off"
    NO_DOCUMENTS = "no_documents", "Has no identity documents, or others hold them"
    INJURIES = "injuries", "Injuries or signs of physical or sexual harm"
    FEAR_OF_AUTHORITIES = "fear_of_authorities", "Afraid of the police or other authorities"
    OLDER_ASSOCIATES = "older_associates", "Relationships with older people or gang members"
    DRUGS_OR_WEAPONS = "drugs_or_weapons", "Found with drugs, cash or weapons"
    POOR_LIVING = "poor_living", "Poor, crowded or unsuitable living conditions"
    NOT_IN_EDUCATION = "not_in_education", "Not in school or education"
    SCRIPTED_ACCOUNT = "scripted_account", "Account seems scripted or coached"
    SUBSTANCE_MISUSE = "substance_misuse", "Substance misuse"
    ONLINE_GROOMING = "online_grooming", "Contact or grooming online"


class ChildKnowsAboutReferral(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_SURE = "not_sure", "Not sure"


class PrivateUploadStorage(FileSystemStorage):
    """Evidence files under settings.PRIVATE_MEDIA_ROOT, outside the web root, with no URL of their own:
    they are only ever served by a view that checks the user may see the case."""

    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Evidence files have no public URL")


def _attachment_path(instance, filename):
    # A random name: the original name is kept in a field, never used on disk.
    return f"{instance.referral.panel_id}/{uuid.uuid4().hex}"


# The history change reason of a referrer's saved answers; the case page's timeline leaves these out.
ANSWERS_CHANGED = "Answers changed"


class Referral(models.Model):
    """A referral of a child (or a consenting adult) to the panel: the case, from draft to closure."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="referrals")
    reference = models.CharField(max_length=20, unique=True, null=True, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT, db_index=True)
    state_reason = models.TextField(blank=True, help_text="Why the case last changed state")
    referrer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True, help_text="Last (re)submission")
    referral_date = models.DateField(
        null=True, blank=True, db_index=True, help_text="Day 0 of the clock: the first submission"
    )

    # The child or young person
    is_adult = models.BooleanField(default=False, help_text="18 or over on the date of referral")
    adult_has_consented = models.BooleanField(null=True, blank=True)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    aliases = models.TextField(blank=True, help_text="Other names, including names used during the exploitation")
    date_of_birth = models.DateField(null=True, blank=True)
    estimated_age = models.PositiveSmallIntegerField(null=True, blank=True)
    is_age_disputed = models.BooleanField(null=True, blank=True)
    gender = models.CharField(max_length=20, choices=Gender.choices, blank=True)
    nationality = models.CharField(max_length=80, blank=True)
    second_nationality = models.CharField(max_length=80, blank=True)
    languages = models.CharField(max_length=200, blank=True)
    needs_interpreter = models.BooleanField(null=True, blank=True)
    communication_needs = models.TextField(blank=True)
    current_address = models.TextField(blank=True, help_text="Where the child is staying now: address or placement")
    looked_after_status = models.CharField(max_length=20, choices=LookedAfterStatus.choices, blank=True)
    responsible_local_authority = models.CharField(max_length=120, blank=True)
    school = models.CharField(max_length=160, blank=True)
    has_children = models.BooleanField(null=True, blank=True)

    # The first responder
    first_responder_organisation = models.CharField(max_length=160, blank=True)
    first_responder_organisation_type = models.CharField(max_length=20, choices=OrganisationType.choices, blank=True)
    first_responder_name = models.CharField(max_length=120, blank=True)
    first_responder_role = models.CharField(max_length=120, blank=True)
    first_responder_email = models.EmailField(blank=True)
    first_responder_phone = models.CharField(max_length=30, blank=True)
    alternative_contact = models.TextField(blank=True)
    decision_safe_address = models.TextField(
        blank=True, help_text="A safe address for the decision letter: never the child's, never a place of exploitation"
    )
    # The child's legal representative, who receives a copy of every letter where recorded.
    legal_representative_name = models.CharField(max_length=120, blank=True)
    legal_representative_organisation = models.CharField(max_length=160, blank=True)
    legal_representative_address = models.TextField(blank=True)

    # The exploitation
    exploitation_types = ArrayField(
        models.CharField(max_length=20, choices=ExploitationType.choices), default=list, blank=True
    )
    exploitation_type_other = models.CharField(max_length=200, blank=True)
    exploited_in = models.CharField(max_length=20, choices=ExploitedIn.choices, blank=True)
    exploitation_places = models.TextField(blank=True, help_text="UK towns and countries abroad")
    exploitation_addresses = models.TextField(
        blank=True, help_text="Addresses where the exploitation happened, one a line: no letter is ever sent to them"
    )
    exploitation_started_on = models.DateField(null=True, blank=True)
    exploitation_ended_on = models.DateField(null=True, blank=True)
    is_exploitation_ongoing = models.BooleanField(null=True, blank=True)
    indicators = ArrayField(models.CharField(max_length=40, choices=Indicator.choices), default=list, blank=True)
    account = models.TextField(blank=True, help_text="What happened, in the referrer's words")
    police_reference = models.CharField(max_length=60, blank=True)
    police_force = models.CharField(max_length=120, blank=True)

    # The voice of the child
    child_wishes_and_feelings = models.TextField(blank=True)
    child_knows_about_referral = models.CharField(max_length=10, choices=ChildKnowsAboutReferral.choices, blank=True)

    # Other agencies involved
    other_agencies_involved = models.TextField(blank=True)

    # Triage (coordinator)
    is_in_panel_area = models.BooleanField(null=True, blank=True)
    is_public_order_disqualification_considered = models.BooleanField(null=True, blank=True)
    police_notified_on = models.DateField(null=True, blank=True)
    police_notified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    possible_duplicates = models.ManyToManyField("self", symmetrical=True, blank=True)
    lead_social_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The child's lead social worker, who may not chair the panel's item on this case",
    )

    # The clock (DESIGN.md section 4): why a case is late, and how long its decisions took.
    delay_reason = models.TextField(blank=True, help_text="Why the case is not decided within its target")
    days_to_rg = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Days from the referral to the first signed reasonable grounds decision"
    )
    days_to_cg = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Days from the referral to the first signed conclusive grounds decision"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = [models.F("referral_date").desc(nulls_last=True), "-created_at"]
        indexes = [
            models.Index(fields=["panel", "state", "referral_date"]),
            # A panel's case ids from the index alone: joins from a panel to its cases' decisions and
            # other rows (reports) read no case row.
            models.Index(fields=["panel", "id"], name="referral_panel_case_ids"),
            models.Index(fields=["panel", "date_of_birth"]),
            GinIndex(fields=["exploitation_types"], name="referral_exploitation_gin"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state=State.DRAFT) | models.Q(reference__isnull=False, referral_date__isnull=False),
                name="referral_submitted_has_reference_and_date",
            ),
        ]

    def __str__(self):
        return self.reference or f"Draft referral {self.public_id}"

    @property
    def child_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part) or "Name not given"

    @property
    def is_referred_by_police(self) -> bool:
        return self.first_responder_organisation_type == OrganisationType.POLICE

    @property
    def needs_police_notification(self) -> bool:
        """The police are told of every case they did not refer, where the panel does so (DESIGN.md 3)."""
        return (
            self.state != State.DRAFT
            and self.panel.notifies_police
            and not self.is_referred_by_police
            and self.police_notified_on is None
        )


class ReferralUserObjectPermission(UserObjectPermissionBase):
    """django-guardian per-case rights (a referrer's own referrals) with a real foreign key,
    so "my referrals" is a join, not a text comparison over every permission row."""

    content_object = models.ForeignKey(Referral, on_delete=models.CASCADE)


class ReferralGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Referral, on_delete=models.CASCADE)


class ReferenceCounter(models.Model):
    """The last number used for a panel's references in a year (LEW-2026-0042)."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["panel", "year"], name="reference_counter_per_panel_year")]

    def __str__(self):
        return f"{self.panel.code}-{self.year}: {self.last_number}"


class Attachment(models.Model):
    """Evidence uploaded with a referral, stored outside the web root under a random name."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(storage=PrivateUploadStorage(), upload_to=_attachment_path, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    description = models.CharField(max_length=300)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.original_name


class DutyToNotify(models.Model):
    """An anonymous Duty to Notify record for an adult who did not consent to a referral.

    Holds no name, date of birth, address or free text about the person: it is not a case.
    """

    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="duty_to_notify_records")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    gender = models.CharField(max_length=20, choices=Gender.choices)
    nationality = models.CharField(max_length=80, blank=True)
    exploitation_types = ArrayField(models.CharField(max_length=20, choices=ExploitationType.choices), default=list)
    exploited_in = models.CharField(max_length=20, choices=ExploitedIn.choices)
    first_responder_organisation = models.CharField(max_length=160)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name = "Duty to Notify record"

    def __str__(self):
        return f"Duty to Notify, {self.panel.code}, {self.recorded_at:%d %B %Y}"
