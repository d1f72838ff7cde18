"""Factories that build valid objects in one line, one per role and one per case state."""

import datetime

import factory
from django.utils import timezone
from guardian.shortcuts import assign_perm

from nrm_panel.models import Agency, AgencyKind, Membership, Panel, Role, User
from referrals.models import (
    ChildKnowsAboutReferral,
    ExploitationType,
    ExploitedIn,
    Gender,
    LookedAfterStatus,
    OrganisationType,
    Referral,
    State,
)

PASSWORD = "correct-horse-battery-staple"


class PanelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Panel

    name = factory.Sequence(lambda n: f"Test Borough {n} NRM Panel")
    code = factory.Sequence(lambda n: "T" + "".join(chr(65 + int(d)) for d in f"{n:03d}"))
    local_authorities = factory.LazyAttribute(lambda o: o.name.replace(" NRM Panel", " Council"))


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    panel = factory.SubFactory(PanelFactory)
    kind = AgencyKind.SOCIAL_CARE
    name = factory.LazyAttributeSequence(lambda o, n: f"{o.kind} agency {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@council.example")
    first_name = "Sam"
    last_name = factory.Sequence(lambda n: f"Tester{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def member(panel: Panel, role: str, *, user: User | None = None, agency: Agency | None = None) -> User:
    """A user with `role` on `panel` (agency roles get an agency of the right kind)."""
    user = user or UserFactory()
    if role in (Role.PANEL_MEMBER, Role.DESIGNATED_NURSE) and agency is None:
        kind = AgencyKind.HEALTH if role == Role.DESIGNATED_NURSE else AgencyKind.POLICE
        agency = AgencyFactory(panel=panel, kind=kind)
    Membership.objects.create(user=user, panel=panel, role=role, agency=agency)
    return user


class ReferralFactory(factory.django.DjangoModelFactory):
    """A complete draft referral; use the state factories below for other states."""

    class Meta:
        model = Referral
        skip_postgeneration_save = True

    panel = factory.SubFactory(PanelFactory)
    referrer = factory.LazyAttribute(lambda o: member(o.panel, Role.REFERRER))
    state = State.DRAFT
    first_name = factory.Sequence(lambda n: f"Alex{n}")
    last_name = "Testchild"
    date_of_birth = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=15 * 365))
    is_age_disputed = False
    gender = Gender.MALE
    nationality = "British"
    languages = "English"
    needs_interpreter = False
    current_address = "Foster placement, 1 Example Road"
    looked_after_status = LookedAfterStatus.LOOKED_AFTER
    first_responder_organisation = "Test Borough Children's Services"
    first_responder_organisation_type = OrganisationType.LOCAL_AUTHORITY
    first_responder_name = "Jo Worker"
    first_responder_role = "Social worker"
    first_responder_email = "jo.worker@council.example"
    first_responder_phone = "020 7946 0000"
    decision_safe_address = "Children's Services, Town Hall, Example Street"
    exploitation_types = factory.LazyFunction(lambda: [ExploitationType.COUNTY_LINES])
    exploited_in = ExploitedIn.UK
    exploitation_places = "Test Borough; Seaside Town"
    is_exploitation_ongoing = False
    account = "Found in a flat far from home with drugs and cash."
    child_wishes_and_feelings = "Wants to stay in the placement."
    child_knows_about_referral = ChildKnowsAboutReferral.YES
    other_agencies_involved = "Youth offending team"

    @factory.post_generation
    def permissions(obj, create, extracted, **kwargs):
        if create:
            assign_perm("referrals.view_referral", obj.referrer, obj)
            assign_perm("referrals.change_referral", obj.referrer, obj)


_reference_numbers = iter(range(1, 10**6))


class SubmittedReferralFactory(ReferralFactory):
    state = State.SUBMITTED
    # A year the panel's reference counter never reaches, so real submissions in a test never collide.
    reference = factory.LazyAttribute(lambda o: f"{o.panel.code}-1999-{next(_reference_numbers):04d}")
    referral_date = factory.LazyFunction(timezone.localdate)
    submitted_at = factory.LazyFunction(timezone.now)


class ReturnedReferralFactory(SubmittedReferralFactory):
    state = State.RETURNED
    state_reason = "Please add the police reference."


class RgPendingReferralFactory(SubmittedReferralFactory):
    state = State.RG_PENDING
    is_in_panel_area = True
    is_public_order_disqualification_considered = False


def referral_in_state(state: str, **kwargs) -> Referral:
    factories = {State.DRAFT: ReferralFactory, State.RETURNED: ReturnedReferralFactory}
    factory_class = factories.get(state, SubmittedReferralFactory)
    return factory_class(state=state, **kwargs)


class PanelMeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "decisions.PanelMeeting"

    panel = factory.SubFactory(PanelFactory)
    date = factory.LazyFunction(timezone.localdate)
    starts_at = datetime.time(10, 0)
    place = "Committee room 2"


class AgendaItemFactory(factory.django.DjangoModelFactory):
    """A case already on a meeting's agenda, made without `agenda_add` (which tests of agendas go through)."""

    class Meta:
        model = "decisions.AgendaItem"

    meeting = factory.SubFactory(PanelMeetingFactory)
    referral = factory.LazyAttribute(lambda o: referral_in_state(State.ON_AGENDA, panel=o.meeting.panel))
    purpose = "rg"
    position = factory.Sequence(lambda n: n + 1)
    added_by = factory.LazyAttribute(lambda o: member(o.meeting.panel, Role.COORDINATOR))
