"""The demo data command: every state on show and backed by the meetings, inputs and decisions that
put the case there, a meeting today ready to run, references that later submissions carry on from,
referrers' object permissions as the intake service grants them, and no address that could reach
a real mailbox."""

import datetime
import re
from collections import defaultdict
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from decisions import documents, letters, services
from decisions.models import (
    AgencyInput,
    AgendaItem,
    ConflictOfInterest,
    Decision,
    DecisionKind,
    ItemPurpose,
    Letter,
    MeetingKind,
    MeetingStatus,
    Outcome,
    PanelMeeting,
    Reconsideration,
    ReconsiderationStatus,
)
from nrm_panel.management.commands.demo_data import DEFAULT_PASSWORD
from nrm_panel.models import Panel, Role, User
from referrals.ages import age_on
from referrals.clock import ClockStatus, case_clock
from referrals.models import ReferenceCounter, Referral, State
from referrals.selectors import case_timeline, visible_referrals
from referrals.services import likely_duplicates, referral_submit
from referrals.state_machine import CLOCK_RUNNING_STATES, EDITABLE_STATES

pytestmark = pytest.mark.django_db

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
REFERENCE = re.compile(r"^(?P<code>[A-Z]{2,5})-(?P<year>\d{4})-(?P<number>\d{4,})$")
RG, CG = DecisionKind.RG, DecisionKind.CG
POSITIVE, NEGATIVE = Outcome.POSITIVE, Outcome.NEGATIVE
# States a case is in before the panel has decided anything on it.
UNDECIDED_STATES = {State.DRAFT, State.SUBMITTED, State.RETURNED, State.RG_PENDING, State.TRANSFERRED, State.WITHDRAWN}


def demo_data(*args) -> str:
    out = StringIO()
    call_command("demo_data", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="class")
def loaded(django_db_setup, django_db_blocker):
    """One default load for the tests of a class, who only read it or change it inside their own
    transaction; rolled back after the class."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_data()
        transaction.set_rollback(True)


def referrer_of(panel: Panel) -> User:
    return User.objects.get(memberships__panel=panel, memberships__role=Role.REFERRER, email__startswith="referrer@")


def login(name: str, panel_code: str = "NHM") -> User:
    town = Panel.objects.get(code=panel_code).name.removesuffix(" NRM Panel").lower()
    return User.objects.get(email=f"{name}@{town}.example")


def assert_references_unique_and_counted():
    highest = defaultdict(int)
    references = []
    for referral in Referral.objects.exclude(state=State.DRAFT).select_related("panel"):
        match = REFERENCE.match(referral.reference)
        assert match, referral.reference
        assert match["code"] == referral.panel.code
        assert int(match["year"]) == referral.referral_date.year
        key = (referral.panel_id, referral.referral_date.year)
        highest[key] = max(highest[key], int(match["number"]))
        references.append(referral.reference)
    assert len(references) == len(set(references))
    counters = {(c.panel_id, c.year): c.last_number for c in ReferenceCounter.objects.all()}
    assert counters == highest


def current_decisions(referral, superseded: set) -> dict:
    """The case's decisions in force, by kind: signed, not a deferral, not superseded, the latest."""
    current = {}
    for decision in sorted(referral.decisions.all(), key=lambda d: (d.decided_on, d.signed_off_at or d.recorded_at)):
        if decision.is_signed_off and decision.outcome != Outcome.DEFERRED and decision.pk not in superseded:
            current[decision.kind] = decision
    return current


def assert_every_case_is_backed_by_its_decisions():
    """Each state is where the case's meetings and signed decisions put it, and nothing more."""
    superseded = set(Decision.objects.exclude(supersedes=None).values_list("supersedes_id", flat=True))
    cases = Referral.objects.prefetch_related("decisions", "agenda_items", "reconsiderations")
    for referral in cases:
        state, where = referral.state, f"{referral} ({referral.state})"
        items = list(referral.agenda_items.all())
        open_items = [item for item in items if not item.removed_at and not item.signed_off_at]
        current = current_decisions(referral, superseded)
        rg, cg = current.get(RG), current.get(CG)
        assert len(open_items) == (1 if state == State.ON_AGENDA else 0), where
        if state in UNDECIDED_STATES:
            assert not current and not items, where
        if state == State.RG_NEGATIVE:
            assert rg and rg.outcome == NEGATIVE and not cg, where
        if state == State.CG_PENDING:
            assert rg and rg.outcome == POSITIVE and not cg, where
        if state in (State.CG_POSITIVE, State.CG_NEGATIVE):
            assert rg and rg.outcome == POSITIVE, where
            assert cg and cg.outcome == (POSITIVE if state == State.CG_POSITIVE else NEGATIVE), where
        if state == State.CLOSED:
            assert current, where
        if state == State.RECONSIDERATION or (state == State.ON_AGENDA and open_items[0].reconsideration_id):
            waiting = [r for r in referral.reconsiderations.all() if r.status != ReconsiderationStatus.DECIDED]
            assert waiting and waiting[-1].decision.outcome == NEGATIVE, where
            assert waiting[-1].decision in current.values(), where


def test_it_refuses_to_run_in_production(settings):
    settings.IS_PRODUCTION = True

    with pytest.raises(CommandError, match="never on a server"):
        demo_data()
    assert not Panel.objects.exists()


def test_it_refuses_to_run_on_a_server_that_forgot_to_say_production(settings):
    settings.IS_TEST = False
    settings.DEBUG = False

    with pytest.raises(CommandError, match="never on a server"):
        demo_data()
    assert not Panel.objects.exists()


def test_once_loads_nothing_when_panels_exist_and_prints_the_logins_both_times():
    first = demo_data("--once", "--referrals", "6")
    counts = (Panel.objects.count(), User.objects.count(), Referral.objects.count(), Referral.history.count())
    meetings = (PanelMeeting.objects.count(), Decision.objects.count())

    second = demo_data("--once", "--referrals", "6")

    assert (Panel.objects.count(), User.objects.count(), Referral.objects.count(), Referral.history.count()) == counts
    assert (PanelMeeting.objects.count(), Decision.objects.count()) == meetings
    assert "no demo data loaded" in second
    for output in (first, second):
        assert re.search(rf"NRM coordinator +coordinator@northam\.example +{DEFAULT_PASSWORD}", output)
        assert re.search(rf"admin@nrm-panel\.example +{DEFAULT_PASSWORD}", output)


def test_once_leaves_a_database_with_real_panels_alone():
    Panel.objects.create(name="Real Borough NRM Panel", code="RBP", local_authorities="Real Borough Council")

    output = demo_data("--once")

    assert Panel.objects.count() == 1
    assert not Referral.objects.exists()
    assert "No demo logins" in output


def test_without_once_it_adds_referrals_to_the_same_demo_panels_and_decides_them():
    demo_data("--referrals", "30")
    meetings_today = set(PanelMeeting.objects.filter(date=timezone.localdate()).values_list("pk", "status"))

    demo_data("--referrals", "20")

    assert Panel.objects.count() == 3
    assert Referral.objects.count() == 50
    assert_references_unique_and_counted()
    assert_every_case_is_backed_by_its_decisions()
    assert Decision.objects.filter(
        referral__state=State.CG_POSITIVE, item__meeting__date__lt=timezone.localdate()
    ).exists()
    # The panels' cycles ran once: the second load leaves today's meetings as they were.
    assert set(PanelMeeting.objects.filter(date=timezone.localdate()).values_list("pk", "status")) == meetings_today


def test_a_larger_load_decides_the_earlier_cases_at_the_panels_past_meetings():
    demo_data("--referrals", "300", "--panels", "2")

    assert_every_case_is_backed_by_its_decisions()
    assert Referral.objects.filter(state=State.CLOSED).count() > 20
    earliest = PanelMeeting.objects.order_by("date").first()
    assert earliest.date < timezone.localdate() - datetime.timedelta(days=180)
    for meeting in PanelMeeting.objects.filter(status=MeetingStatus.CLOSED):
        assert meeting.minutes_html and meeting.minutes_approved_by_id
        assert meeting.attendances.filter(capacity="voting").count() == 3
        items = meeting.items.filter(removed_at=None)
        assert not items.filter(signed_off_at=None).exists()
        for item in items:
            assert item.referral.reference in meeting.minutes_html
    locked = AgencyInput.objects.exclude(locked_by=None).select_related("locked_by")
    assert all(each.locked_by.referral_id == each.referral_id for each in locked)


@pytest.mark.usefixtures("loaded")
class TestTheDefaultLoad:
    """What `make run` loads: three panels of 20 referrals, each panel's month of meetings run."""

    def test_every_panel_has_a_referral_in_every_state_a_case_rests_in(self):
        assert Panel.objects.count() == 3
        for panel in Panel.objects.all():
            # A positive reasonable grounds decision moves the case on at its sign-off: to await
            # conclusive grounds, or to the conclusive grounds decision made at the same item.
            assert set(panel.referrals.values_list("state", flat=True)) == set(State) - {State.RG_POSITIVE}

    def test_every_case_is_where_its_meetings_and_decisions_put_it(self):
        assert_every_case_is_backed_by_its_decisions()

    def test_each_panel_has_a_meeting_today_ready_to_open_with_cases_on_its_agenda(self):
        today = timezone.localdate()
        for panel in Panel.objects.all():
            meeting = PanelMeeting.objects.get(panel=panel, date=today, status=MeetingStatus.SCHEDULED)
            items = list(meeting.items.filter(removed_at=None).select_related("referral__panel"))
            assert len(items) >= 3
            assert {item.referral.state for item in items} == {State.ON_AGENDA}
            assert any(item.purpose == ItemPurpose.RECONSIDERATION for item in items)
            # The chair may not take the case of a child whose lead social worker they are.
            chair = login("chair", panel.code)
            assert any(item.referral.lead_social_worker_id == chair.pk for item in items)
            missing = [
                item
                for item in items
                if AgencyInput.objects.filter(referral=item.referral, locked_by=None).count()
                < len(panel.required_input_kinds)
            ]
            assert len(missing) == 1, "one agency's input is still outstanding"
            overdue = [item for item in items if case_clock(item.referral, today=today).is_overdue]
            assert overdue and not all(case_clock(i.referral, today=today).is_overdue for i in items)

    def test_the_demo_logins_can_run_todays_meeting_from_opening_to_minutes(self):
        chair, deputy = login("chair"), login("deputy-chair")
        members = [login(name) for name in ("panel-member-social-care", "panel-member", "designated-nurse")]
        meeting = PanelMeeting.objects.get(panel__code="NHM", date=timezone.localdate(), status=MeetingStatus.SCHEDULED)

        services.meeting_open(meeting=meeting, user=chair)
        services.attendance_record(
            meeting=meeting, user=chair, people=[*members, login("panel-member-education"), deputy]
        )
        items = meeting.items.filter(removed_at=None).select_related("referral", "reconsideration__decision")
        for item in items.order_by("position"):
            taken_by = chair
            if item.referral.lead_social_worker_id == chair.pk:
                services.item_deputy_chair_set(item=item, user=chair, deputy=deputy)
                taken_by = deputy
            first = item.reconsideration.decision.kind if item.reconsideration_id else RG
            for kind in [first] + ([CG] if first == RG else []):
                services.decision_record(
                    item=item,
                    user=taken_by,
                    kind=kind,
                    outcome=POSITIVE,
                    reasons="Indicators present and the account is consistent.",
                    delay_reason="The panel waited for the police disclosure.",
                )
            services.item_sign_off(item=item, user=taken_by)
        meeting = PanelMeeting.objects.select_related("panel", "chair").get(pk=meeting.pk)
        services.minutes_approve(meeting=meeting, user=chair, minutes_html=documents.minutes_html(meeting))

        meeting.refresh_from_db()
        assert meeting.status == MeetingStatus.CLOSED
        assert {item.referral.state for item in items} == {State.CG_POSITIVE}

    def test_past_meetings_are_closed_with_minutes_and_one_is_cancelled_with_its_reason(self):
        today = timezone.localdate()
        for panel in Panel.objects.all():
            meetings = PanelMeeting.objects.filter(panel=panel).exclude(kind=MeetingKind.BETWEEN_MEETINGS)
            past = meetings.filter(date__lt=today)
            assert past.count() >= 4
            for meeting in past:
                assert meeting.status == MeetingStatus.CLOSED
                assert meeting.minutes_html and meeting.minutes_approved_by_id
                for decision in Decision.objects.filter(item__meeting=meeting):
                    assert decision.decided_on == meeting.date and decision.is_signed_off
            assert past.filter(kind=MeetingKind.EXTRAORDINARY).exists()
            cancelled = meetings.get(status=MeetingStatus.CANCELLED)
            assert cancelled.reason and cancelled.date > today and not cancelled.items.exists()
            upcoming = meetings.filter(date__gt=today, kind=MeetingKind.SCHEDULED)
            upcoming = upcoming.exclude(status=MeetingStatus.CANCELLED)
            assert upcoming.count() >= 4
            assert upcoming.first().items.filter(removed_at=None).exists(), "the next regular meeting has cases"
            assert set(upcoming.values_list("status", flat=True)) == {MeetingStatus.SCHEDULED}

    def test_decisions_are_signed_and_returned_to_the_sca_or_not_yet(self):
        signed = Decision.objects.exclude(signed_off_at=None)
        assert signed.exclude(returned_to_sca_at=None).exists()
        assert signed.filter(returned_to_sca_at=None).exclude(outcome=Outcome.DEFERRED).exists()
        assert not signed.filter(outcome=Outcome.DEFERRED).exclude(returned_to_sca_at=None).exists()
        # Unsigned only where the chair is still deciding: a reasonable grounds decision between meetings.
        unsigned = Decision.objects.filter(signed_off_at=None).select_related("item__meeting")
        assert unsigned.exists()
        assert {decision.item.meeting.status for decision in unsigned} == {MeetingStatus.OPEN}
        assert {decision.item.meeting.kind for decision in unsigned} == {MeetingKind.BETWEEN_MEETINGS}

    def test_agency_inputs_are_open_revised_or_locked_and_written_by_the_agencys_member(self):
        inputs = AgencyInput.objects.select_related("agency", "locked_by")
        assert inputs.exclude(locked_by=None).exists()
        assert inputs.filter(locked_by=None).exists()
        assert inputs.filter(version__gt=1, locked_by=None).exists()
        for agency_input in inputs.select_related("submitted_by"):
            memberships = agency_input.submitted_by.memberships.filter(agency=agency_input.agency)
            assert memberships.exists(), agency_input
            if agency_input.locked_by_id:
                assert agency_input.locked_by.is_signed_off
                assert agency_input.locked_by.referral_id == agency_input.referral_id

    def test_a_case_deferred_to_a_later_meeting_is_decided_there_with_the_reason_for_the_delay(self):
        deferrals = Decision.objects.filter(outcome=Outcome.DEFERRED).select_related("deferred_to", "referral")
        assert deferrals.exists()
        decided_later = 0
        for deferral in deferrals:
            assert deferral.is_signed_off
            later = AgendaItem.objects.get(meeting=deferral.deferred_to, referral=deferral.referral)
            later_decisions = list(later.decisions.all())
            if later.is_signed_off:
                decided_later += 1
                assert all(decision.delay_reason for decision in later_decisions)
            else:
                assert deferral.referral.state == State.ON_AGENDA and not later_decisions
        assert decided_later

    def test_reconsiderations_are_requested_refused_accepted_and_decided(self):
        statuses = set(Reconsideration.objects.values_list("status", flat=True))
        assert statuses == set(ReconsiderationStatus)
        for refused in Reconsideration.objects.filter(status=ReconsiderationStatus.REFUSED):
            assert refused.referral.state == State.CLOSED and refused.refusal_reason
        for accepted in Reconsideration.objects.filter(status=ReconsiderationStatus.ACCEPTED):
            assert accepted.agenda_items.filter(removed_at=None, signed_off_at=None).exists()
        for decided in Reconsideration.objects.filter(status=ReconsiderationStatus.DECIDED):
            new = Decision.objects.get(supersedes=decided.decision)
            assert new.outcome == POSITIVE and new.item.reconsideration == decided
            assert decided.decision.outcome == NEGATIVE and decided.decision.is_signed_off

    def test_a_conflicted_member_and_a_chair_who_is_the_lead_social_worker_take_no_part(self):
        conflict = ConflictOfInterest.objects.select_related("item", "person").first()
        assert conflict and conflict.item.is_signed_off
        for decision in conflict.item.decisions.all():
            assert str(conflict.person) not in [person["name"] for person in decision.present]
        deputised = (
            AgendaItem.objects.exclude(deputy_chair=None)
            .exclude(signed_off_at=None)
            .select_related("meeting", "referral")
        )
        assert deputised.exists()
        for item in deputised:
            assert item.referral.lead_social_worker_id == item.meeting.chair_id
            assert item.signed_off_by_id == item.deputy_chair_id != item.meeting.chair_id

    def test_one_panel_decides_between_meetings_and_one_waits_30_days_for_conclusive_grounds(self):
        between = Panel.objects.get(allows_rg_between_meetings=True)
        assert between.meetings.filter(kind=MeetingKind.BETWEEN_MEETINGS).exists()
        waiting = Panel.objects.get(min_days_between_rg_and_cg=30)
        cg_decisions = Decision.objects.filter(referral__panel=waiting, kind=CG).exclude(outcome=Outcome.DEFERRED)
        assert cg_decisions.exists()
        for cg in cg_decisions:
            rg = Decision.objects.filter(referral=cg.referral, kind=RG, outcome=POSITIVE, decided_on__lte=cg.decided_on)
            assert (cg.decided_on - rg.latest("decided_on").decided_on).days >= 30

    def test_history_is_dated_when_it_happened_and_says_who_did_it(self):
        now = timezone.now()
        for model in (Referral, PanelMeeting, AgendaItem, Decision, AgencyInput, Reconsideration):
            assert not model.history.filter(history_date__gt=now).exists(), model
        for decision in Decision.objects.filter(item__meeting__date__lt=timezone.localdate()):
            assert timezone.localdate(decision.signed_off_at) == decision.decided_on
        redecided = Decision.objects.exclude(supersedes=None).filter(referral__panel__code="NHM").first().referral
        events = list(reversed(case_timeline(redecided)))
        assert [event.at for event in events] == sorted(event.at for event in events)
        assert [event.title.split(":")[0] for event in events[1:]] == [
            "Added to a meeting's agenda",
            "Negative reasonable grounds decision signed off",
            "Reconsideration requested",
            "Added to a meeting's agenda",
            "Positive reasonable grounds decision signed off",
            "Positive conclusive grounds decision signed off",
        ]
        assert "System" not in {event.who for event in events}

    def test_the_printed_logins_include_every_seat_at_the_meeting_and_sign_in(self, loaded, client):
        for email in (
            "chair@northam.example",
            "deputy-chair@northam.example",
            "panel-member-social-care@northam.example",
            "panel-member@northam.example",
            "designated-nurse@northam.example",
            "panel-member-education@northam.example",
        ):
            assert email in loaded
        for email in ("referrer@northam.example", "admin@nrm-panel.example"):
            signed_in = client.post("/sign-in/", {"username": email, "password": DEFAULT_PASSWORD})
            assert signed_in.status_code == 302, email
        assert User.objects.get(email="admin@nrm-panel.example").is_superuser

    def test_references_are_unique_and_each_counter_holds_the_highest_number_used(self):
        assert not Referral.objects.filter(state=State.DRAFT).exclude(reference=None).exists()
        assert not Referral.objects.filter(state=State.DRAFT).exclude(referral_date=None).exists()
        assert_references_unique_and_counted()

    def test_a_referral_submitted_after_the_demo_data_gets_the_next_free_reference(self):
        panel = Panel.objects.get(code="NHM")
        draft = Referral.objects.filter(panel=panel, state=State.DRAFT).first()
        year = timezone.localdate().year
        counter = ReferenceCounter.objects.filter(panel=panel, year=year).first()
        expected = (counter.last_number if counter else 0) + 1

        submitted = referral_submit(referral=draft, user=draft.referrer, is_complete=True)

        assert submitted.reference == f"NHM-{year}-{expected:04d}"

    def test_a_referrer_holds_object_permissions_on_their_own_referrals_only(self):
        northam, eastbury = Panel.objects.get(code="NHM"), Panel.objects.get(code="EBY")
        outsider = referrer_of(eastbury)

        for referral in Referral.objects.filter(panel=northam).select_related("referrer"):
            assert referral.referrer.has_perm("referrals.view_referral", referral)
            may_change = referral.state in EDITABLE_STATES
            assert referral.referrer.has_perm("referrals.change_referral", referral) == may_change
            assert not outsider.has_perm("referrals.view_referral", referral)
        assert not visible_referrals(outsider).filter(panel=northam).exists()

    def test_a_referrer_does_not_see_the_other_referrers_drafts(self):
        northam = Panel.objects.get(code="NHM")
        second = User.objects.get(email="referrer2@northam.example")
        drafts_of_others = Referral.objects.filter(panel=northam, state=State.DRAFT).exclude(referrer=second)

        assert drafts_of_others.exists()
        assert not visible_referrals(second).filter(pk__in=drafts_of_others).exists()

    def test_every_email_address_uses_the_example_domain(self, loaded):
        emails = EMAIL.findall(loaded)
        emails += User.objects.values_list("email", flat=True)
        emails += Referral.objects.exclude(first_responder_email="").values_list("first_responder_email", flat=True)
        assert len(emails) > 60
        assert all(email.endswith(".example") for email in emails), [e for e in emails if not e.endswith(".example")]

    def test_open_cases_show_every_clock_colour(self):
        today = timezone.localdate()

        open_cases = Referral.objects.filter(state__in=CLOCK_RUNNING_STATES).select_related("panel")

        statuses = {case_clock(referral, today=today).status for referral in open_cases}
        assert statuses == {ClockStatus.GREEN, ClockStatus.AMBER, ClockStatus.RED}

    def test_each_panels_latest_meeting_has_its_letters_issued_and_decided_cases_their_days(self):
        # The load's transaction never commits here, so no worker was asked: render them as beat would.
        assert letters.letters_render_pending(older_than=datetime.timedelta(0)) > 0
        for panel in Panel.objects.all():
            meeting = panel.meetings.filter(status="closed").order_by("-date").first()
            signed = Decision.objects.filter(item__meeting=meeting).exclude(outcome="deferred")
            assert signed.exists()
            assert set(Letter.objects.filter(decision__in=signed).values_list("status", flat=True)) == {"ready"}
            assert Letter.objects.filter(decision__in=signed).count() == signed.count()
        decided = Referral.objects.filter(
            decisions__kind="rg",
            decisions__outcome__in=["positive", "negative"],
            decisions__signed_off_at__isnull=False,
        )
        assert decided.exists() and not decided.filter(days_to_rg=None).exists()

    def test_children_are_aged_12_to_17_when_referred(self):
        for referral in Referral.objects.exclude(state=State.DRAFT):
            assert 12 <= age_on(referral.date_of_birth, referral.referral_date) <= 17

    def test_some_children_are_referred_twice_and_flagged_as_likely_duplicates(self):
        submitted = Referral.objects.exclude(state=State.DRAFT)
        assert any(likely_duplicates(referral).exists() for referral in submitted)
        assert Referral.possible_duplicates.through.objects.exists()

    def test_returned_transferred_and_withdrawn_cases_say_why(self):
        for state in (State.RETURNED, State.TRANSFERRED, State.WITHDRAWN):
            assert not Referral.objects.filter(state=state, state_reason="").exists()
