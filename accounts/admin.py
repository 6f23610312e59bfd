from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from schoolsocial.lib.admin import ReadOnlyAdminMixin

from .models import AccessLog, Cluster, Invitation, Membership, ParentLink, Pupil, School, SchoolClass, User


@admin.register(User)
class UserAdmin(BaseUserAdmin, SimpleHistoryAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password", "full_name", "postal_address")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(School)
class SchoolAdmin(SimpleHistoryAdmin):
    list_display = ["name", "short_code", "cluster"]
    inlines = [MembershipInline]


admin.site.register(Cluster)


@admin.register(SchoolClass)
class SchoolClassAdmin(admin.ModelAdmin):
    list_display = ["name", "school", "year_group"]
    list_filter = ["school"]


@admin.register(Pupil)
class PupilAdmin(SimpleHistoryAdmin):
    list_display = ["last_name", "first_name", "school", "school_class"]
    list_filter = ["school"]
    search_fields = ["last_name", "first_name"]


admin.site.register(ParentLink, SimpleHistoryAdmin)
admin.site.register(Membership, SimpleHistoryAdmin)


@admin.register(Invitation)
class InvitationAdmin(SimpleHistoryAdmin):
    list_display = ["email", "school", "created_at", "expires_at", "accepted_at"]
    exclude = ["token_hash"]


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "user", "action", "object_type", "object_repr", "ip_address"]
    list_filter = ["action", "object_type"]
