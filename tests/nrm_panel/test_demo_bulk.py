"""The demo data's bulk mode, for benchmarks: open cases with their clocks running, their agenda items, inputs
and signed decisions as the services would have written them, and references that later submissions carry on."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from decisions.models import AgendaItem, Decision, DecisionKind, MeetingStatus, Outcome
from decisions.services import RECONSIDERATION_WINDOW_DAYS
from nrm_panel.models import Panel
from referrals.models import Referral, ReferralUserObjectPermission, State
from referrals.state_machine import CLOCK_RUNNING_STATES

pytestmark = pytest.mark.django_db

CASES = 400


def bulk(count: int, panels: int = 4) -> str:
    out = StringIO()
    call_command("demo_data", "--bulk-referrals", str(count), "--panels", str(panels), stdout=out)
    return out.getvalue()


def test_the_bulk_mode_adds_open_cases_referred_in_the_last_60_days():
    bulk(CASES)
    today = timezone.localdate()

    open_cases = Referral.objects.filter(state__in=CLOCK_RUNNING_STATES)
    assert open_cases.count() == CASES
    assert Panel.objects.count() == 4
    states = set(open_cases.values_list("state", flat=True))
    assert {State.SUBMITTED, State.RG_PENDING, State.ON_AGENDA, State.CG_PENDING} <= states
    dates = Referral.objects.values_list("referral_date", flat=True)
    assert min(dates) >= today - datetime.timedelta(days=60) and max(dates) <= today
    references = list(Referral.objects.values_list("reference", flat=True))
    assert len(set(references)) == len(references) and None not in references
    assert ReferralUserObjectPermission.objects.values("content_object").distinct().count() == Referral.objects.count()
    assert Panel.objects.filter(rg_target_working_days=5).exists()


def test_cases_on_an_agenda_wait_for_a_meeting_to_come():
    bulk(CASES)
    today = timezone.localdate()

    for case in Referral.objects.filter(state=State.ON_AGENDA):
        item = AgendaItem.objects.select_related("meeting").get(referral=case, removed_at=None, signed_off_at=None)
        assert item.meeting.status == MeetingStatus.SCHEDULED and item.meeting.date > today
        assert item.meeting.panel_id == case.panel_id
    assert not AgendaItem.objects.filter(signed_off_at=None).exclude(referral__state=State.ON_AGENDA).exists()


def test_decided_cases_have_their_signed_decision_and_days_to_reasonable_grounds():
    bulk(CASES)
    today = timezone.localdate()

    for case in Referral.objects.filter(state__in=[State.CG_PENDING, State.RG_NEGATIVE]):
        decision = Decision.objects.select_related("item__meeting").get(referral=case)
        assert decision.kind == DecisionKind.RG and decision.signed_off_at and decision.item.signed_off_at
        assert decision.outcome == (Outcome.POSITIVE if case.state == State.CG_PENDING else Outcome.NEGATIVE)
        assert case.referral_date < decision.decided_on < today
        assert case.days_to_rg == (decision.decided_on - case.referral_date).days
        if case.state == State.RG_NEGATIVE:
            assert decision.decided_on > today - datetime.timedelta(days=RECONSIDERATION_WINDOW_DAYS)
    assert Referral.objects.filter(state=State.RG_NEGATIVE).exists()


def test_a_second_bulk_load_adds_to_the_first_with_new_references():
    bulk(100, panels=2)
    first = set(Referral.objects.values_list("reference", flat=True))
    bulk(100, panels=2)

    references = list(Referral.objects.values_list("reference", flat=True))
    assert Referral.objects.filter(state__in=CLOCK_RUNNING_STATES).count() == 200
    assert len(set(references)) == len(references)
    assert first < set(references)
