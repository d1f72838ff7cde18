"""The dashboard over HTTP: who may see it, which panels, the form's errors (never a 500), suppression as shown, the
charts beside tables with the same numbers, no person-level row across panels, and a constant number of queries."""

import datetime
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from decisions.models import DecisionKind, Outcome
from nrm_panel.models import Role
from referrals.models import State
from tests.factories import PanelFactory, UserFactory, member
from tests.reporting.test_dashboard_figures import case, decide

pytestmark = pytest.mark.django_db

URL = reverse("reporting:dashboard")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# Rows of a days table that are not drawn as bars (the chart draws the distribution).
NOT_DRAWN = {"Median days", "Mean days", "Decided", "Decided within the target"}


# --- A small DOM of the page, to read tables and SVG as a person (or a screen reader) would -------------------------


@dataclass
class Node:
    tag: str
    attrs: dict
    children: list = field(default_factory=list)
    parent: "Node | None" = None

    @property
    def text(self) -> str:
        return " ".join("".join(child if isinstance(child, str) else child.text for child in self.children).split())

    def all(self, tag: str | None = None, **attrs) -> list["Node"]:
        found = []
        for child in self.children:
            if isinstance(child, Node):
                if (tag is None or child.tag == tag) and all(child.attrs.get(k) == v for k, v in attrs.items()):
                    found.append(child)
                found.extend(child.all(tag, **attrs))
        return found

    def one(self, tag: str | None = None, **attrs) -> "Node":
        found = self.all(tag, **attrs)
        assert len(found) == 1, f"{len(found)} <{tag} {attrs}>"
        return found[0]


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Node("document", {})

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), parent=self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def dom(response) -> Node:
    builder = _Builder()
    builder.feed(response.content.decode())
    return builder.root


def table_of(section: Node) -> tuple[list[str], dict[str, list[str]]]:
    """A figures table: its column headings and, by row label, its cells as shown."""
    table = section.one("table")
    columns = [th.text for th in table.one("thead").all("th")][1:]
    rows = {tr.one("th").text: [td.text for td in tr.all("td")] for tr in table.one("tbody").all("tr")}
    return columns, rows


def section(page: Node, key: str) -> Node:
    return page.one("section", **{"data-testid": f"table-{key}"})


def error_next_to(response, field_name: str) -> str:
    """The text of a field's form group, where GOV.UK puts its error message."""
    html = response.content.decode()
    start = html.index(f'id="div_id_{field_name}"')
    end = html.find('id="div_id_', start + 1)
    return " ".join(html[start : end if end != -1 else None].split())


def report(client, **query):
    return client.get(URL, query)


def dates(date_from: datetime.date, date_to: datetime.date) -> dict:
    return {
        "date_from_0": date_from.day,
        "date_from_1": date_from.month,
        "date_from_2": date_from.year,
        "date_to_0": date_to.day,
        "date_to_1": date_to.month,
        "date_to_2": date_to.year,
    }


def today() -> datetime.date:
    return timezone.localdate()


def days_ago(days: int) -> datetime.date:
    return today() - datetime.timedelta(days=days)


# --- Who may see it -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.CHAIR, Role.AUDITOR])
def test_the_reporting_roles_see_their_panels_dashboard(login, people, role, panel):
    response = report(login(people[role]))

    assert response.status_code == 200
    page = dom(response)
    assert page.one(**{"data-testid": "report-scope"}).text.startswith("Lewisham NRM Panel: referrals made from")
    assert table_of(section(page, "per_month"))[0] == ["Lewisham NRM Panel"]


@pytest.mark.parametrize("role", [Role.REFERRER, Role.PANEL_MEMBER, Role.DESIGNATED_NURSE, Role.ADMINISTRATOR])
def test_other_roles_are_refused(login, people, role):
    assert report(login(people[role])).status_code == 403


def test_the_reports_link_is_shown_only_to_those_who_may_see_them(login, people):
    assert URL in login(people[Role.COORDINATOR]).get("/referrals/").content.decode()
    assert URL not in login(people[Role.PANEL_MEMBER]).get("/referrals/").content.decode()


def test_someone_signed_out_is_sent_to_sign_in(client):
    response = report(client)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={URL}"


def test_a_reporting_role_on_an_inactive_panel_is_refused(login):
    closed = PanelFactory(is_active=False)
    user = member(closed, Role.COORDINATOR)

    assert report(login(user)).status_code == 403


def test_a_superuser_sees_every_active_panel_but_no_person_level_row(login, panel, other_panel):
    PanelFactory(name="Closed Borough NRM Panel", is_active=False)
    overdue = case(panel, referral_date=days_ago(60), state=State.RG_PENDING)
    superuser = UserFactory(is_superuser=True, is_staff=True)
    client = login(superuser)

    page = dom(report(client))

    options = [option.text for option in page.one("select", name="panel").all("option")]
    assert options == ["All my panels, side by side", "Lewisham NRM Panel", "Other Borough NRM Panel"]
    assert table_of(section(page, "per_month"))[0] == ["Lewisham NRM Panel", "Other Borough NRM Panel", "Total"]
    one_panel = report(client, panel=panel.pk)
    assert one_panel.status_code == 200
    assert not dom(one_panel).all(**{"data-testid": "overdue"})
    assert overdue.reference not in one_panel.content.decode()


# --- Across panels, and never another panel -------------------------------------------------------------------------


@pytest.fixture
def two_panels(panel, other_panel, people):
    """The coordinator of Lewisham is also the coordinator of the other panel; each panel has an overdue case,
    named, and a case referred today."""
    coordinator = people[Role.COORDINATOR]
    member(other_panel, Role.COORDINATOR, user=coordinator)
    cases = {
        "lewisham_overdue": case(
            panel,
            referral_date=days_ago(60),
            state=State.RG_PENDING,
            first_name="Zebedee",
            last_name="Quillfeather",
            delay_reason="Waiting for the police",
        ),
        "lewisham_today": case(panel, referral_date=today(), first_name="Ottoline", last_name="Brackenbury"),
        "other_overdue": case(
            other_panel, referral_date=days_ago(50), state=State.RG_PENDING, first_name="Marigold", last_name="Fenwick"
        ),
    }
    return coordinator, cases


NAMES = ["Zebedee", "Quillfeather", "Ottoline", "Brackenbury", "Marigold", "Fenwick"]


def test_several_panels_side_by_side_with_a_total_and_no_person_level_row(login, two_panels):
    coordinator, cases = two_panels

    response = report(login(coordinator))

    assert response.status_code == 200
    page = dom(response)
    selected = [option.text for option in page.one("select", name="panel").all("option") if "selected" in option.attrs]
    assert selected == ["All my panels, side by side"]
    for shown in page.all("section"):
        if shown.attrs.get("data-testid", "").startswith("table-"):
            assert table_of(shown)[0] == ["Lewisham NRM Panel", "Other Borough NRM Panel", "Total"]
    assert table_of(section(page, "clock"))[1]["Overdue"] == ["1", "1", "2"]
    assert not page.all(**{"data-testid": "overdue"})
    html = response.content.decode()
    for referral in cases.values():
        assert referral.reference not in html
        assert str(referral.public_id) not in html
    for name in NAMES:
        assert name not in html


def test_one_panels_view_lists_its_own_overdue_cases_and_no_name(login, two_panels, panel):
    coordinator, cases = two_panels

    response = report(login(coordinator), panel=panel.pk)

    assert response.status_code == 200
    overdue = dom(response).one(**{"data-testid": "overdue"})
    assert [[cell.text for cell in tr.all("td")] for tr in overdue.one("tbody").all("tr")] == [
        [cases["lewisham_overdue"].reference, "15", "Waiting for the police"]
    ]
    html = response.content.decode()
    assert cases["other_overdue"].reference not in html
    assert cases["lewisham_today"].reference not in html
    for name in NAMES:
        assert name not in html


def test_the_chair_of_one_panel_sees_its_overdue_list(login, people, panel):
    overdue = case(panel, referral_date=days_ago(46), state=State.RG_PENDING)

    response = report(login(people[Role.CHAIR]))

    overdue_section = dom(response).one(**{"data-testid": "overdue"})
    assert overdue.reference in overdue_section.text
    assert "1 open case past 45 days" in overdue_section.text


@pytest.mark.parametrize("choice", ["other", "missing"])
def test_a_panel_the_person_may_not_report_on_is_refused_with_a_message_and_no_figures(
    login, people, panel, other_panel, choice
):
    coordinator = people[Role.COORDINATOR]
    member(other_panel, Role.PANEL_MEMBER, user=coordinator)  # a role there, but not a reporting one
    case(other_panel, referral_date=today())
    panel_id = {"other": other_panel.pk, "missing": 999_999}[choice]

    response = report(login(coordinator), panel=panel_id)

    assert response.status_code == 400
    assert "Select one of the answers shown for “Panel”" in error_next_to(response, "panel")
    page = dom(response)
    assert not page.all(**{"data-testid": "report-scope"})
    assert not [s for s in page.all("section") if s.attrs.get("data-testid", "").startswith("table-")]
    assert "<svg" not in response.content.decode()
    assert "Other Borough NRM Panel" not in response.content.decode()


def test_all_my_panels_for_someone_reporting_on_one_panel_means_that_panel(login, people, panel, other_panel):
    coordinator = people[Role.COORDINATOR]
    member(other_panel, Role.PANEL_MEMBER, user=coordinator)
    theirs = case(panel, referral_date=today())
    case(other_panel, referral_date=today())

    response = report(login(coordinator), panel="all")

    assert response.status_code == 200
    page = dom(response)
    assert table_of(section(page, "per_month"))[0] == ["Lewisham NRM Panel"]
    assert table_of(section(page, "per_month"))[1][f"{today():%b %Y}"] == ["1"]
    assert "Other Borough NRM Panel" not in response.content.decode()
    assert theirs.reference not in response.content.decode()


# --- Bad dates: a message next to the question, never a 500 ---------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field_name", "message"),
    [
        ({"date_from_0": "31", "date_from_1": "2", "date_from_2": "2026"}, "date_from", "Enter a real date"),
        ({"date_from_0": "1", "date_from_1": "2", "date_from_2": "twenty"}, "date_from", "Enter a valid year"),
        ({"date_to_0": "x", "date_to_1": "1", "date_to_2": "2026"}, "date_to", "Enter a valid date"),
        ({"date_to_0": "1", "date_to_1": "1", "date_to_2": "9" * 20}, "date_to", "Enter a real date"),
        ({"date_to_0": "1", "date_to_1": "13", "date_to_2": "2026"}, "date_to", "Enter a real date"),
        ({"date_from_0": "", "date_from_1": "2", "date_from_2": "2026"}, "date_from", "Enter the day of the month"),
        (
            dates(datetime.date(2026, 5, 2), datetime.date(2026, 5, 1)),
            "date_to",
            "The end date must be the same as or after the start date",
        ),
        (
            dates(datetime.date(2010, 1, 1), datetime.date(2021, 1, 1)),
            "date_to",
            "Choose a range of 10 years or less",
        ),
    ],
)
def test_bad_dates_are_answered_with_a_message_next_to_the_question(login, coordinator, query, field_name, message):
    response = report(login(coordinator), **query)

    assert response.status_code == 400
    assert message in error_next_to(response, field_name)
    assert message in dom(response).one("div", **{"class": "govuk-error-summary"}).text
    assert "<svg" not in response.content.decode()


def test_a_range_of_a_single_day_is_shown(login, coordinator, panel):
    case(panel, referral_date=datetime.date(2026, 2, 3))

    response = report(login(coordinator), **dates(datetime.date(2026, 2, 3), datetime.date(2026, 2, 3)))

    assert response.status_code == 200
    assert table_of(section(dom(response), "per_month"))[1] == {"Feb 2026": ["1"]}


def test_a_range_ending_in_the_last_month_of_year_9999_is_not_a_500(login, coordinator):
    response = report(login(coordinator), **dates(datetime.date(9999, 1, 1), datetime.date(9999, 12, 31)))

    assert response.status_code in (200, 400)


# --- Suppression, charts and tables ---------------------------------------------------------------------------------


@pytest.fixture
def this_month(panel):
    """Three referrals this month, seven last year, all of Lewisham."""
    for _ in range(3):
        case(panel, referral_date=today().replace(day=1), gender="female")
    for _ in range(7):
        case(panel, referral_date=datetime.date(today().year - 1, 6, 1), gender="male")
    return dates(datetime.date(today().year - 1, 1, 1), today())


def test_suppress_on_shows_less_than_5_for_counts_of_1_to_4(login, coordinator, this_month):
    client = login(coordinator)
    month = f"{today():%b %Y}"

    published = dom(report(client, suppress="on", **this_month))
    internal = dom(report(client, **this_month))

    assert table_of(section(published, "per_month"))[1][month] == ["<5"]
    assert table_of(section(internal, "per_month"))[1][month] == ["3"]
    assert table_of(section(published, "gender"))[1] == {
        "Female": ["<5"],
        "Male": ["7"],
        "Other": ["0"],
        "Not known": ["0"],
    }
    assert "Counts under 5 are shown as “<5”" in published.one(**{"data-testid": "report-scope"}).text
    checkbox = published.one("input", name="suppress")
    assert "checked" in checkbox.attrs


def test_every_chart_has_a_title_and_description_and_the_table_beside_it_holds_the_same_numbers(
    login, coordinator, this_month, panel
):
    for days in (3, 12, 12, 40, 50, 70):
        case(panel, referral_date=today(), days_to_rg=days)
    decide(panel, DecisionKind.RG, Outcome.POSITIVE, decided_on=today())
    client = login(coordinator)

    for query in (this_month, {"suppress": "on", **this_month}):
        page = dom(report(client, **query))
        svgs = page.all("svg")
        assert len(svgs) == 10
        for svg in svgs:
            assert svg.attrs["role"] == "img"
            title_id, desc_id = svg.attrs["aria-labelledby"].split()
            assert svg.one("title").attrs["id"] == title_id and svg.one("title").text
            assert svg.one("desc").attrs["id"] == desc_id and svg.one("desc").text
            holder = svg.parent
            while holder.tag != "section":
                holder = holder.parent
            columns, rows = table_of(holder)
            assert svg.one("title").text.endswith(f"({columns[-1]})")
            drawn = [
                (group.all("text")[0].text, group.all("text")[1].text, float(group.one("rect").attrs["width"]))
                for group in svg.all("g")
            ]
            tabled = [(label, cells[-1]) for label, cells in rows.items() if label not in NOT_DRAWN]
            assert len(drawn) == len(tabled)
            for (label, value, width), (row_label, cell) in zip(drawn, tabled, strict=True):
                assert row_label == label or row_label.startswith(label.removesuffix("…"))
                assert value == cell
                if value in ("<5", "0"):
                    assert width == 0


def test_the_days_table_hides_a_median_behind_fewer_than_5_cases_when_published(login, coordinator, panel):
    for days in (10, 20, 30):
        case(panel, referral_date=today(), days_to_rg=days)
    client = login(coordinator)

    published = table_of(section(dom(report(client, suppress="on")), "days_rg"))[1]
    internal = table_of(section(dom(report(client)), "days_rg"))[1]

    assert (published["Median days"], published["Decided"], published["Decided within the target"]) == (
        ["–"],
        ["<5"],
        ["–"],
    )
    assert (internal["Median days"], internal["Decided"], internal["Decided within the target"]) == (
        ["20"],
        ["3"],
        ["100%"],
    )


# --- Queries do not grow with the data ------------------------------------------------------------------------------


def queries_for(client, **query) -> int:
    client.get(URL, query)  # warm the once-per-process caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, query)
    assert response.status_code == 200
    return len(captured)


def add_cases(panel, count: int):
    """`count` cases of every sort: open, overdue, decided, transferred, with decisions and reconsiderations."""
    states = [State.SUBMITTED, State.RG_PENDING, State.CG_PENDING, State.TRANSFERRED, State.CG_POSITIVE]
    for index in range(count):
        referral = case(
            panel,
            referral_date=days_ago(index * 7 % 300),
            state=states[index % len(states)],
            nationality=f"Nation {index}",
            days_to_rg=index % 70,
            delay_reason=f"Reason {index}",
        )
        if index % 3 == 0:
            decide(panel, DecisionKind.RG, Outcome.POSITIVE, decided_on=days_ago(index % 60), referral=referral)


def test_the_number_of_queries_does_not_grow_with_the_cases(login, panel, other_panel, people):
    coordinator = people[Role.COORDINATOR]
    member(other_panel, Role.COORDINATOR, user=coordinator)
    client = login(coordinator)
    add_cases(panel, 1)
    add_cases(other_panel, 1)
    one_panel_few, two_panels_few = queries_for(client, panel=panel.pk), queries_for(client, panel="all")

    add_cases(panel, 29)
    add_cases(other_panel, 29)
    one_panel_many, two_panels_many = queries_for(client, panel=panel.pk), queries_for(client, panel="all")

    assert one_panel_many == one_panel_few
    assert two_panels_many == two_panels_few
    assert len(dom(client.get(URL, {"panel": panel.pk})).one(**{"data-testid": "overdue"}).all("tr")) > 5
