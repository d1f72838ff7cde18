"""Demo records management: on each panel whose cycle is run, one case ended longer ago than the panel keeps
closed cases (`Panel.retention_years`), so the Retention review has a case to review.

No case is added (a load makes as many referrals as asked for): one the plan already holds is dated back, a
case the panel decided and closed where there is one (a larger load), else a withdrawn one. A decided case
is decided at the panel's meetings of that time, as any case decided before the cycle (decisions.history_create).
"""

import dataclasses
import datetime
import random

from dateutil.relativedelta import relativedelta

from decisions import services
from referrals.models import State


def retention_cases_plan(plans, cycles, *, today: datetime.date) -> int:
    """Date back one ended case of each panel whose cycle runs, before the referrals are made; how many.

    Its own random draws (from the panel's code), so the rest of the demo data is as it would be without it.
    """
    dated = 0
    for cycle in cycles:
        if not cycle.runs_cycle:
            continue
        panel = cycle.panel
        rng = random.Random(f"retention:{panel.code}")
        # A year and a half beyond the panel's retention period: due for review a year and a half ago.
        start = today - relativedelta(years=panel.retention_years + 1, months=6)
        ours = [plan for plan in plans if plan.site is cycle.site]
        closed = [plan for plan in ours if plan.state == State.CLOSED and plan.decided]
        withdrawn = [plan for plan in ours if plan.state == State.WITHDRAWN and not plan.story]
        if closed:
            dates = services.meeting_dates_by_rule(panel, start=start, end=start + relativedelta(months=3))
            dataclasses.replace(cycle, history_dates=dates).decided_plan(closed[0], rng=rng)
        elif withdrawn:
            withdrawn[0].referral_date = start
            withdrawn[0].last_changed_on = start + datetime.timedelta(days=rng.randint(10, 40))
        else:
            continue
        dated += 1
    # As referrals_plan leaves them: oldest first, drafts last.
    plans.sort(key=lambda plan: plan.referral_date or today + datetime.timedelta(days=1))
    return dated
