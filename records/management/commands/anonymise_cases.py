"""Anonymise the cases their coordinators reviewed "anonymise" (the Retention review page).

Only a case that is closed (or withdrawn, or transferred), past its panel's retention period, whose latest
review says "anonymise" and that has no criminal proceedings recorded as ongoing; each in its own
transaction. Safe to run again, and to schedule (cron, daily): a case already anonymised is left alone, and
stored files a stopped run left behind are deleted.

    manage.py anonymise_cases                 every panel
    manage.py anonymise_cases --panel LEW     one panel
    manage.py anonymise_cases --dry-run       say what would be done, change nothing
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from nrm_panel.models import Panel
from records import anonymisation
from records.models import RetentionDecision
from records.selectors import due_for_review
from records.services import RecordsError
from referrals.models import Referral


class Command(BaseCommand):
    help = "Anonymise the closed cases past their panel's retention period that were reviewed as 'anonymise'."

    def add_arguments(self, parser):
        parser.add_argument("--panel", metavar="CODE", help="Only the cases of the panel with this code, e.g. LEW")
        parser.add_argument("--dry-run", action="store_true", help="Say what would be done; change nothing")

    def handle(self, *args, panel=None, dry_run=False, **options):
        today = timezone.localdate()
        cases = Referral.objects.all()
        if panel is not None:
            found = Panel.objects.filter(code=panel.strip().upper()).first()
            if found is None:
                raise CommandError(f"No panel has the code {panel!r}: give a code such as LEW.")
            cases = cases.filter(panel=found)
        to_anonymise = list(
            due_for_review(cases, today=today)
            .filter(latest_decision=RetentionDecision.ANONYMISE)
            .select_related("panel")
            .order_by("closed_at", "reference")
        )
        if not dry_run:
            self._finish_file_deletions()
        failed = 0
        for case in to_anonymise:
            if dry_run:
                failed += not self._describe(case, today=today)
            else:
                failed += not self._anonymise(case, today=today)
        verb = "would be anonymised" if dry_run else "anonymised"
        self.stdout.write(f"{len(to_anonymise) - failed} case{'s' if len(to_anonymise) - failed != 1 else ''} {verb}.")
        if dry_run:
            self.stdout.write("Dry run: nothing was changed.")
        if failed:
            raise CommandError(f"{failed} case{'s' if failed != 1 else ''} could not be anonymised: see above.")

    def _describe(self, case, *, today) -> bool:
        try:
            anonymisation.check_anonymisable(case, today=today)
        except RecordsError as error:
            self.stdout.write(f"{case.reference}: not anonymised. {error}")
            return False
        plan = anonymisation.anonymisation_plan(case)
        self.stdout.write(
            f"{case.reference} ({case.panel.code}, {case.get_state_display().lower()} {case.closed_on:%-d %B %Y}): "
            f"would clear {plan.row_count} records (history included) and delete {len(plan.files)} stored files."
        )
        for kind, count in plan.rows.items():
            if count:
                self.stdout.write(f"    {kind}: {count}")
        return True

    def _anonymise(self, case, *, today) -> bool:
        try:
            done = anonymisation.case_anonymise(referral=case, today=today)
        except RecordsError as error:
            self.stderr.write(f"{case.reference}: not anonymised. {error}")
            return False
        rows = sum(done.rows.values())
        self.stdout.write(
            f"{case.reference} ({case.panel.code}): anonymised, {rows} records cleared (history included), "
            f"{len(done.removed_files)} stored files deleted."
        )
        return True

    def _finish_file_deletions(self) -> None:
        for pk in anonymisation.anonymisation_files_left():
            deleted = anonymisation.anonymisation_files_delete(pk)
            if deleted:
                self.stdout.write(f"Deleted {deleted} stored files an earlier run left behind.")
