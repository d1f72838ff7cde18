"""Who takes part in an agenda item, and whether the panel can decide it (DESIGN.md section 3).

A pure function over what is already loaded, so the agenda and the item page can show every
item's quorum without a query per item.
"""

from dataclasses import dataclass, field

from decisions.models import Capacity
from nrm_panel.models import AgencyKind

CHAIR_MISSING = "a chair: the meeting has not been opened"
CHAIR_ABSENT = "the item's chair recorded as present"
CHAIR_CONFLICTED = "a chair without a conflict of interest in this case: a deputy chair must take the item"
CHAIR_IS_LEAD_SOCIAL_WORKER = "a chair who is not the child's lead social worker: a deputy chair must take the item"
VOTING_MEMBER_MISSING = "a voting member from {kind} without a conflict of interest"


@dataclass
class Quorum:
    missing: list[str] = field(default_factory=list)
    taking_part: list = field(default_factory=list)  # attendances, conflicted members left out
    chair_id: int | None = None

    @property
    def has_quorum(self) -> bool:
        return not self.missing

    @property
    def voters(self) -> list:
        # Whoever chairs the item does not vote on it, even a deputy who is a voting member.
        return [a for a in self.taking_part if a.capacity == Capacity.VOTING and a.person_id != self.chair_id]


def item_quorum(item, *, attendances, conflicts) -> Quorum:
    """The quorum of one item: the chair plus a voting member of each of the panel's quorum kinds.

    `attendances` are the meeting's, `conflicts` the item's; both with people and agencies loaded.
    """
    meeting = item.meeting
    chair_id = item.deputy_chair_id or meeting.chair_id
    conflicted = {conflict.person_id for conflict in conflicts}
    present = {attendance.person_id for attendance in attendances}
    quorum = Quorum(taking_part=[a for a in attendances if a.person_id not in conflicted], chair_id=chair_id)
    if chair_id is None:
        quorum.missing.append(CHAIR_MISSING)
    elif chair_id not in present:
        quorum.missing.append(CHAIR_ABSENT)
    elif chair_id in conflicted:
        quorum.missing.append(CHAIR_CONFLICTED)
    elif chair_id == item.referral.lead_social_worker_id:
        quorum.missing.append(CHAIR_IS_LEAD_SOCIAL_WORKER)
    for kind in meeting.panel.quorum_kinds:
        if not any(a.agency_id and a.agency.kind == kind for a in quorum.voters):
            quorum.missing.append(VOTING_MEMBER_MISSING.format(kind=AgencyKind(kind).label))
    return quorum
