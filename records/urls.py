from django.urls import path

from records import views

app_name = "records"

urlpatterns = [
    path("", views.retention_review_list, name="retention_review"),
    path("cases/<uuid:public_id>/review/", views.case_review, name="case_review"),
    path("cases/<uuid:public_id>/subject-access/", views.subject_access, name="subject_access"),
    path(
        "cases/<uuid:public_id>/subject-access/download/",
        views.subject_access_download,
        name="subject_access_download",
    ),
    path("cases/<uuid:public_id>/subject-access/health/", views.health_subject_access, name="health_subject_access"),
    path(
        "cases/<uuid:public_id>/subject-access/health/download/",
        views.health_subject_access_download,
        name="health_subject_access_download",
    ),
]
