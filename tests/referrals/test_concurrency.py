"""Submissions at the same moment, on real threads with their own database connections.

There is deliberately no test here of different drafts of one panel submitted at once (unique,
consecutive references): it passes with or without `select_for_update()` in `_next_reference`,
so it could not catch that lock going. Two things serialise those submissions without it: the
counter's `UPDATE ... SET last_number = last_number + 1` takes the counter row's lock by itself,
and `referral_move`'s `select_for_update().select_related("panel")` locks the joined panel row as
well as the case, so a panel's submissions already run one at a time. Such a test fails only if
both go (the number read and written back in Python, and the move locking only the case row).
"""

import threading
import time

import pytest
from django.db import connection
from django.utils import timezone

from nrm_panel.models import Role, User
from referrals import services
from referrals.models import Referral
from tests.factories import PanelFactory, ReferralFactory, member

pytestmark = pytest.mark.django_db(transaction=True)

# Long enough that both submissions have read the case before the first one commits.
PAUSE_BEFORE_NUMBERING = 0.3


@pytest.fixture
def slow_numbering(monkeypatch):
    """Each submission pauses just before it asks for its number (the locks are left as they are)."""
    next_reference = services._next_reference

    def pause_then_number(panel, year):
        time.sleep(PAUSE_BEFORE_NUMBERING)
        return next_reference(panel, year)

    monkeypatch.setattr(services, "_next_reference", pause_then_number)


def submit_at_once(submissions: list[tuple[Referral, User]]) -> tuple[list[str], list[BaseException]]:
    """Submit each (case, referrer) on its own thread and connection, all released together."""
    barrier = threading.Barrier(len(submissions))
    references, errors = [], []

    def submit(referral: Referral, user_id: int):
        try:
            user = User.objects.get(pk=user_id)
            barrier.wait(timeout=10)
            references.append(services.referral_submit(referral=referral, user=user, is_complete=True).reference)
        except BaseException as error:  # reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(referral, user.pk)) for referral, user in submissions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a submission hung"
    return references, errors


def test_the_same_draft_submitted_twice_at_once_is_submitted_once(slow_numbering):
    # Two tabs, or a double click: `referral_move` locks the case row, so the second submission
    # waits, finds the case already submitted and does nothing. Without that lock both read a
    # draft, both number it, and the case is submitted twice with a reference used up.
    panel = PanelFactory(code="DBL")
    referrer = member(panel, Role.REFERRER)
    draft = ReferralFactory(panel=panel, referrer=referrer)

    references, errors = submit_at_once([(draft, referrer), (draft, referrer)])

    assert errors == []
    year = timezone.localdate().year
    assert references == [f"DBL-{year}-0001", f"DBL-{year}-0001"]
    draft.refresh_from_db()
    assert draft.reference == f"DBL-{year}-0001"
    assert draft.history.filter(history_change_reason="Referral submitted").count() == 1
    next_case = ReferralFactory(panel=panel, referrer=referrer, first_name="Jordan", last_name="Other")
    next_reference = services.referral_submit(referral=next_case, user=referrer, is_complete=True).reference
    assert next_reference == f"DBL-{year}-0002"
