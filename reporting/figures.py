"""The dashboard's figures, each computed in the database by one grouped query (two where a median needs the
panels' total too), whatever the number of cases: never by loading cases into Python.

Every figure is a `Table`: rows of counts, one column per panel and, for several panels, their total. The
rows come from the panels the caller passes (`reporting.scope.reporting_panels` says which those may be).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache, cached_property

from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DateField,
    ExpressionWrapper,
    F,
    FloatField,
    Q,
    Value,
)
from django.db.models.functions import Coalesce

from decisions.models import Decision, DecisionKind, Outcome, Reconsideration, ReconsiderationStatus
from referrals.clock import ClockStatus, target_date_bounds, with_target_date
from referrals.models import ExploitationType, ExploitedIn, Gender, OrganisationType, Referral, State
from referrals.scope import DAYS_BEFORE_18_OUT_OF_SCOPE
from referrals.state_machine import CLOCK_RUNNING_STATES
from reporting.ages import EighteenthBirthday, age_band_conditions

OTHER_NATIONALITIES = "All other nationalities"
NOT_RECORDED = "Not recorded"
TOP_NATIONALITIES = 10
# Days to a decision, in the bands the distribution shows: (label, first day, last day or None).
DAY_BANDS = [
    ("0 to 7 days", 0, 7),
    ("8 to 14 days", 8, 14),
    ("15 to 30 days", 15, 30),
    ("31 to 45 days", 31, 45),
    ("46 to 60 days", 46, 60),
    ("More than 60 days", 61, None),
]
OVERDUE_LISTED = 50
# Up to this many panels get a column each, beside their total; more get the total alone.
SIDE_BY_SIDE_AT_MOST = 8


@dataclass
class Row:
    label: str
    values: list  # one per column: a count, a share (0–1), a number of days, or None
    kind: str = "count"  # "count", "share" or "days": how it is shown and whether it is suppressed
    # For a share or a number of days, per column, the counts it is worked out from (for a share: its
    # numerator and the rest of its denominator). Suppression hides it where one of them is small.
    counts_behind: list | None = None


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    note: str = ""
    chart: bool = True

    @property
    def chart_column(self) -> int:
        """The column the chart draws: the only panel, or the total."""
        return len(self.columns) - 1


class Median(Aggregate):
    """PostgreSQL's exact median of a column (percentile_cont), computed where the data is."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


@dataclass(frozen=True)
class Scope:
    """The panels and the referral (or decision) dates a dashboard is about."""

    panels: list
    date_from: datetime.date
    date_to: datetime.date

    @property
    def panel_ids(self) -> list[int]:
        return [panel.pk for panel in self.panels]

    @property
    def columns(self) -> list[str]:
        names = [panel.name for panel in self.panels]
        return names + ["Total"] if len(names) > 1 else names

    def referrals(self):
        """Submitted referrals of the panels, referred within the dates."""
        return Referral.objects.filter(
            panel_id__in=self.panel_ids, referral_date__range=(self.date_from, self.date_to)
        ).exclude(state=State.DRAFT)

    @cached_property
    def counted(self) -> dict:
        """Every figure that is a count under a condition, a median or a mean, from one pass over the referrals:
        by panel id and, for several panels, their total (under None; a median cannot be added up). Each case
        is read once for all of them, not once a table."""
        aggregates = dict(_counted_figures())
        for index, (_, _, condition) in enumerate(_months(self)):
            aggregates[f"per_month_{index}"] = Count("pk", filter=condition)
        referrals = self.referrals()
        by_panel = {row.pop("panel_id"): row for row in referrals.values("panel_id").annotate(**aggregates).order_by()}
        if len(self.panels) > 1:
            by_panel[None] = referrals.aggregate(**aggregates)
        return by_panel

    def column_values(self, name: str, *, default=0) -> list:
        """A counted figure, a value per column: each panel's, then the panels' total."""
        keys = self.panel_ids + ([None] if len(self.panels) > 1 else [])
        return [self.counted.get(key, {}).get(name, default) for key in keys]


def _spread(scope: Scope, grouped, labels: list[tuple[str, str]], *, key: str, title: str, note: str = "") -> Table:
    """A table from (panel id, category, count) rows: a row per (category, label), a column per panel and the
    total. Categories not in `labels` are added after them, labelled as they are."""
    counts: dict = defaultdict(lambda: defaultdict(int))
    for panel_id, category, count in grouped:
        counts[category][panel_id] += count
    known = [category for category, _ in labels]
    extra = sorted((c for c in counts if c not in known), key=lambda c: (c is None, str(c)))
    names = dict(labels)
    table = Table(key=key, title=title, columns=scope.columns, note=note)
    for category in known + extra:
        values = [counts[category][panel_id] for panel_id in scope.panel_ids]
        if len(scope.panels) > 1:
            values.append(sum(values))
        label = names.get(category) or (NOT_RECORDED if category in (None, "") else str(category))
        table.rows.append(Row(label, values))
    return table


def _blank(field_name: str) -> Q:
    return Q(**{field_name: ""}) | Q(**{f"{field_name}__isnull": True})


def _categories(field_name: str, choices) -> list[tuple[str, str, Q]]:
    """(value, label, condition) for each choice of a field, and for no answer."""
    return [(value, label, Q(**{field_name: value})) for value, label in choices] + [
        ("", NOT_RECORDED, _blank(field_name))
    ]


@cache
def _category_tables() -> dict[str, list[tuple[str, str, Q]]]:
    """The tables whose rows are conditions on a case, by table key."""
    age = [(label, label, condition) for label, condition in age_band_conditions()]
    transferred = Q(state=State.TRANSFERRED)
    reasons = _transfer_reasons()
    return {
        "exploitation": [
            (value, label, Q(exploitation_types__contains=[value])) for value, label in ExploitationType.choices
        ]
        + [("", NOT_RECORDED, Q(exploitation_types=[]))],
        "gender": _categories("gender", Gender.choices),
        "age": age,
        "first_responder": _categories("first_responder_organisation_type", OrganisationType.choices),
        "where": _categories("exploited_in", ExploitedIn.choices),
        "transfers": [("total", "Transferred to the SCA", transferred)]
        + [(key, label, transferred & reasons[key]) for key, label in TRANSFER_REASONS],
    }


@cache
def _counted_figures() -> dict:
    """Every figure `Scope.counted` computes, by name: a count under a condition, a median or a mean."""
    figures = {}
    for table, categories in _category_tables().items():
        for index, (_, _, condition) in enumerate(categories):
            figures[f"{table}_{index}"] = Count("pk", filter=condition)
    for kind, column in ((DecisionKind.RG, "days_to_rg"), (DecisionKind.CG, "days_to_cg")):
        figures[f"{kind}_median"] = Median(column)
        figures[f"{kind}_mean"] = Avg(column)
        figures[f"{kind}_decided"] = Count("pk", filter=Q(**{f"{column}__isnull": False}))
        figures[f"{kind}_within"] = Count("pk", filter=Q(**{f"{column}__lte": F("panel__decision_target_days")}))
        for index, (_, low, high) in enumerate(DAY_BANDS):
            figures[f"{kind}_band{index}"] = Count("pk", filter=_within(column, low, high))
    return figures


def _months(scope: Scope) -> list[tuple[datetime.date, str, Q]]:
    """Each month the dates touch, as (its first day, its name, the condition on the referral date)."""
    months = []
    year, month = scope.date_from.year, scope.date_from.month
    while (year, month) <= (scope.date_to.year, scope.date_to.month):
        first = datetime.date(year, month, 1)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        within = Q(referral_date__gte=first)
        if year <= datetime.MAXYEAR:
            within &= Q(referral_date__lt=datetime.date(year, month, 1))
        months.append((first, f"{first:%b %Y}", within))
    return months


def _counted_table(scope: Scope, key: str, *, title: str, note: str = "") -> Table:
    table = Table(key=key, title=title, columns=scope.columns, note=note)
    categories = _months(scope) if key == "per_month" else _category_tables()[key]
    for index, (value, label, _) in enumerate(categories):
        values = scope.column_values(f"{key}_{index}")
        # "Not recorded" only where there are such cases: a question the form requires has none.
        if value == "" and not any(values):
            continue
        table.rows.append(Row(label, values))
    return table


def _grouped(queryset, category) -> list[tuple]:
    return list(queryset.values_list("panel_id", category).annotate(count=Count("pk")).order_by())


# Referrals


def referrals_per_month(scope: Scope) -> Table:
    return _counted_table(scope, "per_month", title="Referrals per month")


def by_exploitation_type(scope: Scope) -> Table:
    return _counted_table(
        scope,
        "exploitation",
        title="Referrals by type of exploitation",
        note="A referral with several types of exploitation counts under each.",
    )


def by_gender(scope: Scope) -> Table:
    return _counted_table(scope, "gender", title="By gender")


def by_age_band(scope: Scope) -> Table:
    return _counted_table(
        scope,
        "age",
        title="By age at referral",
        note="From the date of birth on the referral date, or the estimated age where there is none.",
    )


def by_nationality(scope: Scope) -> Table:
    """The ten most referred nationalities across the panels, and the rest together."""
    grouped = _grouped(scope.referrals().annotate(nation=Coalesce("nationality", Value(""))), "nation")
    totals: dict = defaultdict(int)
    for _, nationality, count in grouped:
        totals[nationality.strip().title()] += count
    top = sorted(totals, key=lambda n: (-totals[n], n))[:TOP_NATIONALITIES]
    folded = [
        (panel_id, nationality.strip().title() if nationality.strip().title() in top else OTHER_NATIONALITIES, count)
        for panel_id, nationality, count in grouped
    ]
    labels = [(n, n or NOT_RECORDED) for n in top] + [(OTHER_NATIONALITIES, OTHER_NATIONALITIES)]
    table = _spread(scope, folded, labels, key="nationality", title="By nationality (the ten most referred)")
    if not any(v for v in table.rows[-1].values):
        table.rows.pop()
    return table


def by_first_responder(scope: Scope) -> Table:
    return _counted_table(scope, "first_responder", title="By first responder's organisation")


def by_where_exploited(scope: Scope) -> Table:
    return _counted_table(scope, "where", title="Where exploited")


# Decisions (by the date decided)


def _decisions(scope: Scope):
    return Decision.objects.filter(
        referral__panel_id__in=scope.panel_ids,
        decided_on__range=(scope.date_from, scope.date_to),
        signed_off_at__isnull=False,
    ).annotate(panel_id=F("referral__panel_id"))


def decision_outcomes(scope: Scope) -> Table:
    """RG and CG outcomes and the share positive, first decisions only (reconsiderations have their own table)."""
    rows = list(
        _decisions(scope)
        .filter(supersedes__isnull=True)
        .values_list("panel_id", "kind", "outcome")
        .annotate(count=Count("pk"))
        .order_by()
    )
    table = Table(key="decisions", title="Decisions made", columns=scope.columns, chart=False)
    for kind, kind_label in ((DecisionKind.RG, "Reasonable grounds"), (DecisionKind.CG, "Conclusive grounds")):
        by_outcome = {}
        for outcome in (Outcome.POSITIVE, Outcome.NEGATIVE, Outcome.DEFERRED):
            values = [
                sum(c for p, k, o, c in rows if p == panel_id and k == kind and o == outcome)
                for panel_id in scope.panel_ids
            ]
            if len(scope.panels) > 1:
                values.append(sum(values))
            by_outcome[outcome] = values
            table.rows.append(Row(f"{kind_label}: {Outcome(outcome).label.lower()}", values))
        positives, negatives = by_outcome[Outcome.POSITIVE], by_outcome[Outcome.NEGATIVE]
        table.rows.append(
            Row(
                f"{kind_label}: positive rate",
                _shares(positives, negatives),
                kind="share",
                counts_behind=list(zip(positives, negatives, strict=True)),
            )
        )
    table.note = "The positive rate is of positive and negative decisions; a deferral is not a decision on the case."
    return table


def _shares(positives: list, negatives: list) -> list:
    return [
        (positive / (positive + negative)) if positive + negative else None
        for positive, negative in zip(positives, negatives, strict=True)
    ]


def reconsiderations(scope: Scope) -> Table:
    """Requests received within the dates, by what became of them; and the new decisions' outcomes."""
    requests = list(
        Reconsideration.objects.filter(
            referral__panel_id__in=scope.panel_ids, received_on__range=(scope.date_from, scope.date_to)
        )
        .values_list("referral__panel_id", "status")
        .annotate(count=Count("pk"))
        .order_by()
    )
    table = _spread(scope, requests, ReconsiderationStatus.choices, key="reconsiderations", title="Reconsiderations")
    for row in table.rows:
        row.label = f"Requests: {row.label.lower()}"
    outcomes = list(
        _decisions(scope)
        .filter(supersedes__isnull=False)
        .exclude(outcome=Outcome.DEFERRED)
        .values_list("panel_id", "outcome")
        .annotate(count=Count("pk"))
        .order_by()
    )
    decided = _spread(
        scope, outcomes, [(Outcome.POSITIVE, "positive"), (Outcome.NEGATIVE, "negative")], key="", title=""
    )
    for row in decided.rows:
        table.rows.append(Row(f"Decided again: {row.label}", row.values))
    table.chart = False
    return table


TRANSFER_REASONS = [
    ("adult", "Aged 18 or over"),
    ("near_18", f"Within {DAYS_BEFORE_18_OUT_OF_SCOPE} days of 18"),
    ("age_disputed", "Age disputed or uncertain"),
    ("public_order", "Public order disqualification considered"),
    ("out_of_area", "Not in the panel's area"),
    ("other", "Another reason"),
]


def _transfer_reasons() -> dict[str, Q]:
    # As referrals.scope.assess_scope decides them: an adult referral, or 18 by the date of birth, is "18 or
    # over" and nothing else about age; otherwise within 100 days of the 18th birthday is "near 18".
    turns_18 = EighteenthBirthday(F("date_of_birth"))
    near_18_from = ExpressionWrapper(
        turns_18 - datetime.timedelta(days=DAYS_BEFORE_18_OUT_OF_SCOPE), output_field=DateField()
    )
    reasons = {
        "adult": Q(is_adult=True) | Q(date_of_birth__isnull=False, referral_date__gte=turns_18),
        "near_18": Q(is_adult=False, date_of_birth__isnull=False)
        & Q(referral_date__lt=turns_18)
        & Q(referral_date__gte=near_18_from),
        "age_disputed": Q(is_age_disputed=True) | Q(is_adult=False, date_of_birth__isnull=True),
        "public_order": Q(is_public_order_disqualification_considered=True),
        "out_of_area": Q(is_in_panel_area=False),
    }
    any_reason = Q()
    for condition in reasons.values():
        any_reason |= condition
    reasons["other"] = ~any_reason
    return reasons


def transfers(scope: Scope) -> Table:
    """Cases referred within the dates and transferred to the SCA, by why (the scope rules a transfer follows;
    a case can have several)."""
    table = _counted_table(
        scope,
        "transfers",
        title="Transfers to the Single Competent Authority",
        note="Why, by the scope rules (a case can have several reasons).",
    )
    table.chart = False
    return table


# Time


def days_taken(scope: Scope, *, kind: str) -> Table:
    """Days to RG or CG for the cases referred within the dates that have one: median, mean, how many, the share
    within the panel's decision target (45 days by default), and the distribution."""
    names = ["median", "mean", "decided", "within"] + [f"band{index}" for index in range(len(DAY_BANDS))]
    rows = [
        {figure: value for figure, value in zip(names, values, strict=True)}
        for values in zip(*(scope.column_values(f"{kind}_{name}", default=None) for name in names), strict=True)
    ]
    for row in rows:  # a panel with no cases has no row: its counts are 0, its median and mean none
        row.update({name: row[name] or 0 for name in names[2:]})
    name = "reasonable grounds" if kind == DecisionKind.RG else "conclusive grounds"
    table = Table(
        key=f"days_{kind}",
        title=f"Days from referral to {name}",
        columns=scope.columns,
        note="Cases referred within the dates and decided. The bars show how many took how long.",
    )
    decided = [(row.get("decided", 0),) for row in rows]
    table.rows.append(Row("Median days", [row.get("median") for row in rows], kind="days", counts_behind=decided))
    table.rows.append(Row("Mean days", [row.get("mean") for row in rows], kind="days", counts_behind=decided))
    table.rows.append(Row("Decided", [row.get("decided", 0) for row in rows]))
    table.rows.append(
        Row(
            "Decided within the target",
            [(row["within"] / row["decided"]) if row.get("decided") else None for row in rows],
            kind="share",
            counts_behind=[(row.get("within", 0), row.get("decided", 0) - row.get("within", 0)) for row in rows],
        )
    )
    for index, (label, _, _) in enumerate(DAY_BANDS):
        table.rows.append(Row(label, [row.get(f"band{index}", 0) for row in rows]))
    return table


def _within(column: str, low: int, high: int | None) -> Q:
    condition = Q(**{f"{column}__gte": low})
    return condition & Q(**{f"{column}__lte": high}) if high is not None else condition


def open_by_clock(scope: Scope, *, today: datetime.date) -> Table:
    """The panels' open cases today (whatever their referral date), by what their 45-day clock shows."""
    statuses = {
        "green": Q(**target_date_bounds(ClockStatus.GREEN, today=today)),
        "amber": Q(**target_date_bounds(ClockStatus.AMBER, today=today)),
        "red": Q(**target_date_bounds(ClockStatus.RED, today=today)) & Q(target_date__gte=today),
        "overdue": Q(target_date__lt=today),
    }
    counts = (
        with_target_date(Referral.objects.filter(panel_id__in=scope.panel_ids, state__in=CLOCK_RUNNING_STATES))
        .values("panel_id")
        .annotate(**{key: Count("pk", filter=condition) for key, condition in statuses.items()})
        .order_by()
    )
    labels = dict(ClockStatus.CHOICES)
    grouped = [(row["panel_id"], key, row[key]) for row in counts for key in statuses]
    return _spread(
        scope,
        grouped,
        [
            ("green", labels[ClockStatus.GREEN]),
            ("amber", labels[ClockStatus.AMBER]),
            ("red", "Nearly due"),
            ("overdue", "Overdue"),
        ],
        key="clock",
        title="Open cases today, by their clock",
        note="Every open case of the panels, whatever its referral date.",
    )


def overdue_cases(panel, *, today: datetime.date) -> tuple[list, int]:
    """A panel's overdue open cases, most overdue first, with their delay reasons (the first `OVERDUE_LISTED`),
    and how many there are. Person-level rows: shown only on one panel's dashboard, to its case readers."""
    overdue = with_target_date(Referral.objects.filter(panel=panel, state__in=CLOCK_RUNNING_STATES)).filter(
        target_date__lt=today
    )
    rows = list(
        overdue.order_by("target_date", "reference").values(
            "public_id", "reference", "referral_date", "target_date", "delay_reason"
        )[:OVERDUE_LISTED]
    )
    for row in rows:
        row["days_overdue"] = (today - row["target_date"]).days
    return rows, overdue.count() if len(rows) == OVERDUE_LISTED else len(rows)


def dashboard_tables(scope: Scope, *, today: datetime.date) -> list[Table]:
    tables = [
        referrals_per_month(scope),
        by_exploitation_type(scope),
        by_gender(scope),
        by_age_band(scope),
        by_nationality(scope),
        by_first_responder(scope),
        by_where_exploited(scope),
        decision_outcomes(scope),
        reconsiderations(scope),
        transfers(scope),
        days_taken(scope, kind=DecisionKind.RG),
        days_taken(scope, kind=DecisionKind.CG),
        open_by_clock(scope, today=today),
    ]
    if len(scope.panels) > SIDE_BY_SIDE_AT_MOST:
        # Too many panels to read side by side (an instance administrator's view): their total only.
        for table in tables:
            table.columns = [f"All {len(scope.panels)} panels"]
            for row in table.rows:
                row.values = row.values[-1:]
                row.counts_behind = row.counts_behind[-1:] if row.counts_behind else None
    return tables
