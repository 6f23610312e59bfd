"""The home-school social-media agreement: the school's versions of it, and parents' signatures.

An `AgreementVersion` is drafted, then approved and published by the headteacher, then
superseded by the next one (the moves in `ALLOWED_TRANSITIONS`, checked by `AGREEMENT_WORKFLOW`).
Once published its words never change: parents signed them. When publishing, the headteacher says
what changed (`change_note`) and whether families sign again (`needs_resign`): a correction joins
the signing round of the version it replaces, so the signatures given in that round still count
(coverage, reminders, the parent page); a re-sign version starts a new round.

A `Signature` is a record of a parent acknowledging one version for one child. It is written
once and never edited or deleted by the application; withdrawing writes a new record. Each
record carries a SHA-256 fingerprint over the exact text signed plus the signer's details, so
a later change to the stored row can be detected (see `agreements.fingerprint`).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import Pupil, School
from accounts.permissions import schools_where
from schoolsocial.lib.workflow import InvalidTransition as InvalidTransition  # callers catch it from here
from schoolsocial.lib.workflow import Workflow

from . import fingerprint
from .years import current_academic_year


class AgreementImmutable(Exception):
    """Raised when something tries to change a published version or any signature."""


class AgreementTemplate(models.Model):
    """The school's home-school social-media agreement, as a document with versions."""

    school = models.OneToOneField(School, on_delete=models.PROTECT, related_name="agreement_template")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Home-school agreement of {self.school}"


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    SUPERSEDED = "superseded", "Superseded"


# The only status changes a version may make, kept as plain data.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    VersionStatus.DRAFT: frozenset({VersionStatus.PUBLISHED}),
    VersionStatus.PUBLISHED: frozenset({VersionStatus.SUPERSEDED}),
    VersionStatus.SUPERSEDED: frozenset(),
}
AGREEMENT_WORKFLOW = Workflow(
    states=VersionStatus,
    transitions=ALLOWED_TRANSITIONS,
    noun="version",
    # How each status reads after "This version is ...".
    phrases={
        VersionStatus.DRAFT: "a draft",
        VersionStatus.PUBLISHED: "published",
        VersionStatus.SUPERSEDED: "superseded",
    },
)

# What parents read and sign. Frozen once a version is published.
CONTENT_FIELDS = ("title", "introduction", "channels", "will_commitments", "will_not_commitments", "academic_year")
# Chosen by the headteacher when publishing, and frozen with the wording.
PUBLISHING_FIELDS = ("needs_resign", "change_note", "signing_round_id")


class AgreementVersionQuerySet(models.QuerySet):
    def for_user(self, user) -> AgreementVersionQuerySet:
        """Versions of the schools where this person is headteacher or office; parents see
        published versions of their children's schools."""
        if not user.is_authenticated:
            return self.none()
        staff_schools = schools_where(user, "agreements.view_signatures")
        parent_schools = schools_where(user, "agreements.sign")
        return self.filter(
            models.Q(school_id__in=staff_schools)
            | models.Q(school_id__in=parent_schools, status__in=[VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED])
        )

    def current_for(self, school_id: int) -> AgreementVersion | None:
        return (
            self.filter(school_id=school_id, status=VersionStatus.PUBLISHED)
            .select_related("school", "signing_round")
            .order_by("-number")
            .first()
        )


class AgreementVersion(models.Model):
    template = models.ForeignKey(AgreementTemplate, on_delete=models.PROTECT, related_name="versions")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="agreement_versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200, default="Home-school agreement on social media")
    academic_year = models.CharField(
        max_length=7, default=current_academic_year, help_text="The school year it applies to, for example 2025/26."
    )
    introduction = models.TextField(help_text="Why the school asks parents and carers to read this.")
    channels = models.TextField(help_text="The school's official channels, one per line.")
    will_commitments = models.TextField(help_text="What parents and carers will do, one per line.")
    will_not_commitments = models.TextField(help_text="What parents and carers will not do, one per line.")
    status = models.CharField(max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    # Chosen when publishing. A re-sign version asks every family again; a correction (same school
    # year, say a typo or a new channel's name) keeps the signatures given since the last re-sign
    # version valid. `signing_round` is that re-sign version (itself for a re-sign version): the
    # signatures of every version in the same round count towards coverage.
    needs_resign = models.BooleanField(
        default=True, help_text="Whether every family is asked to sign this version again."
    )
    change_note = models.TextField(blank=True, help_text="What changed since the last version, and why.")
    signing_round = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="round_versions"
    )
    history = HistoricalRecords()

    objects = AgreementVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["template", "number"], name="unique_agreement_version_number")]
        indexes = [models.Index(fields=["school", "status"])]

    def __str__(self) -> str:
        return f"{self.title} (version {self.number}, {self.academic_year})"

    def get_absolute_url(self) -> str:
        return reverse("agreements:version_detail", args=[self.pk])

    # --- invariants ---------------------------------------------------------------------------
    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values(*CONTENT_FIELDS, *PUBLISHING_FIELDS, "status").first()
            if stored is not None:
                self._check_change_allowed(stored)
        super().save(*args, **kwargs)

    def _check_change_allowed(self, stored: dict) -> None:
        AGREEMENT_WORKFLOW.check_save(stored["status"], self.status)
        if stored["status"] != VersionStatus.DRAFT:
            changed = [name for name in CONTENT_FIELDS + PUBLISHING_FIELDS if getattr(self, name) != stored[name]]
            if changed:
                raise AgreementImmutable(
                    f"Version {self.number} is published: its wording cannot change ({', '.join(changed)}). "
                    "Start a new version instead."
                )

    def delete(self, *args, **kwargs):
        if self.status != VersionStatus.DRAFT or self.signatures.exists():
            raise AgreementImmutable("Only an unpublished draft can be deleted.")
        return super().delete(*args, **kwargs)

    # --- reading ------------------------------------------------------------------------------
    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT

    @property
    def is_open_for_signing(self) -> bool:
        # The school's year, which its year-end rollover may have started before 1 September.
        return self.status == VersionStatus.PUBLISHED and self.academic_year == current_academic_year(self.school)

    @property
    def round_id(self) -> int:
        """The re-sign version whose round this version belongs to (see `signing_round`)."""
        return self.signing_round_id or self.pk

    @property
    def is_correction(self) -> bool:
        return self.signing_round_id is not None and self.signing_round_id != self.pk

    @property
    def asked_from(self) -> datetime | None:
        """When families were first asked to sign in this version's round."""
        if self.is_correction and self.signing_round is not None:
            return self.signing_round.published_at
        return self.published_at

    @property
    def channel_list(self) -> list[str]:
        return _lines(self.channels)

    @property
    def will_list(self) -> list[str]:
        return _lines(self.will_commitments)

    @property
    def will_not_list(self) -> list[str]:
        return _lines(self.will_not_commitments)

    @property
    def acknowledgement(self) -> str:
        return fingerprint.ACKNOWLEDGEMENT

    def signed_text(self) -> str:
        """The exact words a parent acknowledges, as plain text. Stored on every signature."""
        return fingerprint.agreement_text(
            school_name=self.school.name,
            title=self.title,
            academic_year=self.academic_year,
            number=self.number,
            introduction=self.introduction,
            channels=self.channel_list,
            will=self.will_list,
            will_not=self.will_not_list,
        )


def _lines(text: str) -> list[str]:
    return [line.strip().lstrip("-•*").strip() for line in text.splitlines() if line.strip().lstrip("-•*").strip()]


class SignatureKind(models.TextChoices):
    SIGNED = "signed", "Signed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class SignatureMethod(models.TextChoices):
    ONLINE = "online", "Online"
    PAPER = "paper", "Paper form"


class SignatureQuerySet(models.QuerySet):
    def for_user(self, user) -> SignatureQuerySet:
        """Signatures of the schools where this person is headteacher or office, and a parent's own."""
        if not user.is_authenticated:
            return self.none()
        staff_schools = schools_where(user, "agreements.view_signatures")
        return self.filter(models.Q(school_id__in=staff_schools) | models.Q(parent=user))

    # Records are evidence: the application never changes or removes them in bulk either.
    def update(self, **kwargs):
        raise AgreementImmutable("Signatures are never changed.")

    def delete(self):
        raise AgreementImmutable("Signatures are never deleted.")


def scan_upload_to(instance: Signature, filename: str) -> str:
    return f"agreements/paper/{instance.school_id}/{filename}"


class Signature(models.Model):
    """One parent's acknowledgement (or withdrawal of it) of one version, for one child."""

    version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="signatures")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="agreement_signatures")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="agreement_signatures")
    # Records for one (version, parent, pupil) are numbered 0, 1, 2...: signed, withdrawn, signed
    # again. The unique constraint stops two simultaneous submissions both being stored.
    sequence = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=10, choices=SignatureKind.choices, default=SignatureKind.SIGNED)
    method = models.CharField(max_length=10, choices=SignatureMethod.choices, default=SignatureMethod.ONLINE)
    academic_year = models.CharField(max_length=7)
    pupil_name = models.CharField(max_length=200)
    class_name = models.CharField(max_length=100, blank=True, help_text="The child's class when this was signed.")
    typed_name = models.CharField(max_length=200)
    consents = models.JSONField(default=dict)
    text_signed = models.TextField()
    signed_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    # Paper forms recorded by the office.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    paper_signed_on = models.DateField(null=True, blank=True)
    scan = models.FileField(upload_to=scan_upload_to, blank=True, max_length=300)
    scan_content_type = models.CharField(max_length=40, blank=True)
    scan_sha256 = models.CharField(max_length=64, blank=True)
    withdraws = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    content_hash = models.CharField(max_length=64, editable=False)
    history = HistoricalRecords()

    objects = SignatureQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "parent", "pupil", "sequence"], name="unique_signature_sequence")
        ]
        indexes = [
            models.Index(fields=["school", "academic_year"]),
            models.Index(fields=["parent", "pupil"]),
        ]

    def __str__(self) -> str:
        verb = "withdrew" if self.kind == SignatureKind.WITHDRAWN else "signed"
        return f"{self.typed_name} {verb} version {self.version.number} for {self.pupil_name}"

    def get_absolute_url(self) -> str:
        return reverse("agreements:verify", args=[self.pk])

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None or not self._state.adding:
            raise AgreementImmutable("A signature is never changed once stored. Record a new one instead.")
        self.content_hash = self.compute_hash()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AgreementImmutable("A signature is never deleted.")

    # --- the fingerprint ----------------------------------------------------------------------
    def signed_fields(self) -> dict:
        return {
            "version_id": self.version_id,
            "school_id": self.school_id,
            "parent_id": self.parent_id,
            "pupil_id": self.pupil_id,
            "sequence": self.sequence,
            "kind": self.kind,
            "method": self.method,
            "academic_year": self.academic_year,
            "pupil_name": self.pupil_name,
            "class_name": self.class_name,
            "typed_name": self.typed_name,
            "consents": self.consents,
            "text_signed": self.text_signed,
            "signed_at": self.signed_at,
            "ip_address": self.ip_address,
            "user_agent": self.user_agent,
            "recorded_by_id": self.recorded_by_id,
            "paper_signed_on": self.paper_signed_on,
            "scan_sha256": self.scan_sha256,
            "withdraws_id": self.withdraws_id,
        }

    def compute_hash(self) -> str:
        return fingerprint.sha256_of(self.signed_fields())

    @property
    def is_intact(self) -> bool:
        return self.compute_hash() == self.content_hash

    @property
    def is_withdrawal(self) -> bool:
        return self.kind == SignatureKind.WITHDRAWN

    @property
    def is_paper(self) -> bool:
        return self.method == SignatureMethod.PAPER


class SignedCopy(models.Model):
    """The PDF copy of a signature, rendered by a Celery task and kept in private storage. The row
    is made first with an empty file and fingerprint; `documents.ensure_signed_copy` fills them once."""

    signature = models.OneToOneField(Signature, on_delete=models.PROTECT, related_name="signed_copy")
    file = models.FileField(upload_to="agreements/signed/", max_length=300, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"PDF of {self.signature}"


class ReminderStage(models.TextChoices):
    ASK = "ask", "Asked to sign"
    DAY_7 = "day7", "Reminded after 7 days"
    DAY_21 = "day21", "Reminded after 21 days"


class AgreementReminder(models.Model):
    """The decision to ask or remind one parent about one version: made once, never repeated."""

    version = models.ForeignKey(AgreementVersion, on_delete=models.CASCADE, related_name="reminders")
    parent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(max_length=10, choices=ReminderStage.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "parent", "stage"], name="unique_agreement_reminder")]

    def __str__(self) -> str:
        return f"{self.get_stage_display()}: {self.parent_id} for version {self.version_id}"

    @property
    def email_key(self) -> str:
        return reminder_key(self.version_id, self.parent_id, self.stage)


def reminder_key(version_id: int, parent_id: int, stage: str) -> str:
    return f"agreement-{stage}:{version_id}:{parent_id}"
