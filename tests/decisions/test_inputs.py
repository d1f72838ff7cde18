"""Agency inputs: each partner agency's view of a case, written only by that agency's members on the panel,
revisable until a decision that used it is signed off, then locked (a new one is started for a later decision)."""

import pytest

from decisions import services
from decisions.models import AgencyInput, DecisionKind, Outcome, Recommendation
from nrm_panel.models import AgencyKind, Membership, Role
from referrals.models import State
from tests.factories import AgencyFactory, member, referral_in_state

pytestmark = pytest.mark.django_db


def save_input(case, agency, user, *, recommendation=Recommendation.VICTIM, version=None, **text):
    return services.agency_input_save(
        referral=case,
        agency=agency,
        user=user,
        knowledge=text.get("knowledge", "Known to the agency since March."),
        risks=text.get("risks", "Still in contact with the exploiters."),
        recommendation=recommendation,
        reasons=text.get("reasons", "A consistent account with indicators of county lines."),
        version=version,
    )


@pytest.fixture
def case(steps):
    return steps.case()


@pytest.mark.parametrize(("kind", "writer"), [(AgencyKind.POLICE, "police"), (AgencyKind.HEALTH, "health")])
def test_a_member_of_the_agency_on_the_panel_writes_its_input(sitting, case, kind, writer):
    saved = save_input(case, sitting.agencies[kind], getattr(sitting, writer))

    assert saved.agency == sitting.agencies[kind]
    assert saved.submitted_by == getattr(sitting, writer)
    assert saved.version == 1
    assert not saved.is_locked


@pytest.mark.parametrize(
    "writer",
    [
        "coordinator",
        "chair",
        "referrer",
        "auditor",
        "member_of_another_agency",
        "inactive_member",
        "other_panel_police",
    ],
)
def test_only_active_members_of_the_agency_on_the_panel_write_its_input(sitting, people, other_panel, case, writer):
    police = sitting.agencies[AgencyKind.POLICE]
    if writer == "member_of_another_agency":
        user = sitting.social_care
    elif writer == "inactive_member":
        user = member(sitting.panel, Role.PANEL_MEMBER, agency=police)
        Membership.objects.filter(user=user).update(is_active=False)
    elif writer == "other_panel_police":
        user = member(other_panel, Role.PANEL_MEMBER, agency=AgencyFactory(panel=other_panel, kind=AgencyKind.POLICE))
    else:
        user = people[Role(writer)]

    with pytest.raises(services.NotAllowed):
        save_input(case, police, user)
    assert not AgencyInput.objects.exists()


def test_an_agency_of_another_panel_cannot_give_an_input_on_this_panels_case(other_panel, case):
    their_police = AgencyFactory(panel=other_panel, kind=AgencyKind.POLICE)
    their_officer = member(other_panel, Role.PANEL_MEMBER, agency=their_police)

    with pytest.raises(services.NotAllowed):
        save_input(case, their_police, their_officer)
    assert not AgencyInput.objects.exists()


@pytest.mark.parametrize(("kind", "writer"), [(AgencyKind.SOCIAL_CARE, "social_care"), (AgencyKind.POLICE, "police")])
def test_a_required_agency_must_give_a_recommendation(sitting, case, kind, writer):
    with pytest.raises(services.DecisionError, match=services.RECOMMENDATION_REQUIRED):
        save_input(case, sitting.agencies[kind], getattr(sitting, writer), recommendation="")
    assert not AgencyInput.objects.exists()


def test_education_may_give_its_knowledge_without_a_recommendation(sitting, case):
    saved = save_input(case, sitting.agencies[AgencyKind.EDUCATION], sitting.education, recommendation="")
    assert saved.recommendation == ""


def test_which_agencies_must_recommend_is_the_panels_setting(sitting, case):
    sitting.panel.required_input_kinds = [AgencyKind.SOCIAL_CARE, AgencyKind.EDUCATION]
    sitting.panel.save()

    with pytest.raises(services.DecisionError, match=services.RECOMMENDATION_REQUIRED):
        save_input(case, sitting.agencies[AgencyKind.EDUCATION], sitting.education, recommendation="")
    assert save_input(case, sitting.agencies[AgencyKind.POLICE], sitting.police, recommendation="").pk


def test_an_input_is_revised_until_sign_off_and_the_decision_uses_the_last_revision(sitting, steps, case):
    police = sitting.agencies[AgencyKind.POLICE]
    first = save_input(case, police, sitting.police, recommendation=Recommendation.NOT_ENOUGH_INFORMATION)
    item = steps.add(sitting.meeting, case)
    steps.open(sitting.meeting)
    steps.record(item)
    revised = save_input(case, police, sitting.police, version=first.version, reasons="The phone download is in.")
    assert (revised.pk, revised.version) == (first.pk, first.version + 1)

    steps.sign(item)

    decision = case.decisions.get()
    revised.refresh_from_db()
    assert revised.locked_by == decision
    assert decision.agency_recommendations == [
        {
            "agency": str(police),
            "kind": "Police",
            "recommendation": Recommendation.VICTIM.label,
            "reasons": "The phone download is in.",
        }
    ]


def test_a_locked_input_cannot_change(sitting, steps, case):
    police = sitting.agencies[AgencyKind.POLICE]
    used = save_input(case, police, sitting.police)
    steps.decide(case, sitting.meeting)
    used.refresh_from_db()
    assert used.is_locked

    with pytest.raises(services.StaleRecord, match=services.INPUT_LOCKED):
        save_input(case, police, sitting.police, version=used.version, reasons="Changed afterwards.")

    used.refresh_from_db()
    assert used.reasons == "A consistent account with indicators of county lines."
    assert AgencyInput.objects.count() == 1


def test_a_new_input_is_started_for_a_cg_at_a_later_meeting(sitting, steps):
    case = steps.case(referral_date=steps.day(-40))
    police = sitting.agencies[AgencyKind.POLICE]
    for_rg = save_input(case, police, sitting.police, reasons="For reasonable grounds.")
    steps.decide(case, steps.meeting(steps.day(-30)))
    assert case.state == State.CG_PENDING

    for_cg = save_input(case, police, sitting.police, reasons="For conclusive grounds.")
    assert for_cg.pk != for_rg.pk
    assert not for_cg.is_locked
    steps.decide(case, steps.meeting(steps.day(-10)), (DecisionKind.CG, Outcome.POSITIVE))

    rg, cg = case.decisions.get(kind=DecisionKind.RG), case.decisions.get(kind=DecisionKind.CG)
    for_rg.refresh_from_db()
    for_cg.refresh_from_db()
    assert for_rg.locked_by == rg
    assert for_cg.locked_by == cg
    assert [r["reasons"] for r in rg.agency_recommendations] == ["For reasonable grounds."]
    assert [r["reasons"] for r in cg.agency_recommendations] == ["For conclusive grounds."]


def test_an_input_saved_from_a_stale_form_is_refused_and_nothing_changes(sitting, case):
    police = sitting.agencies[AgencyKind.POLICE]
    first = save_input(case, police, sitting.police)
    save_input(case, police, sitting.police, version=first.version, reasons="Second thoughts.")

    with pytest.raises(services.StaleRecord):
        save_input(case, police, sitting.police, version=first.version, reasons="From an old form.")

    saved = AgencyInput.objects.get()
    assert (saved.reasons, saved.version) == ("Second thoughts.", first.version + 1)


@pytest.mark.parametrize("state", [State.RG_PENDING, State.ON_AGENDA, State.CG_PENDING, State.RECONSIDERATION], ids=str)
def test_an_input_is_taken_while_the_case_awaits_a_decision(sitting, state):
    case = referral_in_state(state, panel=sitting.panel)
    assert save_input(case, sitting.agencies[AgencyKind.POLICE], sitting.police).pk


@pytest.mark.parametrize(
    "state",
    [
        State.SUBMITTED,
        State.RETURNED,
        State.RG_NEGATIVE,
        State.CG_POSITIVE,
        State.CG_NEGATIVE,
        State.TRANSFERRED,
        State.WITHDRAWN,
        State.CLOSED,
    ],
    ids=str,
)
def test_no_input_is_taken_when_the_case_is_not_awaiting_a_decision(sitting, state):
    case = referral_in_state(state, panel=sitting.panel)

    with pytest.raises(services.DecisionError, match=services.INPUT_NOT_OPEN):
        save_input(case, sitting.agencies[AgencyKind.POLICE], sitting.police)
    assert not AgencyInput.objects.exists()
