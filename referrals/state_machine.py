"""The moves a case may make, as one table that services use and the case page shows.

Nobody sets `referral.state` outside `referrals.services.referral_move`, which reads this table.
Later issues add the meeting and decision moves here.
"""

from dataclasses import dataclass

from nrm_panel.models import Role
from referrals.models import State

# States in which a case is still being worked on (DESIGN.md: "any open state -> withdrawn").
OPEN_STATES = frozenset(
    {
        State.SUBMITTED,
        State.RETURNED,
        State.RG_PENDING,
        State.ON_AGENDA,
        State.RG_POSITIVE,
        State.CG_PENDING,
        State.RECONSIDERATION,
    }
)
# States in which the referrer may still change what they wrote.
EDITABLE_STATES = frozenset({State.DRAFT, State.RETURNED})
# States the 45-day clock runs in: the panel has not yet made its final decision.
CLOCK_RUNNING_STATES = OPEN_STATES


@dataclass(frozen=True)
class Move:
    name: str
    label: str  # the button: what the person does
    done: str  # the timeline: what happened
    sources: frozenset
    target: str
    roles: frozenset
    needs_reason: bool = False


_COORDINATOR = frozenset({Role.COORDINATOR})

MOVES = {
    move.name: move
    for move in [
        Move(
            "submit",
            "Submit the referral",
            "Referral submitted",
            frozenset({State.DRAFT, State.RETURNED}),
            State.SUBMITTED,
            frozenset({Role.REFERRER}),
        ),
        Move(
            "accept",
            "Accept: awaiting reasonable grounds",
            "Accepted: awaiting a reasonable grounds decision",
            frozenset({State.SUBMITTED}),
            State.RG_PENDING,
            _COORDINATOR,
        ),
        Move(
            "return",
            "Return for more information",
            "Returned for more information",
            frozenset({State.SUBMITTED}),
            State.RETURNED,
            _COORDINATOR,
            needs_reason=True,
        ),
        Move(
            "transfer",
            "Transfer to the Single Competent Authority",
            "Transferred to the Single Competent Authority",
            frozenset({State.SUBMITTED, State.RG_PENDING}),
            State.TRANSFERRED,
            _COORDINATOR,
            needs_reason=True,
        ),
        Move(
            "withdraw",
            "Withdraw the case",
            "Case withdrawn",
            OPEN_STATES,
            State.WITHDRAWN,
            _COORDINATOR,
            needs_reason=True,
        ),
    ]
}


def moves_from(state: str) -> list[Move]:
    return [move for move in MOVES.values() if state in move.sources]
