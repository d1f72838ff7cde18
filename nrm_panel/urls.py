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
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
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
    path("referrals/", include("referrals.urls")),
    path("", include("decisions.urls")),
    path("notifications/", include("notifications.urls")),
    path("", include("safeguarding.urls")),
    path("reports/", include("reporting.urls")),
    path("health/", views.health, name="health"),
    path("admin/", admin.site.urls),
]
