"""Read-only admin: signatures are evidence, and published versions are fixed."""

from django.contrib import admin

from schoolsocial.lib.admin import ReadOnlyAdminMixin

from .models import AgreementVersion, Signature


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass


@admin.register(AgreementVersion)
class AgreementVersionAdmin(ReadOnlyAdmin):
    list_display = ["school", "number", "academic_year", "status", "published_at"]
    list_filter = ["status", "school"]


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdmin):
    list_display = ["school", "pupil_name", "typed_name", "kind", "method", "academic_year", "signed_at"]
    list_filter = ["kind", "method", "school"]
    search_fields = ["pupil_name", "typed_name"]
