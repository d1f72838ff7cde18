"""A panel's cases for the data return tests, built through the decision services: one case per age boundary,
decided, reconsidered, deferred and transferred cases, and cases that must never be in it (a draft, another
panel's, one referred before the dates). Every name, address and free text is a marker the export must not hold."""

import datetime
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta

from decisions import services
from decisions.models import DecisionKind, Outcome, ReconsiderationGrounds, RequestedBy
from referrals.models import ExploitationType, ExploitedIn, Gender, LookedAfterStatus, OrganisationType, State
from tests.factories import ReferralFactory, RgPendingReferralFactory, referral_in_state

RG, CG = DecisionKind.RG, DecisionKind.CG
POSITIVE, NEGATIVE, DEFERRED = Outcome.POSITIVE, Outcome.NEGATIVE, Outcome.DEFERRED

NAMES = ["Zephyrine", "Quillborough"]
# Every field of a referral a person typed in their own words, or that says who or where someone is.
PRIVATE = {
    "aliases": "SECRET-alias Moonbeam",
    "current_address": "SECRET-address 7 Hidden Lane",
    "communication_needs": "SECRET-communication",
    "languages": "SECRET-languages",
    "school": "SECRET-school",
    "responsible_local_authority": "SECRET-local-authority",
    "first_responder_organisation": "SECRET-responder-organisation",
    "first_responder_name": "SECRET-responder Jo Bloggs",
    "first_responder_role": "SECRET-responder-role",
    "first_responder_email": "secret.responder@example.org",
    "first_responder_phone": "07700 900123",
    "alternative_contact": "SECRET-alternative-contact",
    "decision_safe_address": "SECRET-safe-address",
    "legal_representative_name": "SECRET-solicitor",
    "legal_representative_organisation": "SECRET-law-firm",
    "legal_representative_address": "SECRET-solicitor-address",
    "exploitation_type_other": "SECRET-other-type",
    "exploitation_places": "SECRET-places",
    "exploitation_addresses": "SECRET-exploitation-address",
    "account": "SECRET-account",
    "police_reference": "SECRET-police-reference",
    "police_force": "SECRET-police-force",
    "child_wishes_and_feelings": "SECRET-wishes",
    "other_agencies_involved": "SECRET-agencies",
    "state_reason": "SECRET-state-reason",
    "delay_reason": "SECRET-delay-reason",
}
DECISION_TEXT = {
    "reasons": "SECRET-decision-reasons",
    "evidence_considered": "SECRET-evidence",
    "dissent": "SECRET-dissent",
    "delay_reason": "SECRET-decision-delay",
}
RECONSIDERATION_TEXT = {"requester_name": "SECRET-requester", "details": "SECRET-reconsideration-details"}
MARKERS = [*NAMES, *PRIVATE.values(), *DECISION_TEXT.values(), *RECONSIDERATION_TEXT.values()]


def private(**kwargs) -> dict:
    return {"first_name": NAMES[0], "last_name": NAMES[1], **PRIVATE, **kwargs}


def years_before(day: datetime.date, years: int, *, plus_days: int = 0) -> datetime.date:
    return day - relativedelta(years=years) + datetime.timedelta(days=plus_days)


@dataclass
class World:
    date_from: datetime.date
    date_to: datetime.date
    cases: dict = field(default_factory=dict)  # name: Referral of the panel, in the return
    left_out: dict = field(default_factory=dict)  # name: Referral never in the panel's return

    @property
    def references(self) -> list[str]:
        return [case.reference for case in [*self.cases.values(), *self.left_out.values()] if case.reference]


def decide(steps, case, meeting, *decisions):
    """Put the case on the meeting's agenda and sign off (kind, outcome) decisions with marked free text."""
    item = steps.add(meeting, case)
    meeting.refresh_from_db()
    if not meeting.is_open:
        steps.open(meeting)
    for kind, outcome in decisions:
        steps.record(item, kind, outcome, **DECISION_TEXT)
    steps.sign(item)
    case.refresh_from_db()
    return item


def reconsideration_request(sitting, case, *, received_on):
    return services.reconsideration_request(
        referral=case,
        user=sitting.coordinator,
        requested_by=RequestedBy.LEGAL_REPRESENTATIVE,
        received_on=received_on,
        grounds=ReconsiderationGrounds.NEW_EVIDENCE,
        **RECONSIDERATION_TEXT,
    )


def build_world(sitting, steps, other_panel) -> World:
    panel, day = sitting.panel, steps.day
    world = World(date_from=day(-60), date_to=day(0))

    def case(name, *, referral_date=None, **kwargs):
        referral_date = referral_date or day(-30)
        kwargs = {"date_of_birth": years_before(referral_date, 15), **kwargs}
        world.cases[name] = RgPendingReferralFactory(panel=panel, referral_date=referral_date, **private(**kwargs))
        return world.cases[name]

    referred = day(-30)
    # Each side of each boundary: a day before the 12th and 18th birthdays, and on them.
    case("eleven", date_of_birth=years_before(referred, 12, plus_days=1))
    case("twelve", date_of_birth=years_before(referred, 12))
    case("seventeen", date_of_birth=years_before(referred, 18, plus_days=1), is_age_disputed=True)
    case("eighteen", date_of_birth=years_before(referred, 18), is_adult=True, adult_has_consented=True)
    case("estimated", date_of_birth=None, estimated_age=15, is_age_disputed=None)
    case(
        "not_known",
        date_of_birth=None,
        estimated_age=None,
        gender=Gender.FEMALE,
        second_nationality="Eritrean",
        exploitation_types=[ExploitationType.SEXUAL, ExploitationType.LABOUR],
        exploited_in=ExploitedIn.BOTH,
        first_responder_organisation_type=OrganisationType.POLICE,
        looked_after_status=LookedAfterStatus.NONE,
    )

    # RG and CG positive at one item, 20 days after the referral.
    decide(steps, case("decided", referral_date=day(-20)), sitting.meeting, (RG, POSITIVE), (CG, POSITIVE))

    # A negative RG 40 days ago: one case's reconsideration is only requested, the other's is re-decided today.
    forty_days_ago = steps.meeting(day(-40))
    requested = case("requested", referral_date=day(-45))
    decide(steps, requested, forty_days_ago, (RG, NEGATIVE))
    reconsideration_request(sitting, requested, received_on=day(-35))
    reconsidered = case("reconsidered", referral_date=day(-45))
    decide(steps, reconsidered, forty_days_ago, (RG, NEGATIVE))
    again = reconsideration_request(sitting, reconsidered, received_on=day(-35))
    services.reconsideration_accept(reconsideration=again, user=sitting.coordinator)
    decide(steps, reconsidered, sitting.meeting, (RG, POSITIVE))

    # Deferred at today's meeting: a deferral decides nothing.
    deferred = case("deferred", referral_date=day(-10))
    item = steps.add(sitting.meeting, deferred)
    steps.record(item, RG, DEFERRED, deferred_to=steps.meeting(day(14)), **DECISION_TEXT)
    steps.sign(item)
    # Recorded but never signed: not a decision yet.
    unsigned = case("unsigned", referral_date=day(-10))
    steps.record(steps.add(sitting.meeting, unsigned), RG, NEGATIVE, **DECISION_TEXT)

    world.cases["transferred"] = referral_in_state(
        State.TRANSFERRED, panel=panel, referral_date=day(-5), **private(date_of_birth=years_before(day(-5), 16))
    )
    # The first and last days of the range are in it.
    case("first_day", referral_date=world.date_from)
    case("last_day", referral_date=world.date_to)

    case("before_the_range", referral_date=world.date_from - datetime.timedelta(days=1))
    world.left_out = {
        "before_the_range": world.cases.pop("before_the_range"),
        "draft": ReferralFactory(panel=panel, referral_date=day(-10), **private()),
        "other_panel": RgPendingReferralFactory(
            panel=other_panel, referral_date=day(-10), **private(nationality="Atlantean")
        ),
    }
    for each in [*world.cases.values(), *world.left_out.values()]:
        each.refresh_from_db()
    return world


# Reading an XLSX file back without a spreadsheet library: its parts are XML in a zip.

_NS = {"x": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def _column_index(reference: str) -> int:
    letters = re.match(r"[A-Z]+", reference).group()
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _unescaped(text: str) -> str:
    """Control characters are written into the XML as _xHHHH_."""
    return re.sub(r"_x([0-9A-F]{4})_", lambda match: chr(int(match.group(1), 16)), text)


def xlsx_sheets(content: bytes) -> dict[str, list[list]]:
    """Each sheet's rows as lists of cells (text, or a number), by sheet name; and every part's raw XML
    under "_parts"."""
    archive = zipfile.ZipFile(io.BytesIO(content))
    parts = {name: archive.read(name).decode() for name in archive.namelist()}
    shared = []
    if "xl/sharedStrings.xml" in parts:
        root = ET.fromstring(parts["xl/sharedStrings.xml"])
        shared = [
            _unescaped("".join(t.text or "" for t in si.iter(f"{{{_NS['x']}}}t"))) for si in root.findall("x:si", _NS)
        ]
    workbook = ET.fromstring(parts["xl/workbook.xml"])
    names = [sheet.get("name") for sheet in workbook.find("x:sheets", _NS)]
    sheets = {"_parts": parts}
    for number, name in enumerate(names, start=1):
        root = ET.fromstring(parts[f"xl/worksheets/sheet{number}.xml"])
        rows = []
        for row in root.find("x:sheetData", _NS):
            cells = {}
            for cell in row:
                kind, value = cell.get("t"), cell.find("x:v", _NS)
                if kind == "inlineStr":
                    text = _unescaped("".join(t.text or "" for t in cell.iter(f"{{{_NS['x']}}}t")))
                elif kind == "s":
                    text = shared[int(value.text)]
                elif kind == "str":
                    text = value.text
                else:
                    text = int(float(value.text)) if value is not None else ""
                cells[_column_index(cell.get("r"))] = text
            rows.append([cells.get(i, "") for i in range(max(cells) + 1)] if cells else [])
        sheets[name] = rows
    return sheets
