"""The safeguarding action pages: recording, changing, marking done and reopening, with bad input and by the
wrong people; and the case page's list of open (overdue marked) and done actions."""

import pytest
from django.urls import reverse

from nrm_panel.models import Role
from safeguarding.models import SafeguardingAction
from safeguarding.services import history_version
from safeguarding.services import support as services
from tests.factories import member
from tests.safeguarding.support_helpers import (
    HUGE,
    NOTHING,
    TOO_LONG,
    assert_refused,
    build_team,
    day_fields,
    days,
    snapshot,
    today,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(panel, people):
    team = build_team(panel, people)
    team.case.referral_date = days(-30)
    team.case.save()
    return team


@pytest.fixture
def as_(client):
    def _as(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return _as


def answers(**overrides) -> dict:
    return {
        "action": "Strategy meeting about the older associates.",
        "owner": "DS Kim Lee, Metropolitan Police",
        **day_fields("due_on", days(14)),
        **overrides,
    }


def done_answers(**overrides) -> dict:
    return {**day_fields("done_on", today()), "done_note": "Held on the day.", **overrides}


def recorded(team, **changes) -> SafeguardingAction:
    fields = {"action": "Visit the placement.", "owner": "Jo Worker, Children's Social Care", "due_on": days(7)}
    return services.action_record(referral=team.case, user=team.coordinator, **fields | changes)


def url(name, action) -> str:
    return reverse(f"safeguarding:action_{name}", args=[action.public_id])


def create_url(team) -> str:
    return reverse("safeguarding:action_create", args=[team.case.public_id])


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.CHAIR])
def test_the_coordinator_and_the_chair_record_an_action(role, team, as_):
    response = as_(team.people[role]).post(create_url(team), answers())

    assert response.status_code == 302
    saved = SafeguardingAction.objects.get()
    assert (saved.owner, saved.due_on, saved.recorded_by) == (
        "DS Kim Lee, Metropolitan Police",
        days(14),
        team.people[role],
    )
    entry = saved.history.get()
    assert entry.history_change_reason.startswith("Safeguarding action recorded, due ")
    assert entry.history_user == team.people[role]


ACTION_BAD_INPUT = {
    "nothing": (
        NOTHING,
        {"action": services.ACTION_REQUIRED, "owner": services.OWNER_REQUIRED, "due_on": "Enter the date"},
    ),
    "blank-text": (
        answers(action="   ", owner="  "),
        {"action": services.ACTION_REQUIRED, "owner": services.OWNER_REQUIRED},
    ),
    "due-yesterday": (answers(**day_fields("due_on", days(-1))), {"due_on": services.DUE_IN_PAST}),
    "letters-in-the-date": (answers(due_on_0="x", due_on_1="y", due_on_2="z"), {"due_on": ""}),
    "impossible-date": (answers(due_on_0="30", due_on_1="2", due_on_2="2030"), {"due_on": "Enter a real date"}),
    "huge-year": (answers(due_on_2=HUGE), {"due_on": "Enter a real date"}),
    "owner-too-long": (answers(owner="o" * 201), {"owner": "must be 200 characters or fewer"}),
    "action-too-long": (answers(action=TOO_LONG), {"action": "must be 10000 characters or fewer"}),
}


@pytest.mark.parametrize("case", ACTION_BAD_INPUT.values(), ids=ACTION_BAD_INPUT.keys())
def test_recording_an_action_with_bad_input_is_refused_next_to_the_answer(case, team, as_):
    data, messages = case
    before = snapshot()

    response = as_(team.chair).post(create_url(team), data)

    for field, message in messages.items():
        assert_refused(response, message, field=field)
    assert snapshot() == before


@pytest.mark.parametrize("case", ACTION_BAD_INPUT.values(), ids=ACTION_BAD_INPUT.keys())
def test_changing_an_action_with_bad_input_is_refused_and_the_action_kept(case, team, as_):
    action = recorded(team)
    data, messages = case
    before = snapshot()

    response = as_(team.coordinator).post(url("change", action), data)

    for field, message in messages.items():
        assert_refused(response, message, field=field)
    assert snapshot() == before


def test_a_refused_action_form_keeps_what_was_typed(team, as_):
    response = as_(team.chair).post(
        create_url(team), answers(action="Typed action text", owner="Typed owner", **day_fields("due_on", days(-2)))
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Typed action text" in page and "Typed owner" in page


def test_an_overdue_action_keeps_its_date_when_reworded(team, as_):
    action = recorded(team)
    SafeguardingAction.objects.filter(pk=action.pk).update(due_on=days(-3))

    form = as_(team.coordinator).get(url("change", action))
    response = as_(team.coordinator).post(
        url("change", action),
        answers(action="Reworded", **day_fields("due_on", days(-3)), version=form.context["form"].initial["version"]),
    )

    assert response.status_code == 302
    assert SafeguardingAction.objects.values_list("action", "due_on").get() == ("Reworded", days(-3))


def test_a_change_over_someone_elses_is_refused_as_a_conflict(team, as_):
    action = recorded(team)
    version = history_version(action)
    assert as_(team.chair).post(url("change", action), answers(action="Chair's", version=version)).status_code == 302

    response = as_(team.coordinator).post(url("change", action), answers(action="Coordinator's", version=version))

    assert_refused(response, "Someone else changed this", status=409)
    assert SafeguardingAction.objects.get().action == "Chair's"


def test_marking_an_action_done(team, as_):
    action = recorded(team)

    response = as_(team.chair).post(url("done", action), done_answers())

    assert response.status_code == 302
    saved = SafeguardingAction.objects.get()
    assert (saved.done_on, saved.done_note) == (today(), "Held on the day.")
    assert saved.history.order_by("history_id").last().history_change_reason.startswith("Safeguarding action done on")


DONE_BAD_INPUT = {
    "nothing": ({}, {"done_on": "Enter the date it was done"}),
    "tomorrow": (done_answers(**day_fields("done_on", days(1))), {"done_on": services.DONE_IN_FUTURE}),
    "before-the-referral": (
        done_answers(**day_fields("done_on", days(-31))),
        {"done_on": "must be the same as or after the date of the referral"},
    ),
    "impossible-date": (
        done_answers(done_on_0="0", done_on_1="13", done_on_2="2026"),
        {"done_on": "Enter a real date"},
    ),
    "note-too-long": (done_answers(done_note=TOO_LONG), {"done_note": "must be 10000 characters or fewer"}),
}


@pytest.mark.parametrize("case", DONE_BAD_INPUT.values(), ids=DONE_BAD_INPUT.keys())
def test_marking_done_with_bad_input_is_refused(case, team, as_):
    action = recorded(team)
    data, messages = case
    before = snapshot()

    response = as_(team.coordinator).post(url("done", action), data)

    for field, message in messages.items():
        assert_refused(response, message, field=field)
    assert snapshot() == before


def test_marking_done_twice_is_a_conflict_and_keeps_the_first(team, as_):
    action = recorded(team)
    assert as_(team.chair).post(url("done", action), done_answers(done_note="First")).status_code == 302
    before = snapshot()

    response = as_(team.coordinator).post(url("done", action), done_answers(done_note="Second"))

    assert_refused(response, "already marked as done on", status=409)
    assert snapshot() == before


def test_changing_a_done_action_is_refused_until_it_is_reopened(team, as_):
    action = recorded(team)
    services.action_done(safeguarding_action=action, user=team.chair, done_on=today())
    before = snapshot()

    refused = as_(team.coordinator).post(url("change", action), answers(action="New text"))
    assert_refused(refused, services.DONE_CANNOT_CHANGE)
    assert snapshot() == before

    assert_refused(as_(team.coordinator).post(url("reopen", action), {"reason": ""}), services.REOPEN_REASON_REQUIRED)
    assert_refused(
        as_(team.coordinator).post(url("reopen", action), {"reason": TOO_LONG}), "must be 10000 characters or fewer"
    )
    assert snapshot() == before
    reopened = as_(team.coordinator).post(url("reopen", action), {"reason": "Marked done by mistake."})

    assert reopened.status_code == 302
    assert SafeguardingAction.objects.get().done_on is None
    assert as_(team.coordinator).post(url("change", action), answers(action="New text")).status_code == 302
    assert SafeguardingAction.objects.get().action == "New text"


def test_reopening_an_open_action_is_a_conflict(team, as_):
    action = recorded(team)

    assert_refused(as_(team.chair).post(url("reopen", action), {"reason": "Why"}), services.NOT_DONE, status=409)


# Who may


def every_url(team, action) -> list[tuple[str, dict]]:
    return [
        (create_url(team), answers()),
        (url("change", action), answers(action="Changed")),
        (url("done", action), done_answers()),
        (url("reopen", action), {"reason": "Reopen"}),
    ]


@pytest.mark.parametrize("role", [Role.PANEL_MEMBER, Role.DESIGNATED_NURSE, Role.AUDITOR])
def test_the_panels_other_case_readers_are_refused(role, team, as_):
    action = recorded(team)
    before = snapshot()
    client = as_(team.people[role])

    for address, data in every_url(team, action):
        assert client.get(address).status_code == 403
        assert client.post(address, data).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("who", ["referrer", "administrator", "other_coordinator"])
def test_a_referrer_an_administrator_and_another_panel_find_nothing(who, team, as_):
    action = recorded(team)
    before = snapshot()
    client = as_(team.other_coordinator if who == "other_coordinator" else team.people[who])

    for address, data in every_url(team, action):
        assert client.get(address).status_code == 404
        assert client.post(address, data).status_code == 404
    assert snapshot() == before


def test_another_panels_action_is_not_found_by_our_chair(team, as_):
    theirs = services.action_record(
        referral=team.other_case, user=team.other_coordinator, action="Theirs", owner="Them", due_on=days(3)
    )
    before = snapshot()
    client = as_(team.chair)

    for name, data in (("change", answers()), ("done", done_answers()), ("reopen", {"reason": "x"})):
        assert client.get(url(name, theirs)).status_code == 404
        assert client.post(url(name, theirs), data).status_code == 404
    assert snapshot() == before


def test_someone_who_chairs_another_panel_cannot_write_ours_as_a_panel_member(team, as_):
    panel_member = team.people[Role.PANEL_MEMBER]
    member(team.other_panel, Role.CHAIR, user=panel_member)
    action = recorded(team)
    before = snapshot()

    response = as_(panel_member).post(url("done", action), done_answers())

    assert response.status_code == 403
    assert snapshot() == before


# The case page


def case_page(client, team) -> str:
    response = client.get(reverse("referrals:case", args=[team.case.public_id]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_case_page_lists_open_actions_soonest_first_with_the_overdue_marked(team, as_):
    later = recorded(team, action="Later action", due_on=days(10))
    overdue = recorded(team, action="Overdue action")
    SafeguardingAction.objects.filter(pk=overdue.pk).update(due_on=days(-2))
    done = recorded(team, action="Finished action")
    services.action_done(safeguarding_action=done, user=team.chair, done_on=today(), done_note="All done.")

    page = case_page(as_(team.chair), team)

    open_table = page[
        page.find('data-testid="open-actions"') : page.find("</table>", page.find('data-testid="open-actions"'))
    ]
    assert open_table.find("Overdue action") < open_table.find("Later action")
    assert open_table.count('data-testid="overdue"') == 1
    assert "Finished action" not in open_table
    done_table = page[page.find('data-testid="done-actions"') :]
    assert "Finished action" in done_table and "All done." in done_table
    for link in (url("done", later), url("change", later), url("reopen", done), create_url(team)):
        assert link in page


@pytest.mark.parametrize("role", [Role.PANEL_MEMBER, Role.DESIGNATED_NURSE, Role.AUDITOR])
def test_other_case_readers_see_the_actions_without_links(role, team, as_):
    action = recorded(team, action="Visible to the panel")

    page = case_page(as_(team.people[role]), team)

    assert "Visible to the panel" in page
    assert url("done", action) not in page and create_url(team) not in page


def test_the_referrer_does_not_see_the_actions(team, as_):
    recorded(team, action="Not for the referrer")

    assert "Not for the referrer" not in case_page(as_(team.people[Role.REFERRER]), team)
