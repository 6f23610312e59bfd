"""Read-only admin: signatures are evidence, and published versions are fixed."""

from django.contrib import admin

from .models import AgreementVersion, Signature


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AgreementVersion)
class AgreementVersionAdmin(ReadOnlyAdmin):
    list_display = ["school", "number", "academic_year", "status", "published_at"]
    list_filter = ["status", "school"]


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdmin):
    list_display = ["school", "pupil_name", "typed_name", "kind", "method", "academic_year", "signed_at"]
    list_filter = ["kind", "method", "school"]
    search_fields = ["pupil_name", "typed_name"]
