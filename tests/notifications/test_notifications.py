"""Notifications: each event tells exactly the people it concerns, once; the email carries only the kind of
event and a link; the outbox sends each email once, retries a failure with backoff and then gives up; the
pages show a person only their own notifications, from panels where they still hold a role."""

import datetime
import re
import smtplib
import uuid

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from decisions import letters
from decisions import services as decision_services
from notifications import selectors, services
from notifications.models import EmailState, Kind, Notification
from nrm_panel.models import AGENCY_ROLES, AgencyKind, Membership, Role
from referrals import services as referral_services
from referrals.models import State
from safeguarding.services import health
from tests.decisions.conftest import Steps
from tests.decisions.http_helpers import sitting_for
from tests.factories import SubmittedReferralFactory, UserFactory, member
from tests.safeguarding.conftest import request_fields

pytestmark = pytest.mark.django_db
BOTH = frozenset({Role.COORDINATOR, Role.CHAIR})

CASE_REFERENCE = re.compile(r"\b[A-Z]{2,5}-\d{4}-\d{4}\b")


# --- The panel, its people and another panel -----------------------------------------------------


@pytest.fixture
def sitting(panel):
    return sitting_for(panel, "Lewisham")


@pytest.fixture
def steps(sitting):
    return Steps(sitting)


@pytest.fixture
def theirs(other_panel):
    """Another panel with the same roles: none of its people hears of our panel's events."""
    return sitting_for(other_panel, "Bexley")


def ended(user, panel):
    """`user` no longer holds any role on `panel`."""
    Membership.objects.filter(user=user, panel=panel).update(is_active=False)
    return user


def deactivated(user):
    user.is_active = False
    user.save()
    return user


def told(kind) -> set:
    """The people told of events of `kind`, after checking nobody was told twice of one event."""
    notifications = list(Notification.objects.filter(kind=kind).select_related("recipient"))
    keys = [(n.recipient_id, n.event_key) for n in notifications]
    assert len(keys) == len(set(keys))
    return {n.recipient for n in notifications}


def bystanders(panel, theirs):
    """People who must hear of none of our panel's case events: our auditor, administrator and a
    referrer of other cases, an ended membership, a deactivated coordinator, and the other panel."""
    return {
        member(panel, Role.AUDITOR),
        member(panel, Role.ADMINISTRATOR),
        member(panel, Role.REFERRER),
        ended(member(panel, Role.COORDINATOR), panel),
        deactivated(member(panel, Role.COORDINATOR)),
        theirs.coordinator,
        theirs.chair,
        theirs.police,
        theirs.health,
    }


# --- Who is told of each event ---------------------------------------------------------------------


def test_returning_a_referral_tells_its_referrer_and_nobody_else(panel, sitting, theirs):
    case = SubmittedReferralFactory(panel=panel)
    others = bystanders(panel, theirs) | {SubmittedReferralFactory(panel=panel).referrer}

    referral_services.referral_return(referral=case, user=sitting.coordinator, reason="Add the police reference")

    assert told(Kind.REFERRAL_RETURNED) == {case.referrer}
    assert not told(Kind.REFERRAL_RETURNED) & others
    notification = Notification.objects.get()
    assert notification.panel == panel
    assert notification.link == reverse("referrals:case", args=[case.public_id])
    assert case.first_name not in notification.text and case.last_name not in notification.text


def test_accepting_a_referral_tells_its_referrer_and_nobody_else(panel, sitting, theirs):
    case = SubmittedReferralFactory(panel=panel)
    others = bystanders(panel, theirs) | {SubmittedReferralFactory(panel=panel).referrer}

    referral_services.referral_accept(
        referral=case,
        user=sitting.coordinator,
        is_in_panel_area=True,
        is_public_order_disqualification_considered=False,
    )

    case.refresh_from_db()
    assert case.state == State.RG_PENDING
    assert told(Kind.REFERRAL_ACCEPTED) == {case.referrer}
    assert not told(Kind.REFERRAL_ACCEPTED) & others
    assert Notification.objects.get().link == reverse("referrals:case", args=[case.public_id])


def test_a_deactivated_referrer_is_told_nothing(panel, sitting):
    case = SubmittedReferralFactory(panel=panel)
    deactivated(case.referrer)

    referral_services.referral_return(referral=case, user=sitting.coordinator, reason="Add the police reference")

    assert not Notification.objects.exists()


def test_returning_a_returned_referral_again_tells_its_referrer_once(panel, sitting):
    case = SubmittedReferralFactory(panel=panel)

    for _ in range(2):
        referral_services.referral_return(referral=case, user=sitting.coordinator, reason="Add the police reference")

    assert Notification.objects.filter(recipient=case.referrer).count() == 1


def test_a_case_on_the_agenda_asks_the_members_of_each_required_agency_for_their_view(panel, sitting, steps, theirs):
    police = sitting.agencies[AgencyKind.POLICE]
    second_police_member = member(panel, Role.PANEL_MEMBER, agency=police)
    # A chair of ours who sits for the police on the other panel asks for nothing here.
    chair_here_police_there = member(
        panel, Role.CHAIR, user=member(theirs.panel, Role.PANEL_MEMBER, agency=theirs.agencies[AgencyKind.POLICE])
    )
    others = bystanders(panel, theirs) | {
        ended(member(panel, Role.PANEL_MEMBER, agency=police), panel),
        deactivated(member(panel, Role.PANEL_MEMBER, agency=police)),
        chair_here_police_there,
        sitting.education,  # education is not a required agency
        sitting.chair,
        sitting.coordinator,
    }
    case = steps.case()

    steps.add(sitting.meeting, case)

    expected = {sitting.social_care, sitting.police, second_police_member, sitting.health}
    assert told(Kind.INPUT_REQUESTED) == expected
    assert not told(Kind.INPUT_REQUESTED) & others
    for notification in Notification.objects.filter(kind=Kind.INPUT_REQUESTED):
        assert notification.panel == panel
        assert notification.link == reverse("decisions:case_inputs", args=[case.public_id])
    # Each person is asked for their own agency's view.
    for person, kind in ((sitting.police, AgencyKind.POLICE), (sitting.health, AgencyKind.HEALTH)):
        text = Notification.objects.get(recipient=person).text
        assert sitting.agencies[kind].name in text
        assert case.first_name not in text and case.last_name not in text


def test_a_signed_decision_tells_the_coordinators_the_referrer_and_the_lead_social_worker(
    panel, sitting, steps, theirs
):
    second_coordinator = member(panel, Role.COORDINATOR)
    lead_social_worker = member(panel, Role.PANEL_MEMBER, agency=sitting.agencies[AgencyKind.SOCIAL_CARE])
    case = steps.case()
    referral_services.referral_set_lead_social_worker(
        referral=case, user=sitting.coordinator, lead_social_worker=lead_social_worker
    )
    others = bystanders(panel, theirs) | {sitting.chair, sitting.police, sitting.health, sitting.education}

    steps.decide(case, sitting.meeting)

    assert told(Kind.DECISION_SIGNED) == {sitting.coordinator, second_coordinator, case.referrer, lead_social_worker}
    assert not told(Kind.DECISION_SIGNED) & others
    for notification in Notification.objects.filter(kind=Kind.DECISION_SIGNED):
        assert notification.link == reverse("referrals:case", args=[case.public_id])
        assert case.first_name not in notification.text and case.last_name not in notification.text


def test_sending_the_pack_tells_everyone_who_sits_on_the_panels_meetings(panel, sitting, steps, theirs):
    steps.add(sitting.meeting, steps.case())
    sits = {
        sitting.coordinator,
        sitting.chair,
        sitting.deputy,
        sitting.social_care,
        sitting.police,
        sitting.health,
        sitting.education,
    }
    others = bystanders(panel, theirs) | {member(panel, Role.REFERRER)}

    decision_services.meeting_pack_send(meeting=sitting.meeting, user=sitting.coordinator)

    assert told(Kind.MEETING_PACK_READY) == sits
    assert not told(Kind.MEETING_PACK_READY) & others
    assert {n.link for n in Notification.objects.filter(kind=Kind.MEETING_PACK_READY)} == {
        reverse("decisions:pack", args=[sitting.meeting.public_id])
    }


def test_a_rendered_letter_tells_the_coordinator_who_issued_it(
    panel, sitting, steps, theirs, django_capture_on_commit_callbacks
):
    second_coordinator = member(panel, Role.COORDINATOR)
    others = bystanders(panel, theirs) | {second_coordinator, sitting.chair}
    item = steps.decide(steps.case(), sitting.meeting)

    with django_capture_on_commit_callbacks(execute=True):
        letter = letters.letter_issue(referral=item.referral, decision=item.decisions.get(), user=sitting.coordinator)

    assert told(Kind.LETTER_READY) == {sitting.coordinator}
    assert not told(Kind.LETTER_READY) & others
    assert Notification.objects.get(kind=Kind.LETTER_READY).link == reverse("decisions:letter", args=[letter.public_id])


def test_the_same_event_reported_twice_tells_each_person_once(panel, sitting):
    people = [sitting.coordinator, sitting.chair]
    event = dict(panel_id=panel.pk, kind=Kind.CLOCK, text="Day 40 of 45", link="/", key="clock:test:1", roles=BOTH)

    services.notify(recipients=[*people, sitting.chair], **event)
    services.notify(recipients=people, **event)
    for _ in range(2):
        services.notify_events(
            [
                services.Event(
                    panel_id=panel.pk,
                    kind=Kind.CLOCK,
                    text="Day 40 of 45",
                    link="/",
                    key="clock:test:1",
                    roles=frozenset({Role.COORDINATOR, Role.CHAIR}),
                )
            ]
        )

    assert sorted(Notification.objects.values_list("recipient_id", flat=True)) == sorted(
        [sitting.coordinator.pk, sitting.chair.pk, sitting.deputy.pk]
    )
    services.send_pending_emails()
    assert sorted(email.to[0] for email in mail.outbox) == sorted(
        person.email for person in (sitting.coordinator, sitting.chair, sitting.deputy)
    )


def test_a_referrer_who_has_left_the_panel_is_not_emailed_about_the_case(panel, sitting):
    case = SubmittedReferralFactory(panel=panel)
    ended(case.referrer, panel)

    referral_services.referral_return(referral=case, user=sitting.coordinator, reason="Add the police reference")
    services.send_pending_emails()

    assert [email.to for email in mail.outbox] == []


def test_people_of_an_agency_are_those_who_still_sit_for_it(panel, sitting):
    health = sitting.agencies[AgencyKind.HEALTH]
    # A designated nurse for health who stopped, and now sits for education.
    moved = member(panel, Role.DESIGNATED_NURSE, agency=health)
    ended(moved, panel)
    member(panel, Role.PANEL_MEMBER, user=moved, agency=sitting.agencies[AgencyKind.EDUCATION])

    assert set(services.people_with_roles(panel.pk, AGENCY_ROLES, agency=health)) == {sitting.health}


def every_notification_opens(client) -> dict:
    """For each notification, what its recipient gets when following it: the final page's status."""
    outcomes = {}
    for notification in Notification.objects.select_related("recipient"):
        client.force_login(notification.recipient)
        response = client.get(reverse("notifications:open", args=[notification.public_id]), follow=True)
        outcomes[(notification.get_kind_display(), str(notification.recipient))] = response.status_code
    return outcomes


def test_every_notification_leads_its_recipient_to_a_page_they_may_open(
    client, panel, sitting, steps, django_capture_on_commit_callbacks
):
    returned, accepted = SubmittedReferralFactory(panel=panel), SubmittedReferralFactory(panel=panel)
    referral_services.referral_return(referral=returned, user=sitting.coordinator, reason="Add the police reference")
    referral_services.referral_accept(
        referral=accepted,
        user=sitting.coordinator,
        is_in_panel_area=True,
        is_public_order_disqualification_considered=False,
    )
    case = steps.case()
    referral_services.referral_set_lead_social_worker(
        referral=case, user=sitting.coordinator, lead_social_worker=sitting.social_care
    )
    item = steps.decide(case, sitting.meeting)
    decision_services.meeting_pack_send(meeting=sitting.meeting, user=sitting.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        letters.letter_issue(referral=case, decision=item.decisions.get(), user=sitting.coordinator)
    answered, late = (
        health.health_request_create(referral=case, user=sitting.health, **request_fields()) for _ in range(2)
    )
    link = health.health_request_send(request=answered, user=sitting.health)
    health.provider_response_submit(
        request_id=answered.public_id, token=health.provider_link_token(link), responded_by_name="Dr Shah", text="Seen"
    )
    health.health_request_send(request=late, user=sitting.health)
    health.health_requests_remind_overdue(today=late.due_date + datetime.timedelta(days=1))

    outcomes = every_notification_opens(client)

    assert {kind for kind, _ in outcomes} == {label for _, label in Kind.choices} - {
        Kind.INPUT_OVERDUE.label,
        Kind.CLOCK.label,
    }
    assert outcomes == {key: 200 for key in outcomes}


def test_a_lead_social_worker_who_cannot_read_the_case_is_not_told_its_outcome(client, panel, sitting, steps):
    social_worker = member(panel, Role.REFERRER)  # refers children, and leads this child's care
    case = steps.case()
    referral_services.referral_set_lead_social_worker(
        referral=case, user=sitting.coordinator, lead_social_worker=social_worker
    )
    steps.decide(case, sitting.meeting)

    client.force_login(social_worker)
    page = client.get(reverse("notifications:list")).content.decode()
    opened = every_notification_opens(client)

    assert case.reference not in page
    assert all(status == 200 for status in opened.values())


# --- The emails -------------------------------------------------------------------------------------


def link_for(notification) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/notifications/{notification.public_id}/"


def test_every_email_carries_only_the_kind_of_event_and_a_link(panel, sitting, steps):
    returned = SubmittedReferralFactory(panel=panel, first_name="Zaphod", last_name="Quixley")
    decided = steps.case(first_name="Marvin", last_name="Okonkwo-Wren")
    referral_services.referral_set_lead_social_worker(
        referral=decided, user=sitting.coordinator, lead_social_worker=sitting.social_care
    )
    referral_services.referral_return(referral=returned, user=sitting.coordinator, reason="Add the police reference")
    item = steps.decide(decided, sitting.meeting)
    decision_services.meeting_pack_send(meeting=sitting.meeting, user=sitting.coordinator)
    letter = letters.letter_issue(referral=decided, decision=item.decisions.get(), user=sitting.coordinator)
    letters.letter_render(letter.pk)  # as the worker does once the issue commits
    services.send_pending_emails()  # as the worker, or beat's sweep, does once each change commits
    returned.refresh_from_db()
    decided.refresh_from_db()

    notifications = list(Notification.objects.select_related("recipient"))
    kinds = {n.kind for n in notifications}
    assert kinds == {
        Kind.REFERRAL_RETURNED,
        Kind.INPUT_REQUESTED,
        Kind.DECISION_SIGNED,
        Kind.MEETING_PACK_READY,
        Kind.LETTER_READY,
    }
    assert {n.email_state for n in notifications} == {EmailState.SENT}
    # One email per notification, to its recipient, holding its link.
    by_link = {}
    for email in mail.outbox:
        (link,) = re.findall(r"https?://\S+", email.body)
        by_link.setdefault(link, []).append(email)
    assert sorted(by_link) == sorted(link_for(n) for n in notifications)
    secrets = [
        "Zaphod",
        "Quixley",
        "Marvin",
        "Okonkwo-Wren",
        returned.reference,
        decided.reference,
        str(returned.public_id),
        str(decided.public_id),
        sitting.meeting.place,
        *(agency.name for agency in sitting.agencies.values()),
    ]
    for notification in notifications:
        (email,) = by_link[link_for(notification)]
        assert email.to == [notification.recipient.email]
        assert notification.get_kind_display() in email.subject
        assert notification.text not in email.body
        for text in (email.subject, email.body):
            assert not CASE_REFERENCE.search(text), text
            for secret in secrets:
                assert secret not in text, (secret, text)


def test_the_emails_of_a_change_go_out_once_it_commits(panel, sitting, django_capture_on_commit_callbacks):
    cases = [SubmittedReferralFactory(panel=panel) for _ in range(2)]

    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            for case in cases:
                referral_services.referral_return(
                    referral=case, user=sitting.coordinator, reason="Add the police reference"
                )
        assert mail.outbox == []  # nothing before the commit

    assert sorted(email.to[0] for email in mail.outbox) == sorted(case.referrer.email for case in cases)
    assert set(Notification.objects.values_list("email_state", flat=True)) == {EmailState.SENT}


def test_each_pending_notification_is_emailed_once_however_often_the_sender_runs(panel, sitting, theirs):
    services.notify(
        roles=BOTH,
        recipients=[sitting.coordinator, sitting.chair],
        panel_id=panel.pk,
        kind=Kind.CLOCK,
        text="a",
        link="/",
        key="a",
    )
    services.notify(
        roles=BOTH,
        recipients=[theirs.coordinator],
        panel_id=theirs.panel.pk,
        kind=Kind.CLOCK,
        text="b",
        link="/",
        key="b",
    )

    assert services.send_pending_emails() == 3
    assert services.send_pending_emails() == 0

    assert sorted(email.to[0] for email in mail.outbox) == sorted(
        [sitting.coordinator.email, sitting.chair.email, theirs.coordinator.email]
    )
    for notification in Notification.objects.all():
        assert (notification.email_state, notification.email_attempts) == (EmailState.SENT, 1)
        assert notification.emailed_at is not None


def test_a_failed_email_waits_longer_each_time_and_is_marked_failed_after_the_last_attempt(panel, sitting, monkeypatch):
    def broken(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(services, "send_mail", broken)
    services.notify(
        roles=BOTH, recipients=[sitting.coordinator], panel_id=panel.pk, kind=Kind.CLOCK, text="a", link="/", key="a"
    )

    before = timezone.now()
    assert services.send_pending_emails() == 0
    notification = Notification.objects.get()
    assert (notification.email_state, notification.email_attempts) == (EmailState.PENDING, 1)
    assert notification.email_not_before > timezone.now()
    assert notification.email_not_before >= before + services.FIRST_RETRY_AFTER

    # Not tried again before its time.
    assert services.send_pending_emails() == 0
    assert Notification.objects.get().email_attempts == 1

    waits = []
    for attempt in range(2, services.MAX_EMAIL_ATTEMPTS + 1):
        previous = Notification.objects.get()
        services.send_pending_emails(now=previous.email_not_before)
        notification = Notification.objects.get()
        assert notification.email_attempts == attempt
        if attempt < services.MAX_EMAIL_ATTEMPTS:
            assert notification.email_state == EmailState.PENDING
            waits.append(notification.email_not_before - previous.email_not_before)
    assert waits == sorted(waits) and len(set(waits)) == len(waits)  # longer each time
    assert notification.email_state == EmailState.FAILED

    # A failed email is not tried again, and once the mail server is back nothing is sent.
    monkeypatch.undo()
    services.send_pending_emails(now=timezone.now() + datetime.timedelta(days=30))
    assert Notification.objects.get().email_attempts == services.MAX_EMAIL_ATTEMPTS
    assert mail.outbox == []


def test_a_failed_email_is_sent_when_the_mail_server_is_back(panel, sitting, monkeypatch):
    monkeypatch.setattr(services, "send_mail", lambda *a, **k: (_ for _ in ()).throw(OSError("refused")))
    services.notify(
        roles=BOTH, recipients=[sitting.coordinator], panel_id=panel.pk, kind=Kind.CLOCK, text="a", link="/", key="a"
    )
    services.send_pending_emails()
    monkeypatch.undo()

    services.send_pending_emails(now=Notification.objects.get().email_not_before)

    notification = Notification.objects.get()
    assert (notification.email_state, notification.email_attempts) == (EmailState.SENT, 2)
    assert [email.to for email in mail.outbox] == [[sitting.coordinator.email]]


def test_a_person_without_an_email_address_is_told_in_the_app_only(panel, sitting, client):
    no_email = member(panel, Role.COORDINATOR, user=UserFactory(email=""))

    services.notify(
        roles=BOTH, recipients=[no_email], panel_id=panel.pk, kind=Kind.CLOCK, text="Day 40", link="/", key="a"
    )
    services.send_pending_emails()

    notification = Notification.objects.get()
    assert (notification.email_state, notification.email_attempts) == (EmailState.NOT_SENT, 0)
    assert mail.outbox == []
    client.force_login(no_email)
    assert "Day 40" in client.get(reverse("notifications:list")).content.decode()


def test_a_person_deactivated_before_the_email_goes_out_is_not_emailed(panel, sitting):
    services.notify(
        roles=BOTH, recipients=[sitting.coordinator], panel_id=panel.pk, kind=Kind.CLOCK, text="a", link="/", key="a"
    )
    deactivated(sitting.coordinator)

    services.send_pending_emails()

    assert mail.outbox == []
    assert Notification.objects.get().email_state != EmailState.PENDING


# --- The pages --------------------------------------------------------------------------------------


def notification(person, panel, text, *, minutes_ago=0, read=False) -> Notification:
    made = Notification.objects.create(
        recipient=person,
        panel=panel,
        roles=list(Role.values),
        kind=Kind.CLOCK,
        text=text,
        link=f"/cases/{text}/",
        event_key=f"test:{uuid.uuid4()}",
        read_at=timezone.now() if read else None,
    )
    Notification.objects.filter(pk=made.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=minutes_ago))
    return made


def texts_listed(client) -> list[str]:
    page = client.get(reverse("notifications:list")).content.decode()
    return re.findall(r'<a class="govuk-link" href="/notifications/[0-9a-f-]{36}/">([^<]+)</a>', page)


@pytest.fixture
def person(panel, other_panel):
    """A coordinator of our panel who is also a chair of the other panel."""
    someone = member(panel, Role.COORDINATOR)
    member(other_panel, Role.CHAIR, user=someone)
    return someone


def test_the_list_shows_only_the_persons_own_notifications_newest_first(client, panel, other_panel, person, people):
    notification(person, panel, "oldest", minutes_ago=30)
    notification(person, other_panel, "newest", minutes_ago=1)
    notification(person, panel, "middle", minutes_ago=10, read=True)
    notification(people[Role.CHAIR], panel, "the-chairs")
    client.force_login(person)

    assert texts_listed(client) == ["newest", "middle", "oldest"]


def test_ending_a_membership_hides_that_panels_notifications(client, panel, other_panel, person):
    ours = notification(person, panel, "ours")
    theirs = notification(person, other_panel, "theirs")
    client.force_login(person)
    assert texts_listed(client) == ["theirs", "ours"]

    ended(person, other_panel)

    assert texts_listed(client) == ["ours"]
    assert client.get(reverse("notifications:open", args=[theirs.public_id])).status_code == 404
    assert selectors.unread_count(person) == 1
    client.post(reverse("notifications:mark_all_read"))
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert Notification.objects.get(pk=ours.pk).read_at is not None


def test_a_panel_that_is_closed_hides_its_notifications(client, panel, other_panel, person):
    notification(person, panel, "ours")
    notification(person, other_panel, "theirs")
    other_panel.is_active = False
    other_panel.save()
    client.force_login(person)

    assert texts_listed(client) == ["ours"]


def test_opening_a_notification_marks_it_read_and_goes_to_its_link(client, panel, person):
    opened = notification(person, panel, "LEW-2026-0001")
    other = notification(person, panel, "LEW-2026-0002")
    client.force_login(person)

    response = client.get(reverse("notifications:open", args=[opened.public_id]))

    assert response.status_code == 302
    assert response["Location"] == "/cases/LEW-2026-0001/"
    assert Notification.objects.get(pk=opened.pk).read_at is not None
    assert Notification.objects.get(pk=other.pk).read_at is None
    # Opening it again still leads there, and keeps when it was first read.
    first_read = Notification.objects.get(pk=opened.pk).read_at
    assert client.get(reverse("notifications:open", args=[opened.public_id]))["Location"] == "/cases/LEW-2026-0001/"
    assert Notification.objects.get(pk=opened.pk).read_at == first_read


def test_another_persons_notification_is_not_found_and_stays_unread(client, panel, person, people):
    chairs = notification(people[Role.CHAIR], panel, "the-chairs")
    client.force_login(person)  # a coordinator of the same panel

    response = client.get(reverse("notifications:open", args=[chairs.public_id]))

    assert response.status_code == 404
    assert Notification.objects.get(pk=chairs.pk).read_at is None


def test_an_id_that_is_not_a_uuid_is_not_found(client, panel, person):
    made = notification(person, panel, "mine")
    client.force_login(person)

    for bad in (str(made.pk), "not-a-uuid", f"{made.public_id}x", str(uuid.uuid4())):
        assert client.get(f"/notifications/{bad}/").status_code == 404, bad
    assert Notification.objects.get(pk=made.pk).read_at is None


def test_mark_all_read_is_a_post_and_marks_only_the_persons_own(client, panel, person, people):
    mine = [notification(person, panel, f"mine-{n}") for n in range(3)]
    chairs = notification(people[Role.CHAIR], panel, "the-chairs")
    client.force_login(person)

    assert client.get(reverse("notifications:mark_all_read")).status_code == 405
    assert selectors.unread_count(person) == 3

    response = client.post(reverse("notifications:mark_all_read"))

    assert response.status_code == 302 and response["Location"] == reverse("notifications:list")
    assert all(Notification.objects.get(pk=n.pk).read_at for n in mine)
    assert Notification.objects.get(pk=chairs.pk).read_at is None


def unread_in_header(client, url) -> str | None:
    page = client.get(url)
    assert page.status_code == 200
    header = page.content.decode().split("</header>")[0]
    assert 'data-testid="notifications-link"' in header
    found = re.search(r'class="nrm-count">(\d+)</strong><span class="govuk-visually-hidden"> unread</span>', header)
    return found.group(1) if found else None


def test_the_header_shows_the_unread_count(client, panel, other_panel, person, people):
    first = notification(person, panel, "one")
    notification(person, panel, "two")
    notification(person, other_panel, "three")
    notification(person, panel, "read", read=True)
    notification(people[Role.CHAIR], panel, "the-chairs")
    client.force_login(person)
    pages = [reverse("notifications:list"), reverse("decisions:meeting_list"), reverse("referrals:list")]

    assert [unread_in_header(client, url) for url in pages] == ["3", "3", "3"]

    client.get(reverse("notifications:open", args=[first.public_id]))
    assert unread_in_header(client, pages[1]) == "2"

    ended(person, other_panel)
    assert unread_in_header(client, pages[1]) == "1"

    client.post(reverse("notifications:mark_all_read"))
    assert [unread_in_header(client, url) for url in pages] == [None, None, None]


def list_queries(client, person, panel, rows: int) -> int:
    Notification.objects.filter(recipient=person).delete()
    for n in range(rows):
        notification(person, panel, f"row-{n}", minutes_ago=n, read=n % 2 == 0)
    client.force_login(person)
    url = reverse("notifications:list")
    client.get(url)  # warm the once-per-process caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    assert len(texts_listed(client)) == rows
    return len(captured)


def test_the_list_makes_as_many_queries_for_30_notifications_as_for_1(client, panel, person):
    assert list_queries(client, person, panel, 30) == list_queries(client, person, panel, 1)


@pytest.mark.parametrize(
    ("method", "name", "args"),
    [
        ("get", "notifications:list", False),
        ("get", "notifications:open", True),
        ("get", "notifications:mark_all_read", False),
        ("post", "notifications:mark_all_read", False),
    ],
)
def test_anonymous_people_are_sent_to_sign_in(method, name, args, client, panel, person):
    made = notification(person, panel, "mine")
    url = reverse(name, args=[made.public_id] if args else [])

    response = getattr(client, method)(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")
    assert Notification.objects.get(pk=made.pk).read_at is None
