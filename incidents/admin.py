from django.contrib import admin
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from schoolsocial.lib.admin import ReadOnlyAdminMixin

from .models import EscalationStep, Evidence, Incident, Platform, SchoolPlatform, TimelineEntry


class SharedOrOwnFilter(admin.SimpleListFilter):
    title = "list"
    parameter_name = "list"

    def lookups(self, request, model_admin):
        return [("shared", "Shared directory"), ("school", "A school's own")]

    def queryset(self, request, queryset):
        if self.value() == "shared":
            return queryset.filter(school__isnull=True)
        if self.value() == "school":
            return queryset.filter(school__isnull=False)
        return queryset


class SuperuserOnly:
    """The shared directory is followed by every school's staff: only superusers may change it."""

    def has_add_permission(self, request, *args) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser


@admin.register(Platform)
class PlatformAdmin(SuperuserOnly, SimpleHistoryAdmin):
    list_display = ["name", "school", "minimum_age", "report_url", "sort_order"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_filter = [SharedOrOwnFilter]
    list_select_related = ["school"]
    search_fields = ["name"]


@admin.register(SchoolPlatform)
class SchoolPlatformAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Read-only: a school's settings change through the portal, by its headteacher."""

    list_display = ["platform", "school", "hidden", "report_url", "updated_at"]
    list_filter = ["hidden"]
    list_select_related = ["platform", "school"]
    readonly_fields = ["school", "platform", "report_url", "notes", "hidden", "updated_by", "updated_at"]


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


class StepInline(ReadOnlyInline):
    model = EscalationStep
    fields = ["kind", "owner", "due_date", "outcome", "external_reference"]


class EvidenceInline(ReadOnlyInline):
    model = Evidence
    fields = ["original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Read-only in the admin: incidents change through the portal so every change is on the timeline."""

    list_display = ["reference", "school", "status", "platform", "created_at"]
    list_filter = ["school", "status"]
    search_fields = ["reference"]
    inlines = [StepInline, EvidenceInline]
    list_select_related = ["school", "platform"]


@admin.register(TimelineEntry)
class TimelineEntryAdmin(admin.ModelAdmin):
    list_display = ["incident", "at", "kind", "summary"]
    list_select_related = ["incident"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
