"""The demo's safeguarding work: on each panel whose cycle runs, health requests in each state (one answered
through the provider's link, with a document), support, actions, children turning 18 and proceedings whose
decision summary went to the defence; every address an .example one."""

import pytest
from django.utils import timezone

from decisions.models import LetterKind, LetterStatus
from notifications.models import Kind, Notification
from nrm_panel.models import Panel
from safeguarding import selectors
from safeguarding.models import (
    CourtProceeding,
    HealthInformationRequest,
    HealthRequestState,
    SafeguardingAction,
    SupportKind,
    SupportReferral,
)
from tests.nrm_panel.test_demo_data import EMAIL, loaded, login  # noqa: F401 - `loaded` is a fixture

pytestmark = pytest.mark.django_db

RUN_PANELS = ["NHM", "EBY", "WVL"]


@pytest.mark.usefixtures("loaded")
class TestDemoSafeguarding:
    @pytest.mark.parametrize("code", RUN_PANELS)
    def test_health_requests_in_each_state(self, code):
        requests = HealthInformationRequest.objects.filter(referral__panel__code=code)
        assert {r.state for r in requests} == {
            HealthRequestState.DRAFT,
            HealthRequestState.SENT,
            HealthRequestState.RECEIVED,
        }
        answered = requests.get(state=HealthRequestState.RECEIVED)
        assert answered.response_recorded_by is None and answered.documents.get().uploaded_through is not None
        overdue = requests.get(state=HealthRequestState.SENT)
        assert overdue.is_overdue_on(timezone.localdate())
        nurse = login("designated-nurse", code)
        kinds = set(Notification.objects.filter(recipient=nurse).values_list("kind", flat=True))
        assert {Kind.HEALTH_REQUEST_OVERDUE, Kind.HEALTH_RESPONSE_RECEIVED} <= kinds

    @pytest.mark.parametrize("code", RUN_PANELS)
    def test_support_actions_and_turning_18(self, code):
        panel = Panel.objects.get(code=code)
        assert SupportReferral.objects.filter(referral__panel=panel, kind=SupportKind.ICTG).count() == 2
        today = timezone.localdate()
        actions = SafeguardingAction.objects.filter(referral__panel=panel)
        assert any(a.done_on for a in actions) and any(a.done_on is None and a.due_on < today for a in actions)
        flagged = list(selectors.turning_18_cases(login("coordinator", code), today=today))
        assert len(flagged) >= 2
        assert [selectors.transition_plan_of(case) is not None for case in flagged].count(True) == 1

    @pytest.mark.parametrize("code", RUN_PANELS)
    def test_proceedings_with_the_summary_sent_to_the_defence(self, code):
        proceeding = CourtProceeding.objects.get(referral__panel__code=code)
        assert proceeding.hearings.count() == 2
        (sent,) = proceeding.letters_sent.select_related("letter")
        assert sent.letter.kind == LetterKind.DEFENCE_SUMMARY and sent.letter.status == LetterStatus.READY
        assert sent.letter.addressees[0]["role"] == "Defence solicitor"

    def test_every_address_is_an_example_one(self):
        addresses = list(HealthInformationRequest.objects.values_list("contact_email", flat=True))
        addresses += list(SupportReferral.objects.exclude(contact_email="").values_list("contact_email", flat=True))
        addresses += list(CourtProceeding.objects.values_list("solicitor_email", flat=True))
        assert addresses and all(EMAIL.fullmatch(a) and a.endswith(".example") for a in addresses)
