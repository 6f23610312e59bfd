"""Platforms, incidents and the counter that numbers them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import Role, School
from accounts.permissions import schools_where
from schoolsocial.lib.choices import choice_label
from schoolsocial.lib.prepared import PreparedQuery

from .choices import FINISHED_STATUSES, INCIDENT_WORKFLOW, Certainty, Nature, PosterKind, Severity, Status
from .pupils import POSTER_ROLES, PupilRole

ROLE_ORDER = list(PupilRole.values)


class PlatformQuerySet(models.QuerySet):
    def shared(self) -> PlatformQuerySet:
        """The directory every school sees, edited only in the admin."""
        return self.filter(school__isnull=True)

    def visible_to(self, school: School | int) -> PlatformQuerySet:
        """The shared directory and the school's own entries; never another school's (`school`
        or its id)."""
        return self.filter(Q(school__isnull=True) | Q(school=school))

    def offered_to(self, school: School) -> PlatformQuerySet:
        """What the school's report form offers: the shared platforms it has not hidden, and its own."""
        from .platforms import SchoolPlatform

        hidden = SchoolPlatform.objects.filter(school=school, hidden=True).values("platform_id")
        return self.visible_to(school).exclude(pk__in=hidden)


class Platform(models.Model):
    """A social network or chat service, with where to report abuse and who may hold an account.

    Shared rows (no school) are the directory every school sees and only the admin edits; a school
    adjusts them for itself with a SchoolPlatform row. A row with a school is that school's own entry
    (for example its parents' chat group), seen by nobody else.
    """

    school = models.ForeignKey(
        School,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="own_platforms",
        help_text="Empty for the shared directory; set for an entry only this school sees.",
    )
    name = models.CharField(max_length=100)
    report_url = models.URLField("report-abuse link", max_length=500, blank=True)
    rules_url = models.URLField("community rules link", max_length=500, blank=True)
    legal_form_url = models.URLField(
        "legal or defamation removal form",
        max_length=500,
        blank=True,
        help_text="Where the platform takes legal complaints (defamation, privacy), if it has such a form.",
    )
    minimum_age = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The youngest age the platform's own rules allow an account at."
    )
    notes = models.TextField(blank=True, help_text="Tips for staff reporting here, for example which form to use.")
    sort_order = models.PositiveSmallIntegerField(default=100)
    history = HistoricalRecords()

    objects = PlatformQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                condition=Q(school__isnull=True),
                name="unique_shared_platform_name",
                violation_error_message="The shared directory already has a platform with this name.",
            ),
            models.UniqueConstraint(
                Lower("name"),
                "school",
                condition=Q(school__isnull=False),
                name="unique_school_platform_name",
                violation_error_message="Your school already has a platform with this name.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("incidents:platform_edit", args=[self.pk])

    @property
    def is_shared(self) -> bool:
        return self.school_id is None

    def clean(self) -> None:
        """Names are unique among what one school sees: its own entries and the shared directory."""
        super().clean()
        name = (self.name or "").strip()
        if not name:
            return
        others = Platform.objects.exclude(pk=self.pk).filter(name__iexact=name)
        if self.school_id is None:
            clash = others.filter(school__isnull=False).select_related("school").first()
            if clash is not None:
                raise ValidationError(
                    {"name": f"{clash.school} already has its own platform called “{clash.name}”; choose another name."}
                )
        elif others.filter(school__isnull=True).exists():
            raise ValidationError(
                {
                    "name": f"“{name}” is already in the shared list of platforms. "
                    "Edit that one to add your school's own link or notes, or choose another name."
                }
            )
        elif others.filter(school_id=self.school_id).exists():
            raise ValidationError({"name": f"Your school already has a platform called “{name}”."})


class IncidentSequence(models.Model):
    """The last reference number used by one school in one year. Locked while a number is taken."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "year"], name="unique_incident_sequence")]

    def __str__(self) -> str:
        return f"{self.school_id}/{self.year}: {self.last_number}"


OPEN_STATUSES = [Status.REPORTED, Status.TRIAGED, Status.IN_PROGRESS]
# Steps are planned once a case is triaged, until it is finished.
PLANNING_STATUSES = (Status.TRIAGED, Status.IN_PROGRESS)
FLAGGED = Q(safeguarding_concern=True) | Q(pupils_identifiable=True) | Q(staff_safety=True)
# The condition of the partial index incident_open_flagged.
OPEN_FLAGGED = Q(status__in=OPEN_STATUSES) & FLAGGED


class Inline(models.Value):
    """A constant written into the SQL instead of bound as a parameter. SQLite uses a partial index
    only when the query repeats the index's condition with the same constants: with the statuses
    bound as parameters it cannot tell that they match, and reads every incident of the school."""

    def as_sql(self, compiler, connection):
        if not (isinstance(self.value, str) and self.value.replace("_", "").isalpha()):
            raise ValueError(f"Only a plain word can be inlined, not {self.value!r}")
        return f"'{self.value}'", []


# The same condition, spelled so that both databases match it to the partial index.
OPEN_FLAGGED_QUERY = Q(status__in=[Inline(str(status)) for status in OPEN_STATUSES]) & FLAGGED


def handled_by_q(user, prefix: str = "") -> Q:
    """A restricted incident with `user` among its named handlers (`prefix` such as "incident__"
    to ask it of a related incident)."""
    handled = Incident.handlers.through.objects.filter(user_id=user.pk).values("incident_id")
    return Q(**{f"{prefix}restricted": True, f"{prefix}pk__in": handled})


def open_to_q(user, prefix: str = "") -> Q:
    """An incident not restricted, or restricted with `user` among its named handlers."""
    handled = Incident.handlers.through.objects.filter(user_id=user.pk).values("incident_id")
    return Q(**{f"{prefix}restricted": False}) | Q(**{f"{prefix}pk__in": handled})


class IncidentQuerySet(models.QuerySet):
    def for_user(self, user) -> IncidentQuerySet:
        """The incidents this person may open: every incident of a school where they are
        headteacher or DSL, and the ones they filed themselves. Nothing else."""
        if not user.is_authenticated:
            return self.none()
        cases = Q(school_id__in=schools_where(user, "incidents.view_all")) & open_to_q(user)
        return self.filter(cases | (Q(reporter=user) & ~Q(allegation_about=user)))

    def open_to(self, user) -> IncidentQuerySet:
        """Leave out the restricted cases `user` is not a named handler of."""
        return self.filter(open_to_q(user))

    def overdue(self, today=None) -> IncidentQuerySet:
        return self.filter(next_due_on__lt=today or timezone.localdate())

    def open(self) -> IncidentQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def open_flagged(self) -> IncidentQuerySet:
        """Open cases flagged for safeguarding, identifiable pupils or staff safety (a partial index)."""
        return self.filter(OPEN_FLAGGED_QUERY)

    def with_platform_settings(self) -> IncidentQuerySet:
        """Carry the school's own report link and staff notes for the platform (no extra query)."""
        from .platforms import SchoolPlatform

        own = SchoolPlatform.objects.filter(school=OuterRef("school"), platform=OuterRef("platform"))
        return self.annotate(
            school_platform_report_url=Subquery(own.values("report_url")[:1]),
            school_platform_notes=Subquery(own.values("notes")[:1]),
        )


class Incident(models.Model):
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="incidents")
    reference = models.CharField(max_length=20, unique=True, editable=False)
    year = models.PositiveSmallIntegerField(editable=False)
    number = models.PositiveIntegerField(editable=False)

    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reported_incidents")
    reporter_role = models.CharField(max_length=20, help_text="The role the reporter acted in when filing.")

    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="incidents")
    urls = models.JSONField("links to the post", default=list, blank=True)
    account_name = models.CharField("account, group or chat name", max_length=200, blank=True)
    posted_at = models.DateTimeField("when it was posted", null=True, blank=True)
    seen_at = models.DateTimeField("when it was seen")
    content = models.TextField("what the post says")
    targeted = models.TextField("who is targeted", blank=True)
    poster_kind = models.CharField("who posted it", max_length=20, choices=PosterKind.choices)
    poster_certainty = models.CharField("how sure", max_length=20, choices=Certainty.choices, default=Certainty.UNSURE)
    pupils_identifiable = models.BooleanField("pupils can be identified", default=False)
    safeguarding_concern = models.BooleanField(default=False)
    on_school_equipment = models.BooleanField("seen on school equipment", default=False)
    site_blocked_on = models.DateField("site blocked on", null=True, blank=True)
    # The report's questions the reporter answered "I don't know" (a parent may not know the app,
    # the account, when it was posted or who posted it), so the school reads "not known", not a guess.
    not_known = models.JSONField("answered “I don't know”", default=list, blank=True)

    # Filled at triage.
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REPORTED)
    _loaded_status: str | None  # the status as read from the database (from_db)
    _loaded_created_at: datetime | None  # the report moment as read from the database (from_db)
    severity = models.CharField(max_length=20, choices=Severity.choices, blank=True)
    harassment = models.BooleanField(
        "part of a pattern of harassment", default=False, help_text="Repeated posts aimed at the same person."
    )
    # The pupils the case concerns (the one who posted, the poster's child, a child in the post or
    # targeted) are IncidentPupil rows: incidents.models.pupils.
    poster_parent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_incidents"
    )
    triaged_at = models.DateTimeField(null=True, blank=True)
    # When the incident last became finished (resolved, no action needed or closed): kept when it
    # moves on from resolved to closed, cleared when it is reopened. Maintained by save() from the
    # status, so every path that changes the status keeps it right; time-to-resolve reads it.
    resolved_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Whole seconds from the report to resolved_at, rounded up (so "within N days" is one integer
    # comparison, exact for whole-second limits); set by save() with resolved_at, none while open.
    seconds_to_resolve = models.IntegerField(null=True, blank=True, editable=False)
    # The earliest due date among steps still waiting; kept by incidents.actions so that "overdue"
    # is one indexed comparison on the list, not a join.
    next_due_on = models.DateField(null=True, blank=True, editable=False)
    dsl_alerted_at = models.DateTimeField(null=True, blank=True, editable=False)
    # A threat of violence against a named adult at the school, or a post revealing a member of
    # staff's home or family: raised by the rules when the report is filed (incidents.escalation),
    # confirmed or cleared by the headteacher at triage. Stored so the lists badge it without a join.
    staff_safety = models.BooleanField("staff safety concern", default=False)
    staff_safety_alerted_at = models.DateTimeField(null=True, blank=True, editable=False)
    # An allegation about a member of staff (the headteacher and the DSL included): only the named
    # handlers open it. Everyone else with a case role, the person concerned above all, gets 404
    # on every page built from it (incidents.access, incidents.restriction).
    restricted = models.BooleanField("restricted to named handlers", default=False)
    allegation_about = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="the member of staff the allegation is about",
    )
    # The allegation may mean a child was harmed, or could be, by an adult working with them
    # (KCSIE part four): the rules then suggest the LADO referral.
    meets_harm_threshold = models.BooleanField("meets the harm threshold", default=False)
    handlers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="restricted_cases", verbose_name="named handlers"
    )

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["school", "year", "number"], name="unique_incident_number")]
        indexes = [
            models.Index(fields=["school", "-created_at"], name="incident_school_recent"),
            models.Index(fields=["school", "status", "-created_at"], name="incident_school_status"),
            models.Index(fields=["school", "platform", "-created_at"], name="incident_school_platform"),
            # The overdue list: longest overdue first, newest first within a day, read off this index.
            models.Index(fields=["school", "next_due_on", "-created_at"], name="incident_school_due_recent"),
            models.Index(fields=["reporter", "-created_at"], name="incident_reporter_recent"),
            # Covers every column the statistics read (incidents.statistics), so counting a year of a
            # school's incidents reads this index alone, never the wide table rows.
            models.Index(
                fields=["school", "created_at", "status", "platform", "seconds_to_resolve"],
                name="incident_school_figures",
            ),
            # The open cases flagged for safeguarding, identifiable pupils or staff safety: the DSL's
            # watch list and the headteacher's attention panel read this small index, in the watch
            # list's order, rather than every open case of the school.
            models.Index(
                fields=["school", "next_due_on", "-created_at"],
                condition=OPEN_FLAGGED,
                name="incident_open_flagged",
            ),
            # The same cases, for counting them: SQLite otherwise counts through the school's open
            # cases (incident_school_status) and reads each row for its flags. The id is in it so
            # that the count reads the index alone (a restricted case is counted for its handlers
            # by id): on PostgreSQL, 4.4 ms to 0.7 ms for 4,500 open flagged cases.
            models.Index(
                fields=["school", "status", "restricted", "id"],
                condition=OPEN_FLAGGED,
                name="incident_open_flagged_count",
            ),
        ]

    # A page of search results sets it (incidents.search.mark_matches); the list reads it on every
    # row, and a missing attribute costs the template engine a dir() of the whole instance.
    search_snippet = ""

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("incidents:detail", args=[self.pk])

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_status = instance.__dict__.get("status")
        # The month its figures are counted in (incidents.figures moves them if created_at changes).
        instance._loaded_created_at = instance.__dict__.get("created_at")
        return instance

    def save(self, *args, **kwargs) -> None:
        INCIDENT_WORKFLOW.check_save(getattr(self, "_loaded_status", None), self.status)
        self.resolved_at = resolved_at_for(self.status, self.resolved_at, timezone.now)
        self.seconds_to_resolve = seconds_between(self.created_at, self.resolved_at)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"status", "resolved_at", "created_at"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "resolved_at", "seconds_to_resolve"}
        loaded_at = getattr(self, "_loaded_created_at", None)
        moved = loaded_at not in (None, self.created_at) and (update_fields is None or "created_at" in update_fields)
        super().save(*args, **kwargs)
        if moved:  # the natures' copy, which orders the list filtered by a nature
            IncidentNature.objects.filter(incident=self).update(reported_at=self.created_at)
        self._loaded_status = self.status
        self._loaded_created_at = self.created_at

    def delete(self, *args, **kwargs):
        raise ValidationError("Incidents are never deleted; close them instead.")

    @property
    def plans_steps(self) -> bool:
        return self.status in PLANNING_STATUSES

    @property
    def status_enum(self) -> Status:
        return Status(self.status)

    @property
    def allowed_next_statuses(self) -> list[Status]:
        return INCIDENT_WORKFLOW.allowed(self.status)

    @property
    def is_overdue(self) -> bool:
        return self.next_due_on is not None and self.next_due_on < timezone.localdate()

    @property
    def platform_report_url(self) -> str:
        """Where staff report this post: the school's own link for the platform wins over the shared one."""
        return self._school_platform_settings()[0] or self.platform.report_url

    @property
    def platform_notes(self) -> str:
        """Tips for staff reporting on this platform: the school's own notes win over the shared ones."""
        return self._school_platform_settings()[1] or self.platform.notes

    def _school_platform_settings(self) -> tuple[str, str]:
        # Annotated by with_platform_settings() on the pages that show them; one query otherwise.
        if not hasattr(self, "school_platform_report_url"):
            found: list[tuple[str, str]] = (
                _own_platform_settings_of(self.school_id, self.platform_id) if self.platform_id else []
            )
            self.school_platform_report_url, self.school_platform_notes = found[0] if found else ("", "")
        return self.school_platform_report_url or "", self.school_platform_notes or ""

    @property
    def linked_pupils(self) -> list:
        """The pupil links, poster's side first, with their pupils and classes (prefetched as
        `pupil_links` on the case pages; one query otherwise)."""
        from .pupils import IncidentPupil

        links = self.pupil_links.all() if self.pk else IncidentPupil.objects.none()
        if "pupil_links" not in getattr(self, "_prefetched_objects_cache", {}):
            links = links.select_related("pupil__school_class")
        return sorted(links, key=lambda link: (ROLE_ORDER.index(link.role), link.pupil.last_name, link.pk))

    @property
    def poster_pupil(self):
        """The pupil on the poster's side: the pupil who posted, or the poster's child; None if
        no pupil is linked so."""
        return next((link.pupil for link in self.linked_pupils if link.role in POSTER_ROLES), None)

    @property
    def reporter_role_label(self) -> str:
        """The role the reporter filed in, in words ("Designated safeguarding lead", not "dsl")."""
        return str(Role(self.reporter_role).label) if self.reporter_role in Role.values else self.reporter_role

    # Set for a page of the incident list and the case pages (incidents.access.attach_nature_codes),
    # read before the natures.
    known_nature_codes: list[str] | None = None

    def refresh_from_db(self, using=None, fields=None, from_queryset=None) -> None:
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        if fields is None:  # the whole row read afresh (not one deferred column): natures too
            self.known_nature_codes = None

    @property
    def nature_codes(self) -> list[str]:
        if self.known_nature_codes is not None:
            return self.known_nature_codes
        return sorted(n.nature for n in self.natures.all())  # as attach_nature_codes lists them

    @property
    def nature_labels(self) -> list[str]:
        return [choice_label(Nature, code) for code in self.nature_codes]


def resolved_at_for(status: str, resolved_at: datetime | None, now: Callable[[], datetime]) -> datetime | None:
    """The resolution moment an incident in `status` should carry: none while it is open; the
    moment it first became finished, kept through later finished statuses (resolved -> closed)."""
    if status not in FINISHED_STATUSES:
        return None
    return resolved_at or now()


def seconds_between(start: datetime | None, end: datetime | None) -> int | None:
    """Whole seconds from `start` to `end`, rounded up (none if either is missing): an incident
    resolved within N whole seconds (days, weeks) has at most N, exactly as the datetimes compare."""
    if start is None or end is None:
        return None
    return -(-((end - start) // timedelta(microseconds=1)) // 1_000_000)


class IncidentNature(models.Model):
    """One nature ticked on a report: a row each, so the list can filter by nature with an index."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="natures")
    nature = models.CharField(max_length=30, choices=Nature.choices)
    # Copies of the incident's school and report moment, so the list filtered by a nature reads
    # that nature's cases newest first off one index and stops at a page, however rare the nature
    # (through the incident's own index it would read every case of the school to find them).
    # save() and Incident.save() keep them in step; bulk creators use for_incident().
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+", db_index=False, editable=False)
    reported_at = models.DateTimeField(editable=False)
    history = HistoricalRecords(excluded_fields=["school", "reported_at"])

    class Meta:
        constraints = [models.UniqueConstraint(fields=["incident", "nature"], name="unique_incident_nature")]
        indexes = [
            models.Index(fields=["nature", "incident"], name="incident_nature_lookup"),
            models.Index(fields=["school", "nature", "-reported_at", "-incident"], name="incident_nature_recent"),
        ]

    def __str__(self) -> str:
        return self.get_nature_display()

    @classmethod
    def for_incident(cls, incident: Incident, nature: str) -> IncidentNature:
        """A nature row ready for bulk_create (which skips save())."""
        row = cls(incident=incident, nature=nature)
        row._copy_from_incident()
        return row

    def save(self, *args, **kwargs) -> None:
        self._copy_from_incident()
        super().save(*args, **kwargs)

    def _copy_from_incident(self) -> None:
        self.school_id = self.incident.school_id
        self.reported_at = self.incident.created_at


def _own_platform_settings(school_id: int, platform_id: int):
    from .platforms import SchoolPlatform

    # At most one row (unique per school and platform): sliced, as first() would add an ORDER BY.
    rows = SchoolPlatform.objects.filter(school_id=school_id, platform_id=platform_id)
    return rows.values_list("report_url", "notes")[:1]


# Read on every incident page that shows the platform's report-abuse help.
_own_platform_settings_of = PreparedQuery(_own_platform_settings)
