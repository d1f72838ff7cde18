"""Documents assembled from a meeting: the minutes the chair approves and the meeting pack.

Both are HTML from templates; the pack is also rendered to a PDF marked OFFICIAL-SENSITIVE.
"""

from django.template.loader import render_to_string
from django.utils import timezone

from decisions import selectors
from decisions.models import PanelMeeting


def minutes_html(meeting: PanelMeeting) -> str:
    """The minutes, assembled from the meeting's attendance and items, for the chair to approve."""
    return render_to_string(
        "decisions/_minutes.html",
        {
            "meeting": meeting,
            "attendances": selectors.meeting_attendances(meeting),
            "rows": selectors.agenda(meeting, today=timezone.localdate()),
            "removed_items": meeting.items.exclude(removed_at=None).select_related("referral"),
        },
    )


def meeting_pack_context(meeting: PanelMeeting) -> dict:
    """The agenda with each case's summary and agency inputs, for the pack page and its PDF."""
    rows = selectors.agenda(meeting, today=timezone.localdate())
    inputs = selectors.inputs_for_cases([row.item.referral for row in rows])
    for row in rows:
        row.inputs = inputs.get(row.item.referral_id, [])
    return {"meeting": meeting, "rows": rows, "attendances": selectors.meeting_attendances(meeting)}


def pdf_from_html(html: str, **options) -> bytes:
    """A PDF of a document whose styles are inline (the pack, the letters); `options` go to `write_pdf`."""
    from weasyprint import HTML  # imported here: loading Pango is slow, and only the PDF pages need it

    # No base URL: the styles are inline, and the renderer fetches nothing.
    return HTML(string=html).write_pdf(**options)


def meeting_pack_pdf(context: dict) -> bytes:
    """The meeting pack as a PDF, every page marked OFFICIAL-SENSITIVE."""
    return pdf_from_html(render_to_string("decisions/pack_document.html", context))
