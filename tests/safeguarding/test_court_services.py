"""Court proceedings through their services: the decision summary letter goes to the defence solicitor of each set
of proceedings, in its own series of versions, never to an unsafe address; "sent" records name a ready version of
this proceedings' letter and a believable date; ended proceedings say how; only the coordinator writes; every
change is in the history with its reason."""

import datetime

import pytest
from django.utils import timezone

from decisions import letters
from decisions.models import DecisionKind, Letter, LetterKind, LetterStatus, Outcome
from decisions.services import STALE, DecisionError, NotAllowed, StaleRecord
from nrm_panel.models import Role
from safeguarding import selectors
from safeguarding.models import CourtProceeding, Hearing, LetterSent, SendMethod
from safeguarding.services import NOT_SUBMITTED, SafeguardingError, court, history_version
from tests.factories import ReferralFactory, member
from tests.safeguarding.court_helpers import (
    CHILDS_ADDRESS,
    EXPLOITATION_ADDRESS,
    FIRST_RESPONDER_ADDRESS,
    OTHER_SOLICITOR,
    SOLICITOR,
    decided_case,
    issue,
    pdf_text,
    proceeding_fields,
)

pytestmark = pytest.mark.django_db


def today() -> datetime.date:
    return timezone.localdate()


def days(offset: int) -> datetime.date:
    return today() + datetime.timedelta(days=offset)


def reasons(history) -> list[str]:
    return [entry.history_change_reason for entry in history.order_by("history_date", "history_id")]


# The letter and its addressee


def test_the_letter_goes_to_the_defence_solicitor_not_the_first_responder(
    sitting, proceeding, django_capture_on_commit_callbacks
):
    letter = issue(proceeding, sitting.coordinator, django_capture_on_commit_callbacks)

    assert letter.kind == LetterKind.DEFENCE_SUMMARY
    assert letter.about == proceeding.letter_key
    assert letter.status == LetterStatus.READY
    assert letter.addressees == [
        {
            "role": "Defence solicitor",
            "name": "Priya Shah",
            "organisation": "Example Defence LLP",
            "address": "12 Chancery Row\nLondon WC2A 1AA",
        }
    ]
    text = pdf_text(letter)
    assert "Dear Priya Shah," in text
    assert "Example Defence LLP" in text and "12 Chancery Row" in text and "WC2A 1AA" in text
    assert "you act for Amara Okafor in criminal proceedings" in text
    assert "Modern Slavery Act 2015, section 45" in text
    assert proceeding.referral.reference in text
    # Every signed decision is summarised.
    assert "Reasonable grounds: Positive" in text and "Conclusive grounds: Positive" in text
    # Nobody else is addressed: not the first responder, not their address, never the child's.
    assert "Jo Worker" not in text
    assert "Town Hall" not in text and "First responder" not in text
    assert "Example Road" not in text
    assert reasons(letter.history) == ["Version 1 issued", f"Rendered, SHA-256 {letter.sha256}"]


def test_two_proceedings_on_one_case_have_separate_letter_series(
    sitting, decided, proceeding, django_capture_on_commit_callbacks
):
    second = court.proceeding_record(
        referral=decided,
        user=sitting.coordinator,
        **proceeding_fields(court="Inner London Crown Court", charge="Robbery", **OTHER_SOLICITOR),
    )
    first_letter = issue(proceeding, sitting.coordinator, django_capture_on_commit_callbacks)
    second_letter = issue(second, sitting.coordinator, django_capture_on_commit_callbacks)

    assert (first_letter.version, second_letter.version) == (1, 1)
    assert first_letter.about != second_letter.about
    assert first_letter.filename != second_letter.filename
    assert proceeding.letter_key in first_letter.filename and second.letter_key in second_letter.filename
    assert "Tom Okoro" in pdf_text(second_letter) and "Priya Shah" not in pdf_text(second_letter)

    corrected = court.defence_summary_correct(proceeding=second, user=sitting.coordinator, reason="Typo in the name.")

    assert corrected.version == 2 and corrected.about == second.letter_key
    assert [ltr.version for ltr in court.defence_summary_letters(proceeding)] == [1]
    assert [ltr.version for ltr in court.defence_summary_letters(second)] == [2, 1]
    with pytest.raises(DecisionError, match="already been issued"):
        court.defence_summary_issue(proceeding=proceeding, user=sitting.coordinator)


def test_a_correction_keeps_the_series_and_goes_to_the_solicitor_as_now_recorded(
    sitting, proceeding, django_capture_on_commit_callbacks
):
    first = issue(proceeding, sitting.coordinator, django_capture_on_commit_callbacks)
    court.proceeding_update(proceeding=proceeding, user=sitting.coordinator, **OTHER_SOLICITOR)
    proceeding.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        second = court.defence_summary_correct(
            proceeding=proceeding, user=sitting.coordinator, reason="The child has a new defence solicitor."
        )
    second.refresh_from_db()

    assert (second.version, second.about, second.kind) == (2, first.about, first.kind)
    assert [each["name"] for each in second.addressees] == ["Tom Okoro"]
    assert second.addressees[0]["organisation"] == "Riverside Criminal Law"
    first.refresh_from_db()
    assert [each["name"] for each in first.addressees] == ["Priya Shah"]  # the earlier version is kept as it was
    text = pdf_text(second)
    assert "This letter replaces version 1: The child has a new defence solicitor." in text
    assert "Dear Tom Okoro," in text and "3 Quay Street" in text
    assert "Priya Shah" not in text
    assert reasons(second.history)[0] == "Version 2 issued: The child has a new defence solicitor."


def test_a_correction_needs_a_reason_and_a_letter_to_correct(sitting, proceeding, django_capture_on_commit_callbacks):
    with pytest.raises(SafeguardingError, match="issue it first"):
        court.defence_summary_correct(proceeding=proceeding, user=sitting.coordinator, reason="Why not.")
    issue(proceeding, sitting.coordinator, django_capture_on_commit_callbacks)
    with pytest.raises(DecisionError) as refused:
        court.defence_summary_correct(proceeding=proceeding, user=sitting.coordinator, reason="  ")
    assert str(refused.value) == letters.CORRECTION_REASON_REQUIRED
    assert Letter.objects.count() == 1


@pytest.mark.parametrize(
    "address, message",
    [
        (
            "Flat 9, 1 Example Road\nLondon SE13 5AB",
            court.SOLICITOR_AT_CHILDS_ADDRESS.format(match="postcode SE13 5AB"),
        ),
        (
            "40 Rushey Green\nLondon",
            court.SOLICITOR_AT_EXPLOITATION_ADDRESS.format(match="the same building, 40 Rushey Green"),
        ),
    ],
)
def test_a_letter_never_goes_to_the_childs_address_or_a_place_of_exploitation(
    sitting, proceeding, address, message, django_capture_on_commit_callbacks
):
    court.proceeding_update(proceeding=proceeding, user=sitting.coordinator, solicitor_address=address)

    with pytest.raises(SafeguardingError) as refused:
        court.defence_summary_issue(proceeding=proceeding, user=sitting.coordinator)

    assert str(refused.value) == message
    assert not Letter.objects.exists()
    # A letter issued to a safe address cannot be re-addressed to an unsafe one either.
    court.proceeding_update(proceeding=proceeding, user=sitting.coordinator, **SOLICITOR)
    issue(proceeding, sitting.coordinator, django_capture_on_commit_callbacks)
    court.proceeding_update(proceeding=proceeding, user=sitting.coordinator, solicitor_address=address)
    with pytest.raises(SafeguardingError, match="check the solicitor's address"):
        court.defence_summary_correct(proceeding=proceeding, user=sitting.coordinator, reason="New address.")
    assert Letter.objects.count() == 1


def test_the_proceedings_address_check_agrees_with_every_letters(proceeding):
    """The proceedings' own words for the refusal (which say where to fix it) and the check every letter goes
    through agree on what is unsafe."""
    for address, is_unsafe in ((CHILDS_ADDRESS, True), (EXPLOITATION_ADDRESS, True), (FIRST_RESPONDER_ADDRESS, False)):
        proceeding.solicitor_address = address
        addressee = letters.Addressee(role="Defence solicitor", name="A", organisation="B", address=address)
        assert bool(court.solicitor_address_problem(proceeding)) is is_unsafe
        try:
            letters.addresses_check(proceeding.referral, [addressee])
            refused_by_letters = False
        except DecisionError:
            refused_by_letters = True
        assert refused_by_letters is is_unsafe


def test_a_case_with_no_signed_decision_has_no_summary_to_send(sitting, steps):
    undecided = steps.case()
    proceeding = court.proceeding_record(referral=undecided, user=sitting.coordinator, **proceeding_fields())
    with pytest.raises(DecisionError) as refused:
        court.defence_summary_issue(proceeding=proceeding, user=sitting.coordinator)
    assert str(refused.value) == letters.NOTHING_TO_SUMMARISE

    # A decision recorded but not signed off is not a decision yet.
    item = steps.add(steps.meeting(), undecided)
    steps.open(item.meeting)
    steps.record(item, DecisionKind.RG, Outcome.POSITIVE)
    with pytest.raises(DecisionError, match="no signed decision"):
        court.defence_summary_issue(proceeding=proceeding, user=sitting.coordinator)
    assert not Letter.objects.exists()


# Records of sending


@pytest.fixture
def ready_letter(sitting, proceeding, django_capture_on_commit_callbacks):
    return issue(proceeding, sitting.coordinator, django_capture_on_commit_callbacks)


def send(proceeding, user, letter, **kwargs) -> LetterSent:
    kwargs = {"sent_on": today(), "method": SendMethod.SECURE_EMAIL} | kwargs
    return court.letter_sent_record(proceeding=proceeding, user=user, letter=letter, **kwargs)


def test_a_sent_record_defaults_to_the_solicitor_and_is_in_the_history(sitting, proceeding, ready_letter):
    sent = send(proceeding, sitting.coordinator, ready_letter)

    assert sent.recipient == "Priya Shah, Example Defence LLP"
    assert (sent.letter, sent.sent_on, sent.recorded_by) == (ready_letter, today(), sitting.coordinator)
    assert reasons(sent.history) == ["Version 1 recorded as sent to Priya Shah, Example Defence LLP"]

    to_court = send(proceeding, sitting.coordinator, ready_letter, recipient="  Court clerk, Bromley Youth Court ")
    assert to_court.recipient == "Court clerk, Bromley Youth Court"
    with pytest.raises(SafeguardingError) as refused:
        send(proceeding, sitting.coordinator, ready_letter, recipient="court clerk, bromley youth court")
    assert str(refused.value) == court.SENT_ALREADY_RECORDED.format(recipient="court clerk, bromley youth court")
    assert LetterSent.objects.count() == 2


@pytest.mark.parametrize(
    "sent_on, message",
    [
        (days(1), court.SENT_IN_FUTURE),
        (days(-1), court.SENT_BEFORE_ISSUED.format(version=1, date=days(0))),
    ],
)
def test_a_sent_date_cannot_be_in_the_future_or_before_the_letter_was_issued(
    sitting, proceeding, ready_letter, sent_on, message
):
    with pytest.raises(SafeguardingError) as refused:
        send(proceeding, sitting.coordinator, ready_letter, sent_on=sent_on)
    assert str(refused.value) == message
    assert not LetterSent.objects.exists()


def test_a_letter_issued_earlier_can_be_recorded_as_sent_since(sitting, proceeding, ready_letter):
    Letter.objects.filter(pk=ready_letter.pk).update(requested_at=timezone.now() - datetime.timedelta(days=10))
    assert send(proceeding, sitting.coordinator, ready_letter, sent_on=days(-10)).sent_on == days(-10)
    with pytest.raises(SafeguardingError, match="cannot be before version 1 was issued"):
        send(proceeding, sitting.coordinator, ready_letter, sent_on=days(-11))


def test_only_a_ready_letter_of_these_proceedings_can_be_recorded_as_sent(
    sitting, steps, decided, proceeding, ready_letter
):
    other = court.proceeding_record(referral=decided, user=sitting.coordinator, **proceeding_fields(court="Crown"))
    queued = court.defence_summary_issue(proceeding=other, user=sitting.coordinator)  # no worker: still queued
    rg_letter = letters.letter_issue(
        referral=decided, decision=decided.decisions.get(kind=DecisionKind.RG), user=sitting.coordinator
    )
    another_case = decided_case(sitting, steps, first_name="Bilal")
    elsewhere = court.proceeding_record(referral=another_case, user=sitting.coordinator, **proceeding_fields())
    elsewhere_letter = court.defence_summary_issue(proceeding=elsewhere, user=sitting.coordinator)
    for letter in (rg_letter, elsewhere_letter):
        assert letters.letter_render(letter.pk)

    for not_ours in (queued, rg_letter, elsewhere_letter):
        with pytest.raises(SafeguardingError) as refused:
            send(proceeding, sitting.coordinator, Letter.objects.get(pk=not_ours.pk))
        assert str(refused.value) == court.NOT_THIS_PROCEEDINGS_LETTER

    with pytest.raises(SafeguardingError) as refused:
        send(other, sitting.coordinator, queued)
    assert str(refused.value) == court.LETTER_NOT_READY.format(version=1)
    with pytest.raises(SafeguardingError, match="how the letter was sent"):
        send(proceeding, sitting.coordinator, ready_letter, method="pigeon")
    assert not LetterSent.objects.exists()


# The proceedings and their hearings


def test_ended_proceedings_say_how_they_ended(sitting, decided, proceeding):
    with pytest.raises(SafeguardingError) as refused:
        court.proceeding_record(
            referral=decided, user=sitting.coordinator, **proceeding_fields(status="concluded", outcome=" ")
        )
    assert str(refused.value) == court.OUTCOME_REQUIRED
    with pytest.raises(SafeguardingError, match="say how they ended"):
        court.proceeding_update(proceeding=proceeding, user=sitting.coordinator, status="discontinued")
    assert CourtProceeding.objects.get().status == "ongoing"

    court.proceeding_update(
        proceeding=proceeding,
        user=sitting.coordinator,
        status="discontinued",
        outcome="The CPS offered no evidence after the positive conclusive grounds decision.",
    )
    proceeding.refresh_from_db()
    assert proceeding.status == "discontinued"
    assert reasons(proceeding.history) == ["Proceedings recorded", "Proceedings changed: status, outcome"]


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"charge": "  "}, "Enter the charge."),
        ({"solicitor_address": ""}, "Enter the firm's postal address."),
        ({"status": "adjourned"}, court.STATUS_UNKNOWN),
        ({"court": "x" * 201}, "The court must be 200 characters or fewer."),
        ({"case_number": "x" * 61}, "The case number must be 60 characters or fewer."),
    ],
)
def test_proceedings_say_what_they_are_and_who_defends(sitting, decided, changes, message):
    with pytest.raises(SafeguardingError) as refused:
        court.proceeding_record(referral=decided, user=sitting.coordinator, **proceeding_fields(**changes))
    assert str(refused.value) == message
    assert not CourtProceeding.objects.exists()


def test_changes_are_recorded_with_what_changed_and_a_stale_form_is_refused(sitting, proceeding):
    started_from = history_version(proceeding)
    court.proceeding_update(
        proceeding=proceeding, user=sitting.coordinator, version=started_from, **proceeding_fields(**OTHER_SOLICITOR)
    )
    # Saving the same again changes nothing and records nothing.
    court.proceeding_update(proceeding=proceeding, user=sitting.coordinator, **proceeding_fields(**OTHER_SOLICITOR))
    with pytest.raises(StaleRecord) as refused:
        court.proceeding_update(
            proceeding=proceeding, user=sitting.coordinator, version=started_from, court="Elsewhere"
        )
    assert str(refused.value) == STALE

    proceeding.refresh_from_db()
    assert proceeding.court == "Bromley Youth Court" and proceeding.solicitor_name == "Tom Okoro"
    assert reasons(proceeding.history) == [
        "Proceedings recorded",
        "Proceedings changed: defence solicitor, firm, firm's postal address, email, telephone",
    ]


def test_hearings_past_and_to_come_and_the_next_one(sitting, proceeding):
    trial = court.hearing_add(proceeding=proceeding, user=sitting.coordinator, date=days(30), purpose="Trial")
    first = court.hearing_add(
        proceeding=proceeding, user=sitting.coordinator, date=days(-20), purpose=" First appearance "
    )
    plea = court.hearing_add(proceeding=proceeding, user=sitting.coordinator, date=days(0), purpose="Plea hearing")
    with pytest.raises(SafeguardingError) as refused:
        court.hearing_add(proceeding=proceeding, user=sitting.coordinator, date=days(30), purpose="trial")
    assert str(refused.value) == court.HEARING_ALREADY_RECORDED
    with pytest.raises(SafeguardingError, match="Enter the purpose"):
        court.hearing_add(proceeding=proceeding, user=sitting.coordinator, date=days(3), purpose="  ")

    assert first.purpose == "First appearance"
    assert list(proceeding.hearings.all()) == [first, plea, trial]
    assert selectors.next_hearing(list(proceeding.hearings.all()), today=today()) == plea
    assert selectors.next_hearing(list(proceeding.hearings.all()), today=days(31)) is None

    court.hearing_remove(hearing=plea, user=sitting.coordinator)
    assert list(proceeding.hearings.all()) == [first, trial]
    assert reasons(Hearing.history.filter(id=plea.pk)) == ["Hearing added", "Hearing removed"]
    assert reasons(Hearing.history.filter(id=trial.pk)) == ["Hearing added"]


# Who writes


def writes(proceeding, letter):
    """Every way of changing the proceedings, as (name, call with a user)."""
    hearing = proceeding.hearings.get()
    return [
        (
            "record",
            lambda user: court.proceeding_record(referral=proceeding.referral, user=user, **proceeding_fields()),
        ),
        ("update", lambda user: court.proceeding_update(proceeding=proceeding, user=user, court="Elsewhere")),
        ("hearing_add", lambda user: court.hearing_add(proceeding=proceeding, user=user, date=days(1), purpose="X")),
        ("hearing_remove", lambda user: court.hearing_remove(hearing=hearing, user=user)),
        ("issue", lambda user: court.defence_summary_issue(proceeding=proceeding, user=user)),
        ("correct", lambda user: court.defence_summary_correct(proceeding=proceeding, user=user, reason="Typo.")),
        (
            "sent",
            lambda user: court.letter_sent_record(
                proceeding=proceeding, user=user, letter=letter, sent_on=today(), method=SendMethod.POST
            ),
        ),
    ]


def stored_counts() -> tuple:
    return tuple(model.objects.count() for model in (CourtProceeding, Hearing, Letter, LetterSent)) + (
        CourtProceeding.history.count(),
        Hearing.history.count(),
    )


@pytest.mark.parametrize("role", [Role.CHAIR, Role.PANEL_MEMBER, Role.DESIGNATED_NURSE, Role.AUDITOR, Role.REFERRER])
def test_only_the_panels_coordinator_writes(sitting, proceeding, ready_letter, role, other_panel):
    court.hearing_add(proceeding=proceeding, user=sitting.coordinator, date=days(5), purpose="Trial")
    people = [member(sitting.panel, role), member(other_panel, Role.COORDINATOR)]
    counts = (
        CourtProceeding.history.count(),
        Hearing.history.count(),
        Letter.objects.count(),
        LetterSent.objects.count(),
    )

    for user in people:
        for name, write in writes(proceeding, ready_letter):
            with pytest.raises(NotAllowed):
                write(user)
                pytest.fail(f"{name} was allowed")

    after = (
        CourtProceeding.history.count(),
        Hearing.history.count(),
        Letter.objects.count(),
        LetterSent.objects.count(),
    )
    assert after == counts


def test_a_draft_referral_has_no_proceedings(sitting, panel):
    draft = ReferralFactory(panel=panel)
    with pytest.raises(SafeguardingError) as refused:
        court.proceeding_record(referral=draft, user=sitting.coordinator, **proceeding_fields())
    assert str(refused.value) == NOT_SUBMITTED
