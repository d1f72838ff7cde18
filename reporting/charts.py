"""How the dashboard's figures are shown: each cell as text (with small numbers suppressed for publication),
and each table's chart as a horizontal bar chart drawn on the server as SVG, with a title and a description,
beside a table holding the same figures (readable with no JavaScript, and printed as it is)."""

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from reporting.figures import Table

SUPPRESSED = "<5"
# Counts of 1 to 4 are suppressed for publication; 0 is not (it identifies nobody).
SMALLEST_SHOWN = 5
LABEL_WIDTH = 220
BAR_AREA = 300
VALUE_WIDTH = 60
BAR_HEIGHT = 18
GAP = 8
LABEL_CHARACTERS = 29


def is_suppressed(value, *, suppress: bool) -> bool:
    return suppress and isinstance(value, int) and 0 < value < SMALLEST_SHOWN


def cell_text(row, column: int, *, suppress: bool) -> str:
    """A cell as shown. With suppression, a count from 1 to 4 is "<5", and a share or a number of days worked
    out from fewer than 5 cases, or from a count that is suppressed, is not shown ("–"): it would let the small
    count be worked back."""
    value = row.values[column]
    if value is None:
        return "–"
    if row.kind == "count":
        return SUPPRESSED if is_suppressed(value, suppress=suppress) else f"{value:,}"
    if suppress and row.counts_behind is not None:
        behind = row.counts_behind[column]
        if sum(behind) < SMALLEST_SHOWN or any(is_suppressed(count, suppress=True) for count in behind):
            return "–"
    if row.kind == "share":
        return f"{value:.0%}"
    return f"{value:.1f}".removesuffix(".0")


@dataclass
class ShownTable:
    table: Table
    rows: list  # (label, [cell text per column])
    chart: "Chart | None"

    def html(self) -> str:
        """The table as GOV.UK table markup, escaped; built here for the same reason as `Chart.svg`."""
        numeric = "govuk-table__header govuk-table__header--numeric"
        head = format_html_join("", '<th scope="col" class="{}">{}</th>', ((numeric, c) for c in self.table.columns))
        body = format_html_join(
            "",
            '<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{}</th>{}</tr>',
            (
                (
                    label,
                    format_html_join(
                        "", '<td class="govuk-table__cell govuk-table__cell--numeric">{}</td>', ((c,) for c in cells)
                    ),
                )
                for label, cells in self.rows
            ),
        )
        return format_html(
            '<table class="govuk-table"><caption class="govuk-table__caption govuk-visually-hidden">{}</caption>'
            '<thead class="govuk-table__head"><tr class="govuk-table__row"><th scope="col" class="govuk-table__header">'
            '<span class="govuk-visually-hidden">Category</span></th>{}</tr></thead>'
            '<tbody class="govuk-table__body">{}</tbody></table>',
            self.table.title,
            head,
            body,
        )


@dataclass
class Bar:
    label: str
    value_text: str
    y: int
    width: float

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT - 4

    @property
    def value_x(self) -> float:
        return LABEL_WIDTH + self.width + 6


@dataclass
class Chart:
    id: str
    title: str
    description: str
    bars: list[Bar]
    width: int = LABEL_WIDTH + BAR_AREA + VALUE_WIDTH
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT

    @property
    def height(self) -> int:
        return max(1, len(self.bars)) * (BAR_HEIGHT + GAP)

    def svg(self) -> str:
        """The chart as SVG markup, escaped. Built here, not in a template: a dashboard draws a hundred bars,
        and the template engine took longer over them than the database over the figures."""
        bars = format_html_join(
            "",
            '<g><text x="{}" y="{}" text-anchor="end" class="nrm-chart__label">{}</text>'
            '<rect x="{}" y="{}" width="{}" height="{}" class="nrm-chart__bar"></rect>'
            '<text x="{}" y="{}" class="nrm-chart__value">{}</text></g>',
            (
                (
                    self.label_width - 8,
                    bar.text_y,
                    Truncator(bar.label).chars(LABEL_CHARACTERS),
                    self.label_width,
                    bar.y,
                    f"{bar.width:.1f}",
                    self.bar_height,
                    f"{bar.value_x:.1f}",
                    bar.text_y,
                    bar.value_text,
                )
                for bar in self.bars
            ),
        )
        return format_html(
            '<svg class="nrm-chart" role="img" aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {width} {height}"'
            ' width="100%" preserveAspectRatio="xMinYMin meet" data-testid="{id}">'
            '<title id="{id}-title">{title}</title><desc id="{id}-desc">{description}</desc>{bars}</svg>',
            id=self.id,
            width=self.width,
            height=self.height,
            title=self.title,
            description=self.description,
            bars=bars,
        )


def shown(table: Table, *, suppress: bool) -> ShownTable:
    rows = [
        (row.label, [cell_text(row, column, suppress=suppress) for column in range(len(table.columns))])
        for row in table.rows
    ]
    return ShownTable(table=table, rows=rows, chart=bar_chart(table, suppress=suppress) if table.chart else None)


def bar_chart(table: Table, *, suppress: bool) -> Chart:
    """Bars of the table's counts in its chart column (the panel, or the total of several)."""
    column = table.chart_column
    # A days table draws its distribution, not the number decided.
    rows = [row for row in table.rows if row.kind == "count" and row.label != "Decided"]
    largest = max((row.values[column] or 0 for row in rows), default=0)
    bars = []
    for index, row in enumerate(rows):
        value = row.values[column] or 0
        hidden = is_suppressed(value, suppress=suppress)
        width = 0 if hidden or not largest else BAR_AREA * value / largest
        bars.append(Bar(row.label, SUPPRESSED if hidden else f"{value:,}", index * (BAR_HEIGHT + GAP), width))
    column_name = table.columns[column]
    peak = max(rows, key=lambda row: row.values[column] or 0, default=None)
    description = f"Bar chart of {table.title.lower()}, {column_name}."
    if peak is not None and largest and not is_suppressed(largest, suppress=suppress):
        description += f" The largest is {peak.label}: {largest:,}."
    description += " The same figures are in the table beside it."
    return Chart(id=f"chart-{table.key}", title=f"{table.title} ({column_name})", description=description, bars=bars)
