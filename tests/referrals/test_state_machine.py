"""The case's state machine, through the services that move a case: who may make which move,
from which state, with what recorded; and the small date rules the moves rely on (scope, ages, clock)."""

import datetime
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

import decisions.services
from nrm_panel.models import Role
from referrals import services
from referrals.ages import age_on, days_until_18, eighteenth_birthday
from referrals.clock import ClockStatus, case_clock
from referrals.models import OrganisationType, Referral, State
from referrals.scope import DAYS_BEFORE_18_OUT_OF_SCOPE, assess_scope
from referrals.state_machine import MOVES, OPEN_STATES
from tests.factories import ReferralFactory, SubmittedReferralFactory, member, referral_in_state

pytestmark = pytest.mark.django_db

REASON = "Recorded reason for the move"
PANEL_MOVES = {name for name in MOVES if name not in {"submit", "accept", "return", "transfer", "withdraw"}}


def perform(move_name: str, referral: Referral, user, *, reason: str = REASON) -> Referral:
    """Make `move_name` through its service, with answers that satisfy every rule but the one tested."""
    if move_name == "submit":
        return services.referral_submit(referral=referral, user=user, is_complete=True)
    if move_name == "accept":
        return services.referral_accept(
            referral=referral, user=user, is_in_panel_area=True, is_public_order_disqualification_considered=False
        )
    if move_name == "return":
        return services.referral_return(referral=referral, user=user, reason=reason)
    if move_name == "transfer":
        return services.referral_transfer(referral=referral, user=user, reason=reason)
    if move_name == "withdraw":
        return services.referral_withdraw(referral=referral, user=user, reason=reason)
    # The panel's moves are made by decisions.services, whose own rules (agenda, quorum, sign-off)
    # tests/decisions pins; here the table's rules alone: who, from where, with what reason.
    assert move_name in PANEL_MOVES, f"No service known for the move {move_name!r}: add it to perform()"
    return services.referral_move(referral=referral, move_name=move_name, user=user, reason=reason)


def actor_for(move_name: str, people, referrer):
    """The person whose role may make the move (the referral's own referrer for submit)."""
    roles = MOVES[move_name].roles
    if roles == {Role.REFERRER}:
        return referrer
    return people[next(iter(sorted(roles)))]


def make_case(state, panel, referrer, **kwargs) -> Referral:
    return referral_in_state(state, panel=panel, referrer=referrer, **kwargs)


def stored_state(referral: Referral) -> str:
    return Referral.objects.values_list("state", flat=True).get(pk=referral.pk)


ALLOWED = [(move.name, state) for move in MOVES.values() for state in sorted(move.sources)]
NOT_ALLOWED = [
    (move.name, state)
    for move in MOVES.values()
    for state in State
    if state not in move.sources and state != move.target
]
ALREADY_THERE = [(move.name, move.target) for move in MOVES.values()]


def test_the_move_tests_cover_every_state_for_every_move():
    pairs = ALLOWED + NOT_ALLOWED + ALREADY_THERE
    assert sorted(pairs) == sorted((move, state) for move in MOVES for state in State)


def test_every_move_has_a_service():
    source = Path(decisions.services.__file__).read_text()
    for move_name in MOVES:
        if move_name in PANEL_MOVES:
            # Named in full, or as the f-string that builds it ("decide_rg_{rg.outcome}").
            assert re.search(re.sub(r"_(positive|negative|rg|cg|reconsideration)$", "_", move_name), source), (
                f"The move {move_name!r} is not made by any decisions service"
            )
        else:
            assert move_name in {"submit", "accept", "return", "transfer", "withdraw"}, (
                f"New move {move_name!r}: add it to perform() and to these tests"
            )


@pytest.mark.parametrize(("move_name", "source"), ALLOWED, ids=[f"{m}-from-{s}" for m, s in ALLOWED])
def test_allowed_move_succeeds_for_the_right_role(move_name, source, panel, people, referrer):
    case = make_case(source, panel, referrer)
    history_before = case.history.count()

    moved = perform(move_name, case, actor_for(move_name, people, referrer))

    target = MOVES[move_name].target
    assert moved.state == target
    assert stored_state(case) == target
    case.refresh_from_db()
    assert case.history.count() == history_before + 1
    latest = case.history.latest()
    assert latest.history_change_reason.startswith(MOVES[move_name].done)
    if MOVES[move_name].needs_reason:
        assert case.state_reason == REASON
        assert REASON in latest.history_change_reason


@pytest.mark.parametrize(("move_name", "source"), NOT_ALLOWED, ids=[f"{m}-from-{s}" for m, s in NOT_ALLOWED])
def test_move_from_a_state_not_in_its_sources_is_refused(move_name, source, panel, people, referrer):
    case = make_case(source, panel, referrer)
    move = MOVES[move_name]

    with pytest.raises(services.TransitionNotAllowed) as refused:
        perform(move_name, case, actor_for(move_name, people, referrer))

    assert str(refused.value) == services.MOVE_NOT_ALLOWED.format(state=State(source).label.lower(), label=move.label)
    assert stored_state(case) == source


@pytest.mark.parametrize(("move_name", "state"), ALREADY_THERE, ids=[f"{m}-in-{s}" for m, s in ALREADY_THERE])
def test_move_to_the_state_the_case_is_already_in_does_nothing(move_name, state, panel, people, referrer):
    case = make_case(state, panel, referrer, state_reason="Earlier reason")
    history_before = case.history.count()

    moved = perform(move_name, case, actor_for(move_name, people, referrer), reason="A second click")

    case.refresh_from_db()
    assert moved.state == state == case.state
    assert case.state_reason == "Earlier reason"
    assert case.history.count() == history_before


WRONG_ROLES = [(move.name, role) for move in MOVES.values() for role in Role if role not in move.roles]


@pytest.mark.parametrize(("move_name", "role"), WRONG_ROLES, ids=[f"{m}-by-{r}" for m, r in WRONG_ROLES])
def test_move_by_a_role_without_the_right_is_refused(move_name, role, panel, people, referrer):
    source = sorted(MOVES[move_name].sources)[0]
    case = make_case(source, panel, referrer)

    with pytest.raises(services.TransitionNotAllowed) as refused:
        perform(move_name, case, people[role])

    assert str(refused.value) == services.ROLE_NOT_ALLOWED
    assert stored_state(case) == source


def test_another_referrer_of_the_same_panel_cannot_submit_someone_elses_draft(panel, referrer, draft):
    colleague = member(panel, Role.REFERRER)

    with pytest.raises(services.TransitionNotAllowed) as refused:
        services.referral_submit(referral=draft, user=colleague, is_complete=True)

    assert str(refused.value) == services.ROLE_NOT_ALLOWED
    assert stored_state(draft) == State.DRAFT
    draft.refresh_from_db()
    assert draft.reference is None


def test_referrer_who_is_no_longer_a_referrer_on_the_panel_cannot_submit(panel, referrer, draft):
    referrer.memberships.filter(panel=panel, role=Role.REFERRER).update(is_active=False)

    with pytest.raises(services.TransitionNotAllowed):
        services.referral_submit(referral=draft, user=referrer, is_complete=True)

    assert stored_state(draft) == State.DRAFT


@pytest.mark.parametrize("move_name", [name for name, move in MOVES.items() if Role.COORDINATOR in move.roles])
def test_coordinator_of_another_panel_cannot_move_the_case(move_name, panel, other_panel, referrer):
    source = sorted(MOVES[move_name].sources)[0]
    case = make_case(source, panel, referrer)
    outsider = member(other_panel, Role.COORDINATOR)

    with pytest.raises(services.TransitionNotAllowed) as refused:
        perform(move_name, case, outsider)

    assert str(refused.value) == services.ROLE_NOT_ALLOWED
    assert stored_state(case) == source


def test_referrer_of_another_panel_cannot_submit_the_draft(other_panel, draft):
    outsider = member(other_panel, Role.REFERRER)

    with pytest.raises(services.TransitionNotAllowed):
        services.referral_submit(referral=draft, user=outsider, is_complete=True)

    assert stored_state(draft) == State.DRAFT


@pytest.mark.parametrize("move_name", [name for name, move in MOVES.items() if Role.COORDINATOR in move.roles])
def test_coordinator_of_another_panel_cannot_use_a_move_that_would_change_nothing(
    move_name, panel, other_panel, referrer
):
    case = make_case(MOVES[move_name].target, panel, referrer, state_reason="Earlier reason")
    outsider = member(other_panel, Role.COORDINATOR)

    with pytest.raises(services.TransitionNotAllowed) as refused:
        perform(move_name, case, outsider)

    assert str(refused.value) == services.ROLE_NOT_ALLOWED


@pytest.mark.parametrize("move_name", [name for name, move in MOVES.items() if move.needs_reason])
@pytest.mark.parametrize("reason", ["", "   \n "])
def test_move_needing_a_reason_is_refused_without_one(move_name, reason, panel, people, referrer):
    source = sorted(MOVES[move_name].sources)[0]
    case = make_case(source, panel, referrer)

    with pytest.raises(services.ReferralError) as refused:
        perform(move_name, case, actor_for(move_name, people, referrer), reason=reason)

    assert str(refused.value) == services.REASON_REQUIRED
    assert stored_state(case) == source


def test_moves_needing_a_reason_are_those_a_referrer_must_be_told_about():
    assert {name for name, move in MOVES.items() if move.needs_reason} == {
        "return",
        "transfer",
        "withdraw",
        "refuse_reconsideration",
    }


def test_coordinator_cannot_accept_a_returned_referral(panel, coordinator, referrer):
    case = make_case(State.RETURNED, panel, referrer)

    with pytest.raises(services.TransitionNotAllowed):
        perform("accept", case, coordinator)

    assert stored_state(case) == State.RETURNED


def test_withdraw_is_allowed_from_every_open_state_and_no_other():
    assert MOVES["withdraw"].sources == OPEN_STATES
    assert State.DRAFT not in OPEN_STATES and State.CLOSED not in OPEN_STATES


# --- Accept refuses a case out of the panel's scope -------------------------------------------------

REFERRAL_DATE = datetime.date(2026, 3, 2)


def dob_days_before_18(days: int, *, on: datetime.date) -> datetime.date:
    eighteenth = on + datetime.timedelta(days=days)
    return eighteenth.replace(year=eighteenth.year - 18)


def test_dob_helper_gives_50_days_until_18():
    assert days_until_18(dob_days_before_18(50, on=REFERRAL_DATE), REFERRAL_DATE) == 50


OUT_OF_SCOPE_CASES = {
    "age-disputed": ({"is_age_disputed": True}, {}, "age disputed"),
    "within-100-days-of-18": (
        {"date_of_birth": dob_days_before_18(50, on=REFERRAL_DATE)},
        {},
        "within 100 days of their 18th birthday (50 days)",
    ),
    "no-date-of-birth": ({"date_of_birth": None, "estimated_age": 15}, {}, "age uncertain: no date of birth"),
    "not-in-area": ({}, {"is_in_panel_area": False}, "not referred in or resident in the panel's area"),
    "public-order-disqualification": (
        {},
        {"is_public_order_disqualification_considered": True},
        "being considered for a public order disqualification",
    ),
    "adult": (
        {"is_adult": True, "adult_has_consented": True, "date_of_birth": datetime.date(2000, 1, 1)},
        {},
        "aged 18 or over",
    ),
}


@pytest.mark.parametrize("case_name", OUT_OF_SCOPE_CASES)
def test_accept_refuses_an_out_of_scope_case_and_leaves_it_submitted(case_name, panel, coordinator, referrer):
    referral_fields, answers, reason = OUT_OF_SCOPE_CASES[case_name]
    case = SubmittedReferralFactory(panel=panel, referrer=referrer, referral_date=REFERRAL_DATE, **referral_fields)
    scope_answers = {"is_in_panel_area": True, "is_public_order_disqualification_considered": False, **answers}

    with pytest.raises(services.ReferralError) as refused:
        services.referral_accept(referral=case, user=coordinator, **scope_answers)

    assert str(refused.value) == services.OUT_OF_SCOPE.format(reasons=reason)
    case.refresh_from_db()
    assert case.state == State.SUBMITTED
    assert case.is_in_panel_area is None
    assert case.is_public_order_disqualification_considered is None


def test_accept_takes_a_child_101_days_from_18(panel, coordinator, referrer):
    case = SubmittedReferralFactory(
        panel=panel,
        referrer=referrer,
        referral_date=REFERRAL_DATE,
        date_of_birth=dob_days_before_18(101, on=REFERRAL_DATE),
    )

    services.referral_accept(
        referral=case, user=coordinator, is_in_panel_area=True, is_public_order_disqualification_considered=False
    )

    case.refresh_from_db()
    assert case.state == State.RG_PENDING
    assert case.is_in_panel_area is True
    assert case.is_public_order_disqualification_considered is False


def test_out_of_scope_case_can_be_transferred_with_the_scope_answers_recorded(panel, coordinator, referrer):
    case = SubmittedReferralFactory(panel=panel, referrer=referrer, is_age_disputed=True)

    services.referral_transfer(
        referral=case,
        user=coordinator,
        reason="Age disputed",
        is_in_panel_area=True,
        is_public_order_disqualification_considered=False,
    )

    case.refresh_from_db()
    assert case.state == State.TRANSFERRED
    assert case.state_reason == "Age disputed"
    assert case.is_in_panel_area is True


# --- Starting a referral --------------------------------------------------------------------------


@pytest.mark.parametrize("adult_has_consented", [False, None])
def test_referral_create_refuses_an_adult_without_consent(adult_has_consented, panel, referrer):
    with pytest.raises(services.ReferralError) as refused:
        services.referral_create(referrer=referrer, panel=panel, is_adult=True, adult_has_consented=adult_has_consented)

    assert str(refused.value) == services.ADULT_WITHOUT_CONSENT
    assert not Referral.objects.exists()


def test_referral_create_starts_a_draft_for_an_adult_who_consented(panel, referrer):
    referral = services.referral_create(referrer=referrer, panel=panel, is_adult=True, adult_has_consented=True)

    assert referral.state == State.DRAFT
    assert referral.is_adult is True and referral.adult_has_consented is True
    assert referrer.has_perm("referrals.change_referral", referral)


# --- Submit: the reference and day 0 ---------------------------------------------------------------


def test_submit_gives_a_panel_reference_and_todays_referral_date(panel, referrer, draft):
    submitted = services.referral_submit(referral=draft, user=referrer, is_complete=True)

    today = timezone.localdate()
    assert re.fullmatch(r"LEW-\d{4}-\d{4}", submitted.reference)
    assert submitted.reference == f"LEW-{today.year}-0001"
    assert submitted.referral_date == today
    assert submitted.submitted_at is not None
    assert stored_state(draft) == State.SUBMITTED


def test_submit_refuses_an_incomplete_referral(referrer, draft):
    with pytest.raises(services.ReferralError) as refused:
        services.referral_submit(referral=draft, user=referrer, is_complete=False)

    assert str(refused.value) == services.INCOMPLETE
    draft.refresh_from_db()
    assert draft.state == State.DRAFT and draft.reference is None


def test_references_increment_per_panel(panel, other_panel, referrer):
    other_referrer = member(other_panel, Role.REFERRER)
    year = timezone.localdate().year
    references = []
    for _ in range(3):
        case = ReferralFactory(panel=panel, referrer=referrer)
        references.append(services.referral_submit(referral=case, user=referrer, is_complete=True).reference)
    elsewhere = ReferralFactory(panel=other_panel, referrer=other_referrer)
    other_reference = services.referral_submit(referral=elsewhere, user=other_referrer, is_complete=True).reference

    assert references == [f"LEW-{year}-0001", f"LEW-{year}-0002", f"LEW-{year}-0003"]
    assert other_reference == f"OTH-{year}-0001"


def test_resubmission_after_return_keeps_the_first_reference_and_referral_date(panel, referrer, coordinator, draft):
    first = services.referral_submit(referral=draft, user=referrer, is_complete=True)
    first_submitted_at = first.submitted_at
    ten_days_ago = timezone.localdate() - datetime.timedelta(days=10)
    Referral.objects.filter(pk=draft.pk).update(referral_date=ten_days_ago)
    services.referral_return(referral=draft, user=coordinator, reason="Add the police reference")

    again = services.referral_submit(referral=draft, user=referrer, is_complete=True)

    assert again.reference == first.reference
    assert again.referral_date == ten_days_ago
    assert again.submitted_at > first_submitted_at
    next_case = services.referral_submit(
        referral=ReferralFactory(panel=panel, referrer=referrer), user=referrer, is_complete=True
    )
    assert next_case.reference.endswith("-0002")


# --- Likely duplicates -----------------------------------------------------------------------------

DOB = datetime.date(2011, 4, 3)


def test_submit_flags_a_likely_duplicate_of_the_same_panel(panel, referrer, other_panel):
    earlier = SubmittedReferralFactory(panel=panel, first_name="Casey", last_name="Example", date_of_birth=DOB)
    elsewhere = SubmittedReferralFactory(panel=other_panel, first_name="Casey", last_name="Example", date_of_birth=DOB)
    different_dob = SubmittedReferralFactory(
        panel=panel, first_name="Casey", last_name="Example", date_of_birth=DOB + datetime.timedelta(days=1)
    )
    different_name = SubmittedReferralFactory(panel=panel, first_name="Jordan", last_name="Smith", date_of_birth=DOB)
    new = ReferralFactory(panel=panel, referrer=referrer, first_name="Casy", last_name="Example", date_of_birth=DOB)

    services.referral_submit(referral=new, user=referrer, is_complete=True)

    flagged = set(new.possible_duplicates.all())
    assert earlier in flagged
    assert elsewhere not in flagged
    assert different_dob not in flagged
    assert different_name not in flagged


def test_a_similar_child_of_another_panel_is_not_flagged(panel, referrer, other_panel):
    SubmittedReferralFactory(panel=other_panel, first_name="Casey", last_name="Example", date_of_birth=DOB)
    new = ReferralFactory(panel=panel, referrer=referrer, first_name="Casey", last_name="Example", date_of_birth=DOB)

    services.referral_submit(referral=new, user=referrer, is_complete=True)

    assert not new.possible_duplicates.exists()


def test_a_draft_is_never_flagged_as_a_duplicate(panel, referrer):
    ReferralFactory(panel=panel, first_name="Casey", last_name="Example", date_of_birth=DOB)
    new = ReferralFactory(panel=panel, referrer=referrer, first_name="Casey", last_name="Example", date_of_birth=DOB)

    services.referral_submit(referral=new, user=referrer, is_complete=True)

    assert not new.possible_duplicates.exists()


def test_a_duplicate_is_flagged_both_ways_so_the_older_case_shows_the_newer(login, panel, referrer, coordinator):
    # A reference of its own: the factory numbers LEW-2026-0001 on, as the panel counter will.
    older = SubmittedReferralFactory(
        panel=panel, reference="LEW-2025-0420", first_name="Casey", last_name="Example", date_of_birth=DOB
    )
    new = ReferralFactory(panel=panel, referrer=referrer, first_name="Casy", last_name="Example", date_of_birth=DOB)

    services.referral_submit(referral=new, user=referrer, is_complete=True)

    new.refresh_from_db()
    assert set(older.possible_duplicates.all()) == {new}
    client = login(coordinator)
    older_page = client.get(reverse("referrals:case", args=[older.public_id])).content.decode()
    newer_page = client.get(reverse("referrals:case", args=[new.public_id])).content.decode()
    warning = older_page[older_page.index('data-testid="duplicates"') :]
    assert f"{new.reference} (Casy Example)" in warning
    assert older.reference in newer_page[newer_page.index('data-testid="duplicates"') :]


# --- Police notification ---------------------------------------------------------------------------


def test_coordinator_records_the_police_notification(panel, coordinator, referrer):
    case = SubmittedReferralFactory(panel=panel, referrer=referrer)
    notified_on = timezone.localdate() - datetime.timedelta(days=1)

    services.referral_record_police_notification(referral=case, user=coordinator, notified_on=notified_on)

    case.refresh_from_db()
    assert case.police_notified_on == notified_on
    assert case.police_notified_by == coordinator
    assert case.history.latest().history_change_reason.startswith("Police notified on")


def test_police_notification_is_refused_when_the_police_made_the_referral(panel, coordinator, referrer):
    case = SubmittedReferralFactory(
        panel=panel, referrer=referrer, first_responder_organisation_type=OrganisationType.POLICE
    )

    with pytest.raises(services.ReferralError) as refused:
        services.referral_record_police_notification(referral=case, user=coordinator, notified_on=timezone.localdate())

    assert str(refused.value) == services.POLICE_REFERRED
    case.refresh_from_db()
    assert case.police_notified_on is None


@pytest.mark.parametrize("role", [role for role in Role if role != Role.COORDINATOR])
def test_police_notification_is_refused_to_other_roles(role, panel, people, referrer):
    case = SubmittedReferralFactory(panel=panel, referrer=referrer)

    with pytest.raises(services.ReferralError) as refused:
        services.referral_record_police_notification(referral=case, user=people[role], notified_on=timezone.localdate())

    assert str(refused.value) == services.ROLE_NOT_ALLOWED
    case.refresh_from_db()
    assert case.police_notified_on is None


def test_police_notification_is_refused_to_another_panels_coordinator(panel, other_panel, referrer):
    case = SubmittedReferralFactory(panel=panel, referrer=referrer)

    with pytest.raises(services.ReferralError):
        services.referral_record_police_notification(
            referral=case, user=member(other_panel, Role.COORDINATOR), notified_on=timezone.localdate()
        )

    case.refresh_from_db()
    assert case.police_notified_on is None


def test_police_notification_is_refused_for_a_draft(coordinator, draft):
    with pytest.raises(services.ReferralError):
        services.referral_record_police_notification(referral=draft, user=coordinator, notified_on=timezone.localdate())

    draft.refresh_from_db()
    assert draft.police_notified_on is None


# --- Scope, ages and the clock ---------------------------------------------------------------------


def in_scope_referral(**kwargs) -> Referral:
    fields = {
        "date_of_birth": dob_days_before_18(DAYS_BEFORE_18_OUT_OF_SCOPE + 1, on=REFERRAL_DATE),
        "is_in_panel_area": True,
        "is_public_order_disqualification_considered": False,
        **kwargs,
    }
    return Referral(**fields)


def test_assess_scope_child_101_days_from_18_in_area_is_in_scope():
    scope = assess_scope(in_scope_referral(), on=REFERRAL_DATE)

    assert scope.is_in_scope
    assert scope.reasons_out_of_scope == [] and scope.unanswered == []


def test_assess_scope_child_exactly_100_days_from_18_is_out_of_scope():
    scope = assess_scope(in_scope_referral(date_of_birth=dob_days_before_18(100, on=REFERRAL_DATE)), on=REFERRAL_DATE)

    assert not scope.is_in_scope
    assert scope.reasons_out_of_scope == ["Within 100 days of their 18th birthday (100 days)"]


def test_assess_scope_on_the_18th_birthday_is_an_adult():
    scope = assess_scope(in_scope_referral(date_of_birth=dob_days_before_18(0, on=REFERRAL_DATE)), on=REFERRAL_DATE)

    assert scope.reasons_out_of_scope == ["Aged 18 or over"]


def test_assess_scope_lists_every_reason_out_of_scope():
    referral = in_scope_referral(
        date_of_birth=None,
        is_age_disputed=True,
        is_in_panel_area=False,
        is_public_order_disqualification_considered=True,
    )

    scope = assess_scope(referral, on=REFERRAL_DATE)

    assert scope.reasons_out_of_scope == [
        "Age uncertain: no date of birth",
        "Age disputed",
        "Being considered for a public order disqualification",
        "Not referred in or resident in the panel's area",
    ]


def test_assess_scope_with_unanswered_questions_is_not_in_scope():
    referral = in_scope_referral(is_in_panel_area=None, is_public_order_disqualification_considered=None)

    scope = assess_scope(referral, on=REFERRAL_DATE)

    assert not scope.is_in_scope
    assert scope.reasons_out_of_scope == []
    assert len(scope.unanswered) == 2


def test_assess_scope_adult_is_out_of_scope():
    scope = assess_scope(in_scope_referral(is_adult=True), on=REFERRAL_DATE)

    assert "Aged 18 or over" in scope.reasons_out_of_scope


def test_child_born_on_29_february_turns_18_on_1_march():
    born = datetime.date(2008, 2, 29)

    assert eighteenth_birthday(born) == datetime.date(2026, 3, 1)
    assert age_on(born, datetime.date(2026, 2, 28)) == 17
    assert age_on(born, datetime.date(2026, 3, 1)) == 18
    assert days_until_18(born, datetime.date(2026, 2, 28)) == 1
    assert days_until_18(born, datetime.date(2026, 3, 1)) == 0


def test_child_born_on_29_february_is_a_year_older_on_28_february_of_a_leap_year_only_after_it():
    born = datetime.date(2008, 2, 29)

    assert age_on(born, datetime.date(2012, 2, 28)) == 3
    assert age_on(born, datetime.date(2012, 2, 29)) == 4


def test_age_on_the_day_before_and_on_the_birthday():
    born = datetime.date(2010, 6, 15)

    assert age_on(born, datetime.date(2026, 6, 14)) == 15
    assert age_on(born, datetime.date(2026, 6, 15)) == 16
    assert eighteenth_birthday(born) == datetime.date(2028, 6, 15)


CLOCK_DAYS = [
    (0, ClockStatus.GREEN),
    (29, ClockStatus.GREEN),
    (30, ClockStatus.AMBER),
    (39, ClockStatus.AMBER),
    (40, ClockStatus.RED),
    (45, ClockStatus.RED),
    (46, ClockStatus.RED),
]


@pytest.mark.parametrize(("day", "status"), CLOCK_DAYS)
def test_clock_colour_by_day(day, status, panel):
    today = datetime.date(2026, 5, 20)
    case = SubmittedReferralFactory(panel=panel, referral_date=today - datetime.timedelta(days=day))

    clock = case_clock(case, today=today)

    assert clock.days_elapsed == day
    assert clock.status == status
    assert clock.days_left == 45 - day
    assert clock.target_date == case.referral_date + datetime.timedelta(days=45)
    assert clock.is_overdue is (day > 45)


def test_clock_is_overdue_on_day_46(panel):
    today = datetime.date(2026, 5, 20)
    case = SubmittedReferralFactory(panel=panel, referral_date=today - datetime.timedelta(days=46))

    clock = case_clock(case, today=today)

    assert clock.is_overdue
    assert clock.days_left == -1


def test_clock_uses_the_panels_decision_target(panel):
    panel.decision_target_days = 30
    panel.save()
    today = datetime.date(2026, 5, 20)
    case = SubmittedReferralFactory(panel=panel, referral_date=today - datetime.timedelta(days=31))

    assert case_clock(case, today=today).is_overdue


@pytest.mark.parametrize("state", [State.WITHDRAWN, State.TRANSFERRED, State.CLOSED])
def test_clock_is_stopped_when_the_case_is_no_longer_open(state, panel):
    today = datetime.date(2026, 5, 20)
    case = referral_in_state(state, panel=panel, referral_date=today - datetime.timedelta(days=46))

    assert case_clock(case, today=today).status == ClockStatus.STOPPED


def test_clock_stops_when_the_coordinator_withdraws_the_case(panel, coordinator, referrer):
    today = timezone.localdate()
    case = SubmittedReferralFactory(panel=panel, referrer=referrer, referral_date=today - datetime.timedelta(days=35))
    assert case_clock(case, today=today).status == ClockStatus.AMBER

    withdrawn = services.referral_withdraw(referral=case, user=coordinator, reason="Family moved abroad")

    assert case_clock(withdrawn, today=today).status == ClockStatus.STOPPED


def test_clock_keeps_running_when_a_case_is_returned(panel):
    today = datetime.date(2026, 5, 20)
    case = referral_in_state(State.RETURNED, panel=panel, referral_date=today - datetime.timedelta(days=31))

    assert case_clock(case, today=today).status == ClockStatus.AMBER


def test_a_draft_has_no_clock(draft):
    assert case_clock(draft, today=timezone.localdate()) is None


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.CHAIR, Role.PANEL_MEMBER, Role.AUDITOR])
def test_only_the_referrer_changes_their_draft_through_the_services(people, draft, role):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from referrals import services

    someone_else = people[role]
    with pytest.raises(services.ReferralError, match=services.ROLE_NOT_ALLOWED):
        services.referral_update(referral=draft, user=someone_else, changes={"first_name": "X"}, section="Child")
    upload = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    with pytest.raises(services.ReferralError, match=services.ROLE_NOT_ALLOWED):
        services.attachment_add(referral=draft, user=someone_else, upload=upload, description="x")
    draft.refresh_from_db()
    assert draft.first_name != "X"
    assert not draft.attachments.exists()


def test_a_long_reason_is_recorded_in_full(panel, coordinator, referrer):
    case = make_case(State.SUBMITTED, panel, referrer)
    reason = "Please add the police reference and the school's safeguarding record. " * 8

    services.referral_return(referral=case, user=coordinator, reason=reason)

    assert case.history.latest().history_change_reason == f"{MOVES['return'].done}: {reason.strip()}"
