"""The 45-day clock: days elapsed and left to the panel's decision target, green / amber / red.

Day 0 is the referral date (the first submission). Returning a referral for more information
does not stop the clock: the child's 45 days run from when the panel first received it.
"""

import datetime
from dataclasses import dataclass

from django.db.models import DateField, ExpressionWrapper, F

from referrals.state_machine import CLOCK_RUNNING_STATES

# Counted back from the panel's target: with the default 45 days, amber from day 30, red from day 40.
AMBER_WHEN_DAYS_LEFT = 15
RED_WHEN_DAYS_LEFT = 5


class ClockStatus:
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    STOPPED = "stopped"

    CHOICES = [
        (GREEN, "On track"),
        (AMBER, f"At risk: {AMBER_WHEN_DAYS_LEFT} days or fewer left"),
        (RED, f"{RED_WHEN_DAYS_LEFT} days or fewer left, or overdue"),
    ]


@dataclass(frozen=True)
class Clock:
    days_elapsed: int
    days_left: int
    target_date: datetime.date
    status: str

    @property
    def is_overdue(self) -> bool:
        return self.days_left < 0

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)


def clock_status_for(days_left: int) -> str:
    if days_left <= RED_WHEN_DAYS_LEFT:
        return ClockStatus.RED
    if days_left <= AMBER_WHEN_DAYS_LEFT:
        return ClockStatus.AMBER
    return ClockStatus.GREEN


def case_clock(referral, *, today: datetime.date) -> Clock | None:
    """The clock of a case, or None before it is first submitted."""
    if referral.referral_date is None:
        return None
    target_days = referral.panel.decision_target_days
    elapsed = (today - referral.referral_date).days
    days_left = target_days - elapsed
    status = clock_status_for(days_left) if referral.state in CLOCK_RUNNING_STATES else ClockStatus.STOPPED
    return Clock(
        days_elapsed=elapsed,
        days_left=days_left,
        target_date=referral.referral_date + datetime.timedelta(days=target_days),
        status=status,
    )


def with_target_date(referrals):
    """Annotate each case with the date its decision is due: referral date + the panel's target days."""
    return referrals.annotate(
        target_date=ExpressionWrapper(F("referral_date") + F("panel__decision_target_days"), output_field=DateField())
    )


def target_date_bounds(status: str, *, today: datetime.date) -> dict:
    """Filter arguments on the annotated `target_date` for cases whose clock shows `status` today."""
    amber_from = today + datetime.timedelta(days=AMBER_WHEN_DAYS_LEFT)
    red_from = today + datetime.timedelta(days=RED_WHEN_DAYS_LEFT)
    if status == ClockStatus.GREEN:
        return {"target_date__gt": amber_from}
    if status == ClockStatus.AMBER:
        return {"target_date__lte": amber_from, "target_date__gt": red_from}
    return {"target_date__lte": red_from}
