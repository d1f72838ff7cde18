"""The data return: one anonymised row per submitted referral of some panels over some referral dates.

No name, alias, address, contact detail, reference or free text leaves in it: a case is known by a pseudonymous
id, its age by a band. Every value is read by one query whatever the number of cases; the decisions and the
reconsideration are subqueries of it.
"""

import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    CharField,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.utils.crypto import salted_hmac

from decisions.models import Decision, DecisionKind, Outcome, Reconsideration, ReconsiderationStatus
from referrals.models import (
    ExploitationType,
    ExploitedIn,
    Gender,
    LookedAfterStatus,
    OrganisationType,
    Referral,
    State,
)
from reporting.ages import AGE_BANDS, AGE_NOT_KNOWN, age_at_referral, age_band
from reporting.models import ReportExport

# Its own salt: the key is derived from SECRET_KEY, and no other HMAC in the app shares it. A new SECRET_KEY
# gives every case a new id, so returns made before and after cannot be joined.
PSEUDONYM_SALT = "nrm_panel.reporting.data_return.pseudonymous_id"
PSEUDONYM_LENGTH = 16
CHUNK_SIZE = 2000


def pseudonymous_id(public_id) -> str:
    """A case's id in the data return: the same in every return, and not the reference. An HMAC-SHA256 of the
    case's public id, keyed from SECRET_KEY, so no one without the key can go from one to the other."""
    return salted_hmac(PSEUDONYM_SALT, str(public_id), algorithm="sha256").hexdigest()[:PSEUDONYM_LENGTH]


def _latest_decision(kind: str):
    """A case's latest signed decision of a kind; a deferral decides nothing and is passed over."""
    return (
        Decision.objects.filter(referral=OuterRef("pk"), kind=kind, signed_off_at__isnull=False)
        .exclude(outcome=Outcome.DEFERRED)
        .order_by("-decided_on", "-signed_off_at", "-pk")
    )


def _latest_reconsideration():
    return Reconsideration.objects.filter(referral=OuterRef("pk")).order_by("-received_on", "-recorded_at", "-pk")


# Cells: every value is a string or a whole number, blank where nothing is recorded.


def _text(value) -> str:
    return "" if value is None else str(value)


def _number(value) -> int | str:
    return "" if value is None else value


def _date(value: datetime.date | None) -> str:
    return value.isoformat() if value else ""


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def _codes(choices) -> str:
    """The codes a column may hold, each with its meaning where the code does not say it."""
    return "; ".join(
        code if label.lower() == code.replace("_", " ") else f"{code} ({label})" for code, label in choices
    )


@dataclass(frozen=True)
class Column:
    """A column of the data return: its name, what the dictionary says of it, and how it is computed: a field
    of the referral or an expression the database works out, then `cell` to turn the value into text."""

    name: str
    description: str
    source: str | Expression
    cell: Callable = _text


_RG, _CG = _latest_decision(DecisionKind.RG), _latest_decision(DecisionKind.CG)
_OUTCOMES = _codes([(Outcome.POSITIVE, Outcome.POSITIVE.label), (Outcome.NEGATIVE, Outcome.NEGATIVE.label)])

COLUMNS = [
    Column(
        "pseudonymous_id",
        "An id for the case that is the same in every data return and is not its reference: 16 hexadecimal "
        "characters. It cannot be traced back to the case without the service's secret key.",
        "public_id",
        pseudonymous_id,
    ),
    Column("panel", "The code of the panel the case was referred to.", "panel__code"),
    Column(
        "referral_month",
        "The month of the referral date, as YYYY-MM.",
        Func(F("referral_date"), Value("YYYY-MM"), function="to_char", output_field=CharField()),
    ),
    Column(
        "age_band",
        "The child's age band on the referral date, from the date of birth or, where there is none, the "
        f"estimated age: {'; '.join(label for label, _, _ in AGE_BANDS)}; {AGE_NOT_KNOWN} where neither is recorded.",
        age_at_referral(),
        age_band,
    ),
    Column(
        "age_disputed",
        "Whether the child's age is disputed: yes, no, or blank if not answered.",
        "is_age_disputed",
        _yes_no,
    ),
    Column("gender", f"The child's gender: {_codes(Gender.choices)}; blank if not answered.", "gender"),
    Column("nationality", "The child's nationality, as the referrer wrote it.", "nationality"),
    Column(
        "second_nationality",
        "The child's second nationality, as the referrer wrote it; blank if none.",
        "second_nationality",
    ),
    Column(
        "exploitation_types",
        f"The types of exploitation referred, separated by semicolons: {_codes(ExploitationType.choices)}.",
        Func(F("exploitation_types"), Value(";"), function="array_to_string", output_field=CharField()),
    ),
    Column("exploited_in", f"Where the child was exploited: {_codes(ExploitedIn.choices)}.", "exploited_in"),
    Column(
        "first_responder_organisation_type",
        f"The kind of organisation that referred the child: {_codes(OrganisationType.choices)}.",
        "first_responder_organisation_type",
    ),
    Column(
        "looked_after_status",
        f"The child's looked-after status: {_codes(LookedAfterStatus.choices)}.",
        "looked_after_status",
    ),
    Column("state", f"Where the case is now: {_codes(c for c in State.choices if c[0] != State.DRAFT)}.", "state"),
    Column(
        "rg_outcome",
        "The outcome of the case's latest signed reasonable grounds (RG) decision, a reconsideration's included: "
        f"{_OUTCOMES}; blank if none yet (a deferral is not a decision).",
        Subquery(_RG.values("outcome")[:1]),
    ),
    Column(
        "rg_decided_on",
        "The day of that reasonable grounds decision, as YYYY-MM-DD.",
        Subquery(_RG.values("decided_on")[:1]),
        _date,
    ),
    Column(
        "days_to_rg",
        "Days from the referral to the case's first signed reasonable grounds decision; blank if none yet.",
        "days_to_rg",
        _number,
    ),
    Column(
        "cg_outcome",
        "The outcome of the case's latest signed conclusive grounds (CG) decision, a reconsideration's included: "
        f"{_OUTCOMES}; blank if none yet.",
        Subquery(_CG.values("outcome")[:1]),
    ),
    Column(
        "cg_decided_on",
        "The day of that conclusive grounds decision, as YYYY-MM-DD.",
        Subquery(_CG.values("decided_on")[:1]),
        _date,
    ),
    Column(
        "days_to_cg",
        "Days from the referral to the case's first signed conclusive grounds decision; blank if none yet.",
        "days_to_cg",
        _number,
    ),
    Column(
        "reconsideration_requested",
        "Whether a reconsideration of a negative decision has been requested: yes or no.",
        Exists(Reconsideration.objects.filter(referral=OuterRef("pk"))),
        _yes_no,
    ),
    Column(
        "reconsideration_status",
        f"The status of the latest reconsideration request: {_codes(ReconsiderationStatus.choices)}; blank if none.",
        Subquery(_latest_reconsideration().values("status")[:1]),
    ),
    Column(
        "transferred_to_sca",
        "Whether the case was transferred to the Single Competent Authority (SCA): yes or no.",
        ExpressionWrapper(Q(state=State.TRANSFERRED), output_field=BooleanField()),
        _yes_no,
    ),
]
COLUMN_NAMES = [column.name for column in COLUMNS]

# The query names what it selects with this prefix: a column may share its name with a field of the referral.
_SELECTED = "out_"


def data_return_cases(panels: Iterable, date_from: datetime.date, date_to: datetime.date):
    """The cases a data return holds: the submitted (not draft) referrals of `panels` referred from `date_from`
    to `date_to`, both days included."""
    panel_ids = [getattr(panel, "pk", panel) for panel in panels]
    return Referral.objects.filter(panel_id__in=panel_ids, referral_date__range=(date_from, date_to)).exclude(
        state=State.DRAFT
    )


def data_return_queryset(panels: Iterable, date_from: datetime.date, date_to: datetime.date):
    """Those cases as the values of the columns, in a stable order that says nothing of their references: by
    panel, referral date, then the case's random public id."""
    return (
        data_return_cases(panels, date_from, date_to)
        .order_by("panel__code", "referral_date", "public_id")
        .values(**{_SELECTED + column.name: _expression(column.source) for column in COLUMNS})
    )


def _expression(source: str | Expression) -> Expression:
    return F(source) if isinstance(source, str) else source


def data_return_rows(panels: Iterable, date_from: datetime.date, date_to: datetime.date) -> Iterator[dict]:
    """One dict per case, column name to cell, read in chunks by one query (a server-side cursor)."""
    for values in data_return_queryset(panels, date_from, date_to).iterator(chunk_size=CHUNK_SIZE):
        yield {column.name: column.cell(values[_SELECTED + column.name]) for column in COLUMNS}


def recent_exports(panels: Iterable, limit: int = 10) -> list[ReportExport]:
    """The latest data returns of cases of `panels` only (Panel objects or ids), newest first: one that also
    held another panel's cases is not shown, so as not to tell of that panel."""
    panel_ids = [getattr(panel, "pk", panel) for panel in panels]
    return list(
        ReportExport.objects.filter(panel_ids__contained_by=panel_ids)
        .select_related("exported_by")
        .order_by("-exported_at", "-id")[:limit]
    )
