"""How the figures are shown: small counts suppressed for publication, shares and days hidden when fewer than 5
cases are behind them, and each chart an accessible SVG with a title and a description."""

import datetime
import xml.etree.ElementTree as ET

import pytest

from decisions.models import DecisionKind, Outcome
from reporting import charts, figures
from reporting.figures import Row, Scope
from tests.reporting.test_dashboard_figures import case, decide

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
YEAR_2025 = (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))


def scope(*panels) -> Scope:
    return Scope(panels=list(panels), date_from=YEAR_2025[0], date_to=YEAR_2025[1])


def shown_cells(shown) -> dict:
    return dict(shown.rows)


# --- Cells ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "published", "internal"),
    [(0, "0", "0"), (1, "<5", "1"), (4, "<5", "4"), (5, "5", "5"), (1234, "1,234", "1,234")],
)
def test_counts_of_1_to_4_are_suppressed_for_publication_only(count, published, internal):
    row = Row("Female", [count])

    assert charts.cell_text(row, 0, suppress=True) == published
    assert charts.cell_text(row, 0, suppress=False) == internal


@pytest.mark.parametrize(
    ("kind", "value", "text", "too_few", "enough"),
    [
        ("share", 0.75, "75%", (3, 1), (15, 5)),
        ("share", 2 / 3, "67%", (10, 4), (10, 5)),
        ("days", 12.5, "12.5", (4,), (5,)),
        ("days", 12.0, "12", (4,), (5,)),
    ],
)
def test_a_share_or_days_from_a_small_count_is_hidden_for_publication(kind, value, text, too_few, enough):
    """A share is hidden where its numerator or the rest of its denominator is from 1 to 4 (the rate and the
    other count would give it back); days where fewer than 5 cases are behind them."""
    assert charts.cell_text(Row("Figure", [value], kind=kind, counts_behind=[too_few]), 0, suppress=True) == "–"
    assert charts.cell_text(Row("Figure", [value], kind=kind, counts_behind=[enough]), 0, suppress=True) == text
    assert charts.cell_text(Row("Figure", [value], kind=kind, counts_behind=[too_few]), 0, suppress=False) == text
    assert charts.cell_text(Row("Figure", [None], kind=kind), 0, suppress=False) == "–"


def test_days_tables_hide_median_mean_and_share_behind_fewer_than_5_decided(panel, other_panel):
    for days in (10, 20, 40, 50):
        case(panel, days_to_rg=days)
    for days in (10, 20, 40, 50, 60):
        case(other_panel, days_to_rg=days)
    table = figures.days_taken(scope(panel, other_panel), kind=DecisionKind.RG)

    published = shown_cells(charts.shown(table, suppress=True))
    internal = shown_cells(charts.shown(table, suppress=False))

    # Lewisham: 4 decided; the other panel: 5; together 9.
    assert published["Decided"] == ["<5", "5", "9"]
    assert published["Median days"] == ["–", "40", "40"]
    assert published["Mean days"] == ["–", "36", "33.3"]
    # 3 of 5 and 6 of 9 within the target: 2 and 3 not, small counts the share would give back.
    assert published["Decided within the target"] == ["–", "–", "–"]
    assert published["8 to 14 days"] == ["<5", "<5", "<5"]
    assert published["0 to 7 days"] == ["0", "0", "0"]
    assert internal["Decided"] == ["4", "5", "9"]
    assert internal["Median days"] == ["30", "40", "40"]
    assert internal["Mean days"] == ["30", "36", "33.3"]
    assert internal["Decided within the target"] == ["75%", "60%", "67%"]


def test_the_positive_rate_from_small_counts_is_hidden_for_publication(panel):
    for outcome in (Outcome.POSITIVE, Outcome.POSITIVE, Outcome.POSITIVE, Outcome.NEGATIVE):
        decide(panel, DecisionKind.RG, outcome)
    table = figures.decision_outcomes(scope(panel))
    assert shown_cells(charts.shown(table, suppress=False))["Reasonable grounds: positive rate"] == ["75%"]

    published = shown_cells(charts.shown(table, suppress=True))

    assert published["Reasonable grounds: positive"] == ["<5"]
    assert published["Reasonable grounds: positive rate"] == ["–"]


def test_the_positive_rate_from_counts_of_5_or_more_is_shown_for_publication(panel):
    for outcome in [Outcome.POSITIVE] * 5 + [Outcome.NEGATIVE] * 5:
        decide(panel, DecisionKind.RG, outcome)

    published = shown_cells(charts.shown(figures.decision_outcomes(scope(panel)), suppress=True))

    assert published["Reasonable grounds: positive rate"] == ["50%"]


# --- Charts ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def genders(panel):
    for gender, count in (("female", 10), ("male", 3), ("other", 5)):
        for _ in range(count):
            case(panel, gender=gender)
    return figures.by_gender(scope(panel))


def bars(chart) -> dict:
    return {bar.label: (bar.value_text, bar.width) for bar in chart.bars}


def test_a_suppressed_count_has_no_bar_and_shows_less_than_5(genders):
    published = charts.shown(genders, suppress=True).chart

    assert bars(published) == {
        "Female": ("10", charts.BAR_AREA),
        "Male": ("<5", 0),
        "Other": ("5", charts.BAR_AREA / 2),
        "Not known": ("0", 0),
    }
    assert bars(charts.shown(genders, suppress=False).chart)["Male"] == ("3", charts.BAR_AREA * 3 / 10)


def test_a_chart_draws_the_total_column_of_several_panels(panel, other_panel):
    case(panel, gender="female")
    for _ in range(6):
        case(other_panel, gender="female")

    chart = charts.shown(figures.by_gender(scope(panel, other_panel)), suppress=True).chart

    assert chart.title == "By gender (Total)"
    assert bars(chart)["Female"] == ("7", charts.BAR_AREA)


def test_the_description_never_names_a_suppressed_largest_count(panel):
    for _ in range(3):
        case(panel, gender="female")

    published = charts.shown(figures.by_gender(scope(panel)), suppress=True).chart
    internal = charts.shown(figures.by_gender(scope(panel)), suppress=False).chart

    assert "3" not in published.description
    assert "The largest is Female: 3." in internal.description


def test_a_days_chart_draws_the_distribution_not_the_number_decided(panel):
    for days in (3, 10, 10):
        case(panel, days_to_rg=days)

    chart = charts.shown(figures.days_taken(scope(panel), kind=DecisionKind.RG), suppress=False).chart

    assert [bar.label for bar in chart.bars] == [label for label, _, _ in figures.DAY_BANDS]


def test_the_svg_has_a_title_and_description_it_is_labelled_by(genders):
    chart = charts.shown(genders, suppress=True).chart

    svg = ET.fromstring(chart.svg())

    assert svg.tag == "svg" or svg.tag == f"{SVG}svg"
    assert svg.get("role") == "img"
    title, desc = svg.find("title"), svg.find("desc")
    assert svg.get("aria-labelledby").split() == [title.get("id"), desc.get("id")]
    assert len({title.get("id"), desc.get("id")}) == 2
    assert title.text == "By gender (Lewisham NRM Panel)"
    assert desc.text == (
        "Bar chart of by gender, Lewisham NRM Panel. The largest is Female: 10. The same figures are in the table "
        "beside it."
    )
    drawn = [
        (group.findall("text")[0].text, group.find("rect").get("width"), group.findall("text")[1].text)
        for group in svg.findall("g")
    ]
    assert drawn == [
        ("Female", "300.0", "10"),
        ("Male", "0.0", "<5"),
        ("Other", "150.0", "5"),
        ("Not known", "0.0", "0"),
    ]
