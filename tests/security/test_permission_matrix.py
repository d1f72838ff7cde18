"""The permission matrix, generated from the URL configuration: every URL × every kind of person × an object of
their own panel and the same kind of object of another panel → the status a correct app gives.

A URL in the URLconf with no rule here fails `test_every_url_has_a_rule`, and a rule for a URL that is gone
fails too. Django's admin (namespace `admin`) is represented by three pages, its index, a changelist and a
change page: every admin page answers to the one `has_permission` (instance superusers only).

The house rules: another panel's objects do not exist (404) for anyone but an instance superuser, who sits on
no panel; someone who sees an object but may not act on it gets a 403; someone signed out is sent to sign in,
except on the public pages (signing in, resetting a password, /health/, the health provider's link, whose
signed token is the key); someone who has given their password but not their security code is sent to the
code step. Pages get a GET; a URL that only takes a POST gets one with an empty body. A refused request (any
4xx, or a redirect to sign in) changes nothing stored. Lists, searches and exports name no object: one request
stands for both panels, unless their query names a panel or a meeting. In every answer, to anyone, nothing of
a panel the person does not sit on may appear: its town's name (which names the panel, its agencies and its
children), its case references, its people's email addresses.

The world is tests/decisions/http_helpers.py's two panels part-way through their cycle, with what the other
apps keep about their cases, built once for the module; everyone signs in once. Each test asks one URL, on
one side, as every person in turn, each request in a savepoint rolled back after it: a failure lists each
URL × person × panel that answered wrongly.
"""

import datetime
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from decisions import documents
from decisions.models import DecisionKind
from notifications.models import Kind, Notification
from nrm_panel.models import AgencyKind, Membership, Role
from referrals.models import Referral, State
from safeguarding.models import SupportKind
from safeguarding.services import health, support
from tests.decisions.http_helpers import TO_LOGIN, Cycle, world_kept_for_module
from tests.factories import ReferralFactory, SubmittedReferralFactory, UserFactory, member
from tests.referrals.test_permissions import make_attachment
from tests.safeguarding.conftest import request_fields
from tests.safeguarding.court_helpers import CourtWorld, build_court_world

pytestmark = pytest.mark.django_db

TO_CODE = "→security code"
TO_ADMIN_LOGIN = "→admin sign-in"
# Answers that refuse: after them, nothing stored may have changed.
REFUSALS = {400, 403, 404, 405, 409, 410, TO_LOGIN, TO_CODE, TO_ADMIN_LOGIN}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# --- The people -----------------------------------------------------------------------------------

# People of our panel, by the names the rules use.
OURS = (
    "referrer",  # referred every case of our panel's cycle, and has a draft
    "other_referrer",  # another referrer of the panel: referred nothing here
    "coordinator",
    "chair",  # opened today's meeting and chairs its items
    "police_member",  # a panel member for a police agency: wrote its input on the case on the agenda
    "health_member",  # a panel member for a health agency: reads health detail, writes none
    "nurse",  # the designated nurse: asked the health provider
    "auditor",
    "administrator",  # the panel's administrator: its people, no case data
)
# The same key roles on the other panel, each holding its part in that panel's cycle: on their own panel they
# get what their namesake gets on ours.
THEIRS = {
    "their_referrer": "referrer",
    "their_coordinator": "coordinator",
    "their_nurse": "nurse",
    "their_auditor": "auditor",
    "their_administrator": "administrator",
}
ACTORS = (
    *OURS,
    *THEIRS,
    "superuser",  # an instance administrator, on no panel
    "password_only",  # our coordinator, signed in with a password but no security code yet
    "anonymous",
)


# --- The world ------------------------------------------------------------------------------------


@dataclass
class Side:
    """One panel's objects, as its URLs name them: the decisions cycle, and what the other apps keep."""

    w: Cycle
    referrer: object
    draft: Referral  # the referrer's, with an attachment
    draft_attachment: object
    attachment: object  # on the waiting case
    health_request: object  # answered, with a document
    document: object
    token: str  # the provider's link of a second request, sent and not yet answered
    link_request: object
    support_referral: object
    action: object
    court: CourtWorld
    notification: Notification  # the coordinator's
    leaver: Membership  # a membership the administrator may end
    closed: Referral  # closed seven years ago: due for its retention review
    markers: tuple[str, ...] = field(default=())

    @property
    def panel(self):
        return self.w.s.panel

    @property
    def waiting(self) -> Referral:
        return self.w.waiting


def build_side(w: Cycle, referrer) -> Side:
    s, today = w.s, timezone.localdate()
    draft = ReferralFactory(panel=s.panel, referrer=referrer)
    answered = health.health_request_create(referral=w.waiting, user=s.health, **request_fields())
    health.health_request_send(request=answered, user=s.health)
    health.health_response_record(
        request=answered,
        user=s.health,
        responded_by_name="By telephone",
        text="Seen twice at the walk-in centre.",
        uploads=[SimpleUploadedFile("summary.pdf", PDF, content_type="application/pdf")],
    )
    link_request = health.health_request_create(referral=w.waiting, user=s.health, **request_fields())
    link = health.health_request_send(request=link_request, user=s.health)
    side = Side(
        w=w,
        referrer=referrer,
        draft=draft,
        draft_attachment=make_attachment(draft, referrer),
        attachment=make_attachment(w.waiting, referrer),
        health_request=answered,
        document=answered.documents.get(),
        token=health.provider_link_token(link),
        link_request=link_request,
        support_referral=support.support_referral_record(
            referral=w.waiting, user=s.coordinator, kind=SupportKind.ADVOCACY, referred_on=today
        ),
        action=support.action_record(
            referral=w.waiting,
            user=s.coordinator,
            action="Strategy meeting",
            owner="Social worker",
            due_on=today + datetime.timedelta(days=7),
        ),
        court=build_court_world(s, w.steps),
        notification=Notification.objects.create(
            recipient=s.coordinator,
            panel=s.panel,
            roles=[Role.COORDINATOR],
            kind=Kind.CLOCK,
            text="A case is near its target.",
            link=reverse("referrals:case", args=[w.waiting.public_id]),
            event_key="permission-matrix",
        ),
        leaver=Membership.objects.get(user=member(s.panel, Role.PANEL_MEMBER)),
        closed=closed_long_ago(s.panel, referrer),
    )
    # The town names the panel, its agencies and (from here on) its children: none of it is for another panel.
    town = s.panel.name.split()[0]
    cases = Referral.objects.filter(panel=s.panel)
    cases.update(last_name=f"{town}son")
    references = cases.exclude(reference=None).values_list("reference", flat=True)
    emails = Membership.objects.filter(panel=s.panel).values_list("user__email", flat=True)
    side.markers = (town, *references, *emails)
    return side


def closed_long_ago(panel, referrer) -> Referral:
    case = SubmittedReferralFactory(panel=panel, referrer=referrer, state=State.CLOSED)
    # When a case closed is read from its history: move that back past the panel's retention period.
    long_ago = timezone.now() - datetime.timedelta(days=366 * (panel.retention_years + 1))
    Referral.history.filter(id=case.pk).update(history_date=long_ago)
    Referral.objects.filter(pk=case.pk).update(updated_at=long_ago)
    return case


@dataclass
class World:
    ours: Side
    theirs: Side
    sessions: dict  # actor → session key, signed in once for the module
    stored: dict  # a digest of each table, as built
    # One client for everyone (its middleware loaded once), given the person's session cookie for each request.
    # A crash is a 500 in the table, like any other wrong answer.
    client: Client = field(default_factory=lambda: Client(raise_request_exception=False))

    def client_of(self, actor: str) -> Client:
        self.client.cookies.clear()
        if actor in self.sessions:
            self.client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[actor]
        return self.client

    def side(self, actor: str, which: str) -> Side:
        home = self.theirs if actor in THEIRS else self.ours
        away = self.ours if home is self.theirs else self.theirs
        return home if which == "own" else away


def build_world(cycle: Cycle) -> World:
    theirs_cycle = cycle.theirs
    outsider = theirs_cycle.s.coordinator
    # build_world made the other panel's coordinator its chair and a member too: here each person holds one
    # role, so that on their own panel they get exactly what their namesake gets on ours.
    Membership.objects.filter(user=outsider, panel=theirs_cycle.s.panel).exclude(role=Role.COORDINATOR).update(
        is_active=False
    )
    ours = build_side(cycle, cycle.actors["referrer"])
    theirs = build_side(theirs_cycle, theirs_cycle.waiting.referrer)
    other_panel = theirs_cycle.s.panel
    actors = {
        "referrer": cycle.actors["referrer"],
        "other_referrer": member(cycle.s.panel, Role.REFERRER),
        "coordinator": cycle.s.coordinator,
        "chair": cycle.s.chair,
        "police_member": cycle.s.police,
        "health_member": member(cycle.s.panel, Role.PANEL_MEMBER, agency=cycle.s.agencies[AgencyKind.HEALTH]),
        "nurse": cycle.s.health,
        "auditor": cycle.actors["auditor"],
        "administrator": cycle.actors["administrator"],
        "their_referrer": theirs.referrer,
        "their_coordinator": outsider,
        "their_nurse": theirs_cycle.s.health,
        "their_auditor": member(other_panel, Role.AUDITOR),
        "their_administrator": member(other_panel, Role.ADMINISTRATOR),
        "superuser": UserFactory(is_superuser=True, is_staff=True),
        "password_only": cycle.s.coordinator,
        "anonymous": None,
    }
    sessions = {}
    for actor, user in actors.items():
        if user is not None:
            client = Client()
            client.force_login(user, second_factor=actor != "password_only")
            sessions[actor] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return World(ours=ours, theirs=theirs, sessions=sessions, stored=stored_digest())


# Written by any request, whoever makes it: the session (kept alive) and the access log (appended to).
UNSTORED = {"django_session", "access_log_accessevent"}


def writes() -> dict[str, int]:
    """Rows inserted, updated or deleted so far in this transaction, per table, from PostgreSQL's own counts
    (which a rolled-back savepoint does not undo): one cheap query, to see whether a request wrote at all."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables")
        return {table: count for table, count in cursor.fetchall() if count and table not in UNSTORED}


def stored_digest(tables=None) -> dict[str, str]:
    """A digest of each table's rows (history tables included), in one query."""
    tables = tables or [t for t in connection.introspection.table_names() if t not in UNSTORED]
    quote = connection.ops.quote_name
    sql = " UNION ALL ".join(
        f"SELECT '{table}', md5(coalesce(string_agg(row::text, '|' ORDER BY row::text), '')) FROM {quote(table)} row"
        for table in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


def changed_since_built(world: "World", before: dict[str, int], after: dict[str, int]) -> list[str]:
    """The tables whose rows differ from the world as built: only those written between `before` and `after`
    can."""
    written = [table for table, count in after.items() if count != before.get(table, 0)]
    if not written:
        return []
    return sorted(table for table, digest in stored_digest(written).items() if digest != world.stored.get(table))


@pytest.fixture(scope="module")
def media_folder(tmp_path_factory):
    """Where the world's letters, attachments and documents are stored: kept for the whole module."""
    folder = tmp_path_factory.mktemp("matrix-media")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def _private_media(settings, media_folder):
    # Replaces the project's per-test folder, so the world's stored files can be downloaded in every test.
    settings.PRIVATE_MEDIA_ROOT = media_folder


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, media_folder):
    with override_settings(PRIVATE_MEDIA_ROOT=media_folder), pytest.MonkeyPatch.context() as patch:
        # Who may download the pack is the question here, not the PDF (tested in tests/decisions/test_pages).
        patch.setattr(documents, "meeting_pack_pdf", lambda context: b"%PDF-1.7 test")
        cycles = world_kept_for_module(django_db_blocker, with_letters=True)
        try:
            yield build_world(next(cycles))
        finally:
            cycles.close()  # rolls back everything the module built


# --- Who gets what --------------------------------------------------------------------------------

READERS = ("coordinator", "chair", "police_member", "health_member", "nurse", "auditor")  # of the panel's cases
SITTING = ("coordinator", "chair", "police_member", "health_member", "nurse")  # at its meetings
HEALTH_READERS = ("nurse", "health_member")
REPORTERS = ("coordinator", "chair", "auditor")
SIGNED_IN = (*OURS, "superuser")


def everyone(status, **overrides) -> dict:
    return {**dict.fromkeys(SIGNED_IN, status), **overrides}


def only(status, *allowed) -> dict:
    """`status` for `allowed`; for everyone else the object does not exist (404)."""
    return everyone(404, **dict.fromkeys(allowed, status))


def readers_only(status, *allowed, readers=READERS) -> dict:
    """`status` for `allowed`, 403 for the panel's other `readers` (who see the object), 404 for the rest."""
    return {**only(403, *readers), **dict.fromkeys(allowed, status)}


def sitting_only(status, *allowed, also_refused=()) -> dict:
    return readers_only(status, *allowed, readers=(*SITTING, *also_refused))


@dataclass(frozen=True)
class Rule:
    """One URL: how to build it for a panel's objects, and what each person gets from a GET (or, for a URL
    that only takes a POST, from an empty POST) on their own panel's objects."""

    name: str
    path: Callable[[Side], str]
    expect: dict
    method: str = "get"
    anonymous: object = TO_LOGIN
    unverified: object = TO_CODE
    # On the other panel's objects: None for the usual, 404.
    other: dict | None = None
    # A page about no object (a list, a search, an export, your account): one request stands for both panels,
    # and what it must not show of the other panel is checked in every page anyway.
    no_object: bool = False
    label: str = ""

    @property
    def id(self) -> str:
        return self.label or self.name

    @property
    def sides(self) -> tuple[str, ...]:
        return ("either",) if self.no_object else ("own", "other")

    def expected(self, actor: str, which: str):
        if actor == "anonymous":
            return self.anonymous
        if actor == "password_only":
            return self.unverified
        namesake = THEIRS.get(actor, actor)
        if which != "other" or actor == "superuser":
            return self.expect.get(namesake, 404)
        return (self.other or {}).get(namesake, 404)


def url(name, *args, query: str = "") -> str:
    return reverse(name, args=args) + (f"?{query}" if query else "")


PUBLIC = everyone(200)
CASE_COORDINATOR_PAGE = readers_only(200, "coordinator")

RULES = [
    # --- Signing in, your account, the panel's people -------------------------------------------------
    Rule("home", lambda s: url("home"), everyone(302, administrator=200, superuser=200), no_object=True),
    # Someone signed in is sent on through the code step, which a verified session passes straight through.
    Rule("login", lambda s: url("login"), everyone(TO_CODE), anonymous=200, no_object=True),
    Rule("second_factor", lambda s: url("second_factor"), everyone(302), unverified=200, no_object=True),
    Rule("second_factor_set_up", lambda s: url("second_factor_set_up"), everyone(200), no_object=True),
    Rule(
        "logout",
        lambda s: url("logout"),
        everyone(302),
        method="post",
        anonymous=302,
        unverified=302,
        no_object=True,
    ),
    Rule("account", lambda s: url("account"), everyone(200), no_object=True),
    Rule(
        "second_factor_backup_codes",
        lambda s: url("second_factor_backup_codes"),
        everyone(200),
        method="post",
        no_object=True,
    ),
    Rule("session_keep_alive", lambda s: url("session_keep_alive"), everyone(204), unverified=204, no_object=True),
    Rule("password_reset", lambda s: url("password_reset"), PUBLIC, anonymous=200, no_object=True),
    Rule("password_reset_done", lambda s: url("password_reset_done"), PUBLIC, anonymous=200, no_object=True),
    # A link with a token that is not right: the page says so, to anyone.
    Rule(
        "password_reset_confirm",
        lambda s: url("password_reset_confirm", "MQ", "set-password-not-valid"),
        PUBLIC,
        anonymous=200,
        no_object=True,
    ),
    Rule("password_reset_complete", lambda s: url("password_reset_complete"), PUBLIC, anonymous=200, no_object=True),
    Rule("health", lambda s: url("health"), PUBLIC, anonymous=200, unverified=200, no_object=True),
    Rule("panel_people", lambda s: url("panel_people", s.panel.pk), only(200, "administrator", "superuser")),
    Rule("panel_person_add", lambda s: url("panel_person_add", s.panel.pk), only(200, "administrator", "superuser")),
    Rule(
        "panel_person_sign_in_reset",
        lambda s: url("panel_person_sign_in_reset", s.panel.pk, s.leaver.pk),
        only(302, "administrator", "superuser"),
        method="post",
    ),
    Rule(
        "panel_membership_end",
        lambda s: url("panel_membership_end", s.panel.pk, s.leaver.pk),
        only(302, "administrator", "superuser"),
        method="post",
    ),
    # --- Referrals ------------------------------------------------------------------------------------
    # The list searched for the panel's code: the other panel's column searches for theirs.
    Rule(
        "referrals:list",
        lambda s: url("referrals:list", query=f"search={s.panel.code}"),
        everyone(200),
        other=everyone(200),
    ),
    Rule(
        "referrals:start",
        lambda s: url("referrals:start"),
        everyone(403, referrer=200, other_referrer=200),
        no_object=True,
    ),
    Rule(
        "referrals:duty_to_notify",
        lambda s: url("referrals:duty_to_notify", s.panel.pk),
        only(200, "referrer", "other_referrer"),
    ),
    Rule("referrals:case", lambda s: url("referrals:case", s.waiting.public_id), only(200, *READERS, "referrer")),
    Rule(
        "referrals:history",
        lambda s: url("referrals:history", s.waiting.public_id),
        readers_only(200, "coordinator", "chair", "auditor", readers=(*READERS, "referrer")),
    ),
    Rule("referrals:section", lambda s: url("referrals:section", s.draft.public_id, "child"), only(200, "referrer")),
    Rule("referrals:evidence", lambda s: url("referrals:evidence", s.draft.public_id), only(200, "referrer")),
    Rule(
        "referrals:attachment_remove",
        lambda s: url("referrals:attachment_remove", s.draft.public_id, s.draft_attachment.public_id),
        only(302, "referrer"),
        method="post",
    ),
    Rule(
        "referrals:attachment",
        lambda s: url("referrals:attachment", s.waiting.public_id, s.attachment.public_id),
        only(200, *READERS, "referrer"),
    ),
    Rule("referrals:check", lambda s: url("referrals:check", s.draft.public_id), only(200, "referrer")),
    # Not a case just submitted: back to the case page, for whoever reads it.
    Rule(
        "referrals:submitted",
        lambda s: url("referrals:submitted", s.waiting.public_id),
        only(302, *READERS, "referrer"),
    ),
    Rule(
        "referrals:triage",
        lambda s: url("referrals:triage", s.waiting.public_id, "accept"),
        readers_only(200, "coordinator", readers=(*READERS, "referrer")),
    ),
    Rule(
        "referrals:police_notification",
        lambda s: url("referrals:police_notification", s.waiting.public_id),
        readers_only(200, "coordinator", readers=(*READERS, "referrer")),
    ),
    Rule(
        "referrals:delay_reason",
        lambda s: url("referrals:delay_reason", s.waiting.public_id),
        readers_only(200, "coordinator", readers=(*READERS, "referrer")),
    ),
    # --- Notifications: each person's own ------------------------------------------------------------
    Rule("notifications:list", lambda s: url("notifications:list"), everyone(200), no_object=True),
    Rule(
        "notifications:mark_all_read",
        lambda s: url("notifications:mark_all_read"),
        everyone(302),
        method="post",
        no_object=True,
    ),
    Rule("notifications:open", lambda s: url("notifications:open", s.notification.public_id), only(302, "coordinator")),
    # --- Meetings, agendas, decisions (as tests/decisions/test_http_permissions.py) --------------------
    Rule("decisions:meeting_list", lambda s: url("decisions:meeting_list"), everyone(200), no_object=True),
    Rule(
        "decisions:meetings_schedule",
        lambda s: url("decisions:meetings_schedule", s.panel.pk),
        only(302, "coordinator"),
        method="post",
    ),
    Rule(
        "decisions:meeting_call", lambda s: url("decisions:meeting_call", s.panel.pk), only(200, "coordinator", "chair")
    ),
    Rule("decisions:meeting", lambda s: url("decisions:meeting", s.w.meeting.public_id), only(200, *SITTING)),
    Rule(
        "decisions:meeting_change",
        lambda s: url("decisions:meeting_change", s.w.later.public_id),
        sitting_only(200, "coordinator", "chair"),
    ),
    Rule(
        "decisions:meeting_cancel",
        lambda s: url("decisions:meeting_cancel", s.w.later.public_id),
        sitting_only(200, "coordinator", "chair"),
    ),
    Rule(
        "decisions:meeting_open",
        lambda s: url("decisions:meeting_open", s.w.fresh.public_id),
        sitting_only(302, "chair"),
        method="post",
    ),
    Rule(
        "decisions:attendance", lambda s: url("decisions:attendance", s.w.meeting.public_id), sitting_only(200, "chair")
    ),
    Rule(
        "decisions:agenda", lambda s: url("decisions:agenda", s.w.meeting.public_id), sitting_only(200, "coordinator")
    ),
    Rule(
        "decisions:agenda_add",
        lambda s: url("decisions:agenda_add", s.w.later.public_id),
        sitting_only(400, "coordinator"),
        method="post",
    ),
    Rule(
        "decisions:agenda_reorder",
        lambda s: url("decisions:agenda_reorder", s.w.meeting.public_id, s.w.item_b.pk),
        sitting_only(400, "coordinator"),
        method="post",
    ),
    Rule(
        "decisions:agenda_remove",
        lambda s: url("decisions:agenda_remove", s.w.meeting.public_id, s.w.item_b.pk),
        sitting_only(200, "coordinator"),
    ),
    Rule("decisions:pack", lambda s: url("decisions:pack", s.w.meeting.public_id), only(200, *SITTING)),
    Rule("decisions:pack_pdf", lambda s: url("decisions:pack_pdf", s.w.meeting.public_id), only(200, *SITTING)),
    Rule("decisions:minutes", lambda s: url("decisions:minutes", s.w.done.public_id), only(200, *SITTING)),
    Rule("decisions:item", lambda s: url("decisions:item", s.w.meeting.public_id, s.w.item_a.pk), only(200, *SITTING)),
    Rule(
        "decisions:conflict_add",
        lambda s: url("decisions:conflict_add", s.w.meeting.public_id, s.w.item_a.pk),
        sitting_only(400, "chair"),
        method="post",
    ),
    Rule(
        "decisions:conflict_remove",
        lambda s: url("decisions:conflict_remove", s.w.meeting.public_id, s.w.item_a.pk, s.w.conflict.pk),
        sitting_only(302, "chair"),
        method="post",
    ),
    Rule(
        "decisions:deputy_set",
        lambda s: url("decisions:deputy_set", s.w.meeting.public_id, s.w.item_a.pk),
        # No one chosen: the chair takes the item back.
        sitting_only(302, "chair"),
        method="post",
    ),
    Rule(
        "decisions:decision_record",
        lambda s: url("decisions:decision_record", s.w.meeting.public_id, s.w.item_a.pk, DecisionKind.RG),
        sitting_only(200, "chair"),
    ),
    Rule(
        "decisions:decision_remove",
        lambda s: url("decisions:decision_remove", s.w.meeting.public_id, s.w.item_a.pk, DecisionKind.RG),
        sitting_only(302, "chair"),
        method="post",
    ),
    Rule(
        "decisions:sign_off",
        lambda s: url("decisions:sign_off", s.w.meeting.public_id, s.w.item_a.pk),
        sitting_only(302, "chair"),
        method="post",
    ),
    Rule(
        "decisions:inputs_outstanding",
        lambda s: url("decisions:inputs_outstanding"),
        everyone(200),
        no_object=True,
    ),
    Rule(
        "decisions:at_risk",
        lambda s: url("decisions:at_risk"),
        everyone(403, coordinator=200, chair=200),
        no_object=True,
    ),
    # An auditor reads the case but does not sit on the panel.
    Rule(
        "decisions:case_inputs",
        lambda s: url("decisions:case_inputs", s.w.case_a.public_id),
        sitting_only(200, *SITTING, also_refused=("auditor",)),
    ),
    Rule(
        "decisions:agency_input",
        lambda s: url("decisions:agency_input", s.w.case_a.public_id, s.w.police.pk),
        sitting_only(200, "police_member", also_refused=("auditor",)),
    ),
    Rule(
        "decisions:between_meetings",
        lambda s: url("decisions:between_meetings", s.w.waiting.public_id),
        sitting_only(302, "chair", also_refused=("auditor",)),
        method="post",
    ),
    Rule(
        "decisions:reconsideration_request",
        lambda s: url("decisions:reconsideration_request", s.w.negative.public_id),
        sitting_only(200, "coordinator", also_refused=("auditor",)),
    ),
    Rule(
        "decisions:case_close",
        lambda s: url("decisions:case_close", s.w.negative.public_id),
        sitting_only(200, "coordinator", also_refused=("auditor",)),
    ),
    Rule(
        "decisions:lead_social_worker",
        lambda s: url("decisions:lead_social_worker", s.w.case_a.public_id),
        sitting_only(200, "coordinator", also_refused=("auditor",)),
    ),
    # Reconsiderations are found among the coordinator's panels only.
    Rule(
        "decisions:reconsideration_accept",
        lambda s: url("decisions:reconsideration_accept", s.w.reconsideration.pk),
        only(302, "coordinator"),
        method="post",
    ),
    Rule(
        "decisions:reconsideration_refuse",
        lambda s: url("decisions:reconsideration_refuse", s.w.reconsideration.pk),
        only(200, "coordinator"),
    ),
    Rule(
        "decisions:pack_send",
        lambda s: url("decisions:pack_send", s.w.meeting.public_id),
        sitting_only(302, "coordinator"),
        method="post",
    ),
    Rule(
        "decisions:meeting_letters_issue",
        lambda s: url("decisions:meeting_letters_issue", s.w.done.public_id),
        sitting_only(302, "coordinator"),
        method="post",
    ),
    Rule(
        "decisions:meeting_letters_export",
        lambda s: url("decisions:meeting_letters_export", s.w.done.public_id),
        sitting_only(302, "coordinator"),
        method="post",
    ),
    Rule(
        "decisions:case_letter_issue",
        lambda s: url("decisions:case_letter_issue", s.w.reconsidered.public_id),
        sitting_only(400, "coordinator", also_refused=("auditor",)),
        method="post",
    ),
    Rule(
        "decisions:letter_recipients",
        lambda s: url("decisions:letter_recipients", s.w.case_a.public_id),
        sitting_only(200, "coordinator", also_refused=("auditor",)),
    ),
    # Letters: read by the panel's coordinators and chairs, issued, corrected and exported by its coordinators.
    Rule(
        "decisions:letters",
        # Filtered by a meeting: another panel's is not among one's choices (400).
        lambda s: url("decisions:letters", query=f"meeting={s.w.done.public_id}"),
        everyone(403, coordinator=200, chair=200),
        other=everyone(403, coordinator=400, chair=400),
    ),
    Rule(
        "decisions:letters_export",
        lambda s: url("decisions:letters_export"),
        everyone(403, coordinator=400),
        method="post",
        no_object=True,
    ),
    Rule(
        "decisions:letters_export_progress",
        lambda s: url("decisions:letters_export_progress", s.w.export.public_id),
        only(200, "coordinator"),
    ),
    Rule(
        "decisions:letters_export_download",
        lambda s: url("decisions:letters_export_download", s.w.export.public_id),
        only(200, "coordinator"),
    ),
    Rule(
        "decisions:letter", lambda s: url("decisions:letter", s.w.letter.public_id), only(200, "coordinator", "chair")
    ),
    Rule(
        "decisions:letter_download",
        lambda s: url("decisions:letter_download", s.w.letter.public_id),
        only(200, "coordinator", "chair"),
    ),
    Rule(
        "decisions:letter_correct",
        lambda s: url("decisions:letter_correct", s.w.letter.public_id),
        readers_only(200, "coordinator", readers=("coordinator", "chair")),
    ),
    # The SCA's return and its exports: each coordinator's panels' decisions.
    Rule(
        "decisions:sca_return",
        lambda s: url("decisions:sca_return"),
        everyone(403, coordinator=200),
        no_object=True,
    ),
    Rule(
        "decisions:sca_export",
        lambda s: url("decisions:sca_export", "csv"),
        everyone(403, coordinator=200),
        no_object=True,
        label="decisions:sca_export.csv",
    ),
    Rule(
        "decisions:sca_export",
        lambda s: url("decisions:sca_export", "json"),
        everyone(403, coordinator=200),
        no_object=True,
        label="decisions:sca_export.json",
    ),
    # --- Health information: health roles only; only a designated nurse changes it ------------------
    Rule(
        "safeguarding:health_requests",
        lambda s: url("safeguarding:health_requests"),
        everyone(403, nurse=200, health_member=200),
        no_object=True,
    ),
    Rule(
        "safeguarding:health_request_create",
        lambda s: url("safeguarding:health_request_create", s.waiting.public_id),
        readers_only(200, "nurse"),
    ),
    Rule(
        "safeguarding:health_request",
        lambda s: url("safeguarding:health_request", s.health_request.public_id),
        only(200, *HEALTH_READERS),
    ),
    Rule(
        "safeguarding:health_request_change",
        lambda s: url("safeguarding:health_request_change", s.health_request.public_id),
        readers_only(200, "nurse", readers=HEALTH_READERS),
    ),
    # A GET of the send button goes back to the request.
    Rule(
        "safeguarding:health_request_send",
        lambda s: url("safeguarding:health_request_send", s.health_request.public_id),
        readers_only(302, "nurse", readers=HEALTH_READERS),
    ),
    Rule(
        "safeguarding:health_request_chase",
        lambda s: url("safeguarding:health_request_chase", s.health_request.public_id),
        readers_only(200, "nurse", readers=HEALTH_READERS),
    ),
    Rule(
        "safeguarding:health_response_record",
        lambda s: url("safeguarding:health_response_record", s.health_request.public_id),
        readers_only(200, "nurse", readers=HEALTH_READERS),
    ),
    Rule(
        "safeguarding:health_request_withdraw",
        lambda s: url("safeguarding:health_request_withdraw", s.health_request.public_id),
        readers_only(200, "nurse", readers=HEALTH_READERS),
    ),
    Rule(
        "safeguarding:health_document",
        lambda s: url("safeguarding:health_document", s.health_request.public_id, s.document.public_id),
        only(200, *HEALTH_READERS),
    ),
    # The provider's link: no account, the signed token is the key, whoever holds it.
    Rule(
        "safeguarding:provider_respond",
        lambda s: url("safeguarding:provider_respond", s.link_request.public_id, s.token),
        PUBLIC,
        anonymous=200,
        other=PUBLIC,
    ),
    # --- Court proceedings: the panel's case readers read them, its coordinator writes ---------------
    Rule(
        "safeguarding:proceeding_create",
        lambda s: url("safeguarding:proceeding_create", s.court.case.public_id),
        CASE_COORDINATOR_PAGE,
    ),
    Rule(
        "safeguarding:proceeding",
        lambda s: url("safeguarding:proceeding", s.court.proceeding.public_id),
        only(200, *READERS),
    ),
    Rule(
        "safeguarding:proceeding_change",
        lambda s: url("safeguarding:proceeding_change", s.court.proceeding.public_id),
        CASE_COORDINATOR_PAGE,
    ),
    Rule(
        "safeguarding:hearing_add",
        lambda s: url("safeguarding:hearing_add", s.court.proceeding.public_id),
        readers_only(400, "coordinator"),
        method="post",
    ),
    Rule(
        "safeguarding:hearing_remove",
        lambda s: url("safeguarding:hearing_remove", s.court.proceeding.public_id, s.court.hearing.pk),
        readers_only(302, "coordinator"),
        method="post",
    ),
    Rule(
        "safeguarding:defence_summary_issue",
        lambda s: url("safeguarding:defence_summary_issue", s.court.fresh.public_id),
        readers_only(302, "coordinator"),
        method="post",
    ),
    Rule(
        "safeguarding:defence_summary_correct",
        lambda s: url("safeguarding:defence_summary_correct", s.court.proceeding.public_id),
        CASE_COORDINATOR_PAGE,
    ),
    Rule(
        "safeguarding:letter_sent_record",
        lambda s: url("safeguarding:letter_sent_record", s.court.proceeding.public_id),
        readers_only(400, "coordinator"),
        method="post",
    ),
    # --- Support, safeguarding actions, turning 18 ---------------------------------------------------
    Rule(
        "safeguarding:support_referral_create",
        lambda s: url("safeguarding:support_referral_create", s.waiting.public_id),
        CASE_COORDINATOR_PAGE,
    ),
    Rule(
        "safeguarding:support_referral_change",
        lambda s: url("safeguarding:support_referral_change", s.support_referral.public_id),
        CASE_COORDINATOR_PAGE,
    ),
    Rule(
        "safeguarding:action_create",
        lambda s: url("safeguarding:action_create", s.waiting.public_id),
        readers_only(200, "coordinator", "chair"),
    ),
    Rule(
        "safeguarding:action_change",
        lambda s: url("safeguarding:action_change", s.action.public_id),
        readers_only(200, "coordinator", "chair"),
    ),
    Rule(
        "safeguarding:action_done",
        lambda s: url("safeguarding:action_done", s.action.public_id),
        readers_only(200, "coordinator", "chair"),
    ),
    Rule(
        "safeguarding:action_reopen",
        lambda s: url("safeguarding:action_reopen", s.action.public_id),
        readers_only(200, "coordinator", "chair"),
    ),
    Rule(
        "safeguarding:transition_plan",
        lambda s: url("safeguarding:transition_plan", s.waiting.public_id),
        CASE_COORDINATOR_PAGE,
    ),
    Rule(
        "safeguarding:turning_18",
        lambda s: url("safeguarding:turning_18"),
        everyone(403, coordinator=200, chair=200),
        no_object=True,
    ),
    # --- Reports: the panel's coordinator, chairs and auditors; figures of every panel for a superuser --
    # Asked for the panel by its id: another panel's is not among one's choices (400).
    Rule(
        "reporting:dashboard",
        lambda s: url("reporting:dashboard", query=f"panel={s.panel.pk}"),
        everyone(403, **dict.fromkeys(REPORTERS, 200), superuser=200),
        other=everyone(403, **dict.fromkeys(REPORTERS, 400)),
    ),
    # Case rows, even anonymised, only of panels where one holds a reporting role: not a superuser's.
    Rule(
        "reporting:data_return",
        lambda s: url("reporting:data_return", "csv", query=f"panel={s.panel.pk}"),
        everyone(403, **dict.fromkeys(REPORTERS, 200)),
        other=everyone(403, **dict.fromkeys(REPORTERS, 400)),
    ),
    Rule(
        "reporting:data_dictionary",
        lambda s: url("reporting:data_dictionary"),
        everyone(403, **dict.fromkeys(REPORTERS, 200), superuser=200),
        no_object=True,
    ),
    # --- The access log: a panel's auditors, and superusers ------------------------------------------
    Rule("access_log:search", lambda s: url("access_log:search"), only(200, "auditor", "superuser"), no_object=True),
    # --- Records: the coordinator reviews and exports, the chair reads the review list; a designated nurse
    # exports the health part. A download is a POST.
    Rule(
        "records:retention_review",
        lambda s: url("records:retention_review"),
        everyone(403, coordinator=200, chair=200),
        no_object=True,
    ),
    Rule("records:case_review", lambda s: url("records:case_review", s.closed.public_id), CASE_COORDINATOR_PAGE),
    Rule("records:subject_access", lambda s: url("records:subject_access", s.waiting.public_id), CASE_COORDINATOR_PAGE),
    Rule(
        "records:subject_access_download",
        lambda s: url("records:subject_access_download", s.waiting.public_id),
        CASE_COORDINATOR_PAGE,
        method="post",
    ),
    Rule(
        "records:health_subject_access",
        lambda s: url("records:health_subject_access", s.waiting.public_id),
        readers_only(200, "nurse"),
    ),
    Rule(
        "records:health_subject_access_download",
        lambda s: url("records:health_subject_access_download", s.waiting.public_id),
        readers_only(200, "nurse"),
        method="post",
    ),
    # --- Django's admin, by three of its pages: superusers only --------------------------------------
    Rule(
        "admin:index",
        lambda s: url("admin:index"),
        everyone(TO_ADMIN_LOGIN, superuser=200),
        anonymous=TO_ADMIN_LOGIN,
        no_object=True,
    ),
    Rule(
        "admin:referrals_referral_changelist",
        lambda s: url("admin:referrals_referral_changelist"),
        everyone(TO_ADMIN_LOGIN, superuser=200),
        anonymous=TO_ADMIN_LOGIN,
        no_object=True,
    ),
    Rule(
        "admin:referrals_referral_change",
        lambda s: url("admin:referrals_referral_change", s.waiting.pk),
        everyone(TO_ADMIN_LOGIN, superuser=200),
        anonymous=TO_ADMIN_LOGIN,
        other=everyone(TO_ADMIN_LOGIN, superuser=200),
    ),
]
RULES_BY_ID = {rule.id: rule for rule in RULES}

# Cells where the app is known to answer wrongly: (rule id, actor, side) → why. Each is expected to fail
# (strictly: the day the app is fixed, the mark must go).
KNOWN_BUGS: dict[tuple[str, str, str], str] = {}


# --- The URLs of the URLconf ----------------------------------------------------------------------


def url_names(resolver=None, namespace: str = "") -> list[str]:
    """Every URL name of the URLconf, namespaced (`referrals:case`); an unnamed page as `unnamed:<route>`."""
    resolver = resolver or get_resolver()
    found = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found += url_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            found.append(namespace + pattern.name if pattern.name else f"unnamed:{namespace}{pattern.pattern}")
    return found


def is_admin(name: str) -> bool:
    return name.startswith("admin:") or name.startswith("unnamed:admin:")


def test_every_url_has_a_rule():
    names = {name for name in url_names() if not is_admin(name)}
    missing = sorted(names - {rule.name for rule in RULES})
    assert not missing, f"URLs with no rule in the permission matrix (add one to RULES): {missing}"


def test_every_rule_names_a_url_that_exists():
    stale = sorted({rule.name for rule in RULES} - set(url_names()))
    assert not stale, f"Rules for URLs that no longer exist (remove them from RULES): {stale}"


# --- The matrix ---------------------------------------------------------------------------------

GROUPS = [(rule.id, which) for rule in RULES for which in rule.sides]
# As the matrix runs in this process: the (rule, side) groups asked, the (rule, person, side) cells asserted.
RAN: set[tuple[str, str]] = set()
ASSERTED: set[tuple[str, str, str]] = set()


def outcome(response):
    """The status, or for a redirect to a sign-in step, which one (any other redirect is a 302)."""
    if response.status_code in (301, 302, 303):
        location = response["Location"]
        if location.startswith(reverse("login") + "?next="):
            return TO_LOGIN
        if location.startswith(reverse("second_factor")):
            return TO_CODE
        if location.startswith(reverse("admin:login")):
            return TO_ADMIN_LOGIN
        return 302
    return response.status_code


def body(response) -> str:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return data.decode("utf-8", "replace")


def foreign_markers(world: World, actor: str, rule: Rule) -> tuple[str, ...]:
    """What of a panel the person does not sit on could leak into a page: its town's name, case references and
    people's email addresses."""
    if actor == "superuser" or rule.name == "safeguarding:provider_respond":
        return ()  # the instance's administrator sees every panel; the link's page is about its request
    if actor == "anonymous":
        return world.ours.markers + world.theirs.markers
    return world.side(actor, "other").markers


def check(world: World, rule: Rule, actor: str, which: str, counts: dict | None = None) -> tuple[list, dict | None]:
    """Ask for the page as `actor`, in a savepoint rolled back after: what is wrong with the answer, and the
    write counts after it if they were read (`counts`: as they stand before it, if known)."""
    expected = rule.expected(actor, which)
    refused = expected in REFUSALS
    before = (writes() if counts is None else counts) if refused else None
    with transaction.atomic():
        response = getattr(world.client_of(actor), rule.method)(rule.path(world.side(actor, which)))
        page = body(response)
        after = writes() if refused else None
        changed = changed_since_built(world, before, after) if refused else []
        transaction.set_rollback(True)
    got = outcome(response)
    problems = [] if got == expected else [f"{got}, not {expected}"]
    leaked = [marker for marker in foreign_markers(world, actor, rule) if marker in page]
    problems += [f"shows another panel's {leaked}"] if leaked else []
    problems += [f"refused, yet changed {changed}"] if changed else []
    return problems, after


@pytest.mark.parametrize(("rule_id", "which"), GROUPS, ids=[f"{rule_id}-{which}" for rule_id, which in GROUPS])
def test_each_person_gets_what_their_role_allows(rule_id, which, world):
    rule = RULES_BY_ID[rule_id]
    RAN.add((rule_id, which))
    wrong, counts = [], None
    for actor in ACTORS:
        if (rule_id, actor, which) in KNOWN_BUGS:
            continue  # asserted, as failing, by test_known_wrong_answers
        problems, counts = check(world, rule, actor, which, counts)
        if problems:
            wrong.append(f"{rule.method.upper()} {rule_id} × {actor} × {which} panel: {'; '.join(problems)}")
        else:
            ASSERTED.add((rule_id, actor, which))

    assert not wrong, "\n".join(wrong)


def test_the_markers_are_what_each_panels_own_pages_show(world):
    # Else the leak check above would pass for want of anything to find.
    for actor, side in (("coordinator", world.ours), ("their_coordinator", world.theirs)):
        cases = body(world.client_of(actor).get(url("referrals:list")))
        account = body(world.client_of(actor).get(url("account")))

        assert side.waiting.reference in cases
        assert f"{side.panel.name.split()[0]}son" in cases
        assert side.panel.name in account


@pytest.mark.parametrize(
    ("rule_id", "actor", "which"),
    [
        pytest.param(*cell, id="-".join(cell), marks=pytest.mark.xfail(strict=True, reason=why))
        for cell, why in KNOWN_BUGS.items()
    ]
    or [pytest.param(None, None, None, id="none", marks=pytest.mark.skip(reason="no cell is known to be wrong"))],
)
def test_known_wrong_answers(rule_id, actor, which, world):
    problems, _ = check(world, RULES_BY_ID[rule_id], actor, which)

    assert not problems, f"{rule_id} × {actor} × {which} panel: {'; '.join(problems)}"


def test_the_matrix_asserted_at_least_500_pairs():
    """Runs last: the whole matrix, when it ran in this process, asserted 500 (URL, person, panel) pairs or more."""
    cells = [(rule_id, actor, which) for rule_id, which in GROUPS for actor in ACTORS]
    assert len([cell for cell in cells if cell not in KNOWN_BUGS]) >= 500
    if RAN != set(GROUPS):
        pytest.skip("only part of the matrix ran in this process (-k, or another xdist worker)")
    assert len(ASSERTED) >= 500
