"""Letters about a case as PDF (DESIGN.md section 5): what each kind of letter shows, its HTML and its PDF.

Everything printed is read from the letter row (its addressees as they stood when it was asked for) and
the case's signed decisions, which never change; the wording lives in the templates under
`decisions/templates/decisions/letters/`.
"""

import datetime

from django.template.loader import render_to_string
from django.utils import timezone

from decisions import documents, services
from decisions.models import Decision, DecisionKind, Letter, LetterKind, Outcome
from referrals.models import State

# A letter goes to the first responder, and the child's legal representative where there is one: never to
# the child (DESIGN.md section 3).
ADDRESSEE_ROLES = ("First responder", "Legal representative", "Defence solicitor")

# Tagged PDF/UA-1: WeasyPrint writes the structure tree, /MarkInfo, the document's language and its title.
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}

NO_ADDRESSEE = (
    "A letter needs an addressee: the first responder, the child's legal representative or defence solicitor."
)
WRONG_ADDRESSEE = (
    "A letter goes only to the first responder, the legal representative or the defence solicitor, not to {role}."
)
NO_DECISION = "This letter is about a signed decision, and has none."
OTHER_CASE = "This letter's decision belongs to another case."
UNSIGNED = "The decision has not been signed off by the chair."
WRONG_KIND = "The letter is about a {expected} decision, but names a {actual} decision."
NOT_A_RECONSIDERATION = "A reconsideration letter is about a decision that replaced an earlier one."
NOTHING_TO_SUMMARISE = "The case has no signed decision to summarise."
NOT_TRANSFERRED = "The case has not been transferred to the Single Competent Authority."

_DECISION_KIND = {LetterKind.RG_OUTCOME: DecisionKind.RG, LetterKind.CG_OUTCOME: DecisionKind.CG}


class LetterNotRenderable(ValueError):
    """The letter row does not describe a letter that can be sent: a bug upstream, never shown to a user."""


def letter_context(letter: Letter) -> dict:
    """Everything the letter's template shows, read from the letter, its case, decision(s) and panel."""
    referral = letter.referral
    panel = referral.panel
    context = {
        "letter": letter,
        "referral": referral,
        "panel": panel,
        "local_authorities": _lines(panel.local_authorities),
        "letterhead_lines": _lines(panel.letter_contact),
        "letter_date": timezone.localdate(letter.requested_at) if letter.requested_at else timezone.localdate(),
        "replaces_version": letter.version - 1 if letter.version > 1 else None,
        "addressees": _addressees(letter),
        "reconsideration_days": services.RECONSIDERATION_WINDOW_DAYS,
    }
    if letter.kind in (LetterKind.RG_OUTCOME, LetterKind.CG_OUTCOME, LetterKind.RECONSIDERATION_OUTCOME):
        context.update(_decision_context(letter))
    elif letter.kind == LetterKind.DEFENCE_SUMMARY:
        context.update(_defence_summary_context(letter))
    elif letter.kind == LetterKind.TRANSFER_SUMMARY:
        context.update(_transfer_context(letter))
    return context


def letter_html(letter: Letter) -> str:
    """The letter as HTML, from `decisions/letters/<kind>.html`."""
    return render_to_string(f"decisions/letters/{letter.kind}.html", letter_context(letter))


def letter_pdf(letter: Letter) -> bytes:
    """The letter as a tagged PDF (PDF/UA-1), every page marked OFFICIAL-SENSITIVE and numbered "Page x of y"."""
    return documents.pdf_from_html(letter_html(letter), **PDF_OPTIONS)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _addressees(letter: Letter) -> list[dict]:
    if not letter.addressees:
        raise LetterNotRenderable(NO_ADDRESSEE)
    addressees = []
    for addressee in letter.addressees:
        if addressee.get("role") not in ADDRESSEE_ROLES:
            raise LetterNotRenderable(WRONG_ADDRESSEE.format(role=addressee.get("role") or "someone unnamed"))
        addressees.append(
            {
                "role": addressee["role"],
                "name": addressee.get("name", ""),
                "organisation": addressee.get("organisation", ""),
                "address_lines": _lines(addressee.get("address", "")),
            }
        )
    return addressees


def _decisions(letter: Letter):
    return Decision.objects.filter(referral_id=letter.referral_id).select_related(
        "item__meeting", "signed_off_by", "deferred_to", "supersedes", "superseded_by"
    )


def _decision_context(letter: Letter) -> dict:
    if letter.decision_id is None:
        raise LetterNotRenderable(NO_DECISION)
    decision = _decisions(letter).filter(pk=letter.decision_id).first()
    if decision is None:
        raise LetterNotRenderable(OTHER_CASE)
    if not decision.is_signed_off:
        raise LetterNotRenderable(UNSIGNED)
    kind = _DECISION_KIND.get(letter.kind)
    if kind and decision.kind != kind:
        raise LetterNotRenderable(
            WRONG_KIND.format(expected=kind.label.lower(), actual=decision.get_kind_display().lower())
        )
    if letter.kind == LetterKind.RECONSIDERATION_OUTCOME and decision.supersedes is None:
        raise LetterNotRenderable(NOT_A_RECONSIDERATION)
    return {
        "decision": decision,
        "earlier": decision.supersedes,
        "meeting": decision.item.meeting,
        "chair_name": decision.signed_off_by.get_full_name() or str(decision.signed_off_by),
        "reconsider_by": _reconsider_by(decision),
        # Where the panel decided CG at the same item, a positive RG letter says so instead of "CG follows".
        "cg_decided_at_same_item": (
            decision.kind == DecisionKind.RG
            and decision.outcome == Outcome.POSITIVE
            and decision.item.decisions.filter(kind=DecisionKind.CG, signed_off_at__isnull=False)
            .exclude(outcome=Outcome.DEFERRED)
            .exists()
        ),
    }


def _reconsider_by(decision: Decision) -> datetime.date | None:
    """The last day to ask for a reconsideration of a negative decision without an exceptional reason."""
    if decision.outcome != Outcome.NEGATIVE:
        return None
    return decision.decided_on + datetime.timedelta(days=services.RECONSIDERATION_WINDOW_DAYS)


def _defence_summary_context(letter: Letter) -> dict:
    """Every signed decision that decided something, oldest first: a court reads the whole history."""
    if (
        letter.decision_id is not None
        and not Decision.objects.filter(pk=letter.decision_id, referral_id=letter.referral_id).exists()
    ):
        raise LetterNotRenderable(OTHER_CASE)
    decisions = list(
        _decisions(letter)
        .filter(signed_off_at__isnull=False)
        .exclude(outcome=Outcome.DEFERRED)
        .order_by("decided_on", "signed_off_at", "recorded_at")
    )
    if not decisions:
        raise LetterNotRenderable(NOTHING_TO_SUMMARISE)
    for decision in decisions:
        decision.replaced_by = getattr(decision, "superseded_by", None)
    latest = decisions[-1]
    return {
        "decisions": decisions,
        "current": [decision for decision in decisions if decision.replaced_by is None],
        "chair_name": latest.signed_off_by.get_full_name() or str(latest.signed_off_by),
    }


def _transfer_context(letter: Letter) -> dict:
    # The case's history row of the move holds its date and reason, whatever happened to the case since.
    transfer = (
        letter.referral.history.filter(state=State.TRANSFERRED)
        .order_by("history_date")
        .values("history_date", "state_reason")
        .first()
    )
    if transfer is None:
        raise LetterNotRenderable(NOT_TRANSFERRED)
    signatory = letter.requested_by
    return {
        "transferred_on": timezone.localdate(transfer["history_date"]),
        "transfer_reason": transfer["state_reason"],
        "signatory_name": signatory.get_full_name() or str(signatory),
    }
