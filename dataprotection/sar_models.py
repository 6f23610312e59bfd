"""The subject access request register: who asked, about whom, when; the review of every item
gathered for it; and the release (a ZIP with a PDF summary, stored once, downloaded through a
permission check). Imported by dataprotection/models.py, so Django registers them there."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import Pupil, School
from schoolsocial.lib.workflow import Workflow


class Relationship(models.TextChoices):
    SELF = "self", "The person the records are about"
    PARENT = "parent", "Parent or carer (for their child)"
    REPRESENTATIVE = "representative", "Someone acting for them (for example a solicitor)"
    OTHER = "other", "Someone else, with the person's written authority"


class SubjectKind(models.TextChoices):
    PUPIL = "pupil", "A pupil of the school"
    PERSON = "person", "A parent or carer with an account"


class RequestStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    IN_REVIEW = "in_review", "Being reviewed"
    RELEASED = "released", "Released"
    WITHDRAWN = "withdrawn", "Withdrawn"


REQUEST_WORKFLOW = Workflow(
    states=RequestStatus,
    transitions={
        RequestStatus.RECEIVED: frozenset({RequestStatus.IN_REVIEW, RequestStatus.WITHDRAWN}),
        RequestStatus.IN_REVIEW: frozenset({RequestStatus.RELEASED, RequestStatus.WITHDRAWN}),
        RequestStatus.RELEASED: frozenset(),
        RequestStatus.WITHDRAWN: frozenset(),
    },
    noun="request",
    phrases={
        RequestStatus.RECEIVED: "only registered",
        RequestStatus.IN_REVIEW: "being reviewed",
        RequestStatus.RELEASED: "released already",
        RequestStatus.WITHDRAWN: "withdrawn",
    },
)


class SubjectAccessRequestQuerySet(models.QuerySet):
    def open(self) -> SubjectAccessRequestQuerySet:
        return self.filter(status__in=[RequestStatus.RECEIVED, RequestStatus.IN_REVIEW])


class SubjectAccessRequest(models.Model):
    """One request for a copy of the data the school holds about a pupil or a parent/carer.

    `due_on` is one calendar month from `received_on`, plus the months of any extension (at most
    two in all): dataprotection.sar.due_date, kept on the row so lists and the sweep read it.
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    requester_name = models.CharField("name of the person asking", max_length=200)
    requester_email = models.EmailField(
        "their email address",
        blank=True,
        help_text="Only to tell them the answer is ready. Nothing of the answer is ever emailed.",
    )
    relationship = models.CharField(
        "who they are to the person", max_length=20, choices=Relationship.choices, default=Relationship.PARENT
    )
    subject_kind = models.CharField("the request is about", max_length=10, choices=SubjectKind.choices)
    pupil = models.ForeignKey(Pupil, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept so the register still reads sensibly if the pupil's record is later destroyed.
    subject_name = models.CharField(max_length=200)
    received_on = models.DateField("date received")
    identity_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    identity_checked_at = models.DateTimeField(null=True, blank=True)
    identity_note = models.CharField("how the identity was checked", max_length=300, blank=True)
    status = models.CharField(max_length=12, choices=RequestStatus.choices, default=RequestStatus.RECEIVED)
    extended_months = models.PositiveSmallIntegerField(default=0)
    extension_reason = models.TextField(blank=True)
    due_on = models.DateField()
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    registered_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    objects = SubjectAccessRequestQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["school", "status", "due_on"], name="sar_school_status_due")]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("dataprotection:sar_detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"SAR-{self.received_on:%Y}-{self.pk or 0:04d}"

    @property
    def is_open(self) -> bool:
        return self.status in (RequestStatus.RECEIVED, RequestStatus.IN_REVIEW)

    @property
    def identity_checked(self) -> bool:
        return self.identity_checked_at is not None

    def days_left(self, today=None) -> int:
        """Days until the due date (0 on the day, negative once it has passed)."""
        return (self.due_on - (today or timezone.localdate())).days


class SarReminder(models.Model):
    """The decision to remind the DPO and headteacher about one request's due date: made once per
    due date and window ("week" before, "due" on the day), by the daily sweep."""

    request = models.ForeignKey(SubjectAccessRequest, on_delete=models.CASCADE, related_name="reminders")
    due_on = models.DateField()
    window = models.CharField(max_length=10)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "due_on", "window"], name="unique_sar_reminder"),
        ]

    def __str__(self) -> str:
        return f"{self.window} reminder for request {self.request_id} due {self.due_on}"

    @property
    def email_key(self) -> str:
        return f"sar-deadline:{self.request_id}:{self.due_on}:{self.window}"


class SarDecision(models.TextChoices):
    PENDING = "pending", "Not decided yet"
    RELEASE = "release", "Release"
    REDACT = "redact", "Release with redactions"
    WITHHOLD = "withhold", "Withhold"


class FileChoice(models.TextChoices):
    """What happens to the files of a redacted item: a file cannot be redacted by the portal."""

    NONE = "", "No choice needed"
    WITHHOLD = "withhold", "Leave the files out"
    RELEASE = "release", "Release the files as they are (I have checked them)"


class SarItem(models.Model):
    """One gathered record, as it read when it was gathered, and the DPO's decision on it.

    The text, files and names are a copy taken at gathering, so what is released is exactly what
    was reviewed, even if the record changes meanwhile."""

    request = models.ForeignKey(SubjectAccessRequest, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=60)
    record_type = models.CharField(max_length=60)
    record_id = models.PositiveBigIntegerField()
    title = models.CharField(max_length=300)
    when = models.DateTimeField(null=True, blank=True)
    text = models.JSONField(default=dict)  # {"What the post says": "..."}
    files = models.JSONField(default=list)  # [[storage name, file name], ...]
    other_people = models.JSONField(default=list)  # names the DPO may redact
    notes = models.JSONField(default=list)  # warnings for the reviewer ("a screenshot may show...")
    decision = models.CharField(max_length=10, choices=SarDecision.choices, default=SarDecision.PENDING)
    redact_names = models.JSONField(default=list)
    redact_fields = models.JSONField(default=list)
    file_choice = models.CharField(max_length=10, choices=FileChoice.choices, default=FileChoice.NONE, blank=True)
    withhold_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # The decisions are history; the copied content is not copied again into each history row.
    history = HistoricalRecords(excluded_fields=["text", "files", "other_people", "notes", "title"])

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["request", "position"], name="unique_sar_item_position")]
        indexes = [models.Index(fields=["request", "decision"], name="sar_item_decision")]

    def __str__(self) -> str:
        return f"{self.kind} {self.position} of {self.request_id}"

    def get_absolute_url(self) -> str:
        return reverse("dataprotection:sar_item", args=[self.request_id, self.pk])


class ReleaseState(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    BUILDING = "rendering", "Being built"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


def release_path(instance: SarRelease, filename: str) -> str:
    import uuid

    suffix = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    return f"dataprotection/requests/{instance.request.school_id}/{uuid.uuid4().hex}.{suffix}"


class SarRelease(models.Model):
    """What the school releases for a request: a PDF summary and the ZIP (summary, released
    files, manifest with SHA-256s). Both built in a Celery task and stored once; private."""

    request = models.OneToOneField(SubjectAccessRequest, on_delete=models.CASCADE, related_name="release")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=ReleaseState.choices, default=ReleaseState.QUEUED)
    error = models.CharField(max_length=300, blank=True)
    summary_pdf = models.FileField(upload_to=release_path, max_length=200, blank=True)
    summary_sha256 = models.CharField(max_length=64, blank=True)
    file = models.FileField(upload_to=release_path, max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    file_count = models.PositiveIntegerField(default=0)
    built_at = models.DateTimeField(null=True, blank=True)
    requester_told_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Release of {self.request}"

    def get_absolute_url(self) -> str:
        return reverse("dataprotection:sar_download", args=[self.request_id])

    @property
    def is_ready(self) -> bool:
        return self.state == ReleaseState.READY and bool(self.sha256)
