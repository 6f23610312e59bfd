"""Admin building blocks shared by the apps."""

from __future__ import annotations


class ReadOnlyAdminMixin:
    """For records that change only through the portal (so every change is on a timeline or in a
    log) or never change at all (signatures, the access log): the admin may look, not touch."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
