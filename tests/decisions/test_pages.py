"""The panel cycle through HTTP: every page renders, and the main journey works without JavaScript."""

import json

import pytest
from django.urls import reverse

from decisions.models import Decision, DecisionKind
from referrals.models import State


def _login(client, user):
    client.logout()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_a_month_of_panel_work_through_the_pages(client, sitting):
    case = sitting.case()
    meeting = sitting.meeting
    meeting_url = reverse("decisions:meeting", args=[meeting.public_id])

    # Members give their inputs; the education member adds information without a recommendation.
    for person, kind in [(sitting.social_care, "social_care"), (sitting.police, "police"), (sitting.health, "health")]:
        _login(client, person)
        url = reverse("decisions:agency_input", args=[case.public_id, sitting.agencies[kind].pk])
        assert client.get(url).status_code == 200
        response = client.post(
            url, {"knowledge": "Known.", "risks": "High.", "recommendation": "victim", "reasons": "Indicators."}
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    _login(client, sitting.education)
    url = reverse("decisions:agency_input", args=[case.public_id, sitting.agencies["education"].pk])
    assert client.post(url, {"knowledge": "Attends school.", "risks": "Missing days."}).status_code == 302

    # The coordinator builds the agenda.
    _login(client, sitting.coordinator)
    assert client.get(reverse("decisions:meeting_list")).status_code == 200
    agenda_url = reverse("decisions:agenda", args=[meeting.public_id])
    assert case.reference in client.get(agenda_url).content.decode()
    response = client.post(reverse("decisions:agenda_add", args=[meeting.public_id]), {"cases": [case.public_id]})
    assert response.status_code == 302
    assert client.get(reverse("decisions:pack", args=[meeting.public_id])).status_code == 200
    pdf = client.get(reverse("decisions:pack_pdf", args=[meeting.public_id]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(reverse("decisions:inputs_outstanding")).status_code == 200
    assert client.get(reverse("referrals:case", args=[case.public_id])).status_code == 200

    # The chair runs the meeting.
    _login(client, sitting.chair)
    assert client.get(meeting_url).status_code == 200
    assert client.post(reverse("decisions:meeting_open", args=[meeting.public_id])).status_code == 302
    attendance_url = reverse("decisions:attendance", args=[meeting.public_id])
    assert client.get(attendance_url).status_code == 200
    present = [p.pk for p in [*sitting.voting_members, sitting.education]]
    assert client.post(attendance_url, {"present": present}).status_code == 302
    item = meeting.items.get()
    item_url = reverse("decisions:item", args=[meeting.public_id, item.pk])
    assert client.get(item_url).status_code == 200
    response = client.post(
        reverse("decisions:conflict_add", args=[meeting.public_id, item.pk]),
        {"person": sitting.education.pk, "reason": "Teaches the child's sibling."},
    )
    assert response.status_code == 302
    for kind in ("rg", "cg"):
        url = reverse("decisions:decision_record", args=[meeting.public_id, item.pk, kind])
        assert client.get(url).status_code == 200
        response = client.post(
            url, {"outcome": "positive", "reasons": f"{kind} reasons", "evidence_considered": "All."}
        )
        assert response.status_code == 302, response.content.decode()[:3000]
    assert client.get(item_url).status_code == 200
    assert client.post(reverse("decisions:sign_off", args=[meeting.public_id, item.pk])).status_code == 302
    case.refresh_from_db()
    assert case.state == State.CG_POSITIVE
    minutes_url = reverse("decisions:minutes", args=[meeting.public_id])
    assert client.get(minutes_url).status_code == 200
    assert client.post(minutes_url).status_code == 302
    page = client.get(reverse("referrals:case", args=[case.public_id])).content.decode()
    assert "Conclusive grounds: positive" in page

    # The coordinator returns the decisions to the SCA.
    _login(client, sitting.coordinator)
    sca_url = reverse("decisions:sca_return")
    assert client.get(sca_url).status_code == 200
    exported = client.get(reverse("decisions:sca_export", args=["json"]))
    assert len(json.loads(exported.content)["decisions"]) == 2
    assert client.get(reverse("decisions:sca_export", args=["csv"])).status_code == 200
    ids = [str(d.public_id) for d in Decision.objects.filter(referral=case)]
    assert client.post(sca_url, {"decisions": ids}).status_code == 302
    assert not Decision.objects.filter(referral=case, returned_to_sca_at=None).exists()
    assert Decision.objects.filter(referral=case, kind=DecisionKind.RG).get().voters
