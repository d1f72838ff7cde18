from django.urls import path

from decisions import letter_views, views

app_name = "decisions"

meeting = "meetings/<uuid:public_id>/"
item = meeting + "items/<int:item_id>/"
case = "cases/<uuid:referral_id>/"

urlpatterns = [
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/panel/<int:panel_id>/schedule/", views.meetings_schedule, name="meetings_schedule"),
    path("meetings/panel/<int:panel_id>/call/", views.meeting_call, name="meeting_call"),
    path(meeting, views.meeting_detail, name="meeting"),
    path(meeting + "change/", views.meeting_change, name="meeting_change"),
    path(meeting + "cancel/", views.meeting_cancel, name="meeting_cancel"),
    path(meeting + "open/", views.meeting_open, name="meeting_open"),
    path(meeting + "attendance/", views.attendance, name="attendance"),
    path(meeting + "agenda/", views.agenda_edit, name="agenda"),
    path(meeting + "agenda/add/", views.agenda_add, name="agenda_add"),
    path(item + "move/", views.agenda_reorder, name="agenda_reorder"),
    path(item + "remove/", views.agenda_remove, name="agenda_remove"),
    path(meeting + "pack/", views.meeting_pack, name="pack"),
    path(meeting + "pack.pdf", views.meeting_pack_pdf, name="pack_pdf"),
    path(meeting + "minutes/", views.minutes, name="minutes"),
    path(item, views.item_detail, name="item"),
    path(item + "conflicts/", views.conflict_add, name="conflict_add"),
    path(item + "conflicts/<int:conflict_id>/remove/", views.conflict_remove, name="conflict_remove"),
    path(item + "deputy-chair/", views.deputy_set, name="deputy_set"),
    path(item + "decisions/<slug:kind>/", views.decision_record, name="decision_record"),
    path(item + "decisions/<slug:kind>/remove/", views.decision_remove, name="decision_remove"),
    path(item + "sign-off/", views.item_sign_off, name="sign_off"),
    path("inputs/", views.inputs_outstanding, name="inputs_outstanding"),
    path("at-risk/", views.at_risk, name="at_risk"),
    path(case + "inputs/", views.case_inputs, name="case_inputs"),
    path(case + "inputs/<int:agency_id>/", views.agency_input, name="agency_input"),
    path(case + "between-meetings/", views.between_meetings_start, name="between_meetings"),
    path(case + "reconsideration/", views.reconsideration_request, name="reconsideration_request"),
    path(case + "close/", views.case_close, name="case_close"),
    path(case + "lead-social-worker/", views.lead_social_worker, name="lead_social_worker"),
    path(
        "reconsiderations/<int:reconsideration_id>/accept/", views.reconsideration_accept, name="reconsideration_accept"
    ),
    path(
        "reconsiderations/<int:reconsideration_id>/refuse/", views.reconsideration_refuse, name="reconsideration_refuse"
    ),
    path(meeting + "pack/send/", views.meeting_pack_send, name="pack_send"),
    path(meeting + "letters/issue/", letter_views.meeting_letters_issue, name="meeting_letters_issue"),
    path(meeting + "letters/export/", letter_views.meeting_letters_export, name="meeting_letters_export"),
    path(case + "letters/issue/", letter_views.case_letter_issue, name="case_letter_issue"),
    path(case + "letter-recipients/", letter_views.letter_recipients, name="letter_recipients"),
    path("letters/", letter_views.letter_list, name="letters"),
    path("letters/export/", letter_views.letters_export, name="letters_export"),
    path("letters/exports/<uuid:public_id>/", letter_views.letters_export_progress, name="letters_export_progress"),
    path(
        "letters/exports/<uuid:public_id>/download/",
        letter_views.letters_export_download,
        name="letters_export_download",
    ),
    path("letters/<uuid:public_id>/", letter_views.letter_detail, name="letter"),
    path("letters/<uuid:public_id>/download/", letter_views.letter_download, name="letter_download"),
    path("letters/<uuid:public_id>/correct/", letter_views.letter_correct, name="letter_correct"),
    path("sca-return/", views.sca_return, name="sca_return"),
    path("sca-return/decisions.<str:fmt>", views.sca_export, name="sca_export"),
]
