"""Subject access exports: everything the app holds about the child on one case, as a zip holding a PDF summary
(WeasyPrint) and the files themselves, for the council's information governance team to answer a subject
access request.

The coordinator's export holds the referral's answers, what happened to the case, the meetings, agency inputs,
decisions, reconsiderations, letters (their PDFs), evidence (the files), support, safeguarding actions, the
transition plan and criminal proceedings. Health detail is for health roles only: the coordinator's PDF says
how many health requests and answers are held, and the designated nurse or doctor exports that part.

Built in the request: for one case it takes about a second (the PDF), so there is no zip kept anywhere to
delete later. Every download is in the access log (its page is in access_log.catalogue).
"""

import datetime
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone

from decisions.documents import pdf_from_html
from decisions.letter_pdf import PDF_OPTIONS
from decisions.models import AgencyInput, AgendaItem, ConflictOfInterest, Decision, Letter, Reconsideration
from decisions.services import NotAllowed
from nrm_panel.permissions import has_role
from records.models import Anonymisation, RetentionReview
from records.selectors import HEALTH_EXPORT_ROLES, REVIEWER_ROLES
from records.services import RecordsError
from referrals.forms import SECTION_FORMS
from referrals.models import Attachment, Referral, State
from referrals.selectors import case_timeline
from referrals.services import ROLE_NOT_ALLOWED
from safeguarding.models import (
    CourtProceeding,
    HealthInformationRequest,
    HealthRequestState,
    HealthResponseDocument,
    Hearing,
    LetterSent,
    ProviderLink,
    SafeguardingAction,
    SupportReferral,
    TransitionPlan,
)

ANONYMISED_CASE = "This case was anonymised: nothing held identifies the child, so there is nothing to export."
DRAFT = "A draft referral is its referrer's until it is submitted: there is no case to export."

# The referral's answers, grouped as the referral form's own sections ask them, then what the panel recorded
# about the case; any field not named in either is printed under "Also recorded on the case", so a field added
# later is never left out of an export.
REFERRAL_SECTIONS = [(form.title, list(form.Meta.fields)) for form in SECTION_FORMS] + [
    (
        "The case",
        [
            "reference",
            "state",
            "state_reason",
            "referrer",
            "created_at",
            "submitted_at",
            "referral_date",
            "is_in_panel_area",
            "is_public_order_disqualification_considered",
            "police_notified_on",
            "police_notified_by",
            "lead_social_worker",
            "delay_reason",
            "days_to_rg",
            "days_to_cg",
        ],
    ),
]
# Fields that say nothing of the child: the row's ids, versions, and the stored file's own name (the file
# itself is in the zip).
NOT_PRINTED = {"id", "public_id", "referral", "panel", "updated_at", "version", "render_attempts", "file"}


@dataclass
class Record:
    heading: str
    entries: list[tuple[str, str]]


@dataclass
class Part:
    title: str
    records: list[Record] = field(default_factory=list)
    intro: str = ""


@dataclass
class Export:
    """A zip's contents: the PDF summary's parts, and the files that go beside it (path in the zip, file)."""

    referral: Referral
    title: str
    parts: list[Part]
    files: list[tuple[str, object]]
    missing: list[str]
    is_health_part: bool = False


# Values as people read them


def shown(instance, model_field) -> str:
    """A field's value as text: a choice by its label, a person by their name, a date written out; empty for
    nothing recorded."""
    value = getattr(instance, model_field.name)
    if value in (None, "", []):
        return ""
    if isinstance(model_field, ArrayField):
        labels = dict(model_field.base_field.flatchoices)
        return ", ".join(str(labels.get(each, each)) for each in value)
    if model_field.flatchoices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return f"{timezone.localtime(value):%-d %B %Y, %H:%M}"
    if isinstance(value, datetime.date):
        return f"{value:%-d %B %Y}"
    if isinstance(model_field, models.JSONField):
        return _json_shown(value)
    return str(value)


def _json_shown(value) -> str:
    if isinstance(value, list):
        return "\n".join(_json_shown(each) for each in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {each}" for key, each in value.items() if each not in ("", None))
    return str(value)


def _label(model_field) -> str:
    name = str(model_field.verbose_name)
    return name[:1].upper() + name[1:]


def entries(instance, names=None, *, leave_out=()) -> list[tuple[str, str]]:
    """(label, value) for each field of `instance` that holds something: `names` in order, or every field."""
    fields = instance._meta.concrete_fields
    if names is not None:
        by_name = {model_field.name: model_field for model_field in fields}
        fields = [by_name[name] for name in names]
    found = []
    for model_field in fields:
        if model_field.name in NOT_PRINTED or model_field.name in leave_out:
            continue
        value = shown(instance, model_field)
        if value:
            found.append((_label(model_field), value))
    return found


def safe_filename(name: str, *, fallback: str = "file") -> str:
    """A file name that is safe in a zip on any system: letters, digits, dashes and underscores, one dot before
    the extension, no folder, never hidden, at most about 100 characters."""
    name = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode()
    name = re.split(r"[\\/]", name)[-1]
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-_")[:90] or fallback
    extension = re.sub(r"[^A-Za-z0-9]+", "", extension)[:10]
    return f"{stem}.{extension}" if extension else stem


# Who may export


def _check_exportable(referral: Referral, user, roles) -> None:
    if not has_role(user, referral.panel_id, roles):
        raise NotAllowed(ROLE_NOT_ALLOWED)
    if referral.state == State.DRAFT:
        raise RecordsError(DRAFT)
    if Anonymisation.objects.filter(referral_id=referral.pk).exists():
        raise RecordsError(ANONYMISED_CASE)


# The coordinator's export


def case_export(*, referral: Referral, user) -> Export:
    """Everything held about the child on the case, but the health detail: for the panel's coordinator."""
    _check_exportable(referral, user, REVIEWER_ROLES)
    referral = Referral.objects.select_related("panel", "referrer", "police_notified_by", "lead_social_worker").get(
        pk=referral.pk
    )
    files, missing = [], []
    parts = _referral_parts(referral)
    parts.append(_evidence_part(referral, files, missing))
    parts.append(_timeline_part(referral))
    parts += _meeting_parts(referral)
    parts.append(_letters_part(referral, files, missing))
    parts += _safeguarding_parts(referral)
    parts.append(_health_summary_part(referral))
    parts.append(_retention_part(referral))
    return Export(referral, "Subject access export", parts, files, missing)


def _referral_parts(referral: Referral) -> list[Part]:
    named = {name for _, names in REFERRAL_SECTIONS for name in names}
    parts = [Part(title, [Record("", entries(referral, names))]) for title, names in REFERRAL_SECTIONS]
    rest = [f.name for f in referral._meta.concrete_fields if f.name not in named and f.name not in NOT_PRINTED]
    also = entries(referral, rest)
    duplicates = ", ".join(referral.possible_duplicates.order_by("reference").values_list("reference", flat=True))
    if duplicates:
        also.append(("Flagged as possibly the same child as", duplicates))
    if also:
        parts.append(Part("Also recorded on the case", [Record("", also)]))
    return parts


def _evidence_part(referral: Referral, files: list, missing: list) -> Part:
    part = Part("Evidence", intro="The files are in the zip's evidence folder.")
    attachments = Attachment.objects.filter(referral=referral).select_related("uploaded_by").order_by("uploaded_at")
    for number, attachment in enumerate(attachments, start=1):
        name = f"evidence/{number:02d}-{safe_filename(attachment.original_name)}"
        path = _add_file(files, missing, name, attachment.file)
        part.records.append(Record(attachment.original_name, [("In the zip as", path), *entries(attachment)]))
    return part


def _add_file(files: list, missing: list, path: str, stored) -> str:
    """Put a stored file in the zip at `path` (made unique), or list it as missing; the path it has."""
    taken = {each for each, _ in files} | set(missing)
    stem, dot, extension = path.rpartition(".")
    number = 1
    while path in taken:
        number += 1
        path = f"{stem}-{number}{dot}{extension}" if dot else f"{path}-{number}"
    if stored.name and stored.storage.exists(stored.name):
        files.append((path, stored))
    else:
        missing.append(path)
    return path


def _timeline_part(referral: Referral) -> Part:
    part = Part("What happened to the case", intro="Every change recorded, oldest first, with who made it.")
    for event in reversed(case_timeline(referral)):
        changes = [(change.field, f"{change.old} → {change.new}") for change in event.changes]
        heading = f"{timezone.localtime(event.at):%-d %B %Y, %H:%M}: {event.title}"
        part.records.append(Record(heading, [("By", event.who), *changes]))
    return part


def _meeting_parts(referral: Referral) -> list[Part]:
    items = Part("Meetings the case was on")
    agenda = (
        AgendaItem.objects.filter(referral=referral)
        .select_related("meeting", "deputy_chair", "added_by", "signed_off_by", "reconsideration")
        .order_by("meeting__date", "pk")
    )
    conflicts = {}
    for conflict in ConflictOfInterest.objects.filter(item__referral=referral).select_related("person", "recorded_by"):
        conflicts.setdefault(conflict.item_id, []).append(conflict)
    for item in agenda:
        found = entries(item, leave_out={"meeting", "position", "reconsideration"})
        for conflict in conflicts.get(item.pk, []):
            found.append(("Conflict of interest", f"{conflict.person}: {conflict.reason}"))
        items.records.append(Record(str(item.meeting), found))
    inputs = Part("Agency inputs", intro="Each partner agency's view of the case before the panel decided it.")
    for agency_input in (
        AgencyInput.objects.filter(referral=referral)
        .select_related("agency", "submitted_by", "locked_by__referral")
        .order_by("submitted_at", "pk")
    ):
        inputs.records.append(Record(str(agency_input.agency), entries(agency_input, leave_out={"agency"})))
    decisions = Part("Decisions")
    for decision in (
        Decision.objects.filter(referral=referral)
        .select_related(
            "item__meeting", "deferred_to", "supersedes__referral", "recorded_by", "signed_off_by", "returned_to_sca_by"
        )
        .order_by("decided_on", "recorded_at")
    ):
        outcome = decision.get_outcome_display().lower()
        heading = f"{decision.get_kind_display()}: {outcome}, {decision.decided_on:%-d %B %Y}"
        if not decision.is_signed_off:
            heading += " (not signed off)"
        decisions.records.append(Record(heading, entries(decision, leave_out={"item"})))
    reconsiderations = Part("Reconsiderations")
    asked = Reconsideration.objects.filter(referral=referral).select_related("decision__referral", "recorded_by")
    for reconsideration in asked.order_by("received_on"):
        reconsiderations.records.append(
            Record(f"Received {reconsideration.received_on:%-d %B %Y}", entries(reconsideration))
        )
    return [items, inputs, decisions, reconsiderations]


def _letters_part(referral: Referral, files: list, missing: list) -> Part:
    part = Part("Letters", intro="Every version of every letter; the PDFs are in the zip's letters folder.")
    letters = Letter.objects.filter(referral=referral).select_related("decision", "requested_by", "referral")
    for letter in letters.order_by("requested_at", "pk"):
        found = entries(letter, leave_out={"decision", "sha256", "size"})
        if letter.file:
            path = _add_file(files, missing, f"letters/{safe_filename(letter.filename)}", letter.file)
            found.insert(0, ("In the zip as", path))
        part.records.append(Record(f"{letter.get_kind_display()}, version {letter.version}", found))
    return part


def _safeguarding_parts(referral: Referral) -> list[Part]:
    support = Part("Support (ICTG and other services)")
    for each in SupportReferral.objects.filter(referral=referral).select_related("recorded_by").order_by("referred_on"):
        support.records.append(Record(each.get_kind_display(), entries(each, leave_out={"kind"})))
    actions = Part("Safeguarding actions")
    for action in SafeguardingAction.objects.filter(referral=referral).select_related("recorded_by").order_by("due_on"):
        actions.records.append(Record(f"Due {action.due_on:%-d %B %Y}", entries(action)))
    transition = Part("Turning 18: the transition plan")
    for plan in TransitionPlan.objects.filter(referral=referral).select_related("updated_by"):
        transition.records.append(Record("", entries(plan)))
    court = Part("Criminal proceedings")
    hearings, sent = {}, {}
    for hearing in Hearing.objects.filter(proceeding__referral=referral).order_by("date"):
        hearings.setdefault(hearing.proceeding_id, []).append(hearing)
    letters_sent = LetterSent.objects.filter(proceeding__referral=referral)
    for each in letters_sent.select_related("letter__referral", "letter__decision"):
        sent.setdefault(each.proceeding_id, []).append(each)
    for proceeding in CourtProceeding.objects.filter(referral=referral).select_related("recorded_by"):
        found = entries(proceeding)
        found += [("Hearing", str(hearing)) for hearing in hearings.get(proceeding.pk, [])]
        for each in sent.get(proceeding.pk, []):
            how = each.get_method_display().lower()
            found.append(("Letter sent", f"{each.letter}: to {each.recipient} on {each.sent_on:%-d %B %Y}, {how}"))
        court.records.append(Record(str(proceeding), found))
    return [support, actions, transition, court]


def _health_summary_part(referral: Referral) -> Part:
    requests = HealthInformationRequest.objects.filter(referral=referral)
    asked = requests.count()
    answered = requests.filter(state=HealthRequestState.RECEIVED).count()
    documents = HealthResponseDocument.objects.filter(request__referral=referral).count()
    return Part(
        "Health information",
        intro=(
            f"{asked} health information request{'' if asked == 1 else 's'} held, {answered} answered, with "
            f"{documents} document{'' if documents == 1 else 's'}. Health detail (what was asked of health "
            "providers and what they answered) is for the panel's health roles only: the panel's designated "
            "nurse or doctor provides that part of the export, from the case page."
        ),
    )


def _retention_part(referral: Referral) -> Part:
    part = Part("Records management")
    reviews = RetentionReview.objects.filter(referral=referral).select_related("reviewed_by")
    for review in reviews.order_by("reviewed_at"):
        heading = f"Retention review, {timezone.localtime(review.reviewed_at):%-d %B %Y}"
        part.records.append(Record(heading, entries(review)))
    return part


# The designated nurse's or doctor's export: the health part


def health_export(*, referral: Referral, user) -> Export:
    """The health information requests on the case, their answers and documents: for the panel's designated
    nurses and doctors, who hold that detail."""
    _check_exportable(referral, user, HEALTH_EXPORT_ROLES)
    referral = Referral.objects.select_related("panel").get(pk=referral.pk)
    files, missing = [], []
    part = Part("Health information requests and answers", intro="The documents are in the zip's health folder.")
    links, documents = {}, {}
    provider_links = ProviderLink.objects.filter(request__referral=referral).select_related("created_by")
    for link in provider_links.order_by("created_at"):
        links.setdefault(link.request_id, []).append(link)
    for document in (
        HealthResponseDocument.objects.filter(request__referral=referral)
        .select_related("uploaded_by")
        .order_by("uploaded_at", "pk")
    ):
        documents.setdefault(document.request_id, []).append(document)
    number = 0
    requests = (
        HealthInformationRequest.objects.filter(referral=referral)
        .select_related("requested_by", "response_recorded_by")
        .order_by("created_at", "pk")
    )
    for request in requests:
        found = entries(request)
        for link in links.get(request.pk, []):
            found.append(("Link to answer", _link_shown(link)))
        for document in documents.get(request.pk, []):
            number += 1
            name = f"health/{number:02d}-{safe_filename(document.original_name)}"
            path = _add_file(files, missing, name, document.file)
            found.append(("Document", f"{document.original_name}, in the zip as {path} (SHA-256 {document.sha256})"))
        part.records.append(Record(str(request), found))
    return Export(referral, "Subject access export: the health part", [part], files, missing, is_health_part=True)


def _link_shown(link: ProviderLink) -> str:
    made = timezone.localtime(link.created_at)
    said = f"sent to {link.sent_to} on {made:%-d %B %Y}, expiring {timezone.localtime(link.expires_at):%-d %B %Y}"
    if link.used_at:
        said += f", used {timezone.localtime(link.used_at):%-d %B %Y}"
    if link.retired_at:
        said += f", replaced or ended {timezone.localtime(link.retired_at):%-d %B %Y}"
    return said


# The zip


def export_filename(export: Export, *, on: datetime.date) -> str:
    health = "-health" if export.is_health_part else ""
    return f"{safe_filename(export.referral.reference)}{health}-subject-access-{on:%Y-%m-%d}.zip"


def summary_pdf(export: Export, *, user, at: datetime.datetime) -> bytes:
    html = render_to_string(
        "records/subject_access_summary.html",
        {"export": export, "referral": export.referral, "produced_by": user, "produced_at": at},
    )
    return pdf_from_html(html, **PDF_OPTIONS)


def export_zip(export: Export, *, user) -> tuple[object, str]:
    """The export as a zip in a temporary file (deleted when closed), and its file name."""
    now = timezone.now()
    folder = export_filename(export, on=timezone.localdate(now)).removesuffix(".zip")
    pdf = summary_pdf(export, user=user, at=now)
    stamp = timezone.localtime(now).timetuple()[:6]
    buffer = tempfile.TemporaryFile()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{folder}/summary.pdf", pdf)
        for path, stored in export.files:
            # Stored as they are: PDFs, images and Word files are compressed already, and may be large.
            entry = zipfile.ZipInfo(f"{folder}/{path}", date_time=stamp)
            with stored.open("rb") as handle, archive.open(entry, "w") as written:
                while chunk := handle.read(1024 * 1024):
                    written.write(chunk)
    buffer.seek(0)
    return buffer, f"{folder}.zip"
