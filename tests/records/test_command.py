"""`manage.py anonymise_cases`: the cases reviewed "anonymise", of every panel or one; a dry run that says what
it would do and changes nothing; cases it may not anonymise left as they are, and said so."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from nrm_panel.models import Role
from records.models import Anonymisation
from referrals.models import PrivateUploadStorage, Referral, State
from tests.factories import PanelFactory, member
from tests.records.helpers import SECRETS, closed_case, review, years_ago
from tests.records.test_anonymisation import everything_stored

pytestmark = pytest.mark.django_db


def anonymise_cases(*args) -> str:
    out = StringIO()
    call_command("anonymise_cases", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_a_dry_run_says_what_it_would_do_and_changes_nothing(full_case, django_capture_on_commit_callbacks):
    review(full_case.case, full_case.coordinator)
    stored = everything_stored()

    with django_capture_on_commit_callbacks(execute=True):
        said = anonymise_cases("--dry-run")

    assert f"{full_case.case.reference} (LEW, closed" in said
    assert "would clear" in said and "delete 5 stored files" in said
    assert "1 case would be anonymised." in said and "Dry run: nothing was changed." in said
    assert everything_stored() == stored
    assert all(PrivateUploadStorage().exists(name) for name in full_case.stored_files())


def test_it_anonymises_the_cases_reviewed_so_and_deletes_their_files(full_case, django_capture_on_commit_callbacks):
    review(full_case.case, full_case.coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        said = anonymise_cases()

    assert f"{full_case.case.reference} (LEW): anonymised" in said and "1 case anonymised." in said
    assert Referral.objects.get(pk=full_case.case.pk).first_name == ""
    assert not any(PrivateUploadStorage().exists(name) for name in full_case.stored_files())
    assert SECRETS["last_name"].lower() not in everything_stored().lower()
    assert "0 cases anonymised." in anonymise_cases()  # again: nothing twice


def test_panel_chooses_one_panels_cases(panel, coordinator):
    other = PanelFactory(code="OTH")
    ours = closed_case(panel, closed_on=years_ago(8))
    theirs = closed_case(other, closed_on=years_ago(8))
    review(ours, coordinator)
    review(theirs, member(other, Role.COORDINATOR))

    said = anonymise_cases("--panel", "oth")

    assert theirs.reference in said and ours.reference not in said
    assert Anonymisation.objects.get().referral == theirs
    assert Referral.objects.get(pk=ours.pk).first_name == ours.first_name


def test_an_unknown_panel_is_refused():
    with pytest.raises(CommandError, match="No panel has the code 'NOPE'"):
        anonymise_cases("--panel", "NOPE")


def test_open_kept_and_unreviewed_cases_are_never_touched(panel, coordinator):
    open_case = closed_case(panel, closed_on=years_ago(8), state=State.CG_POSITIVE)
    review(open_case, coordinator)  # as if reviewed: the command still leaves an open case alone
    not_due = closed_case(panel, closed_on=years_ago(5))
    review(not_due, coordinator)
    unreviewed = closed_case(panel, closed_on=years_ago(8))
    kept = closed_case(panel, closed_on=years_ago(8))
    review(kept, coordinator)
    review(
        kept,
        coordinator,
        decision="keep",
        keep_until=datetime.date.today() + datetime.timedelta(days=9),
        keep_reason="complaint",
    )

    said = anonymise_cases()

    assert "0 cases anonymised." in said
    assert not Anonymisation.objects.exists()
    for case in (open_case, not_due, unreviewed, kept):
        assert Referral.objects.get(pk=case.pk).first_name == case.first_name


def test_a_case_with_ongoing_proceedings_is_reported_and_the_run_fails(full_case):
    full_case.proceeding.status = "ongoing"
    full_case.proceeding.save()
    review(full_case.case, full_case.coordinator)

    with pytest.raises(CommandError, match="1 case could not be anonymised"):
        said = anonymise_cases()
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("anonymise_cases", stdout=out, stderr=out)
    said = out.getvalue()
    assert f"{full_case.case.reference}: not anonymised. Criminal proceedings" in said
    assert Referral.objects.get(pk=full_case.case.pk).last_name == SECRETS["last_name"]


def test_files_a_stopped_run_left_are_deleted_by_the_next(full_case):
    review(full_case.case, full_case.coordinator)
    anonymise_cases()  # its files would go after the commit: the test's transaction never commits
    assert all(PrivateUploadStorage().exists(name) for name in full_case.stored_files())

    said = anonymise_cases()

    assert "Deleted 5 stored files an earlier run left behind." in said
    assert not any(PrivateUploadStorage().exists(name) for name in full_case.stored_files())
    assert Anonymisation.objects.get().files_deleted_at is not None
