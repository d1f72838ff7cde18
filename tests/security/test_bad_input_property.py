"""Every form of the app, the GET searches too, given thousands of generated answers (missing, of the wrong type,
huge, hostile, repeated, unknown, malicious files) by someone allowed to use it, against a record in a state where
it is usable. No answer may give a 500, and a refusal (a 4xx) may change nothing already saved.

Each example runs in a transaction rolled back afterwards, so every one starts from the same saved world; what
it may legitimately save (a 2xx or 3xx) goes with it. A URL that takes a POST with no strategy here fails
`test_every_url_that_takes_a_post_has_a_strategy`: a new form joins the property by being listed in FORMS.
"""

import datetime
import logging
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

import pytest
from dateutil.relativedelta import relativedelta
from django import forms
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test import client as django_test_client
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from access_log.forms import AccessSearchForm
from decisions import selectors as decision_selectors
from decisions.forms import (
    AgencyInputForm,
    AgendaAddForm,
    AttendanceForm,
    ConflictForm,
    DecisionForm,
    DecisionSelectionForm,
    LetterFilterForm,
    LetterIssueForm,
    LetterSelectionForm,
    MeetingForm,
    PersonChoiceForm,
    ReconsiderationForm,
)
from decisions.forms import ReasonForm as DecisionReasonForm
from nrm_panel import two_factor
from nrm_panel.forms import MembershipAddForm, SecurityCodeForm, SignInForm
from nrm_panel.models import Membership, Panel, Role
from nrm_panel.permissions import MEETING_ROLES
from records import subject_access
from records.forms import RetentionReviewForm
from referrals import services as referral_services
from referrals.forms import (
    SECTIONS,
    AcceptForm,
    AttachmentForm,
    DelayReasonForm,
    DutyToNotifyForm,
    LetterRecipientsForm,
    PoliceNotificationForm,
    ReasonForm,
    ReferralFilterForm,
    StartReferralForm,
    TransferForm,
)
from referrals.models import Referral, State
from reporting.forms import ReportForm
from safeguarding import selectors as safeguarding_selectors
from safeguarding.forms import (
    ActionDoneForm,
    ActionReopenForm,
    ChaseForm,
    DefenceSummaryCorrectForm,
    HealthRequestForm,
    HealthResponseForm,
    HearingForm,
    LetterSentForm,
    ProceedingForm,
    SafeguardingActionForm,
    SupportReferralForm,
    TransitionPlanForm,
    WithdrawForm,
)
from safeguarding.models import SupportKind
from safeguarding.services import court, health, history_version, support
from tests.decisions.http_helpers import Cycle, build_world
from tests.factories import PASSWORD, ReferralFactory, SubmittedReferralFactory, member
from tests.safeguarding.conftest import request_fields
from tests.safeguarding.court_helpers import CourtWorld, build_court_world

pytestmark = pytest.mark.django_db

TOTAL_EXAMPLES = 10_000
# Small, so that a file over the limit costs nothing to make.
ATTACHMENT_MAX_BYTES = 4096

# --- Hostile answers -------------------------------------------------------------------------------

HTML_PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "javascript:alert(1)",
    "{{ 7|add:7 }}{% debug %}",
    "${7*7}#{7*7}%s%n",
]
SQL_PAYLOADS = [
    "'; DROP TABLE referrals_referral; --",
    "' OR '1'='1",
    "1; SELECT pg_sleep(10)--",
    "\\'; TRUNCATE decisions_decision CASCADE; --",
    "1 UNION SELECT password FROM nrm_panel_user",
]
ODD_WORDS = [
    "",
    " ",
    "\t\r\n",
    "0",
    "-1",
    "-0",
    "1.5",
    "1e309",
    "NaN",
    "inf",
    "None",
    "null",
    "True",
    "False",
    "on",
    "[]",
    "{}",
    str(10**20),
    str(-(10**20)),
    str(2**31),
    str(2**63),
    "\x00",
    "a\x00b",
    "\u202e\u202d",
    "\ufeff",
    "\u200b",
    "😀",
    "👩‍👧‍👦",
    "١٢",  # digits Python's int() reads, in another script
    "½",
    "../../../../etc/passwd",
    "http://evil.example/",
    "//evil.example",
    "\r\nSet-Cookie: taken=1",
    "0000-00-00",
    "31/02/2024",
    "2024-13-45",
    "25:61",
    "99999",
    "%00",
    "%s",
    "'",
    '"',
    "\\",
]
HUGE_SEEDS = ["x", "😀", "é", "\x00", "<b>", "' OR 1=1 --", "\x1b[31m", "\u202e"]

control_text = st.text(st.characters(min_codepoint=0, max_codepoint=31), min_size=1, max_size=20)
emoji_text = st.text(st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF), min_size=1, max_size=20)


def junk_up_to(longest: int) -> st.SearchStrategy:
    """Answers of any kind, some of them `longest` characters long."""
    huge = st.builds(
        lambda seed, size: (seed * size)[:size],
        st.sampled_from(HUGE_SEEDS) | st.text(min_size=1, max_size=3),
        st.integers(min(10_001, longest), longest),
    )
    return st.one_of(
        st.sampled_from(ODD_WORDS + HTML_PAYLOADS + SQL_PAYLOADS),
        st.text(max_size=40),  # any unicode but lone surrogates, which no browser can send
        control_text,
        emoji_text,
        st.integers(-(10**25), 10**25).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(str),
        huge,
    )


junk = junk_up_to(100_000)
# A query string longer than the proxy allows (gunicorn's request line holds 4094 bytes) never reaches Django.
query_junk = junk_up_to(4_000)
# Names a tampered form may add: the model's own columns, framework names, anything at all.
extra_names = st.sampled_from(
    [
        "id",
        "pk",
        "state",
        "panel",
        "panel_id",
        "referrer",
        "is_superuser",
        "is_staff",
        "version",
        "csrfmiddlewaretoken",
        "next",
        "_method",
        "page",
        "q",
        "__proto__",
    ]
) | st.text(st.characters(exclude_characters='"\r\n\x00', exclude_categories=["Cs"]), min_size=1, max_size=30)


def extras(bad: st.SearchStrategy) -> st.SearchStrategy:
    return st.dictionaries(extra_names, bad | st.lists(bad, min_size=2, max_size=3), max_size=3)


# --- Files -----------------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200 + b"This program cannot be run"
HTML_PAGE = b"<!DOCTYPE html><html><body><script>document.location='https://evil.example'</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
UPLOAD_CONTENTS = {
    "pdf": PDF,
    "png": PNG,
    "exe": EXE,
    "html": HTML_PAGE,
    "svg": SVG,
    "empty": b"",
    "oversized": PDF + b"0" * ATTACHMENT_MAX_BYTES,
    "zip": b"PK\x03\x04" + b"\x00" * 100,
    "nul": b"\x00" * 64,
}
UPLOAD_NAMES = [
    "report.pdf",
    "photo.png",
    "evil.exe",
    "evil.pdf",  # an executable, renamed
    "page.html",
    "page.pdf",
    "image.svg",
    "image.png",
    "../../../../etc/passwd.pdf",
    "..\\..\\windows\\win.ini.pdf",
    "/etc/passwd",
    "report.pdf.exe",
    "report\x00.pdf",
    "résumé 😀.pdf",
    "a" * 300 + ".pdf",
    ".pdf",
    "",
    "CON.pdf",
]


@dataclass(frozen=True)
class Upload:
    """A file to send, made fresh for each request (a sent file is read to its end)."""

    name: str
    content: str  # a key of UPLOAD_CONTENTS

    def file(self) -> SimpleUploadedFile:
        content_type = "application/pdf" if self.name.endswith(".pdf") else "application/octet-stream"
        return SimpleUploadedFile(self.name or "unnamed", UPLOAD_CONTENTS[self.content], content_type=content_type)


uploads = st.builds(
    Upload, st.sampled_from(UPLOAD_NAMES) | st.text(max_size=40), st.sampled_from(list(UPLOAD_CONTENTS))
)

# --- Strategies from a form's fields ---------------------------------------------------------------

MISSING = object()  # an answer left out of the form altogether


def posted(value) -> str:
    """A Python value as a browser posts it."""
    if isinstance(value, bool):
        return str(value)
    if hasattr(value, "pk"):
        return str(value.pk)
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    return "" if value is None else str(value)


def valid_values(name: str, form_field, initial) -> list[str]:
    """Answers the form would take, or nearly: its initial value, the choices it offers, or a plain answer."""
    found = [posted(value) for value in (initial if isinstance(initial, list | tuple) else [initial])]
    found = [value for value in found if value]
    if isinstance(form_field, forms.ChoiceField | forms.ModelChoiceField):
        found += [str(value) for value, _ in form_field.choices if str(value) not in ("", "None")]
    elif isinstance(form_field, forms.EmailField):
        found += ["jo.worker@council.example", "practice.manager@nhs.net"]
    elif isinstance(form_field, forms.TimeField):
        found += ["10:00", "14:30", "00:00", "23:59"]
    elif isinstance(form_field, forms.IntegerField):
        found += ["1", "12"]
    elif isinstance(form_field, forms.BooleanField):
        found += ["on", "true"]
    elif "phone" in name:
        found += ["020 7946 0000", "+44 20 7946 0000"]
    elif isinstance(form_field, forms.CharField):
        found += ["Jo Bloggs, Lewisham Children's Social Care", "Seen twice since March.\nStill at risk."]
    return found or ["1"]


def real_dates(initial) -> st.SearchStrategy:
    today = timezone.localdate()
    near = st.integers(-400, 400).map(lambda days: today + datetime.timedelta(days=days))
    return (st.just(initial) | near) if isinstance(initial, datetime.date) else near


def date_boxes(name: str, day: datetime.date) -> dict:
    """A GOV.UK date input's three boxes."""
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


BOXES = ["0", "1", "12", "29", "31", "32", "13", "00", "99999", "-1", "1900", "9999"]


def valid_fragment(name: str, form_field, initial) -> st.SearchStrategy:
    """What one field contributes to a form filled in as the page asks."""
    if isinstance(form_field, forms.MultiValueField):
        return real_dates(initial).map(lambda day: date_boxes(name, day))
    if isinstance(form_field, forms.FileField):
        return st.just({name: Upload("report.pdf", "pdf")})
    answer = st.sampled_from(valid_values(name, form_field, initial))
    if isinstance(form_field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        return st.lists(answer, min_size=1, max_size=3, unique=True).map(lambda answers: {name: answers})
    return answer.map(lambda value: {name: value})


def hostile_fragment(name: str, form_field, initial, bad: st.SearchStrategy) -> st.SearchStrategy:
    """What one field contributes to a tampered form: nothing (missing), an answer of any kind, several (a repeated
    key), for a date anything in any of its boxes, for a file a malicious upload or text."""
    if isinstance(form_field, forms.MultiValueField):
        boxes = [f"{name}_{box}" for box in range(3)]
        return st.one_of(
            st.just(dict.fromkeys(boxes, MISSING)),
            real_dates(initial).map(lambda day: date_boxes(name, day)),
            st.fixed_dictionaries({box: st.just(MISSING) | st.sampled_from(BOXES) | bad for box in boxes}),
        )
    if isinstance(form_field, forms.FileField):
        many = getattr(form_field.widget, "allow_multiple_selected", False)
        files = (
            st.lists(uploads, min_size=1, max_size=12) if many else uploads | st.lists(uploads, min_size=2, max_size=3)
        )
        return st.one_of(st.just({name: MISSING}), files.map(lambda f: {name: f}), bad.map(lambda text: {name: text}))
    answer = st.sampled_from(valid_values(name, form_field, initial)) | bad
    return st.one_of(
        st.just({name: MISSING}),
        answer.map(lambda value: {name: value}),
        st.lists(answer, min_size=2, max_size=4).map(lambda values: {name: values}),
    )


def merged(parts) -> dict:
    """The fragments, later ones winning, with the missing answers left out."""
    data = {}
    for part in parts:
        data.update(part)
    return {name: value for name, value in data.items() if value is not MISSING}


def answers_for(form: forms.Form | None, more: dict, bad: st.SearchStrategy) -> st.SearchStrategy:
    """Forms as posted, built from `form`'s fields and the `more` names its page also sends: either every answer
    hostile, or a form filled in as asked with one or two answers made hostile; unknown extras with both."""
    valid, hostile = [], []
    fields = list(form.fields.items()) if form is not None else []
    for name, form_field in fields:
        initial = form.get_initial_for_field(form_field, name)
        valid.append(valid_fragment(form.add_prefix(name), form_field, initial))
        hostile.append(hostile_fragment(form.add_prefix(name), form_field, initial, bad))
    for name, values in more.items():
        valid.append(st.just({}) | st.sampled_from(values).map(lambda v, n=name: {n: v}))
        hostile.append(st.one_of(st.just({}), (st.sampled_from(values) | bad).map(lambda v, n=name: {n: v})))
    every_answer_hostile = st.tuples(*hostile, extras(bad)).map(merged)
    if not hostile:
        return every_answer_hostile
    nearly_valid = st.tuples(st.tuples(*valid), st.lists(st.one_of(*hostile), max_size=2), extras(bad)).map(
        lambda parts: merged([*parts[0], *parts[1], parts[2]])
    )
    return every_answer_hostile | nearly_valid


# --- The world -------------------------------------------------------------------------------------


@dataclass
class Bench:
    """The decisions app's panel part-way through its month (tests/decisions/http_helpers.py), with a case at
    every step of intake, health requests in each state, proceedings, support records, people part-way through
    signing in, and a signed-in client for each of them."""

    w: Cycle
    court: CourtWorld
    objects: dict
    people: dict
    clients: dict = field(default_factory=dict)
    saved: "Fingerprint | None" = None

    def __getattr__(self, name):
        try:
            return self.__dict__["objects"][name]
        except KeyError:
            raise AttributeError(name) from None


def current_code(device) -> str:
    """The code the person's authenticator app shows now."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def build_bench() -> Bench:
    w = build_world(with_letters=True)
    s, panel = w.s, w.s.panel
    referrer, coordinator, nurse = w.actors["referrer"], s.coordinator, s.health

    draft = ReferralFactory(panel=panel, referrer=referrer)
    attachment = referral_services.attachment_add(
        referral=draft,
        user=referrer,
        upload=SimpleUploadedFile("school.pdf", PDF, content_type="application/pdf"),
        description="School attendance record",
    )
    submitted = SubmittedReferralFactory(panel=panel, referrer=referrer)

    case = w.waiting
    draft_request = health.health_request_create(referral=case, user=nurse, **request_fields())
    sent_request = health.health_request_create(referral=case, user=nurse, **request_fields(provider_name="A&E"))
    link = health.health_request_send(request=sent_request, user=nurse)
    answered = health.health_request_create(referral=case, user=nurse, **request_fields(provider_name="CAMHS"))
    health.health_request_send(request=answered, user=nurse)
    health.health_response_record(
        request=answered,
        user=nurse,
        responded_by_name="Dr Priya Shah",
        text="Seen twice.",
        uploads=[SimpleUploadedFile("notes.pdf", PDF, content_type="application/pdf")],
    )
    today = timezone.localdate()
    support_referral = support.support_referral_record(
        referral=case, user=coordinator, kind=SupportKind.ICTG, referred_on=today, contact_name="Sam Guardian"
    )
    open_action = support.action_record(
        referral=case, user=coordinator, action="Strategy meeting", owner="Jo Bloggs", due_on=today
    )
    done_action = support.action_record(
        referral=case, user=coordinator, action="Return home interview", owner="Jo Bloggs", due_on=today
    )
    support.action_done(safeguarding_action=done_action, user=coordinator, done_on=today)
    court = build_court_world(s, w.steps)
    # A case closed longer ago than the panel keeps cases: due for its retention review.
    long_ago = timezone.now() - relativedelta(years=panel.retention_years + 1)
    closed = SubmittedReferralFactory(
        panel=panel, referrer=referrer, state=State.CLOSED, referral_date=long_ago.date() - datetime.timedelta(60)
    )
    Referral.history.filter(id=closed.pk).update(history_date=long_ago)

    # Part-way through signing in: a password given, a code still to type (or an authenticator to set up).
    two_step = member(panel, Role.AUDITOR)
    device = TOTPDevice.objects.create(user=two_step, name=two_factor.APP_DEVICE_NAME, confirmed=True)
    backup_codes = two_factor.backup_codes_replace(two_step)
    new_starter = member(panel, Role.AUDITOR)
    new_device = two_factor.authenticator_to_set_up(new_starter)
    resetter = member(panel, Role.AUDITOR)

    people = dict(w.actors) | {"police": s.police, "nurse": nurse, "two_step": two_step, "new_starter": new_starter}
    bench = Bench(
        w=w,
        court=court,
        people=people,
        objects={
            "draft": draft,
            "attachment": attachment,
            "submitted": submitted,
            "closed": closed,
            "draft_request": draft_request,
            "sent_request": sent_request,
            "provider_token": health.provider_link_token(link),
            "answered": answered,
            "document": answered.documents.get(),
            "support_referral": support_referral,
            "open_action": open_action,
            "done_action": done_action,
            "device": device,
            "backup_codes": backup_codes,
            "new_device": new_device,
            "resetter": resetter,
            "ended_membership": Membership.objects.get(user=w.actors["other_agency_member"], panel=panel),
        },
    )
    for actor in ("referrer", "coordinator", "chair", "police", "nurse", "auditor", "administrator"):
        bench.clients[actor] = Client()
        bench.clients[actor].force_login(people[actor])
    bench.clients["anonymous"] = Client()
    for actor in ("two_step", "new_starter"):
        bench.clients[actor] = Client()
        bench.clients[actor].force_login(people[actor], second_factor=False)
    # The password reset link puts its token in the session and sends the browser on to the form's address.
    bench.clients["resetter"] = Client()
    uid = urlsafe_base64_encode(force_bytes(resetter.pk))
    opened = bench.clients["resetter"].get(
        reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(resetter)])
    )
    assert opened.status_code == 302, opened.status_code
    bench.objects["reset_uid"] = uid
    return bench


# --- What a refusal must leave as it was -----------------------------------------------------------

WATCHED_APPS = (
    "nrm_panel",
    "referrals",
    "decisions",
    "notifications",
    "safeguarding",
    "reporting",
    "records",
    "guardian",
    "otp_totp",
    "otp_static",
)
# django-otp counts wrong codes on the device, on purpose, to slow down guessing: not something a person saved.
UNWATCHED_COLUMNS = ("throttling_failure_timestamp", "throttling_failure_count")
# Not watched: sessions, the access log (which records every request, refused ones too) and django-axes' record
# of failed sign-ins: writing those on a refusal is their job.


class Fingerprint:
    """What is saved: each watched table's row count and an md5 of its rows in id order (users, panels, memberships,
    cases, meetings, agendas, inputs, decisions, letters, safeguarding records, their histories, ...).

    Taking it costs a query over every table, so a request is first asked whether it wrote to one at all:
    PostgreSQL counts the rows each table had inserted, updated or deleted in the current transaction."""

    def __init__(self):
        self.tables, selects = [], []
        for model in apps.get_models(include_auto_created=True):
            if model._meta.app_label not in WATCHED_APPS:
                continue
            table = model._meta.db_table
            columns = {f.column for f in model._meta.concrete_fields}
            dropped = [column for column in UNWATCHED_COLUMNS if column in columns]
            row = "to_jsonb(row_)" + (f" - ARRAY{dropped!r}::text[]" if dropped else "")
            pk = connection.ops.quote_name(model._meta.pk.column)
            self.tables.append(table)
            selects.append(
                f"SELECT '{table}', count(*), md5(coalesce(string_agg(({row})::text, '|' ORDER BY row_.{pk}), ''))"
                f" FROM {connection.ops.quote_name(table)} row_"
            )
        self.sql = " UNION ALL ".join(selects)
        self.baseline = self.take()
        self.last_writes = self.writes()

    def take(self) -> dict:
        with connection.cursor() as cursor:
            cursor.execute(self.sql)
            return {name: (count, digest) for name, count, digest in cursor.fetchall()}

    def changed(self) -> list[str]:
        """The watched tables that are not as they were when the world was built."""
        now = self.take()
        return sorted(name for name in self.baseline if self.baseline[name] != now.get(name))

    def writes(self) -> int:
        """Rows inserted, updated or deleted in the watched tables so far in this transaction. It only grows: a
        rolled-back savepoint's writes still count."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT coalesce(sum(pg_stat_get_xact_tuples_inserted(t) + pg_stat_get_xact_tuples_updated(t)"
                " + pg_stat_get_xact_tuples_deleted(t)), 0) FROM unnest(%s::regclass[]) t",
                [self.tables],
            )
            return cursor.fetchone()[0]

    def written_since_last_asked(self) -> bool:
        """Whether anything was written to a watched table since this was last asked (or since the world was
        built). Asked once after each example, not before it too: nothing writes between examples but a rollback,
        and a write outside them can only make an example take the md5 for nothing."""
        before, self.last_writes = self.last_writes, self.writes()
        return self.last_writes != before


# --- The forms -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormCase:
    """One form: who uses it, where, with which fields (a form instance like the view's, or none for a button),
    the other names its page sends, and how many examples it gets.

    The examples add up to more than TOTAL_EXAMPLES. A button with no answers gets a few dozen (only tampered
    extras vary); a form gets more the more it asks, and the cheaper its page is to answer, so that the run
    stays within a few minutes."""

    url_name: str
    actor: str
    args: Callable[["Bench"], list] | None = None  # the URL's arguments
    form: Callable[["Bench"], forms.Form] | None = None  # a form like the view's, whose fields are introspected
    more: dict[str, list[str]] = field(default_factory=dict)
    method: str = "post"
    examples: int = 100
    rate_limited: bool = False


def meeting_form(b, meeting=None):
    initial = {}
    if meeting is not None:
        initial = {f: getattr(meeting, f) for f in ("date", "starts_at", "format", "place", "version")}
    return MeetingForm(initial=initial, reason_label="Reason", button="Save")


def reason(b):
    return DecisionReasonForm(label="Reason", button="Confirm")


def item(b, which="item_b"):
    return [b.w.meeting.public_id, getattr(b.w, which).pk]


FORMS = {
    # Signing in, out and the account
    "login": FormCase(
        "login",
        "anonymous",
        form=lambda b: SignInForm(),
        more={"next": ["/referrals/", "https://evil.example/"]},
        examples=350,
    ),
    "second_factor": FormCase(
        "second_factor",
        "two_step",
        form=lambda b: SecurityCodeForm(),
        more={"next": ["/referrals/", "//evil.example/"]},
        examples=150,
    ),
    "second_factor_set_up": FormCase(
        "second_factor_set_up", "new_starter", form=lambda b: SecurityCodeForm(), examples=120
    ),
    "logout": FormCase("logout", "auditor", more={"next": ["/sign-in/", "https://evil.example/"]}, examples=120),
    "second_factor_backup_codes": FormCase("second_factor_backup_codes", "auditor", examples=40),
    "password_reset": FormCase("password_reset", "anonymous", form=lambda b: PasswordResetForm(), examples=800),
    "password_reset_confirm": FormCase(
        "password_reset_confirm",
        "resetter",
        args=lambda b: [b.reset_uid, "set-password"],
        form=lambda b: SetPasswordForm(b.resetter),
        examples=700,
    ),
    # The panel's people
    "panel_person_add": FormCase(
        "panel_person_add",
        "administrator",
        args=lambda b: [b.w.s.panel.pk],
        form=lambda b: MembershipAddForm(panel=b.w.s.panel),
        examples=250,
    ),
    "panel_membership_end": FormCase(
        "panel_membership_end",
        "administrator",
        args=lambda b: [b.w.s.panel.pk, b.ended_membership.pk],
        examples=40,
    ),
    "panel_person_sign_in_reset": FormCase(
        "panel_person_sign_in_reset",
        "administrator",
        args=lambda b: [b.w.s.panel.pk, b.ended_membership.pk],
        examples=40,
    ),
    # Intake
    "referrals:start": FormCase(
        "referrals:start",
        "referrer",
        form=lambda b: StartReferralForm(panels=Panel.objects.filter(pk=b.w.s.panel.pk)),
        examples=200,
    ),
    "referrals:duty_to_notify": FormCase(
        "referrals:duty_to_notify",
        "referrer",
        args=lambda b: [b.w.s.panel.pk],
        form=lambda b: DutyToNotifyForm(),
        examples=300,
    ),
    **{
        f"referrals:section[{slug}]": FormCase(
            "referrals:section",
            "referrer",
            args=lambda b, slug=slug: [b.draft.public_id, slug],
            form=lambda b, form_class=form_class: form_class(instance=b.draft),
            more={"draft": ["Save as draft"], "continue": ["Save and continue"]},
            examples=110,
        )
        for slug, form_class in SECTIONS.items()
    },
    "referrals:evidence": FormCase(
        "referrals:evidence",
        "referrer",
        args=lambda b: [b.draft.public_id],
        form=lambda b: AttachmentForm(),
        examples=150,
    ),
    "referrals:attachment_remove": FormCase(
        "referrals:attachment_remove",
        "referrer",
        args=lambda b: [b.draft.public_id, b.attachment.public_id],
        examples=30,
    ),
    "referrals:check": FormCase("referrals:check", "referrer", args=lambda b: [b.draft.public_id], examples=30),
    "referrals:triage[accept]": FormCase(
        "referrals:triage",
        "coordinator",
        args=lambda b: [b.submitted.public_id, "accept"],
        form=lambda b: AcceptForm(),
        examples=100,
    ),
    **{
        f"referrals:triage[{move}]": FormCase(
            "referrals:triage",
            "coordinator",
            args=lambda b, move=move: [b.submitted.public_id, move],
            form=lambda b: ReasonForm(),
            examples=80,
        )
        for move in ("return", "withdraw")
    },
    "referrals:triage[transfer]": FormCase(
        "referrals:triage",
        "coordinator",
        args=lambda b: [b.submitted.public_id, "transfer"],
        form=lambda b: TransferForm(),
        examples=90,
    ),
    "referrals:police_notification": FormCase(
        "referrals:police_notification",
        "coordinator",
        args=lambda b: [b.w.waiting.public_id],
        form=lambda b: PoliceNotificationForm(),
        examples=90,
    ),
    "referrals:delay_reason": FormCase(
        "referrals:delay_reason",
        "coordinator",
        args=lambda b: [b.w.waiting.public_id],
        form=lambda b: DelayReasonForm(),
        examples=70,
    ),
    # Meetings and agendas
    "decisions:meetings_schedule": FormCase(
        "decisions:meetings_schedule", "coordinator", args=lambda b: [b.w.s.panel.pk], examples=30
    ),
    "decisions:meeting_call": FormCase(
        "decisions:meeting_call",
        "coordinator",
        args=lambda b: [b.w.s.panel.pk],
        form=lambda b: meeting_form(b),
        examples=110,
    ),
    "decisions:meeting_change": FormCase(
        "decisions:meeting_change",
        "coordinator",
        args=lambda b: [b.w.later.public_id],
        form=lambda b: meeting_form(b, b.w.later),
        examples=110,
    ),
    "decisions:meeting_cancel": FormCase(
        "decisions:meeting_cancel", "coordinator", args=lambda b: [b.w.later.public_id], form=reason, examples=120
    ),
    "decisions:meeting_open": FormCase(
        "decisions:meeting_open", "chair", args=lambda b: [b.w.fresh.public_id], examples=30
    ),
    "decisions:attendance": FormCase(
        "decisions:attendance",
        "chair",
        args=lambda b: [b.w.meeting.public_id],
        form=lambda b: AttendanceForm(
            people=decision_selectors.people_of_panel(b.w.s.panel, roles=MEETING_ROLES).exclude(pk=b.w.s.chair.pk),
            labels={},
        ),
        examples=110,
    ),
    "decisions:agenda_add": FormCase(
        "decisions:agenda_add",
        "coordinator",
        args=lambda b: [b.w.later.public_id],
        form=lambda b: AgendaAddForm(proposals=decision_selectors.agenda_proposals(b.w.later)),
        examples=100,
    ),
    "decisions:agenda_reorder": FormCase(
        "decisions:agenda_reorder",
        "coordinator",
        args=lambda b: item(b),
        more={"direction": ["up", "down"]},
        examples=80,
    ),
    "decisions:agenda_remove": FormCase(
        "decisions:agenda_remove", "coordinator", args=lambda b: item(b), form=reason, examples=80
    ),
    "decisions:minutes": FormCase("decisions:minutes", "chair", args=lambda b: [b.w.done.public_id], examples=30),
    "decisions:conflict_add": FormCase(
        "decisions:conflict_add",
        "chair",
        args=lambda b: item(b),
        form=lambda b: ConflictForm(people=decision_selectors.people_present(b.w.meeting)),
        examples=200,
    ),
    "decisions:conflict_remove": FormCase(
        "decisions:conflict_remove",
        "chair",
        args=lambda b: [*item(b, "item_a"), b.w.conflict.pk],
        examples=30,
    ),
    "decisions:deputy_set": FormCase(
        "decisions:deputy_set",
        "chair",
        args=lambda b: item(b),
        form=lambda b: PersonChoiceForm(
            people=decision_selectors.people_of_panel(b.w.s.panel), label="Deputy", button="Set", required=False
        ),
        examples=100,
    ),
    "decisions:decision_record": FormCase(
        "decisions:decision_record",
        "chair",
        args=lambda b: [*item(b), "rg"],
        form=lambda b: DecisionForm(
            allows_deferral=True, later_meetings=decision_selectors.later_meetings(b.w.meeting)
        ),
        examples=160,
    ),
    "decisions:decision_remove": FormCase(
        "decisions:decision_remove", "chair", args=lambda b: [*item(b, "item_a"), "rg"], examples=30
    ),
    "decisions:sign_off": FormCase("decisions:sign_off", "chair", args=lambda b: item(b, "item_a"), examples=30),
    "decisions:pack_send": FormCase(
        "decisions:pack_send", "coordinator", args=lambda b: [b.w.meeting.public_id], examples=30
    ),
    # Agency inputs and the case's decisions
    "decisions:agency_input": FormCase(
        "decisions:agency_input",
        "police",
        args=lambda b: [b.w.waiting.public_id, b.w.police.pk],
        form=lambda b: AgencyInputForm(is_required_agency=True),
        examples=160,
    ),
    "decisions:between_meetings": FormCase(
        "decisions:between_meetings", "chair", args=lambda b: [b.w.waiting.public_id], examples=30
    ),
    "decisions:reconsideration_request": FormCase(
        "decisions:reconsideration_request",
        "coordinator",
        args=lambda b: [b.w.negative.public_id],
        form=lambda b: ReconsiderationForm(),
        examples=160,
    ),
    "decisions:case_close": FormCase(
        "decisions:case_close", "coordinator", args=lambda b: [b.w.waiting.public_id], form=reason, examples=80
    ),
    "decisions:lead_social_worker": FormCase(
        "decisions:lead_social_worker",
        "coordinator",
        args=lambda b: [b.w.waiting.public_id],
        form=lambda b: PersonChoiceForm(
            people=decision_selectors.people_of_panel(b.w.s.panel), label="Lead", button="Save", required=False
        ),
        examples=80,
    ),
    "decisions:reconsideration_accept": FormCase(
        "decisions:reconsideration_accept", "coordinator", args=lambda b: [b.w.reconsideration.pk], examples=30
    ),
    "decisions:reconsideration_refuse": FormCase(
        "decisions:reconsideration_refuse",
        "coordinator",
        args=lambda b: [b.w.reconsideration.pk],
        form=reason,
        examples=80,
    ),
    "decisions:sca_return": FormCase(
        "decisions:sca_return",
        "coordinator",
        form=lambda b: DecisionSelectionForm(
            decisions=decision_selectors.decisions_for_sca(b.w.s.coordinator, returned=False)
        ),
        examples=100,
    ),
    # Letters
    "decisions:meeting_letters_issue": FormCase(
        "decisions:meeting_letters_issue", "coordinator", args=lambda b: [b.w.done.public_id], examples=30
    ),
    "decisions:meeting_letters_export": FormCase(
        "decisions:meeting_letters_export", "coordinator", args=lambda b: [b.w.done.public_id], examples=30
    ),
    "decisions:case_letter_issue": FormCase(
        "decisions:case_letter_issue",
        "coordinator",
        args=lambda b: [b.w.negative.public_id],
        form=lambda b: LetterIssueForm(decisions=b.w.negative.decisions.all()),
        examples=100,
    ),
    "decisions:letter_recipients": FormCase(
        "decisions:letter_recipients",
        "coordinator",
        args=lambda b: [b.w.negative.public_id],
        form=lambda b: LetterRecipientsForm(instance=b.w.negative),
        examples=140,
    ),
    "decisions:letters_export": FormCase(
        "decisions:letters_export",
        "coordinator",
        form=lambda b: LetterSelectionForm(
            letters=decision_selectors.latest_letters(decision_selectors.visible_letters(b.w.s.coordinator))
        ),
        examples=150,
    ),
    "decisions:letter_correct": FormCase(
        "decisions:letter_correct", "coordinator", args=lambda b: [b.w.letter.public_id], form=reason, examples=80
    ),
    # Notifications
    "notifications:mark_all_read": FormCase("notifications:mark_all_read", "police", examples=40),
    # Health information requests (their pages take any method: a POST to a page with no form changes nothing)
    "safeguarding:health_requests": FormCase("safeguarding:health_requests", "nurse", examples=30),
    "safeguarding:health_request": FormCase(
        "safeguarding:health_request", "nurse", args=lambda b: [b.sent_request.public_id], examples=30
    ),
    "safeguarding:health_document": FormCase(
        "safeguarding:health_document",
        "nurse",
        args=lambda b: [b.answered.public_id, b.document.public_id],
        examples=30,
    ),
    "safeguarding:health_request_create": FormCase(
        "safeguarding:health_request_create",
        "nurse",
        args=lambda b: [b.w.waiting.public_id],
        form=lambda b: HealthRequestForm(),
        examples=160,
    ),
    "safeguarding:health_request_change": FormCase(
        "safeguarding:health_request_change",
        "nurse",
        args=lambda b: [b.draft_request.public_id],
        form=lambda b: HealthRequestForm(
            initial={name: getattr(b.draft_request, name) for name in health.REQUEST_FIELDS}
        ),
        examples=140,
    ),
    "safeguarding:health_request_send": FormCase(
        "safeguarding:health_request_send", "nurse", args=lambda b: [b.draft_request.public_id], examples=30
    ),
    "safeguarding:health_request_chase": FormCase(
        "safeguarding:health_request_chase",
        "nurse",
        args=lambda b: [b.sent_request.public_id],
        form=lambda b: ChaseForm(),
        examples=150,
    ),
    "safeguarding:health_response_record": FormCase(
        "safeguarding:health_response_record",
        "nurse",
        args=lambda b: [b.sent_request.public_id],
        form=lambda b: HealthResponseForm(),
        examples=250,
    ),
    "safeguarding:health_request_withdraw": FormCase(
        "safeguarding:health_request_withdraw",
        "nurse",
        args=lambda b: [b.sent_request.public_id],
        form=lambda b: WithdrawForm(),
        examples=90,
    ),
    "safeguarding:provider_respond": FormCase(
        "safeguarding:provider_respond",
        "anonymous",
        args=lambda b: [b.sent_request.public_id, b.provider_token],
        form=lambda b: HealthResponseForm(),
        examples=300,
        rate_limited=True,
    ),
    # Court proceedings
    "safeguarding:proceeding_create": FormCase(
        "safeguarding:proceeding_create",
        "coordinator",
        args=lambda b: [b.court.case.public_id],
        form=lambda b: ProceedingForm(button="Save"),
        examples=160,
    ),
    "safeguarding:proceeding_change": FormCase(
        "safeguarding:proceeding_change",
        "coordinator",
        args=lambda b: [b.court.proceeding.public_id],
        form=lambda b: ProceedingForm(
            button="Save",
            initial={name: getattr(b.court.proceeding, name) for name in court.PROCEEDING_FIELDS}
            | {"version": history_version(b.court.proceeding)},
        ),
        examples=120,
    ),
    "safeguarding:hearing_add": FormCase(
        "safeguarding:hearing_add",
        "coordinator",
        args=lambda b: [b.court.proceeding.public_id],
        form=lambda b: HearingForm(),
        examples=80,
    ),
    "safeguarding:hearing_remove": FormCase(
        "safeguarding:hearing_remove",
        "coordinator",
        args=lambda b: [b.court.proceeding.public_id, b.court.hearing.pk],
        examples=30,
    ),
    "safeguarding:defence_summary_issue": FormCase(
        "safeguarding:defence_summary_issue", "coordinator", args=lambda b: [b.court.fresh.public_id], examples=30
    ),
    "safeguarding:defence_summary_correct": FormCase(
        "safeguarding:defence_summary_correct",
        "coordinator",
        args=lambda b: [b.court.proceeding.public_id],
        form=lambda b: DefenceSummaryCorrectForm(),
        examples=60,
    ),
    "safeguarding:letter_sent_record": FormCase(
        "safeguarding:letter_sent_record",
        "coordinator",
        args=lambda b: [b.court.proceeding.public_id],
        form=lambda b: LetterSentForm(
            letters=safeguarding_selectors.proceeding_letters(b.w.s.coordinator, b.court.proceeding),
            default_recipient="the defence solicitor",
        ),
        examples=80,
    ),
    # Support, safeguarding actions and turning 18
    "safeguarding:support_referral_create": FormCase(
        "safeguarding:support_referral_create",
        "coordinator",
        args=lambda b: [b.w.waiting.public_id],
        form=lambda b: SupportReferralForm(button="Save"),
        examples=100,
    ),
    "safeguarding:support_referral_change": FormCase(
        "safeguarding:support_referral_change",
        "coordinator",
        args=lambda b: [b.support_referral.public_id],
        form=lambda b: SupportReferralForm(button="Save", initial=SupportReferralForm.initial_from(b.support_referral)),
        examples=90,
    ),
    "safeguarding:action_create": FormCase(
        "safeguarding:action_create",
        "coordinator",
        args=lambda b: [b.w.waiting.public_id],
        form=lambda b: SafeguardingActionForm(button="Save"),
        examples=90,
    ),
    "safeguarding:action_change": FormCase(
        "safeguarding:action_change",
        "chair",
        args=lambda b: [b.open_action.public_id],
        form=lambda b: SafeguardingActionForm(
            button="Save",
            initial={
                "action": b.open_action.action,
                "owner": b.open_action.owner,
                "due_on": b.open_action.due_on,
                "version": history_version(b.open_action),
            },
        ),
        examples=80,
    ),
    "safeguarding:action_done": FormCase(
        "safeguarding:action_done",
        "coordinator",
        args=lambda b: [b.open_action.public_id],
        form=lambda b: ActionDoneForm(referral=b.w.waiting),
        examples=90,
    ),
    "safeguarding:action_reopen": FormCase(
        "safeguarding:action_reopen",
        "coordinator",
        args=lambda b: [b.done_action.public_id],
        form=lambda b: ActionReopenForm(),
        examples=60,
    ),
    "safeguarding:transition_plan": FormCase(
        "safeguarding:transition_plan",
        "coordinator",
        args=lambda b: [b.w.waiting.public_id],
        form=lambda b: TransitionPlanForm(initial={"version": 0}),
        examples=100,
    ),
    # Records: the retention review, and subject access exports (a download is a POST)
    "records:case_review": FormCase(
        "records:case_review",
        "coordinator",
        args=lambda b: [b.closed.public_id],
        form=lambda b: RetentionReviewForm(),
        examples=90,
    ),
    "records:subject_access_download": FormCase(
        "records:subject_access_download", "coordinator", args=lambda b: [b.w.waiting.public_id], examples=30
    ),
    "records:health_subject_access_download": FormCase(
        "records:health_subject_access_download", "nurse", args=lambda b: [b.w.waiting.public_id], examples=30
    ),
    # GET forms: searches, filters and reports, with generated query strings
    "referrals:list": FormCase(
        "referrals:list",
        "coordinator",
        form=lambda b: ReferralFilterForm(),
        more={"q": ["Alex", "GRN-"], "page": ["1", "2", "last"]},
        method="get",
        examples=120,
    ),
    "reporting:dashboard": FormCase(
        "reporting:dashboard",
        "coordinator",
        form=lambda b: ReportForm(panels=[b.w.s.panel]),
        method="get",
        examples=100,
    ),
    "reporting:data_return": FormCase(
        "reporting:data_return",
        "coordinator",
        args=lambda b: ["csv"],
        form=lambda b: ReportForm(panels=[b.w.s.panel]),
        method="get",
        examples=90,
    ),
    "access_log:search": FormCase(
        "access_log:search",
        "auditor",
        form=lambda b: AccessSearchForm(),
        more={"page": ["1", "2", "last"]},
        method="get",
        examples=200,
    ),
    "decisions:letters": FormCase(
        "decisions:letters",
        "coordinator",
        form=lambda b: LetterFilterForm(meetings=decision_selectors.visible_meetings(b.w.s.coordinator)),
        more={"page": ["1", "2", "last"]},
        method="get",
        examples=100,
    ),
    "decisions:sca_export": FormCase(
        "decisions:sca_export",
        "coordinator",
        args=lambda b: ["json"],
        more={"decisions": ["not_returned", "all"]},
        method="get",
        examples=120,
    ),
    **{
        name: FormCase(name, "coordinator", more={"page": ["1", "2", "last"]}, method="get", examples=30)
        for name in ("decisions:at_risk", "notifications:list", "safeguarding:turning_18")
    },
}


def post_urls() -> set[str]:
    """The name of every URL whose view takes a POST (Django's admin aside)."""

    def methods(view) -> set[str] | None:
        view_class = getattr(view, "view_class", None)
        if view_class is not None:
            return {name.upper() for name in view_class.http_method_names if hasattr(view_class, name)}
        while view is not None:  # through the decorators, to require_http_methods' list if there is one
            cells = dict(zip(view.__code__.co_freevars, view.__closure__ or (), strict=True))
            if "request_method_list" in cells:
                return set(cells["request_method_list"].cell_contents)
            view = getattr(view, "__wrapped__", None)
        return None  # any method

    def walk(resolver, namespace):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace != "admin":
                    yield from walk(pattern, ":".join(filter(None, [namespace, pattern.namespace])))
            elif pattern.name:
                allowed = methods(pattern.callback)
                if allowed is None or "POST" in allowed:
                    yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    return set(walk(get_resolver(), ""))


# --- Running it ------------------------------------------------------------------------------------

RUN = Counter()  # examples sent, by form
STATUSES: dict[str, Counter] = {}  # the answers each form gave
TO_SIGN_IN = "→sign-in"  # a redirect to the sign-in page: the person was not signed in after all
_addresses = iter(range(1, 2**24))


@pytest.fixture(scope="module")
def media_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad-input-uploads")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def bench(django_db_setup, django_db_blocker, media_folder):
    with (
        override_settings(PRIVATE_MEDIA_ROOT=media_folder),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        built = build_bench()
        built.saved = Fingerprint()
        yield built
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _private_media(media_folder):
    # Replaces the project's per-test folder: the world's letters and evidence are stored once for the module.
    with override_settings(PRIVATE_MEDIA_ROOT=media_folder, ATTACHMENT_MAX_BYTES=ATTACHMENT_MAX_BYTES):
        yield


@pytest.fixture(autouse=True)
def _quick_summary_pdf(monkeypatch):
    # Which answers a download takes is the question here, not its PDF (tests/records renders it).
    monkeypatch.setattr(subject_access, "summary_pdf", lambda export, *, user, at: PDF)


@pytest.fixture(autouse=True)
def _no_copies_of_template_contexts(monkeypatch):
    # The test client copies the context of every template a page renders, for assertions on response.context:
    # nothing here reads them, and a GOV.UK form page renders dozens.
    monkeypatch.setattr(django_test_client, "store_rendered_templates", lambda store, signal, **kwargs: None)


@pytest.fixture(autouse=True, scope="module")
def _refusals_not_logged():
    # Thousands of 4xx answers, each logged as a warning, would only slow the run: a 500 is still logged.
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


def clear_rate_limits() -> None:
    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(f"{django_settings.CACHES['default']['KEY_PREFIX']}:*rl:*"):
        client.delete(key)


def as_sent(data: dict) -> dict:
    return {
        name: [v.file() if isinstance(v, Upload) else v for v in value]
        if isinstance(value, list)
        else value.file()
        if isinstance(value, Upload)
        else value
        for name, value in data.items()
    }


def send(bench: Bench, key: str, case: FormCase, client: Client, url: str, data: dict) -> None:
    """One example: the request, in a transaction rolled back afterwards, with the client's cookies put back."""
    cookies = {name: morsel.value for name, morsel in client.cookies.items()}
    n = next(_addresses)
    address = f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"
    if case.rate_limited:
        clear_rate_limits()
    RUN[key] += 1
    with transaction.atomic():
        response = getattr(client, case.method)(url, as_sent(data), REMOTE_ADDR=address)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
        status = response.status_code
        changed = []
        if bench.saved.written_since_last_asked() and 400 <= status < 500:
            changed = bench.saved.changed()
        transaction.set_rollback(True)
    client.cookies = SimpleCookie()
    for name, value in cookies.items():
        client.cookies[name] = value
    mail.outbox.clear()
    signed_out = status == 302 and response["Location"].startswith(reverse("login") + "?")
    STATUSES.setdefault(key, Counter())[TO_SIGN_IN if signed_out else status] += 1
    assert status < 500, f"{case.method.upper()} {url} answered {status}"
    assert not changed, f"{case.method.upper()} {url} answered {status} and changed {changed}"


VALID_CODES = {
    "second_factor": lambda b: st.sampled_from(b.backup_codes) | st.builds(lambda: current_code(b.device)),
    "second_factor_set_up": lambda b: st.builds(lambda: current_code(b.new_device)),
    "login": lambda b: st.sampled_from([b.people["auditor"].email, b.people["auditor"].email.upper()]),
}


def strategy_for(bench: Bench, key: str, case: FormCase) -> st.SearchStrategy:
    form = case.form(bench) if case.form else None
    more = {name: list(values) for name, values in case.more.items()}
    bad = query_junk if case.method == "get" else junk
    answers = answers_for(form, more, bad)
    if key in ("second_factor", "second_factor_set_up"):
        code = VALID_CODES[key](bench).map(lambda value: {"code": value})
        answers = answers | st.tuples(code, answers).map(lambda parts: parts[1] | parts[0])
    if key == "login":
        known = st.tuples(VALID_CODES[key](bench), st.sampled_from([PASSWORD, PASSWORD.upper(), ""]) | bad)
        signs_in = known.map(lambda pair: {"username": pair[0], "password": pair[1]})
        answers = answers | st.tuples(signs_in, answers).map(lambda parts: parts[1] | parts[0])
    if key == "password_reset_confirm":
        strong = st.sampled_from(["a-long-and-unusual-passphrase-42"])
        both = strong.map(lambda value: {"new_password1": value, "new_password2": value})
        answers = answers | st.tuples(both, answers).map(lambda parts: parts[1] | parts[0])
    return answers


HYPOTHESIS = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
}


@pytest.mark.parametrize("key", list(FORMS))
def test_bad_input_gives_no_500_and_a_refusal_changes_nothing(bench, key):
    case = FORMS[key]
    url = reverse(case.url_name, args=case.args(bench) if case.args else None)
    client = bench.clients[case.actor]

    @settings(max_examples=case.examples, **HYPOTHESIS)
    @given(data=strategy_for(bench, key, case))
    def posting(data):
        send(bench, key, case, client, url, data)

    posting()
    assert not bench.saved.changed(), "An example's changes outlived its rollback"
    # Tested as someone who may use the form, on a record it can be used on: not all refused at the door.
    statuses = STATUSES[key]
    assert set(statuses) - {403, 404, 405, TO_SIGN_IN}, f"{url} as {case.actor} was never usable: {dict(statuses)}"


def test_a_correct_code_with_a_next_that_is_no_address_signs_in(client, bench):
    client.force_login(bench.people["two_step"], second_factor=False)
    response = client.post(reverse("second_factor"), {"code": bench.backup_codes[0], "next": "0"})
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_every_url_that_takes_a_post_has_a_strategy():
    covered = {case.url_name for case in FORMS.values()}
    missing = sorted(post_urls() - covered)
    assert not missing, f"URLs that take a POST with no strategy in {__name__}.FORMS: {missing}"


def test_the_fingerprint_sees_a_change(bench):
    bench.saved.written_since_last_asked()
    with transaction.atomic():
        Referral.objects.filter(pk=bench.w.waiting.pk).update(delay_reason="Changed")
        assert bench.saved.written_since_last_asked()
        assert bench.saved.changed() == ["referrals_referral"]
        transaction.set_rollback(True)
    assert not bench.saved.written_since_last_asked()
    assert not bench.saved.changed()


def test_at_least_ten_thousand_inputs_were_posted_across_every_form():
    assert set(FORMS) <= set(RUN), f"Forms not exercised: {sorted(set(FORMS) - set(RUN))}"
    assert sum(RUN.values()) >= TOTAL_EXAMPLES, f"{sum(RUN.values())} inputs: {dict(RUN)}"
