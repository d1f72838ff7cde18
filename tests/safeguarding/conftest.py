"""Health fixtures: a case, its panel's designated nurse and health member, and a sent request."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from nrm_panel.models import AgencyKind, Role
from safeguarding.models import LegalBasis, ProviderKind
from safeguarding.services import health
from tests.decisions.conftest import sitting, steps  # noqa: F401  (for the court proceedings tests)
from tests.factories import AgencyFactory, RgPendingReferralFactory, member
from tests.safeguarding.court_helpers import court_world, decided, proceeding  # noqa: F401


@pytest.fixture
def case(panel, referrer):
    return RgPendingReferralFactory(panel=panel, referrer=referrer, first_name="Amara", last_name="Okafor")


@pytest.fixture
def nurse(people):
    return people[Role.DESIGNATED_NURSE]


@pytest.fixture
def health_member(panel):
    """A panel member for a health agency: reads health detail, does not write it."""
    return member(panel, Role.PANEL_MEMBER, agency=AgencyFactory(panel=panel, kind=AgencyKind.HEALTH))


def request_fields(**changes) -> dict:
    fields = {
        "provider_kind": ProviderKind.GP_PRACTICE,
        "provider_name": "Rushey Green Group Practice",
        "contact_name": "Dr Priya Shah",
        "contact_email": "practice.manager@nhs.net",
        "questions": "Registration, attendances since 2024 and any injuries seen.",
        "legal_basis": LegalBasis.SECTION_47,
        "due_date": timezone.localdate() + datetime.timedelta(days=10),
    }
    return fields | changes


@pytest.fixture
def draft_request(case, nurse):
    return health.health_request_create(referral=case, user=nurse, **request_fields())


@pytest.fixture
def sent_request(draft_request, nurse, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        health.health_request_send(request=draft_request, user=nurse)
    draft_request.refresh_from_db()
    return draft_request


def link_in(message) -> str:
    """The provider's link in an email, as a path."""
    line = next(line for line in message.body.splitlines() if "/health-provider/" in line)
    return line[line.index("/health-provider/") :].strip()


@pytest.fixture
def provider_path(sent_request):
    (message,) = [m for m in mail.outbox if m.to == [sent_request.contact_email]]
    return link_in(message)
