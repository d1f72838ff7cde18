"""Functions that change referrals: intake by the referrer, triage by the coordinator.

Each checks its rule, writes in a transaction, and records why in the case's history
(django-simple-history's change reason), which the case timeline is built from.
"""

import datetime
import mimetypes

import puremagic
from django.conf import settings
from django.contrib.postgres.search import TrigramSimilarity
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from notifications.models import Kind
from notifications.services import notify
from nrm_panel.models import Panel, Role
from nrm_panel.permissions import has_role
from referrals.models import ANSWERS_CHANGED, Attachment, DutyToNotify, ReferenceCounter, Referral, State
from referrals.scope import assess_scope
from referrals.state_machine import EDITABLE_STATES, MOVES

# Messages are constants so that views show them and tests can name them.
MOVE_NOT_ALLOWED = "This case is {state}: it cannot be moved to “{label}” from there."
ROLE_NOT_ALLOWED = "You do not have a role on this panel that can do this."
REASON_REQUIRED = "Give the reason: it is recorded on the case and shown to the referrer."
NOT_EDITABLE = "This referral has been submitted and can no longer be changed by the referrer."
OUT_OF_SCOPE = (
    "This referral is out of the panel's scope ({reasons}). Transfer it to the Single Competent Authority instead."
)
SCOPE_UNANSWERED = "Answer the scope questions first: {questions}."
INCOMPLETE = "The referral is not complete. Check the sections marked as incomplete."
NOT_A_REFERRER = "You are not a referrer on this panel."
ADULT_WITHOUT_CONSENT = "An adult who has not consented cannot be referred: record a Duty to Notify instead."
FILE_TYPE_NOT_ALLOWED = "The selected file must be a PDF, a Word document, or a JPG or PNG image."
FILE_TOO_BIG = "The selected file must be smaller than {limit}."
FILE_EMPTY = "The selected file is empty."
EVIDENCE_SUBMITTED = "This evidence was submitted to the panel and stays on the case. Add a new file to correct it."
POLICE_REFERRED = "The police made this referral: there is no notification to record."

# Evidence we accept, identified from the file's content, not its name.
ALLOWED_UPLOAD_TYPES = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/msword": (".doc",),
}
# Names with which two similar names count as a likely duplicate (PostgreSQL pg_trgm similarity).
DUPLICATE_NAME_SIMILARITY = 0.4


class ReferralError(Exception):
    """A rule of the referral workflow was not met; the message says what to do."""


class TransitionNotAllowed(ReferralError):
    pass


def _save_with_reason(referral: Referral, reason: str) -> None:
    # Written with the history row itself, not looked up and saved again afterwards.
    referral._change_reason = reason
    referral.save()


def referral_create(*, referrer, panel: Panel, is_adult: bool, adult_has_consented: bool | None) -> Referral:
    """Start a draft referral and give its referrer the right to see and change it."""
    if not has_role(referrer, panel.id, {Role.REFERRER}):
        raise ReferralError(NOT_A_REFERRER)
    if is_adult and not adult_has_consented:
        raise ReferralError(ADULT_WITHOUT_CONSENT)
    with transaction.atomic():
        referral = Referral(panel=panel, referrer=referrer, is_adult=is_adult, adult_has_consented=adult_has_consented)
        _save_with_reason(referral, "Draft started")
        assign_perm("referrals.view_referral", referrer, referral)
        assign_perm("referrals.change_referral", referrer, referral)
    return referral


def duty_to_notify_record(*, recorded_by, panel: Panel, **answers) -> DutyToNotify:
    """Record an adult who did not consent as an anonymous Duty to Notify: never a case."""
    if not has_role(recorded_by, panel.id, {Role.REFERRER}):
        raise ReferralError(NOT_A_REFERRER)
    return DutyToNotify.objects.create(panel=panel, recorded_by=recorded_by, **answers)


def _check_referrer_may_edit(referral: Referral, user) -> None:
    """The referrer's own referral (the per-case right referral_create gave), while it may still change."""
    is_own = user.has_perm("referrals.change_referral", referral) and has_role(user, referral.panel_id, {Role.REFERRER})
    if not is_own:
        raise ReferralError(ROLE_NOT_ALLOWED)
    if referral.state not in EDITABLE_STATES:
        raise ReferralError(NOT_EDITABLE)


def referral_update(*, referral: Referral, user, changes: dict, section: str) -> Referral:
    """Save what the referrer typed in one section of a draft (or returned) referral."""
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral.pk)
        _check_referrer_may_edit(referral, user)
        for name, value in changes.items():
            setattr(referral, name, value)
        _save_with_reason(referral, f"{ANSWERS_CHANGED}: {section}")
    return referral


def _detect_content_type(upload) -> str | None:
    head = upload.read(4096)
    upload.seek(0)
    try:
        matches = puremagic.magic_string(head)
    except puremagic.PureError:
        return None
    for match in matches:
        mime = match.mime_type or mimetypes.types_map.get(match.extension, "")
        if mime in ALLOWED_UPLOAD_TYPES:
            return mime
        # A .docx is a zip file; puremagic names it by its extension when it can tell.
        if match.extension in (".docx",):
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return None


def validate_upload(upload) -> str:
    """Check an uploaded file's size and real type; return its content type."""
    max_bytes = settings.ATTACHMENT_MAX_BYTES
    if upload.size == 0:
        raise ReferralError(FILE_EMPTY)
    if upload.size > max_bytes:
        raise ReferralError(FILE_TOO_BIG.format(limit=filesizeformat(max_bytes)))
    content_type = _detect_content_type(upload)
    name = (upload.name or "").lower()
    if content_type is None or not name.endswith(ALLOWED_UPLOAD_TYPES[content_type]):
        raise ReferralError(FILE_TYPE_NOT_ALLOWED)
    return content_type


def attachment_add(*, referral: Referral, user, upload, description: str) -> Attachment:
    content_type = validate_upload(upload)
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral.pk)
        _check_referrer_may_edit(referral, user)
        attachment = Attachment(
            referral=referral,
            original_name=upload.name[:255],
            content_type=content_type,
            size=upload.size,
            description=description,
            uploaded_by=user,
        )
        attachment.file.save("upload", upload, save=False)
        attachment._change_reason = "Evidence uploaded"
        attachment.save()
    return attachment


def attachment_remove(*, attachment: Attachment, user) -> None:
    """Remove evidence the referrer uploaded by mistake. Evidence the panel has already received
    (uploaded before the last submission) stays on the case."""
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=attachment.referral_id)
        _check_referrer_may_edit(referral, user)
        if is_submitted_evidence(attachment, referral):
            raise ReferralError(EVIDENCE_SUBMITTED)
        attachment._change_reason = "Evidence removed"
        stored = attachment.file.name
        attachment.delete()
        transaction.on_commit(lambda: attachment.file.storage.delete(stored))


def is_submitted_evidence(attachment: Attachment, referral: Referral) -> bool:
    return referral.submitted_at is not None and attachment.uploaded_at < referral.submitted_at


def _next_reference(panel: Panel, year: int) -> str:
    counter, _ = ReferenceCounter.objects.select_for_update().get_or_create(panel=panel, year=year)
    ReferenceCounter.objects.filter(pk=counter.pk).update(last_number=F("last_number") + 1)
    counter.refresh_from_db()
    return f"{panel.code}-{year}-{counter.last_number:04d}"


def likely_duplicates(referral: Referral):
    """Other cases of the same panel with the same date of birth and a similar name."""
    if referral.date_of_birth is None:
        return Referral.objects.none()
    full_name = f"{referral.first_name} {referral.last_name}".strip()
    return (
        Referral.objects.filter(panel_id=referral.panel_id, date_of_birth=referral.date_of_birth)
        .exclude(pk=referral.pk)
        .exclude(state=State.DRAFT)
        .annotate(similarity=TrigramSimilarity(Concat("first_name", Value(" "), "last_name"), full_name))
        .filter(similarity__gte=DUPLICATE_NAME_SIMILARITY)
    )


def _check_role(referral: Referral, move_name: str, user) -> None:
    move = MOVES[move_name]
    if move.roles == {Role.REFERRER}:
        # The referrer's own case: the per-case right referral_create gave them.
        allowed = user.has_perm("referrals.change_referral", referral) and has_role(user, referral.panel_id, move.roles)
    else:
        allowed = has_role(user, referral.panel_id, move.roles)
    if not allowed:
        raise TransitionNotAllowed(ROLE_NOT_ALLOWED)


def _check_move(referral: Referral, move_name: str, reason: str) -> None:
    move = MOVES[move_name]
    if referral.state not in move.sources:
        raise TransitionNotAllowed(
            MOVE_NOT_ALLOWED.format(state=referral.get_state_display().lower(), label=move.label)
        )
    if move.needs_reason and not reason.strip():
        raise ReferralError(REASON_REQUIRED)


def referral_move(*, referral: Referral, move_name: str, user, reason: str = "", before_save=None) -> Referral:
    """Move a case along one arrow of the state machine, or refuse with a message.

    Locks the case row; a move to the state the case is already in does nothing, so a
    double-clicked button or a repeated request is harmless.
    """
    move = MOVES[move_name]
    with transaction.atomic():
        referral = Referral.objects.select_for_update(of=("self",)).select_related("panel").get(pk=referral.pk)
        # Who may act is checked first: someone without the role learns nothing about the
        # case's state, and is never told that a move "succeeded".
        _check_role(referral, move_name, user)
        if referral.state == move.target:
            return referral
        _check_move(referral, move_name, reason)
        if before_save:
            before_save(referral)
        referral.state = move.target
        referral.state_reason = reason.strip()
        _save_with_reason(referral, move.done + (f": {reason.strip()}" if reason.strip() else ""))
    return referral


def referral_submit(*, referral: Referral, user, is_complete: bool) -> Referral:
    """Submit (or resubmit) a referral: it gets its reference and day 0 of the clock on first submission."""
    if not is_complete:
        raise ReferralError(INCOMPLETE)

    def stamp(case: Referral):
        now = timezone.now()
        case.submitted_at = now
        if case.reference is None:
            today = timezone.localdate(now)
            case.reference = _next_reference(case.panel, today.year)
            case.referral_date = today

    with transaction.atomic():
        referral = referral_move(referral=referral, move_name="submit", user=user, before_save=stamp)
        # Flagged both ways (the relation is symmetrical), never merged: the coordinator decides.
        referral.possible_duplicates.add(*likely_duplicates(referral))
    return referral


def referral_accept(
    *, referral: Referral, user, is_in_panel_area: bool, is_public_order_disqualification_considered: bool
) -> Referral:
    """Accept an in-scope referral: it now awaits a reasonable grounds (RG) decision."""

    def check_scope(case: Referral):
        case.is_in_panel_area = is_in_panel_area
        case.is_public_order_disqualification_considered = is_public_order_disqualification_considered
        scope = assess_scope(case, on=case.referral_date)
        if scope.unanswered:
            raise ReferralError(SCOPE_UNANSWERED.format(questions="; ".join(scope.unanswered).lower()))
        if not scope.is_in_scope:
            raise ReferralError(OUT_OF_SCOPE.format(reasons="; ".join(scope.reasons_out_of_scope).lower()))
        _tell_referrer(case, Kind.REFERRAL_ACCEPTED, "accepted: it awaits the panel's reasonable grounds decision")

    return referral_move(referral=referral, move_name="accept", user=user, before_save=check_scope)


def referral_return(*, referral: Referral, user, reason: str) -> Referral:
    def tell_referrer(case: Referral):
        _tell_referrer(case, Kind.REFERRAL_RETURNED, "returned to you for more information")

    return referral_move(referral=referral, move_name="return", user=user, reason=reason, before_save=tell_referrer)


def _tell_referrer(referral: Referral, kind: str, what: str) -> None:
    notify(
        recipients=[referral.referrer],
        roles={Role.REFERRER},
        panel_id=referral.panel_id,
        kind=kind,
        text=f"Your referral {referral.reference} has been {what}.",
        link=reverse("referrals:case", args=[referral.public_id]),
        # Each submission is returned or accepted at most once.
        key=f"{kind}:{referral.pk}:{referral.submitted_at:%Y%m%d%H%M%S%f}",
    )


def referral_transfer(
    *,
    referral: Referral,
    user,
    reason: str,
    is_in_panel_area: bool | None = None,
    is_public_order_disqualification_considered: bool | None = None,
) -> Referral:
    def record_scope(case: Referral):
        if is_in_panel_area is not None:
            case.is_in_panel_area = is_in_panel_area
        if is_public_order_disqualification_considered is not None:
            case.is_public_order_disqualification_considered = is_public_order_disqualification_considered

    return referral_move(referral=referral, move_name="transfer", user=user, reason=reason, before_save=record_scope)


def referral_withdraw(*, referral: Referral, user, reason: str) -> Referral:
    return referral_move(referral=referral, move_name="withdraw", user=user, reason=reason)


def referral_close(*, referral: Referral, user, reason: str = "") -> Referral:
    """Close a decided case: the coordinator's reason is recorded on the case."""
    return referral_move(referral=referral, move_name="close", user=user, reason=reason)


def referral_record_police_notification(*, referral: Referral, user, notified_on: datetime.date) -> Referral:
    """Record that the police were told of a case they did not refer (a panel setting, on by default)."""
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral.pk)
        if not has_role(user, referral.panel_id, {Role.COORDINATOR}):
            raise ReferralError(ROLE_NOT_ALLOWED)
        if referral.is_referred_by_police:
            raise ReferralError(POLICE_REFERRED)
        if referral.state == State.DRAFT:
            raise ReferralError("A draft cannot be notified to the police: it has not been submitted.")
        referral.police_notified_on = notified_on
        referral.police_notified_by = user
        _save_with_reason(referral, f"Police notified on {notified_on:%d %B %Y}")
    return referral


def referral_set_lead_social_worker(*, referral: Referral, user, lead_social_worker) -> Referral:
    """Record the child's lead social worker, who may not chair the panel's item on the case."""
    with transaction.atomic():
        referral = Referral.objects.select_for_update(of=("self",)).get(pk=referral.pk)
        if not has_role(user, referral.panel_id, {Role.COORDINATOR}):
            raise ReferralError(ROLE_NOT_ALLOWED)
        if (
            lead_social_worker
            and not lead_social_worker.memberships.filter(panel_id=referral.panel_id, is_active=True).exists()
        ):
            raise ReferralError("Choose someone with a role on this panel.")
        if referral.lead_social_worker_id == getattr(lead_social_worker, "pk", None):
            return referral
        referral.lead_social_worker = lead_social_worker
        _save_with_reason(referral, f"Lead social worker: {lead_social_worker or 'none recorded'}")
    return referral


LETTER_RECIPIENT_FIELDS = (
    "decision_safe_address",
    "legal_representative_name",
    "legal_representative_organisation",
    "legal_representative_address",
    "exploitation_addresses",
)


def referral_update_letter_recipients(*, referral: Referral, user, changes: dict) -> Referral:
    """The coordinator keeps a submitted case's letter addresses right; letters already issued keep theirs."""
    with transaction.atomic():
        referral = Referral.objects.select_for_update(of=("self",)).get(pk=referral.pk)
        if not has_role(user, referral.panel_id, {Role.COORDINATOR}):
            raise ReferralError(ROLE_NOT_ALLOWED)
        if referral.state == State.DRAFT:
            raise ReferralError("A draft is changed by its referrer.")
        for field in LETTER_RECIPIENT_FIELDS:
            if field in changes:
                setattr(referral, field, changes[field].strip())
        _save_with_reason(referral, "Letter recipients changed")
    return referral


DELAY_REASON_REQUIRED = "Enter the reason for the delay."


def referral_record_delay_reason(*, referral: Referral, user, reason: str) -> Referral:
    """Record why a case is, or will be, decided after its target (DESIGN.md section 4: delays carry a
    recorded reason). The coordinator of the case's panel records it; a new reason replaces the old,
    which stays in the case's history."""
    reason = reason.strip()
    if not reason:
        raise ReferralError(DELAY_REASON_REQUIRED)
    with transaction.atomic():
        referral = Referral.objects.select_for_update(of=("self",)).get(pk=referral.pk)
        if not has_role(user, referral.panel_id, {Role.COORDINATOR}):
            raise ReferralError(ROLE_NOT_ALLOWED)
        if referral.state == State.DRAFT:
            raise ReferralError("A draft has no clock yet: there is no delay to explain.")
        if referral.delay_reason == reason:
            return referral
        referral.delay_reason = reason
        # The timeline, which the referrer reads, says that a reason was given; the reason is for the panel.
        _save_with_reason(referral, "Reason for the delay recorded")
    return referral
