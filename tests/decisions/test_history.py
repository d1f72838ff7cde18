"""Every change to a decision, agency input, attendance, conflict of interest, agenda item, meeting and
reconsideration is kept by django-simple-history with the reason for it, which the case timeline and an
audit read; a reason a person types is kept whatever its length."""

import pytest

from decisions import services
from decisions.models import (
    AgencyInput,
    AgendaItem,
    Attendance,
    ConflictOfInterest,
    Decision,
    DecisionKind,
    Outcome,
    PanelMeeting,
    Reconsideration,
)
from nrm_panel.models import AgencyKind

pytestmark = pytest.mark.django_db

RG, CG = DecisionKind.RG, DecisionKind.CG


def reasons(history) -> list[str]:
    """The change reasons of a history queryset, oldest first."""
    return [record.history_change_reason for record in history.order_by("history_date", "history_id")]


def save_police_input(sitting, case, *, version=None):
    return services.agency_input_save(
        referral=case,
        agency=sitting.agencies[AgencyKind.POLICE],
        user=sitting.police,
        knowledge="Arrested with cash and two phones.",
        risks="Owes a debt to the line holders.",
        recommendation="victim",
        reasons="Indicators of criminal exploitation.",
        version=version,
    )


@pytest.fixture
def worked_case(sitting, steps):
    """A case taken through every step of a meeting, each of which leaves a history record."""
    case = steps.case()
    first_input = save_police_input(sitting, case)
    save_police_input(sitting, case, version=first_input.version)
    item = steps.add(sitting.meeting, case)
    steps.open(sitting.meeting, sitting.education, sitting.deputy)
    services.attendance_record(
        meeting=sitting.meeting, user=sitting.chair, people=[*sitting.voting_members, sitting.deputy]
    )
    conflict = services.conflict_record(item=item, user=sitting.chair, person=sitting.deputy, reason="Knows the child")
    services.conflict_remove(conflict=conflict, user=sitting.chair)
    services.conflict_record(item=item, user=sitting.chair, person=sitting.deputy, reason="Manages the placement")
    rg = steps.record(item, RG, Outcome.POSITIVE)
    cg = steps.record(item, CG, Outcome.POSITIVE)
    services.decision_remove(decision=cg, user=sitting.chair)
    steps.record(item, RG, Outcome.POSITIVE, reasons="Corrected reasons.", version=rg.version)
    steps.sign(item)
    services.decisions_mark_returned_to_sca(decisions=[rg], user=sitting.coordinator)
    return {"case": case, "item": item, "rg": rg, "cg": cg, "input": first_input}


def test_a_decision_keeps_each_change_with_its_reason(worked_case):
    rg, cg = worked_case["rg"], worked_case["cg"]

    assert reasons(rg.history.all()) == [
        "Decision recorded",
        "Decision corrected before sign-off",
        "Decision signed off",
        "Returned to the Single Competent Authority",
    ]
    assert rg.history.first().history_change_reason == "Returned to the Single Competent Authority"
    removed = Decision.history.filter(id=cg.pk)
    assert reasons(removed) == ["Decision recorded", "Decision removed before sign-off"]
    assert removed.first().history_type == "-"


def test_an_agency_input_keeps_each_change_with_its_reason(worked_case):
    agency_input = AgencyInput.objects.get(pk=worked_case["input"].pk)
    assert reasons(agency_input.history.all()) == [
        "Input submitted",
        "Input revised",
        "Locked: used by a signed decision",
    ]


def test_an_agenda_item_keeps_each_change_with_its_reason(worked_case):
    assert reasons(AgendaItem.history.filter(id=worked_case["item"].pk)) == ["Added to the agenda", "Signed off"]


def test_attendance_keeps_who_was_recorded_present_and_taken_off(sitting, worked_case):
    education = Attendance.history.filter(meeting_id=sitting.meeting.pk, person=sitting.education)
    assert reasons(education) == ["Recorded as present", "Recorded as not present"]
    for person in [*sitting.voting_members, sitting.deputy]:
        history = Attendance.history.filter(meeting_id=sitting.meeting.pk, person=person)
        assert reasons(history) == ["Recorded as present"]


def test_conflicts_keep_each_change_with_its_reason(worked_case):
    assert reasons(ConflictOfInterest.history.filter(item_id=worked_case["item"].pk)) == [
        "Conflict of interest recorded",
        "Conflict of interest withdrawn",
        "Conflict of interest recorded",
    ]


def test_every_history_record_of_the_meeting_has_a_reason(sitting, worked_case):
    histories = [
        Decision.history.all(),
        AgencyInput.history.all(),
        AgendaItem.history.all(),
        ConflictOfInterest.history.all(),
        Attendance.history.exclude(person=sitting.chair),
        PanelMeeting.history.exclude(history_type="+"),  # the factory made it, not a service
    ]
    for history in histories:
        assert history.exists()
        assert all(reasons(history)), history.model


def test_the_chairs_attendance_is_recorded_with_a_reason(sitting):
    services.meeting_open(meeting=sitting.meeting, user=sitting.chair)

    history = Attendance.history.filter(meeting_id=sitting.meeting.pk, person=sitting.chair)
    assert history.exists()
    assert all(reasons(history))


def test_the_case_timeline_records_each_move_the_panel_makes(sitting, steps):
    case = steps.case()
    steps.decide(case, sitting.meeting, (RG, Outcome.POSITIVE))

    assert reasons(case.history.all())[-3:] == [
        f"Added to a meeting's agenda: {sitting.meeting} (Reasonable grounds)",
        f"Positive reasonable grounds decision signed off: at the {sitting.meeting}",
        "Awaiting a conclusive grounds decision",
    ]


def test_a_meeting_keeps_why_it_was_moved_or_cancelled(sitting):
    services.meeting_reschedule(
        meeting=sitting.meeting,
        user=sitting.coordinator,
        date=sitting.meeting.date,
        starts_at=sitting.meeting.starts_at,
        format="virtual",
        place="Teams",
        reason="Rail strike",
    )
    services.meeting_cancel(meeting=sitting.meeting, user=sitting.coordinator, reason="Not quorate")

    assert reasons(sitting.meeting.history.all())[-2:] == [
        "Meeting changed: Rail strike",
        "Meeting cancelled: Not quorate",
    ]


def test_a_reconsideration_keeps_each_change_with_its_reason(sitting, steps):
    case = steps.case(referral_date=steps.day(-20))
    steps.decide(case, steps.meeting(steps.day(-10)), (RG, Outcome.NEGATIVE))
    reconsideration = services.reconsideration_request(
        referral=case,
        user=sitting.coordinator,
        requested_by="first_responder",
        requester_name="Jo Worker, Test Borough",
        received_on=steps.day(-5),
        grounds="guidance_not_followed",
        details="The panel did not consider the school's evidence.",
    )
    services.reconsideration_accept(reconsideration=reconsideration, user=sitting.coordinator)
    steps.decide(case, sitting.meeting, (RG, Outcome.POSITIVE))

    assert reasons(Reconsideration.history.filter(id=reconsideration.pk)) == [
        "Reconsideration requested",
        "Reconsideration accepted: it goes to the panel",
        "Re-decided by the panel",
    ]
    assert "Reconsideration requested: by the first responder: the decision did not follow the guidance" in reasons(
        case.history.all()
    )


# --- Reasons people type are free text -------------------------------------------------------------
# django-simple-history's history_change_reason is a 100-character column; the services put the reason a
# person typed into it ("Positive reasonable grounds decision signed off: <the decision's reasons>").

LONG = (
    "The child gave a consistent account to the social worker and the police; the school saw the same "
    "indicators over the spring term, and the phone download shows the line's messages."
)


def test_a_decision_with_full_reasons_is_signed_off(sitting, steps):
    case = steps.case()
    item = steps.add(sitting.meeting, case)
    steps.open(sitting.meeting)
    decision = steps.record(item, RG, Outcome.POSITIVE, reasons=LONG)

    steps.sign(item)

    decision.refresh_from_db()
    assert decision.is_signed_off
    assert decision.reasons == LONG


def test_a_deferral_with_full_reasons_is_signed_off(sitting, steps):
    item = steps.add(sitting.meeting, steps.case())
    steps.open(sitting.meeting)
    steps.record(item, RG, Outcome.DEFERRED, deferred_to=steps.meeting(steps.day(14)), reasons=LONG)

    steps.sign(item)

    item.refresh_from_db()
    assert item.is_signed_off


def test_a_case_is_taken_off_the_agenda_with_a_full_reason(sitting, steps):
    item = steps.add(sitting.meeting, steps.case())

    services.agenda_remove(item=item, user=sitting.coordinator, reason=LONG)

    item.refresh_from_db()
    assert item.removal_reason == LONG


def test_a_meeting_is_cancelled_with_a_full_reason(sitting):
    services.meeting_cancel(meeting=sitting.meeting, user=sitting.coordinator, reason=LONG)

    sitting.meeting.refresh_from_db()
    assert sitting.meeting.reason == LONG


def test_a_reconsideration_is_refused_with_a_full_reason(sitting, steps):
    case = steps.case(referral_date=steps.day(-20))
    steps.decide(case, steps.meeting(steps.day(-10)), (RG, Outcome.NEGATIVE))
    reconsideration = services.reconsideration_request(
        referral=case,
        user=sitting.coordinator,
        requested_by="child",
        requester_name="The child",
        received_on=steps.day(-5),
        grounds="new_evidence",
        details="A letter from the school.",
    )

    services.reconsideration_refuse(reconsideration=reconsideration, user=sitting.coordinator, reason=LONG)

    reconsideration.refresh_from_db()
    assert reconsideration.refusal_reason == LONG
