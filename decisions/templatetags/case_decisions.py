"""The panel's part of the case page: agency inputs, the agenda, decisions and reconsiderations.

An inclusion tag, so the referrals app's case page shows it without importing this app's code.
"""

from django import template

from decisions import selectors, services
from decisions.models import LetterKind, Outcome
from nrm_panel.models import AGENCY_ROLES, Role
from nrm_panel.permissions import CASE_READER_ROLES, MEETING_ROLES, active_memberships, roles_on
from referrals.models import State
from referrals.state_machine import MOVES

register = template.Library()


@register.inclusion_tag("decisions/_case_panel.html", takes_context=True)
def case_decisions(context, referral):
    user = context["request"].user
    roles = roles_on(user, referral.panel_id)
    panel_work = {"referral": referral, "is_panel_reader": bool(roles & CASE_READER_ROLES)}
    if referral.state == State.DRAFT:
        return panel_work
    decisions = selectors.case_decisions(referral)
    panel_work["decisions"] = [d for d in decisions if d.is_signed_off] if Role.CHAIR not in roles else decisions
    if not panel_work["is_panel_reader"]:
        return panel_work
    own_agency_ids = {
        m.agency_id for m in active_memberships(user) if m.role in AGENCY_ROLES and m.panel_id == referral.panel_id
    }
    # Agency inputs are for the people who sit on the panel, not its auditors.
    sits_on_panel = bool(roles & MEETING_ROLES)
    inputs = selectors.case_inputs(referral) if sits_on_panel and referral.state in services.INPUT_STATES else []
    is_coordinator = Role.COORDINATOR in roles
    if roles & selectors.LETTER_READER_ROLES:
        panel_work["letters"] = _case_letters(referral, decisions)
    reconsiderations = list(referral.reconsiderations.select_related("decision"))
    panel_work.update(
        {
            "inputs": inputs,
            "own_agency_ids": own_agency_ids,
            "own_agencies_to_add": [
                m.agency
                for m in active_memberships(user)
                if m.agency_id in own_agency_ids and m.agency_id not in {row.agency.pk for row in inputs}
            ]
            if referral.state in services.INPUT_STATES
            else [],
            "sits_on_panel": sits_on_panel,
            "agenda_item": selectors.case_agenda_item(referral),
            "reconsiderations": reconsiderations,
            "is_coordinator": is_coordinator,
            "can_request_reconsideration": is_coordinator
            and referral.state in MOVES["request_reconsideration"].sources,
            "can_close": is_coordinator and referral.state in MOVES["close"].sources,
            "can_decide_between_meetings": Role.CHAIR in roles
            and referral.panel.allows_rg_between_meetings
            and referral.state == State.RG_PENDING,
        }
    )
    return panel_work


def _case_letters(referral, decisions) -> list[tuple[str, object, dict]]:
    """For each letter the case can have: what it is, its latest version (or None), the fields that issue it.

    Not the decision summary for the defence: each set of criminal proceedings issues its own, to its defence
    solicitor (the safeguarding part of the case page).
    """
    letters = selectors.case_letters(referral)
    by_decision = {letter.decision_id: letter for letter in letters if letter.decision_id}
    by_kind = {letter.kind: letter for letter in letters if not letter.decision_id}
    rows = [
        (
            f"{decision.get_kind_display()}: {decision.get_outcome_display().lower()}, {decision.decided_on:%-d %B %Y}",
            by_decision.get(decision.pk),
            {"decision": decision.public_id},
        )
        for decision in decisions
        if decision.is_signed_off and decision.outcome != Outcome.DEFERRED
    ]
    if referral.state == State.TRANSFERRED:
        rows.append(
            (
                LetterKind.TRANSFER_SUMMARY.label,
                by_kind.get(LetterKind.TRANSFER_SUMMARY),
                {"kind": LetterKind.TRANSFER_SUMMARY},
            )
        )
    return rows
