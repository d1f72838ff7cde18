from django.urls import path

from referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.referral_list, name="list"),
    path("new/", views.referral_start, name="start"),
    path("duty-to-notify/<int:panel_id>/", views.duty_to_notify, name="duty_to_notify"),
    path("<uuid:public_id>/", views.referral_case, name="case"),
    path("<uuid:public_id>/history/", views.referral_history, name="history"),
    path("<uuid:public_id>/edit/<slug:section>/", views.referral_section, name="section"),
    path("<uuid:public_id>/evidence/", views.referral_evidence, name="evidence"),
    path("<uuid:public_id>/evidence/<uuid:attachment_id>/remove/", views.attachment_remove, name="attachment_remove"),
    path("<uuid:public_id>/evidence/<uuid:attachment_id>/", views.attachment_download, name="attachment"),
    path("<uuid:public_id>/check/", views.referral_check, name="check"),
    path("<uuid:public_id>/submitted/", views.referral_submitted, name="submitted"),
    path("<uuid:public_id>/triage/<slug:move>/", views.referral_triage, name="triage"),
    path("<uuid:public_id>/police-notification/", views.police_notification, name="police_notification"),
    path("<uuid:public_id>/delay-reason/", views.delay_reason, name="delay_reason"),
]
