"""What an MIS import leaves behind: the import itself, the school's remembered column mapping,
and the pupils' contacts (parents and carers as the MIS knows them, before they use the portal)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords


class RollImport(models.Model):
    """One upload of the MIS export: its files (kept only until applied or discarded), the preview
    of what it would change, and, once confirmed, what it did."""

    class Status(models.TextChoices):
        NEEDS_MAPPING = "mapping", "Some columns need matching"
        PREVIEWING = "previewing", "Checking the files"
        PREVIEWED = "previewed", "Ready to confirm"
        APPLYING = "applying", "Importing"
        APPLIED = "applied", "Imported"
        FAILED = "failed", "Could not be imported"
        DISCARDED = "discarded", "Discarded"

    school = models.ForeignKey("accounts.School", on_delete=models.CASCADE, related_name="roll_imports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PREVIEWING)
    pupils_filename = models.CharField(max_length=200)
    contacts_filename = models.CharField(max_length=200, blank=True)
    # The decoded files, kept only while the import waits for a mapping or a confirmation; emptied
    # once it is applied or discarded, so children's details are not kept twice.
    pupils_text = models.TextField(blank=True)
    contacts_text = models.TextField(blank=True)
    # {"pupils": {heading: field or ""}, "contacts": {...}}: the mapping this import used.
    mapping = models.JSONField(default=dict, blank=True)
    preview = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["school", "-created_at"])]

    def __str__(self) -> str:
        return f"Roll import {self.pk} ({self.pupils_filename})"

    def get_absolute_url(self) -> str:
        return reverse("accounts:roll_import_detail", args=[self.pk])

    @property
    def change_reason(self) -> str:
        """What each history row written by this import says it came from."""
        return f"Roll import {self.pk}"

    @property
    def is_working(self) -> bool:
        return self.status in (self.Status.PREVIEWING, self.Status.APPLYING)


class ColumnMapping(models.Model):
    """The headings a school's MIS uses that the portal does not know, matched once by the office."""

    school = models.ForeignKey("accounts.School", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10)  # "pupils" or "contacts"
    # normalised heading -> field name, or "" for a column to ignore
    columns = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "kind"], name="one_column_mapping_per_file")]

    def __str__(self) -> str:
        return f"{self.kind} columns for {self.school}"


class Contact(models.Model):
    """A parent or carer as the school's MIS lists them. `user` is their portal account, once they have one."""

    school = models.ForeignKey("accounts.School", on_delete=models.CASCADE, related_name="contacts")
    # Lower-case email, or name and postcode when there is no email: how a later import finds them again.
    match_key = models.CharField(max_length=300)
    title = models.CharField(max_length=20, blank=True)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    postal_address = models.TextField(blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [models.UniqueConstraint(fields=["school", "match_key"], name="unique_contact_per_school")]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


class PupilContact(models.Model):
    pupil = models.ForeignKey("accounts.Pupil", on_delete=models.CASCADE, related_name="contact_links")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="pupil_links")
    relationship = models.CharField(max_length=20, default="other")
    parental_responsibility = models.BooleanField(default=False)
    priority = models.PositiveSmallIntegerField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["priority", "pk"]
        constraints = [models.UniqueConstraint(fields=["pupil", "contact"], name="unique_pupil_contact")]

    def __str__(self) -> str:
        return f"{self.contact} for {self.pupil}"


class RolloverRun(models.Model):
    """One year-end rollover: what each class and pupil was before it, so that undoing it on the
    same day puts back exactly that. Pupils who left the roll stay, marked off roll."""

    school = models.ForeignKey("accounts.School", on_delete=models.CASCADE, related_name="rollovers")
    run_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    run_at = models.DateTimeField(auto_now_add=True)
    year_before = models.CharField(max_length=7)
    year_after = models.CharField(max_length=7)
    # {"classes": [{"id", "name", "year_group"}], "pupils": [{"id", "class_id", "is_on_roll", "left_on"}],
    #  "created_classes": [id, ...]}: the rows as they were, and the classes the rollover made.
    before = models.JSONField(default=dict)
    # What the office saw and confirmed: one line per class, and how many pupils moved or left.
    summary = models.JSONField(default=dict)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-run_at", "-pk"]
        indexes = [models.Index(fields=["school", "-run_at"])]

    def __str__(self) -> str:
        return f"Year-end rollover to {self.year_after}"

    def get_absolute_url(self) -> str:
        return reverse("accounts:rollover_detail", args=[self.pk])

    @property
    def change_reason(self) -> str:
        return f"Year-end rollover {self.pk} ({self.year_before} to {self.year_after})"

    @property
    def undo_reason(self) -> str:
        return f"Undo of year-end rollover {self.pk}"
