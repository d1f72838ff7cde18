"""The moves a case may make, as one table that services use and the case page shows.

Nobody sets `referral.state` outside `referrals.services.referral_move`, which reads this table.
Triage moves are made from the case page; agenda and decision moves by `decisions.services`.
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
_CHAIR = frozenset({Role.CHAIR})
# What a case on an agenda goes back to when it is taken off or deferred, by what it awaits.
AWAITING_STATES = {"rg": State.RG_PENDING, "cg": State.CG_PENDING, "reconsideration": State.RECONSIDERATION}

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
        Move(
            "add_to_agenda",
            "Add to a meeting's agenda",
            "Added to a meeting's agenda",
            frozenset(AWAITING_STATES.values()),
            State.ON_AGENDA,
            _COORDINATOR | _CHAIR,
        ),
        *[
            Move(
                f"remove_from_agenda_{purpose}",
                "Take off the agenda",
                "Taken off the agenda",
                frozenset({State.ON_AGENDA}),
                state,
                _COORDINATOR,
            )
            for purpose, state in AWAITING_STATES.items()
        ],
        *[
            Move(
                f"defer_{purpose}",
                "Defer to another meeting",
                "Deferred",
                frozenset({State.ON_AGENDA}),
                state,
                _CHAIR,
            )
            for purpose, state in AWAITING_STATES.items()
        ],
        Move(
            "decide_rg_positive",
            "Record a positive reasonable grounds decision",
            "Positive reasonable grounds decision signed off",
            frozenset({State.ON_AGENDA}),
            State.RG_POSITIVE,
            _CHAIR,
        ),
        Move(
            "decide_rg_negative",
            "Record a negative reasonable grounds decision",
            "Negative reasonable grounds decision signed off",
            frozenset({State.ON_AGENDA}),
            State.RG_NEGATIVE,
            _CHAIR,
        ),
        Move(
            "await_cg",
            "Await the conclusive grounds decision",
            "Awaiting a conclusive grounds decision",
            frozenset({State.RG_POSITIVE}),
            State.CG_PENDING,
            _CHAIR,
        ),
        # From rg_positive: conclusive grounds decided at the same item as reasonable grounds.
        Move(
            "decide_cg_positive",
            "Record a positive conclusive grounds decision",
            "Positive conclusive grounds decision signed off",
            frozenset({State.ON_AGENDA, State.RG_POSITIVE}),
            State.CG_POSITIVE,
            _CHAIR,
        ),
        Move(
            "decide_cg_negative",
            "Record a negative conclusive grounds decision",
            "Negative conclusive grounds decision signed off",
            frozenset({State.ON_AGENDA, State.RG_POSITIVE}),
            State.CG_NEGATIVE,
            _CHAIR,
        ),
        Move(
            "request_reconsideration",
            "Record a request for reconsideration",
            "Reconsideration requested",
            frozenset({State.RG_NEGATIVE, State.CG_NEGATIVE}),
            State.RECONSIDERATION,
            _COORDINATOR,
        ),
        Move(
            "refuse_reconsideration",
            "Refuse the reconsideration",
            "Reconsideration refused",
            frozenset({State.RECONSIDERATION}),
            State.CLOSED,
            _COORDINATOR,
            needs_reason=True,
        ),
        Move(
            "close",
            "Close the case",
            "Case closed",
            frozenset({State.RG_NEGATIVE, State.CG_POSITIVE, State.CG_NEGATIVE}),
            State.CLOSED,
            _COORDINATOR,
        ),
    ]
}


def moves_from(state: str) -> list[Move]:
    return [move for move in MOVES.values() if state in move.sources]
