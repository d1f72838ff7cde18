"""The demo data command: every state on show, references that later submissions carry on from,
referrers' object permissions as the intake service grants them, and no address that could reach
a real mailbox."""

import re
from collections import defaultdict
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from nrm_panel.management.commands.demo_data import DEFAULT_PASSWORD
from nrm_panel.models import Panel, Role, User
from referrals.ages import age_on
from referrals.clock import ClockStatus, case_clock
from referrals.models import ReferenceCounter, Referral, State
from referrals.selectors import visible_referrals
from referrals.services import likely_duplicates, referral_submit
from referrals.state_machine import CLOCK_RUNNING_STATES, EDITABLE_STATES

pytestmark = pytest.mark.django_db

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
REFERENCE = re.compile(r"^(?P<code>[A-Z]{2,5})-(?P<year>\d{4})-(?P<number>\d{4,})$")


def demo_data(*args) -> str:
    out = StringIO()
    call_command("demo_data", *args, stdout=out)
    return out.getvalue()


def referrer_of(panel: Panel) -> User:
    return User.objects.get(memberships__panel=panel, memberships__role=Role.REFERRER, email__startswith="referrer@")


def assert_references_unique_and_counted():
    highest = defaultdict(int)
    references = []
    for referral in Referral.objects.exclude(state=State.DRAFT).select_related("panel"):
        match = REFERENCE.match(referral.reference)
        assert match, referral.reference
        assert match["code"] == referral.panel.code
        assert int(match["year"]) == referral.referral_date.year
        key = (referral.panel_id, referral.referral_date.year)
        highest[key] = max(highest[key], int(match["number"]))
        references.append(referral.reference)
    assert len(references) == len(set(references))
    counters = {(c.panel_id, c.year): c.last_number for c in ReferenceCounter.objects.all()}
    assert counters == highest


def test_every_panel_has_a_referral_in_every_state():
    demo_data()

    assert Panel.objects.count() == 3
    for panel in Panel.objects.all():
        assert set(panel.referrals.values_list("state", flat=True)) == set(State)


def test_references_are_unique_and_each_counter_holds_the_highest_number_used():
    demo_data()

    assert not Referral.objects.filter(state=State.DRAFT).exclude(reference=None).exists()
    assert not Referral.objects.filter(state=State.DRAFT).exclude(referral_date=None).exists()
    assert_references_unique_and_counted()


def test_a_referral_submitted_after_the_demo_data_gets_the_next_free_reference():
    demo_data()
    panel = Panel.objects.get(code="NHM")
    draft = Referral.objects.filter(panel=panel, state=State.DRAFT).first()
    year = timezone.localdate().year
    counter = ReferenceCounter.objects.filter(panel=panel, year=year).first()
    expected = (counter.last_number if counter else 0) + 1

    submitted = referral_submit(referral=draft, user=draft.referrer, is_complete=True)

    assert submitted.reference == f"NHM-{year}-{expected:04d}"


def test_once_loads_nothing_when_panels_exist_and_prints_the_logins_both_times():
    first = demo_data("--once")
    counts = (Panel.objects.count(), User.objects.count(), Referral.objects.count(), Referral.history.count())

    second = demo_data("--once")

    assert (Panel.objects.count(), User.objects.count(), Referral.objects.count(), Referral.history.count()) == counts
    assert "no demo data loaded" in second
    for output in (first, second):
        assert re.search(rf"NRM coordinator +coordinator@northam\.example +{DEFAULT_PASSWORD}", output)
        assert re.search(rf"admin@nrm-panel\.example +{DEFAULT_PASSWORD}", output)


def test_once_leaves_a_database_with_real_panels_alone():
    Panel.objects.create(name="Real Borough NRM Panel", code="RBP", local_authorities="Real Borough Council")

    output = demo_data("--once")

    assert Panel.objects.count() == 1
    assert not Referral.objects.exists()
    assert "No demo logins" in output


def test_without_once_it_adds_referrals_to_the_same_demo_panels():
    demo_data()

    demo_data("--referrals", "20")

    assert Panel.objects.count() == 3
    assert Referral.objects.count() == 80
    assert_references_unique_and_counted()


def test_the_printed_logins_sign_in(client):
    demo_data()

    assert client.login(username="referrer@northam.example", password=DEFAULT_PASSWORD)
    assert client.login(username="admin@nrm-panel.example", password=DEFAULT_PASSWORD)
    assert User.objects.get(email="admin@nrm-panel.example").is_superuser


def test_a_referrer_holds_object_permissions_on_their_own_referrals_only():
    demo_data()
    northam, eastbury = Panel.objects.get(code="NHM"), Panel.objects.get(code="EBY")
    outsider = referrer_of(eastbury)

    for referral in Referral.objects.filter(panel=northam).select_related("referrer"):
        assert referral.referrer.has_perm("referrals.view_referral", referral)
        may_change = referral.state in EDITABLE_STATES
        assert referral.referrer.has_perm("referrals.change_referral", referral) == may_change
        assert not outsider.has_perm("referrals.view_referral", referral)
    assert not visible_referrals(outsider).filter(panel=northam).exists()


def test_a_referrer_does_not_see_the_other_referrers_drafts():
    demo_data()
    northam = Panel.objects.get(code="NHM")
    second = User.objects.get(email="referrer2@northam.example")
    drafts_of_others = Referral.objects.filter(panel=northam, state=State.DRAFT).exclude(referrer=second)

    assert drafts_of_others.exists()
    assert not visible_referrals(second).filter(pk__in=drafts_of_others).exists()


def test_every_email_address_uses_the_example_domain():
    output = demo_data()

    emails = EMAIL.findall(output)
    emails += User.objects.values_list("email", flat=True)
    emails += Referral.objects.exclude(first_responder_email="").values_list("first_responder_email", flat=True)
    assert len(emails) > 60
    assert all(email.endswith(".example") for email in emails), [e for e in emails if not e.endswith(".example")]


def test_open_cases_show_every_clock_colour():
    demo_data()
    today = timezone.localdate()

    open_cases = Referral.objects.filter(state__in=CLOCK_RUNNING_STATES).select_related("panel")

    statuses = {case_clock(referral, today=today).status for referral in open_cases}
    assert statuses == {ClockStatus.GREEN, ClockStatus.AMBER, ClockStatus.RED}


def test_children_are_aged_12_to_17_when_referred():
    demo_data()

    for referral in Referral.objects.exclude(state=State.DRAFT):
        assert 12 <= age_on(referral.date_of_birth, referral.referral_date) <= 17


def test_some_children_are_referred_twice_and_flagged_as_likely_duplicates():
    demo_data()

    submitted = Referral.objects.exclude(state=State.DRAFT)
    assert any(likely_duplicates(referral).exists() for referral in submitted)
    assert Referral.possible_duplicates.through.objects.exists()


def test_returned_transferred_and_withdrawn_cases_say_why():
    demo_data()

    for state in (State.RETURNED, State.TRANSFERRED, State.WITHDRAWN):
        assert not Referral.objects.filter(state=state, state_reason="").exists()


def test_it_refuses_to_run_in_production(settings):
    settings.IS_PRODUCTION = True

    with pytest.raises(CommandError, match="never on a server"):
        demo_data()
    assert not Panel.objects.exists()


def test_it_refuses_to_run_on_a_server_that_forgot_to_say_production(settings):
    settings.IS_TEST = False
    settings.DEBUG = False

    with pytest.raises(CommandError, match="never on a server"):
        demo_data()
    assert not Panel.objects.exists()
