"""Django admin for the instance's administrators: panels, agencies, people and their roles."""

from axes.utils import reset as axes_reset
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from nrm_panel import two_factor
from nrm_panel.models import Agency, Membership, Panel, User

admin.site.site_header = "NRM Panel administration"
admin.site.site_title = "NRM Panel administration"


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["panel", "agency"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Name", {"fields": ("first_name", "last_name")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "first_name", "last_name", "password1", "password2")}),
    )
    inlines = [MembershipInline]
    actions = ["reset_sign_in", "unlock_sign_in"]

    @admin.action(description="Reset the authenticator app of the selected people (they set it up again)")
    def reset_sign_in(self, request, queryset):
        for user in queryset:
            two_factor.reset(user)
        self.message_user(
            request,
            f"Reset the sign-in of {queryset.count()} people: they set up their app when they next sign in.",
        )

    @admin.action(description="Unlock the sign-in of the selected people after too many wrong passwords")
    def unlock_sign_in(self, request, queryset):
        unlocked = sum(axes_reset(username=user.email) for user in queryset)
        self.message_user(request, f"Unlocked sign-in for {queryset.count()} people ({unlocked} lockouts cleared).")


@admin.register(Panel)
class PanelAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "nation", "decision_target_days", "is_active"]
    search_fields = ["name", "code"]
    fieldsets = (
        (None, {"fields": ("name", "code", "local_authorities", "nation", "is_active")}),
        ("Targets", {"fields": ("decision_target_days", "notifies_police")}),
        ("Records", {"fields": ("retention_years",)}),
        (
            "How the panel decides",
            {
                "fields": (
                    "required_input_kinds",
                    "voting_kinds",
                    "quorum_kinds",
                    "min_days_between_rg_and_cg",
                    "allows_rg_between_meetings",
                )
            },
        ),
        ("Regular meeting", {"fields": ("meeting_week_of_month", "meeting_weekday", "meeting_time", "meeting_place")}),
    )


@admin.register(Agency)
class AgencyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "panel"]
    list_filter = ["kind", "panel"]
    search_fields = ["name"]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "panel", "role", "agency", "is_active"]
    list_filter = ["role", "panel", "is_active"]
    search_fields = ["user__email", "user__last_name"]
    autocomplete_fields = ["user", "panel", "agency"]


def _is_instance_administrator(request) -> bool:
    # Django admin shows every panel's data, so only the instance's administrators
    # (superusers) may open it; panel staff work in the app, where panels are kept apart.
    return request.user.is_active and request.user.is_superuser


admin.site.has_permission = _is_instance_administrator
