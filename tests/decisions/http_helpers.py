"""Shared by the HTTP tests of the decisions app (test_http_bad_input, test_http_permissions): a panel in
the middle of its cycle, holding one of every object a decisions URL names, the same for another panel,
the people who ask for the pages, and a snapshot of everything the app stores, to show that a refused
request changed nothing. With `with_letters`, each panel also has a rendered letter and a built export
(their PDFs and zips are files: the caller points PRIVATE_MEDIA_ROOT at a folder kept for the module).

The world is built once per test module, inside a transaction rolled back at the end of the module; each
test runs in its own savepoint (pytest-django's `db`), so what one test changes the next does not see.
Tests must not change the world's Python objects (no refresh_from_db on them): read fresh copies instead.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from decisions import letters, services
from decisions.models import (
    AgencyInput,
    AgendaItem,
    Attendance,
    ConflictOfInterest,
    Decision,
    DecisionKind,
    Letter,
    LetterDownload,
    LetterExport,
    Outcome,
    PanelMeeting,
    Reconsideration,
    ReconsiderationGrounds,
    RequestedBy,
)
from notifications.models import Notification
from nrm_panel.models import AgencyKind, Panel, Role
from referrals.models import Referral
from tests.decisions.conftest import Sitting, Steps
from tests.factories import AgencyFactory, PanelFactory, PanelMeetingFactory, member

TO_LOGIN = "→sign-in"

STORED = (
    PanelMeeting,
    AgendaItem,
    Attendance,
    ConflictOfInterest,
    AgencyInput,
    Decision,
    Reconsideration,
    Referral,
    Letter,
    LetterExport,
    LetterExport.letters.through,
    LetterDownload,
    Notification,
)


def snapshot() -> dict:
    """Every row the decisions app keeps (and the cases, and the notifications its changes send), with the
    number of history entries of each kind that keeps a history."""
    return {
        model.__name__: (
            list(model.objects.order_by("pk").values()),
            model.history.count() if hasattr(model, "history") else None,
        )
        for model in STORED
    }


def outcome(response):
    """The status, or for a redirect to the sign-in page, TO_LOGIN (any other redirect is a 302)."""
    if response.status_code in (301, 302, 303):
        if response["Location"].startswith(reverse("login") + "?next="):
            return TO_LOGIN
        return 302
    return response.status_code


def request_as(client, user, method: str, url: str, data=None):
    client.logout()
    if user is not None:
        client.force_login(user)
    return getattr(client, method)(url, data or {})


def sitting_for(panel: Panel, name: str) -> Sitting:
    """The same people and agencies as the `sitting` fixture, on another panel."""
    agencies = {
        kind: AgencyFactory(panel=panel, kind=kind, name=f"{name} {kind}")
        for kind in (AgencyKind.SOCIAL_CARE, AgencyKind.POLICE, AgencyKind.HEALTH, AgencyKind.EDUCATION)
    }
    return Sitting(
        panel=panel,
        chair=member(panel, Role.CHAIR),
        deputy=member(panel, Role.CHAIR),
        coordinator=member(panel, Role.COORDINATOR),
        social_care=member(panel, Role.PANEL_MEMBER, agency=agencies[AgencyKind.SOCIAL_CARE]),
        police=member(panel, Role.PANEL_MEMBER, agency=agencies[AgencyKind.POLICE]),
        health=member(panel, Role.DESIGNATED_NURSE, agency=agencies[AgencyKind.HEALTH]),
        education=member(panel, Role.PANEL_MEMBER, agency=agencies[AgencyKind.EDUCATION]),
        agencies=agencies,
        meeting=PanelMeetingFactory(panel=panel),
    )


@dataclass
class Cycle:
    """One panel part-way through its month."""

    s: Sitting
    steps: Steps
    meeting: PanelMeeting  # today, open, chaired by s.chair; the voting members, education and the deputy present
    item_a: AgendaItem  # a positive RG recorded, not signed off; education has a conflict
    item_b: AgendaItem  # nothing recorded
    rg_a: Decision
    conflict: ConflictOfInterest
    police_input: AgencyInput  # the police's input on item_a's case
    done: PanelMeeting  # today, open, every item signed off: its minutes can be approved
    later: PanelMeeting  # in two weeks, scheduled, no items
    fresh: PanelMeeting  # today, scheduled, no items: it can be opened
    waiting: Referral  # awaiting RG, on no agenda
    negative: Referral  # RG negative, signed off
    negative_decision: Decision
    reconsidered: Referral  # RG negative, reconsideration requested
    reconsideration: Reconsideration
    # With letters: the negative decision's letter, issued by the coordinator and rendered (the reconsidered
    # case's decision has none yet), and an export of it, built, that the coordinator asked for.
    letter: Letter | None = None
    export: LetterExport | None = None

    @property
    def case_a(self) -> Referral:
        return self.item_a.referral

    @property
    def police(self):
        return self.s.agencies[AgencyKind.POLICE]


def build_cycle(s: Sitting, *, referrer=None) -> Cycle:
    steps = Steps(s)
    owner = {"referrer": referrer} if referrer else {}
    today = timezone.localdate()

    done = steps.meeting()
    reconsidered = steps.case(**owner)
    steps.decide(reconsidered, done, (DecisionKind.RG, Outcome.NEGATIVE))
    negative = steps.case(**owner)
    negative_item = steps.decide(negative, done, (DecisionKind.RG, Outcome.NEGATIVE))
    reconsideration = services.reconsideration_request(
        referral=reconsidered,
        user=s.coordinator,
        requested_by=RequestedBy.LEGAL_REPRESENTATIVE,
        requester_name="Jo Brief, Example Law",
        received_on=today,
        grounds=ReconsiderationGrounds.NEW_EVIDENCE,
        details="A new statement from the child.",
    )

    case_a, case_b = steps.case(**owner), steps.case(**owner)
    police_input = services.agency_input_save(
        referral=case_a,
        agency=s.agencies[AgencyKind.POLICE],
        user=s.police,
        knowledge="Known to the police since March.",
        risks="Still in contact with the adults.",
        recommendation="victim",
        reasons="Consistent account.",
    )
    item_a, item_b = steps.add(s.meeting, case_a), steps.add(s.meeting, case_b)
    steps.open(s.meeting, s.education, s.deputy)
    rg_a = steps.record(item_a)
    conflict = services.conflict_record(
        item=item_a, user=s.chair, person=s.education, reason="Teaches the child's sibling."
    )
    for each in (item_a, item_b):
        each.refresh_from_db()
    return Cycle(
        s=s,
        steps=steps,
        meeting=s.meeting,
        item_a=item_a,
        item_b=item_b,
        rg_a=rg_a,
        conflict=conflict,
        police_input=police_input,
        done=done,
        later=steps.meeting(today + datetime.timedelta(days=14)),
        fresh=steps.meeting(),
        waiting=steps.case(**owner),
        negative=negative,
        negative_decision=negative_item.decisions.get(),
        reconsidered=reconsidered,
        reconsideration=reconsideration,
    )


def add_letters(w: Cycle) -> None:
    """Issue, render and export the negative decision's letter, as the workers would after the commit."""
    letter = letters.letter_issue(referral=w.negative, decision=w.negative_decision, user=w.s.coordinator)
    letters.letter_render(letter.pk)
    w.letter = Letter.objects.get(pk=letter.pk)
    export = letters.letters_export_start(letters=[w.letter], user=w.s.coordinator)
    letters.letters_export_build(export.pk)
    w.export = LetterExport.objects.get(pk=export.pk)


def build_world(*, with_letters: bool = False) -> Cycle:
    """Our panel's cycle, with `actors` (who asks, by the names the permission tables use) and `theirs`
    (another panel's cycle, whose ids our people must not reach)."""
    panel = PanelFactory(name="Greenwich NRM Panel", code="GRN", allows_rg_between_meetings=True)
    other = PanelFactory(name="Bexley NRM Panel", code="BEX", allows_rg_between_meetings=True)
    referrer = member(panel, Role.REFERRER)
    ours = build_cycle(sitting_for(panel, "Greenwich"), referrer=referrer)
    theirs = build_cycle(sitting_for(other, "Bexley"))
    outsider = theirs.s.coordinator  # and chair, and panel member, of the other panel
    member(other, Role.CHAIR, user=outsider)
    member(other, Role.PANEL_MEMBER, user=outsider, agency=theirs.police)
    if with_letters:
        add_letters(ours)
        add_letters(theirs)
    ours.theirs = theirs
    ours.actors = {
        "referrer": referrer,
        "coordinator": ours.s.coordinator,
        "chair": ours.s.chair,
        "other_chair": ours.s.deputy,
        "panel_member": ours.s.police,
        "other_agency_member": member(panel, Role.PANEL_MEMBER),
        "designated_nurse": ours.s.health,
        "auditor": member(panel, Role.AUDITOR),
        "administrator": member(panel, Role.ADMINISTRATOR),
        "other_panel": outsider,
        "anonymous": None,
    }
    return ours


def world_kept_for_module(django_db_blocker, **options):
    """For a module-scoped fixture: `yield from world_kept_for_module(django_db_blocker)`."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world(**options)
        transaction.set_rollback(True)
