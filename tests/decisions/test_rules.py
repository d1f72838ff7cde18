"""The rules a decision is made under: quorum, conflicts and the item's chair, the panel's own quorum and
voting kinds, when a conclusive grounds (CG) decision may follow a reasonable grounds (RG) one, no change
after sign-off, the threshold wording of the day, and deferral to a later meeting (DESIGN.md section 3)."""

import datetime

import pytest

from decisions import quorum, services
from decisions.models import (
    AgencyInput,
    AgendaItem,
    Attendance,
    Capacity,
    Decision,
    DecisionKind,
    ItemPurpose,
    MeetingStatus,
    Outcome,
    ThresholdWording,
)
from nrm_panel.models import AgencyKind, Role
from referrals import services as referral_services
from referrals.models import State
from tests.factories import PanelMeetingFactory, SubmittedReferralFactory, member

pytestmark = pytest.mark.django_db

RG, CG = DecisionKind.RG, DecisionKind.CG
POSITIVE, NEGATIVE, DEFERRED = Outcome.POSITIVE, Outcome.NEGATIVE, Outcome.DEFERRED


def missing(kind: str) -> str:
    return quorum.VOTING_MEMBER_MISSING.format(kind=AgencyKind(kind).label)


def names(snapshot: list[dict]) -> set[str]:
    return {entry["name"] for entry in snapshot}


# --- Quorum ---------------------------------------------------------------------------------------


def test_no_decision_is_recorded_without_quorum_and_the_message_names_each_missing_partner(sitting, steps):
    case = steps.case()
    item = steps.add(sitting.meeting, case)
    services.meeting_open(meeting=sitting.meeting, user=sitting.chair)
    services.attendance_record(meeting=sitting.meeting, user=sitting.chair, people=[sitting.social_care])

    with pytest.raises(services.QuorumNotMet) as refused:
        steps.record(item)

    message = str(refused.value)
    assert missing(AgencyKind.POLICE) in message
    assert missing(AgencyKind.HEALTH) in message
    assert missing(AgencyKind.SOCIAL_CARE) not in message
    assert not Decision.objects.exists()


def test_no_decision_is_recorded_before_the_meeting_is_opened(sitting, steps):
    item = steps.add(sitting.meeting, steps.case())

    with pytest.raises(services.DecisionError, match=services.MEETING_NOT_OPEN):
        steps.record(item)
    assert not Decision.objects.exists()


def test_sign_off_is_refused_when_the_quorum_is_lost_after_the_decision_was_recorded(sitting, steps):
    case = steps.case()
    item = steps.add(sitting.meeting, case)
    steps.open(sitting.meeting)
    decision = steps.record(item)
    services.attendance_record(
        meeting=sitting.meeting, user=sitting.chair, people=[sitting.social_care, sitting.police]
    )

    with pytest.raises(services.QuorumNotMet, match=missing(AgencyKind.HEALTH)):
        steps.sign(item)

    decision.refresh_from_db()
    item.refresh_from_db()
    case.refresh_from_db()
    assert not decision.is_signed_off
    assert not item.is_signed_off
    assert case.state == State.ON_AGENDA


def test_a_conflicted_voting_member_does_not_count_toward_quorum(sitting, steps):
    item = steps.add(sitting.meeting, steps.case())
    steps.open(sitting.meeting)
    services.conflict_record(item=item, user=sitting.chair, person=sitting.police, reason="Investigating officer")

    with pytest.raises(services.QuorumNotMet, match=missing(AgencyKind.POLICE)):
        steps.record(item)
    assert not Decision.objects.exists()


def test_a_conflicted_member_is_not_among_those_present_or_voting_on_the_decision(sitting, steps):
    second_officer = member(sitting.panel, Role.PANEL_MEMBER, agency=sitting.agencies[AgencyKind.POLICE])
    case = steps.case()
    item = steps.add(sitting.meeting, case)
    steps.open(sitting.meeting, second_officer, sitting.education)
    services.conflict_record(item=item, user=sitting.chair, person=sitting.police, reason="Knows the family")

    recorded = steps.record(item)
    assert str(sitting.police) not in names(recorded.present) | names(recorded.voters)

    steps.sign(item)
    recorded.refresh_from_db()
    assert str(sitting.police) not in names(recorded.present)
    assert str(sitting.police) not in names(recorded.voters)
    assert names(recorded.voters) == {str(sitting.social_care), str(second_officer), str(sitting.health)}
    assert str(sitting.education) in names(recorded.present)


def test_a_conflicted_chair_blocks_decisions_until_a_present_deputy_chair_takes_the_item(sitting, steps):
    case = steps.case()
    item = steps.add(sitting.meeting, case)
    steps.open(sitting.meeting, sitting.deputy)
    services.conflict_record(item=item, user=sitting.chair, person=sitting.chair, reason="Manages the placement")

    with pytest.raises(services.QuorumNotMet, match=quorum.CHAIR_CONFLICTED):
        steps.record(item)

    services.item_deputy_chair_set(item=item, user=sitting.chair, deputy=sitting.deputy)
    with pytest.raises(services.NotAllowed, match=services.NOT_THE_CHAIR):
        steps.record(item)
    decision = steps.record(item, user=sitting.deputy)
    with pytest.raises(services.NotAllowed, match=services.NOT_THE_CHAIR):
        steps.sign(item)
    steps.sign(item, user=sitting.deputy)

    decision.refresh_from_db()
    case.refresh_from_db()
    assert decision.recorded_by == sitting.deputy
    assert decision.signed_off_by == sitting.deputy
    assert str(sitting.chair) not in names(decision.present)
    assert case.state == State.CG_PENDING


def test_the_childs_lead_social_worker_cannot_chair_their_item_and_a_deputy_decides_it(sitting, steps):
    case = steps.case(lead_social_worker=sitting.chair)
    item = steps.add(sitting.meeting, case)
    steps.open(sitting.meeting, sitting.deputy)

    with pytest.raises(services.QuorumNotMet, match=quorum.CHAIR_IS_LEAD_SOCIAL_WORKER):
        steps.record(item)
    assert not Decision.objects.exists()

    services.item_deputy_chair_set(item=item, user=sitting.chair, deputy=sitting.deputy)
    with pytest.raises(services.NotAllowed):
        steps.record(item, outcome=NEGATIVE)
    decision = steps.record(item, outcome=NEGATIVE, user=sitting.deputy)
    steps.sign(item, user=sitting.deputy)

    decision.refresh_from_db()
    case.refresh_from_db()
    assert decision.signed_off_by == sitting.deputy
    assert case.state == State.RG_NEGATIVE


def test_the_meeting_chair_cannot_record_or_remove_at_an_item_a_deputy_chairs(sitting, steps):
    item = steps.add(sitting.meeting, steps.case())
    steps.open(sitting.meeting, sitting.deputy)
    services.item_deputy_chair_set(item=item, user=sitting.chair, deputy=sitting.deputy)

    with pytest.raises(services.NotAllowed):
        steps.record(item)
    decision = steps.record(item, user=sitting.deputy)
    with pytest.raises(services.NotAllowed):
        services.decision_remove(decision=decision, user=sitting.chair)
    assert Decision.objects.filter(pk=decision.pk).exists()


def test_only_the_meeting_chair_hands_an_item_to_a_deputy(sitting, steps):
    item = steps.add(sitting.meeting, steps.case())
    steps.open(sitting.meeting, sitting.deputy)

    with pytest.raises(services.NotAllowed):
        services.item_deputy_chair_set(item=item, user=sitting.deputy, deputy=sitting.deputy)
    item.refresh_from_db()
    assert item.deputy_chair is None


def test_a_deputy_chair_must_hold_the_chair_role_and_be_present(sitting, steps):
    item = steps.add(sitting.meeting, steps.case())
    steps.open(sitting.meeting)  # the deputy is not recorded as present

    with pytest.raises(services.DecisionError, match=services.NOT_A_CHAIR):
        services.item_deputy_chair_set(item=item, user=sitting.chair, deputy=sitting.deputy)
    with pytest.raises(services.DecisionError, match=services.NOT_A_CHAIR):
        services.item_deputy_chair_set(item=item, user=sitting.chair, deputy=sitting.police)
    item.refresh_from_db()
    assert item.deputy_chair is None


# --- The panel's own quorum and voting rules -----------------------------------------------------


def test_a_panel_whose_quorum_is_social_care_and_police_decides_without_health(sitting, steps):
    sitting.panel.quorum_kinds = [AgencyKind.SOCIAL_CARE, AgencyKind.POLICE]
    sitting.panel.save()
    item = steps.add(sitting.meeting, steps.case())
    services.meeting_open(meeting=sitting.meeting, user=sitting.chair)
    services.attendance_record(
        meeting=sitting.meeting, user=sitting.chair, people=[sitting.social_care, sitting.police]
    )

    decision = steps.record(item)
    assert names(decision.voters) == {str(sitting.social_care), str(sitting.police)}


def test_education_attends_as_advising_and_does_not_vote(sitting, steps):
    item = steps.add(sitting.meeting, steps.case())
    steps.open(sitting.meeting, sitting.education)

    capacities = {a.person: a.capacity for a in Attendance.objects.filter(meeting=sitting.meeting)}
    assert capacities[sitting.education] == Capacity.ADVISING
    assert [capacities[person] for person in sitting.voting_members] == [Capacity.VOTING] * 3
    assert capacities[sitting.chair] == Capacity.CHAIR

    decision = steps.record(item)
    assert str(sitting.education) not in names(decision.voters)
    assert {"name": str(sitting.education), "agency": "Lewisham Schools", "capacity": "Advising"} in decision.present


def test_education_present_does_not_make_up_for_a_missing_statutory_partner(sitting, steps):
    item = steps.add(sitting.meeting, steps.case())
    services.meeting_open(meeting=sitting.meeting, user=sitting.chair)
    services.attendance_record(
        meeting=sitting.meeting, user=sitting.chair, people=[sitting.social_care, sitting.police, sitting.education]
    )

    with pytest.raises(services.QuorumNotMet, match=missing(AgencyKind.HEALTH)):
        steps.record(item)


def test_a_panel_that_gives_education_a_vote_needs_it_for_quorum_and_counts_it_as_a_voter(sitting, steps):
    sitting.panel.voting_kinds = [*sitting.panel.voting_kinds, AgencyKind.EDUCATION]
    sitting.panel.quorum_kinds = [*sitting.panel.quorum_kinds, AgencyKind.EDUCATION]
    sitting.panel.save()
    item = steps.add(sitting.meeting, steps.case())
    steps.open(sitting.meeting)

    with pytest.raises(services.QuorumNotMet, match=missing(AgencyKind.EDUCATION)):
        steps.record(item)

    services.attendance_record(
        meeting=sitting.meeting, user=sitting.chair, people=[*sitting.voting_members, sitting.education]
    )
    assert Attendance.objects.get(meeting=sitting.meeting, person=sitting.education).capacity == Capacity.VOTING
    decision = steps.record(item)
    assert str(sitting.education) in names(decision.voters)


# --- Outcomes and where the case goes -------------------------------------------------------------


def test_a_positive_rg_without_cg_leaves_the_case_awaiting_cg(sitting, steps):
    case = steps.case()
    steps.decide(case, sitting.meeting, (RG, POSITIVE))
    assert case.state == State.CG_PENDING


def test_a_negative_rg_moves_the_case_to_rg_negative(sitting, steps):
    case = steps.case()
    steps.decide(case, sitting.meeting, (RG, NEGATIVE))
    assert case.state == State.RG_NEGATIVE


@pytest.mark.parametrize(("outcome", "state"), [(POSITIVE, State.CG_POSITIVE), (NEGATIVE, State.CG_NEGATIVE)])
def test_cg_at_the_same_item_as_rg_is_allowed_with_no_minimum_gap(sitting, steps, outcome, state):
    assert sitting.panel.min_days_between_rg_and_cg == 0
    case = steps.case()
    steps.decide(case, sitting.meeting, (RG, POSITIVE), (CG, outcome))
    assert case.state == state


# --- When CG may be decided -----------------------------------------------------------------------


def test_cg_cannot_be_recorded_before_a_positive_rg_at_the_item(sitting, steps):
    item = steps.add(sitting.meeting, steps.case())
    steps.open(sitting.meeting)

    with pytest.raises(services.DecisionError, match=services.CG_NEEDS_POSITIVE_RG):
        steps.record(item, CG)
    steps.record(item, RG, NEGATIVE)
    with pytest.raises(services.DecisionError, match=services.CG_NEEDS_POSITIVE_RG):
        steps.record(item, CG)
    assert not Decision.objects.filter(kind=CG).exists()


def test_a_negative_rg_cannot_replace_a_positive_one_while_a_cg_stands_on_it(sitting, steps):
    item = steps.add(sitting.meeting, steps.case())
    steps.open(sitting.meeting)
    rg = steps.record(item, RG, POSITIVE)
    steps.record(item, CG, POSITIVE)

    with pytest.raises(services.DecisionError):
        steps.record(item, RG, NEGATIVE, version=rg.version)
    rg.refresh_from_db()
    assert rg.outcome == POSITIVE


def test_cg_at_its_own_item_needs_a_signed_positive_rg_on_the_case(sitting, steps):
    case = SubmittedReferralFactory(panel=sitting.panel, state=State.CG_PENDING)
    item = steps.add(sitting.meeting, case)
    assert item.purpose == ItemPurpose.CG
    steps.open(sitting.meeting)

    with pytest.raises(services.DecisionError, match=services.CG_NEEDS_POSITIVE_RG):
        steps.record(item, CG)
    assert not Decision.objects.exists()


def test_a_30_day_gap_refuses_cg_at_the_same_item_as_rg(sitting, steps):
    sitting.panel.min_days_between_rg_and_cg = 30
    sitting.panel.save()
    item = steps.add(sitting.meeting, steps.case())
    steps.open(sitting.meeting)
    steps.record(item, RG, POSITIVE)

    earliest = sitting.meeting.date + datetime.timedelta(days=30)
    with pytest.raises(services.DecisionError) as refused:
        steps.record(item, CG, POSITIVE)
    assert str(refused.value) == services.CG_TOO_SOON.format(days=30, date=f"{earliest:%-d %B %Y}")
    assert not Decision.objects.filter(kind=CG).exists()


@pytest.mark.parametrize(("outcome", "state"), [(POSITIVE, State.CG_POSITIVE), (NEGATIVE, State.CG_NEGATIVE)])
def test_a_30_day_gap_accepts_cg_at_a_meeting_30_days_after_the_rg(sitting, steps, outcome, state):
    sitting.panel.min_days_between_rg_and_cg = 30
    sitting.panel.save()
    case = steps.case(referral_date=steps.day(-65))
    steps.decide(case, steps.meeting(steps.day(-60)), (RG, POSITIVE))
    assert case.state == State.CG_PENDING

    item = steps.decide(case, steps.meeting(steps.day(-30)), (CG, outcome))

    assert item.purpose == ItemPurpose.CG
    assert case.state == state
    assert case.decisions.get(kind=CG).decided_on == steps.day(-30)


def test_a_30_day_gap_refuses_cg_at_a_meeting_29_days_after_the_rg(sitting, steps):
    sitting.panel.min_days_between_rg_and_cg = 30
    sitting.panel.save()
    case = steps.case(referral_date=steps.day(-65))
    steps.decide(case, steps.meeting(steps.day(-60)), (RG, POSITIVE))
    too_soon = steps.open(steps.meeting(steps.day(-31)))
    item = steps.add(too_soon, case)

    with pytest.raises(services.DecisionError, match="the conclusive grounds decision can be made from"):
        steps.record(item, CG)
    assert not case.decisions.filter(kind=CG).exists()


# --- No change after sign-off; stale forms -------------------------------------------------------


@pytest.fixture
def signed_item(sitting, steps):
    """A positive RG signed off at today's meeting, which stays open."""
    return steps.decide(steps.case(), sitting.meeting, (RG, POSITIVE))


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda s, item, rg: services.decision_record(
                item=item, user=s.chair, kind=RG, outcome=NEGATIVE, reasons="Changed my mind", version=rg.version
            ),
            id="correct-the-rg",
        ),
        pytest.param(
            lambda s, item, rg: services.decision_record(
                item=item, user=s.chair, kind=CG, outcome=POSITIVE, reasons="Add a CG"
            ),
            id="add-a-cg",
        ),
        pytest.param(lambda s, item, rg: services.decision_remove(decision=rg, user=s.chair), id="remove-the-rg"),
        pytest.param(
            lambda s, item, rg: services.conflict_record(item=item, user=s.chair, person=s.police, reason="Late"),
            id="record-a-conflict",
        ),
        pytest.param(
            lambda s, item, rg: services.item_deputy_chair_set(item=item, user=s.chair, deputy=s.deputy),
            id="hand-to-a-deputy",
        ),
        pytest.param(lambda s, item, rg: services.item_sign_off(item=item, user=s.chair), id="sign-off-again"),
    ],
)
def test_nothing_at_an_item_changes_after_sign_off(sitting, signed_item, change):
    rg = signed_item.decisions.get()
    before = (rg.outcome, rg.reasons, rg.version, rg.signed_off_at)

    with pytest.raises(services.DecisionError, match=services.SIGNED_OFF):
        change(sitting, signed_item, rg)

    rg.refresh_from_db()
    assert (rg.outcome, rg.reasons, rg.version, rg.signed_off_at) == before
    assert signed_item.decisions.count() == 1
    assert not signed_item.conflicts.exists()


def test_a_decision_corrected_from_a_stale_form_is_refused_and_nothing_changes(sitting, steps):
    item = steps.add(sitting.meeting, steps.case())
    steps.open(sitting.meeting)
    first = steps.record(item, reasons="First reasons.")
    corrected = steps.record(item, reasons="Corrected reasons.", version=first.version)
    assert corrected.version == first.version + 1

    with pytest.raises(services.StaleRecord):
        steps.record(item, RG, NEGATIVE, reasons="From an old form.", version=first.version)

    saved = Decision.objects.get()
    assert (saved.outcome, saved.reasons, saved.version) == (POSITIVE, "Corrected reasons.", corrected.version)


def test_a_form_for_a_decision_that_was_removed_is_stale(sitting, steps):
    item = steps.add(sitting.meeting, steps.case())
    steps.open(sitting.meeting)
    decision = steps.record(item)
    services.decision_remove(decision=decision, user=sitting.chair)

    with pytest.raises(services.StaleRecord):
        steps.record(item, version=decision.version)
    assert not Decision.objects.exists()


# --- The threshold wording of the day --------------------------------------------------------------

SUSPECTS = "suspects but cannot prove"
OBJECTIVE_FACTORS = "based on objective factors but falling short of conclusive proof"
ALL_EVIDENCE = "based on all available general and specific evidence but falling short of conclusive proof"
WORDINGS = [SUSPECTS, OBJECTIVE_FACTORS, ALL_EVIDENCE]


@pytest.mark.parametrize(
    ("decided_on", "wording"),
    [
        ("2023-01-29", SUSPECTS),
        ("2023-01-30", OBJECTIVE_FACTORS),
        ("2023-07-09", OBJECTIVE_FACTORS),
        ("2023-07-10", ALL_EVIDENCE),
    ],
)
def test_a_decision_stores_the_rg_wording_in_force_on_its_date(sitting, steps, decided_on, wording):
    date = datetime.date.fromisoformat(decided_on)
    case = steps.case(referral_date=date - datetime.timedelta(days=10))
    meeting = steps.meeting(date)
    item = steps.add(meeting, case)
    steps.open(meeting)

    recorded = steps.record(item, RG, POSITIVE)
    cg = steps.record(item, CG, POSITIVE)
    steps.sign(item)

    recorded.refresh_from_db()
    cg.refresh_from_db()
    assert recorded.decided_on == date
    assert wording in recorded.threshold_wording
    assert [w for w in WORDINGS if w in recorded.threshold_wording] == [wording]
    assert "balance of probabilities" in cg.threshold_wording


def test_a_wording_an_administrator_adds_applies_from_its_date(sitting, steps):
    in_force_from = steps.day(-10)
    ThresholdWording.objects.create(
        kind=RG, in_force_from=in_force_from, wording="The new test from the latest guidance.", source="Guidance"
    )
    case_before, case_on = steps.case(referral_date=steps.day(-20)), steps.case(referral_date=steps.day(-20))

    steps.decide(case_before, steps.meeting(steps.day(-11)))
    steps.decide(case_on, steps.meeting(in_force_from))

    assert ALL_EVIDENCE in case_before.decisions.get().threshold_wording
    assert case_on.decisions.get().threshold_wording == "The new test from the latest guidance."


# --- Deferral --------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["none", "earlier", "same_day", "other_panel", "cancelled"])
def test_a_deferral_names_a_later_scheduled_meeting_of_the_same_panel(sitting, steps, other_panel, target):
    meeting = sitting.meeting
    later = {
        "none": lambda: None,
        "earlier": lambda: steps.meeting(steps.day(-7)),
        "same_day": lambda: steps.meeting(meeting.date),
        "other_panel": lambda: PanelMeetingFactory(panel=other_panel, date=steps.day(14)),
        "cancelled": lambda: steps.meeting(steps.day(14), status=MeetingStatus.CANCELLED),
    }[target]()
    item = steps.add(meeting, steps.case())
    steps.open(meeting)

    with pytest.raises(services.DecisionError, match=services.DEFER_TO_LATER_MEETING):
        steps.record(item, RG, DEFERRED, deferred_to=later)
    assert not Decision.objects.exists()


def test_a_deferred_item_has_no_other_decision(sitting, steps):
    item = steps.add(sitting.meeting, steps.case())
    steps.open(sitting.meeting)
    steps.record(item, RG, POSITIVE)

    with pytest.raises(services.DecisionError, match=services.DEFERRED_NOT_WITH_OTHER):
        steps.record(item, CG, DEFERRED, deferred_to=steps.meeting(steps.day(14)))


def test_signing_off_a_deferral_puts_the_case_on_the_later_meetings_agenda(sitting, steps):
    case = steps.case()
    services.agency_input_save(
        referral=case,
        agency=sitting.agencies[AgencyKind.POLICE],
        user=sitting.police,
        knowledge="Arrested in a county lines operation.",
        risks="Owes a drug debt.",
        recommendation="not_enough_information",
        reasons="Waiting for the phone download.",
    )
    later = steps.meeting(steps.day(14))
    item = steps.add(sitting.meeting, case)
    steps.open(sitting.meeting)
    steps.record(item, RG, DEFERRED, deferred_to=later, reasons="The police report is not in yet.")
    steps.sign(item)

    case.refresh_from_db()
    assert case.state == State.ON_AGENDA
    new_item = AgendaItem.objects.get(meeting=later, referral=case)
    assert new_item.purpose == ItemPurpose.RG
    assert not new_item.is_signed_off and new_item.removed_at is None
    reasons = [h.history_change_reason for h in case.history.order_by("history_date")]
    deferred = f"Deferred: to the {later}"
    assert deferred in reasons
    assert reasons.index(deferred) < reasons.index(f"Added to a meeting's agenda: {later} (Reasonable grounds)")

    police_input = AgencyInput.objects.get(referral=case)
    assert police_input.locked_by is None
    revised = services.agency_input_save(
        referral=case,
        agency=sitting.agencies[AgencyKind.POLICE],
        user=sitting.police,
        knowledge="Arrested in a county lines operation.",
        risks="Owes a drug debt.",
        recommendation="victim",
        reasons="The phone download shows the line.",
        version=police_input.version,
    )
    assert revised.pk == police_input.pk


def test_the_deferred_case_is_decided_at_the_later_meeting(sitting, steps):
    case = steps.case(referral_date=steps.day(-20))
    first, later = steps.meeting(steps.day(-14)), steps.meeting(steps.day(-7))
    item = steps.add(first, case)
    steps.open(first)
    steps.record(item, RG, DEFERRED, deferred_to=later)
    steps.sign(item)

    steps.open(later)
    later_item = case.agenda_items.get(meeting=later)
    steps.record(later_item, RG, POSITIVE)
    steps.sign(later_item)

    case.refresh_from_db()
    assert case.state == State.CG_PENDING
    assert [d.outcome for d in case.decisions.order_by("decided_on")] == [DEFERRED, POSITIVE]


def test_a_deferred_cg_goes_on_the_later_meetings_agenda_for_cg(sitting, steps):
    case = steps.case(referral_date=steps.day(-20))
    steps.decide(case, steps.meeting(steps.day(-14)), (RG, POSITIVE))
    item = steps.add(sitting.meeting, case)
    steps.open(sitting.meeting)
    later = steps.meeting(steps.day(7))
    steps.record(item, CG, DEFERRED, deferred_to=later)

    steps.sign(item)

    case.refresh_from_db()
    assert case.state == State.ON_AGENDA
    assert case.agenda_items.get(meeting=later).purpose == ItemPurpose.CG


def test_deferring_beyond_the_case_target_date_needs_a_delay_reason(sitting, steps):
    # Target: day 45 from the referral, 10 days from today; the later meeting is in 20 days.
    case = steps.case(referral_date=steps.day(-35))
    later = steps.meeting(steps.day(20))
    item = steps.add(sitting.meeting, case)
    steps.open(sitting.meeting)

    with pytest.raises(services.DecisionError, match="give the reason for the delay"):
        steps.record(item, RG, DEFERRED, deferred_to=later)
    assert not Decision.objects.exists()

    delay_reason = "The only meeting with a police member."
    decision = steps.record(item, RG, DEFERRED, deferred_to=later, delay_reason=delay_reason)
    assert decision.delay_reason == delay_reason


def test_deferring_to_a_meeting_on_the_target_date_needs_no_delay_reason(sitting, steps):
    case = steps.case(referral_date=steps.day(-35))
    on_target = steps.meeting(steps.day(10))
    item = steps.add(sitting.meeting, case)
    steps.open(sitting.meeting)

    decision = steps.record(item, RG, DEFERRED, deferred_to=on_target)
    assert decision.deferred_to == on_target


@pytest.mark.parametrize(("days_since_referral", "needs_reason"), [(45, False), (46, True)])
def test_a_decision_after_the_target_date_needs_a_delay_reason(sitting, steps, days_since_referral, needs_reason):
    item = steps.add(sitting.meeting, steps.case(referral_date=steps.day(-days_since_referral)))
    steps.open(sitting.meeting)

    if needs_reason:
        with pytest.raises(services.DecisionError, match="give the reason for the delay"):
            steps.record(item)
        steps.record(item, delay_reason="Waiting for the health records.")
    else:
        steps.record(item)
    assert Decision.objects.count() == 1


def test_a_withdrawn_case_is_not_signed_off(sitting, steps):
    case = steps.case()
    item = steps.add(sitting.meeting, case)
    steps.open(sitting.meeting)
    steps.record(item, DecisionKind.RG, Outcome.POSITIVE)
    referral_services.referral_withdraw(referral=case, user=sitting.coordinator, reason="Moved abroad with family.")

    with pytest.raises(services.DecisionError, match="withdrawn"):
        services.item_sign_off(item=item, user=sitting.chair)

    assert not item.decisions.filter(signed_off_at__isnull=False).exists()


def test_a_deputy_chair_who_is_a_voting_member_does_not_vote(sitting, steps):
    deputy = member(sitting.panel, Role.CHAIR)
    member(sitting.panel, Role.PANEL_MEMBER, user=deputy, agency=sitting.agencies[AgencyKind.SOCIAL_CARE])
    item = steps.add(sitting.meeting, steps.case())
    steps.open(sitting.meeting, deputy)
    services.item_deputy_chair_set(item=item, user=sitting.chair, deputy=deputy)

    decision = steps.record(item, DecisionKind.RG, Outcome.POSITIVE, user=deputy)

    assert str(deputy) not in {voter["name"] for voter in decision.voters}
    assert {"name": str(deputy), "agency": str(sitting.agencies[AgencyKind.SOCIAL_CARE]), "capacity": "Chair"} in (
        decision.present
    )
