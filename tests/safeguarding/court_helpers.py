"""Shared by the court proceedings tests: a decided case (a positive RG and CG signed off) with its addresses,
proceedings on it with a defence solicitor, and the letter's PDF as text.

Its fixtures, and the decisions tests' `sitting` and `steps` (tests/decisions/conftest.py), are made available
to this folder's tests by its conftest.
"""

import datetime
import io
from dataclasses import dataclass

import pytest
from django.utils import timezone
from pypdf import PdfReader

from decisions import letters
from decisions.models import DecisionKind, Letter, Outcome
from nrm_panel.models import Role
from safeguarding.models import CourtProceeding, Hearing, LetterSent
from safeguarding.services import court
from tests.decisions.conftest import Steps
from tests.decisions.http_helpers import sitting_for

RG, CG = DecisionKind.RG, DecisionKind.CG
POSITIVE = Outcome.POSITIVE

CHILDS_ADDRESS = "Foster placement, 1 Example Road, London SE13 5AB"
EXPLOITATION_ADDRESS = "Flat 2, 40 Rushey Green, London SE6 4JF"
FIRST_RESPONDER_ADDRESS = "Children's Services, Town Hall, Catford Road, London SE6 4RU"

SOLICITOR = {
    "solicitor_name": "Priya Shah",
    "solicitor_firm": "Example Defence LLP",
    "solicitor_address": "12 Chancery Row\nLondon WC2A 1AA",
    "solicitor_email": "priya.shah@defence.example",
    "solicitor_phone": "020 7946 0123",
}
OTHER_SOLICITOR = {
    "solicitor_name": "Tom Okoro",
    "solicitor_firm": "Riverside Criminal Law",
    "solicitor_address": "3 Quay Street\nBristol BS1 4DB",
    "solicitor_email": "",
    "solicitor_phone": "",
}


def proceeding_fields(**changes) -> dict:
    fields = {
        "charge": "Possession with intent to supply a controlled drug of class A",
        "court": "Bromley Youth Court",
        "case_number": "01YC1234567",
        "status": "ongoing",
        "outcome": "",
        **SOLICITOR,
    }
    return fields | changes


def form_data(fields: dict) -> dict:
    """The proceedings' form as a browser posts it."""
    return {name: value for name, value in fields.items()}


def date_data(prefix: str, date) -> dict:
    """A GOV.UK date input's three boxes."""
    return {f"{prefix}_0": str(date.day), f"{prefix}_1": str(date.month), f"{prefix}_2": str(date.year)}


def decided_case(sitting, steps, **kwargs):
    """A case with a positive RG and CG signed off at today's meeting, and a child's address and a place of
    exploitation that no letter may go to."""
    kwargs = {
        "first_name": "Amara",
        "last_name": "Okafor",
        "decision_safe_address": FIRST_RESPONDER_ADDRESS,
        "current_address": CHILDS_ADDRESS,
        "exploitation_addresses": EXPLOITATION_ADDRESS,
    } | kwargs
    case = steps.case(**kwargs)
    meeting = steps.meeting()
    steps.decide(case, meeting, (RG, POSITIVE), (CG, POSITIVE))
    case.refresh_from_db()
    return case


@pytest.fixture
def decided(sitting, steps):
    return decided_case(sitting, steps)


@pytest.fixture
def proceeding(decided, sitting):
    return court.proceeding_record(referral=decided, user=sitting.coordinator, **proceeding_fields())


def issue(proceeding, user, capture) -> Letter:
    """Issue the proceedings' letter and let the worker render it, as it would after the commit."""
    with capture(execute=True):
        letter = court.defence_summary_issue(proceeding=proceeding, user=user)
    return Letter.objects.get(pk=letter.pk)


def pdf_text(letter: Letter) -> str:
    with letter.file.open("rb") as stored:
        reader = PdfReader(io.BytesIO(stored.read()))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@dataclass
class CourtWorld:
    """Our panel's case with proceedings part-way through (a hearing, the letter issued and ready, sent once),
    a second set of proceedings on it with no letter yet, and the same on another panel."""

    sitting: object
    case: object
    proceeding: object
    hearing: object
    letter: Letter
    sent: object
    fresh: object  # proceedings on the same case, no letter issued yet
    theirs: "CourtWorld | None" = None
    actors: dict | None = None


def build_court_world(sitting, steps) -> CourtWorld:
    case = decided_case(sitting, steps)
    coordinator = sitting.coordinator
    proceeding = court.proceeding_record(referral=case, user=coordinator, **proceeding_fields())
    hearing = court.hearing_add(
        proceeding=proceeding,
        user=coordinator,
        date=timezone.localdate() + datetime.timedelta(days=14),
        purpose="Trial",
    )
    letter = court.defence_summary_issue(proceeding=proceeding, user=coordinator)
    letters.letter_render(letter.pk)  # as the worker would, after the commit
    letter = Letter.objects.get(pk=letter.pk)
    sent = court.letter_sent_record(
        proceeding=proceeding, user=coordinator, letter=letter, sent_on=timezone.localdate(), method="secure_email"
    )
    fresh = court.proceeding_record(
        referral=case, user=coordinator, **proceeding_fields(court="Inner London Crown Court", **OTHER_SOLICITOR)
    )
    return CourtWorld(
        sitting=sitting,
        case=case,
        proceeding=proceeding,
        hearing=hearing,
        letter=letter,
        sent=sent,
        fresh=fresh,
    )


@pytest.fixture
def court_world(sitting, steps, people, other_panel):
    ours = build_court_world(sitting, steps)
    their_sitting = sitting_for(other_panel, "Bexley")
    ours.theirs = build_court_world(their_sitting, Steps(their_sitting))
    ours.actors = {
        "coordinator": sitting.coordinator,
        "chair": sitting.chair,
        "panel_member": sitting.police,
        "designated_nurse": sitting.health,
        "auditor": people[Role.AUDITOR],
        "administrator": people[Role.ADMINISTRATOR],
        "referrer": ours.case.referrer,
        "other_panel": their_sitting.coordinator,
        "anonymous": None,
    }
    return ours


def stored() -> dict:
    """Every row of the proceedings, their hearings, letters and records of sending, and their histories: what a
    refused request must leave as it was."""
    return {
        model.__name__: (list(model.objects.order_by("pk").values()), model.history.count())
        for model in (CourtProceeding, Hearing, LetterSent, Letter)
    }
