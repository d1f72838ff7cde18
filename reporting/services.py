"""What the reporting app records: the log of its data returns (DESIGN.md: every export is logged)."""

import datetime
from collections.abc import Iterable

from reporting.models import ExportFormat, ReportExport


def report_export_record(
    *,
    user,
    panels: Iterable,
    date_from: datetime.date,
    date_to: datetime.date,
    format: str,
    row_count: int | None,
) -> ReportExport:
    """Log a data return: who made it, of which panels and referral dates, in which format, with how many rows."""
    return ReportExport.objects.create(
        exported_by=user,
        panel_ids=sorted(panel.pk for panel in panels),
        date_from=date_from,
        date_to=date_to,
        format=ExportFormat(format),
        row_count=row_count,
    )
