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
