"""Keep a school's figures in step with its incidents, natures and steps (incidents.figures), in
the same transaction as the change, and drop its cached figures (incidents.statistics)."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from . import figures, statistics


def _incident_saved(sender, instance, created=False, update_fields=None, **kwargs) -> None:
    figures.incident_saved(instance, created, update_fields)
    statistics.invalidate(instance.school_id)


def _incident_deleted(sender, instance, **kwargs) -> None:
    figures.incident_deleted(instance)
    statistics.invalidate(instance.school_id)


def _moves_figures(kwargs: dict, field: str) -> bool:
    """A child row's save moves the figures when it is new, or when its counted field may change."""
    update_fields = kwargs.get("update_fields")
    return "created" not in kwargs or kwargs["created"] or update_fields is None or field in update_fields


def _nature_changed(sender, instance, **kwargs) -> None:
    if not _moves_figures(kwargs, "nature"):
        return
    school_id = figures.child_changed(instance.incident_id, figures.NATURES)
    if school_id is not None:
        statistics.invalidate(school_id)


def _step_changed(sender, instance, **kwargs) -> None:
    if not _moves_figures(kwargs, "kind"):
        return
    school_id = figures.child_changed(instance.incident_id, figures.ROUTES)
    if school_id is not None:
        statistics.invalidate(school_id)


def connect() -> None:
    from .models import EscalationStep, Incident, IncidentNature

    post_save.connect(_incident_saved, sender=Incident, dispatch_uid="incident-figures-incident-saved")
    post_delete.connect(_incident_deleted, sender=Incident, dispatch_uid="incident-figures-incident-deleted")
    for signal in (post_save, post_delete):
        signal.connect(_nature_changed, sender=IncidentNature, dispatch_uid=f"incident-figures-nature-{signal}")
        signal.connect(_step_changed, sender=EscalationStep, dispatch_uid=f"incident-figures-step-{signal}")
