"""Decision letters: issued by the coordinator, rendered once by a worker, corrected only by a new version.

A letter goes to the first responder (and the child's legal representative where recorded) at
the safe address on the case; never to the child, and never to an address recorded as a place
of exploitation (DESIGN.md section 3). Each rendered PDF is stored with its SHA-256 and never
rendered again. Every download, on its own or inside an export's zip, is logged.
"""

import datetime
import hashlib
import logging
import re
import tempfile
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.files import File
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from decisions.letter_pdf import letter_pdf
from decisions.models import (
    Decision,
    Letter,
    LetterDownload,
    LetterExport,
    LetterExportStatus,
    LetterKind,
    LetterStatus,
    Outcome,
)
from decisions.services import DecisionError, NotAllowed
from notifications.models import Kind
from notifications.services import notify
from nrm_panel.celery import announce
from nrm_panel.models import Role
from nrm_panel.permissions import has_role
from referrals.models import Referral, State
from referrals.services import ROLE_NOT_ALLOWED

log = logging.getLogger(__name__)

NO_SAFE_ADDRESS = (
    "There is no safe postal address for the letter on this case. Record the first responder's safe address "
    "under “Letter recipients”."
)
NO_LEGAL_REPRESENTATIVE_ADDRESS = (
    "The child's legal representative is recorded without an address. Record their address, or remove them, "
    "under “Letter recipients”."
)
CHILDS_ADDRESS = (
    "The {whose} address matches the child's own address ({match}). A letter is never served on the child: "
    "record a different safe address under “Letter recipients”."
)
EXPLOITATION_ADDRESS = (
    "The {whose} address matches an address recorded as a place of exploitation ({match}). A letter is never "
    "sent there: record a different safe address under “Letter recipients”."
)
NOT_SIGNED = "Only a signed decision has a letter."
DEFERRED = "A deferred decision has no letter: the letter follows the decision."
ALREADY_ISSUED = "This letter has already been issued. To change it, correct it: that makes a new version."
NOT_TRANSFERRED = "Only a case transferred to the Single Competent Authority has a transfer summary."
NOTHING_TO_SUMMARISE = "There is no signed decision on this case to summarise."
CORRECTION_REASON_REQUIRED = "Give the reason for the correction: it is printed on the new version."
NOT_LATEST = "Only the latest version of a letter can be corrected."
NOT_READY = "This letter is still being prepared. Try again in a minute."
EXPORT_NOT_READY = "The zip is not ready: this page shows how far it has got."
NOTHING_SELECTED = "Select at least one letter."
ONE_PANEL = "Select letters of one panel at a time."
FAILED_LETTERS = "These letters could not be prepared, so they cannot be exported: {references}."
FILE_MISSING = "The stored file is missing: tell your administrator, who can restore it from the backup."
MAX_RENDER_ATTEMPTS = 5
FINISHED = (LetterExportStatus.READY, LetterExportStatus.FAILED)

# A UK postcode, as people type it (with or without the space).
POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})\b")


@dataclass(frozen=True)
class Addressee:
    role: str
    name: str
    organisation: str
    address: str


# Addresses


def _postcode(address: str) -> str | None:
    found = POSTCODE.search(address.upper())
    return f"{found.group(1)} {found.group(2)}" if found else None


# Street words as people abbreviate them, written out so that "12 High St." is "12 High Street".
STREET_WORDS = {
    "ST": "STREET",
    "RD": "ROAD",
    "AVE": "AVENUE",
    "AV": "AVENUE",
    "LN": "LANE",
    "DR": "DRIVE",
    "CT": "COURT",
    "PL": "PLACE",
    "SQ": "SQUARE",
    "CRES": "CRESCENT",
    "TERR": "TERRACE",
    "GDNS": "GARDENS",
    "GRN": "GREEN",
}
# "Flat 2, 40 Rushey Green": the flat is in the building at 40 Rushey Green, which is what must not match.
FLAT = re.compile(r"^(FLAT|UNIT|APARTMENT|APT|ROOM)\s+\w+\s*")


def _buildings(address: str) -> dict[str, str]:
    """The parts of an address that name a building (those holding a number, the postcode left out),
    written one way, with how they were written."""
    found = {}
    for part in re.split(r"[\n,]", POSTCODE.sub(" ", address.upper())):
        part = FLAT.sub("", part.strip())
        words = [STREET_WORDS.get(word, word) for word in re.findall(r"[A-Z0-9]+", part)]
        if any(char.isdigit() for word in words for char in word):
            found[" ".join(words)] = part.title()
    return found


def address_match(address: str, other: str) -> str | None:
    """What two addresses share that makes them one place: the postcode, or a part naming the same
    building (a house number and street). None if they look like different places.

    Deliberately cautious: a safe address in the same postcode as a place of exploitation is refused.
    """
    postcode = _postcode(address)
    if postcode and postcode == _postcode(other):
        return f"postcode {postcode}"
    buildings, others = _buildings(address), _buildings(other)
    for building in buildings.keys() & others.keys():
        return f"the same building, {buildings[building]}"
    return None


def letter_addressees(referral: Referral) -> list[Addressee]:
    """Who a letter on this case goes to, or a refusal that says why it cannot go."""
    if not referral.decision_safe_address.strip():
        raise DecisionError(NO_SAFE_ADDRESS)
    addressees = [
        Addressee(
            role="First responder",
            name=referral.first_responder_name,
            organisation=referral.first_responder_organisation,
            address=referral.decision_safe_address.strip(),
        )
    ]
    if referral.legal_representative_name.strip() or referral.legal_representative_address.strip():
        if not referral.legal_representative_address.strip():
            raise DecisionError(NO_LEGAL_REPRESENTATIVE_ADDRESS)
        addressees.append(
            Addressee(
                role="Legal representative",
                name=referral.legal_representative_name.strip(),
                organisation=referral.legal_representative_organisation.strip(),
                address=referral.legal_representative_address.strip(),
            )
        )
    addresses_check(referral, addressees)
    return addressees


CHILDS_OWN = "childs_own"
PLACE_OF_EXPLOITATION = "place_of_exploitation"


def unsafe_address(referral: Referral, address: str) -> tuple[str, str] | None:
    """Whether a letter may not go to `address`: (CHILDS_OWN or PLACE_OF_EXPLOITATION, what matches), or None."""
    if referral.current_address.strip():
        match = address_match(address, referral.current_address)
        if match:
            return CHILDS_OWN, match
    for place in referral.exploitation_addresses.splitlines():
        match = place.strip() and address_match(address, place)
        if match:
            return PLACE_OF_EXPLOITATION, match
    return None


def addresses_check(referral: Referral, addressees: list[Addressee]) -> None:
    """Refuse an addressee at the child's own address or at a place of exploitation."""
    for addressee in addressees:
        unsafe = unsafe_address(referral, addressee.address)
        if unsafe:
            which, match = unsafe
            message = CHILDS_ADDRESS if which == CHILDS_OWN else EXPLOITATION_ADDRESS
            raise DecisionError(message.format(whose=f"{addressee.role.lower()}'s", match=match))


# Issuing


def letter_kind_for(decision: Decision) -> str:
    if decision.supersedes_id:
        return LetterKind.RECONSIDERATION_OUTCOME
    return LetterKind.RG_OUTCOME if decision.kind == "rg" else LetterKind.CG_OUTCOME


def _require_coordinator(user, referral: Referral) -> None:
    if not has_role(user, referral.panel_id, {Role.COORDINATOR}):
        raise NotAllowed(ROLE_NOT_ALLOWED)


def _check_can_have_letter(referral: Referral, kind: str, decision: Decision | None) -> None:
    if decision is not None:
        if decision.referral_id != referral.pk:
            raise NotAllowed(NOT_SIGNED)
        if decision.signed_off_at is None:
            raise DecisionError(NOT_SIGNED)
        if decision.outcome == Outcome.DEFERRED:
            raise DecisionError(DEFERRED)
    elif kind == LetterKind.TRANSFER_SUMMARY:
        if referral.state != State.TRANSFERRED:
            raise DecisionError(NOT_TRANSFERRED)
    elif kind == LetterKind.DEFENCE_SUMMARY:
        if not signed_decisions(referral).exists():
            raise DecisionError(NOTHING_TO_SUMMARISE)
    else:
        raise DecisionError(NOT_SIGNED)


def signed_decisions(referral: Referral):
    return referral.decisions.exclude(signed_off_at=None).exclude(outcome=Outcome.DEFERRED)


def _new_letter(
    referral, kind, decision, user, *, version: int, about: str, addressees, correction_reason: str = ""
) -> Letter:
    if addressees is None:
        addressees = letter_addressees(referral)
    else:
        addresses_check(referral, addressees)
    letter = Letter(
        referral=referral,
        kind=kind,
        decision=decision,
        about=about,
        version=version,
        correction_reason=correction_reason,
        addressees=[vars(each) for each in addressees],
        requested_by=user,
    )
    letter._change_reason = f"Version {version} issued" + (f": {correction_reason}" if correction_reason else "")
    letter.save()
    transaction.on_commit(lambda: _ask_worker_to_render(letter.pk))
    return letter


def letter_issue(
    *,
    referral: Referral,
    user,
    kind: str = "",
    decision: Decision | None = None,
    about: str = "",
    addressees: list[Addressee] | None = None,
) -> Letter:
    """Issue the first version of a letter: a decision's outcome (its kind follows from the decision),
    a defence summary or a transfer summary.

    It goes to the case's letter recipients, or to `addressees` where the caller names them (the defence
    solicitor of one set of proceedings, told apart by `about`); either way never to an unsafe address.
    """
    if decision is not None:
        kind = letter_kind_for(decision)
    with transaction.atomic():
        # One issuer at a time per case, so a double click issues one letter.
        referral = Referral.objects.select_for_update(of=("self",)).select_related("panel").get(pk=referral.pk)
        _require_coordinator(user, referral)
        if decision is not None:
            decision = Decision.objects.get(pk=decision.pk)
        _check_can_have_letter(referral, kind, decision)
        if Letter.objects.filter(referral=referral, kind=kind, decision=decision, about=about).exists():
            raise DecisionError(ALREADY_ISSUED)
        return _new_letter(referral, kind, decision, user, version=1, about=about, addressees=addressees)


def letter_correct(*, letter: Letter, user, reason: str, addressees: list[Addressee] | None = None) -> Letter:
    """A new version of a letter, from the case as it stands now; the earlier versions stay.

    It goes to `addressees` where given; else a letter its issuer addressed (one with `about`) to the
    same people as before, and any other to the case's letter recipients as they are now.
    """
    if not reason.strip():
        raise DecisionError(CORRECTION_REASON_REQUIRED)
    with transaction.atomic():
        referral = Referral.objects.select_for_update(of=("self",)).get(pk=letter.referral_id)
        _require_coordinator(user, referral)
        versions = Letter.objects.filter(
            referral=referral, kind=letter.kind, decision=letter.decision_id, about=letter.about
        )
        latest = versions.aggregate(latest=Max("version"))["latest"]
        if letter.version != latest:
            raise DecisionError(NOT_LATEST)
        if addressees is None and letter.about:
            addressees = [Addressee(**each) for each in letter.addressees]
        return _new_letter(
            referral,
            letter.kind,
            letter.decision,
            user,
            version=latest + 1,
            about=letter.about,
            addressees=addressees,
            correction_reason=reason.strip(),
        )


@dataclass
class MeetingLetters:
    issued: list[Letter]
    refused: list[tuple[Referral, str]]


def meeting_letters_issue(*, meeting, user) -> MeetingLetters:
    """Issue a letter for every signed decision of a meeting that has none yet; say why any cannot go."""
    if not has_role(user, meeting.panel_id, {Role.COORDINATOR}):
        raise NotAllowed(ROLE_NOT_ALLOWED)
    result = MeetingLetters(issued=[], refused=[])
    decisions = (
        Decision.objects.filter(item__meeting=meeting, letters__isnull=True)
        .exclude(signed_off_at=None)
        .exclude(outcome=Outcome.DEFERRED)
        .select_related("referral")
        .order_by("item__position", "kind")
    )
    for decision in decisions:
        try:
            result.issued.append(letter_issue(referral=decision.referral, decision=decision, user=user))
        except DecisionError as error:
            result.refused.append((decision.referral, str(error)))
    return result


# Rendering


def _ask_worker_to_render(letter_id: int) -> None:
    from decisions.tasks import letter_render  # the tasks module imports this one

    announce(letter_render, letter_id)


def letter_render(letter_id: int, *, wait: bool = False) -> bool:
    """Render a queued letter to PDF and store it with its hash. A letter already rendered (or, unless
    `wait`, being rendered by another worker) is left alone: True only if this call rendered it."""
    with transaction.atomic():
        letter = (
            Letter.objects.select_for_update(skip_locked=not wait, of=("self",))
            .select_related("referral__panel", "decision__signed_off_by", "requested_by")
            .filter(pk=letter_id, status=LetterStatus.QUEUED)
            .first()
        )
        if letter is None:
            return False
        try:
            pdf = letter_pdf(letter)
        except Exception:
            log.exception("Letter %s could not be rendered", letter.public_id)
            _count_failed_attempt(letter)
            return False
        letter.file.save(f"{letter.public_id}.pdf", ContentFile(pdf), save=False)
        letter.sha256 = hashlib.sha256(pdf).hexdigest()
        letter.size = len(pdf)
        letter.status = LetterStatus.READY
        letter.rendered_at = timezone.now()
        letter._change_reason = f"Rendered, SHA-256 {letter.sha256}"
        letter.save()
        notify(
            recipients=[letter.requested_by],
            roles={Role.COORDINATOR},
            panel_id=letter.referral.panel_id,
            kind=Kind.LETTER_READY,
            text=f"{letter.referral.reference}: {letter.get_kind_display().lower()} letter, version {letter.version}",
            link=reverse("decisions:letter", args=[letter.public_id]),
            key=f"letter_ready:{letter.pk}",
        )
    return True


def _count_failed_attempt(letter: Letter) -> None:
    attempts = letter.render_attempts + 1
    status = LetterStatus.FAILED if attempts >= MAX_RENDER_ATTEMPTS else LetterStatus.QUEUED
    Letter.objects.filter(pk=letter.pk).update(render_attempts=attempts, status=status)


def letters_render_pending(*, older_than: datetime.timedelta = datetime.timedelta(minutes=1)) -> int:
    """Render letters a down broker or a lost worker left queued."""
    waiting = Letter.objects.filter(status=LetterStatus.QUEUED, requested_at__lte=timezone.now() - older_than)
    return _each(letter_render, waiting.values_list("pk", flat=True)[:200])


def _each(work, ids) -> int:
    """Do `work` for each id, one failure not stopping the others; how many it did."""
    done = 0
    for pk in ids:
        try:
            done += bool(work(pk))
        except Exception:
            log.exception("%s(%s) failed: it is tried again by the next sweep", work.__name__, pk)
    return done


# Downloads and exports


def letter_download(*, letter: Letter, user) -> File:
    """The stored PDF, with the download logged. Readers are checked by the caller's selector."""
    if letter.status != LetterStatus.READY:
        raise DecisionError(NOT_READY)
    file = _open(letter.file)
    LetterDownload.objects.create(letter=letter, downloaded_by=user)
    return file


def _open(file) -> File:
    try:
        return file.open("rb")
    except OSError:
        log.exception("Stored file %s is missing", file.name)
        raise DecisionError(FILE_MISSING) from None


def letters_export_start(*, letters: list[Letter], user) -> LetterExport:
    if not letters:
        raise DecisionError(NOTHING_SELECTED)
    panel_ids = {letter.referral.panel_id for letter in letters}
    if len(panel_ids) > 1:
        raise DecisionError(ONE_PANEL)
    (panel_id,) = panel_ids
    if not has_role(user, panel_id, {Role.COORDINATOR}):
        raise NotAllowed(ROLE_NOT_ALLOWED)
    failed = [letter for letter in letters if letter.status == LetterStatus.FAILED]
    if failed:
        raise DecisionError(
            FAILED_LETTERS.format(references=", ".join(sorted(ltr.referral.reference for ltr in failed)))
        )
    with transaction.atomic():
        export = LetterExport.objects.create(panel_id=panel_id, requested_by=user, total=len(letters))
        export.letters.set(letters)
        transaction.on_commit(lambda: _ask_worker_to_export(export.pk))
    return export


def _ask_worker_to_export(export_id: int) -> None:
    from decisions.tasks import letters_export_build  # the tasks module imports this one

    announce(letters_export_build, export_id)


# Two ints name a PostgreSQL advisory lock: this class, and the export's id.
EXPORT_LOCK_CLASS = 8001


@contextmanager
def _export_lock(export_id: int):
    """Held on this database session for a whole build: a second build of the same export (a redelivered
    task, the sweep) finds it taken and leaves; a worker that dies releases it with its connection."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [EXPORT_LOCK_CLASS, export_id])
        (taken,) = cursor.fetchone()
    try:
        yield taken
    finally:
        if taken:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [EXPORT_LOCK_CLASS, export_id])


class ExportProblem(Exception):
    """A letter that cannot go in the zip; the message is shown on the export's page."""


def letters_export_build(export_id: int) -> bool:
    """Put an export's letters in a zip, rendering any still queued, and count progress as it goes.

    Safe to run twice or at once: a finished export is left alone, one being built elsewhere too, and
    one whose worker died starts again. True only if this call built it.
    """
    with _export_lock(export_id) as taken:
        if not taken:
            return False
        export = LetterExport.objects.filter(pk=export_id).exclude(status__in=FINISHED).first()
        if export is None:
            return False
        LetterExport.objects.filter(pk=export.pk).update(
            status=LetterExportStatus.RUNNING, done=0, progress_at=timezone.now()
        )
        try:
            digest, count = _zip(export)
        except Exception as error:
            if not isinstance(error, ExportProblem):
                log.exception("Letters export %s failed", export.public_id)
            message = str(error) if isinstance(error, ExportProblem) else "The export failed: tell your administrator."
            LetterExport.objects.filter(pk=export.pk).update(
                status=LetterExportStatus.FAILED, error=message, finished_at=timezone.now()
            )
            return False
        LetterExport.objects.filter(pk=export.pk).update(
            file=export.file.name,
            sha256=digest,
            done=count,
            status=LetterExportStatus.READY,
            finished_at=timezone.now(),
        )
    return True


def _zip(export: LetterExport) -> tuple[str, int]:
    """Write the zip to storage (on `export.file`); its SHA-256 and how many letters it holds."""
    letters = list(
        export.letters.select_related("referral", "decision").order_by("referral__reference", "kind", "version")
    )
    with tempfile.TemporaryFile() as buffer:
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for done, letter in enumerate(letters, start=1):
                if letter.status == LetterStatus.QUEUED:
                    letter_render(letter.pk, wait=True)
                    letter.refresh_from_db()
                archive.writestr(letter.filename, _checked_pdf(letter))
                LetterExport.objects.filter(pk=export.pk).update(done=done, progress_at=timezone.now())
        buffer.seek(0)
        digest = hashlib.file_digest(buffer, "sha256").hexdigest()
        buffer.seek(0)
        export.file.save(f"{export.public_id}.zip", File(buffer, name="letters.zip"), save=False)
    return digest, len(letters)


def _checked_pdf(letter: Letter) -> bytes:
    if letter.status != LetterStatus.READY:
        raise ExportProblem(f"The letter {letter.filename} could not be prepared.")
    try:
        with letter.file.open("rb") as stored:
            pdf = stored.read()
    except OSError:
        raise ExportProblem(f"The stored letter {letter.filename} is missing: tell your administrator.") from None
    if hashlib.sha256(pdf).hexdigest() != letter.sha256:
        raise ExportProblem(
            f"The stored letter {letter.filename} does not match its fingerprint: tell your administrator."
        )
    return pdf


def letters_exports_pending(*, older_than: datetime.timedelta = datetime.timedelta(minutes=2)) -> int:
    """Build exports a down broker left waiting, or a lost worker left half done (no progress for a while:
    one still being built holds its lock and is left alone)."""
    since = timezone.now() - older_than
    stuck = LetterExport.objects.filter(
        Q(status=LetterExportStatus.QUEUED, requested_at__lte=since)
        | Q(status=LetterExportStatus.RUNNING, progress_at__lte=since)
    )
    return _each(letters_export_build, stuck.values_list("pk", flat=True)[:20])


def letters_export_download(*, export: LetterExport, user) -> File:
    if export.status != LetterExportStatus.READY:
        raise DecisionError(EXPORT_NOT_READY)
    file = _open(export.file)
    LetterDownload.objects.bulk_create(
        LetterDownload(letter=letter, export=export, downloaded_by=user) for letter in export.letters.all()
    )
    return file
