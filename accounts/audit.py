"""The access log: who opened which sensitive record."""

from __future__ import annotations

from django.db import models

from schoolsocial.lib.client_ip import client_ip

from .models import AccessLog

__all__ = ["client_ip", "log_access"]


def log_access(request, obj: models.Model, action: str = "view", school=None) -> AccessLog:
    """Record that the signed-in person opened (or downloaded, or printed) `obj`."""
    school_id = school.pk if school is not None else getattr(obj, "school_id", None)
    return AccessLog.objects.create(
        user=request.user if request.user.is_authenticated else None,
        school_id=school_id,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        ip_address=client_ip(request),
    )
