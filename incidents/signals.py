"""Drop a school's cached figures whenever its incidents, their natures or their steps change."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from . import statistics


def _incident_changed(sender, instance, **kwargs) -> None:
    statistics.invalidate(instance.school_id)


def _child_changed(sender, instance, **kwargs) -> None:
    from .models import Incident

    school_id = Incident.objects.filter(pk=instance.incident_id).values_list("school_id", flat=True).first()
    if school_id is not None:
        statistics.invalidate(school_id)


def connect() -> None:
    from .models import EscalationStep, Incident, IncidentNature

    for signal in (post_save, post_delete):
        signal.connect(_incident_changed, sender=Incident, dispatch_uid=f"incident-figures-incident-{signal}")
        for model in (IncidentNature, EscalationStep):
            signal.connect(_child_changed, sender=model, dispatch_uid=f"incident-figures-{model.__name__}-{signal}")
