"""Load demo data: fictional panels with one login per role, referrals in every state, the meetings,
agency inputs and decisions behind them (a meeting today is ready to run), and safeguarding work.

`make run` calls `manage.py demo_data --once`, which loads it only into a database with no panels
and always prints the demo logins. Without --once it adds more to the demo panels, for example
`--referrals 100000 --panels 30` to try the app at scale. `--bulk-referrals 100000 --panels 30`
instead adds that many open cases, their clocks running, in minutes, for benchmarks (bench/clock).
Refused unless DEBUG is on (a local run) or in tests, never on a server: the demo logins share a
published password.
"""

import random
import time

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from nrm_panel.management.demo import bulk, content, decisions, records, safeguarding
from nrm_panel.management.demo.referrals import (
    references_assign,
    referrals_create,
    referrals_plan,
    statistics_refresh,
)
from nrm_panel.management.demo.sites import SUPERUSER_EMAIL, demo_logins, sites_ensure
from nrm_panel.models import Panel, User
from referrals.models import Referral

DEFAULT_SEED = "2026"
DEFAULT_PASSWORD = "demo-password-2026"


class Command(BaseCommand):
    help = (
        "Load fictional demo panels, logins, referrals in every state with their meetings and decisions, "
        "and print the demo logins."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Load nothing if any panel exists (for `make run`)")
        parser.add_argument("--panels", type=int, default=3, help="How many demo panels (default 3)")
        parser.add_argument("--referrals", type=int, default=60, help="How many referrals in all (default 60)")
        parser.add_argument(
            "--bulk-referrals",
            type=int,
            default=0,
            help="Instead, add this many open cases across --panels panels, in bulk, for benchmarks",
        )
        parser.add_argument("--seed", default=DEFAULT_SEED, help="The same seed on the same data gives the same data")
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"Password of every demo login (default {DEFAULT_PASSWORD}); set again on each run without --once",
        )

    def handle(self, *args, once, panels, referrals, bulk_referrals, seed, password, **options):
        # Only where someone asked for a local run or tests: a server that forgot NRM_ENVIRONMENT
        # must not get a superuser with a published password.
        if not (settings.DEBUG or settings.IS_TEST) or settings.IS_PRODUCTION:
            raise CommandError(
                "Demo data is loaded only on a local run (DEBUG on) or in tests, never on a server: "
                "its logins share a published password."
            )
        if panels < 1 or referrals < 0 or bulk_referrals < 0:
            raise CommandError("Give at least one panel, and a number of referrals that is not negative.")
        if bulk_referrals:
            self._load_bulk(panel_count=panels, referral_count=bulk_referrals, seed=seed, password=password)
        elif once and Panel.objects.exists():
            self.stdout.write("Panels already exist: no demo data loaded.")
        else:
            self._load(panel_count=panels, referral_count=referrals, seed=seed, password=password)
        self._print_logins(password)

    def _load(self, *, panel_count, referral_count, seed, password):
        started = time.monotonic()
        try:
            places = content.place_names(panel_count)
        except ValueError as error:
            raise CommandError(str(error)) from None
        # Mixing in what is already there keeps a second run from repeating the first one's children.
        rng = random.Random(f"{seed}:{Referral.objects.count()}")
        with transaction.atomic():
            sites = sites_ensure(places, password_hash=make_password(password), rng=rng)
            self.stdout.write(f"Panels, agencies and logins ready ({time.monotonic() - started:.1f} s)")
            today = timezone.localdate()
            cycles = decisions.cycles_plan(sites, today=today)
            plans = referrals_plan(sites, referral_count, rng=rng, today=today, cycles=cycles)
            past_retention = records.retention_cases_plan(plans, cycles, today=today)
            references_assign(plans)
            for done in referrals_create(plans, rng=rng):
                self.stdout.write(f"  referrals: {done:,} of {referral_count:,} ({time.monotonic() - started:.1f} s)")
            decided = decisions.history_create(cycles, plans)
            self.stdout.write(f"  {decided:,} earlier cases decided ({time.monotonic() - started:.1f} s)")
            cycle_count = decisions.cycles_run(cycles, plans, rng=rng)
            self.stdout.write(f"  {cycle_count} panels' meeting cycles run ({time.monotonic() - started:.1f} s)")
            letter_count = decisions.letters_issue(cycles)
            self.stdout.write(f"  {letter_count} letters issued ({time.monotonic() - started:.1f} s)")
            safeguarding_count = safeguarding.safeguarding_create(cycles, today=today)
            self.stdout.write(f"  safeguarding work on {safeguarding_count} cases ({time.monotonic() - started:.1f} s)")
            self.stdout.write(f"  {past_retention} cases closed longer ago than their panel keeps closed cases")
        statistics_refresh(decisions.MODELS)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data: {len(sites)} panels ready, {referral_count:,} referrals added "
                f"in {time.monotonic() - started:.1f} s"
            )
        )

    def _load_bulk(self, *, panel_count, referral_count, seed, password):
        started = time.monotonic()
        try:
            places = content.place_names(panel_count)
        except ValueError as error:
            raise CommandError(str(error)) from None
        rng = random.Random(f"{seed}:bulk:{Referral.objects.count()}")

        def progress(message):
            self.stdout.write(f"{message} ({time.monotonic() - started:.1f} s)")

        with transaction.atomic():
            sites = sites_ensure(places, password_hash=make_password(password), rng=rng)
            progress("Panels, agencies and logins ready")
            made = bulk.bulk_load(sites, referral_count, rng=rng, today=timezone.localdate(), progress=progress)
        statistics_refresh(bulk.MODELS)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data in bulk: {len(sites)} panels, {made:,} cases added in {time.monotonic() - started:.1f} s"
            )
        )

    def _print_logins(self, password):
        first, second = content.place_names(2)
        wanted = [(login.label, login.email) for login in demo_logins(first)]
        wanted.append(("Superuser (Django admin)", SUPERUSER_EMAIL))
        existing = set(User.objects.filter(email__in=[email for _, email in wanted]).values_list("email", flat=True))
        rows = [(label, email) for label, email in wanted if email in existing]
        if not rows:
            self.stdout.write("No demo logins in this database.")
            return
        label_width = max(len(label) for label, _ in rows) + 2
        email_width = max(len(email) for _, email in rows) + 2
        self.stdout.write(f"\nDemo logins, {first.panel_name}:")
        self.stdout.write(f"  {'Role':<{label_width}}{'Email':<{email_width}}Password")
        for label, email in rows:
            self.stdout.write(f"  {label:<{label_width}}{email:<{email_width}}{password}")
        if User.objects.filter(email=f"coordinator@{second.slug}.example").exists():
            self.stdout.write(
                f"The other demo panels have the same logins under their own name, "
                f"for example coordinator@{second.slug}.example."
            )
        if settings.SIGN_IN_WITHOUT_SECOND_FACTOR:
            self.stdout.write(
                "These sign in with the password alone (SIGN_IN_WITHOUT_SECOND_FACTOR, local only). "
                "Everywhere else, people also set up an authenticator app at their first sign-in."
            )
