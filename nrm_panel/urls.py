from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from nrm_panel import views
from nrm_panel.forms import SignInForm

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "sign-in/",
        views.SignInView.as_view(authentication_form=SignInForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("sign-in/code/", views.second_factor, name="second_factor"),
    path("sign-in/set-up/", views.second_factor_set_up, name="second_factor_set_up"),
    path("sign-out/", views.SignOutView.as_view(), name="logout"),
    path("account/", views.account, name="account"),
    path("account/backup-codes/", views.second_factor_backup_codes, name="second_factor_backup_codes"),
    path("session/keep-alive/", views.session_keep_alive, name="session_keep_alive"),
    path("password/forgotten/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("password/forgotten/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/set/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"
    ),
    path("password/set/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("panels/<int:panel_id>/people/", views.panel_people, name="panel_people"),
    path("panels/<int:panel_id>/people/add/", views.panel_person_add, name="panel_person_add"),
    path(
        "panels/<int:panel_id>/people/<int:membership_id>/end/", views.panel_membership_end, name="panel_membership_end"
    ),
    path(
        "panels/<int:panel_id>/people/<int:membership_id>/reset-sign-in/",
        views.panel_person_sign_in_reset,
        name="panel_person_sign_in_reset",
    ),
    path("referrals/", include("referrals.urls")),
    path("", include("decisions.urls")),
    path("notifications/", include("notifications.urls")),
    path("", include("safeguarding.urls")),
    path("reports/", include("reporting.urls")),
    path("access-log/", include("access_log.urls")),
    path("records/", include("records.urls")),
    path("health/", views.health, name="health"),
    path("admin/", admin.site.urls),
]
