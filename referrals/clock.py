"""The 45-day clock: days elapsed and left to the panel's decision target, green / amber / red.

Day 0 is the referral date (the first submission). Returning a referral for more information
does not stop the clock: the child's 45 days run from when the panel first received it.
"""

import datetime
from dataclasses import dataclass

from referrals.state_machine import CLOCK_RUNNING_STATES

AMBER_FROM_DAY = 30
RED_FROM_DAY = 40


class ClockStatus:
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    STOPPED = "stopped"

    CHOICES = [(GREEN, "On track"), (AMBER, "At risk: day 30 or later"), (RED, "Day 40 or later, or overdue")]


@dataclass(frozen=True)
class Clock:
    days_elapsed: int
    days_left: int
    target_date: datetime.date
    status: str

    @property
    def is_overdue(self) -> bool:
        return self.days_left < 0


def clock_status_for(days_elapsed: int) -> str:
    if days_elapsed >= RED_FROM_DAY:
        return ClockStatus.RED
    if days_elapsed >= AMBER_FROM_DAY:
        return ClockStatus.AMBER
    return ClockStatus.GREEN


def case_clock(referral, *, today: datetime.date) -> Clock | None:
    """The clock of a case, or None before it is first submitted."""
    if referral.referral_date is None:
        return None
    target_days = referral.panel.decision_target_days
    elapsed = (today - referral.referral_date).days
    status = clock_status_for(elapsed) if referral.state in CLOCK_RUNNING_STATES else ClockStatus.STOPPED
    return Clock(
        days_elapsed=elapsed,
        days_left=target_days - elapsed,
        target_date=referral.referral_date + datetime.timedelta(days=target_days),
        status=status,
    )


def referral_date_bounds(status: str, *, today: datetime.date) -> dict:
    """Filter arguments on `referral_date` for cases whose clock shows `status` today."""
    amber_from = today - datetime.timedelta(days=AMBER_FROM_DAY)
    red_from = today - datetime.timedelta(days=RED_FROM_DAY)
    if status == ClockStatus.GREEN:
        return {"referral_date__gt": amber_from}
    if status == ClockStatus.AMBER:
        return {"referral_date__lte": amber_from, "referral_date__gt": red_from}
    return {"referral_date__lte": red_from}
