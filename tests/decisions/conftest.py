"""A panel ready to sit: its statutory partners and an advising agency, a member of each, and a meeting today."""

from dataclasses import dataclass

import pytest

from decisions import services
from nrm_panel.models import AgencyKind, Role, User
from tests.factories import AgencyFactory, PanelMeetingFactory, RgPendingReferralFactory, member


@dataclass
class Sitting:
    panel: object
    chair: User
    deputy: User
    coordinator: User
    social_care: User
    police: User
    health: User
    education: User
    agencies: dict
    meeting: object

    @property
    def voting_members(self) -> list[User]:
        return [self.social_care, self.police, self.health]

    def case(self, **kwargs):
        return RgPendingReferralFactory(panel=self.panel, **kwargs)

    def open_with_quorum(self, *extra):
        services.meeting_open(meeting=self.meeting, user=self.chair)
        services.attendance_record(meeting=self.meeting, user=self.chair, people=[*self.voting_members, *extra])
        self.meeting.refresh_from_db()
        return self.meeting


@pytest.fixture
def sitting(panel, people):
    agencies = {
        kind: AgencyFactory(panel=panel, kind=kind, name=label)
        for kind, label in [
            (AgencyKind.SOCIAL_CARE, "Lewisham Children's Social Care"),
            (AgencyKind.POLICE, "Metropolitan Police"),
            (AgencyKind.HEALTH, "South East London ICB"),
            (AgencyKind.EDUCATION, "Lewisham Schools"),
        ]
    }
    return Sitting(
        panel=panel,
        chair=people[Role.CHAIR],
        deputy=member(panel, Role.CHAIR),
        coordinator=people[Role.COORDINATOR],
        social_care=member(panel, Role.PANEL_MEMBER, agency=agencies[AgencyKind.SOCIAL_CARE]),
        police=member(panel, Role.PANEL_MEMBER, agency=agencies[AgencyKind.POLICE]),
        health=member(panel, Role.DESIGNATED_NURSE, agency=agencies[AgencyKind.HEALTH]),
        education=member(panel, Role.PANEL_MEMBER, agency=agencies[AgencyKind.EDUCATION]),
        agencies=agencies,
        meeting=PanelMeetingFactory(panel=panel),
    )
