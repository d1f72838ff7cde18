"""The structured return of signed decisions to the Single Competent Authority (SCA): one row per decision.

The same rows are written as CSV and JSON. Names of the child are left out: the SCA matches a
decision to its case by the panel's reference, and the export travels by email.
"""

from referrals.models import ExploitationType


def decision_rows(decisions) -> list[dict]:
    types = dict(ExploitationType.choices)
    rows = []
    for decision in decisions:
        case = decision.referral
        rows.append(
            {
                "decision_id": str(decision.public_id),
                "panel": case.panel.code,
                "reference": case.reference,
                "decision": decision.get_kind_display(),
                "outcome": decision.get_outcome_display(),
                "decided_on": decision.decided_on.isoformat(),
                "days_from_referral": (decision.decided_on - case.referral_date).days,
                "referral_date": case.referral_date.isoformat(),
                "is_reconsideration": decision.supersedes_id is not None,
                "supersedes_decision_id": str(decision.supersedes.public_id) if decision.supersedes_id else "",
                "threshold_wording": decision.threshold_wording,
                "reasons": decision.reasons,
                "evidence_considered": decision.evidence_considered,
                "dissent": decision.dissent,
                "delay_reason": decision.delay_reason,
                "agency_recommendations": "; ".join(
                    f"{each['agency']}: {each['recommendation']}" for each in decision.agency_recommendations
                ),
                "voters": "; ".join(f"{each['name']} ({each['agency']})" for each in decision.voters),
                "signed_off_by": str(decision.signed_off_by),
                "signed_off_at": decision.signed_off_at.isoformat(),
                "child_date_of_birth": case.date_of_birth.isoformat() if case.date_of_birth else "",
                "child_estimated_age": case.estimated_age if case.estimated_age is not None else "",
                "child_gender": case.get_gender_display(),
                "child_nationality": case.nationality,
                "exploitation_types": "; ".join(types.get(t, t) for t in case.exploitation_types),
                "exploited_in": case.get_exploited_in_display(),
                "first_responder_organisation_type": case.get_first_responder_organisation_type_display(),
                "returned_to_sca_at": decision.returned_to_sca_at.isoformat() if decision.returned_to_sca_at else "",
            }
        )
    return rows


# A spreadsheet treats a cell starting with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(row: dict) -> dict:
    return {
        key: "'" + value if isinstance(value, str) and value.startswith(_FORMULA_STARTS) else value
        for key, value in row.items()
    }
