"""Shared by the tests of support referrals, safeguarding actions and turning 18: a case with people in each role,
another panel with its own, the answers the forms take, and a snapshot of everything these records keep (with
their history), to show that a refused request changed nothing."""

import datetime
import html
import re
from dataclasses import dataclass

from django.utils import timezone

from nrm_panel.models import Panel, Role, User
from referrals.models import Referral
from safeguarding.models import SafeguardingAction, SupportReferral, TransitionPlan
from tests.factories import PanelFactory, RgPendingReferralFactory, member

TOO_LONG = "x" * 10_001  # textareas take 10,000 characters
HUGE = str(10**20)  # more than any date's year
NOTHING = {"save": "Save"}  # a browser still sends the button

STORED = (SupportReferral, SafeguardingAction, TransitionPlan)


def today() -> datetime.date:
    return timezone.localdate()


def days(offset: int) -> datetime.date:
    return today() + datetime.timedelta(days=offset)


def day_fields(name: str, day: datetime.date) -> dict:
    return {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}


def snapshot() -> dict:
    return {model.__name__: (list(model.objects.order_by("pk").values()), model.history.count()) for model in STORED}


def shown_errors(response) -> list[str]:
    """The messages of the page's error summary, or of the 'could not be done' page."""
    page = response.content.decode()
    found = re.findall(r'data-testid="refusal">(.*?)</p>', page, re.S)
    start = page.find("govuk-error-summary")
    if start != -1:
        found += re.findall(r"<li><a [^>]*>(.*?)</a></li>", page[start : page.find("</ul>", start)], re.S)
    return [html.unescape(text).strip() for text in found]


def field_errors(response, field: str) -> list[str]:
    """The messages the error summary ties to one answer (its link points at the answer's input)."""
    page = response.content.decode()
    start = page.find("govuk-error-summary")
    if start == -1:
        return []
    summary = page[start : page.find("</ul>", start)]
    return [
        html.unescape(text).strip()
        for text in re.findall(rf'<li><a href="#id_{field}(?:_\d)?">(.*?)</a></li>', summary, re.S)
    ]


def assert_refused(response, *expected, status=400, field: str | None = None):
    """A 4xx, with at least one message shown, holding each of `expected` (next to `field`, if given)."""
    assert response.status_code == status, response.content.decode()[:3000]
    errors = field_errors(response, field) if field else shown_errors(response)
    assert errors, f"The page shows no message saying what to fix{f' next to {field}' if field else ''}"
    for message in expected:
        assert any(message in error for error in errors), f"{message!r} not among the messages shown: {errors}"


@dataclass
class Team:
    """A panel with one person in each role, an open case, and another panel with its own coordinator and case."""

    panel: Panel
    case: Referral
    people: dict[str, User]
    other_panel: Panel
    other_case: Referral
    other_coordinator: User

    @property
    def coordinator(self) -> User:
        return self.people[Role.COORDINATOR]

    @property
    def chair(self) -> User:
        return self.people[Role.CHAIR]


def build_team(panel: Panel, people: dict) -> Team:
    other_panel = PanelFactory(name="Bexley NRM Panel", code="BEX")
    other_coordinator = member(other_panel, Role.COORDINATOR)
    # The other panel's coordinator also chairs it and sits on it: no role there reaches our records.
    member(other_panel, Role.CHAIR, user=other_coordinator)
    return Team(
        panel=panel,
        case=RgPendingReferralFactory(
            panel=panel, referrer=people[Role.REFERRER], first_name="Amara", last_name="Okafor"
        ),
        people=people,
        other_panel=other_panel,
        other_case=RgPendingReferralFactory(panel=other_panel, first_name="Theirs", last_name="Otherchild"),
        other_coordinator=other_coordinator,
    )
