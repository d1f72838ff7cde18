"""The meeting page's summary of its letters counts decisions, whatever versions their letters have."""

import re

import pytest
from django.urls import reverse

from decisions import letters

pytestmark = pytest.mark.django_db


def test_a_corrected_letter_counts_once_on_the_meeting_page(sitting, steps, login, django_capture_on_commit_callbacks):
    item = steps.decide(steps.case(), sitting.meeting)
    with django_capture_on_commit_callbacks(execute=True):
        first = letters.letter_issue(referral=item.referral, decision=item.decisions.get(), user=sitting.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        letters.letter_correct(letter=first, user=sitting.coordinator, reason="The address had a typo")

    page = login(sitting.coordinator).get(reverse("decisions:meeting", args=[sitting.meeting.public_id]))

    summary = re.search(r'data-testid="meeting-letters">([^<]*)<', page.content.decode()).group(1)
    assert summary == "1 signed decision: 1 with a letter issued, 1 ready to download."
