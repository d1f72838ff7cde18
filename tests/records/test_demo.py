"""The demo data: each panel whose cycle runs has a case ended longer ago than the panel keeps closed cases, on
its coordinator's Retention review (a withdrawn one in the default load, a decided and closed one in a larger
load); it can be exported, and anonymised with the panel's figures unchanged."""

import pytest
from django.urls import reverse

from nrm_panel.models import Panel
from records.anonymisation import case_anonymise
from records.selectors import retention_review_list
from referrals.models import State
from tests.nrm_panel.test_demo_data import demo_data, loaded, login  # noqa: F401 - `loaded` is a fixture
from tests.records.helpers import review, today

pytestmark = pytest.mark.django_db

RUN_PANELS = ["NHM", "EBY", "WVL"]


@pytest.mark.usefixtures("loaded")
class TestDemoRecords:
    @pytest.mark.parametrize("code", RUN_PANELS)
    def test_the_retention_review_has_an_ended_case(self, code, client):
        coordinator = login("coordinator", code)

        (case,) = retention_review_list(coordinator, today=today())

        assert case.state == State.WITHDRAWN and case.panel.code == code and case.state_reason
        assert case.reference.split("-")[1] == str(case.referral_date.year)
        client.force_login(coordinator)
        page = client.get(reverse("records:retention_review")).content.decode()
        assert case.reference in page

    def test_the_demo_case_exports_and_anonymises(self, client, django_capture_on_commit_callbacks):
        coordinator = login("coordinator", "NHM")
        (case,) = retention_review_list(coordinator, today=today())
        client.force_login(coordinator)
        assert client.post(reverse("records:subject_access_download", args=[case.public_id])).status_code == 200

        review(case, coordinator)
        with django_capture_on_commit_callbacks(execute=True):
            done = case_anonymise(referral=case)

        assert done.rows["referrals"] == 1 + case.history.count()
        assert not retention_review_list(coordinator, today=today())


def test_a_larger_load_dates_back_a_case_decided_and_closed(django_capture_on_commit_callbacks):
    demo_data("--referrals", "90", "--panels", "1")
    coordinator = login("coordinator", Panel.objects.get().code)

    (case,) = retention_review_list(coordinator, today=today())

    assert case.state == State.CLOSED
    decided = case.decisions.filter(signed_off_at__isnull=False)
    assert decided.exists() and all(each.decided_on.year == case.referral_date.year for each in decided)
    review(case, coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        case_anonymise(referral=case)  # the panel's figures unchanged, or it is refused
