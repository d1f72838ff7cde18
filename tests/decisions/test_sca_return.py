"""Every signed decision is returned to the Single Competent Authority (SCA) for audit: the coordinator
records that it was sent, once; an unsigned decision or a deferral is not a decision to return."""

import pytest

from decisions import selectors, services
from decisions.models import DecisionKind, Outcome
from nrm_panel.models import Role
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(sitting, steps):
    item = steps.decide(steps.case(), sitting.meeting, (DecisionKind.RG, Outcome.NEGATIVE))
    return item.decisions.get()


def test_a_signed_decision_is_marked_returned_once_and_keeps_its_first_record(sitting, signed):
    assert services.decisions_mark_returned_to_sca(decisions=[signed], user=sitting.coordinator) == 1
    signed.refresh_from_db()
    first = (signed.returned_to_sca_at, signed.returned_to_sca_by)
    assert first[0] is not None and first[1] == sitting.coordinator

    second_coordinator = member(sitting.panel, Role.COORDINATOR)
    assert services.decisions_mark_returned_to_sca(decisions=[signed], user=second_coordinator) == 0

    signed.refresh_from_db()
    assert (signed.returned_to_sca_at, signed.returned_to_sca_by) == first
    assert list(selectors.decisions_for_sca(sitting.coordinator, returned=True)) == [signed]
    assert list(selectors.decisions_for_sca(sitting.coordinator, returned=False)) == []


def test_an_unsigned_decision_is_not_returned(sitting, steps):
    item = steps.add(sitting.meeting, steps.case())
    steps.open(sitting.meeting)
    unsigned = steps.record(item)

    with pytest.raises(services.DecisionError, match=services.NOT_RETURNABLE):
        services.decisions_mark_returned_to_sca(decisions=[unsigned], user=sitting.coordinator)
    unsigned.refresh_from_db()
    assert unsigned.returned_to_sca_at is None
    assert list(selectors.decisions_for_sca(sitting.coordinator)) == []


def test_a_signed_deferral_is_not_returned(sitting, steps):
    item = steps.add(sitting.meeting, steps.case())
    steps.open(sitting.meeting)
    deferral = steps.record(item, DecisionKind.RG, Outcome.DEFERRED, deferred_to=steps.meeting(steps.day(14)))
    steps.sign(item)

    with pytest.raises(services.DecisionError, match=services.NOT_RETURNABLE):
        services.decisions_mark_returned_to_sca(decisions=[deferral], user=sitting.coordinator)
    deferral.refresh_from_db()
    assert deferral.returned_to_sca_at is None
    assert list(selectors.decisions_for_sca(sitting.coordinator)) == []


def test_a_refused_batch_marks_none_of_its_decisions(sitting, steps, signed):
    item = steps.add(sitting.meeting, steps.case())
    unsigned = steps.record(item)

    with pytest.raises(services.DecisionError):
        services.decisions_mark_returned_to_sca(decisions=[signed, unsigned], user=sitting.coordinator)
    signed.refresh_from_db()
    assert signed.returned_to_sca_at is None


def test_another_panels_coordinator_cannot_mark_this_panels_decisions(signed, other_panel):
    their_coordinator = member(other_panel, Role.COORDINATOR)

    with pytest.raises(services.NotAllowed):
        services.decisions_mark_returned_to_sca(decisions=[signed], user=their_coordinator)
    signed.refresh_from_db()
    assert signed.returned_to_sca_at is None


def test_only_the_coordinator_marks_decisions_returned(sitting, signed):
    with pytest.raises(services.NotAllowed):
        services.decisions_mark_returned_to_sca(decisions=[signed], user=sitting.chair)
    signed.refresh_from_db()
    assert signed.returned_to_sca_at is None
