"""Health information requests: the designated nurse or doctor asks a GP practice, hospital trust, CAMHS…
what it knows about a child, chases it, and records the answer, typed in by the nurse or uploaded by the
provider through a link that needs no account.

The link is signed with the SECRET_KEY, works for one request, once, until it expires, and is replaced
when the request is chased. Its email, like a notification's, is an outbox: written with the change,
sent after commit, retried by beat (ADR 0003), and it names no child.
"""

import datetime
import hashlib
import logging

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from notifications.models import Kind
from notifications.services import Event, notify_events
from nrm_panel.celery import announce
from nrm_panel.models import Role
from referrals.models import Referral
from referrals.services import ReferralError, validate_upload
from safeguarding.models import (
    AWAITING_RESPONSE,
    HealthInformationRequest,
    HealthRequestState,
    HealthResponseDocument,
    ProviderLink,
)
from safeguarding.services import AnswerRefused, SafeguardingError, require_open_case, require_role, save_with_reason

log = logging.getLogger(__name__)

NURSE_ONLY = {Role.DESIGNATED_NURSE}
MAX_DOCUMENTS_PER_RESPONSE = 10
MAX_EMAIL_ATTEMPTS = 5
TOKEN_SALT = "safeguarding.provider-link"

DUE_DATE_PAST = "The due date must be today or later."
NOT_A_DRAFT = "This request has already been sent. To send the link again, chase it."
NOT_AWAITING = "Only a request that was sent and not yet answered can be chased."
ANSWERED = "This request has been answered. Its answer cannot be changed: record a new request if more is needed."
ENDED = "This request has been {state}: it cannot be changed."
EMPTY_RESPONSE = "Enter the response, or upload at least one document."
TOO_MANY_DOCUMENTS = f"Upload at most {MAX_DOCUMENTS_PER_RESPONSE} documents at a time."
WITHDRAW_REASON_REQUIRED = "Give the reason for withdrawing the request."

EMAIL_SUBJECT = "Request for health information from {panel}"
EMAIL_BODY = (
    "Dear {contact},\n\n"
    "{nurse}, designated nurse or doctor for the {panel}, asks for health information about a child known to "
    "your service, by {due:%-d %B %Y}.\n\n"
    "Open this secure link to read the request and send your response:\n{link}\n\n"
    "The link can be used once, until {expires:%-d %B %Y}. Please do not forward it. If it has expired, reply "
    "to {nurse_email} for a new one.\n\n"
    "For the child's safety this email does not name them."
)

# Refusals of a provider's link, each with its own page (the provider has no account to sign in to).
LINK_INVALID = "invalid"
LINK_USED = "used"
LINK_EXPIRED = "expired"
LINK_REPLACED = "replaced"
LINK_ANSWERED = "answered"
LINK_WITHDRAWN = "withdrawn"


class LinkRefused(Exception):
    def __init__(self, reason: str, link: ProviderLink | None = None):
        super().__init__(reason)
        self.reason = reason
        self.link = link


def _locked(request: HealthInformationRequest) -> HealthInformationRequest:
    return (
        HealthInformationRequest.objects.select_for_update(of=("self",)).select_related("referral").get(pk=request.pk)
    )


def _require_changeable(request: HealthInformationRequest) -> None:
    if request.state == HealthRequestState.RECEIVED:
        raise SafeguardingError(ANSWERED)
    if request.state == HealthRequestState.WITHDRAWN:
        raise SafeguardingError(ENDED.format(state="withdrawn"))


def _check_due_date(due_date: datetime.date, today: datetime.date) -> None:
    if due_date < today:
        raise AnswerRefused(DUE_DATE_PAST, field="due_date")


REQUEST_FIELDS = (
    "provider_kind",
    "provider_name",
    "contact_name",
    "contact_email",
    "questions",
    "legal_basis",
    "due_date",
)


def health_request_create(*, referral: Referral, user, today: datetime.date | None = None, **fields):
    """A draft request; nothing leaves the app until it is sent."""
    require_role(user, referral, NURSE_ONLY)
    require_open_case(referral)
    _check_due_date(fields["due_date"], today or timezone.localdate())
    request = HealthInformationRequest(referral=referral, requested_by=user, **_only(fields))
    save_with_reason(request, f"Health information request to {request.provider_name} drafted")
    return request


def _only(fields: dict) -> dict:
    return {name: fields[name] for name in REQUEST_FIELDS if name in fields}


def health_request_update(*, request: HealthInformationRequest, user, today: datetime.date | None = None, **fields):
    """Change what is asked, of whom or by when, until the request is answered or withdrawn. A provider
    holding a link sees the change when they open it."""
    require_role(user, request.referral, NURSE_ONLY)
    with transaction.atomic():
        request = _locked(request)
        _require_changeable(request)
        if "due_date" in fields and fields["due_date"] != request.due_date:
            _check_due_date(fields["due_date"], today or timezone.localdate())
        for name, value in _only(fields).items():
            setattr(request, name, value)
        save_with_reason(request, "Request changed")
    return request


def health_request_send(*, request: HealthInformationRequest, user) -> ProviderLink:
    """Send the request: the provider is emailed a link to answer it."""
    require_role(user, request.referral, NURSE_ONLY)
    with transaction.atomic():
        request = _locked(request)
        if request.state in AWAITING_RESPONSE:
            raise SafeguardingError(NOT_A_DRAFT)
        _require_changeable(request)
        request.state = HealthRequestState.SENT
        request.sent_at = timezone.now()
        save_with_reason(request, f"Sent to {request.contact_email}")
        return _new_link(request, user)


def health_request_chase(
    *, request: HealthInformationRequest, user, due_date: datetime.date | None = None, today=None
) -> ProviderLink:
    """Remind the provider, with a new link (the last one stops working), and perhaps a new due date."""
    require_role(user, request.referral, NURSE_ONLY)
    with transaction.atomic():
        request = _locked(request)
        if request.state not in AWAITING_RESPONSE:
            raise SafeguardingError(NOT_AWAITING)
        if due_date is not None and due_date != request.due_date:
            _check_due_date(due_date, today or timezone.localdate())
            request.due_date = due_date
        request.state = HealthRequestState.CHASED
        request.last_chased_at = timezone.now()
        request.chase_count += 1
        save_with_reason(request, f"Chased (time {request.chase_count}), a new link sent to {request.contact_email}")
        return _new_link(request, user)


def _new_link(request: HealthInformationRequest, user) -> ProviderLink:
    _retire_links(request)
    link = ProviderLink.objects.create(
        request=request,
        sent_to=request.contact_email,
        created_by=user,
        expires_at=timezone.now() + datetime.timedelta(days=settings.HEALTH_PROVIDER_LINK_DAYS),
    )
    transaction.on_commit(_ask_worker_to_email)
    return link


def _retire_links(request: HealthInformationRequest) -> None:
    request.links.filter(used_at=None, retired_at=None).update(retired_at=timezone.now())


def health_request_withdraw(*, request: HealthInformationRequest, user, reason: str):
    """The request is no longer needed (sent to the wrong provider, say): its link stops working."""
    if not reason.strip():
        raise SafeguardingError(WITHDRAW_REASON_REQUIRED)
    require_role(user, request.referral, NURSE_ONLY)
    with transaction.atomic():
        request = _locked(request)
        _require_changeable(request)
        request.state = HealthRequestState.WITHDRAWN
        request.withdrawn_reason = reason.strip()
        save_with_reason(request, "Withdrawn")
        _retire_links(request)
    return request


def health_response_record(
    *, request: HealthInformationRequest, user, responded_by_name: str, text: str, uploads=()
) -> HealthInformationRequest:
    """The nurse records the provider's answer (by phone, secure email, post): text, documents or both."""
    require_role(user, request.referral, NURSE_ONLY)
    uploads = _checked_uploads(text, uploads)
    with transaction.atomic():
        request = _locked(request)
        _require_changeable(request)
        _store_response(request, responded_by_name, text, uploads, user=user, link=None)
        request.response_recorded_by = user
        save_with_reason(request, "Response recorded")
    return request


def _checked_uploads(text: str, uploads) -> list[tuple]:
    uploads = list(uploads)
    if not text.strip() and not uploads:
        raise AnswerRefused(EMPTY_RESPONSE, field="text")
    if len(uploads) > MAX_DOCUMENTS_PER_RESPONSE:
        raise AnswerRefused(TOO_MANY_DOCUMENTS, field="documents")
    checked = []
    for upload in uploads:
        try:
            content_type = validate_upload(upload)
        except ReferralError as error:
            raise AnswerRefused(f"{upload.name}: {error}", field="documents") from None
        checked.append((upload, content_type))
    return checked


def _store_response(request, responded_by_name, text, uploads, *, user, link) -> None:
    request.state = HealthRequestState.RECEIVED
    request.received_at = timezone.now()
    request.response_text = text.strip()
    request.responded_by_name = responded_by_name.strip()
    for upload, content_type in uploads:
        upload.seek(0)
        content = upload.read()
        document = HealthResponseDocument(
            request=request,
            original_name=upload.name[:255],
            content_type=content_type,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by=user,
            uploaded_through=link,
        )
        document.file.save("response", ContentFile(content), save=False)
        save_with_reason(document, "Uploaded")
    _retire_links(request)


# The provider's link


def provider_link_token(link: ProviderLink) -> str:
    return signing.dumps(str(link.public_id), salt=TOKEN_SALT)


def provider_link_url(link: ProviderLink) -> str:
    path = reverse("safeguarding:provider_respond", args=[link.request.public_id, provider_link_token(link)])
    return settings.SITE_URL.rstrip("/") + path


def provider_link_check(*, request_id, token: str, now: datetime.datetime | None = None) -> ProviderLink:
    """The link a token names, if it may still be used for this request; else LinkRefused, saying why."""
    try:
        link_id = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        raise LinkRefused(LINK_INVALID) from None
    link = (
        ProviderLink.objects.select_related("request__referral__panel", "request__requested_by")
        .filter(public_id=link_id if isinstance(link_id, str) else None)
        .first()
    )
    if link is None or link.request.public_id != request_id:
        raise LinkRefused(LINK_INVALID)
    if link.used_at is not None:
        raise LinkRefused(LINK_USED, link)
    if link.request.state == HealthRequestState.RECEIVED:
        raise LinkRefused(LINK_ANSWERED, link)
    if link.request.state == HealthRequestState.WITHDRAWN:
        raise LinkRefused(LINK_WITHDRAWN, link)
    if link.retired_at is not None:
        raise LinkRefused(LINK_REPLACED, link)
    if link.expires_at <= (now or timezone.now()):
        raise LinkRefused(LINK_EXPIRED, link)
    return link


def provider_response_submit(
    *, request_id, token: str, responded_by_name: str, text: str, uploads=()
) -> HealthInformationRequest:
    """The provider's answer through their link, which is then used up. Two submissions at once: one wins,
    the other is told the link was used."""
    uploads = _checked_uploads(text, uploads)
    with transaction.atomic():
        request = _locked(provider_link_check(request_id=request_id, token=token).request)
        # Checked again under the request's lock: another submission may have used the link meanwhile.
        link = provider_link_check(request_id=request_id, token=token)
        link.used_at = timezone.now()
        link.save(update_fields=["used_at"])
        _store_response(request, responded_by_name, text, uploads, user=None, link=link)
        save_with_reason(request, f"Response received from {responded_by_name.strip()} through the provider's link")
        _tell_nurses_response_received(request)
    return request


def _tell_nurses_response_received(request: HealthInformationRequest) -> None:
    notify_events(
        [
            Event(
                panel_id=request.referral.panel_id,
                kind=Kind.HEALTH_RESPONSE_RECEIVED,
                text=f"{request.referral.reference}: a health provider has answered a request",
                link=reverse("safeguarding:health_request", args=[request.public_id]),
                key=f"health_response:{request.pk}",
                roles=frozenset(NURSE_ONLY),
            )
        ]
    )


# The link's email (an outbox)


def _ask_worker_to_email() -> None:
    from safeguarding.tasks import provider_emails_send  # the tasks module imports this one

    announce(provider_emails_send)


def provider_emails_send(*, limit: int = 200) -> int:
    """Email every link not yet emailed; safe to run twice or at once (SKIP LOCKED, marked in one transaction)."""
    sent = 0
    for _ in range(limit):
        with transaction.atomic():
            link = (
                ProviderLink.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("request__referral__panel", "request__requested_by")
                .filter(emailed_at=None, email_failed=False, retired_at=None, used_at=None)
                .order_by("created_at", "id")
                .first()
            )
            if link is None:
                break
            sent += _email_link(link)
    return sent


def _email_link(link: ProviderLink) -> int:
    request = link.request
    nurse = request.requested_by
    link.email_attempts += 1
    try:
        send_mail(
            EMAIL_SUBJECT.format(panel=request.referral.panel.name),
            EMAIL_BODY.format(
                contact=request.contact_name or request.provider_name,
                nurse=nurse.get_full_name() or nurse.email,
                nurse_email=nurse.email,
                panel=request.referral.panel.name,
                due=request.due_date,
                link=provider_link_url(link),
                expires=timezone.localtime(link.expires_at),
            ),
            None,
            [link.sent_to],
        )
    except Exception:  # an SMTP or Notify failure: tried again next minute, then shown as failed
        log.warning("Could not email provider link %s", link.public_id, exc_info=True)
        link.email_failed = link.email_attempts >= MAX_EMAIL_ATTEMPTS
        link.save(update_fields=["email_attempts", "email_failed"])
        return 0
    link.emailed_at = timezone.now()
    link.save(update_fields=["email_attempts", "emailed_at"])
    return 1


# Reminders


def health_requests_remind_overdue(*, today: datetime.date | None = None) -> None:
    """Tell the panel's designated nurses and doctors once about each request past its due date (again if a
    chase set a new due date that also passes). Set-based: one read and one insert however many there are."""
    today = today or timezone.localdate()
    overdue = HealthInformationRequest.objects.filter(state__in=AWAITING_RESPONSE, due_date__lt=today).values_list(
        "pk", "public_id", "due_date", "referral__panel_id", "referral__reference"
    )
    notify_events(
        Event(
            panel_id=panel_id,
            kind=Kind.HEALTH_REQUEST_OVERDUE,
            text=f"{reference}: a health information request is overdue (due {due_date:%-d %B %Y})",
            link=reverse("safeguarding:health_request", args=[public_id]),
            key=f"health_request_overdue:{pk}:{due_date:%Y-%m-%d}",
            roles=frozenset(NURSE_ONLY),
        )
        for pk, public_id, due_date, panel_id, reference in overdue
    )
