"""The decisions app's pages make the same number of queries with 1 row as with 8: no query per item, case,
input or decision. Each test builds the page twice, once with 1 and once with 8 of what it lists."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse, reverse_lazy
from django.utils import timezone

from decisions import letters, services
from decisions.models import (
    AgendaItem,
    Decision,
    DecisionKind,
    Letter,
    MeetingStatus,
    Outcome,
    Reconsideration,
    ReconsiderationStatus,
)
from nrm_panel.models import AgencyKind, Role
from referrals.models import State
from tests.factories import AgencyFactory, PanelMeetingFactory, member, referral_in_state

pytestmark = pytest.mark.django_db

FEW, MANY = 1, 8


def queries_for(client, url) -> int:
    client.get(url)  # warm the once-per-process caches (content types) so only the page is counted
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content.decode()[:2000]
    return len(captured)


def counts_for(client, viewers: dict, url) -> dict:
    """The queries each viewer's page makes."""
    counts = {}
    for name, user in viewers.items():
        client.force_login(user)
        counts[name] = queries_for(client, url)
    return counts


def same_for_few_and_many(client, viewers: dict, url_for_few, url_for_many):
    with_few = counts_for(client, viewers, url_for_few)
    with_many = counts_for(client, viewers, url_for_many)
    assert with_many == with_few, f"Queries with {FEW} rows: {with_few}; with {MANY}: {with_many}"


def who(sitting, people, *names) -> dict:
    everyone = {
        "coordinator": sitting.coordinator,
        "chair": sitting.chair,
        "panel_member": sitting.police,
        "designated_nurse": sitting.health,
        "auditor": people[Role.AUDITOR],
        "referrer": people[Role.REFERRER],
    }
    return {name: everyone[name] for name in names}


def give_inputs(sitting, case):
    for kind, person in ((AgencyKind.POLICE, sitting.police), (AgencyKind.SOCIAL_CARE, sitting.social_care)):
        services.agency_input_save(
            referral=case,
            agency=sitting.agencies[kind],
            user=person,
            knowledge="Known to us.",
            risks="High.",
            recommendation="victim",
            reasons="Indicators present.",
        )
    services.agency_input_save(
        referral=case,
        agency=sitting.agencies[AgencyKind.EDUCATION],
        user=sitting.education,
        knowledge="Attends school.",
        risks="Missing days.",
        recommendation="",
        reasons="",
    )


def meeting_with_items(sitting, steps, count, *, open_it=True, record=True, sign=False):
    """A meeting today with `count` cases on its agenda, each with inputs; opened with quorum, each item with a
    conflict of interest and a positive RG recorded (signed off if `sign`)."""
    meeting = steps.meeting()
    items = []
    for _ in range(count):
        case = steps.case()
        give_inputs(sitting, case)
        items.append(steps.add(meeting, case))
    if open_it:
        steps.open(meeting, sitting.education, sitting.deputy)
        for item in items:
            services.conflict_record(item=item, user=sitting.chair, person=sitting.education, reason="Knows them.")
            if record:
                steps.record(item)
                if sign:
                    steps.sign(item)
    return meeting, items


# --- Meetings and their agendas --------------------------------------------------------------------


@pytest.mark.parametrize("sign", [False, True], ids=["recorded", "signed-off"])
def test_meeting_page_makes_the_same_queries_for_1_and_8_items(sign, client, sitting, steps, people):
    few, _ = meeting_with_items(sitting, steps, FEW, sign=sign)
    many, _ = meeting_with_items(sitting, steps, MANY, sign=sign)

    same_for_few_and_many(
        client,
        who(sitting, people, "chair", "coordinator", "panel_member"),
        reverse("decisions:meeting", args=[few.public_id]),
        reverse("decisions:meeting", args=[many.public_id]),
    )


def test_agenda_page_makes_the_same_queries_for_1_and_8_items_and_proposals(client, sitting, steps):
    few, _ = meeting_with_items(sitting, steps, FEW, open_it=False)
    proposals = [steps.case() for _ in range(FEW)]
    client.force_login(sitting.coordinator)
    with_few = queries_for(client, reverse("decisions:agenda", args=[few.public_id]))

    many, _ = meeting_with_items(sitting, steps, MANY, open_it=False)
    proposals += [steps.case() for _ in range(MANY - FEW)]
    with_many = queries_for(client, reverse("decisions:agenda", args=[many.public_id]))

    assert with_many == with_few
    page = client.get(reverse("decisions:agenda", args=[many.public_id])).content.decode()
    assert all(case.reference in page for case in proposals)


def test_meeting_pack_makes_the_same_queries_for_1_and_8_items(client, sitting, steps, people):
    few, _ = meeting_with_items(sitting, steps, FEW, open_it=False)
    many, _ = meeting_with_items(sitting, steps, MANY, open_it=False)

    same_for_few_and_many(
        client,
        who(sitting, people, "panel_member", "coordinator"),
        reverse("decisions:pack", args=[few.public_id]),
        reverse("decisions:pack", args=[many.public_id]),
    )


class _NoPdf:
    """Stands in for WeasyPrint: the pack's HTML is still rendered (and its queries made), not laid out."""

    def __init__(self, string):
        self.html = string

    def write_pdf(self):
        return b"%PDF-1.7 " + str(len(self.html)).encode()


def test_meeting_pack_pdf_makes_the_same_queries_for_1_and_8_items(client, sitting, steps, monkeypatch):
    weasyprint = pytest.importorskip("weasyprint")
    monkeypatch.setattr(weasyprint, "HTML", _NoPdf)
    few, _ = meeting_with_items(sitting, steps, FEW, open_it=False)
    many, _ = meeting_with_items(sitting, steps, MANY, open_it=False)

    same_for_few_and_many(
        client,
        {"panel_member": sitting.police},
        reverse("decisions:pack_pdf", args=[few.public_id]),
        reverse("decisions:pack_pdf", args=[many.public_id]),
    )


def test_minutes_make_the_same_queries_for_1_and_8_signed_items(client, sitting, steps):
    few, _ = meeting_with_items(sitting, steps, FEW, sign=True)
    many, _ = meeting_with_items(sitting, steps, MANY, sign=True)

    same_for_few_and_many(
        client,
        {"chair": sitting.chair},
        reverse("decisions:minutes", args=[few.public_id]),
        reverse("decisions:minutes", args=[many.public_id]),
    )


def test_meeting_list_makes_the_same_queries_for_1_and_8_meetings(client, sitting, steps, people):
    client.force_login(sitting.chair)
    url = reverse("decisions:meeting_list")
    sitting.meeting.delete()

    def add_meetings(count):
        for index in range(count):
            meeting_with_items(sitting, steps, 1, open_it=False)  # today: coming up
            PanelMeetingFactory(panel=sitting.panel, date=steps.day(-7 - index), status=MeetingStatus.CLOSED)

    add_meetings(FEW)
    with_few = queries_for(client, url)
    add_meetings(MANY - FEW)
    with_many = queries_for(client, url)

    assert with_many == with_few


# --- The chair's item --------------------------------------------------------------------------------


def earlier_decisions(case, count, chair):
    """`count` signed RG decisions on the case at past meetings, each superseding the one before on
    reconsideration (made directly: only their reading is under test)."""
    now, previous = timezone.now(), None
    for index in range(count):
        meeting = PanelMeetingFactory(
            panel=case.panel, date=timezone.localdate() - datetime.timedelta(days=10 * (count - index)), chair=chair
        )
        item = AgendaItem.objects.create(
            meeting=meeting,
            referral=case,
            purpose="rg" if previous is None else "reconsideration",
            position=1,
            added_by=chair,
            signed_off_at=now,
            signed_off_by=chair,
        )
        decision = Decision.objects.create(
            referral=case,
            item=item,
            kind=DecisionKind.RG,
            outcome=Outcome.NEGATIVE,
            reasons=f"Reasons {index}",
            decided_on=meeting.date,
            recorded_by=chair,
            signed_off_by=chair,
            signed_off_at=now,
            supersedes=previous,
            voters=[{"name": "A Member", "agency": "Police", "capacity": "Voting member"}],
            agency_recommendations=[{"agency": "Police", "kind": "Police", "recommendation": "Victim", "reasons": ""}],
        )
        if previous is not None:
            reconsideration = Reconsideration.objects.create(
                referral=case,
                decision=previous,
                requested_by="child",
                requester_name="Jo Brief",
                received_on=meeting.date,
                grounds="new_evidence",
                details="New statement.",
                status=ReconsiderationStatus.DECIDED,
                recorded_by=chair,
            )
            AgendaItem.objects.filter(pk=item.pk).update(reconsideration=reconsideration)
        previous = decision
    return previous


def item_with(sitting, steps, count):
    """An item on a meeting with `count` items, whose case has `count` earlier decisions and inputs from
    `count` extra advising agencies, with `count` members present who have a conflict of interest."""
    meeting, items = meeting_with_items(sitting, steps, count, record=False)
    item = items[0]
    earlier_decisions(item.referral, count, sitting.chair)
    conflicted = []
    for index in range(count):
        agency = AgencyFactory(panel=sitting.panel, kind=AgencyKind.YOUTH_JUSTICE, name=f"Youth team {count}-{index}")
        person = member(sitting.panel, Role.PANEL_MEMBER, agency=agency)
        services.agency_input_save(
            referral=item.referral,
            agency=agency,
            user=person,
            knowledge="Known.",
            risks="Low.",
            recommendation="",
            reasons="",
        )
        conflicted.append(person)
    present = [*sitting.voting_members, sitting.education, sitting.deputy, *conflicted]
    services.attendance_record(meeting=meeting, user=sitting.chair, people=present)
    for person in conflicted:
        services.conflict_record(item=item, user=sitting.chair, person=person, reason="Works with the family.")
    steps.record(item)
    return meeting, item


def test_item_page_makes_the_same_queries_for_1_and_8_items_decisions_inputs_and_conflicts(
    client, sitting, steps, people
):
    few_meeting, few = item_with(sitting, steps, FEW)
    many_meeting, many = item_with(sitting, steps, MANY)

    same_for_few_and_many(
        client,
        who(sitting, people, "chair", "panel_member"),
        reverse("decisions:item", args=[few_meeting.public_id, few.pk]),
        reverse("decisions:item", args=[many_meeting.public_id, many.pk]),
    )


# --- Inputs, the SCA return, the case page -----------------------------------------------------------


def test_inputs_outstanding_makes_the_same_queries_for_1_and_8_cases(client, sitting, steps, people):
    viewers = who(sitting, people, "coordinator", "chair", "panel_member")
    url = reverse("decisions:inputs_outstanding")

    def add_cases(count):
        for index in range(count):
            case = steps.case()
            if index % 2:
                give_inputs(sitting, case)

    add_cases(FEW)
    with_few = counts_for(client, viewers, url)
    add_cases(MANY - FEW)
    with_many = counts_for(client, viewers, url)

    assert with_many == with_few


@pytest.mark.parametrize(
    "url",
    [
        reverse_lazy("decisions:sca_return"),
        reverse_lazy("decisions:sca_export", args=["csv"]),
        reverse_lazy("decisions:sca_export", args=["json"]),
    ],
    ids=["page", "csv", "json"],
)
def test_sca_return_makes_the_same_queries_for_1_and_8_decisions(url, client, sitting, steps):
    client.force_login(sitting.coordinator)
    url = f"{url}?decisions=all" if "decisions." in str(url) else str(url)  # the exports: every decision

    def add_decisions(count):
        for _ in range(count):
            # Each case: a decision superseded on reconsideration (returned) and the one superseding it (not).
            case = referral_in_state(State.RG_NEGATIVE, panel=sitting.panel)
            last = earlier_decisions(case, 2, sitting.chair)
            Decision.objects.filter(pk=last.supersedes_id).update(
                returned_to_sca_at=timezone.now(), returned_to_sca_by=sitting.coordinator
            )

    add_decisions(FEW)
    with_few = queries_for(client, url)
    add_decisions(MANY - FEW)
    with_many = queries_for(client, url)

    assert with_many == with_few


def test_case_page_makes_the_same_queries_for_1_and_8_decisions(client, sitting, steps, people):
    owner = people[Role.REFERRER]
    few = referral_in_state(State.RECONSIDERATION, panel=sitting.panel, referrer=owner)
    many = referral_in_state(State.RECONSIDERATION, panel=sitting.panel, referrer=owner)
    for case, count in ((few, FEW), (many, MANY)):
        last = earlier_decisions(case, count, sitting.chair)
        Reconsideration.objects.create(
            referral=case,
            decision=last,
            requested_by="child",
            requester_name="Jo Brief",
            received_on=last.decided_on,
            grounds="new_evidence",
            details="Another statement.",
            recorded_by=sitting.coordinator,
        )

    same_for_few_and_many(
        client,
        who(sitting, people, "chair", "coordinator", "panel_member", "auditor", "referrer"),
        reverse("referrals:case", args=[few.public_id]),
        reverse("referrals:case", args=[many.public_id]),
    )


def test_case_page_on_an_agenda_makes_the_same_queries_for_1_and_8_inputs(client, sitting, steps, people):
    _, (few,) = meeting_with_items(sitting, steps, 1)
    _, (many,) = meeting_with_items(sitting, steps, 1)
    for index in range(MANY):
        agency = AgencyFactory(panel=sitting.panel, kind=AgencyKind.YOUTH_JUSTICE, name=f"Youth team {index}")
        person = member(sitting.panel, Role.PANEL_MEMBER, agency=agency)
        services.agency_input_save(
            referral=many.referral,
            agency=agency,
            user=person,
            knowledge="Known.",
            risks="Low.",
            recommendation="",
            reasons="",
        )

    same_for_few_and_many(
        client,
        who(sitting, people, "chair", "coordinator", "panel_member"),
        reverse("referrals:case", args=[few.referral.public_id]),
        reverse("referrals:case", args=[many.referral.public_id]),
    )


def test_letters_list_and_case_letters_make_the_same_queries_for_1_and_8_letters(client, sitting, steps):
    def decide_and_issue(count):
        for _ in range(count):
            item = steps.decide(steps.case(), sitting.meeting)
            letter = letters.letter_issue(
                referral=item.referral, decision=item.decisions.get(), user=sitting.coordinator
            )
            letters.letter_correct(letter=letter, user=sitting.coordinator, reason="A second version")
        return item.referral

    case = decide_and_issue(FEW)
    viewers = {"coordinator": sitting.coordinator, "chair": sitting.chair}
    with_few = counts_for(client, viewers, reverse("decisions:letters"))
    decide_and_issue(MANY - FEW)
    with_many = counts_for(client, viewers, reverse("decisions:letters"))
    assert with_many == with_few
    # The case page lists its letters: one more version of the same letters costs nothing more.
    letter = Letter.objects.filter(referral=case).latest("version")
    client.force_login(sitting.coordinator)
    before = queries_for(client, reverse("referrals:case", args=[case.public_id]))
    letters.letter_correct(letter=letter, user=sitting.coordinator, reason="A third version")
    assert queries_for(client, reverse("referrals:case", args=[case.public_id])) == before
