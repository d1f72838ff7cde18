"""A panel ready to sit: its statutory partners and an advising agency, a member of each, and a meeting today."""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from decisions import services
from decisions.models import DecisionKind, Outcome
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


class Steps:
    """The moves tests repeat: a meeting on a date, opened with the statutory partners present, a case decided.

    Every step goes through `decisions.services`, as the views will.
    """

    def __init__(self, sitting: Sitting):
        self.sitting = sitting

    @staticmethod
    def day(offset: int) -> datetime.date:
        """Today plus `offset` days (minus, in the past)."""
        return timezone.localdate() + datetime.timedelta(days=offset)

    def meeting(self, date: datetime.date | None = None, **kwargs):
        return PanelMeetingFactory(panel=self.sitting.panel, date=date or timezone.localdate(), **kwargs)

    def case(self, *, referral_date: datetime.date | None = None, **kwargs):
        """A case awaiting reasonable grounds, referred on `referral_date` (today by default)."""
        return self.sitting.case(referral_date=referral_date or timezone.localdate(), **kwargs)

    def open(self, meeting, *extra, chair=None):
        """The chair opens the meeting and records the three statutory partners (and `extra`) as present."""
        chair = chair or self.sitting.chair
        services.meeting_open(meeting=meeting, user=chair, today=meeting.date)  # held on its day
        services.attendance_record(meeting=meeting, user=chair, people=[*self.sitting.voting_members, *extra])
        meeting.refresh_from_db()
        return meeting

    def add(self, meeting, case):
        return services.agenda_add(meeting=meeting, referral=case, user=self.sitting.coordinator)

    def record(self, item, kind=DecisionKind.RG, outcome=Outcome.POSITIVE, *, user=None, **kwargs):
        kwargs.setdefault("reasons", f"{Outcome(outcome).label}: the panel's reasons.")
        user = user or self.sitting.chair
        return services.decision_record(item=item, user=user, kind=kind, outcome=outcome, **kwargs)

    def sign(self, item, *, user=None):
        return services.item_sign_off(item=item, user=user or self.sitting.chair)

    def decide(self, case, meeting, *decisions):
        """Put the case on the meeting's agenda, open the meeting if need be, record and sign off `decisions`.

        `decisions` are (kind, outcome) pairs; a positive RG by default. Returns the signed item.
        """
        item = self.add(meeting, case)
        meeting.refresh_from_db()
        if not meeting.is_open:
            self.open(meeting)
        for kind, outcome in decisions or [(DecisionKind.RG, Outcome.POSITIVE)]:
            self.record(item, kind, outcome)
        self.sign(item)
        case.refresh_from_db()
        item.refresh_from_db()
        return item


@pytest.fixture
def steps(sitting):
    return Steps(sitting)
