from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from nrm_panel import views
from nrm_panel.forms import SignInForm

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "sign-in/",
        auth_views.LoginView.as_view(template_name="registration/login.html", authentication_form=SignInForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("referrals/", include("referrals.urls")),
    path("health/", views.health, name="health"),
    path("admin/", admin.site.urls),
]
