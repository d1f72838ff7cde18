"""Support that carries on after the referral: the Independent Child Trafficking Guardian (ICTG) service and
other support services, safeguarding actions, and the plan for when the child turns 18 (DESIGN.md section 3:
"support must carry on into adulthood", so the case does not close at 18).

Each rule about one answer is in a `*_problems` function that the forms call too, so that a page shows its
message next to the answer; the services check the same rules again, because they, not the forms, are the rule.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from nrm_panel.models import Role
from referrals.models import Referral
from safeguarding.models import (
    SafeguardingAction,
    SupportKind,
    SupportOutcome,
    SupportReferral,
    TransitionPlan,
)
from safeguarding.services import (
    AnswerRefused,
    SafeguardingError,
    StaleRecord,
    check_version,
    require_open_case,
    require_role,
    save_with_reason,
)

# Who writes: the coordinator keeps the support and transition records; the chair also sets actions at meetings.
SUPPORT_WRITER_ROLES = frozenset({Role.COORDINATOR})
ACTION_WRITER_ROLES = frozenset({Role.COORDINATOR, Role.CHAIR})
TRANSITION_WRITER_ROLES = frozenset({Role.COORDINATOR})

# A support referral still in play: a second ICTG referral next to one of these would give the child two guardians.
ICTG_IN_PLAY = (SupportOutcome.AWAITING, SupportOutcome.ACCEPTED)

REFERRED_IN_FUTURE = "The date of the referral must be today or in the past."
OUTCOME_IN_FUTURE = "The date of the outcome must be today or in the past."
OUTCOME_BEFORE_REFERRAL = "The date of the outcome must be the same as or after the date of the referral ({date})."
OUTCOME_NEEDS_DATE = "Enter the date of the outcome (“{outcome}”)."
AWAITING_HAS_NO_DATE = (
    "A referral still awaiting a response has no outcome date: remove the date, or choose the outcome."
)
GUARDIAN_NAME_REQUIRED = "Enter the guardian's name: an accepted ICTG referral has a guardian allocated to the child."
SERVICE_NAME_REQUIRED = "Enter the name of the service for “Other support”."
ICTG_ALREADY = (
    "This child already has an ICTG referral {status}, made on {date}: change that referral instead of recording "
    "another."
)
ACTION_REQUIRED = "Enter what must be done."
OWNER_REQUIRED = "Enter who owns the action: a name and their agency."
DUE_IN_PAST = "The due date must be today or in the future."
DONE_IN_FUTURE = "The date it was done must be today or in the past."
DONE_BEFORE_REFERRAL = "The date it was done must be the same as or after the date of the referral ({date})."
ALREADY_DONE = "This action was already marked as done on {date}."
DONE_CANNOT_CHANGE = "This action is done: reopen it before changing it."
NOT_DONE = "This action is not marked as done."
REOPEN_REASON_REQUIRED = "Give the reason for reopening the action."
PLAN_REQUIRED = "Enter the transition plan: how support carries on when the young person turns 18."
ADULT_REFERRAL_IN_FUTURE = "The date of the referral to adult services must be today or in the past."
ADULT_TEAM_REQUIRED = "Enter the adult services team the young person was referred to."


def _day(value: datetime.date) -> str:
    return f"{value:%-d %B %Y}"


def _raise_first(problems: dict[str, str]) -> None:
    for field, message in problems.items():
        raise AnswerRefused(message, field=field)


def _locked_case(referral: Referral) -> Referral:
    return Referral.objects.select_for_update().get(pk=referral.pk)


# Support referrals: the ICTG service and others


def support_referral_problems(
    *,
    kind: str,
    service_name: str,
    referred_on: datetime.date,
    outcome: str,
    outcome_on: datetime.date | None,
    contact_name: str,
    today: datetime.date,
) -> dict[str, str]:
    """What is wrong with a support referral's answers, by the answer it is about (empty when all is well)."""
    problems = {}
    if kind == SupportKind.OTHER and not service_name.strip():
        problems["service_name"] = SERVICE_NAME_REQUIRED
    if referred_on > today:
        problems["referred_on"] = REFERRED_IN_FUTURE
    if outcome == SupportOutcome.AWAITING:
        if outcome_on is not None:
            problems["outcome_on"] = AWAITING_HAS_NO_DATE
    elif outcome_on is None:
        problems["outcome_on"] = OUTCOME_NEEDS_DATE.format(outcome=SupportOutcome(outcome).label)
    elif outcome_on > today:
        problems["outcome_on"] = OUTCOME_IN_FUTURE
    elif outcome_on < referred_on:
        problems["outcome_on"] = OUTCOME_BEFORE_REFERRAL.format(date=_day(referred_on))
    if kind == SupportKind.ICTG and outcome == SupportOutcome.ACCEPTED and not contact_name.strip():
        problems["contact_name"] = GUARDIAN_NAME_REQUIRED
    return problems


def _check_one_ictg(referral: Referral, *, kind: str, outcome: str, support: SupportReferral | None) -> None:
    """A child has one guardian: no second ICTG referral while another is awaiting a response or accepted."""
    if kind != SupportKind.ICTG or outcome not in ICTG_IN_PLAY:
        return
    others = SupportReferral.objects.filter(referral=referral, kind=SupportKind.ICTG, outcome__in=ICTG_IN_PLAY)
    if support is not None:
        others = others.exclude(pk=support.pk)
    other = others.order_by("referred_on", "id").first()
    if other is not None:
        status = "awaiting a response" if other.outcome == SupportOutcome.AWAITING else "accepted"
        raise SafeguardingError(ICTG_ALREADY.format(status=status, date=_day(other.referred_on)))


def _fill_support(
    support: SupportReferral,
    *,
    kind,
    service_name,
    referred_on,
    outcome,
    outcome_on,
    contact_name,
    contact_phone,
    contact_email,
    notes,
) -> None:
    support.kind = kind
    support.service_name = service_name.strip()
    support.referred_on = referred_on
    support.outcome = outcome
    support.outcome_on = outcome_on
    support.contact_name = contact_name.strip()
    support.contact_phone = contact_phone.strip()
    support.contact_email = contact_email.strip()
    support.notes = notes.strip()


def support_referral_record(
    *,
    referral: Referral,
    user,
    kind: str,
    referred_on: datetime.date,
    outcome: str = SupportOutcome.AWAITING,
    outcome_on: datetime.date | None = None,
    service_name: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    notes: str = "",
    today: datetime.date | None = None,
) -> SupportReferral:
    """Record that the child was referred to the ICTG service or another support service."""
    today = today or timezone.localdate()
    with transaction.atomic():
        referral = _locked_case(referral)
        require_role(user, referral, SUPPORT_WRITER_ROLES)
        require_open_case(referral)
        _raise_first(
            support_referral_problems(
                kind=kind,
                service_name=service_name,
                referred_on=referred_on,
                outcome=outcome,
                outcome_on=outcome_on,
                contact_name=contact_name,
                today=today,
            )
        )
        _check_one_ictg(referral, kind=kind, outcome=outcome, support=None)
        support = SupportReferral(referral=referral, recorded_by=user)
        _fill_support(
            support,
            kind=kind,
            service_name=service_name,
            referred_on=referred_on,
            outcome=outcome,
            outcome_on=outcome_on,
            contact_name=contact_name,
            contact_phone=contact_phone,
            contact_email=contact_email,
            notes=notes,
        )
        reason = f"{support.get_kind_display()} referral recorded"
        if outcome != SupportOutcome.AWAITING:
            reason += f": {support.get_outcome_display().lower()}"
        save_with_reason(support, reason, user)
    return support


def support_referral_update(
    *,
    support_referral: SupportReferral,
    user,
    kind: str,
    referred_on: datetime.date,
    outcome: str,
    outcome_on: datetime.date | None,
    service_name: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    notes: str = "",
    version: int | None = None,
    today: datetime.date | None = None,
) -> SupportReferral:
    """Change a support referral: usually to record its outcome and, for the ICTG, the guardian allocated."""
    today = today or timezone.localdate()
    with transaction.atomic():
        referral = _locked_case(support_referral.referral)
        support = SupportReferral.objects.select_for_update().get(pk=support_referral.pk)
        require_role(user, referral, SUPPORT_WRITER_ROLES)
        require_open_case(referral)
        check_version(support, version)
        _raise_first(
            support_referral_problems(
                kind=kind,
                service_name=service_name,
                referred_on=referred_on,
                outcome=outcome,
                outcome_on=outcome_on,
                contact_name=contact_name,
                today=today,
            )
        )
        _check_one_ictg(referral, kind=kind, outcome=outcome, support=support)
        outcome_changed = outcome != support.outcome
        _fill_support(
            support,
            kind=kind,
            service_name=service_name,
            referred_on=referred_on,
            outcome=outcome,
            outcome_on=outcome_on,
            contact_name=contact_name,
            contact_phone=contact_phone,
            contact_email=contact_email,
            notes=notes,
        )
        reason = f"{support.get_kind_display()} referral changed"
        if outcome_changed:
            reason += f": {support.get_outcome_display().lower()}"
        save_with_reason(support, reason, user)
    return support


# Safeguarding actions


def action_problems(*, action: str, owner: str, due_on: datetime.date, today: datetime.date) -> dict[str, str]:
    problems = {}
    if not action.strip():
        problems["action"] = ACTION_REQUIRED
    if not owner.strip():
        problems["owner"] = OWNER_REQUIRED
    if due_on < today:
        problems["due_on"] = DUE_IN_PAST
    return problems


def action_done_problems(*, referral: Referral, done_on: datetime.date, today: datetime.date) -> dict[str, str]:
    if done_on > today:
        return {"done_on": DONE_IN_FUTURE}
    if referral.referral_date and done_on < referral.referral_date:
        return {"done_on": DONE_BEFORE_REFERRAL.format(date=_day(referral.referral_date))}
    return {}


def _locked_action(safeguarding_action: SafeguardingAction) -> SafeguardingAction:
    return SafeguardingAction.objects.select_for_update().select_related("referral").get(pk=safeguarding_action.pk)


def action_record(
    *, referral: Referral, user, action: str, owner: str, due_on: datetime.date, today: datetime.date | None = None
) -> SafeguardingAction:
    """Record something someone must do to keep the child safe, who does it, and by when."""
    today = today or timezone.localdate()
    with transaction.atomic():
        referral = _locked_case(referral)
        require_role(user, referral, ACTION_WRITER_ROLES)
        require_open_case(referral)
        _raise_first(action_problems(action=action, owner=owner, due_on=due_on, today=today))
        safeguarding_action = SafeguardingAction(
            referral=referral, action=action.strip(), owner=owner.strip(), due_on=due_on, recorded_by=user
        )
        save_with_reason(safeguarding_action, f"Safeguarding action recorded, due {_day(due_on)}", user)
    return safeguarding_action


def action_update(
    *,
    safeguarding_action: SafeguardingAction,
    user,
    action: str,
    owner: str,
    due_on: datetime.date,
    version: int | None = None,
    today: datetime.date | None = None,
) -> SafeguardingAction:
    """Change what an open action is, who owns it or when it is due. A due date already past may stay as it is
    (the action is overdue), but a new due date is today or later."""
    today = today or timezone.localdate()
    with transaction.atomic():
        _locked_case(safeguarding_action.referral)
        current = _locked_action(safeguarding_action)
        require_role(user, current.referral, ACTION_WRITER_ROLES)
        require_open_case(current.referral)
        check_version(current, version)
        if current.done_on is not None:
            raise SafeguardingError(DONE_CANNOT_CHANGE)
        problems = action_problems(action=action, owner=owner, due_on=due_on, today=today)
        if due_on == current.due_on:
            problems.pop("due_on", None)
        _raise_first(problems)
        reason = "Safeguarding action changed"
        if due_on != current.due_on:
            reason += f": now due {_day(due_on)}"
        current.action, current.owner, current.due_on = action.strip(), owner.strip(), due_on
        save_with_reason(current, reason, user)
    return current


def action_done(
    *,
    safeguarding_action: SafeguardingAction,
    user,
    done_on: datetime.date,
    done_note: str = "",
    today: datetime.date | None = None,
) -> SafeguardingAction:
    """Mark an action as done, on the day it was done."""
    today = today or timezone.localdate()
    with transaction.atomic():
        _locked_case(safeguarding_action.referral)
        current = _locked_action(safeguarding_action)
        require_role(user, current.referral, ACTION_WRITER_ROLES)
        require_open_case(current.referral)
        if current.done_on is not None:
            # Someone else marked it meanwhile (or the button was pressed twice): theirs stands.
            raise StaleRecord(ALREADY_DONE.format(date=_day(current.done_on)))
        _raise_first(action_done_problems(referral=current.referral, done_on=done_on, today=today))
        current.done_on, current.done_note = done_on, done_note.strip()
        save_with_reason(current, f"Safeguarding action done on {_day(done_on)}", user)
    return current


def action_reopen(*, safeguarding_action: SafeguardingAction, user, reason: str) -> SafeguardingAction:
    """Undo 'done' (marked by mistake, or it needs doing again); the reason is kept in the history."""
    with transaction.atomic():
        _locked_case(safeguarding_action.referral)
        current = _locked_action(safeguarding_action)
        require_role(user, current.referral, ACTION_WRITER_ROLES)
        require_open_case(current.referral)
        if current.done_on is None:
            raise StaleRecord(NOT_DONE)
        if not reason.strip():
            raise SafeguardingError(REOPEN_REASON_REQUIRED)
        current.done_on, current.done_note = None, ""
        save_with_reason(current, f"Safeguarding action reopened: {reason.strip()}", user)
    return current


# Turning 18


def transition_plan_problems(
    *, plan: str, adult_services_referred_on: datetime.date | None, adult_services_team: str, today: datetime.date
) -> dict[str, str]:
    problems = {}
    if not plan.strip():
        problems["plan"] = PLAN_REQUIRED
    if adult_services_referred_on is not None:
        if adult_services_referred_on > today:
            problems["adult_services_referred_on"] = ADULT_REFERRAL_IN_FUTURE
        if not adult_services_team.strip():
            problems["adult_services_team"] = ADULT_TEAM_REQUIRED
    return problems


def transition_plan_save(
    *,
    referral: Referral,
    user,
    plan: str,
    adult_services_referred_on: datetime.date | None = None,
    adult_services_team: str = "",
    adult_services_contact: str = "",
    version: int | None = None,
    today: datetime.date | None = None,
) -> TransitionPlan:
    """Record, or change, how support carries on when the young person turns 18, and their referral to adult
    services. `version` is the plan's `history_version` the person started from: 0 for "there was no plan"."""
    today = today or timezone.localdate()
    with transaction.atomic():
        referral = _locked_case(referral)
        require_role(user, referral, TRANSITION_WRITER_ROLES)
        require_open_case(referral)
        current = TransitionPlan.objects.select_for_update().filter(referral=referral).first()
        check_version(current, version)
        _raise_first(
            transition_plan_problems(
                plan=plan,
                adult_services_referred_on=adult_services_referred_on,
                adult_services_team=adult_services_team,
                today=today,
            )
        )
        transition_plan = current or TransitionPlan(referral=referral)
        was_referred = current is not None and current.adult_services_referred_on is not None
        transition_plan.plan = plan.strip()
        transition_plan.adult_services_referred_on = adult_services_referred_on
        transition_plan.adult_services_team = adult_services_team.strip()
        transition_plan.adult_services_contact = adult_services_contact.strip()
        transition_plan.updated_by = user
        reason = "Transition plan changed" if current else "Transition plan recorded"
        if adult_services_referred_on is not None and not was_referred:
            reason += f": referred to adult services on {_day(adult_services_referred_on)}"
        save_with_reason(transition_plan, reason, user)
    return transition_plan
