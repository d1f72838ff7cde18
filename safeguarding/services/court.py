"""Criminal proceedings concerning the child: the charge, the court and its hearings, the defence solicitor, and
the summary of the panel's decisions the coordinator sends the defence (Modern Slavery Act 2015, section 45),
with a record of who received each version of it, when and how.

Only the panel's coordinator writes. The letter itself is a decisions letter (`decisions.letters`), told apart
from another proceeding's by `CourtProceeding.letter_key` and addressed to the solicitor as recorded here.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from decisions import letters
from decisions.models import Letter, LetterKind, LetterStatus
from nrm_panel.models import Role
from referrals.models import Referral
from safeguarding.models import CourtProceeding, Hearing, LetterSent, ProceedingStatus, SendMethod
from safeguarding.services import (
    AnswerRefused,
    SafeguardingError,
    check_version,
    require_open_case,
    require_role,
    save_with_reason,
)

COORDINATOR_ONLY = {Role.COORDINATOR}
# Proceedings that have ended say how.
ENDED = (ProceedingStatus.CONCLUDED, ProceedingStatus.DISCONTINUED)
DEFENCE_SOLICITOR = "Defence solicitor"

# Messages are constants so that forms and tests name them.
REQUIRED = "Enter the {label}."
TOO_LONG = "The {label} must be {limit} characters or fewer."
STATUS_UNKNOWN = "Choose whether the proceedings are ongoing, concluded or discontinued."
METHOD_UNKNOWN = "Choose how the letter was sent."
OUTCOME_REQUIRED = "Enter the outcome: proceedings that are concluded or discontinued say how they ended."
HEARING_ALREADY_RECORDED = "A hearing on that date for that purpose is already recorded."
SOLICITOR_AT_CHILDS_ADDRESS = (
    "The defence solicitor's address matches the child's own address ({match}). A letter is never served on the "
    "child: check the solicitor's address under “Change the proceedings”."
)
SOLICITOR_AT_EXPLOITATION_ADDRESS = (
    "The defence solicitor's address matches an address recorded as a place of exploitation ({match}). A letter "
    "is never sent there: check the solicitor's address under “Change the proceedings”."
)
NOTHING_TO_CORRECT = "No decision summary letter has been issued for these proceedings yet: issue it first."
NOT_THIS_PROCEEDINGS_LETTER = (
    "That letter is not a decision summary for these proceedings: choose one of the versions listed."
)
LETTER_NOT_READY = "Version {version} is not ready to send yet: record it as sent once it can be downloaded."
SENT_IN_FUTURE = "The date sent cannot be in the future."
SENT_BEFORE_ISSUED = "The date sent cannot be before version {version} was issued, on {date:%-d %B %Y}."
SENT_ALREADY_RECORDED = "That version is already recorded as sent to {recipient} on that date, that way."


PROCEEDING_FIELDS = (
    "charge",
    "court",
    "case_number",
    "status",
    "outcome",
    "solicitor_name",
    "solicitor_firm",
    "solicitor_address",
    "solicitor_email",
    "solicitor_phone",
)


def _tidy(fields: dict) -> dict:
    """Only the proceeding's own fields, text stripped: a stray space is not a change."""
    unknown = set(fields) - set(PROCEEDING_FIELDS)
    if unknown:
        raise TypeError(f"Not a field of court proceedings: {', '.join(sorted(unknown))}")
    return {name: value.strip() if isinstance(value, str) else value for name, value in fields.items()}


# What every proceeding must say, as the forms ask for it.
REQUIRED_FIELDS = {
    "charge": "charge",
    "court": "court",
    "solicitor_name": "defence solicitor's name",
    "solicitor_firm": "defence solicitor's firm",
    "solicitor_address": "firm's postal address",
}


def _check_lengths(record) -> None:
    """What the database holds at most, said as the forms say it (a caller other than a form gets the same)."""
    for field in record._meta.concrete_fields:
        value = getattr(record, field.attname)
        if field.max_length and isinstance(value, str) and len(value) > field.max_length:
            raise AnswerRefused(TOO_LONG.format(label=field.verbose_name, limit=field.max_length), field=field.name)


def _check(proceeding: CourtProceeding) -> None:
    _check_lengths(proceeding)
    for name, label in REQUIRED_FIELDS.items():
        if not getattr(proceeding, name):
            raise AnswerRefused(REQUIRED.format(label=label), field=name)
    if proceeding.status not in ProceedingStatus.values:
        raise AnswerRefused(STATUS_UNKNOWN, field="status")
    if proceeding.status in ENDED and not proceeding.outcome:
        raise AnswerRefused(OUTCOME_REQUIRED, field="outcome")


def _locked(proceeding: CourtProceeding) -> CourtProceeding:
    """The proceeding, locked until the transaction ends, with its case: one change at a time."""
    return (
        CourtProceeding.objects.select_for_update(of=("self",)).select_related("referral__panel").get(pk=proceeding.pk)
    )


def _require_writer(proceeding: CourtProceeding, user) -> None:
    require_role(user, proceeding.referral, COORDINATOR_ONLY)
    require_open_case(proceeding.referral)


# Proceedings


def proceeding_record(*, referral: Referral, user, **fields) -> CourtProceeding:
    """Record criminal proceedings concerning the child: the charge, the court and the defence solicitor."""
    fields = _tidy(fields)
    fields.setdefault("status", ProceedingStatus.ONGOING)
    require_role(user, referral, COORDINATOR_ONLY)
    require_open_case(referral)
    proceeding = CourtProceeding(referral=referral, recorded_by=user, **fields)
    _check(proceeding)
    save_with_reason(proceeding, "Proceedings recorded")
    return proceeding


def proceeding_update(*, proceeding: CourtProceeding, user, version: int | None = None, **changes) -> CourtProceeding:
    """Change what is recorded of the proceedings. Letters already issued keep the solicitor they were addressed
    to: a corrected version (`defence_summary_correct`) goes to the solicitor as recorded now."""
    changes = _tidy(changes)
    with transaction.atomic():
        proceeding = _locked(proceeding)
        _require_writer(proceeding, user)
        check_version(proceeding, version)
        changed = [name for name, value in changes.items() if getattr(proceeding, name) != value]
        for name in changed:
            setattr(proceeding, name, changes[name])
        _check(proceeding)
        if changed:
            labels = [str(CourtProceeding._meta.get_field(name).verbose_name) for name in changed]
            save_with_reason(proceeding, f"Proceedings changed: {', '.join(labels)}")
    return proceeding


# Hearings


def hearing_add(*, proceeding: CourtProceeding, user, date: datetime.date, purpose: str) -> Hearing:
    """A hearing, past or to come: a first appearance, a plea hearing, the trial, sentencing…"""
    purpose = purpose.strip()
    if not purpose:
        raise AnswerRefused(REQUIRED.format(label="purpose of the hearing"), field="purpose")
    with transaction.atomic():
        proceeding = _locked(proceeding)
        _require_writer(proceeding, user)
        if proceeding.hearings.filter(date=date, purpose__iexact=purpose).exists():
            raise AnswerRefused(HEARING_ALREADY_RECORDED, field="date")
        hearing = Hearing(proceeding=proceeding, date=date, purpose=purpose)
        _check_lengths(hearing)
        save_with_reason(hearing, "Hearing added")
    return hearing


def hearing_remove(*, hearing: Hearing, user) -> None:
    """Take off a hearing recorded by mistake; its history keeps that it was there."""
    with transaction.atomic():
        proceeding = _locked(hearing.proceeding)
        _require_writer(proceeding, user)
        hearing = Hearing.objects.filter(pk=hearing.pk, proceeding=proceeding).first()
        if hearing is None:  # removed meanwhile (a second click): nothing left to do
            return
        hearing._change_reason = "Hearing removed"
        hearing.delete()


# The decision summary letter for the defence


def solicitor_address_problem(proceeding: CourtProceeding) -> str | None:
    """Why a letter cannot go to the solicitor's address (it matches the child's own address, or a place of
    exploitation), or None: every letter's test, in words that say where to fix it."""
    unsafe = letters.unsafe_address(proceeding.referral, proceeding.solicitor_address)
    if unsafe is None:
        return None
    which, match = unsafe
    message = SOLICITOR_AT_CHILDS_ADDRESS if which == letters.CHILDS_OWN else SOLICITOR_AT_EXPLOITATION_ADDRESS
    return message.format(match=match)


def _solicitor(proceeding: CourtProceeding) -> list[letters.Addressee]:
    problem = solicitor_address_problem(proceeding)
    if problem:
        raise SafeguardingError(problem)
    return [
        letters.Addressee(
            role=DEFENCE_SOLICITOR,
            name=proceeding.solicitor_name,
            organisation=proceeding.solicitor_firm,
            address=proceeding.solicitor_address,
        )
    ]


def defence_summary_letters(proceeding: CourtProceeding):
    """Every version of the proceedings' decision summary letter, the latest first."""
    return Letter.objects.filter(
        referral_id=proceeding.referral_id, kind=LetterKind.DEFENCE_SUMMARY, about=proceeding.letter_key
    ).order_by("-version")


def defence_summary_issue(*, proceeding: CourtProceeding, user) -> Letter:
    """Issue the summary of the panel's decisions to the defence solicitor; a worker renders it to PDF.

    Refused where the case has no signed decision, the letter is already issued (correct it instead), or the
    solicitor's address is one a letter must never go to.
    """
    with transaction.atomic():
        proceeding = _locked(proceeding)
        _require_writer(proceeding, user)
        return letters.letter_issue(
            referral=proceeding.referral,
            user=user,
            kind=LetterKind.DEFENCE_SUMMARY,
            about=proceeding.letter_key,
            addressees=_solicitor(proceeding),
        )


def defence_summary_correct(*, proceeding: CourtProceeding, user, reason: str) -> Letter:
    """A new version of the proceedings' letter, from the case's decisions as they stand now and addressed to
    the solicitor as recorded now (a new firm, a new address), with the reason printed on it."""
    with transaction.atomic():
        proceeding = _locked(proceeding)
        _require_writer(proceeding, user)
        latest = defence_summary_letters(proceeding).first()
        if latest is None:
            raise SafeguardingError(NOTHING_TO_CORRECT)
        return letters.letter_correct(letter=latest, user=user, reason=reason, addressees=_solicitor(proceeding))


def letter_sent_record(
    *,
    proceeding: CourtProceeding,
    user,
    letter: Letter,
    sent_on: datetime.date,
    method: str,
    recipient: str = "",
    today: datetime.date | None = None,
) -> LetterSent:
    """Record that a version of the proceedings' letter went to someone: by default the defence solicitor."""
    today = today or timezone.localdate()
    with transaction.atomic():
        proceeding = _locked(proceeding)
        _require_writer(proceeding, user)
        if method not in SendMethod.values:
            raise AnswerRefused(METHOD_UNKNOWN, field="method")
        letter = Letter.objects.get(pk=letter.pk)
        if (
            letter.referral_id != proceeding.referral_id
            or letter.kind != LetterKind.DEFENCE_SUMMARY
            or letter.about != proceeding.letter_key
        ):
            raise AnswerRefused(NOT_THIS_PROCEEDINGS_LETTER, field="letter")
        if letter.status != LetterStatus.READY:
            raise AnswerRefused(LETTER_NOT_READY.format(version=letter.version), field="letter")
        if sent_on > today:
            raise AnswerRefused(SENT_IN_FUTURE, field="sent_on")
        issued_on = timezone.localdate(letter.requested_at)
        if sent_on < issued_on:
            raise AnswerRefused(SENT_BEFORE_ISSUED.format(version=letter.version, date=issued_on), field="sent_on")
        recipient = recipient.strip() or proceeding.solicitor
        if proceeding.letters_sent.filter(
            letter=letter, recipient__iexact=recipient, sent_on=sent_on, method=method
        ).exists():
            raise SafeguardingError(SENT_ALREADY_RECORDED.format(recipient=recipient))
        sent = LetterSent(
            proceeding=proceeding,
            letter=letter,
            recipient=recipient,
            sent_on=sent_on,
            method=method,
            recorded_by=user,
        )
        _check_lengths(sent)
        save_with_reason(sent, f"Version {letter.version} recorded as sent to {recipient}")
    return sent
