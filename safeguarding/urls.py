from django.urls import path

from safeguarding import health_views, provider_views

app_name = "safeguarding"

case = "cases/<uuid:referral_id>/"
health_request = "health-requests/<uuid:public_id>/"

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
]
