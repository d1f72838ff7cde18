"""Shared by the records tests: closed cases past (or not past) their panel's retention period, reviews, and one
case that holds something of every kind the app keeps about a child, closed seven years ago."""

import datetime
import io
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfReader

from decisions import documents, letters, services
from decisions.models import DecisionKind, Letter, LetterExport, Outcome
from nrm_panel.models import AgencyKind
from records.models import RetentionDecision, RetentionReview
from referrals.models import Attachment, Referral, State
from referrals.services import referral_close
from safeguarding.models import HealthInformationRequest, LegalBasis, ProviderKind, SendMethod, SupportKind
from safeguarding.services import court, health, support
from tests.factories import SubmittedReferralFactory

RG, CG = DecisionKind.RG, DecisionKind.CG
POSITIVE = Outcome.POSITIVE
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def today() -> datetime.date:
    return timezone.localdate()


def years_ago(years: int, days: int = 0) -> datetime.date:
    return today() - relativedelta(years=years) - datetime.timedelta(days=days)


def backdate_closure(case: Referral, closed_on: datetime.date) -> None:
    """Say the case entered the state it ended in on `closed_on` (its history is where the closure is read)."""
    moment = timezone.make_aware(datetime.datetime.combine(closed_on, datetime.time(12, 0)))
    Referral.history.filter(id=case.pk, state=case.state).update(history_date=moment)


def closed_case(panel, *, closed_on: datetime.date, state: str = State.CLOSED, **fields) -> Referral:
    """A case that ended (`state`) on `closed_on`, referred a few weeks before."""
    fields.setdefault("referral_date", closed_on - datetime.timedelta(days=60))
    case = SubmittedReferralFactory(panel=panel, state=state, **fields)
    backdate_closure(case, closed_on)
    return case


def review(case: Referral, user, decision: str = RetentionDecision.ANONYMISE, **fields) -> RetentionReview:
    return RetentionReview.objects.create(referral=case, reviewed_by=user, decision=decision, **fields)


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


# Everything written about the child and the people around them on the full case: none may be left anywhere
# once it is anonymised.
SECRETS = {
    "first_name": "Amara",
    "last_name": "Okafor",
    "aliases": "Little Mara",
    "current_address": "14 Brockley Rise, London SE23 1JN",
    "school": "Catford Academy",
    "languages": "Igbo",
    "first_responder_name": "Kemi Adeyemi",
    "first_responder_email": "kemi.adeyemi@lewisham.example",
    "first_responder_phone": "020 7946 0199",
    "decision_safe_address": "Children's Services, Laurence House, Catford SE6 4RU",
    "legal_representative_name": "Harriet Stone",
    "legal_representative_address": "Stone Law, 2 Bank Street, London E14 4DE",
    "exploitation_addresses": "Flat 7, 88 Rushey Green, London SE6 4HW",
    "exploitation_places": "Margate and Ramsgate",
    "account": "Found by officers in a trap house in Margate with wraps and a burner phone.",
    "police_reference": "CAD 4411/23",
    "child_wishes_and_feelings": "Wants to live with her aunt Ngozi.",
    "other_agencies_involved": "Kent youth offending service",
    "input_knowledge": "Arrested twice in Margate; the handler is known as Slim.",
    "input_reasons": "Her account is consistent and detailed.",
    "decision_reasons": "The panel is satisfied Amara was moved between towns to sell drugs.",
    "conflict_reason": "Teaches Amara's brother Chidi.",
    "attachment_name": "Statement of Amara Okafor.pdf",
    "attachment_description": "Police interview, 3 March",
    "provider_name": "Brockley Medical Centre",
    "contact_name": "Dr Sunita Rao",
    "contact_email": "sunita.rao@nhs.example",
    "questions": "Has she attended A&E since January?",
    "response_text": "Seen at Lewisham A&E for a knife wound in March.",
    "responded_by_name": "Practice nurse Bola Ade",
    "health_document": "Brockley GP summary.pdf",
    "support_contact": "Grace Bellamy",
    "support_phone": "07700 900123",
    "support_notes": "Meets her every Thursday.",
    "action": "Check she is at school every morning",
    "action_owner": "Tom Reeve, Catford Academy",
    "plan": "Moves to supported lodgings in Deptford at 18.",
    "adult_team": "Deptford Leaving Care Team",
    "charge": "Possession with intent to supply crack cocaine, Margate",
    "court_name": "Margate Magistrates' Court",
    "case_number": "01KM5550001",
    "solicitor_name": "Ruth Lane",
    "solicitor_firm": "Lane and Partners Defence",
    "solicitor_address": "9 Harbour Street\nRamsgate CT11 8HA",
    "solicitor_email": "ruth.lane@defence.example",
    "court_outcome": "Acquitted: the section 45 defence was accepted.",
    "hearing": "Trial before the youth bench",
    "close_reason": "Amara moved to her aunt in Kent.",
    "review_details": "Ms Lane confirmed no appeal is pending.",
    "meeting_reason": "Called to decide on Amara Okafor before her trial.",
}


@dataclass
class FullCase:
    case: Referral
    sitting: object
    meeting: object
    rg: object
    letter: Letter
    summary_letter: Letter
    export: LetterExport
    attachment: Attachment
    health_request: HealthInformationRequest
    proceeding: object
    date_of_birth: datetime.date

    @property
    def coordinator(self):
        return self.sitting.coordinator

    @property
    def nurse(self):
        return self.sitting.health

    def stored_files(self) -> list[str]:
        """The names in storage of every file about the case."""
        names = [self.attachment.file.name, self.letter.file.name, self.summary_letter.file.name, self.export.file.name]
        return names + [document.file.name for document in self.health_request.documents.all()]


def build_full_case(sitting, steps, *, closed_years_ago: int = 7) -> FullCase:
    """A case decided positive at both grounds, with evidence, an agency input, a conflict, letters (rendered and
    exported), an answered health request with a document, support, an action, a transition plan, concluded
    proceedings with a hearing and the summary sent, approved minutes; then closed `closed_years_ago` years ago."""
    s = SECRETS
    date_of_birth = today() - relativedelta(years=15) - datetime.timedelta(days=47)
    case = steps.case(
        first_name=s["first_name"],
        last_name=s["last_name"],
        aliases=s["aliases"],
        date_of_birth=date_of_birth,
        current_address=s["current_address"],
        school=s["school"],
        languages=s["languages"],
        first_responder_name=s["first_responder_name"],
        first_responder_email=s["first_responder_email"],
        first_responder_phone=s["first_responder_phone"],
        decision_safe_address=s["decision_safe_address"],
        legal_representative_name=s["legal_representative_name"],
        legal_representative_address=s["legal_representative_address"],
        exploitation_addresses=s["exploitation_addresses"],
        exploitation_places=s["exploitation_places"],
        account=s["account"],
        police_reference=s["police_reference"],
        child_wishes_and_feelings=s["child_wishes_and_feelings"],
        other_agencies_involved=s["other_agencies_involved"],
    )
    attachment = Attachment(
        referral=case,
        original_name=s["attachment_name"],
        content_type="application/pdf",
        size=len(PDF),
        description=s["attachment_description"],
        uploaded_by=case.referrer,
    )
    attachment.file.save("upload", ContentFile(PDF), save=False)
    attachment._change_reason = "Evidence uploaded"
    attachment.save()
    services.agency_input_save(
        referral=case,
        agency=sitting.agencies[AgencyKind.POLICE],
        user=sitting.police,
        knowledge=s["input_knowledge"],
        risks="Still in contact with the line.",
        recommendation="victim",
        reasons=s["input_reasons"],
    )
    meeting = steps.meeting(kind="extraordinary", reason=s["meeting_reason"])
    meeting._change_reason = f"Extraordinary meeting called: {s['meeting_reason']}"
    meeting.save()
    item = steps.add(meeting, case)
    steps.open(meeting, sitting.education)
    services.conflict_record(item=item, user=sitting.chair, person=sitting.education, reason=s["conflict_reason"])
    rg = steps.record(item, RG, POSITIVE, reasons=s["decision_reasons"])
    steps.record(item, CG, POSITIVE, reasons=s["decision_reasons"])
    steps.sign(item)
    meeting.refresh_from_db()
    services.minutes_approve(meeting=meeting, user=sitting.chair, minutes_html=documents.minutes_html(meeting))
    case.refresh_from_db()

    letter = letters.letter_issue(referral=case, decision=rg, user=sitting.coordinator)
    letters.letter_render(letter.pk)
    letter.refresh_from_db()
    export = letters.letters_export_start(letters=[letter], user=sitting.coordinator)
    letters.letters_export_build(export.pk)
    export.refresh_from_db()

    nurse = sitting.health
    request = health.health_request_create(
        referral=case,
        user=nurse,
        provider_kind=ProviderKind.GP_PRACTICE,
        provider_name=s["provider_name"],
        contact_name=s["contact_name"],
        contact_email=s["contact_email"],
        questions=s["questions"],
        legal_basis=LegalBasis.SECTION_47,
        due_date=today() + datetime.timedelta(days=10),
    )
    health.health_request_send(request=request, user=nurse)
    upload = SimpleUploadedFile(s["health_document"], PDF, content_type="application/pdf")
    health.health_response_record(
        request=request, user=nurse, responded_by_name=s["responded_by_name"], text=s["response_text"], uploads=[upload]
    )
    request.refresh_from_db()

    support.support_referral_record(
        referral=case,
        user=sitting.coordinator,
        kind=SupportKind.ICTG,
        referred_on=today(),
        service_name="Barnardo's ICTG service",
        contact_name=s["support_contact"],
        contact_phone=s["support_phone"],
        notes=s["support_notes"],
    )
    support.action_record(
        referral=case,
        user=sitting.coordinator,
        action=s["action"],
        owner=s["action_owner"],
        due_on=today() + datetime.timedelta(days=7),
    )
    support.transition_plan_save(
        referral=case, user=sitting.coordinator, plan=s["plan"], adult_services_team=s["adult_team"]
    )

    proceeding = court.proceeding_record(
        referral=case,
        user=sitting.coordinator,
        charge=s["charge"],
        court=s["court_name"],
        case_number=s["case_number"],
        status="ongoing",
        outcome="",
        solicitor_name=s["solicitor_name"],
        solicitor_firm=s["solicitor_firm"],
        solicitor_address=s["solicitor_address"],
        solicitor_email=s["solicitor_email"],
        solicitor_phone="",
    )
    court.hearing_add(proceeding=proceeding, user=sitting.coordinator, date=today(), purpose=s["hearing"])
    summary_letter = court.defence_summary_issue(proceeding=proceeding, user=sitting.coordinator)
    letters.letter_render(summary_letter.pk)
    summary_letter.refresh_from_db()
    court.letter_sent_record(
        proceeding=proceeding, user=sitting.coordinator, letter=summary_letter, sent_on=today(), method=SendMethod.POST
    )
    court.proceeding_update(
        proceeding=proceeding, user=sitting.coordinator, status="concluded", outcome=s["court_outcome"]
    )
    proceeding.refresh_from_db()

    referral_close(referral=case, user=sitting.coordinator, reason=s["close_reason"])
    case.refresh_from_db()
    backdate_closure(case, years_ago(closed_years_ago))
    return FullCase(
        case=case,
        sitting=sitting,
        meeting=meeting,
        rg=rg,
        letter=letter,
        summary_letter=summary_letter,
        export=export,
        attachment=attachment,
        health_request=request,
        proceeding=proceeding,
        date_of_birth=date_of_birth,
    )
