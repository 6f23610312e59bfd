from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import EscalationStep, Evidence, Incident, Platform, TimelineEntry


@admin.register(Platform)
class PlatformAdmin(SimpleHistoryAdmin):
    list_display = ["name", "minimum_age", "report_url", "sort_order"]
    search_fields = ["name"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class StepInline(ReadOnlyInline):
    model = EscalationStep
    fields = ["kind", "owner", "due_date", "outcome", "external_reference"]


class EvidenceInline(ReadOnlyInline):
    model = Evidence
    fields = ["original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]


@admin.register(Incident)
class IncidentAdmin(SimpleHistoryAdmin):
    """Read-only in the admin: incidents change through the portal so every change is on the timeline."""

    list_display = ["reference", "school", "status", "platform", "created_at"]
    list_filter = ["school", "status"]
    search_fields = ["reference"]
    inlines = [StepInline, EvidenceInline]
    list_select_related = ["school", "platform"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TimelineEntry)
class TimelineEntryAdmin(admin.ModelAdmin):
    list_display = ["incident", "at", "kind", "summary"]
    list_select_related = ["incident"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
