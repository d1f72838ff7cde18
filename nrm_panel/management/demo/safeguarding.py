"""Demo safeguarding work on each panel whose cycle is run: health information requests in each state (one
answered through the provider's link), ICTG and other support referrals, safeguarding actions, transition
plans for children turning 18, and criminal proceedings with the decision summary sent to the defence.
All written through the services, as the people who would do it."""

import datetime

from dateutil.relativedelta import relativedelta
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F

from decisions import letters
from decisions.models import Outcome
from nrm_panel.management.demo.decisions import _acting_as
from nrm_panel.models import AgencyKind
from referrals.models import Referral, State
from safeguarding import selectors
from safeguarding.models import (
    HealthInformationRequest,
    LegalBasis,
    ProviderKind,
    SafeguardingAction,
    SendMethod,
    SupportKind,
    SupportOutcome,
)
from safeguarding.services import court, health, support

# The cases that get safeguarding work: those the panel has accepted and not closed.
WITH_PANEL = [
    State.RG_PENDING,
    State.ON_AGENDA,
    State.RG_POSITIVE,
    State.CG_PENDING,
    State.CG_POSITIVE,
    State.RG_NEGATIVE,
    State.CG_NEGATIVE,
    State.RECONSIDERATION,
]
DECIDED_POSITIVE = [State.RG_POSITIVE, State.CG_PENDING, State.CG_POSITIVE]
QUESTIONS = (
    "Is the child registered with you, and since when? Please list attendances since January, any injuries "
    "seen or treated, and any contact with sexual health, mental health or substance misuse services."
)
# A one-page PDF, as a GP practice might send it.
GP_SUMMARY = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def safeguarding_create(cycles, *, today: datetime.date) -> int:
    """How many cases got safeguarding work."""
    done = 0
    for cycle in cycles:
        if not cycle.runs_cycle:
            continue
        site = cycle.site
        cases = list(Referral.objects.filter(panel=site.panel, state__in=WITH_PANEL).order_by("reference"))
        if len(cases) < 3:
            continue
        _health_requests(site, cases[:3], today=today)
        _support(site, cases[:2], today=today)
        _transition_plans(site, cases[3:], today=today)
        decided = [case for case in cases if case.state in DECIDED_POSITIVE]
        if decided:
            _proceedings(site, decided[0], today=today)
        done += 3
    return done


def _request(site, case, *, provider_kind, provider_name, contact_email, due_in: int, today):
    nurse = site.members[AgencyKind.HEALTH]
    with _acting_as(nurse):
        return health.health_request_create(
            referral=case,
            user=nurse,
            provider_kind=provider_kind,
            provider_name=provider_name,
            contact_name="Practice manager",
            contact_email=contact_email,
            questions=QUESTIONS,
            legal_basis=LegalBasis.SECTION_47,
            due_date=today + datetime.timedelta(days=due_in),
        )


def _health_requests(site, cases, *, today) -> None:
    nurse = site.members[AgencyKind.HEALTH]
    town = site.place.town
    answered = _request(
        site,
        cases[0],
        provider_kind=ProviderKind.GP_PRACTICE,
        provider_name=f"{town} High Street Surgery",
        contact_email=f"gp.{site.place.slug}@nhs.example",
        due_in=7,
        today=today,
    )
    with _acting_as(nurse):
        link = health.health_request_send(request=answered, user=nurse)
    health.provider_response_submit(
        request_id=answered.public_id,
        token=health.provider_link_token(link),
        responded_by_name="Dr Amina Patel, GP partner",
        text="Registered since 2023. Seen four times this year: twice for minor injuries to the hands, once for "
        "a sexual health consultation, once for low mood. Summary attached.",
        uploads=[SimpleUploadedFile("gp-summary.pdf", GP_SUMMARY, content_type="application/pdf")],
    )
    overdue = _request(
        site,
        cases[1],
        provider_kind=ProviderKind.HOSPITAL_TRUST,
        provider_name=f"{town} University Hospital, emergency department",
        contact_email=f"safeguarding.{site.place.slug}@nhs.example",
        due_in=1,
        today=today,
    )
    with _acting_as(nurse):
        health.health_request_send(request=overdue, user=nurse)
    # Sent a fortnight ago and not answered: past its due date, so the reminder goes to the nurse.
    HealthInformationRequest.objects.filter(pk=overdue.pk).update(
        due_date=today - datetime.timedelta(days=3), sent_at=F("sent_at") - datetime.timedelta(days=14)
    )
    _request(
        site,
        cases[2],
        provider_kind=ProviderKind.CAMHS,
        provider_name=f"{town} CAMHS",
        contact_email=f"camhs.{site.place.slug}@nhs.example",
        due_in=14,
        today=today,
    )
    health.health_requests_remind_overdue(today=today)


def _support(site, cases, *, today) -> None:
    coordinator, chair = site.coordinator, site.chair
    first, second = cases
    with _acting_as(coordinator):
        support.support_referral_record(
            referral=first,
            user=coordinator,
            kind=SupportKind.ICTG,
            service_name="Independent Child Trafficking Guardian service",
            referred_on=first.referral_date,
            outcome=SupportOutcome.ACCEPTED,
            outcome_on=min(today, first.referral_date + datetime.timedelta(days=3)),
            contact_name="Sam Reid, ICTG",
            contact_phone="020 7946 0321",
            contact_email="sam.reid@ictg.example",
        )
        support.support_referral_record(
            referral=first,
            user=coordinator,
            kind=SupportKind.MENTAL_HEALTH,
            service_name="Young people's counselling service",
            referred_on=first.referral_date,
        )
        support.support_referral_record(
            referral=second, user=coordinator, kind=SupportKind.ICTG, referred_on=second.referral_date
        )
    with _acting_as(chair):
        support.action_record(
            referral=first,
            user=chair,
            action="Safety plan reviewed with the foster carer, including who may collect the child from school.",
            owner="Jo Worker, children's social care",
            due_on=today + datetime.timedelta(days=7),
        )
        missed = support.action_record(
            referral=first,
            user=chair,
            action="Disruption plan for the address where the child was found.",
            owner="DS Kerr, exploitation team, police",
            due_on=today,
        )
        done = support.action_record(
            referral=second,
            user=chair,
            action="Return home interview after the last missing episode.",
            owner="Return home worker, youth service",
            due_on=today,
        )
        support.action_done(safeguarding_action=done, user=chair, done_on=today, done_note="Done at school.")
    # Agreed at an earlier meeting and not done since: overdue.
    SafeguardingAction.objects.filter(pk=missed.pk).update(due_on=today - datetime.timedelta(days=5))


def _transition_plans(site, cases, *, today) -> None:
    """At least two children turning 18 on each panel: the first has a plan, the next waits for one."""
    coordinator = site.coordinator
    flagged = list(selectors.turning_18_cases(coordinator, today=today).filter(panel=site.panel)[:2])
    for case in [case for case in cases if case.date_of_birth and case not in flagged][: 2 - len(flagged)]:
        # Four months from 18 now: more than 100 days from it when referred, so in the panel's scope.
        Referral.objects.filter(pk=case.pk).update(
            date_of_birth=today + relativedelta(months=4, days=len(flagged)) - relativedelta(years=18)
        )
        flagged.append(case)
    if not flagged:
        return
    with _acting_as(coordinator):
        support.transition_plan_save(
            referral=flagged[0],
            user=coordinator,
            plan="Leaving care team to take over at 18; ICTG support continues; move to supported lodgings planned "
            "with the young person.",
            adult_services_referred_on=today,
            adult_services_team=f"{site.place.town} Adult Social Care, transitions team",
            adult_services_contact="Transitions duty desk, 020 7946 0999",
        )


def _proceedings(site, case, *, today) -> None:
    coordinator = site.coordinator
    with _acting_as(coordinator):
        proceeding = court.proceeding_record(
            referral=case,
            user=coordinator,
            charge="Possession with intent to supply a Class A controlled drug",
            court=f"{site.place.town} Youth Court",
            case_number="01YC0042626",
            solicitor_name="Priya Shah",
            solicitor_firm="Shah & Co Solicitors",
            solicitor_address="Shah & Co Solicitors\n4 Chambers Row\nCity Centre\nZZ1 4AA",
            solicitor_email="priya.shah@shahco.example",
            solicitor_phone="020 7946 0456",
        )
        first_appearance = _weekday(today - datetime.timedelta(days=20))
        court.hearing_add(proceeding=proceeding, user=coordinator, date=first_appearance, purpose="First appearance")
        court.hearing_add(
            proceeding=proceeding, user=coordinator, date=_weekday(today + datetime.timedelta(days=40)), purpose="Trial"
        )
        if not case.decisions.exclude(signed_off_at=None).exclude(outcome=Outcome.DEFERRED).exists():
            return
        letter = court.defence_summary_issue(proceeding=proceeding, user=coordinator)
        letters.letter_render(letter.pk, wait=True)
        letter.refresh_from_db()
        court.letter_sent_record(
            proceeding=proceeding, user=coordinator, letter=letter, sent_on=today, method=SendMethod.SECURE_EMAIL
        )


def _weekday(day: datetime.date) -> datetime.date:
    """The day, or the Monday after it: courts do not sit at weekends."""
    return day + datetime.timedelta(days=7 - day.weekday() if day.weekday() >= 5 else 0)
