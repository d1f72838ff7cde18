"""Reads of referral data. Every one starts from `visible_referrals(user)`."""

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from guardian.shortcuts import get_objects_for_user

from nrm_panel.models import Panel, Role
from nrm_panel.permissions import CASE_READER_ROLES, TRIAGE_ROLES, panel_ids_for, scope_to_panels
from referrals.clock import ClockStatus, target_date_bounds, with_target_date
from referrals.models import ANSWERS_CHANGED, Referral, State
from referrals.state_machine import CLOCK_RUNNING_STATES


def visible_referrals(user) -> QuerySet[Referral]:
    """The referrals a user may see: their panels' submitted cases, or the ones they referred.

    Panel roles see every case of their panel that has left draft; a referrer sees the
    referrals they hold a guardian `view_referral` permission on, within their panels.
    """
    if not user.is_authenticated:
        return Referral.objects.none()
    panel_cases = scope_to_panels(Referral.objects.exclude(state=State.DRAFT), user, CASE_READER_ROLES)
    own = get_objects_for_user(
        user,
        "referrals.view_referral",
        klass=scope_to_panels(Referral.objects.all(), user, {Role.REFERRER}),
        accept_global_perms=False,
        with_superuser=False,
    )
    return Referral.objects.filter(Q(pk__in=panel_cases.values("pk")) | Q(pk__in=own.values("pk")))


def referral_for(user, public_id) -> Referral:
    """One visible referral, or 404 (never 403: a case one may not see does not exist for them)."""
    try:
        return (
            visible_referrals(user).select_related("panel", "referrer", "police_notified_by").get(public_id=public_id)
        )
    except (Referral.DoesNotExist, ValueError):
        raise Http404("No such referral") from None


@dataclass
class ReferralFilters:
    state: str = ""
    clock: str = ""
    exploitation_type: str = ""
    search: str = ""
    sort: str = "-referral_date"


SORTS = {
    "referral_date": ("referral_date", "reference"),
    "-referral_date": ("-referral_date", "-reference"),
    "reference": ("reference",),
    "-reference": ("-reference",),
    "name": ("last_name", "first_name"),
    "-name": ("-last_name", "-first_name"),
    "state": ("state", "referral_date"),
    "-state": ("-state", "referral_date"),
}
NEEDS_TRIAGE = "needs_triage"
OPEN = "open"


def referral_list(user, filters: ReferralFilters, *, today: datetime.date) -> QuerySet[Referral]:
    cases = visible_referrals(user).select_related("panel")
    if filters.state == NEEDS_TRIAGE:
        cases = cases.filter(state=State.SUBMITTED)
    elif filters.state == OPEN:
        cases = cases.filter(state__in=CLOCK_RUNNING_STATES)
    elif filters.state:
        cases = cases.filter(state=filters.state)
    if filters.clock in {ClockStatus.GREEN, ClockStatus.AMBER, ClockStatus.RED}:
        cases = with_target_date(cases).filter(
            state__in=CLOCK_RUNNING_STATES, **target_date_bounds(filters.clock, today=today)
        )
    if filters.exploitation_type:
        cases = cases.filter(exploitation_types__contains=[filters.exploitation_type])
    if filters.search:
        term = filters.search.strip()
        cases = cases.filter(
            Q(reference__icontains=term)
            | Q(first_name__icontains=term)
            | Q(last_name__icontains=term)
            | Q(aliases__icontains=term)
        )
    return cases.order_by(*SORTS.get(filters.sort, SORTS["-referral_date"]), "pk")


def possible_duplicates_of(user, referral: Referral) -> QuerySet[Referral]:
    """Cases flagged at submission as likely the same child, among those the user may see."""
    return visible_referrals(user).filter(pk__in=referral.possible_duplicates.values("pk")).exclude(state=State.DRAFT)


def needs_triage_count(user) -> int | None:
    """How many submitted referrals wait for triage on the panels the user coordinates."""
    if not panel_ids_for(user, TRIAGE_ROLES):
        return None
    return scope_to_panels(visible_referrals(user), user, TRIAGE_ROLES).filter(state=State.SUBMITTED).count()


def panels_user_refers_for(user) -> QuerySet[Panel]:
    return Panel.objects.filter(pk__in=panel_ids_for(user, {Role.REFERRER})).order_by("name")


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class TimelineEvent:
    at: datetime.datetime
    who: str
    title: str
    changes: list[Change]


_HISTORY_TYPE_TITLES = {"+": "Created", "~": "Changed", "-": "Deleted"}


def _display(field, value) -> str:
    if value in (None, "", []):
        return "—"
    if isinstance(value, list):
        choices = dict(field.base_field.flatchoices) if hasattr(field, "base_field") else {}
        return ", ".join(str(choices.get(v, v)) for v in value)
    if field.flatchoices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def _events(records, *, subject: str = "", is_shown=lambda record: True) -> list[TimelineEvent]:
    """One event per shown record; changes are worked out against the record before, shown or not."""
    events, previous = [], None
    for record in records:
        if is_shown(record):
            changes = []
            if previous is not None and record.history_type == "~":
                for change in record.diff_against(previous).changes:
                    field = record.instance_type._meta.get_field(change.field)
                    changes.append(
                        Change(
                            str(field.verbose_name).capitalize(),
                            _display(field, change.old),
                            _display(field, change.new),
                        )
                    )
            title = record.history_change_reason or _HISTORY_TYPE_TITLES[record.history_type]
            events.append(
                TimelineEvent(
                    at=record.history_date,
                    who=str(record.history_user) if record.history_user else "System",
                    title=f"{title}: {subject}" if subject else title,
                    changes=changes,
                )
            )
        previous = record
    return events


def case_timeline(referral: Referral, *, include_answer_changes: bool = True) -> list[TimelineEvent]:
    """Everything that happened to a case since it was submitted, newest first, from its history records.

    A draft is the referrer's own until they submit it: what they typed and took back, or uploaded
    and removed, before then is never shown, only that the draft was started. The case page also
    leaves out later changes to the answers (`include_answer_changes=False`); the change history
    keeps them, with what changed.
    """
    from referrals.models import Attachment

    referral_records = list(referral.history.select_related("history_user").order_by("history_date", "history_id"))
    submitted_at = next((r.history_date for r in referral_records if r.state != State.DRAFT), None)

    def is_shown(record) -> bool:
        if record.history_type == "~" and record.state == State.DRAFT:
            return False
        is_answer_change = (record.history_change_reason or "").startswith(ANSWERS_CHANGED)
        return include_answer_changes or not is_answer_change

    events = _events(referral_records, is_shown=is_shown)
    attachment_records = (
        Attachment.history.filter(referral_id=referral.pk)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    by_attachment: dict[int, list] = {}
    for record in attachment_records:
        by_attachment.setdefault(record.id, []).append(record)
    for records in by_attachment.values():
        removed_while_drafting = records[-1].history_type == "-" and (
            submitted_at is None or records[-1].history_date < submitted_at
        )
        if not removed_while_drafting:
            events.extend(_events(records, subject=records[-1].original_name))
    return sorted(events, key=lambda event: event.at, reverse=True)
