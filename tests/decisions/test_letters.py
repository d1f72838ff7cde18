"""Letters: who they go to, issued once, rendered once with their hash, corrected by a new version,
every download logged, and many exported as a zip holding exactly the letters chosen."""

import hashlib
import io
import re
import zipfile

import pytest
from django.urls import reverse

from decisions import letters
from decisions.models import (
    DecisionKind,
    Letter,
    LetterDownload,
    LetterExport,
    LetterExportStatus,
    LetterKind,
    LetterStatus,
    Outcome,
)
from decisions.services import DecisionError, NotAllowed
from nrm_panel.models import Role
from referrals.models import State
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(sitting, steps):
    """A case with a positive RG and CG signed off at today's meeting."""
    case = steps.case(
        decision_safe_address="Children's Services, Town Hall, Catford Road, London SE6 4RU",
        current_address="Foster placement, 1 Example Road, London SE13 5AB",
        exploitation_addresses="Flat 2, 40 Rushey Green, London SE6 4JF",
    )
    item = steps.decide(case, sitting.meeting, (DecisionKind.RG, Outcome.POSITIVE), (DecisionKind.CG, Outcome.POSITIVE))
    return item


def issue(decision, user, capture):
    with capture(execute=True):
        return letters.letter_issue(referral=decision.referral, decision=decision, user=user)


def test_a_signed_decision_gets_its_letter_rendered_once_with_its_hash(
    sitting, decided, django_capture_on_commit_callbacks
):
    rg = decided.decisions.get(kind=DecisionKind.RG)
    letter = issue(rg, sitting.coordinator, django_capture_on_commit_callbacks)
    letter.refresh_from_db()
    assert letter.kind == LetterKind.RG_OUTCOME
    assert letter.status == LetterStatus.READY
    stored = letter.file.read()
    assert stored.startswith(b"%PDF")
    assert letter.sha256 == hashlib.sha256(stored).hexdigest()
    assert [each["role"] for each in letter.addressees] == ["First responder"]
    # Rendering again does nothing: the stored letter and its hash stay as they were.
    assert letters.letter_render(letter.pk) is False
    again = Letter.objects.get(pk=letter.pk)
    assert (again.sha256, again.file.name, again.rendered_at) == (letter.sha256, letter.file.name, letter.rendered_at)


def test_a_letter_is_issued_once_and_corrected_by_a_new_version(sitting, decided, django_capture_on_commit_callbacks):
    rg = decided.decisions.get(kind=DecisionKind.RG)
    first = issue(rg, sitting.coordinator, django_capture_on_commit_callbacks)
    with pytest.raises(DecisionError, match="already been issued"):
        letters.letter_issue(referral=rg.referral, decision=rg, user=sitting.coordinator)
    with pytest.raises(DecisionError, match="reason"):
        letters.letter_correct(letter=first, user=sitting.coordinator, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        second = letters.letter_correct(letter=first, user=sitting.coordinator, reason="The address had a typo")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (second.version, second.status, second.correction_reason) == (2, "ready", "The address had a typo")
    assert first.status == "ready" and first.file.read().startswith(b"%PDF")
    with pytest.raises(DecisionError, match="latest version"):
        letters.letter_correct(letter=first, user=sitting.coordinator, reason="Again")


def test_only_the_coordinator_issues_letters(sitting, decided):
    rg = decided.decisions.get(kind=DecisionKind.RG)
    for person in (sitting.chair, sitting.police):
        with pytest.raises(NotAllowed):
            letters.letter_issue(referral=rg.referral, decision=rg, user=person)
    assert not Letter.objects.exists()


def test_a_deferred_or_unsigned_decision_has_no_letter(sitting, steps):
    later = steps.meeting(steps.day(30))
    case = steps.case()
    item = steps.add(sitting.meeting, case)
    steps.open(sitting.meeting)
    unsigned = steps.record(item)
    with pytest.raises(DecisionError, match="signed"):
        letters.letter_issue(referral=case, decision=unsigned, user=sitting.coordinator)
    unsigned.delete()
    deferred = steps.record(item, DecisionKind.RG, Outcome.DEFERRED, deferred_to=later)
    steps.sign(item)
    with pytest.raises(DecisionError, match="deferred"):
        letters.letter_issue(referral=case, decision=deferred, user=sitting.coordinator)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"decision_safe_address": ""}, "no safe postal address"),
        ({"decision_safe_address": "1 Example Road, London SE13 5AB"}, "child's own address"),
        ({"decision_safe_address": "Somewhere else, London se64jf"}, "place of exploitation (postcode SE6 4JF)"),
        (
            {"decision_safe_address": "Flat 2, 40 Rushey Green\nLondon"},
            "place of exploitation (the same building, 40 Rushey Green)",
        ),
        ({"decision_safe_address": "Flat 7, 40 Rushey Grn."}, "the same building"),
        ({"legal_representative_name": "A. Solicitor", "legal_representative_address": ""}, "without an address"),
        (
            {"legal_representative_name": "A. Solicitor", "legal_representative_address": "Flat 2, 40 Rushey Green"},
            "legal representative's address matches an address recorded as a place of exploitation",
        ),
    ],
)
def test_a_letter_never_goes_to_the_child_or_a_place_of_exploitation(sitting, decided, changes, message):
    case = decided.referral
    for field, value in changes.items():
        setattr(case, field, value)
    case.save()
    rg = decided.decisions.get(kind=DecisionKind.RG)
    with pytest.raises(DecisionError, match=re.escape(message)):
        letters.letter_issue(referral=case, decision=rg, user=sitting.coordinator)
    assert not Letter.objects.exists()


def test_the_legal_representative_gets_a_copy(sitting, decided):
    case = decided.referral
    case.legal_representative_name = "Sam Brief"
    case.legal_representative_organisation = "Brief & Co Solicitors"
    case.legal_representative_address = "1 Law Lane, London EC4A 1AA"
    case.save()
    letter = letters.letter_issue(referral=case, decision=decided.decisions.get(kind="cg"), user=sitting.coordinator)
    assert letter.kind == LetterKind.CG_OUTCOME
    assert [each["name"] for each in letter.addressees] == ["Jo Worker", "Sam Brief"]


def test_address_match_is_cautious_but_not_blind():
    assert letters.address_match("Town Hall, Catford SE6 4RU", "se6 4ru") == "postcode SE6 4RU"
    assert letters.address_match("12 High Street, Leeds", "12 High St., Leeds") == "the same building, 12 High Street"
    assert letters.address_match("Flat 3, 12 High Street", "12 high st, London") == "the same building, 12 High Street"
    assert letters.address_match("Flat 3, 12 High Street", "Flat 3, 14 High Street") is None  # flat 3 of two houses
    assert letters.address_match("Town Hall\nLeeds", "Town Hall, Bradford") is None  # no house number: not a match
    assert letters.address_match("Town Hall, Leeds LS1 1UR", "1 Example Road, LS2 9JT") is None


def test_summary_letters_need_their_case_to_be_ready_for_them(sitting, steps, decided):
    pending = steps.case()
    with pytest.raises(DecisionError, match="no signed decision"):
        letters.letter_issue(referral=pending, kind=LetterKind.DEFENCE_SUMMARY, user=sitting.coordinator)
    with pytest.raises(DecisionError, match="transferred"):
        letters.letter_issue(referral=pending, kind=LetterKind.TRANSFER_SUMMARY, user=sitting.coordinator)
    summary = letters.letter_issue(referral=decided.referral, kind=LetterKind.DEFENCE_SUMMARY, user=sitting.coordinator)
    assert summary.decision is None
    with pytest.raises(DecisionError, match="already been issued"):
        letters.letter_issue(referral=decided.referral, kind=LetterKind.DEFENCE_SUMMARY, user=sitting.coordinator)
    pending.state = State.TRANSFERRED
    pending.state_reason = "Within 100 days of 18"
    pending.save()
    assert letters.letter_issue(referral=pending, kind=LetterKind.TRANSFER_SUMMARY, user=sitting.coordinator)


def test_a_meetings_letters_are_issued_together_and_refusals_say_why(sitting, steps, decided):
    bad = steps.case(decision_safe_address="")
    steps.decide(bad, sitting.meeting, (DecisionKind.RG, Outcome.NEGATIVE))
    result = letters.meeting_letters_issue(meeting=sitting.meeting, user=sitting.coordinator)
    assert len(result.issued) == 2
    assert [(case.pk, "no safe postal address" in why) for case, why in result.refused] == [(bad.pk, True)]
    again = letters.meeting_letters_issue(meeting=sitting.meeting, user=sitting.coordinator)
    assert again.issued == [] and len(again.refused) == 1
    with pytest.raises(NotAllowed):
        letters.meeting_letters_issue(meeting=sitting.meeting, user=sitting.chair)


def _ready_letters(sitting, decided, capture):
    with capture(execute=True):
        result = letters.meeting_letters_issue(meeting=sitting.meeting, user=sitting.coordinator)
    return [Letter.objects.get(pk=letter.pk) for letter in result.issued]


def test_an_export_zips_exactly_the_chosen_letters_and_logs_each_download(
    sitting, steps, decided, django_capture_on_commit_callbacks
):
    other = steps.case()
    steps.decide(other, sitting.meeting, (DecisionKind.RG, Outcome.NEGATIVE))
    rg, cg, other_rg = _ready_letters(sitting, decided, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        export = letters.letters_export_start(letters=[rg, other_rg], user=sitting.coordinator)
    export.refresh_from_db()
    assert (export.status, export.done, export.total) == (LetterExportStatus.READY, 2, 2)
    assert letters.letters_export_build(export.pk) is False  # a second run does nothing
    with letters.letters_export_download(export=export, user=sitting.coordinator) as file:
        archive = zipfile.ZipFile(io.BytesIO(file.read()))
    assert sorted(archive.namelist()) == sorted([rg.filename, other_rg.filename])
    for letter in (rg, other_rg):
        assert hashlib.sha256(archive.read(letter.filename)).hexdigest() == letter.sha256
    logged = LetterDownload.objects.filter(export=export, downloaded_by=sitting.coordinator)
    assert sorted(logged.values_list("letter_id", flat=True)) == sorted([rg.pk, other_rg.pk])
    assert not LetterDownload.objects.filter(letter=cg).exists()


def test_an_export_renders_letters_still_waiting_and_refuses_a_tampered_one(
    sitting, decided, django_capture_on_commit_callbacks
):
    rg = letters.letter_issue(
        referral=decided.referral, decision=decided.decisions.get(kind="rg"), user=sitting.coordinator
    )
    assert rg.status == LetterStatus.QUEUED  # the worker has not run (no commit in this test)
    export = letters.letters_export_start(letters=[rg], user=sitting.coordinator)
    assert letters.letters_export_build(export.pk) is True
    rg.refresh_from_db()
    assert rg.status == LetterStatus.READY

    with django_capture_on_commit_callbacks(execute=True):
        cg = letters.letter_issue(
            referral=decided.referral, decision=decided.decisions.get(kind="cg"), user=sitting.coordinator
        )
    cg.refresh_from_db()
    with open(cg.file.path, "ab") as stored:
        stored.write(b"tampered")
    export = letters.letters_export_start(letters=[cg], user=sitting.coordinator)
    assert letters.letters_export_build(export.pk) is False
    export.refresh_from_db()
    assert export.status == LetterExportStatus.FAILED and "fingerprint" in export.error


def test_an_export_holds_one_panels_letters_for_its_coordinator(sitting, decided, other_panel):
    rg = letters.letter_issue(
        referral=decided.referral, decision=decided.decisions.get(kind="rg"), user=sitting.coordinator
    )
    with pytest.raises(DecisionError, match="Select at least one"):
        letters.letters_export_start(letters=[], user=sitting.coordinator)
    with pytest.raises(NotAllowed):
        letters.letters_export_start(letters=[rg], user=member(other_panel, Role.COORDINATOR))
    with pytest.raises(NotAllowed):
        letters.letters_export_start(letters=[rg], user=sitting.chair)
    assert not LetterExport.objects.exists()


def test_a_failed_render_is_retried_then_reported(sitting, decided, monkeypatch):
    letter = letters.letter_issue(
        referral=decided.referral, decision=decided.decisions.get(kind="rg"), user=sitting.coordinator
    )

    def broken(letter):
        raise RuntimeError("fonts missing")

    monkeypatch.setattr(letters, "letter_pdf", broken)
    for attempt in range(1, letters.MAX_RENDER_ATTEMPTS + 1):
        assert letters.letter_render(letter.pk) is False
        letter.refresh_from_db()
        assert letter.render_attempts == attempt
    assert letter.status == LetterStatus.FAILED
    with pytest.raises(DecisionError, match="could not be prepared"):
        letters.letters_export_start(letters=[letter], user=sitting.coordinator)


# Pages


def test_the_coordinator_issues_downloads_and_exports_from_the_pages(
    sitting, decided, login, django_capture_on_commit_callbacks
):
    client = login(sitting.coordinator)
    case_url = reverse("referrals:case", args=[decided.referral.public_id])
    page = client.get(case_url).content.decode()
    assert "Issue the letter" in page and "Letter recipients" in page
    rg = decided.decisions.get(kind="rg")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("decisions:case_letter_issue", args=[decided.referral.public_id]), {"decision": rg.public_id}
        )
    assert response.status_code == 302
    letter = Letter.objects.get(decision=rg)
    response = client.get(reverse("decisions:letter_download", args=[letter.public_id]))
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert LetterDownload.objects.filter(letter=letter, export=None, downloaded_by=sitting.coordinator).count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("decisions:letters_export"), {"letters": [letter.public_id]})
    export = LetterExport.objects.get()
    assert response["Location"] == reverse("decisions:letters_export_progress", args=[export.public_id])
    page = client.get(response["Location"]).content.decode()
    assert "Download the zip" in page and 'http-equiv="refresh"' not in page
    response = client.get(reverse("decisions:letters_export_download", args=[export.public_id]))
    assert response["Content-Type"] == "application/zip"


def test_an_unfinished_export_page_refreshes_itself(sitting, decided, login):
    rg = letters.letter_issue(
        referral=decided.referral, decision=decided.decisions.get(kind="rg"), user=sitting.coordinator
    )
    export = letters.letters_export_start(letters=[rg], user=sitting.coordinator)
    client = login(sitting.coordinator)
    page = client.get(reverse("decisions:letters_export_progress", args=[export.public_id])).content.decode()
    assert 'http-equiv="refresh"' in page and 'max="1" value="0"' in page
    response = client.get(reverse("decisions:letters_export_download", args=[export.public_id]))
    assert response.status_code == 409


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "Choose the decision or the kind of letter"),
        ({"decision": "not-a-uuid"}, "is not a valid UUID"),
        ({"decision": "00000000-0000-0000-0000-000000000000"}, "not on this case"),
        ({"kind": "love_letter"}, "Choose a kind of letter"),
        # The defence summary is issued from the criminal proceedings, to their defence solicitor.
        ({"kind": "defence_summary"}, "Choose a kind of letter"),
        ({"kind": "transfer_summary"}, "transferred"),
    ],
)
def test_issuing_with_bad_input_says_what_is_wrong(sitting, decided, login, data, message):
    client = login(sitting.coordinator)
    response = client.post(reverse("decisions:case_letter_issue", args=[decided.referral.public_id]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Letter.objects.exists()


def test_another_panels_decision_or_letter_is_not_found(sitting, steps, decided, login, other_panel):
    rg = decided.decisions.get(kind="rg")
    letter = letters.letter_issue(referral=decided.referral, decision=rg, user=sitting.coordinator)
    stranger = member(other_panel, Role.COORDINATOR)
    client = login(stranger)
    for url in (
        reverse("decisions:letter", args=[letter.public_id]),
        reverse("decisions:letter_download", args=[letter.public_id]),
        reverse("decisions:letter_correct", args=[letter.public_id]),
        reverse("decisions:letter_recipients", args=[decided.referral.public_id]),
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(reverse("decisions:letters_export"), {"letters": [letter.public_id]})
    assert response.status_code == 400
    assert not LetterExport.objects.exists() and not LetterDownload.objects.exists()
    # A decision of another case, even of the same panel, cannot be issued through this case's page.
    other_case = steps.case()
    client = login(sitting.coordinator)
    response = client.post(
        reverse("decisions:case_letter_issue", args=[other_case.public_id]), {"decision": rg.public_id}
    )
    assert response.status_code == 400


def test_people_who_do_not_issue_letters_cannot(sitting, decided, login):
    rg = decided.decisions.get(kind="rg")
    letter = letters.letter_issue(referral=decided.referral, decision=rg, user=sitting.coordinator)
    letters.letter_render(letter.pk)
    for person, expected_read in ((sitting.chair, 200), (sitting.police, 404), (decided.referral.referrer, 404)):
        client = login(person)
        assert client.get(reverse("decisions:letter", args=[letter.public_id])).status_code == expected_read
        response = client.post(
            reverse("decisions:case_letter_issue", args=[decided.referral.public_id]),
            {"decision": decided.decisions.get(kind="cg").public_id},
        )
        assert response.status_code in (403, 404)
    assert Letter.objects.count() == 1


def test_the_coordinator_corrects_the_letter_recipients(sitting, decided, login):
    client = login(sitting.coordinator)
    url = reverse("decisions:letter_recipients", args=[decided.referral.public_id])
    response = client.post(url, {"decision_safe_address": "", "legal_representative_name": "Sam Brief"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Sam Brief" in page and "legal representative&#x27;s postal address" in page
    response = client.post(
        url,
        {
            "decision_safe_address": "Youth Offending Service, 1 Civic Way, London SE6 1AA",
            "legal_representative_name": "Sam Brief",
            "legal_representative_address": "1 Law Lane, London EC4A 1AA",
            "exploitation_addresses": "",
        },
    )
    assert response.status_code == 302
    decided.referral.refresh_from_db()
    assert decided.referral.legal_representative_address == "1 Law Lane, London EC4A 1AA"
    assert decided.referral.history.first().history_change_reason == "Letter recipients changed"
    assert login(sitting.chair).get(url).status_code == 403
