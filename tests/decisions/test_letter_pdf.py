"""Letters rendered to PDF (DESIGN.md section 5): each kind names its case, the decision, the test applied, the
reasons and who signed; every page is marked OFFICIAL-SENSITIVE and numbered; nothing of another child leaks in;
the letter goes to the first responder and legal representative, never to the child."""

import datetime
import io

import pytest
from pypdf import PdfReader

from decisions import letter_pdf, services
from decisions.models import DecisionKind, Letter, LetterKind, Outcome, ReconsiderationGrounds, RequestedBy
from referrals.models import State
from tests.factories import SubmittedReferralFactory

pytestmark = pytest.mark.django_db

RG, CG = DecisionKind.RG, DecisionKind.CG
POSITIVE, NEGATIVE = Outcome.POSITIVE, Outcome.NEGATIVE

FIRST_RESPONDER = {
    "role": "First responder",
    "name": "Jo Worker",
    "organisation": "Test Borough Children's Services",
    "address": "Children's Services\nTown Hall, Example Street\nLondon SE6 4RU",
}
LEGAL_REPRESENTATIVE = {
    "role": "Legal representative",
    "name": "Priya Shah",
    "organisation": "Example Law LLP",
    "address": "12 Chancery Row\nLondon WC2A 1AA",
}
CHILD_ADDRESS = "Foster placement, 9 Hidden Lane"

AMARA_RG = "Amara was found in a trap house far from home; the police account is consistent with hers."
AMARA_CG = "The panel could not yet link the journeys to anyone controlling her."
AMARA_RECONSIDERED = "Her teacher's statement shows she was recruited at school and moved by others."
BILAL_RG = "Bilal's reasons must never appear in a letter about another child."


def text(pdf: bytes) -> str:
    return " ".join(pages(pdf))


def pages(pdf: bytes) -> list[str]:
    """Each page's text, whitespace made single: a long sentence wraps onto the next line."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def letter(case, kind, decision=None, *, by, addressees=(FIRST_RESPONDER,), **kwargs) -> Letter:
    return Letter.objects.create(
        referral=case, kind=kind, decision=decision, addressees=list(addressees), requested_by=by, **kwargs
    )


def decide(steps, case, meeting, *decisions):
    """Put `case` on `meeting`'s agenda and record and sign `decisions`: (kind, outcome, reasons) triples."""
    item = steps.add(meeting, case)
    meeting.refresh_from_db()
    if not meeting.is_open:
        steps.open(meeting)
    recorded = [steps.record(item, kind, outcome, reasons=reasons) for kind, outcome, reasons in decisions]
    steps.sign(item)
    return [each.__class__.objects.get(pk=each.pk) for each in recorded]


@pytest.fixture
def amara(sitting, steps):
    """Amara's case: RG positive and CG negative 40 days ago, then CG re-decided positive today on reconsideration.

    Bilal's case was decided at the same meeting, on the same panel.
    """
    case = steps.case(referral_date=steps.day(-45), first_name="Amara", last_name="Okafor")
    case.current_address = CHILD_ADDRESS
    case.save()
    bilal = steps.case(referral_date=steps.day(-44), first_name="Bilal", last_name="Hussain")
    earlier_meeting = steps.meeting(steps.day(-40))
    rg, cg = decide(steps, case, earlier_meeting, (RG, POSITIVE, AMARA_RG), (CG, NEGATIVE, AMARA_CG))
    decide(steps, bilal, earlier_meeting, (RG, POSITIVE, BILAL_RG))
    reconsideration = services.reconsideration_request(
        referral=case,
        user=sitting.coordinator,
        requested_by=RequestedBy.LEGAL_REPRESENTATIVE,
        requester_name="Priya Shah, Example Law LLP",
        received_on=steps.day(-30),
        grounds=ReconsiderationGrounds.NEW_EVIDENCE,
        details="A statement from her teacher.",
    )
    services.reconsideration_accept(reconsideration=reconsideration, user=sitting.coordinator)
    (new_cg,) = decide(steps, case, sitting.meeting, (CG, POSITIVE, AMARA_RECONSIDERED))
    case.refresh_from_db()
    bilal.refresh_from_db()
    return {"case": case, "bilal": bilal, "rg": rg, "cg": cg, "new_cg": new_cg}


# --- Each kind of letter -----------------------------------------------------------------------------------------


def test_an_rg_letter_gives_the_outcome_the_test_the_reasons_and_the_chair(sitting, amara):
    rg = amara["rg"]
    sitting.panel.letter_contact = "Town Hall, Catford Road\nLondon SE6 4RU\nnrm.panel@lewisham.example"
    sitting.panel.save()
    pdf = letter_pdf.letter_pdf(letter(amara["case"], LetterKind.RG_OUTCOME, rg, by=sitting.coordinator))

    content = text(pdf)
    assert amara["case"].reference in content
    assert "Amara Okafor" in content
    assert "Reasonable grounds: Positive" in content
    assert "there are reasonable grounds to believe that Amara Okafor is a victim of modern slavery" in content
    assert rg.threshold_wording and rg.threshold_wording in content
    assert AMARA_RG in content
    assert sitting.chair.get_full_name() in content
    assert f"{rg.decided_on:%-d %B %Y}" in content
    assert f"{amara['case'].date_of_birth:%-d %B %Y}" in content
    assert sitting.panel.name in content
    for line in ("Town Hall, Catford Road", "London SE6 4RU", "nrm.panel@lewisham.example"):
        assert line in content
    # The panel went on to decide CG at the same item: the letter says so rather than "CG follows".
    assert "also made its conclusive grounds decision at the same meeting" in content


def test_a_negative_cg_letter_says_how_to_ask_for_a_reconsideration_and_by_when(sitting, amara):
    cg = amara["cg"]
    pdf = letter_pdf.letter_pdf(letter(amara["case"], LetterKind.CG_OUTCOME, cg, by=sitting.coordinator))

    content = text(pdf)
    assert amara["case"].reference in content
    assert "Conclusive grounds: Negative" in content
    assert "on the balance of probabilities, Amara Okafor is not a victim of modern slavery" in content
    assert cg.threshold_wording and cg.threshold_wording in content
    assert AMARA_CG in content
    assert sitting.chair.get_full_name() in content
    reconsider_by = cg.decided_on + datetime.timedelta(days=30)
    assert f"within 30 calendar days of it, that is by {reconsider_by:%-d %B %Y}" in content
    assert "the first responder, a support provider or a legal representative" in content
    assert "new evidence, or that the decision did not follow the guidance" in content


def test_a_reconsideration_letter_gives_the_new_decision_and_the_one_it_replaces(sitting, amara):
    new_cg, old_cg = amara["new_cg"], amara["cg"]
    pdf = letter_pdf.letter_pdf(
        letter(amara["case"], LetterKind.RECONSIDERATION_OUTCOME, new_cg, by=sitting.coordinator)
    )

    content = text(pdf)
    assert amara["case"].reference in content
    assert "Amara Okafor" in content
    assert "Conclusive grounds: Positive" in content
    assert new_cg.threshold_wording in content
    assert AMARA_RECONSIDERED in content
    assert f"On {old_cg.decided_on:%-d %B %Y} the panel made a negative conclusive grounds decision" in content
    assert f"Conclusive grounds: Negative, decided {old_cg.decided_on:%-d %B %Y}" in content
    assert AMARA_CG not in content  # the earlier reasons are not repeated
    assert sitting.chair.get_full_name() in content


def test_a_defence_summary_lists_every_signed_decision_in_date_order(sitting, amara):
    pdf = letter_pdf.letter_pdf(
        letter(amara["case"], LetterKind.DEFENCE_SUMMARY, by=sitting.coordinator, addressees=[LEGAL_REPRESENTATIVE])
    )

    content = text(pdf)
    assert amara["case"].reference in content
    assert "Amara Okafor" in content
    assert "Modern Slavery Act 2015, section 45" in content
    positions = [content.index(reasons) for reasons in (AMARA_RG, AMARA_CG, AMARA_RECONSIDERED)]
    assert positions == sorted(positions)
    for decision in (amara["rg"], amara["cg"], amara["new_cg"]):
        assert decision.threshold_wording in content
    assert "Reasonable grounds: Positive" in content
    assert "Conclusive grounds: Negative" in content
    assert "Conclusive grounds: Positive" in content
    assert "reconsidered and replaced by the decision of" in content
    assert sitting.chair.get_full_name() in content


def test_a_transfer_summary_gives_the_reason_and_dates_and_is_signed_by_the_coordinator(sitting, amara):
    case = SubmittedReferralFactory(
        panel=sitting.panel,
        first_name="Chidi",
        last_name="Eze",
        state=State.TRANSFERRED,
        state_reason="Within 100 days of their 18th birthday.",
        date_of_birth=None,
        estimated_age=17,
    )
    pdf = letter_pdf.letter_pdf(letter(case, LetterKind.TRANSFER_SUMMARY, by=sitting.coordinator))

    content = text(pdf)
    assert case.reference in content
    assert "Chidi Eze" in content
    assert "estimated at 17; date of birth not known" in content
    assert "Within 100 days of their 18th birthday." in content
    assert f"made on {case.referral_date:%-d %B %Y}" in content
    assert "was transferred to the Single Competent Authority (SCA) on" in content
    assert sitting.coordinator.get_full_name() in content
    assert "Panel coordinator" in content
    assert "{" not in content
    for elsewhere in ("Amara Okafor", AMARA_RG, amara["case"].reference):
        assert elsewhere not in content


# --- What every letter holds, and what none may -------------------------------------------------------------------


def test_every_page_is_marked_and_numbered(sitting, steps):
    case = steps.case()
    long_reasons = "\n\n".join(f"Paragraph {n}: " + "the panel weighed this carefully. " * 12 for n in range(60))
    (rg,) = decide(steps, case, sitting.meeting, (RG, POSITIVE, long_reasons))

    pdf_pages = pages(letter_pdf.letter_pdf(letter(case, LetterKind.RG_OUTCOME, rg, by=sitting.coordinator)))

    assert len(pdf_pages) >= 2
    for number, page in enumerate(pdf_pages, start=1):
        assert page.count("OFFICIAL-SENSITIVE") == 2  # header and footer
        assert f"Page {number} of {len(pdf_pages)}" in page


def test_a_letter_holds_nothing_of_another_child_on_the_same_panel(sitting, amara):
    for kind, decision in [
        (LetterKind.RG_OUTCOME, amara["rg"]),
        (LetterKind.CG_OUTCOME, amara["cg"]),
        (LetterKind.RECONSIDERATION_OUTCOME, amara["new_cg"]),
        (LetterKind.DEFENCE_SUMMARY, None),
    ]:
        content = text(letter_pdf.letter_pdf(letter(amara["case"], kind, decision, by=sitting.coordinator)))

        assert "Amara Okafor" in content
        assert "{" not in content, kind  # no template syntax printed
        for elsewhere in ("Bilal", amara["bilal"].reference, BILAL_RG):
            assert elsewhere not in content, (kind, elsewhere)


def test_a_letter_naming_another_childs_decision_is_refused(sitting, amara):
    bilal_rg = amara["bilal"].decisions.get()

    with pytest.raises(letter_pdf.LetterNotRenderable, match=letter_pdf.OTHER_CASE):
        letter_pdf.letter_pdf(letter(amara["case"], LetterKind.RG_OUTCOME, bilal_rg, by=sitting.coordinator))


def test_html_in_the_reasons_is_printed_as_text(sitting, steps):
    case = steps.case()
    reasons = "<script>alert(1)</script> and <b>not bold</b>"
    (rg,) = decide(steps, case, sitting.meeting, (RG, POSITIVE, reasons))
    row = letter(case, LetterKind.RG_OUTCOME, rg, by=sitting.coordinator)

    html = letter_pdf.letter_html(row)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; and &lt;b&gt;not bold&lt;/b&gt;" in html
    assert reasons in text(letter_pdf.letter_pdf(row))


def test_the_letter_goes_to_its_addressees_and_never_names_where_the_child_lives(sitting, amara):
    row = letter(
        amara["case"], LetterKind.RG_OUTCOME, amara["rg"], by=sitting.coordinator,
        addressees=[FIRST_RESPONDER, LEGAL_REPRESENTATIVE],
    )  # fmt: skip

    content = text(letter_pdf.letter_pdf(row))

    for addressee in (FIRST_RESPONDER, LEGAL_REPRESENTATIVE):
        assert addressee["name"] in content
        assert addressee["organisation"] in content
        for line in addressee["address"].splitlines():
            assert line in content
    assert "Dear Jo Worker and Priya Shah," in content
    assert "Dear Amara" not in content
    assert CHILD_ADDRESS not in content


def test_a_letter_to_anyone_but_the_first_responder_or_legal_representative_is_refused(sitting, amara):
    child = {"role": "Child", "name": "Amara Okafor", "organisation": "", "address": CHILD_ADDRESS}

    with pytest.raises(letter_pdf.LetterNotRenderable, match="not to Child"):
        letter_pdf.letter_pdf(
            letter(amara["case"], LetterKind.RG_OUTCOME, amara["rg"], by=sitting.coordinator, addressees=[child])
        )
    with pytest.raises(letter_pdf.LetterNotRenderable, match=letter_pdf.NO_ADDRESSEE):
        letter_pdf.letter_pdf(
            letter(amara["case"], LetterKind.CG_OUTCOME, amara["cg"], by=sitting.coordinator, addressees=[])
        )


def test_a_second_version_says_what_it_corrects(sitting, amara):
    letter(amara["case"], LetterKind.RG_OUTCOME, amara["rg"], by=sitting.coordinator)
    second = letter(
        amara["case"], LetterKind.RG_OUTCOME, amara["rg"], by=sitting.coordinator,
        version=2, correction_reason="The legal representative's address was wrong.",
    )  # fmt: skip

    content = text(letter_pdf.letter_pdf(second))

    assert "This letter replaces version 1: The legal representative's address was wrong." in content


def test_the_first_version_mentions_no_correction(sitting, amara):
    content = text(
        letter_pdf.letter_pdf(letter(amara["case"], LetterKind.RG_OUTCOME, amara["rg"], by=sitting.coordinator))
    )

    assert "replaces version" not in content


def test_the_pdf_is_tagged_with_its_language_and_a_title_without_the_childs_name(sitting, amara):
    pdf = letter_pdf.letter_pdf(letter(amara["case"], LetterKind.RG_OUTCOME, amara["rg"], by=sitting.coordinator))

    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"].value is True
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en-GB"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert b"pdfuaid:part" in root["/Metadata"].get_object().get_data()
    assert reader.metadata.title == f"Reasonable grounds decision: {amara['case'].reference}"
