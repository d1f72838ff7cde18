"""Reconsideration of a negative decision: asked for within 30 calendar days of it (later only for a recorded
exceptional reason), accepted onto an agenda or refused; the new decision supersedes the old and both stay."""

import datetime

import pytest
from django.utils import timezone

from decisions import selectors, services
from decisions.models import (
    Decision,
    DecisionKind,
    ItemPurpose,
    Outcome,
    Reconsideration,
    ReconsiderationGrounds,
    ReconsiderationStatus,
    RequestedBy,
)
from referrals.models import State

pytestmark = pytest.mark.django_db

RG, CG = DecisionKind.RG, DecisionKind.CG
POSITIVE, NEGATIVE, DEFERRED = Outcome.POSITIVE, Outcome.NEGATIVE, Outcome.DEFERRED
DECIDED_DAYS_AGO = 40


def request(sitting, case, *, received_on, exceptional_reason=""):
    return services.reconsideration_request(
        referral=case,
        user=sitting.coordinator,
        requested_by=RequestedBy.LEGAL_REPRESENTATIVE,
        requester_name="A. Solicitor, Example Law",
        received_on=received_on,
        grounds=ReconsiderationGrounds.NEW_EVIDENCE,
        details="A statement from the child's teacher.",
        exceptional_reason=exceptional_reason,
    )


@pytest.fixture
def negative_rg(sitting, steps):
    """A case with a negative RG signed off 40 days ago; its day 45 is today."""
    case = steps.case(referral_date=steps.day(-45))
    steps.decide(case, steps.meeting(steps.day(-DECIDED_DAYS_AGO)), (RG, NEGATIVE))
    assert case.state == State.RG_NEGATIVE
    return case


def day_after_decision(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=DECIDED_DAYS_AGO) + datetime.timedelta(days=days)


# --- The 30-day window -----------------------------------------------------------------------------


def test_a_request_received_on_day_30_is_accepted_without_a_reason(sitting, negative_rg):
    reconsideration = request(sitting, negative_rg, received_on=day_after_decision(30))

    negative_rg.refresh_from_db()
    assert reconsideration.status == ReconsiderationStatus.REQUESTED
    assert reconsideration.decision == negative_rg.decisions.get()
    assert negative_rg.state == State.RECONSIDERATION


def test_a_request_received_on_day_31_needs_an_exceptional_reason(sitting, negative_rg):
    with pytest.raises(services.DecisionError, match="received 31 days after the decision"):
        request(sitting, negative_rg, received_on=day_after_decision(31))
    negative_rg.refresh_from_db()
    assert negative_rg.state == State.RG_NEGATIVE
    assert not Reconsideration.objects.exists()

    reconsideration = request(
        sitting, negative_rg, received_on=day_after_decision(31), exceptional_reason="The child was in hospital."
    )
    assert reconsideration.exceptional_reason == "The child was in hospital."
    negative_rg.refresh_from_db()
    assert negative_rg.state == State.RECONSIDERATION


def test_a_request_cannot_be_received_before_the_decision_or_in_the_future(sitting, negative_rg, steps):
    with pytest.raises(services.DecisionError, match="cannot have been received before the decision"):
        request(sitting, negative_rg, received_on=day_after_decision(-1))
    with pytest.raises(services.DecisionError, match=services.RECEIVED_IN_FUTURE):
        request(sitting, negative_rg, received_on=steps.day(1))
    assert not Reconsideration.objects.exists()


def test_only_the_coordinator_records_a_request(sitting, negative_rg):
    with pytest.raises(services.NotAllowed):
        services.reconsideration_request(
            referral=negative_rg,
            user=sitting.chair,
            requested_by=RequestedBy.CHILD,
            requester_name="The child",
            received_on=day_after_decision(5),
            grounds=ReconsiderationGrounds.NEW_EVIDENCE,
            details="New evidence.",
        )
    assert not Reconsideration.objects.exists()


def test_a_request_is_refused_when_there_is_no_signed_negative_decision(sitting, steps):
    meeting = steps.meeting(steps.day(-5))
    awaiting = steps.case(referral_date=steps.day(-10))
    positive = steps.case(referral_date=steps.day(-10))
    steps.decide(positive, meeting, (RG, POSITIVE))
    unsigned = steps.case(referral_date=steps.day(-10))
    item = steps.add(meeting, unsigned)
    steps.record(item, RG, NEGATIVE)

    for case in (awaiting, positive, unsigned):
        with pytest.raises(services.DecisionError, match=services.NO_NEGATIVE_DECISION):
            request(sitting, case, received_on=steps.day(-1))
    assert not Reconsideration.objects.exists()


# --- Accepted: re-decided at a meeting -------------------------------------------------------------


def test_an_accepted_reconsideration_goes_on_an_agenda_for_reconsideration(sitting, steps, negative_rg):
    reconsideration = request(sitting, negative_rg, received_on=day_after_decision(10))
    with pytest.raises(services.DecisionError, match=services.RECONSIDERATION_NOT_ACCEPTED):
        steps.add(sitting.meeting, negative_rg)

    services.reconsideration_accept(reconsideration=reconsideration, user=sitting.coordinator)
    item = steps.add(sitting.meeting, negative_rg)

    negative_rg.refresh_from_db()
    assert item.purpose == ItemPurpose.RECONSIDERATION
    assert item.reconsideration == reconsideration
    assert negative_rg.state == State.ON_AGENDA


def test_the_new_decision_supersedes_the_old_and_both_stay_on_record(sitting, steps, negative_rg):
    old = negative_rg.decisions.get()
    reconsideration = request(sitting, negative_rg, received_on=day_after_decision(10))
    services.reconsideration_accept(reconsideration=reconsideration, user=sitting.coordinator)

    item = steps.decide(negative_rg, sitting.meeting, (RG, POSITIVE))

    new = item.decisions.get()
    old.refresh_from_db()
    reconsideration.refresh_from_db()
    assert new.supersedes == old
    assert old.superseded_by == new
    assert (old.outcome, old.is_signed_off) == (NEGATIVE, True)
    assert selectors.case_decisions(negative_rg) == [old, new]
    assert services.current_negative_decision(negative_rg) is None
    assert reconsideration.status == ReconsiderationStatus.DECIDED
    assert negative_rg.state == State.CG_PENDING


def test_a_negative_re_decision_is_the_one_a_further_request_looks_at(sitting, steps, negative_rg):
    old = negative_rg.decisions.get()
    services.reconsideration_accept(
        reconsideration=request(sitting, negative_rg, received_on=day_after_decision(10)), user=sitting.coordinator
    )

    item = steps.decide(negative_rg, sitting.meeting, (RG, NEGATIVE))

    new = item.decisions.get()
    assert new.supersedes == old
    assert services.current_negative_decision(negative_rg) == new
    assert negative_rg.state == State.RG_NEGATIVE
    assert Decision.objects.filter(referral=negative_rg).count() == 2


def test_a_negative_cg_is_reconsidered_with_a_new_cg(sitting, steps):
    case = steps.case(referral_date=steps.day(-45))
    steps.decide(case, steps.meeting(steps.day(-40)), (RG, POSITIVE), (CG, NEGATIVE))
    assert case.state == State.CG_NEGATIVE
    old_rg, old_cg = case.decisions.get(kind=RG), case.decisions.get(kind=CG)
    services.reconsideration_accept(
        reconsideration=request(sitting, case, received_on=day_after_decision(20)), user=sitting.coordinator
    )

    item = steps.decide(case, sitting.meeting, (CG, POSITIVE))

    new_cg = item.decisions.get()
    assert new_cg.kind == CG
    assert new_cg.supersedes == old_cg
    assert not hasattr(old_rg, "superseded_by")
    assert case.state == State.CG_POSITIVE


def test_an_item_reconsidering_a_cg_takes_no_rg(sitting, steps):
    case = steps.case(referral_date=steps.day(-45))
    steps.decide(case, steps.meeting(steps.day(-40)), (RG, POSITIVE), (CG, NEGATIVE))
    services.reconsideration_accept(
        reconsideration=request(sitting, case, received_on=day_after_decision(20)), user=sitting.coordinator
    )
    item = steps.add(sitting.meeting, case)
    steps.open(sitting.meeting)

    with pytest.raises(services.DecisionError, match=services.KIND_NOT_AT_ITEM.format(kind="reasonable grounds")):
        steps.record(item, RG, POSITIVE)
    assert not item.decisions.exists()


def test_a_deferred_reconsideration_goes_on_the_later_meetings_agenda(sitting, steps, negative_rg):
    reconsideration = request(sitting, negative_rg, received_on=day_after_decision(10))
    services.reconsideration_accept(reconsideration=reconsideration, user=sitting.coordinator)
    later = steps.meeting(steps.day(14))
    item = steps.add(sitting.meeting, negative_rg)
    steps.open(sitting.meeting)
    steps.record(item, RG, DEFERRED, deferred_to=later, delay_reason="Waiting for the school's statement.")

    steps.sign(item)

    negative_rg.refresh_from_db()
    reconsideration.refresh_from_db()
    later_item = negative_rg.agenda_items.get(meeting=later)
    assert later_item.purpose == ItemPurpose.RECONSIDERATION
    assert later_item.reconsideration == reconsideration
    assert reconsideration.status == ReconsiderationStatus.ACCEPTED
    assert negative_rg.state == State.ON_AGENDA


def test_a_deferred_decision_does_not_supersede_the_decision_under_reconsideration(sitting, steps, negative_rg):
    old = negative_rg.decisions.get()
    services.reconsideration_accept(
        reconsideration=request(sitting, negative_rg, received_on=day_after_decision(10)), user=sitting.coordinator
    )
    item = steps.add(sitting.meeting, negative_rg)
    steps.open(sitting.meeting)

    deferral = steps.record(
        item, RG, DEFERRED, deferred_to=steps.meeting(steps.day(14)), delay_reason="Waiting for the statement."
    )

    assert deferral.supersedes is None
    assert services.current_negative_decision(negative_rg) == old


# --- Refused ---------------------------------------------------------------------------------------


def test_refusing_a_reconsideration_closes_the_case(sitting, negative_rg):
    reconsideration = request(sitting, negative_rg, received_on=day_after_decision(10))

    services.reconsideration_refuse(reconsideration=reconsideration, user=sitting.coordinator, reason="No new evidence")

    negative_rg.refresh_from_db()
    reconsideration.refresh_from_db()
    assert negative_rg.state == State.CLOSED
    assert reconsideration.status == ReconsiderationStatus.REFUSED
    assert reconsideration.refusal_reason == "No new evidence"
    assert services.current_negative_decision(negative_rg) == negative_rg.decisions.get()


def test_a_decided_reconsideration_is_neither_accepted_nor_refused_again(sitting, negative_rg):
    reconsideration = request(sitting, negative_rg, received_on=day_after_decision(10))
    services.reconsideration_refuse(reconsideration=reconsideration, user=sitting.coordinator, reason="Out of time")

    with pytest.raises(services.DecisionError, match="already been refused"):
        services.reconsideration_accept(reconsideration=reconsideration, user=sitting.coordinator)
    with pytest.raises(services.DecisionError, match="already been refused"):
        services.reconsideration_refuse(reconsideration=reconsideration, user=sitting.coordinator, reason="Again")
