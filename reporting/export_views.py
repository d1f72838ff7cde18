"""The data return as CSV or Excel, and its data dictionary: for those who hold a reporting role on a panel.

Every download is logged before its rows leave (reporting.services.report_export_record).
"""

import csv
import tempfile

import xlsxwriter
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from decisions.export import spreadsheet_safe
from reporting.data_return import COLUMN_NAMES, COLUMNS, data_return_cases, data_return_rows
from reporting.forms import ReportForm
from reporting.models import ExportFormat
from reporting.scope import reporting_panels
from reporting.services import report_export_record

CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
DATA_SHEET = "Data return"
DICTIONARY_SHEET = "Data dictionary"
DICTIONARY_HEADER = ["column", "description"]
# CSV lines are sent in batches, not one network write per case.
CSV_LINES_PER_CHUNK = 500


class _Echo:
    """A file for csv.writer that hands back each line instead of keeping it."""

    def write(self, line):
        return line


def _refused(request, error: str):
    return render(
        request, "decisions/refused.html", {"error": error, "back": reverse("reporting:dashboard")}, status=400
    )


def _sentences(messages) -> str:
    """A form's errors as one paragraph: each a sentence, each once."""
    sentences = [message if message.endswith((".", "?", "!")) else f"{message}." for message in messages]
    return " ".join(dict.fromkeys(sentences))


def _no_store(response, filename: str):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def data_return(request, fmt):
    """The cases of the panel (or all the person's panels) referred in the chosen dates, one anonymised row each."""
    if fmt not in CONTENT_TYPES:
        raise Http404("The data return is downloaded as CSV or XLSX")
    # Case-level rows, even anonymised: only of panels where the person holds a reporting role, whoever they are.
    panels = list(reporting_panels(request.user, figures_only=False))
    if not panels:
        raise PermissionDenied
    form = ReportForm(request.GET, panels=panels)
    if not form.is_valid():
        return _refused(request, _sentences(message for errors in form.errors.values() for message in errors))
    chosen = form.chosen_panels()
    date_from, date_to = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    which = chosen[0].code if len(chosen) == 1 else "all-panels"
    filename = f"nrm-data-return-{which}-{date_from.isoformat()}-{date_to.isoformat()}.{fmt}"
    log = {"user": request.user, "panels": chosen, "date_from": date_from, "date_to": date_to, "format": fmt}
    rows = data_return_rows(chosen, date_from, date_to)
    if fmt == ExportFormat.CSV:
        # Counted before the rows stream, so the export is logged even if the download is cut short.
        report_export_record(**log, row_count=data_return_cases(chosen, date_from, date_to).count())
        response = StreamingHttpResponse(_csv_chunks(rows), content_type=CONTENT_TYPES[fmt])
        return _no_store(response, filename)
    workbook_file, row_count = _workbook(rows)
    report_export_record(**log, row_count=row_count)
    response = FileResponse(workbook_file, as_attachment=True, filename=filename, content_type=CONTENT_TYPES[fmt])
    return _no_store(response, filename)


def _csv_chunks(rows):
    writer = csv.writer(_Echo())
    lines = [writer.writerow(COLUMN_NAMES)]
    for row in rows:
        lines.append(writer.writerow(spreadsheet_safe(row).values()))
        if len(lines) >= CSV_LINES_PER_CHUNK:
            yield "".join(lines)
            lines = []
    yield "".join(lines)


def _workbook(rows) -> tuple:
    """The data return and its dictionary as an Excel workbook in a temporary file (gone once closed), written
    row by row (constant memory) with every text a text cell: never read as a formula, a link or a number."""
    workbook_file = tempfile.TemporaryFile()
    workbook = xlsxwriter.Workbook(
        workbook_file,
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )
    bold = workbook.add_format({"bold": True})
    sheet = workbook.add_worksheet(DATA_SHEET)
    sheet.freeze_panes(1, 0)
    sheet.set_column(0, len(COLUMN_NAMES) - 1, 20)
    sheet.write_row(0, 0, COLUMN_NAMES, bold)
    row_count = 0
    for row_count, row in enumerate(rows, start=1):
        for column, value in enumerate(spreadsheet_safe(row).values()):
            if isinstance(value, int):
                sheet.write_number(row_count, column, value)
            else:
                sheet.write_string(row_count, column, value)
    dictionary = workbook.add_worksheet(DICTIONARY_SHEET)
    dictionary.freeze_panes(1, 0)
    dictionary.set_column(0, 0, 34)
    dictionary.set_column(1, 1, 120)
    dictionary.write_row(0, 0, DICTIONARY_HEADER, bold)
    for number, column in enumerate(COLUMNS, start=1):
        dictionary.write_string(number, 0, column.name)
        dictionary.write_string(number, 1, column.description)
    workbook.close()
    workbook_file.seek(0)
    return workbook_file, row_count


@login_required
@require_GET
def data_dictionary(request):
    """What each column of the data return holds, as CSV."""
    if not reporting_panels(request.user).exists():
        raise PermissionDenied
    response = HttpResponse(content_type=CONTENT_TYPES[ExportFormat.CSV])
    writer = csv.writer(response)
    writer.writerow(DICTIONARY_HEADER)
    writer.writerows([column.name, column.description] for column in COLUMNS)
    return _no_store(response, "nrm-data-return-dictionary.csv")
