"""One case through the panel: inputs, agenda, attendance, RG and CG at one item, sign-off, minutes, SCA return."""

import pytest

from decisions import services
from decisions.models import DecisionKind, Outcome
from referrals.models import State


def _give_inputs(sitting, case):
    for person, agency in [
        (sitting.social_care, "social_care"),
        (sitting.police, "police"),
        (sitting.health, "health"),
    ]:
        services.agency_input_save(
            referral=case,
            agency=sitting.agencies[agency],
            user=person,
            knowledge="Known to the agency since March.",
            risks="Still in contact with the exploiters.",
            recommendation="victim",
            reasons="Consistent account, indicators of county lines.",
        )


@pytest.mark.django_db
def test_a_case_is_decided_rg_and_cg_at_one_item_and_returned_to_the_sca(sitting):
    case = sitting.case()
    _give_inputs(sitting, case)
    item = services.agenda_add(meeting=sitting.meeting, referral=case, user=sitting.coordinator)
    case.refresh_from_db()
    assert case.state == State.ON_AGENDA

    sitting.open_with_quorum(sitting.education)
    rg = services.decision_record(
        item=item, user=sitting.chair, kind=DecisionKind.RG, outcome=Outcome.POSITIVE, reasons="Indicators present."
    )
    cg = services.decision_record(
        item=item, user=sitting.chair, kind=DecisionKind.CG, outcome=Outcome.POSITIVE, reasons="Balance met."
    )
    services.item_sign_off(item=item, user=sitting.chair)

    case.refresh_from_db()
    assert case.state == State.CG_POSITIVE
    rg.refresh_from_db()
    cg.refresh_from_db()
    assert rg.is_signed_off and cg.is_signed_off
    assert "all available general and specific evidence" in rg.threshold_wording
    assert "balance of probabilities" in cg.threshold_wording
    assert {v["agency"] for v in rg.voters} == {str(a) for k, a in sitting.agencies.items() if k != "education"}
    assert any(p["capacity"] == "Advising" for p in rg.present)
    assert len(rg.agency_recommendations) == 3
    assert case.agency_inputs.filter(locked_by=rg).count() == 3

    assert services.decisions_mark_returned_to_sca(decisions=[rg, cg], user=sitting.coordinator) == 2
    services.minutes_approve(meeting=sitting.meeting, user=sitting.chair, minutes_html="<p>Minutes</p>")


@pytest.mark.django_db
def test_no_decision_without_quorum(sitting):
    case = sitting.case()
    item = services.agenda_add(meeting=sitting.meeting, referral=case, user=sitting.coordinator)
    services.meeting_open(meeting=sitting.meeting, user=sitting.chair)
    services.attendance_record(meeting=sitting.meeting, user=sitting.chair, people=[sitting.social_care])
    with pytest.raises(services.QuorumNotMet, match="Police"):
        services.decision_record(
            item=item, user=sitting.chair, kind=DecisionKind.RG, outcome=Outcome.NEGATIVE, reasons="x"
        )
