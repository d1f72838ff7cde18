from django.urls import path

from safeguarding import court_views, health_views, provider_views, support_views

app_name = "safeguarding"

case = "cases/<uuid:referral_id>/"
support_referral = "support-referrals/<uuid:public_id>/"
safeguarding_action = "actions/<uuid:public_id>/"
health_request = "health-requests/<uuid:public_id>/"
proceeding = "proceedings/<uuid:public_id>/"

urlpatterns = [
    # Health information requests: health roles only
    path("health-requests/", health_views.request_list, name="health_requests"),
    path(case + "health-requests/new/", health_views.request_create, name="health_request_create"),
    path(health_request, health_views.request_detail, name="health_request"),
    path(health_request + "change/", health_views.request_change, name="health_request_change"),
    path(health_request + "send/", health_views.request_send, name="health_request_send"),
    path(health_request + "chase/", health_views.request_chase, name="health_request_chase"),
    path(health_request + "response/", health_views.response_record, name="health_response_record"),
    path(health_request + "withdraw/", health_views.request_withdraw, name="health_request_withdraw"),
    path(
        health_request + "documents/<uuid:document_id>/",
        health_views.document_download,
        name="health_document",
    ),
    # The health provider's link: no account, the signed token is the key
    path("health-provider/<uuid:request_id>/<str:token>/", provider_views.respond, name="provider_respond"),
    # Court proceedings: the panel reads them, its coordinator writes
    path(case + "proceedings/new/", court_views.proceeding_create, name="proceeding_create"),
    path(proceeding, court_views.proceeding_detail, name="proceeding"),
    path(proceeding + "change/", court_views.proceeding_change, name="proceeding_change"),
    path(proceeding + "hearings/", court_views.hearing_add, name="hearing_add"),
    path(proceeding + "hearings/<int:hearing_id>/remove/", court_views.hearing_remove, name="hearing_remove"),
    path(proceeding + "letter/", court_views.defence_summary_issue, name="defence_summary_issue"),
    path(proceeding + "letter/correct/", court_views.defence_summary_correct, name="defence_summary_correct"),
    path(proceeding + "letters-sent/", court_views.letter_sent_record, name="letter_sent_record"),
    # Support, safeguarding actions and turning 18: the panel reads them; the coordinator (and, for actions,
    # the chair) writes
    path(case + "support-referrals/new/", support_views.support_referral_create, name="support_referral_create"),
    path(support_referral + "change/", support_views.support_referral_change, name="support_referral_change"),
    path(case + "actions/new/", support_views.action_create, name="action_create"),
    path(safeguarding_action + "change/", support_views.action_change, name="action_change"),
    path(safeguarding_action + "done/", support_views.action_done, name="action_done"),
    path(safeguarding_action + "reopen/", support_views.action_reopen, name="action_reopen"),
    path(case + "transition-plan/", support_views.transition_plan, name="transition_plan"),
    path("turning-18/", support_views.turning_18, name="turning_18"),
]
