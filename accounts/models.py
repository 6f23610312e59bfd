"""People, schools and who may do what where."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from simple_history.models import HistoricalRecords

from schoolsocial.lib.prepared import PreparedQuery

from .permissions import schools_where
from .roles import TWO_FACTOR_ROLES as TWO_FACTOR_ROLES  # re-exported: apps import roles from here
from .roles import Role


class Cluster(models.Model):
    """A group of schools (a cluster or multi-academy trust) that share anonymised alerts."""

    name = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    name = models.CharField(max_length=200)
    short_code = models.CharField(
        max_length=6,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2,6}$", "Use 2 to 6 capital letters, for example NBP.")],
        help_text="Used at the start of incident references, for example NBP-2026-0007.",
    )
    address = models.TextField(help_text="Postal address as it should appear on letters.")
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    logo = models.ImageField(upload_to="school-logos/", blank=True)
    headteacher_name = models.CharField(max_length=200)
    cluster = models.ForeignKey(Cluster, null=True, blank=True, on_delete=models.SET_NULL, related_name="schools")
    # Made by seed_demo, which never touches a school without it (see demo/).
    is_demo = models.BooleanField(default=False, editable=False)
    # The school year the school has started ahead of the calendar (the office's year-end rollover
    # in July), for example "2026/27"; blank means the calendar's year (agreements/years.py).
    academic_year = models.CharField(max_length=7, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SchoolSignIn(models.Model):
    """How the school's staff may sign in with the school's Microsoft or Google account.

    Set by the headteacher in the portal (accounts/sso.py holds the rules). Only addresses of
    `email_domain` may use it, and it only finds existing accounts: it never creates one.
    """

    class Provider(models.TextChoices):
        MICROSOFT = "microsoft", "Microsoft (Entra ID)"
        GOOGLE = "google", "Google Workspace"
        OPENID = "openid_connect", "Other OpenID Connect provider"

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="sign_in")
    provider = models.CharField(max_length=20, choices=Provider.choices, default=Provider.MICROSOFT)
    email_domain = models.CharField(
        max_length=253,
        unique=True,
        validators=[RegexValidator(r"^[a-z0-9.-]+\.[a-z]{2,}$", "Enter a domain such as school.example.")],
        help_text="Staff addresses end with @ and this, for example oakfield.sch.uk.",
    )
    # Microsoft: the directory (tenant) ID; the ID token's `tid` must match it.
    tenant_id = models.CharField(max_length=64, blank=True, help_text="Microsoft only: the directory (tenant) ID.")
    is_enabled = models.BooleanField(default=True)
    provider_mfa_counts = models.BooleanField(
        default=False,
        help_text="Accept the provider's multi-factor sign-in as the portal's second factor.",
    )
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.get_provider_display()} sign-in for {self.school}"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        # Email addresses are stored lower-case; people type them any way they like.
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their email address."""

    if TYPE_CHECKING:
        # Set on the signed-in user by django_otp's OTPMiddleware: has a second factor been passed?
        def is_verified(self) -> bool: ...

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200)
    title = models.CharField(
        max_length=20, blank=True, help_text="Mr, Mrs, Ms, Dr...: letters begin “Dear Mr Da Silva”."
    )
    phone = models.CharField(max_length=40, blank=True)
    postal_address = models.TextField(blank=True, help_text="Used when a letter is addressed to this person.")
    # The language chosen in the header's menu (settings.LANGUAGES); blank until one is chosen.
    # Emails to this person are written in it (notifications.outbox.notify).
    language = models.CharField(max_length=10, blank=True, choices=settings.LANGUAGES)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May use the Django admin site.")
    date_joined = models.DateTimeField(default=timezone.now)
    # Raised to sign the person out everywhere at once (a role removed, a leaver, a second factor reset).
    session_version = models.PositiveIntegerField(default=0, editable=False)
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def _get_session_auth_hash(self, secret=None):
        # Every signed-in session carries this hash; a new session_version makes each one stale, so
        # Django signs the person out on their next request, wherever they are signed in.
        return salted_hmac(
            "accounts.User.session", f"{self.password}:{self.session_version}", secret=secret, algorithm="sha256"
        ).hexdigest()

    @property
    def salutation(self) -> str:
        """What follows "Dear": "Mr Da Silva" when the title is known, the full name otherwise."""
        return salutation(self.title, self.full_name)

    @property
    def requires_two_factor(self) -> bool:
        return any(m.requires_two_factor for m in self.active_memberships)

    @property
    def active_memberships(self) -> list[Membership]:
        """This person's memberships, loaded once per request."""
        cached = getattr(self, "_active_memberships", None)
        if cached is None:
            cached = _active_memberships_of(self.pk) if self.pk is not None else []
            for membership in cached:
                membership.user = self  # as the related manager would: no query to go back
            self._active_memberships = cached
        return cached

    def school_ids_with(self, roles) -> set[int]:
        return {m.school_id for m in self.active_memberships if m.role in roles}


def role_label(role: str, *, is_deputy: bool = False, is_chair: bool = False) -> str:
    """The role in words, as the people page, invitations and letters name it."""
    if is_deputy and role == Role.DSL:
        return "Deputy designated safeguarding lead"
    if is_chair and role == Role.GOVERNOR:
        return "Chair of governors"
    return str(Role(role).label)


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def chairs(self):
        """The active chair-of-governors memberships (see `Membership.is_chair_of_governors`)."""
        return self.active().filter(role=Role.GOVERNOR, is_chair=True)


class Membership(models.Model):
    """One role of one person at one school. A person may hold several."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    # A deputy DSL holds the DSL role (the same duties and the same access), named as the deputy.
    is_deputy = models.BooleanField(default=False)
    # The chair of governors holds the governor role, and handles an allegation about the
    # headteacher (KCSIE part four): named on that restricted case, they work it as its handler.
    is_chair = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "school", "role"], name="unique_role_per_school")]
        indexes = [models.Index(fields=["school", "role"])]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}, {self.school}"

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def role_label(self) -> str:
        return role_label(self.role, is_deputy=self.is_deputy, is_chair=self.is_chair)

    @property
    def is_chair_of_governors(self) -> bool:
        return self.is_active and self.is_chair and self.role == Role.GOVERNOR

    @property
    def requires_two_factor(self) -> bool:
        # The chair may open a restricted case's files, so signs in as the case roles do.
        return Role(self.role).requires_two_factor or self.is_chair_of_governors


# Read on every signed-in request (User.active_memberships), so its SQL is written once.
_active_memberships_of = PreparedQuery(
    lambda user_id: Membership.objects.filter(user_id=user_id, is_active=True).select_related("school")
)


class SchoolClass(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="classes")
    name = models.CharField(max_length=100)
    year_group = models.CharField(max_length=40, blank=True)
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The class teacher handles informal complaints about the class: who it was, and when, matters.
    history = HistoricalRecords()

    class Meta:
        ordering = ["school", "name"]
        verbose_name_plural = "classes"
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="unique_class_name_per_school")]

    def __str__(self) -> str:
        return self.name


class PupilQuerySet(models.QuerySet):
    def for_user(self, user) -> PupilQuerySet:
        """The pupils this person may see: the whole school for its office, headteacher and DSL;
        their own children for a parent; nobody for anyone else."""
        if not user.is_authenticated:
            return self.none()
        school_ids = schools_where(user, "records.view_pupils")
        return self.filter(models.Q(school_id__in=school_ids) | models.Q(parent_links__parent=user)).distinct()


class Pupil(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="pupils")
    # The legal first name; `preferred_first_name` is what the child is called, when different.
    first_name = models.CharField(max_length=100)
    preferred_first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100)
    # Unique pupil number and admission number from the MIS: how a re-import finds the same child.
    upn = models.CharField("UPN", max_length=20, blank=True)
    admission_number = models.CharField(max_length=20, blank=True)
    school_class = models.ForeignKey(
        SchoolClass, null=True, blank=True, on_delete=models.SET_NULL, related_name="pupils"
    )
    date_of_birth = models.DateField()
    is_on_roll = models.BooleanField(default=True)
    left_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    objects = PupilQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(fields=["school", "last_name", "first_name"]),
            models.Index(fields=["school", "upn"]),
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("accounts:pupil_detail", args=[self.pk])

    @property
    def known_as(self) -> str:
        return self.preferred_first_name or self.first_name

    @property
    def full_name(self) -> str:
        return f"{self.known_as} {self.last_name}"


class Relationship(models.TextChoices):
    MOTHER = "mother", "Mother"
    FATHER = "father", "Father"
    CARER = "carer", "Carer"
    GUARDIAN = "guardian", "Legal guardian"
    OTHER = "other", "Other"


class ParentLink(models.Model):
    parent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="parent_links")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="parent_links")
    relationship = models.CharField(max_length=20, choices=Relationship.choices, default=Relationship.CARER)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["parent", "pupil"], name="unique_parent_pupil")]

    def __str__(self) -> str:
        return f"{self.parent} ({self.get_relationship_display()} of {self.pupil})"


def salutation(title: str, full_name: str) -> str:
    """ "Mr Da Silva" from ("Mr", "Michael Da Silva"); the full name alone when there is no title.

    The surname is everything after the first word, so "Da Silva" and "van der Berg" survive whole.
    """
    words = full_name.split()
    if title.strip() and len(words) >= 2:
        return f"{title.strip().rstrip('.')} {' '.join(words[1:])}"
    if title.strip() and words:
        return f"{title.strip().rstrip('.')} {words[0]}"
    return full_name


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def default_invitation_expiry():
    return timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)


class InvitationQuerySet(models.QuerySet):
    def for_user(self, user) -> InvitationQuerySet:
        return self.filter(school_id__in=schools_where(user, "records.invite_parents"))


class Invitation(models.Model):
    """A single-use link that lets a parent set a password and find their children linked.

    Only a hash of the token is stored, so a leaked database cannot be used to accept invitations.
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    full_name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=20, choices=Relationship.choices, default=Relationship.CARER)
    pupils = models.ManyToManyField(Pupil, related_name="invitations")
    # Staff, governors and office staff are invited too: the role they get when they accept.
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PARENT)
    is_deputy = models.BooleanField(default=False)
    is_chair = models.BooleanField(default=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=default_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A parent invited from the imported contacts: who the MIS says they are, and the batch that asked.
    contact = models.ForeignKey(
        "accounts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="invitations"
    )
    batch = models.ForeignKey(
        "accounts.InvitationBatch", null=True, blank=True, on_delete=models.SET_NULL, related_name="invitations"
    )
    # The latest email that carried the link (its delivery says whether it bounced), and how many
    # links were sent: each send is its own outbox key, so a send is decided once.
    notification = models.ForeignKey(
        "notifications.Notification", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sends = models.PositiveSmallIntegerField(default=0, editable=False)
    history = HistoricalRecords(excluded_fields=["notification", "sends"])

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["school", "-created_at"])]

    def __str__(self) -> str:
        return f"Invitation for {self.email}"

    def new_token(self) -> str:
        """Give the invitation a fresh token and return it (the only time it is known)."""
        token = secrets.token_urlsafe(32)
        self.token_hash = hash_token(token)
        return token

    @property
    def is_used(self) -> bool:
        return self.accepted_at is not None

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def is_bounced(self) -> bool:
        """The mail server refused the latest link for good (a mistyped or closed mailbox)."""
        from notifications.models import Notification

        notification = self.notification
        return not self.is_used and notification is not None and notification.status == Notification.Status.FAILED

    @property
    def status(self) -> str:
        """One of INVITATION_STATUSES: accepted, bounced, expired or waiting, in that order of precedence."""
        if self.is_used:
            return "accepted"
        if self.is_bounced:
            return "bounced"
        if self.is_expired:
            return "expired"
        return "waiting"

    @property
    def status_label(self) -> str:
        return INVITATION_STATUSES[self.status]


INVITATION_STATUSES = {
    "waiting": "Waiting",
    "accepted": "Accepted",
    "bounced": "Bounced",
    "expired": "Expired",
}


class InvitationBatch(models.Model):
    """One click of "invite these families": which classes or year groups, and what came of it.

    The task that sends it may run twice (a retry, a redelivery); each contact is invited at most
    once (see `accounts.invitations`)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    class_ids = models.JSONField(default=list, blank=True)
    year_groups = models.JSONField(default=list, blank=True)
    description = models.CharField(max_length=300, blank=True)
    invited_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["school", "-created_at"])]

    def __str__(self) -> str:
        return f"Invitations to {self.description or 'families'}"


class PeopleEvent(models.Model):
    """Who changed whose access at a school, and why: roles given and taken away, leavers, second
    factors reset. Membership rows keep their own history too; this is the page's plain record."""

    class Action(models.TextChoices):
        INVITED = "invited", "Invited"
        ROLE_CHANGED = "role_changed", "Role changed"
        ROLE_REMOVED = "role_removed", "Role removed"
        DEACTIVATED = "deactivated", "Account switched off"
        SECOND_FACTOR_RESET = "second_factor_reset", "Second factor reset"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    person_email = models.EmailField()
    action = models.CharField(max_length=30, choices=Action.choices)
    detail = models.CharField(max_length=300, blank=True)
    reason = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["school", "-at"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.person_email} ({self.detail})"


class AccessLog(models.Model):
    """Who opened which sensitive record, and when. Written by `accounts.audit.log_access`."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=40, default="view")
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["school", "-at"]),
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.action} {self.object_repr} at {self.at:%Y-%m-%d %H:%M}"


# The MIS import's models live with the import; imported here so Django registers them with accounts.
from .roll.models import ColumnMapping, Contact, PupilContact, RollImport, RolloverRun  # noqa: E402, F401
