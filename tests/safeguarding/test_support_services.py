"""The rules of ICTG and other support referrals, through the services: who may record them, which dates and
answers they need, one ICTG referral in play at a time, and the history each change leaves."""

import datetime

import pytest

from nrm_panel.models import Role
from referrals.models import State
from safeguarding.models import SupportKind, SupportOutcome, SupportReferral
from safeguarding.services import NOT_SUBMITTED, NotAllowed, SafeguardingError, StaleRecord, history_version
from safeguarding.services import support as services
from tests.factories import member, referral_in_state
from tests.safeguarding.support_helpers import build_team

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 5, 20)
LAST_WEEK = TODAY - datetime.timedelta(days=7)


@pytest.fixture
def team(panel, people):
    return build_team(panel, people)


def record(team, user=None, **changes) -> SupportReferral:
    answers = {"kind": SupportKind.ICTG, "referred_on": LAST_WEEK, "service_name": "Barnardo's ICTG service"}
    return services.support_referral_record(
        referral=changes.pop("referral", team.case), user=user or team.coordinator, today=TODAY, **answers | changes
    )


def update(team, support, user=None, **changes) -> SupportReferral:
    answers = {
        "kind": support.kind,
        "service_name": support.service_name,
        "referred_on": support.referred_on,
        "outcome": support.outcome,
        "outcome_on": support.outcome_on,
        "contact_name": support.contact_name,
    }
    return services.support_referral_update(
        support_referral=support, user=user or team.coordinator, today=TODAY, **answers | changes
    )


def test_the_coordinator_records_an_ictg_referral_with_its_history(team):
    support = record(team, notes="  Referred by the social worker.  ")

    saved = SupportReferral.objects.get()
    assert (saved.pk, saved.referral, saved.kind, saved.outcome) == (
        support.pk,
        team.case,
        SupportKind.ICTG,
        SupportOutcome.AWAITING,
    )
    assert saved.notes == "Referred by the social worker."
    assert saved.recorded_by == team.coordinator
    entry = saved.history.get()
    assert entry.history_change_reason == "Independent Child Trafficking Guardian (ICTG) referral recorded"
    assert entry.history_user == team.coordinator


def test_an_accepted_ictg_referral_records_the_guardian(team):
    record(
        team,
        outcome=SupportOutcome.ACCEPTED,
        outcome_on=TODAY,
        contact_name="Sam Guardian",
        contact_phone="01632 960 001",
        contact_email="sam.guardian@ictg.example",
    )

    saved = SupportReferral.objects.get()
    assert (saved.contact_name, saved.outcome_on) == ("Sam Guardian", TODAY)
    assert saved.history.get().history_change_reason.endswith("referral recorded: accepted")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"referred_on": TODAY + datetime.timedelta(days=1)}, services.REFERRED_IN_FUTURE),
        ({"outcome": SupportOutcome.DECLINED}, "Enter the date of the outcome (“Declined by the service”)"),
        ({"outcome": SupportOutcome.ENDED, "outcome_on": None}, "Enter the date of the outcome (“Support ended”)"),
        ({"outcome_on": TODAY}, services.AWAITING_HAS_NO_DATE),
        (
            {"outcome": SupportOutcome.DECLINED, "outcome_on": TODAY + datetime.timedelta(days=1)},
            services.OUTCOME_IN_FUTURE,
        ),
        (
            {"outcome": SupportOutcome.DECLINED, "outcome_on": LAST_WEEK - datetime.timedelta(days=1)},
            "must be the same as or after the date of the referral (13 May 2026)",
        ),
        ({"outcome": SupportOutcome.ACCEPTED, "outcome_on": TODAY}, services.GUARDIAN_NAME_REQUIRED),
        (
            {"outcome": SupportOutcome.ACCEPTED, "outcome_on": TODAY, "contact_name": "   "},
            services.GUARDIAN_NAME_REQUIRED,
        ),
        ({"kind": SupportKind.OTHER, "service_name": "  "}, services.SERVICE_NAME_REQUIRED),
    ],
    ids=[
        "referred-tomorrow",
        "declined-without-date",
        "ended-without-date",
        "awaiting-with-date",
        "outcome-tomorrow",
        "outcome-before-referral",
        "accepted-ictg-without-guardian",
        "accepted-ictg-with-blank-guardian",
        "other-support-without-name",
    ],
)
def test_a_support_referral_breaking_a_rule_is_refused(team, changes, message):
    with pytest.raises(SafeguardingError) as refused:
        record(team, **changes)

    assert message in str(refused.value)
    assert not SupportReferral.objects.exists()


def test_dates_on_the_boundaries_are_accepted(team):
    # Referred today, and the outcome the same day: neither is in the future, nor before the other.
    support = record(
        team, kind=SupportKind.MENTAL_HEALTH, referred_on=TODAY, outcome=SupportOutcome.NOT_ELIGIBLE, outcome_on=TODAY
    )

    assert (support.referred_on, support.outcome_on) == (TODAY, TODAY)


def test_an_accepted_referral_to_another_service_needs_no_named_contact(team):
    support = record(team, kind=SupportKind.ADVOCACY, outcome=SupportOutcome.ACCEPTED, outcome_on=TODAY)

    assert support.contact_name == ""


@pytest.mark.parametrize("outcome", [SupportOutcome.AWAITING, SupportOutcome.ACCEPTED])
def test_a_second_ictg_referral_is_refused_while_the_first_is_in_play(team, outcome):
    first = record(
        team, outcome=outcome, outcome_on=None if outcome == SupportOutcome.AWAITING else TODAY, contact_name="Sam"
    )

    with pytest.raises(SafeguardingError) as refused:
        record(team, referred_on=TODAY)

    status = "awaiting a response" if outcome == SupportOutcome.AWAITING else "accepted"
    assert str(refused.value) == services.ICTG_ALREADY.format(status=status, date="13 May 2026")
    assert list(SupportReferral.objects.all()) == [first]


def test_a_new_ictg_referral_may_follow_one_that_was_declined(team):
    first = record(team)
    update(team, first, outcome=SupportOutcome.DECLINED, outcome_on=TODAY)

    second = record(team, referred_on=TODAY)

    assert SupportReferral.objects.filter(kind=SupportKind.ICTG).count() == 2
    assert second.outcome == SupportOutcome.AWAITING


def test_another_support_referral_cannot_be_turned_into_a_second_ictg_referral(team):
    record(team)
    advocacy = record(team, kind=SupportKind.ADVOCACY)

    with pytest.raises(SafeguardingError, match="already has an ICTG referral"):
        update(team, advocacy, kind=SupportKind.ICTG)

    assert SupportReferral.objects.get(pk=advocacy.pk).kind == SupportKind.ADVOCACY


def test_recording_the_outcome_is_kept_in_the_history_with_its_reason(team):
    support = record(team)

    update(team, support, outcome=SupportOutcome.ACCEPTED, outcome_on=TODAY, contact_name="Sam Guardian")
    update(team, support, outcome=SupportOutcome.ACCEPTED, outcome_on=TODAY, contact_name="Sam Guardian-Jones")

    reasons = list(support.history.order_by("history_id").values_list("history_change_reason", flat=True))
    assert reasons == [
        "Independent Child Trafficking Guardian (ICTG) referral recorded",
        "Independent Child Trafficking Guardian (ICTG) referral changed: accepted",
        "Independent Child Trafficking Guardian (ICTG) referral changed",
    ]
    assert SupportReferral.objects.get().contact_name == "Sam Guardian-Jones"


def test_an_update_over_someone_elses_change_is_refused(team):
    support = record(team)
    version_seen = history_version(support)
    update(team, support, contact_name="Their change", version=version_seen)

    with pytest.raises(StaleRecord):
        update(team, support, contact_name="My change", version=version_seen)

    assert SupportReferral.objects.get().contact_name == "Their change"


@pytest.mark.parametrize(
    "role", [Role.CHAIR, Role.PANEL_MEMBER, Role.DESIGNATED_NURSE, Role.AUDITOR, Role.REFERRER, Role.ADMINISTRATOR]
)
def test_only_the_coordinator_records_or_changes_support(team, role):
    support = record(team)

    with pytest.raises(NotAllowed):
        record(team, user=team.people[role], kind=SupportKind.ADVOCACY)
    with pytest.raises(NotAllowed):
        update(team, support, user=team.people[role], notes="Changed")

    assert SupportReferral.objects.get().notes == ""
    assert SupportReferral.objects.count() == 1


def test_another_panels_coordinator_cannot_record_support_on_our_case(team):
    support = record(team)

    with pytest.raises(NotAllowed):
        record(team, user=team.other_coordinator, kind=SupportKind.ADVOCACY)
    with pytest.raises(NotAllowed):
        update(team, support, user=team.other_coordinator, contact_name="Someone")

    assert SupportReferral.objects.count() == 1
    assert SupportReferral.objects.get().contact_name == ""


def test_support_is_not_recorded_on_a_draft(team):
    draft = referral_in_state(State.DRAFT, panel=team.panel)

    with pytest.raises(SafeguardingError, match=NOT_SUBMITTED):
        record(team, referral=draft)


def test_support_carries_on_once_the_case_is_decided(team):
    decided = referral_in_state(State.CG_POSITIVE, panel=team.panel)

    assert record(team, referral=decided).referral == decided


def test_a_coordinator_of_two_panels_records_on_each(team):
    member(team.other_panel, Role.COORDINATOR, user=team.coordinator)

    ours, theirs = record(team), record(team, referral=team.other_case)

    assert {ours.referral, theirs.referral} == {team.case, team.other_case}
