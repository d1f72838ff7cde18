"""Every page of the safeguarding app is in a test of who may use it: a new URL fails here until it is."""

from pathlib import Path

from safeguarding import urls

HERE = Path(__file__).parent
# The module that checks, for every role and another panel, who may open and press each page.
PERMISSION_TESTS = {
    "test_health_detail_is_for_health_roles.py": [
        "health_requests",
        "health_request_create",
        "health_request",
        "health_request_change",
        "health_request_send",
        "health_request_chase",
        "health_response_record",
        "health_request_withdraw",
        "health_document",
    ],
    "test_provider_link.py": ["provider_respond"],
    "test_court_permissions.py": [
        "proceeding_create",
        "proceeding",
        "proceeding_change",
        "hearing_add",
        "hearing_remove",
        "defence_summary_issue",
        "defence_summary_correct",
        "letter_sent_record",
    ],
    "test_support_http.py": ["support_referral_create", "support_referral_change"],
    "test_actions_http.py": ["action_create", "action_change", "action_done", "action_reopen"],
    "test_turning_18_http.py": ["transition_plan", "turning_18"],
}


def test_every_url_is_listed_once():
    listed = [name for names in PERMISSION_TESTS.values() for name in names]
    assert sorted(listed) == sorted(pattern.name for pattern in urls.urlpatterns)


def test_each_module_exercises_the_urls_it_is_listed_for():
    for module, names in PERMISSION_TESTS.items():
        source = (HERE / module).read_text()
        for name in names:
            # By name, or (for actions) by the f-string that builds their names.
            assert f"safeguarding:{name}" in source or "safeguarding:action_{name}" in source, (module, name)
