"""Anonymised alerts one school sends to the other schools of its cluster.

An alert is a summary the headteacher wrote and checked: it holds no reference, no names and no
evidence, only what another school needs to recognise the same thing and act. The link to the
incident is kept for the sending school's own record and is never shown to anyone else.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import Cluster, School

from .choices import Nature
from .incident import Incident
from .steps import EscalationStep

ANONYMOUS_SENDER = "A school in your cluster"


class ClusterAlertQuerySet(models.QuerySet):
    def received_by(self, school: School) -> ClusterAlertQuerySet:
        """Alerts the other schools of `school`'s cluster sent it. None for a school in no cluster."""
        if school.cluster_id is None:
            return self.none()
        return self.filter(cluster_id=school.cluster_id).exclude(source_school=school)

    def visible_to(self, school: School) -> ClusterAlertQuerySet:
        """What `school`'s headteacher and DSL may open: alerts received, and the ones it sent."""
        if school.cluster_id is None:
            return self.filter(source_school=school)
        return self.filter(Q(cluster_id=school.cluster_id) | Q(source_school=school))


class ClusterAlert(models.Model):
    source_school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="cluster_alerts_sent")
    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="alerts")
    # For the sending school's record only: never rendered to a receiving school.
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="cluster_alerts")
    step = models.OneToOneField(
        EscalationStep, null=True, blank=True, on_delete=models.PROTECT, related_name="cluster_alert"
    )
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    # What the other schools receive, exactly as the sender saw it in the preview.
    platform_name = models.CharField("platform", max_length=100)
    natures = models.JSONField(default=list, help_text="Nature codes, see incidents.models.choices.Nature.")
    account_is_public = models.BooleanField(default=False)
    account_name = models.CharField(
        "public account or group", max_length=200, blank=True, help_text="Only kept when the account is public."
    )
    summary = models.TextField("what happened")
    actions_taken = models.TextField("what we did", blank=True)
    advice = models.TextField("advice for other schools", blank=True)
    show_school_name = models.BooleanField(default=False)
    recipients_count = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()
    objects = ClusterAlertQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-pk"]
        indexes = [
            models.Index(fields=["cluster", "-sent_at"], name="cluster_alert_recent"),
            models.Index(fields=["source_school", "-sent_at"], name="cluster_alert_source"),
        ]

    def __str__(self) -> str:
        return f"Cluster alert about {self.platform_name} ({self.sent_at:%d/%m/%Y})"

    def get_absolute_url(self) -> str:
        return reverse("cluster_alerts:detail", args=[self.pk])

    def save(self, *args, **kwargs) -> None:
        # A handle that is not public is personal data: it is never stored, let alone sent.
        if not self.account_is_public:
            self.account_name = ""
        super().save(*args, **kwargs)

    @property
    def nature_labels(self) -> list[str]:
        return [str(Nature(code).label) for code in self.natures if code in Nature.values]

    def sender_label(self, viewer: School | None = None) -> str:
        """Who sent it, as `viewer` may read it: their own school, the sender's name if the sender
        agreed to show it, otherwise only "a school in your cluster"."""
        if viewer is not None and viewer.pk == self.source_school_id:
            return "Your school"
        if self.show_school_name:
            return self.source_school.name
        return ANONYMOUS_SENDER
