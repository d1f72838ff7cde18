"""A panel administrator adds and removes people on their own panel, and only there."""

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils.html import escape

from nrm_panel import services
from nrm_panel.models import Membership, Role, User
from nrm_panel.services import CANNOT_REMOVE_OWN_ADMINISTRATOR_ROLE
from tests.factories import PASSWORD, AgencyFactory, SubmittedReferralFactory, UserFactory, member

pytestmark = pytest.mark.django_db


def test_administrator_adds_a_new_person_who_is_invited_by_email(
    login, people, panel, django_capture_on_commit_callbacks
):
    client = login(people[Role.ADMINISTRATOR])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("panel_person_add", args=[panel.pk]),
            {"email": "New.Person@Council.example", "first_name": "New", "last_name": "Person", "role": Role.CHAIR},
        )
    assert response.status_code == 302
    user = User.objects.get(email="new.person@council.example")
    assert Membership.objects.filter(user=user, panel=panel, role=Role.CHAIR, is_active=True).exists()
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1
    assert "/password/set/" in mail.outbox[0].body
    page = client.get(reverse("panel_people", args=[panel.pk])).content.decode()
    assert "new.person@council.example" in page


def test_invitation_link_sets_the_password_and_the_person_can_sign_in(
    client, login, people, panel, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        login(people[Role.ADMINISTRATOR]).post(
            reverse("panel_person_add", args=[panel.pk]),
            {"email": "invitee@council.example", "first_name": "In", "last_name": "Vitee", "role": Role.AUDITOR},
        )
    client.logout()
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password/set/" in line)
    response = client.get(link, follow=True)
    assert response.status_code == 200
    new_password = "a long unusual passphrase 2026"
    response = client.post(
        response.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}
    )
    assert response.status_code == 302
    signed_in = client.post("/sign-in/", {"username": "invitee@council.example", "password": new_password})
    assert signed_in.status_code == 302 and "/sign-in/set-up/" in signed_in["Location"]


def test_panel_member_needs_an_agency_of_this_panel(login, people, panel, other_panel):
    client = login(people[Role.ADMINISTRATOR])
    foreign_agency = AgencyFactory(panel=other_panel)
    for agency in ("", foreign_agency.pk):
        response = client.post(
            reverse("panel_person_add", args=[panel.pk]),
            {
                "email": "pm@council.example",
                "first_name": "P",
                "last_name": "M",
                "role": Role.PANEL_MEMBER,
                "agency": agency,
            },
        )
        assert response.status_code == 400
        assert "govuk-error-summary" in response.content.decode()
    assert not Membership.objects.filter(user__email="pm@council.example").exists()


def test_bad_input_gives_field_messages(login, people, panel):
    client = login(people[Role.ADMINISTRATOR])
    response = client.post(
        reverse("panel_person_add", args=[panel.pk]),
        {"email": "not-an-email", "role": "emperor", "first_name": "x" * 500},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter an email address in the correct format" in page
    assert "Select one of the roles" in page
    assert "Enter their last name" in page


def test_administrator_removes_a_role_but_not_their_own(login, people, panel):
    administrator = people[Role.ADMINISTRATOR]
    client = login(administrator)
    chair_membership = Membership.objects.get(user=people[Role.CHAIR], panel=panel)
    response = client.post(reverse("panel_membership_end", args=[panel.pk, chair_membership.pk]))
    assert response.status_code == 302
    chair_membership.refresh_from_db()
    assert chair_membership.is_active is False
    own = Membership.objects.get(user=administrator, panel=panel, role=Role.ADMINISTRATOR)
    response = client.post(reverse("panel_membership_end", args=[panel.pk, own.pk]), follow=True)
    assert CANNOT_REMOVE_OWN_ADMINISTRATOR_ROLE in response.content.decode()
    own.refresh_from_db()
    assert own.is_active


@pytest.mark.parametrize("role", [role for role in Role if role != Role.ADMINISTRATOR])
def test_other_roles_cannot_manage_people(login, people, panel, role):
    client = login(people[role])
    membership = Membership.objects.get(user=people[Role.CHAIR], panel=panel)
    assert client.get(reverse("panel_people", args=[panel.pk])).status_code == 404
    assert client.get(reverse("panel_person_add", args=[panel.pk])).status_code == 404
    assert client.post(reverse("panel_membership_end", args=[panel.pk, membership.pk])).status_code == 404


def test_administrator_of_another_panel_cannot_see_or_change_this_panel(login, panel, other_panel, people):
    client = login(member(other_panel, Role.ADMINISTRATOR))
    membership = Membership.objects.get(user=people[Role.CHAIR], panel=panel)
    assert client.get(reverse("panel_people", args=[panel.pk])).status_code == 404
    assert client.post(reverse("panel_membership_end", args=[panel.pk, membership.pk])).status_code == 404
    # Nor through its own panel's URL with this panel's membership id.
    assert client.post(reverse("panel_membership_end", args=[other_panel.pk, membership.pk])).status_code == 404
    membership.refresh_from_db()
    assert membership.is_active


def test_people_page_query_count_does_not_grow(login, people, panel):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(people[Role.ADMINISTRATOR])
    url = reverse("panel_people", args=[panel.pk])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(45):
        member(panel, Role.REFERRER)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def add_person(added_by, panel, **overrides):
    """Call the service as the view does, with a valid new person unless told otherwise."""
    fields = {
        "email": "newcomer@council.example",
        "first_name": "New",
        "last_name": "Comer",
        "role": Role.CHAIR,
        "agency": None,
        "site_url": "https://nrm.example/",
    }
    return services.membership_add(panel=panel, added_by=added_by, **{**fields, **overrides})


@pytest.mark.parametrize("role", [role for role in Role if role != Role.ADMINISTRATOR])
def test_membership_add_refuses_someone_who_is_not_an_administrator_of_the_panel(
    role, people, panel, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(services.MembershipError) as refused:
        add_person(people[role], panel)

    assert str(refused.value) == services.NOT_AN_ADMINISTRATOR
    assert not User.objects.filter(email="newcomer@council.example").exists()
    assert mail.outbox == []


def test_membership_add_refuses_the_administrator_of_another_panel(panel, other_panel):
    with pytest.raises(services.MembershipError) as refused:
        add_person(member(other_panel, Role.ADMINISTRATOR), panel)

    assert str(refused.value) == services.NOT_AN_ADMINISTRATOR
    assert not Membership.objects.filter(user__email="newcomer@council.example").exists()


def test_administrator_cannot_give_themselves_a_role_that_reads_cases(login, people, panel):
    administrator = people[Role.ADMINISTRATOR]
    case = SubmittedReferralFactory(panel=panel)
    client = login(administrator)
    case_url = reverse("referrals:case", args=[case.public_id])
    assert client.get(case_url).status_code == 404

    response = client.post(
        reverse("panel_person_add", args=[panel.pk]),
        {"email": administrator.email.upper(), "first_name": "Me", "last_name": "Again", "role": Role.COORDINATOR},
    )

    assert response.status_code == 400
    assert escape(services.CANNOT_CHANGE_OWN_ROLES) in response.content.decode()
    assert not Membership.objects.filter(user=administrator).exclude(role=Role.ADMINISTRATOR).exists()
    assert client.get(case_url).status_code == 404
    assert mail.outbox == []


def test_panel_administrator_cannot_make_someone_a_panel_administrator(login, people, panel):
    client = login(people[Role.ADMINISTRATOR])

    response = client.post(
        reverse("panel_person_add", args=[panel.pk]),
        {"email": "deputy@council.example", "first_name": "De", "last_name": "Puty", "role": Role.ADMINISTRATOR},
    )

    assert response.status_code == 400
    assert escape(services.ONLY_SUPERUSERS_ADD_ADMINISTRATORS) in response.content.decode()
    assert not User.objects.filter(email="deputy@council.example").exists()
    assert mail.outbox == []


def test_superuser_can_make_someone_a_panel_administrator(panel, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        membership = add_person(UserFactory(is_superuser=True), panel, role=Role.ADMINISTRATOR)

    assert membership.role == Role.ADMINISTRATOR and membership.is_active
    assert len(mail.outbox) == 1


def test_adding_an_existing_person_emails_them_without_a_set_password_link(
    login, people, panel, django_capture_on_commit_callbacks
):
    existing = UserFactory(email="existing.person@council.example", first_name="Storedfirst", last_name="Storedlast")
    typed_email = "Existing.Person@Council.example"
    client = login(people[Role.ADMINISTRATOR])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("panel_person_add", args=[panel.pk]),
            {"email": typed_email, "first_name": "Typed", "last_name": "Othername", "role": Role.AUDITOR},
        )

    assert response.status_code == 302
    assert Membership.objects.filter(user=existing, panel=panel, role=Role.AUDITOR, is_active=True).exists()
    existing.refresh_from_db()
    assert (existing.first_name, existing.last_name) == ("Storedfirst", "Storedlast")
    assert existing.has_usable_password()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["existing.person@council.example"]
    assert "/password/set/" not in mail.outbox[0].body
    assert reverse("login") in mail.outbox[0].body
    [message] = [str(message) for message in get_messages(response.wsgi_request)]
    assert message.startswith(f"{typed_email} is now auditor on {panel}.")
    assert "Storedfirst" not in message and "Storedlast" not in message


def _reset_url(panel, membership):
    return reverse("panel_person_sign_in_reset", args=[panel.pk, membership.pk])


def test_administrator_resets_a_persons_sign_in_who_is_signed_out_and_emailed(login, people, panel):
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    coordinator = people[Role.COORDINATOR]
    their_phone = Client()
    their_phone.force_login(coordinator)
    assert their_phone.get(reverse("referrals:list")).status_code == 200
    membership = Membership.objects.get(user=coordinator, panel=panel)

    response = login(people[Role.ADMINISTRATOR]).post(_reset_url(panel, membership))

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=coordinator).exists()
    assert their_phone.get(reverse("referrals:list"))["Location"].startswith(reverse("login"))
    assert [message.to for message in mail.outbox] == [[coordinator.email]]
    assert "reset your sign-in" in mail.outbox[0].body
    # At their next sign-in they set up the app again.
    signed_in = Client().post(reverse("login"), {"username": coordinator.email, "password": PASSWORD})
    assert signed_in["Location"].startswith(reverse("second_factor_set_up"))


def test_administrator_cannot_reset_their_own_sign_in_or_an_instance_administrators(login, people, panel):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    administrator = people[Role.ADMINISTRATOR]
    superuser = UserFactory(is_superuser=True, is_staff=True)
    login(superuser)  # gives the superuser an app
    client = login(administrator)
    superuser_membership = Membership.objects.get(user=member(panel, Role.AUDITOR, user=superuser), panel=panel)

    for membership in (Membership.objects.get(user=administrator, panel=panel), superuser_membership):
        response = client.post(_reset_url(panel, membership), follow=True)
        assert response.status_code == 200
        assert "reset" in str(list(get_messages(response.wsgi_request))[0])
    assert TOTPDevice.objects.filter(user__in=[administrator, superuser]).count() == 2
    assert mail.outbox == []


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.CHAIR, Role.AUDITOR, Role.REFERRER])
def test_only_the_panels_administrator_resets_sign_ins(login, people, panel, role):
    membership = Membership.objects.get(user=people[Role.CHAIR], panel=panel)

    assert login(people[role]).post(_reset_url(panel, membership)).status_code == 404
    assert mail.outbox == []


def test_administrator_of_another_panel_cannot_reset_this_panels_people(login, people, panel, other_panel):
    outsider = member(other_panel, Role.ADMINISTRATOR)
    membership = Membership.objects.get(user=people[Role.CHAIR], panel=panel)

    client = login(outsider)
    assert client.post(_reset_url(panel, membership)).status_code == 404
    assert client.post(_reset_url(other_panel, membership)).status_code == 404
    assert client.get(_reset_url(other_panel, membership)).status_code == 405
    assert mail.outbox == []
