"""The kept dashboard figures: one row per school and month (see incidents/figures.py)."""

from __future__ import annotations

from django.db import models

from accounts.models import School


class MonthlyFigures(models.Model):
    """The anonymised counts of one school's incidents reported in one month (the month of
    `created_at`, in the school's time zone), kept in step with the incidents in the same
    transaction as the change that moves them (incidents/figures.py), so the dashboard and the
    governors' statistics read a few dozen rows, whatever the school's size.

    Counts only incidents that still exist: the figures of a case destroyed under the retention
    schedule move to dataprotection.KeptFigures, which the statistics add back."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The first day of the month.")
    incidents = models.PositiveIntegerField(default=0)
    still_open = models.PositiveIntegerField(default=0)
    # Time to resolve, one count per band of incidents.statistics.RESOLUTION_BANDS, in order.
    resolution = models.JSONField(default=list)
    by_nature = models.JSONField(default=dict)  # nature code -> mentions
    by_platform = models.JSONField(default=dict)  # platform id -> incidents
    routes = models.JSONField(default=dict)  # step kind -> incidents with at least one such step
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "monthly figures"
        constraints = [models.UniqueConstraint(fields=["school", "month"], name="unique_monthly_figures")]

    def __str__(self) -> str:
        return f"{self.school_id} {self.month:%Y-%m}: {self.incidents}"
