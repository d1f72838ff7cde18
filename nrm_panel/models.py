"""Panels (a local area), the partner agencies that sit on them, and people with a role per panel."""

import datetime
import uuid

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.crypto import salted_hmac
from simple_history.models import HistoricalRecords


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email):
        # Email addresses are matched whatever their case, at sign-in and everywhere else.
        return self.get(email__iexact=email)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in with their work email address."""

    username = None
    email = models.EmailField("email address", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    # Part of every session's check (see _get_session_auth_hash): a new value signs the person out everywhere.
    sessions_generation = models.UUIDField(default=uuid.uuid4, editable=False)

    objects = UserManager()

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_unique_whatever_case")]

    def __str__(self):
        return self.get_full_name() or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def _get_session_auth_hash(self, secret=None):
        # Django ends every session whose stored hash no longer matches: a new password, or a new
        # sessions_generation (signing out everywhere, a reset of the second factor).
        key_salt = "nrm_panel.models.User.get_session_auth_hash"
        value = f"{self.password}:{self.sessions_generation}"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()


class Nation(models.TextChoices):
    ENGLAND_AND_WALES = "england_wales", "England and Wales"
    SCOTLAND = "scotland", "Scotland"
    NORTHERN_IRELAND = "northern_ireland", "Northern Ireland"


class AgencyKind(models.TextChoices):
    SOCIAL_CARE = "social_care", "Children's social care"
    POLICE = "police", "Police"
    HEALTH = "health", "Health"
    EDUCATION = "education", "Education"
    YOUTH_JUSTICE = "youth_justice", "Youth justice"
    ICTG = "ictg", "Independent Child Trafficking Guardian service"
    OTHER = "other", "Other"


def statutory_partner_kinds() -> list[str]:
    """The three statutory safeguarding partners: the local authority, police and health."""
    return [AgencyKind.SOCIAL_CARE, AgencyKind.POLICE, AgencyKind.HEALTH]


class WeekOfMonth(models.IntegerChoices):
    FIRST = 1, "First"
    SECOND = 2, "Second"
    THIRD = 3, "Third"
    FOURTH = 4, "Fourth"
    LAST = -1, "Last"


class Weekday(models.IntegerChoices):
    # Numbered as Python's date.weekday() and dateutil's weekdays.
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"


class Panel(models.Model):
    """A local NRM panel: one local authority, or several that share a panel."""

    name = models.CharField(max_length=120, unique=True)
    code = models.CharField(
        max_length=5,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2,5}$", "Use 2 to 5 capital letters, for example LEW")],
        help_text="Starts every case reference, for example LEW in LEW-2026-0042",
    )
    local_authorities = models.TextField(help_text="The local authorities this panel covers, one a line")
    nation = models.CharField(max_length=20, choices=Nation.choices, default=Nation.ENGLAND_AND_WALES)
    decision_target_days = models.PositiveSmallIntegerField(
        default=45, help_text="Calendar days from the referral by which the panel decides"
    )
    rg_target_working_days = models.PositiveSmallIntegerField(
        "reasonable grounds target in working days",
        null=True,
        blank=True,
        help_text="Blank: reasonable grounds by the decision target, like conclusive grounds. The national model's "
        "is 5 working days, the bank holidays of the panel's nation excluded",
    )
    letter_contact = models.TextField(
        blank=True,
        help_text="The panel's postal address, telephone and email, printed in the letterhead of every letter",
    )
    notifies_police = models.BooleanField(
        default=True, help_text="Record that the police were told of every case they did not refer"
    )
    # How the panel decides (DESIGN.md section 3); the defaults are the devolved pilot's.
    required_input_kinds = ArrayField(
        models.CharField(max_length=20, choices=AgencyKind.choices),
        default=statutory_partner_kinds,
        help_text="Agencies of these kinds give their view on every case before it is decided",
    )
    voting_kinds = ArrayField(
        models.CharField(max_length=20, choices=AgencyKind.choices),
        default=statutory_partner_kinds,
        help_text="Members of agencies of these kinds vote; others advise",
    )
    quorum_kinds = ArrayField(
        models.CharField(max_length=20, choices=AgencyKind.choices),
        default=statutory_partner_kinds,
        help_text="A decision needs the chair and a voting member of each of these kinds present",
    )
    min_days_between_rg_and_cg = models.PositiveSmallIntegerField(
        "minimum days between reasonable and conclusive grounds",
        default=0,
        help_text="0: both may be decided at the same item; 30 is the national recovery period",
    )
    allows_rg_between_meetings = models.BooleanField(
        "reasonable grounds may be decided between meetings",
        default=False,
        help_text="The chair and one voting member of each statutory partner decide, under the quorum rule",
    )
    meeting_week_of_month = models.SmallIntegerField(
        choices=WeekOfMonth.choices, default=WeekOfMonth.SECOND, help_text="The regular meeting: which week"
    )
    meeting_weekday = models.PositiveSmallIntegerField(
        choices=Weekday.choices, default=Weekday.TUESDAY, help_text="The regular meeting: which day"
    )
    meeting_time = models.TimeField(default=datetime.time(10, 0))
    meeting_place = models.CharField(max_length=200, blank=True, help_text="Where the regular meeting is held")
    retention_years = models.PositiveSmallIntegerField(
        "keep closed cases for (years)",
        default=6,
        validators=[MinValueValidator(1)],
        help_text="A closed case older than this is listed for review, then anonymised: agree the period with "
        "your information governance team",
    )
    is_active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(code__regex=r"^[A-Z]{2,5}$"), name="panel_code_capitals")
        ]

    def __str__(self):
        return self.name


class Agency(models.Model):
    """A partner agency as it sits on one panel, for example 'Lewisham Children's Social Care'."""

    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="agencies")
    name = models.CharField(max_length=160)
    kind = models.CharField(max_length=20, choices=AgencyKind.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["panel", "name"]
        verbose_name_plural = "agencies"
        constraints = [models.UniqueConstraint(fields=["panel", "name"], name="agency_unique_name_per_panel")]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    REFERRER = "referrer", "Referrer"
    COORDINATOR = "coordinator", "NRM coordinator"
    CHAIR = "chair", "Panel chair"
    PANEL_MEMBER = "panel_member", "Panel member"
    DESIGNATED_NURSE = "designated_nurse", "Designated nurse or doctor"
    AUDITOR = "auditor", "Auditor"
    ADMINISTRATOR = "administrator", "Administrator"


# Roles that act for an agency on the panel.
AGENCY_ROLES = frozenset({Role.PANEL_MEMBER, Role.DESIGNATED_NURSE})


class Membership(models.Model):
    """A person's role on one panel. A person may hold several roles and sit on several panels."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        help_text="Required for panel members and designated nurses or doctors",
    )
    is_active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["panel", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "panel", "role"], name="membership_one_role_once_per_panel"),
            models.CheckConstraint(
                condition=~models.Q(role__in=sorted(AGENCY_ROLES)) | models.Q(agency__isnull=False),
                name="membership_agency_roles_name_agency",
            ),
        ]
        indexes = [models.Index(fields=["user", "is_active"])]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()}, {self.panel}"

    def clean(self):
        if self.role in AGENCY_ROLES and not self.agency_id:
            raise ValidationError({"agency": "Choose the agency this person represents on the panel"})
        if self.agency_id and self.agency.panel_id != self.panel_id:
            raise ValidationError({"agency": "Choose an agency of this panel"})
        if self.role == Role.DESIGNATED_NURSE and self.agency_id and self.agency.kind != AgencyKind.HEALTH:
            raise ValidationError({"agency": "A designated nurse or doctor represents a health agency"})
