"""The pupils an incident concerns, each in the part they play in it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import Pupil

from .choices import PosterKind


class PupilRole(models.TextChoices):
    POSTER = "poster", "The pupil who posted"
    POSTER_CHILD = "poster_child", "The poster's child"
    IN_POST = "in_post", "A child in the post"
    TARGETED = "targeted", "The child targeted"


# A role that says who posted needs "Who posted it" to agree: the pupil who posted only when a
# pupil posted, the poster's child only when a parent or carer did.
ROLE_NEEDS_POSTER_KIND = {
    PupilRole.POSTER: PosterKind.PUPIL,
    PupilRole.POSTER_CHILD: PosterKind.PARENT,
}
# Roles that name the poster's side of the case (the letters' "your child", the bundle's poster).
POSTER_ROLES = (PupilRole.POSTER, PupilRole.POSTER_CHILD)


class IncidentPupil(models.Model):
    """One pupil linked to one incident, in one role; shown on the case and on the pupil's page.

    A pupil of another school is never linked (incidents.actions.link_pupils checks the school);
    destroying the pupil's record or the case takes the link and its history with it."""

    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE, related_name="pupil_links")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="incident_links")
    role = models.CharField(max_length=20, choices=PupilRole.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["incident", "role", "pk"]
        verbose_name = "pupil linked to an incident"
        verbose_name_plural = "pupils linked to incidents"
        constraints = [models.UniqueConstraint(fields=["incident", "pupil"], name="unique_incident_pupil")]
        # The pupil's page and the subject access search read by pupil.
        indexes = [models.Index(fields=["pupil", "incident"], name="incident_pupil_by_pupil")]

    def __str__(self) -> str:
        return f"{self.pupil} ({self.get_role_display().lower()}) in {self.incident_id}"

    def get_absolute_url(self) -> str:
        return self.incident.get_absolute_url()

    @property
    def role_enum(self) -> PupilRole:
        return PupilRole(self.role)
