"""Edges found in review of the clock, letters and notifications: a role ended, an export built twice at
once, a missing file, two letters of one kind on a case, a flat in the house of the exploitation, a
superseded version, and a case whose panel next meets after its day 45."""

import io
import threading
import zipfile

import pytest
from django.db import connection
from django.urls import reverse

from decisions import clock_sweep, letters, selectors, services
from decisions.models import DecisionKind, LetterExport, LetterExportStatus, LetterStatus, Outcome
from nrm_panel.models import Membership, Role
from tests.decisions.test_reconsideration import request as reconsideration_request
from tests.factories import member

pytestmark = pytest.mark.django_db

RG, CG = DecisionKind.RG, DecisionKind.CG
POSITIVE, NEGATIVE = Outcome.POSITIVE, Outcome.NEGATIVE


# 1. Leaks ------------------------------------------------------------------------------------------------


def test_a_former_coordinator_kept_on_as_referrer_no_longer_reads_the_panels_clock_alerts(sitting, steps, login):
    case = steps.case(referral_date=steps.day(-50))  # overdue
    clock_sweep.clock_sweep(today=steps.day(0))
    coordinator = sitting.coordinator
    page = login(coordinator).get(reverse("notifications:list")).content.decode()
    assert case.reference in page  # the coordinator was told
    # The coordinator role ends; the person stays on the panel only to make referrals.
    Membership.objects.filter(user=coordinator, panel=sitting.panel, role=Role.COORDINATOR).update(is_active=False)
    member(sitting.panel, Role.REFERRER, user=coordinator)
    page = login(coordinator).get(reverse("notifications:list")).content.decode()
    assert case.reference not in page


# 3. Rules: the zip holds exactly the selected letters --------------------------------------------------


def _decided_twice_on_reconsideration(sitting, steps):
    """A negative RG, reconsidered negative, then reconsidered again positive: two reconsideration letters."""
    case = steps.case(referral_date=steps.day(-60))
    steps.decide(case, steps.meeting(steps.day(-55)), (RG, NEGATIVE))
    services.reconsideration_accept(
        reconsideration=reconsideration_request(sitting, case, received_on=steps.day(-50)), user=sitting.coordinator
    )
    steps.decide(case, steps.meeting(steps.day(-40)), (RG, NEGATIVE))
    services.reconsideration_accept(
        reconsideration=reconsideration_request(sitting, case, received_on=steps.day(-30)), user=sitting.coordinator
    )
    steps.decide(case, steps.meeting(steps.day(-20)), (RG, POSITIVE))
    return case


def test_an_export_of_two_reconsideration_letters_of_one_case_holds_both(sitting, steps):
    case = _decided_twice_on_reconsideration(sitting, steps)
    redecisions = list(case.decisions.filter(supersedes__isnull=False).order_by("decided_on"))
    assert len(redecisions) == 2
    issued = [letters.letter_issue(referral=case, decision=d, user=sitting.coordinator) for d in redecisions]
    assert {letter.kind for letter in issued} == {"reconsideration_outcome"}
    export = letters.letters_export_start(letters=issued, user=sitting.coordinator)
    assert letters.letters_export_build(export.pk) is True
    export.refresh_from_db()
    with letters.letters_export_download(export=export, user=sitting.coordinator) as file:
        archive = zipfile.ZipFile(io.BytesIO(file.read()))
    assert len(set(archive.namelist())) == 2, archive.namelist()


def test_a_letter_is_refused_for_a_flat_in_the_house_where_the_exploitation_happened(sitting, steps):
    case = steps.case(
        decision_safe_address="Flat 2, 40 Rushey Green, Catford, London",
        exploitation_addresses="40 Rushey Green, Catford, London",
    )
    item = steps.decide(case, sitting.meeting, (RG, POSITIVE))
    with pytest.raises(services.DecisionError, match="place of exploitation"):
        letters.letter_issue(referral=case, decision=item.decisions.get(), user=sitting.coordinator)


def test_the_ready_filter_does_not_offer_a_superseded_version(sitting, steps, django_capture_on_commit_callbacks):
    case = steps.case()
    item = steps.decide(case, sitting.meeting, (RG, POSITIVE))
    with django_capture_on_commit_callbacks(execute=True):
        first = letters.letter_issue(referral=case, decision=item.decisions.get(), user=sitting.coordinator)
    letters.letter_correct(letter=first, user=sitting.coordinator, reason="Wrong name")  # v2 still queued
    ready = list(selectors.letter_list(sitting.coordinator, status=LetterStatus.READY))
    assert first not in ready  # version 1 is superseded; it must not be offered as the case's letter


# 3/4. Exports: a broken export fails cleanly; a live one is never built twice at once ---------------------


def test_an_export_whose_stored_letter_is_missing_fails_with_a_message(
    sitting, steps, django_capture_on_commit_callbacks
):
    case = steps.case()
    item = steps.decide(case, sitting.meeting, (RG, POSITIVE))
    with django_capture_on_commit_callbacks(execute=True):
        letter = letters.letter_issue(referral=case, decision=item.decisions.get(), user=sitting.coordinator)
    letter.refresh_from_db()
    letter.file.storage.delete(letter.file.name)
    export = letters.letters_export_start(letters=[letter], user=sitting.coordinator)
    try:
        letters.letters_export_build(export.pk)
    except FileNotFoundError:
        pass
    export.refresh_from_db()
    assert export.status == LetterExportStatus.FAILED


@pytest.mark.django_db(transaction=True)
def test_a_live_export_is_not_built_a_second_time_at_once(
    sitting, steps, django_capture_on_commit_callbacks, monkeypatch
):
    case = steps.case()
    item = steps.decide(case, sitting.meeting, (RG, POSITIVE))
    with django_capture_on_commit_callbacks(execute=True):
        letter = letters.letter_issue(referral=case, decision=item.decisions.get(), user=sitting.coordinator)
    letter.refresh_from_db()
    monkeypatch.setattr(letters, "_ask_worker_to_export", lambda export_id: None)  # the broker is down
    export = letters.letters_export_start(letters=[letter], user=sitting.coordinator)

    building, release = threading.Event(), threading.Event()
    real_checked_pdf = letters._checked_pdf

    def slow_checked_pdf(each):
        if threading.current_thread().name == "first-worker":
            building.set()
            release.wait(10)
        return real_checked_pdf(each)

    monkeypatch.setattr(letters, "_checked_pdf", slow_checked_pdf)
    results = {}

    def first_worker():
        try:
            results["first"] = letters.letters_export_build(export.pk)
        except Exception as error:  # shown in the assertion below
            results["first"] = repr(error)
        finally:
            connection.close()

    worker = threading.Thread(target=first_worker, name="first-worker")
    worker.start()
    assert building.wait(30), results
    try:
        # A second delivery of the task (or the pending sweep) while the first is half way.
        results["second"] = letters.letters_export_build(export.pk)
    finally:
        release.set()
        worker.join(10)
    assert results == {"first": True, "second": False}
    assert LetterExport.objects.get(pk=export.pk).status == LetterExportStatus.READY


# 3. Rules: the sweep's "next meeting after day 45" --------------------------------------------------------


def test_a_case_whose_panel_meets_next_after_its_day_45_is_reported(sitting, steps):
    from decisions.models import ClockAlert, ClockThreshold, MeetingStatus

    sitting.meeting.status = MeetingStatus.CANCELLED
    sitting.meeting.save()
    steps.meeting(steps.day(20))  # the panel's next meeting
    case = steps.case(referral_date=steps.day(-35))  # day 45 is in 10 days; not on an agenda yet
    clock_sweep.clock_sweep(today=steps.day(0))
    assert ClockAlert.objects.filter(referral=case, threshold=ClockThreshold.MEETING_AFTER_TARGET).exists()
