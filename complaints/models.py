"""Concerns and complaints, their responses and the governors' panel.

A complaint moves through the stages of a school's complaints procedure:

    informal (class teacher or relevant staff) -> formal (headteacher) -> governors' panel -> closed

with any stage allowed to close it. The moves are the plain data in `ALLOWED_TRANSITIONS`;
`COMPLAINT_WORKFLOW` checks every move (actions, the stage form, `Complaint.save()`). Each stage
has two deadlines, counted in school days from the day the stage began: acknowledge the
complaint, then respond to it (see deadlines.py).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Pupil, School
from accounts.permissions import schools_where
from files.models import FileFacts, random_name
from schoolsocial.lib.workflow import InvalidTransition as InvalidTransition  # callers catch it from here
from schoolsocial.lib.workflow import Workflow

from .deadlines import parse_holidays


class Stage(models.TextChoices):
    INFORMAL = "informal", "Informal"
    FORMAL = "formal", "Formal (headteacher)"
    PANEL = "panel", "Governors' panel"
    CLOSED = "closed", "Closed"

    @property
    def explanation(self) -> str:
        return str(STAGE_EXPLANATIONS[self])


STAGE_EXPLANATIONS = {
    Stage.INFORMAL: _("A member of staff (often the class teacher) is looking into your concern."),
    Stage.FORMAL: _("The headteacher is looking into your complaint."),
    Stage.PANEL: _("A panel of governors is reviewing your complaint."),
    Stage.CLOSED: _("This complaint is closed."),
}

# Where a complaint may go next from each stage. Plain data: COMPLAINT_WORKFLOW enforces it.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Stage.INFORMAL: frozenset({Stage.FORMAL, Stage.CLOSED}),
    Stage.FORMAL: frozenset({Stage.PANEL, Stage.CLOSED}),
    Stage.PANEL: frozenset({Stage.CLOSED}),
    Stage.CLOSED: frozenset(),
}
COMPLAINT_WORKFLOW = Workflow(
    states=Stage,
    transitions=ALLOWED_TRANSITIONS,
    noun="complaint",
    field="stage",
    # How each stage reads after "This complaint is ...".
    phrases={
        Stage.INFORMAL: "at the informal stage",
        Stage.FORMAL: "at the formal stage, with the headteacher",
        Stage.PANEL: "with the governors' panel",
        Stage.CLOSED: "closed",
    },
)


class ComplaintSettings(models.Model):
    """The deadlines a school's complaints procedure sets, in school days."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="complaint_settings")
    acknowledge_days = models.PositiveSmallIntegerField(
        "acknowledge within (school days)", default=5, help_text="How soon the school acknowledges a complaint."
    )
    respond_days = models.PositiveSmallIntegerField(
        "respond within (school days)", default=15, help_text="How soon the school sends its response at each stage."
    )
    panel_respond_days = models.PositiveSmallIntegerField(
        "panel decides within (school days)", default=20, help_text="How soon the governors' panel gives its decision."
    )
    remind_days_before = models.PositiveSmallIntegerField("remind before a deadline (school days)", default=2)
    holidays = models.JSONField(
        default=list, blank=True, help_text="School holiday dates (ISO), skipped when counting."
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "complaint settings"

    def __str__(self) -> str:
        return f"Complaint deadlines for {self.school}"

    @property
    def holiday_dates(self) -> frozenset[date]:
        return parse_holidays(self.holidays or [])

    @classmethod
    def for_school(cls, school: School) -> ComplaintSettings:
        found = cls.objects.filter(school=school).first()
        return found or cls(school=school)


class ComplaintQuerySet(models.QuerySet):
    def for_user(self, user) -> ComplaintQuerySet:
        """Every complaint of a school where this person handles complaints, the ones they raised
        themselves, and the ones assigned to them while at the informal stage. Governors reach
        complaints only through `for_panel`."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Q(school_id__in=schools_where(user, "complaints.manage")) | Q(parent=user) | self._assigned_q(user)
        )

    def assigned_to(self, user) -> ComplaintQuerySet:
        """Complaints this member of staff handles: assigned to them and still at the informal
        stage, at a school where they hold a staff role. Escalation ends their access."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(self._assigned_q(user))

    @staticmethod
    def _assigned_q(user) -> Q:
        return Q(
            informal_handler=user,
            stage=Stage.INFORMAL,
            school_id__in=schools_where(user, "complaints.handle_informal"),
        )

    def for_panel(self, school: School) -> ComplaintQuerySet:
        """Complaints that have reached the governors: at the panel stage, or closed after it."""
        return self.filter(school=school, reached_panel_at__isnull=False)

    def open(self) -> ComplaintQuerySet:
        return self.exclude(stage=Stage.CLOSED)


class Complaint(models.Model):
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="complaints")
    parent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="complaints")
    pupil = models.ForeignKey(
        Pupil,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="child",
        help_text="If your concern is about one of your children, choose which.",
    )
    subject = models.CharField("in a few words, what is it about?", max_length=150)
    details = models.TextField("tell us what happened")
    desired_outcome = models.TextField("what would you like the school to do?")
    incident = models.ForeignKey(
        "incidents.Incident", null=True, blank=True, on_delete=models.SET_NULL, related_name="complaints"
    )

    # Who looks into it at the informal stage: by default the child's class teacher. Kept after the
    # complaint moves on (it records who handled that stage); access ends with the informal stage.
    informal_handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="handled informally by",
    )

    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.INFORMAL)
    _loaded_stage: str | None  # the stage as read from the database (from_db)
    stage_started_on = models.DateField(default=timezone.localdate)
    acknowledge_by = models.DateField(null=True, blank=True)
    respond_by = models.DateField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    # The next deadline still to meet at this stage (acknowledge, then respond), kept by actions so
    # that "nearing" and "overdue" are one indexed comparison.
    next_due_on = models.DateField(null=True, blank=True, editable=False)
    reached_panel_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome_summary = models.TextField(blank=True)

    # What the headteacher released to the governors' panel (recorded: who and when).
    names_released_at = models.DateTimeField(null=True, blank=True)
    names_released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["school", "stage", "-created_at"], name="complaint_school_stage"),
            models.Index(fields=["school", "next_due_on"], name="complaint_school_due"),
            models.Index(fields=["parent", "-created_at"], name="complaint_parent_recent"),
            models.Index(fields=["school", "reached_panel_at"], name="complaint_school_panel"),
            models.Index(fields=["informal_handler", "stage", "-created_at"], name="complaint_informal_handler"),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("complaints:detail", args=[self.pk])

    @property
    def reference(self) -> str:
        # Lists select_related("school"), so this costs no query there.
        return f"{self.school.short_code}-C{self.pk or 0:04d}"

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_stage = instance.__dict__.get("stage")
        return instance

    def save(self, *args, **kwargs) -> None:
        COMPLAINT_WORKFLOW.check_save(getattr(self, "_loaded_stage", None), self.stage)
        super().save(*args, **kwargs)
        self._loaded_stage = self.stage

    def delete(self, *args, **kwargs):
        raise ValidationError("Complaints are never deleted; close them instead.")

    @property
    def stage_enum(self) -> Stage:
        return Stage(self.stage)

    @property
    def allowed_next_stages(self) -> list[Stage]:
        return COMPLAINT_WORKFLOW.allowed(self.stage)

    @property
    def is_open(self) -> bool:
        return self.stage != Stage.CLOSED

    @property
    def is_overdue(self) -> bool:
        return self.next_due_on is not None and self.next_due_on < timezone.localdate()

    @property
    def next_deadline_label(self) -> str:
        if self.next_due_on is None:
            return ""
        return "Acknowledge" if self.acknowledged_at is None else "Respond"


class EntryKind(models.TextChoices):
    RECEIVED = "received", "Complaint received"
    ACKNOWLEDGEMENT = "acknowledgement", "Acknowledgement"
    UPDATE = "update", "Update"
    RESPONSE = "response", "Response"
    STAGE = "stage", "Stage changed"
    NOTE = "note", "Internal note"
    RELEASE = "release", "Released to the panel"
    PANEL = "panel", "Panel decision"
    PARENT_MESSAGE = "parent_message", "Message from the parent"
    STAGE_REQUEST = "stage_request", "Asked for the next stage"
    HEARING = "hearing", "Panel hearing"


# What the parent may read: everything except the school's own notes and releases.
PARENT_VISIBLE_KINDS = frozenset(
    {
        EntryKind.PARENT_MESSAGE,
        EntryKind.STAGE_REQUEST,
        EntryKind.RECEIVED,
        EntryKind.ACKNOWLEDGEMENT,
        EntryKind.UPDATE,
        EntryKind.RESPONSE,
        EntryKind.STAGE,
        EntryKind.PANEL,
        EntryKind.HEARING,
    }
)
# What the governors' bundle shows in its chronology: the same, never internal notes.
PANEL_VISIBLE_KINDS = PARENT_VISIBLE_KINDS | {EntryKind.RELEASE}


class EntryQuerySet(models.QuerySet):
    def for_parent(self) -> EntryQuerySet:
        return self.filter(kind__in=PARENT_VISIBLE_KINDS)

    def for_panel(self) -> EntryQuerySet:
        return self.filter(kind__in=PANEL_VISIBLE_KINDS)


class ComplaintEntry(models.Model):
    """Something sent to the parent (acknowledgement, update, response) or recorded by the school
    (stage change, internal note, release). Internal notes are never shown to the parent."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    stage = models.CharField(max_length=20, choices=Stage.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name_plural = "complaint entries"
        indexes = [models.Index(fields=["complaint", "at"], name="complaint_entry_at")]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.summary}"

    @property
    def visible_to_parent(self) -> bool:
        return self.kind in PARENT_VISIBLE_KINDS


def attachment_path(instance, filename: str) -> str:
    return random_name("complaints", instance.school_id, instance.content_type)


class Attachment(FileFacts):
    """A screenshot or PDF the parent attached. Governors get it only once released for the panel."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="attachments")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)
    file = models.FileField(upload_to=attachment_path, max_length=200)
    released_to_panel_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["uploaded_at", "pk"]
        indexes = [models.Index(fields=["complaint", "uploaded_at"], name="complaint_attachment")]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.complaint_id})"

    def get_absolute_url(self) -> str:
        return reverse("complaints:attachment", args=[self.pk])

    def download_stem(self) -> str:
        """The download's name before its extension (which comes from the detected type)."""
        earlier = Attachment.objects.filter(complaint_id=self.complaint_id).filter(
            models.Q(uploaded_at__lt=self.uploaded_at) | models.Q(uploaded_at=self.uploaded_at, pk__lt=self.pk)
        )
        return f"attachment-{self.complaint.reference}-{earlier.count() + 1}"

    def delete(self, *args, **kwargs):
        raise ValidationError("Attachments are never deleted.")


class ConflictDeclaration(models.Model):
    """A governor's answer, before opening a panel complaint: do they have a conflict of interest?"""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="declarations")
    governor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    has_conflict = models.BooleanField()
    details = models.TextField(blank=True)
    declared_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["declared_at"]
        constraints = [models.UniqueConstraint(fields=["complaint", "governor"], name="one_declaration_per_governor")]

    def __str__(self) -> str:
        answer = "declared a conflict" if self.has_conflict else "no conflict"
        return f"{self.governor} on {self.complaint_id}: {answer}"


class ComplaintReminder(models.Model):
    """The decision to remind about one deadline of one complaint, nearing or passed: made once.

    Written with its email in one savepoint by the daily sweep (`schoolsocial.lib.sweeps`), so
    a second or concurrent sweep sends nothing twice. A moved deadline is a new decision."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="reminders")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    deadline = models.CharField(max_length=20)  # "acknowledge" or "respond"
    due_on = models.DateField()
    state = models.CharField(max_length=10)  # "nearing" or "overdue"
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "stage", "deadline", "due_on", "state"], name="unique_complaint_reminder"
            )
        ]

    def __str__(self) -> str:
        return f"{self.deadline} deadline {self.state} for complaint {self.complaint_id}"

    @property
    def email_key(self) -> str:
        return f"complaint-deadline:{self.complaint_id}:{self.stage}:{self.deadline}:{self.due_on}:{self.state}"


class Decision(models.TextChoices):
    UPHELD = "upheld", "Upheld"
    PARTLY_UPHELD = "partly_upheld", "Partly upheld"
    NOT_UPHELD = "not_upheld", "Not upheld"


class LetterStatus(models.TextChoices):
    DRAFT = "draft", "Draft: the chair checks it before it is sent"
    FINAL = "final", "Final: made and sent to the parent"


class PanelRecord(models.Model):
    """The governors' panel: when it met, who sat, what it decided and why; and its outcome letter.

    The letter starts as a draft the chair reads, edits and signs; only finalising it makes the PDF
    and sends it to the parent, once."""

    complaint = models.OneToOneField(Complaint, on_delete=models.PROTECT, related_name="panel")
    meeting_date = models.DateField()
    members = models.TextField(help_text="The governors who sat on the panel, one per line.")
    decision = models.CharField(max_length=20, choices=Decision.choices)
    reasons = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    letter = models.FileField(upload_to="complaints/letters/", max_length=200, blank=True)
    letter_sha256 = models.CharField(max_length=64, blank=True)
    letter_rendered_at = models.DateTimeField(null=True, blank=True)
    letter_status = models.CharField(max_length=10, choices=LetterStatus.choices, default=LetterStatus.DRAFT)
    letter_body = models.TextField(
        "Letter text", blank=True, help_text="Between “Dear …” and “Yours sincerely”. A blank line starts a paragraph."
    )
    signatory_name = models.CharField("Signed by", max_length=120, blank=True)
    signatory_role = models.CharField("Their role", max_length=120, default="Chair of the governors' panel")
    letter_finalised_at = models.DateTimeField(null=True, blank=True)
    letter_finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Panel decision on {self.complaint_id}: {self.get_decision_display()}"

    @property
    def letter_is_final(self) -> bool:
        return self.letter_status == LetterStatus.FINAL

    @property
    def letter_paragraphs(self) -> list[str]:
        return [part.strip() for part in self.letter_body.replace("\r\n", "\n").split("\n\n") if part.strip()]

    def get_absolute_url(self) -> str:
        return reverse("complaints:panel_bundle", args=[self.complaint_id])

    @property
    def member_list(self) -> list[str]:
        return [line.strip() for line in self.members.splitlines() if line.strip()]


class HearingStatus(models.TextChoices):
    DRAFT = "draft", "Draft: not yet sent to the parent"
    SENT = "sent", "Invitation sent to the parent"
    REPLACED = "replaced", "Replaced by a later date"


class PanelHearing(models.Model):
    """When and where the governors' panel hears a complaint, who sits on it, and the parent's
    invitation letter. A draft until the invitation is sent; moving a sent hearing makes a new
    hearing (with a new letter saying so) and marks the old one replaced, so the parent's letters
    never change underneath them."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="hearings")
    starts_at = models.DateTimeField("Date and time")
    place = models.CharField(
        "Where", max_length=200, help_text="The room and the address, or how to join if it is held online."
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", verbose_name="Panel members")
    notes_for_parent = models.TextField(
        "Anything the parent should know",
        blank=True,
        help_text="For example: who else will be there, that they may bring a friend, how to ask for adjustments.",
    )
    status = models.CharField(max_length=10, choices=HearingStatus.choices, default=HearingStatus.DRAFT)
    replaces = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by")
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    scheduled_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signatory_name = models.CharField("Signed by", max_length=120, blank=True)
    signatory_role = models.CharField("Their role", max_length=120, default="Clerk to the governors")
    letter = models.FileField(upload_to="complaints/hearings/", max_length=200, blank=True)
    letter_sha256 = models.CharField(max_length=64, blank=True)
    letter_rendered_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-scheduled_at", "-pk"]
        constraints = [
            # One hearing in play per complaint: at most one draft or sent hearing at a time.
            models.UniqueConstraint(
                fields=["complaint"],
                condition=~Q(status="replaced"),
                name="one_current_hearing_per_complaint",
            )
        ]

    def __str__(self) -> str:
        return f"Panel hearing for {self.complaint_id} on {timezone.localtime(self.starts_at):%d/%m/%Y %H:%M}"

    @property
    def is_sent(self) -> bool:
        return self.status != HearingStatus.DRAFT


class TermlyReport(models.Model):
    """A PDF report for the governing body: anonymised figures only."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    period_start = models.DateField()
    period_end = models.DateField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    pdf = models.FileField(upload_to="complaints/reports/", max_length=200, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["school", "-requested_at"], name="termly_report_recent")]

    def __str__(self) -> str:
        return f"Governors' report {self.period_start:%d/%m/%Y} to {self.period_end:%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        return reverse("complaints:termly_report", args=[self.pk])
