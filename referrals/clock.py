"""The 45-day clock: days elapsed and left to the panel's decision target, green / amber / red; and the
shorter reasonable grounds (RG) target in working days that a panel following the national model sets.

Day 0 is the referral date (the first submission). Returning a referral for more information
does not stop the clock: the child's 45 days run from when the panel first received it.
Working days leave out weekends and the bank holidays of the panel's nation (DESIGN.md section 4),
from the maintained `holidays` library.
"""

import datetime
import functools
from dataclasses import dataclass

import holidays
from django.db.models import DateField, ExpressionWrapper, F

from nrm_panel.models import Nation
from referrals.models import State
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


# The `holidays` library's subdivisions of the United Kingdom, by the panel's nation. Wales has
# the same bank holidays as England.
HOLIDAY_SUBDIVISIONS = {
    Nation.ENGLAND_AND_WALES: "ENG",
    Nation.SCOTLAND: "SCT",
    Nation.NORTHERN_IRELAND: "NIR",
}
# States in which a case may still await its first RG decision; in the others it has one.
RG_AWAITED_STATES = frozenset({State.SUBMITTED, State.RETURNED, State.RG_PENDING, State.ON_AGENDA})


@functools.cache
def bank_holidays(nation: str, year: int) -> frozenset[datetime.date]:
    """The bank holidays of a nation in a year, substitute days (a holiday on a weekend) included."""
    return frozenset(holidays.country_holidays("GB", subdiv=HOLIDAY_SUBDIVISIONS[nation], years=year))


def is_working_day(day: datetime.date, *, nation: str) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(nation, day.year)


def working_day_after(start: datetime.date, count: int, *, nation: str) -> datetime.date:
    """The `count`th working day after `start` (`start` itself not counted; 0 gives `start`)."""
    day = start
    while count > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day, nation=nation):
            count -= 1
    return day


def working_day_before(end: datetime.date, count: int, *, nation: str) -> datetime.date:
    """The `count`th working day before `end`, counting back (`end` itself not counted; 0 gives `end`)."""
    day = end
    while count > 0:
        day -= datetime.timedelta(days=1)
        if is_working_day(day, nation=nation):
            count -= 1
    return day


def working_days_between(start: datetime.date, end: datetime.date, *, nation: str) -> int:
    """Working days after `start` up to and including `end`: 1 from a Friday to the next Monday."""
    days, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        days += is_working_day(day, nation=nation)
    return days


def rg_target_date(referral) -> datetime.date | None:
    """The day the panel aims to decide reasonable grounds by, where it sets a target in working days:
    the nth working day after the referral date. None where the panel sets none (RG is then due by the
    decision target, like conclusive grounds) or before the referral is submitted."""
    panel = referral.panel
    if panel.rg_target_working_days is None or referral.referral_date is None:
        return None
    return working_day_after(referral.referral_date, panel.rg_target_working_days, nation=panel.nation)


def latest_referral_date_missing_rg_target(nation: str, working_days: int, *, today: datetime.date):
    """The last referral date whose RG target (`working_days` after it) is already past today.

    The target only moves forward with the referral date, so one date bounds all such cases: the
    clock's sweep and the at-risk list filter on it in SQL instead of computing each case's target.
    """
    return working_day_before(today, working_days, nation=nation) - datetime.timedelta(days=1)


def referral_dates_with_rg_target_between(nation: str, working_days: int, *, first: datetime.date, last: datetime.date):
    """(earliest, latest) referral dates whose RG target falls from `first` to `last`, both included."""
    return (
        latest_referral_date_missing_rg_target(nation, working_days, today=first) + datetime.timedelta(days=1),
        latest_referral_date_missing_rg_target(nation, working_days, today=last + datetime.timedelta(days=1)),
    )


class RgTargetStatus:
    DUE = "due"
    DUE_TODAY = "due_today"
    MISSED = "missed"


@dataclass(frozen=True)
class Clock:
    days_elapsed: int
    days_left: int
    target_date: datetime.date
    status: str
    # The panel's RG target, where it sets one; its status only while RG is still awaited.
    rg_target_date: datetime.date | None = None
    rg_target_status: str | None = None
    # How many days the case's first signed RG and CG decisions took, once made.
    days_to_rg: int | None = None
    days_to_cg: int | None = None

    @property
    def is_overdue(self) -> bool:
        return self.days_left < 0

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)

    @property
    def is_rg_target_missed(self) -> bool:
        return self.rg_target_status == RgTargetStatus.MISSED


def clock_status_for(days_left: int) -> str:
    if days_left <= RED_WHEN_DAYS_LEFT:
        return ClockStatus.RED
    if days_left <= AMBER_WHEN_DAYS_LEFT:
        return ClockStatus.AMBER
    return ClockStatus.GREEN


def case_clock(referral, *, today: datetime.date, is_rg_decided: bool | None = None) -> Clock | None:
    """The clock of a case, or None before it is first submitted.

    Whether RG is decided is read from the case (its days to RG, recorded at sign-off, and its
    state) so that a list can show many clocks without a query each; pass `is_rg_decided` where
    the decisions were read anyway.
    """
    if referral.referral_date is None:
        return None
    target_days = referral.panel.decision_target_days
    elapsed = (today - referral.referral_date).days
    days_left = target_days - elapsed
    is_running = referral.state in CLOCK_RUNNING_STATES
    status = clock_status_for(days_left) if is_running else ClockStatus.STOPPED
    if is_rg_decided is None:
        is_rg_decided = referral.days_to_rg is not None or referral.state not in RG_AWAITED_STATES
    rg_target = rg_target_date(referral)
    rg_status = None
    if rg_target is not None and is_running and not is_rg_decided:
        if today > rg_target:
            rg_status = RgTargetStatus.MISSED
        elif today == rg_target:
            rg_status = RgTargetStatus.DUE_TODAY
        else:
            rg_status = RgTargetStatus.DUE
    return Clock(
        days_elapsed=elapsed,
        days_left=days_left,
        target_date=referral.referral_date + datetime.timedelta(days=target_days),
        status=status,
        rg_target_date=rg_target,
        rg_target_status=rg_status,
        days_to_rg=referral.days_to_rg,
        days_to_cg=referral.days_to_cg,
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
