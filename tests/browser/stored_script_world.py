"""A panel whose every free-text answer holds a script, for tests/browser/test_stored_script.py: people's and
panels' names, the child's answers, evidence, agency inputs, decisions, meetings, letters, health requests,
support, actions, the transition plan, court proceedings and notifications, each made as the app makes them
(through the services), each text tagged so a test can look for it on the page that shows it."""

import datetime
import itertools
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from decisions import letters, services
from decisions.models import DecisionKind, Letter, Outcome, ReconsiderationGrounds, RequestedBy
from notifications.models import Kind
from notifications.services import notify
from nrm_panel.models import AgencyKind, Role, User
from referrals import services as referral_services
from referrals.models import Attachment, Referral
from safeguarding.models import LegalBasis, ProviderKind, SupportKind, SupportOutcome
from safeguarding.services import court, health, support
from tests.decisions.conftest import Sitting, Steps
from tests.factories import (
    AgencyFactory,
    PanelFactory,
    PanelMeetingFactory,
    ReferralFactory,
    SubmittedReferralFactory,
    UserFactory,
    member,
)

# What an attacker would type. None may run: window.__xss stays undefined and no dialog opens.
SCRIPT = "<script>window.__xss=1</script>"
ATTRIBUTE = '"><img src=x onerror="window.__xss=1">'
SVG = '<svg onload="window.__xss=1">'
LINK = "javascript:window.__xss=1"
TEMPLATE = "{{7*7}}{% now 'Y' %}"
# Right-to-left text, a right-to-left override, combining marks, astral characters.
UNICODE = "\u202eشكرا\u202c שָׁלוֹם Zoë Ǆ 𝔛 👩🏽‍⚕️"
PAYLOADS = (SCRIPT, ATTRIBUTE, SVG, TEMPLATE, LINK, UNICODE)
LONG_UNICODE = " ".join([UNICODE] * 40)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class Texts:
    """Every text written, by its tag (the tag starts the text, so a page's text shows which it is)."""

    values: dict[str, str] = field(default_factory=dict)
    _turn: itertools.count = field(default_factory=itertools.count)

    def __call__(self, tag: str, limit: int = 10_000, *, long: bool = False) -> str:
        """A text of at most `limit` characters: the tag, then as many payloads as fit, each text starting
        from the next payload so that short answers between them still carry every kind."""
        assert tag not in self.values, tag
        start = next(self._turn)
        value = tag
        for payload in PAYLOADS[start % len(PAYLOADS) :] + PAYLOADS[: start % len(PAYLOADS)]:
            if len(value) + 1 + len(payload) <= limit:
                value += " " + payload
        if long and len(value) + 1 + len(LONG_UNICODE) <= limit:
            value += " " + LONG_UNICODE
        self.values[tag] = value
        return value

    def __getitem__(self, tag: str) -> str:
        return self.values[tag]


@dataclass
class World:
    texts: Texts
    sitting: Sitting
    referrer: User
    nurse: User
    auditor: User
    administrator: User
    superuser: User
    case: Referral  # every answer poisoned, decided (RG and CG positive), with letters, health, support, court
    negative: Referral  # RG negative, reconsideration refused
    returned: Referral
    late: Referral  # at risk of a late decision, with a delay reason and agency inputs, on the meeting's agenda
    item: object  # the case's, decided
    late_item: object
    meeting: object
    later: object
    called: object
    cancelled: object
    attachment: Attachment
    letter: Letter
    health_request: object
    withdrawn_request: object
    open_request: object  # sent, awaiting the provider's answer through their link
    provider_path: str
    proceeding: object
    support_referral: object
    action: object


def referral_answers(t: Texts, prefix: str) -> dict:
    """Every free-text answer of a referral, poisoned (the addresses end in different postcodes: a letter may
    not go to the child's address or a place of exploitation)."""
    return {
        "first_name": t(f"{prefix}CHILDFIRST", 100),
        "last_name": t(f"{prefix}CHILDLAST", 100),
        "aliases": t(f"{prefix}ALIASES"),
        "nationality": t(f"{prefix}NATIONALITY", 80),
        "second_nationality": t(f"{prefix}SECONDNATIONALITY", 80),
        "languages": t(f"{prefix}LANGUAGES", 200),
        "communication_needs": t(f"{prefix}COMMUNICATION"),
        "current_address": t(f"{prefix}CURRENTADDRESS") + " SE13 5AB",
        "responsible_local_authority": t(f"{prefix}RESPONSIBLELA", 120),
        "school": t(f"{prefix}SCHOOL", 160),
        "first_responder_organisation": t(f"{prefix}FRORG", 160),
        "first_responder_name": t(f"{prefix}FRNAME", 120),
        "first_responder_role": t(f"{prefix}FRROLE", 120),
        "first_responder_phone": "020 7946 0000",
        "alternative_contact": t(f"{prefix}ALTCONTACT"),
        "decision_safe_address": t(f"{prefix}SAFEADDRESS") + " SE6 4RU",
        "legal_representative_name": t(f"{prefix}LEGALNAME", 120),
        "legal_representative_organisation": t(f"{prefix}LEGALORG", 160),
        "legal_representative_address": t(f"{prefix}LEGALADDRESS") + " WC2A 1AA",
        "exploitation_type_other": t(f"{prefix}EXPLOITATIONOTHER", 200),
        "exploitation_places": t(f"{prefix}EXPLOITATIONPLACES"),
        "exploitation_addresses": t(f"{prefix}EXPLOITATIONADDRESSES") + " SE6 4JF",
        "account": t(f"{prefix}ACCOUNT", long=True),
        "police_reference": t(f"{prefix}POLICEREF", 60),
        "police_force": t(f"{prefix}POLICEFORCE", 120),
        "child_wishes_and_feelings": t(f"{prefix}WISHES"),
        "other_agencies_involved": t(f"{prefix}OTHERAGENCIES"),
    }


def build_world() -> World:
    t = Texts()
    today = timezone.localdate()
    panel = PanelFactory(
        name=t("PANELNAME", 120),
        code="XSS",
        local_authorities=t("LOCALAUTHORITIES"),
        letter_contact=t("LETTERCONTACT"),
        meeting_place=t("PANELPLACE", 200),
        allows_rg_between_meetings=True,
    )

    def person(tag: str, role: str, **kwargs) -> User:
        user = UserFactory(first_name=t(f"{tag}FIRST", 150), last_name=t(f"{tag}LAST", 150))
        return member(panel, role, user=user, **kwargs)

    agencies = {
        kind: AgencyFactory(panel=panel, kind=kind, name=t(f"AGENCY{kind.upper()}", 160))
        for kind in (AgencyKind.SOCIAL_CARE, AgencyKind.POLICE, AgencyKind.HEALTH, AgencyKind.EDUCATION)
    }
    sitting = Sitting(
        panel=panel,
        chair=person("CHAIR", Role.CHAIR),
        deputy=person("DEPUTY", Role.CHAIR),
        coordinator=person("COORDINATOR", Role.COORDINATOR),
        social_care=person("SOCIALCARE", Role.PANEL_MEMBER, agency=agencies[AgencyKind.SOCIAL_CARE]),
        police=person("POLICE", Role.PANEL_MEMBER, agency=agencies[AgencyKind.POLICE]),
        health=person("NURSE", Role.DESIGNATED_NURSE, agency=agencies[AgencyKind.HEALTH]),
        education=person("EDUCATION", Role.PANEL_MEMBER, agency=agencies[AgencyKind.EDUCATION]),
        agencies=agencies,
        meeting=PanelMeetingFactory(panel=panel, place=t("MEETINGPLACE", 200)),
    )
    steps = Steps(sitting)
    coordinator, chair = sitting.coordinator, sitting.chair
    referrer = person("REFERRER", Role.REFERRER)
    auditor = person("AUDITOR", Role.AUDITOR)
    administrator = person("ADMINISTRATOR", Role.ADMINISTRATOR)
    superuser = UserFactory(first_name=t("SUPERFIRST", 150), is_staff=True, is_superuser=True)

    # The case: a referrer's draft with every answer poisoned and poisoned evidence, submitted and accepted.
    eighteenth_birthday = today + datetime.timedelta(days=150)  # in scope, and turning 18 within six months
    draft = ReferralFactory(
        panel=panel,
        referrer=referrer,
        date_of_birth=eighteenth_birthday.replace(year=eighteenth_birthday.year - 18),
        **referral_answers(t, ""),
    )
    attachment = referral_services.attachment_add(
        referral=draft,
        user=referrer,
        upload=SimpleUploadedFile(f"EVIDENCENAME {ATTRIBUTE}{SVG}{TEMPLATE}.pdf", PDF, content_type="application/pdf"),
        description=t("EVIDENCEDESCRIPTION", 300),
    )
    t.values["EVIDENCENAME"] = attachment.original_name
    case = referral_services.referral_submit(referral=draft, user=referrer, is_complete=True)
    case = referral_services.referral_accept(
        referral=case, user=coordinator, is_in_panel_area=True, is_public_order_disqualification_considered=False
    )

    # The meeting, a conflict, decisions with their reasons, signed off.
    meeting = sitting.meeting
    item = steps.add(meeting, case)
    negative = steps.case(first_name=t("NEGATIVEFIRST", 100), last_name=t("NEGATIVELAST", 100))
    negative_item = steps.add(meeting, negative)
    removed = steps.add(meeting, steps.case(first_name=t("REMOVEDFIRST", 100)))
    services.agenda_remove(item=removed, user=coordinator, reason=t("REMOVALREASON"))
    steps.open(meeting, sitting.education, sitting.deputy)
    services.conflict_record(item=item, user=chair, person=sitting.education, reason=t("CONFLICTREASON"))
    steps.record(
        item,
        DecisionKind.RG,
        Outcome.POSITIVE,
        reasons=t("RGREASONS"),
        evidence_considered=t("RGEVIDENCE"),
        dissent=t("RGDISSENT"),
    )
    steps.record(
        item,
        DecisionKind.CG,
        Outcome.POSITIVE,
        reasons=t("CGREASONS"),
        evidence_considered=t("CGEVIDENCE"),
        dissent=t("CGDISSENT"),
    )
    steps.sign(item)
    steps.record(negative_item, DecisionKind.RG, Outcome.NEGATIVE, reasons=t("NEGATIVEREASONS"))
    steps.sign(negative_item)
    case.refresh_from_db()
    negative.refresh_from_db()

    reconsideration = services.reconsideration_request(
        referral=negative,
        user=coordinator,
        requested_by=RequestedBy.LEGAL_REPRESENTATIVE,
        requester_name=t("REQUESTERNAME", 160),
        received_on=today,
        grounds=ReconsiderationGrounds.NEW_EVIDENCE,
        details=t("RECONSIDERATIONDETAILS"),
        exceptional_reason=t("EXCEPTIONALREASON"),
    )
    services.reconsideration_refuse(reconsideration=reconsideration, user=coordinator, reason=t("REFUSALREASON"))

    # Other meetings: rescheduled, called, cancelled, each with a place and a reason.
    later = steps.meeting(today + datetime.timedelta(days=14))
    later = services.meeting_reschedule(
        meeting=later,
        user=coordinator,
        date=later.date,
        starts_at=datetime.time(14, 0),
        format=later.format,
        place=t("RESCHEDULEDPLACE", 200),
        reason=t("RESCHEDULEREASON"),
    )
    called = services.meeting_call(
        panel=panel,
        user=coordinator,
        date=today + datetime.timedelta(days=3),
        starts_at=datetime.time(9, 30),
        format=later.format,
        place=t("CALLEDPLACE", 200),
        reason=t("CALLEDREASON"),
    )
    cancelled = services.meeting_cancel(
        meeting=steps.meeting(today + datetime.timedelta(days=21)), user=coordinator, reason=t("CANCELREASON")
    )

    # Letters: the decision letter, to the recipients as recorded, then corrected.
    letter = letters.letter_issue(referral=case, user=coordinator, decision=item.decisions.get(kind=DecisionKind.CG))
    letters.letter_render(letter.pk)
    letter = letters.letter_correct(
        letter=Letter.objects.get(pk=letter.pk), user=coordinator, reason=t("CORRECTIONREASON")
    )
    letters.letter_render(letter.pk)
    letter = Letter.objects.get(pk=letter.pk)

    # Health information: a request answered with a document, and one withdrawn.
    def request_fields(tag: str) -> dict:
        return {
            "provider_kind": ProviderKind.GP_PRACTICE,
            "provider_name": t(f"{tag}PROVIDER", 200),
            "contact_name": t(f"{tag}CONTACT", 200),
            "contact_email": "practice.manager@nhs.example",
            "questions": t(f"{tag}QUESTIONS", long=True),
            "legal_basis": LegalBasis.SECTION_47,
            "due_date": today + datetime.timedelta(days=10),
        }

    nurse = sitting.health
    health_request = health.health_request_create(referral=case, user=nurse, **request_fields("HEALTH"))
    health.health_request_send(request=health_request, user=nurse)
    health_request = health.health_response_record(
        request=health_request,
        user=nurse,
        responded_by_name=t("RESPONDEDBY", 200),
        text=t("RESPONSETEXT", long=True),
        uploads=[SimpleUploadedFile(f"RESPONSEDOC {ATTRIBUTE}{SVG}.pdf", PDF, content_type="application/pdf")],
    )
    t.values["RESPONSEDOC"] = health_request.documents.get().original_name
    withdrawn_request = health.health_request_create(referral=case, user=nurse, **request_fields("WITHDRAWN"))
    withdrawn_request = health.health_request_withdraw(
        request=withdrawn_request, user=nurse, reason=t("WITHDRAWNREASON")
    )

    open_request = health.health_request_create(referral=case, user=nurse, **request_fields("OPEN"))
    provider_link = health.health_request_send(request=open_request, user=nurse)

    # Support, safeguarding actions, the transition plan.
    support_referral = support.support_referral_record(
        referral=case,
        user=coordinator,
        kind=SupportKind.OTHER,
        service_name=t("SUPPORTSERVICE", 200),
        referred_on=today,
        outcome=SupportOutcome.AWAITING,
        contact_name=t("SUPPORTCONTACT", 200),
        contact_phone=t("SUPPORTPHONE", 40),
        notes=t("SUPPORTNOTES"),
    )
    action = support.action_record(
        referral=case,
        user=coordinator,
        action=t("ACTION"),
        owner=t("ACTIONOWNER", 200),
        due_on=today + datetime.timedelta(days=7),
    )
    done_action = support.action_record(
        referral=case, user=chair, action=t("DONEACTION"), owner=t("DONEOWNER", 200), due_on=today
    )
    support.action_done(safeguarding_action=done_action, user=chair, done_on=today, done_note=t("DONENOTE"))
    support.transition_plan_save(
        referral=case,
        user=coordinator,
        plan=t("TRANSITIONPLAN", long=True),
        adult_services_referred_on=today,
        adult_services_team=t("ADULTTEAM", 200),
        adult_services_contact=t("ADULTCONTACT", 200),
    )

    # Court proceedings, a hearing, the defence summary letter and its sending.
    proceeding = court.proceeding_record(
        referral=case,
        user=coordinator,
        charge=t("CHARGE"),
        court=t("COURT", 200),
        case_number=t("CASENUMBER", 60),
        status="ongoing",
        outcome="",
        solicitor_name=t("SOLICITORNAME", 200),
        solicitor_firm=t("SOLICITORFIRM", 200),
        solicitor_address=t("SOLICITORADDRESS") + " EC1A 1BB",
        solicitor_email="solicitor@defence.example",
        solicitor_phone=t("SOLICITORPHONE", 40),
    )
    court.hearing_add(
        proceeding=proceeding, user=coordinator, date=today + datetime.timedelta(days=30), purpose=t("HEARING", 200)
    )
    defence_letter = court.defence_summary_issue(proceeding=proceeding, user=coordinator)
    letters.letter_render(defence_letter.pk)
    court.letter_sent_record(
        proceeding=proceeding,
        user=coordinator,
        letter=Letter.objects.get(pk=defence_letter.pk),
        sent_on=today,
        method="post",
        recipient=t("SENTTO", 200),
    )

    # A case sent back to its referrer, and one at risk of a late decision with the reason why.
    returned = SubmittedReferralFactory(panel=panel, referrer=referrer, **referral_answers(t, "RET"))
    returned = referral_services.referral_return(referral=returned, user=coordinator, reason=t("RETURNREASON"))
    late = steps.case(first_name=t("LATEFIRST", 100), referral_date=today - datetime.timedelta(days=60))
    late = referral_services.referral_record_delay_reason(referral=late, user=coordinator, reason=t("DELAYREASON"))
    # Its agencies' inputs, not yet used by a decision, on the meeting's agenda.
    for kind, author in ((AgencyKind.POLICE, sitting.police), (AgencyKind.SOCIAL_CARE, sitting.social_care)):
        services.agency_input_save(
            referral=late,
            agency=agencies[kind],
            user=author,
            knowledge=t(f"INPUTKNOWLEDGE{kind.upper()}"),
            risks=t(f"INPUTRISKS{kind.upper()}"),
            recommendation="victim",
            reasons=t(f"INPUTREASONS{kind.upper()}"),
        )
    late_item = steps.add(meeting, late)

    # A change the case's history shows, old and new.
    case = referral_services.referral_update_letter_recipients(
        referral=case, user=coordinator, changes={"decision_safe_address": t("NEWSAFEADDRESS", 150) + " SE6 4RU"}
    )

    # A notification written as the services write them (theirs name no child), with a poisoned text.
    notify(
        recipients=[coordinator, chair, referrer, nurse],
        roles=set(Role),
        panel_id=panel.pk,
        kind=Kind.CLOCK,
        text=t("NOTIFICATION", 300),
        link=reverse("referrals:case", args=[case.public_id]),
        key="stored-script",
    )

    return World(
        texts=t,
        sitting=sitting,
        referrer=referrer,
        nurse=nurse,
        auditor=auditor,
        administrator=administrator,
        superuser=superuser,
        case=case,
        negative=negative,
        returned=returned,
        late=late,
        item=item,
        late_item=late_item,
        meeting=meeting,
        later=later,
        called=called,
        cancelled=cancelled,
        attachment=attachment,
        letter=letter,
        health_request=health_request,
        withdrawn_request=withdrawn_request,
        open_request=open_request,
        provider_path=urlsplit(health.provider_link_url(provider_link)).path,
        proceeding=proceeding,
        support_referral=support_referral,
        action=action,
    )
