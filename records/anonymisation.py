"""Anonymising a case its coordinator reviewed "anonymise", once it is closed and past its panel's retention period.

What identifies the child or the people around them goes: names, aliases, contact details, addresses, every
free text (the account, reasons, agency inputs, decisions' reasons, health questions and answers, actions,
court details, the case's part of the minutes), the stored files (evidence, health documents, letters, letter
zips holding the case's letters), and the same in every django-simple-history row, which keep copies.

What stays: the reference, the panel, the dates, the coded answers and the outcomes, so that every report and
data return gives the same figures as before. The date of birth is replaced by a stand-in that is not the
child's but gives the same answers to what the reports ask of it (the age at referral, 18 or over, within
100 days of 18). Each case is anonymised in its own transaction, which is undone if the panel's figures
for the case's referral date would change. The access log is left as it is: it names references, not people.
"""

import datetime
import hashlib
import html
import logging
import re
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.db import models, transaction
from django.utils import timezone

from decisions.models import (
    AgencyInput,
    AgendaItem,
    ConflictOfInterest,
    Decision,
    Letter,
    LetterExport,
    LetterExportStatus,
    PanelMeeting,
    Reconsideration,
)
from records.models import Anonymisation, RetentionDecision, RetentionReview
from records.services import RecordsError, check_due_for_review, has_ongoing_proceedings
from referrals.ages import age_on, eighteenth_birthday
from referrals.models import Attachment, PrivateUploadStorage, Referral
from referrals.scope import DAYS_BEFORE_18_OUT_OF_SCOPE
from reporting import data_return, figures
from safeguarding.models import (
    CourtProceeding,
    HealthInformationRequest,
    HealthResponseDocument,
    Hearing,
    LetterSent,
    ProviderLink,
    SafeguardingAction,
    SupportReferral,
    TransitionPlan,
)

log = logging.getLogger(__name__)

# What a required text becomes (an optional one becomes empty): the pages that show it still read sensibly.
ANONYMISED = "Anonymised"
# A history entry's reason that named someone, or quoted what they wrote.
REASON_REMOVED = "Changed (details removed when the case was anonymised)"
MINUTES_NOTE = '<p class="govuk-body">The details of this item were removed when the case was anonymised.</p>'
EXPORT_REMOVED = (
    "This zip was deleted because a case whose letters it held was anonymised. Export the letters you need again."
)

NOT_REVIEWED = "This case has not been reviewed as one to anonymise."
PROCEEDINGS_ONGOING = (
    "Criminal proceedings on this case are recorded as ongoing: it is not anonymised until they are recorded as "
    "concluded or discontinued, or it is reviewed again."
)
FIGURES_WOULD_CHANGE = "Anonymising this case would change the panel's figures: it was left as it was."
NO_STAND_IN = "No stand-in date of birth gives the same figures: the case was left as it was."

# The referral's answers that identify the child or the people around them: emptied. The date of birth is
# replaced by a stand-in and the lead social worker is no longer named (both below); the coded answers, the
# nationality (the reports count it), the dates and the outcome stay.
REFERRAL_FIELDS = (
    "first_name",
    "last_name",
    "aliases",
    "languages",
    "communication_needs",
    "current_address",
    "responsible_local_authority",
    "school",
    "first_responder_organisation",
    "first_responder_name",
    "first_responder_role",
    "first_responder_email",
    "first_responder_phone",
    "alternative_contact",
    "decision_safe_address",
    "legal_representative_name",
    "legal_representative_organisation",
    "legal_representative_address",
    "exploitation_type_other",
    "exploitation_places",
    "exploitation_addresses",
    "account",
    "police_reference",
    "police_force",
    "child_wishes_and_feelings",
    "other_agencies_involved",
    "state_reason",
    "delay_reason",
)


@dataclass(frozen=True)
class Scrub:
    """The texts of one kind of record to clear, and how its rows (live and in its history) are found from the
    case: `key` is the field holding the id, `of` which ids (see `_Ids`)."""

    model: type
    fields: tuple[str, ...]
    key: str = "referral_id"
    of: str = "case"


SCRUBS = [
    Scrub(Referral, REFERRAL_FIELDS, key="id"),
    Scrub(Attachment, ("original_name", "description")),
    Scrub(AgendaItem, ("removal_reason",)),
    Scrub(ConflictOfInterest, ("reason",), key="item_id", of="items"),
    Scrub(AgencyInput, ("knowledge", "risks", "reasons")),
    Scrub(Decision, ("reasons", "evidence_considered", "dissent", "delay_reason")),
    Scrub(Reconsideration, ("requester_name", "details", "exceptional_reason", "refusal_reason")),
    Scrub(Letter, ("correction_reason",)),
    Scrub(
        HealthInformationRequest,
        (
            "provider_name",
            "contact_name",
            "contact_email",
            "questions",
            "response_text",
            "responded_by_name",
            "withdrawn_reason",
        ),
    ),
    Scrub(ProviderLink, ("sent_to",), key="request_id", of="health_requests"),
    Scrub(HealthResponseDocument, ("original_name",), key="request_id", of="health_requests"),
    Scrub(SupportReferral, ("service_name", "contact_name", "contact_phone", "contact_email", "notes")),
    Scrub(SafeguardingAction, ("action", "owner", "done_note")),
    Scrub(TransitionPlan, ("plan", "adult_services_team", "adult_services_contact")),
    Scrub(
        CourtProceeding,
        (
            "charge",
            "court",
            "case_number",
            "outcome",
            "solicitor_name",
            "solicitor_firm",
            "solicitor_address",
            "solicitor_email",
            "solicitor_phone",
        ),
    ),
    Scrub(Hearing, ("purpose",), key="proceeding_id", of="proceedings"),
    Scrub(LetterSent, ("recipient",), key="proceeding_id", of="proceedings"),
    Scrub(RetentionReview, ("details",)),
]
# Texts of those records that stay, on purpose: a reference, a code, a wording or a hash that names nobody.
# (tests/records check that every text field of a record above is cleared or listed here.)
KEPT = {
    Referral: ("reference", "nationality", "second_nationality"),
    Attachment: ("content_type",),
    Decision: ("threshold_wording", "present", "voters"),  # the panel's members, by role; and the legal test
    Letter: ("about", "sha256"),
    HealthResponseDocument: ("content_type", "sha256"),
}
# Texts inside JSON that name people, cleared record by record: (model, field, how).
DECISION_RECOMMENDATIONS = (Decision, "agency_recommendations")
LETTER_ADDRESSEES = (Letter, "addressees")


def _cleared(model, name: str):
    """What a cleared text becomes: empty where the field may be empty (and for an email address, which must
    never be written to again), else ANONYMISED."""
    model_field = model._meta.get_field(name)
    if model_field.blank or isinstance(model_field, models.EmailField):
        return ""
    return ANONYMISED


def _history(model):
    return model.history.model if hasattr(model, "history") else None


# The date of birth


def _date_of_birth_answers(date_of_birth: datetime.date, referral_date: datetime.date) -> tuple:
    """What the reports ask of a date of birth on the referral date (reporting.ages, reporting.figures): the
    age in whole years (None if born after it), whether 18 or over, whether within 100 days of 18."""
    if date_of_birth > referral_date:
        return None, False, False
    turns_18 = eighteenth_birthday(date_of_birth)
    near_18_from = turns_18 - datetime.timedelta(days=DAYS_BEFORE_18_OUT_OF_SCOPE)
    return age_on(date_of_birth, referral_date), referral_date >= turns_18, near_18_from <= referral_date < turns_18


def stand_in_date_of_birth(date_of_birth: datetime.date | None, referral_date: datetime.date) -> datetime.date | None:
    """A date that is not the child's date of birth but gives the same answers to what the reports ask of one:
    the day they turned the same age, or, within 100 days of 18, the nearest such day before their 18th
    birthday. None for none."""
    if date_of_birth is None:
        return None
    wanted = _date_of_birth_answers(date_of_birth, referral_date)
    age, _, is_near_18 = wanted
    if age is None:
        candidates = (referral_date + datetime.timedelta(days=days) for days in range(1, 367))
    elif is_near_18:
        eighteen_before = referral_date - relativedelta(years=18)
        candidates = (eighteen_before + datetime.timedelta(days=days) for days in range(1, 101))
    else:
        turned = referral_date - relativedelta(years=age)
        candidates = (turned - datetime.timedelta(days=days) for days in range(0, 366))
    for candidate in candidates:
        if candidate != date_of_birth and _date_of_birth_answers(candidate, referral_date) == wanted:
            return candidate
    raise RecordsError(NO_STAND_IN)


# The minutes

_BLOCK = re.compile(r"<(h3|p|ul)\b[^>]*>.*?</\1>", re.S)
_ITEM_HEADING = re.compile(r'<h3 class="govuk-heading-s">Item \d+: (?P<reference>[^<]*?) \(')
_TAKEN_OFF = re.compile(r'<p class="govuk-body">(?P<reference>[^<]*?) was taken off the agenda: ')
_DECISION_LINE = '<p class="govuk-body"><strong>'


def minutes_without_case(minutes: str, *, reference: str, texts: set[str]) -> str:
    """The approved minutes (decisions/_minutes.html) with the case's item reduced to its heading and outcome
    lines, and what was said of it removed; any of `texts` (what the case's records said, that the minutes
    print) still found is removed too. Other cases' items are left exactly as approved."""
    parts, end, in_item, noted = [], 0, False, False
    for match in _BLOCK.finditer(minutes):
        parts.append(minutes[end : match.start()])
        end = match.end()
        block = match.group(0)
        heading = _ITEM_HEADING.match(block)
        taken_off = _TAKEN_OFF.match(block)
        if heading:
            in_item, noted = heading["reference"] == reference, False
        elif taken_off:
            in_item = False  # the taken-off items follow every item
            if taken_off["reference"] == reference:
                block = f'<p class="govuk-body">{reference} was taken off the agenda.</p>'
        elif in_item and block.startswith("<p") and not block.startswith(_DECISION_LINE):
            block = "" if noted else MINUTES_NOTE
            noted = True
        parts.append(block)
    parts.append(minutes[end:])
    scrubbed = "".join(parts)
    # Only texts long enough not to be found by chance in what was said of another case.
    for text in sorted(texts, key=len, reverse=True):
        if len(text) >= 20:
            scrubbed = scrubbed.replace(html.escape(text), ANONYMISED)
    return scrubbed


# The case's records


@dataclass
class _Ids:
    """The ids of the case's records, from their history as well, so a record deleted since is found too."""

    case: list
    items: list
    meetings: list
    health_requests: list
    proceedings: list

    @classmethod
    def of(cls, referral: Referral) -> "_Ids":
        def ids(model, *, field_name: str = "id") -> list:
            live = model.objects.filter(referral_id=referral.pk).values_list(field_name, flat=True)
            past = _history(model).objects.filter(referral_id=referral.pk).values_list(field_name, flat=True)
            return sorted(set(live) | set(past))

        return cls(
            case=[referral.pk],
            items=ids(AgendaItem),
            meetings=ids(AgendaItem, field_name="meeting_id"),
            health_requests=ids(HealthInformationRequest),
            proceedings=ids(CourtProceeding),
        )


def _rows(scrub: Scrub, ids: _Ids):
    """The scrub's live rows and history rows (None for a record without history) of the case."""
    where = {f"{scrub.key}__in": getattr(ids, scrub.of)}
    history = _history(scrub.model)
    return scrub.model.objects.filter(**where), history.objects.filter(**where) if history else None


@dataclass
class Plan:
    """What anonymising a case removes: rows per kind of record (history included), and the stored files."""

    rows: dict = field(default_factory=dict)
    files: list = field(default_factory=list)

    @property
    def row_count(self) -> int:
        return sum(self.rows.values())


def _stored_files(referral: Referral, *, read_missing_hashes: bool) -> list[dict]:
    """Every stored file holding the case's data: what is deleted, with its size and SHA-256 kept."""
    found = []
    for attachment in Attachment.objects.filter(referral=referral).order_by("pk"):
        found.append(_file_entry("evidence", attachment, attachment.file, hashed_here=read_missing_hashes))
    for document in HealthResponseDocument.objects.filter(request__referral=referral).order_by("pk"):
        found.append(_file_entry("health document", document, document.file, sha256=document.sha256))
    for letter in Letter.objects.filter(referral=referral).exclude(file="").order_by("pk"):
        found.append(_file_entry("letter", letter, letter.file, sha256=letter.sha256, size=letter.size))
    exports = LetterExport.objects.filter(letters__referral=referral).exclude(file="").distinct().order_by("pk")
    for export in exports:
        found.append(_file_entry("letters zip", export, export.file, sha256=export.sha256))
    return found


def _file_entry(kind: str, record, stored, *, sha256: str = "", size=None, hashed_here: bool = False) -> dict:
    entry = {"kind": kind, "id": record.pk, "name": stored.name, "size": size, "sha256": sha256, "missing": False}
    if hashed_here or entry["size"] is None:
        try:
            with stored.open("rb") as handle:
                if hashed_here:
                    entry["sha256"] = hashlib.file_digest(handle, "sha256").hexdigest()
            entry["size"] = stored.size
        except OSError:
            entry["missing"] = True
    return entry


def anonymisation_plan(referral: Referral) -> Plan:
    """What anonymising the case would remove, without changing anything (the command's --dry-run)."""
    ids = _Ids.of(referral)
    plan = Plan()
    for scrub in SCRUBS:
        live, history = _rows(scrub, ids)
        plan.rows[str(scrub.model._meta.verbose_name_plural)] = live.count() + (history.count() if history else 0)
    plan.rows["meeting minutes"] = _minutes_rows(ids).count() + _minutes_history_rows(ids).count()
    plan.files = _stored_files(referral, read_missing_hashes=False)
    return plan


def _minutes_rows(ids: _Ids):
    return PanelMeeting.objects.filter(pk__in=ids.meetings).exclude(minutes_html="")


def _minutes_history_rows(ids: _Ids):
    return _history(PanelMeeting).objects.filter(id__in=ids.meetings).exclude(minutes_html="")


def check_anonymisable(referral: Referral, *, today: datetime.date) -> RetentionReview:
    """The review that decided to anonymise the case, if the case may be anonymised today; else a refusal:
    the case must be closed (or withdrawn, or transferred), past its panel's retention period, reviewed
    "anonymise" by its latest review, and have no criminal proceedings recorded as ongoing."""
    check_due_for_review(referral, today=today)
    review = referral.retention_reviews.order_by("-reviewed_at", "-id").first()
    if review is None or review.decision != RetentionDecision.ANONYMISE:
        raise RecordsError(NOT_REVIEWED)
    if has_ongoing_proceedings(referral):
        raise RecordsError(PROCEEDINGS_ONGOING)
    return review


def case_anonymise(*, referral: Referral, today: datetime.date | None = None) -> Anonymisation:
    """Anonymise one case, in one transaction, or refuse with the reason. A case already anonymised is left as
    it is (its anonymisation is returned), so running again does nothing twice. The stored files are deleted
    once the transaction has committed."""
    today = today or timezone.localdate()
    with transaction.atomic():
        referral = Referral.objects.select_for_update(of=("self",)).select_related("panel").get(pk=referral.pk)
        done = Anonymisation.objects.filter(referral=referral).first()
        if done is not None:
            return done
        review = check_anonymisable(referral, today=today)
        figures_before = case_figures(referral)
        ids = _Ids.of(referral)
        said = _texts_said(ids)
        rows = _scrub_records(referral, ids, said)
        files = _stored_files(referral, read_missing_hashes=True)
        LetterExport.objects.filter(pk__in=[f["id"] for f in files if f["kind"] == "letters zip"]).update(
            status=LetterExportStatus.FAILED, error=EXPORT_REMOVED, file=""
        )
        anonymisation = Anonymisation.objects.create(referral=referral, review=review, removed_files=files, rows=rows)
        referral.refresh_from_db()
        if case_figures(referral) != figures_before:
            raise RecordsError(FIGURES_WOULD_CHANGE)
        transaction.on_commit(lambda: anonymisation_files_delete(anonymisation.pk))
    return anonymisation


def case_figures(referral: Referral) -> tuple:
    """Every figure the reports give for the case's panel on the case's referral date, and its data return
    rows: the same before and after anonymising, or the anonymisation is undone."""
    day = referral.referral_date
    scope = figures.Scope(panels=[referral.panel], date_from=day, date_to=day)
    tables = figures.dashboard_tables(scope, today=timezone.localdate())
    return tables, list(data_return.data_return_rows([referral.panel], day, day))


def _texts_said(ids: _Ids) -> dict[type, set[str]]:
    """Every text the case's records hold or held (history included) that is cleared, by kind of record."""
    said = {}
    for scrub in SCRUBS:
        live, history = _rows(scrub, ids)
        values = set()
        for rows in (live, history):
            if rows is None:
                continue
            for row in rows.values_list(*scrub.fields):
                values.update(value.strip() for value in row if isinstance(value, str) and value.strip())
        said[scrub.model] = values
    return said


def _scrub_records(referral: Referral, ids: _Ids, said: dict) -> dict:
    """Clear every record of the case and its history; how many rows of each kind were cleared."""
    rows = {}
    everything_said = set().union(*said.values())
    mentions = _mentions(everything_said)
    stand_in = stand_in_date_of_birth(referral.date_of_birth, referral.referral_date)
    for scrub in SCRUBS:
        live, history = _rows(scrub, ids)
        cleared = {name: _cleared(scrub.model, name) for name in scrub.fields}
        if scrub.model is Referral:
            cleared |= {"date_of_birth": stand_in, "lead_social_worker": None}
        count = live.update(**cleared)
        if history is not None:
            count += history.update(**cleared)
            _reasons_scrub(history, mentions)
        rows[str(scrub.model._meta.verbose_name_plural)] = count
    referral.possible_duplicates.clear()  # flagged by the child's name and date of birth
    _json_scrub(ids)
    removed_reasons = _meeting_reasons_scrub(ids, mentions)
    rows["meeting minutes"] = _minutes_scrub(referral, ids, said, also=removed_reasons)
    return rows


def _mentions(texts: set[str]):
    """A pattern finding any of `texts` as whole words, or None for none."""
    words = sorted((text for text in texts if len(text) >= 3), key=len, reverse=True)
    if not words:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(word) for word in words) + r")(?!\w)", re.IGNORECASE)


def _reasons_scrub(history, mentions) -> None:
    """Each history entry's reason, without what came after its colon (what someone typed: a return reason, a
    correction) and, if it still names someone or quotes their words, replaced."""
    reasons = set(history.exclude(history_change_reason=None).values_list("history_change_reason", flat=True))
    for reason in reasons:
        safe = reason.split(":", 1)[0].strip()
        if mentions is not None and mentions.search(safe):
            safe = REASON_REMOVED
        if safe != reason:
            history.filter(history_change_reason=reason).update(history_change_reason=safe)


def _json_scrub(ids: _Ids) -> None:
    """The texts inside a decision's agency recommendations and a letter's addressees, kept for their codes."""
    for model, name, scrubbed in (
        (*DECISION_RECOMMENDATIONS, _recommendations_scrubbed),
        (*LETTER_ADDRESSEES, _addressees_scrubbed),
    ):
        where = {"referral_id__in": ids.case}
        for rows in (model.objects.filter(**where), _history(model).objects.filter(**where)):
            key = "pk" if rows.model is model else "history_id"
            for row_key, value in rows.values_list(key, name):
                new = scrubbed(value or [])
                if new != value:
                    rows.filter(**{key: row_key}).update(**{name: new})


def _recommendations_scrubbed(recommendations: list) -> list:
    return [{**each, "reasons": ""} for each in recommendations]


def _addressees_scrubbed(addressees: list) -> list:
    return [{"role": each.get("role", ""), "name": "", "organisation": "", "address": ""} for each in addressees]


def _minutes_scrub(referral: Referral, ids: _Ids, said: dict, *, also: set[str]) -> int:
    """The case's part of the minutes of every meeting it was on, as approved and in the meetings' history;
    and `also`, other texts of those meetings that named the child."""
    texts = set().union(*(said[model] for model in (Decision, ConflictOfInterest, AgendaItem)), also)
    count = 0
    for rows, key in ((_minutes_rows(ids), "pk"), (_minutes_history_rows(ids), "history_id")):
        for row_key, minutes in rows.values_list(key, "minutes_html"):
            scrubbed = minutes_without_case(minutes, reference=referral.reference, texts=texts)
            if scrubbed != minutes:
                rows.filter(**{key: row_key}).update(minutes_html=scrubbed)
                count += 1
    return count


def _meeting_reasons_scrub(ids: _Ids, mentions) -> set[str]:
    """A meeting is not the case's, but why it was called or moved may name the child (an extraordinary
    meeting for one case): such a reason, and the history entries quoting it, lose it. The reasons removed,
    which the minutes print too."""
    removed = set()
    if mentions is None:
        return removed
    history = _history(PanelMeeting).objects.filter(id__in=ids.meetings)
    for rows in (PanelMeeting.objects.filter(pk__in=ids.meetings), history):
        for reason in set(rows.exclude(reason="").values_list("reason", flat=True)):
            if mentions.search(reason):
                rows.filter(reason=reason).update(reason="")
                removed.add(reason)
    for reason in set(history.exclude(history_change_reason=None).values_list("history_change_reason", flat=True)):
        if mentions.search(reason):
            history.filter(history_change_reason=reason).update(history_change_reason=REASON_REMOVED)
    return removed


def anonymisation_files_delete(anonymisation_id: int) -> int:
    """Delete an anonymised case's stored files, once its anonymisation has committed; how many were deleted.
    Safe to run again (a file already gone is passed over): the command finishes what a failed run left."""
    anonymisation = Anonymisation.objects.filter(pk=anonymisation_id, files_deleted_at=None).first()
    if anonymisation is None:
        return 0
    storage = PrivateUploadStorage()
    deleted = 0
    for entry in anonymisation.removed_files:
        if entry["name"] and storage.exists(entry["name"]):
            storage.delete(entry["name"])
            deleted += 1
    Anonymisation.objects.filter(pk=anonymisation.pk).update(files_deleted_at=timezone.now())
    return deleted


def anonymisation_files_left() -> list[int]:
    """Anonymisations whose files were not yet all deleted (a run stopped between commit and deletion)."""
    return list(Anonymisation.objects.filter(files_deleted_at=None).values_list("pk", flat=True))
