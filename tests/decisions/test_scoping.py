"""Another panel sees nothing of this one: its meetings, decisions and outstanding inputs are read through
selectors scoped to the reader's panels, and its people cannot act on this panel's meetings."""

import pytest
from django.http import Http404

from decisions import selectors, services
from decisions.models import DecisionKind, Outcome
from nrm_panel.models import AgencyKind, Role
from tests.factories import PanelMeetingFactory, RgPendingReferralFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def theirs(other_panel):
    """The other panel's coordinator, chair, a police member, a meeting and a case."""
    return {
        "coordinator": member(other_panel, Role.COORDINATOR),
        "chair": member(other_panel, Role.CHAIR),
        "member": member(other_panel, Role.PANEL_MEMBER),
        "meeting": PanelMeetingFactory(panel=other_panel),
        "case": RgPendingReferralFactory(panel=other_panel),
    }


def test_meetings_are_visible_only_to_their_panel(sitting, theirs):
    assert list(selectors.visible_meetings(sitting.police)) == [sitting.meeting]
    for role in ("coordinator", "chair", "member"):
        assert list(selectors.visible_meetings(theirs[role])) == [theirs["meeting"]]


def test_another_panels_meeting_is_not_found(sitting, theirs):
    assert selectors.meeting_for(sitting.police, sitting.meeting.public_id) == sitting.meeting
    with pytest.raises(Http404):
        selectors.meeting_for(theirs["member"], sitting.meeting.public_id)
    with pytest.raises(Http404):
        selectors.meeting_for(sitting.chair, theirs["meeting"].public_id)


def test_decisions_for_the_sca_are_the_coordinators_own_panels(sitting, steps, theirs):
    decision = steps.decide(steps.case(), sitting.meeting, (DecisionKind.RG, Outcome.POSITIVE)).decisions.get()

    assert list(selectors.decisions_for_sca(sitting.coordinator)) == [decision]
    assert list(selectors.decisions_for_sca(theirs["coordinator"])) == []
    assert list(selectors.decisions_for_sca(sitting.police)) == []


def test_outstanding_inputs_are_scoped_to_the_panel_and_the_members_agency(sitting, steps, theirs):
    case = steps.case()
    # The `people` fixture's member and designated nurse bring a police and a health agency of their own.
    required = sitting.panel.agencies.filter(kind__in=sitting.panel.required_input_kinds).count()
    assert required == 5

    overseen = selectors.outstanding_inputs(sitting.coordinator)
    assert [(c, c.missing_input_count) for c in overseen] == [(case, required)]
    assert [(c, c.missing_input_count) for c in selectors.outstanding_inputs(sitting.police)] == [(case, 1)]
    for role in ("coordinator", "chair", "member"):
        assert list(selectors.outstanding_inputs(theirs[role])) == [theirs["case"]]

    services.agency_input_save(
        referral=case,
        agency=sitting.agencies[AgencyKind.POLICE],
        user=sitting.police,
        knowledge="Known since March.",
        risks="Still in contact.",
        recommendation="victim",
        reasons="Consistent account.",
    )
    assert list(selectors.outstanding_inputs(sitting.police)) == []
    overseen = selectors.outstanding_inputs(sitting.coordinator)
    assert [(c, c.missing_input_count) for c in overseen] == [(case, required - 1)]


@pytest.mark.parametrize(
    "act",
    [
        pytest.param(lambda s, t: services.meeting_open(meeting=s.meeting, user=t["chair"]), id="open"),
        pytest.param(lambda s, t: services.agenda_add(meeting=s.meeting, referral=s.case(), user=t["chair"]), id="add"),
        pytest.param(
            lambda s, t: services.meeting_cancel(meeting=s.meeting, user=t["coordinator"], reason="x"), id="cancel"
        ),
        pytest.param(
            lambda s, t: services.agenda_add(meeting=t["meeting"], referral=s.case(), user=t["coordinator"]),
            id="our-case-on-their-agenda",
        ),
    ],
)
def test_another_panels_people_cannot_act_on_this_panels_meetings(sitting, theirs, act):
    with pytest.raises(services.NotAllowed):
        act(sitting, theirs)
    sitting.meeting.refresh_from_db()
    assert sitting.meeting.status == "scheduled"
    assert not sitting.meeting.items.exists()
    assert not theirs["meeting"].items.exists()
