"""Forms for reporting, triage and the steps. Each message sits beside its field, in plain words."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q, QuerySet
from django.forms.utils import ErrorDict
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Pupil, Role, School, User
from accounts.permissions import roles_with
from schoolsocial.lib.concurrency import current_version
from schoolsocial.lib.prepared import PreparedQuery
from schoolsocial.lib.text import PlainTextMixin
from schoolsocial.lib.widgets import QuickSelect
from schoolsocial.lib.workflow import TransitionChoiceField

from .models import (
    INCIDENT_WORKFLOW,
    ROLE_NEEDS_POSTER_KIND,
    Certainty,
    Incident,
    Nature,
    Platform,
    PosterKind,
    PupilRole,
    SchoolPlatform,
    Severity,
    Status,
    StepKind,
)
from .outcomes import choices_for, outcomes_for

MAX_URLS = 10
MAX_FILES = 10
ACCEPT = "image/png,image/jpeg,image/webp,application/pdf,.png,.jpg,.jpeg,.webp,.pdf"


class DateTimeLocalInput(forms.DateTimeInput):
    markup_follows_value = True  # schoolsocial/lib/kept_forms.py may keep its markup
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class DateInput(forms.DateInput):
    markup_follows_value = True  # schoolsocial/lib/kept_forms.py may keep its markup
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    markup_follows_value = True  # schoolsocial/lib/kept_forms.py may keep its markup
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input. Their content is checked by schoolsocial.lib.uploads, not here."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [item for item in data if item]
        return [data] if data else []


def parse_urls(text: str) -> list[str]:
    validate = URLValidator(schemes=["http", "https"])
    urls, bad = [], []
    for line in (text or "").split():
        candidate = line.strip().strip("<>")
        if not candidate:
            continue
        try:
            validate(candidate)
        except ValidationError:
            bad.append(candidate)
            continue
        if candidate not in urls:
            urls.append(candidate)
    if bad:
        raise ValidationError(
            gettext("These do not look like full links: %(bad)s. Copy the whole address, starting https://"),
            params={"bad": ", ".join(bad[:3])},
        )
    if len(urls) > MAX_URLS:
        raise ValidationError(
            gettext("Please give at most %(max)s links; mention any others in the description.") % {"max": MAX_URLS}
        )
    return urls


class ReportForm(PlainTextMixin, forms.ModelForm):
    """The one report form, for staff and parents, on a phone or a desk."""

    form_token = forms.UUIDField(widget=forms.HiddenInput)
    url_text = forms.CharField(
        label=_("Links to the post"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "inputmode": "url", "autocomplete": "off"}),
        help_text=_(
            "Copy the full link from the app's Share or Copy link option; one per line. "
            "No link (for example a chat message)? Leave this empty and give the chat's name below."
        ),
    )
    natures = forms.MultipleChoiceField(
        label=_("What kind of post is it?"),
        choices=Nature.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick all that apply."),
        error_messages={"required": _("Tick at least one that fits best; the school can change it later.")},
    )
    evidence = MultipleFileField(
        label=_("Screenshots or PDFs"),
        help_text=_("Pictures (PNG, JPEG or WebP) or PDFs, up to 10 MB each. You can choose several."),
    )

    class Meta:
        model = Incident
        fields = [
            "platform",
            "account_name",
            "posted_at",
            "seen_at",
            "content",
            "targeted",
            "poster_kind",
            "poster_certainty",
            "pupils_identifiable",
            "safeguarding_concern",
            "on_school_equipment",
            "site_blocked_on",
        ]
        labels = {
            "platform": _("Where did you see it?"),
            "account_name": _("Account, group or chat name"),
            "posted_at": _("When was it posted? (if you know)"),
            "seen_at": _("When did you see it?"),
            "content": _("What does the post say?"),
            "targeted": _("Who is it about or aimed at?"),
            "poster_kind": _("Who posted it?"),
            "poster_certainty": _("How sure are you about who posted it?"),
            "pupils_identifiable": _("Could a pupil be identified from the post (a name, face, uniform or class)?"),
            "safeguarding_concern": _("Are you worried about a child's safety?"),
            "on_school_equipment": "Was it seen on a school computer or tablet?",
            "site_blocked_on": "If the site has been blocked in school, on which date?",
        }
        help_texts = {
            "account_name": _("For example @name, or the name of the WhatsApp or Facebook group."),
            "content": _("Copy the words exactly as they appear, spelling included. Do not reply to the post."),
            "targeted": _("A pupil, a member of staff, the school… Names help the school act quickly."),
        }
        widgets = {
            "posted_at": DateTimeLocalInput(),
            "seen_at": DateTimeLocalInput(),
            "site_blocked_on": DateInput(),
            "content": forms.Textarea(attrs={"rows": 5}),
            "targeted": forms.Textarea(attrs={"rows": 2}),
            "poster_kind": forms.RadioSelect,
            "poster_certainty": forms.RadioSelect,
        }
        error_messages = {
            "platform": {"required": _("Choose where you saw the post (or “Other”).")},
            "seen_at": {"required": _("Give the date and time you saw it; roughly is fine.")},
            "content": {"required": _("Copy the words of the post here, as they appear.")},
            "poster_kind": {"required": _("Choose who posted it, or “Not known”.")},
        }

    field_order = [
        "platform",
        "url_text",
        "account_name",
        "posted_at",
        "seen_at",
        "content",
        "natures",
        "targeted",
        "poster_kind",
        "poster_certainty",
        "pupils_identifiable",
        "safeguarding_concern",
        "on_school_equipment",
        "site_blocked_on",
        "evidence",
    ]

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        # The shared platforms this school has not hidden, and the school's own; never another school's.
        cast(forms.ModelChoiceField, self.fields["platform"]).queryset = Platform.objects.offered_to(school)
        cast(forms.ModelChoiceField, self.fields["platform"]).empty_label = _("Choose…")
        cast(forms.ChoiceField, self.fields["poster_kind"]).choices = PosterKind.choices
        cast(forms.ChoiceField, self.fields["poster_certainty"]).choices = Certainty.choices
        if not self.is_bound:
            self.initial.setdefault("form_token", uuid.uuid4())
            self.initial.setdefault("seen_at", timezone.localtime().replace(second=0, microsecond=0))

    def clean_url_text(self) -> list[str]:
        return parse_urls(self.cleaned_data.get("url_text", ""))

    def clean_seen_at(self):
        seen = self.cleaned_data["seen_at"]
        if seen and seen > timezone.now() + timedelta(minutes=5):
            raise ValidationError(gettext("This is in the future. When did you see it?"))
        return seen

    def clean(self):
        super().clean()
        data = self.cleaned_data
        posted, seen = data.get("posted_at"), data.get("seen_at")
        if posted and seen and posted > seen:
            self.add_error("posted_at", gettext("It cannot have been posted after you saw it. Check the two dates."))
        if not data.get("url_text") and not data.get("account_name") and "url_text" not in self.errors:
            self.add_error(
                "url_text",
                gettext("Paste the link to the post, or if it has none, give the account, group or chat name."),
            )
        if data.get("site_blocked_on") and not data.get("on_school_equipment"):
            data["site_blocked_on"] = None
        return data

    @property
    def form_token_value(self):
        """The token of this form's staged files, even when the rest of the form is invalid."""
        raw = self.data.get("form_token") if self.is_bound else self.initial.get("form_token")
        try:
            return uuid.UUID(str(raw))
        except (TypeError, ValueError):
            return None

    def report_details(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields if name in self.fields}


DONT_KNOW = _("I don't know")
PLATFORM_NOT_KNOWN = "unknown"


class ParentReportForm(ReportForm):
    """The report as a parent can answer it: in five short steps, with "I don't know" wherever a
    parent may not know. The school-equipment questions are the staff's; a parent never sees them,
    and posting them anyway changes nothing."""

    account_unknown = forms.BooleanField(label=_("I don't know the account or group name"), required=False)
    posted_unknown = forms.BooleanField(label=_("I don't know when it was posted"), required=False)

    # The steps, in order: (id, heading, fields). The template shows each as one screen.
    STEPS = (
        ("what", _("What did you see?"), ("content", "natures", "targeted")),
        ("where", _("Where did you see it?"), ("platform", "url_text", "account_name", "account_unknown")),
        ("when", _("When?"), ("seen_at", "posted_at", "posted_unknown")),
        ("evidence", _("Screenshots"), ("evidence",)),
        (
            "who",
            _("Who posted it?"),
            ("poster_kind", "poster_certainty", "pupils_identifiable", "safeguarding_concern"),
        ),
    )

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, school=school, **kwargs)
        del self.fields["on_school_equipment"], self.fields["site_blocked_on"]
        platforms = list(Platform.objects.offered_to(school))
        self._other_platform = next((p for p in platforms if p.school_id is None and p.name == "Other"), None)
        self.fields["platform"] = forms.ChoiceField(
            label=_("Which app or website?"),
            choices=[("", _("Choose…")), *((str(p.pk), p.name) for p in platforms), (PLATFORM_NOT_KNOWN, DONT_KNOW)],
            error_messages={"required": _("Choose the app or website, or “I don't know”.")},
        )
        self._platforms = {str(p.pk): p for p in platforms}
        self.fields["account_name"].help_text = _("For example @name, or the name of the WhatsApp or Facebook group.")
        self.fields["url_text"].label = _("Link to the post (if you have it)")
        self.fields["url_text"].help_text = _("In the app, use Share or Copy link, then paste it here. One per line.")
        self.fields["posted_at"].label = _("When was it posted?")
        self.fields["seen_at"].help_text = _("Roughly is fine.")
        self.fields["targeted"].label = _("Who is it about? (if you know)")
        self.fields["content"].widget.attrs["rows"] = 3
        self.fields["evidence"].help_text = _(
            "A screenshot helps the school most, because posts get deleted. "
            "Pictures or PDFs, up to 10 MB each; you can choose several."
        )
        poster = cast(forms.ChoiceField, self.fields["poster_kind"])
        poster.required = False
        poster.choices = [
            (value, DONT_KNOW if value == PosterKind.UNKNOWN else label) for value, label in PosterKind.choices
        ]
        certainty = cast(forms.ChoiceField, self.fields["poster_certainty"])
        certainty.required = False
        certainty.label = _("How sure are you?")
        certainty.choices = [
            (value, DONT_KNOW if value == Certainty.UNKNOWN else label) for value, label in Certainty.choices
        ]
        certainty.initial = None  # not the model's "Not sure": nothing is ticked until the parent says
        if not self.is_bound:
            self.initial.pop("poster_certainty", None)

    def clean_platform(self) -> Platform:
        chosen = self.cleaned_data.get("platform")
        if chosen == PLATFORM_NOT_KNOWN and self._other_platform is not None:
            return self._other_platform
        if chosen in self._platforms:
            return self._platforms[chosen]
        raise ValidationError(gettext("Choose the app or website, or “I don't know”."))

    def clean(self):
        data = self.cleaned_data
        account_unknown = data.get("account_unknown")
        if account_unknown:
            data["account_name"] = ""
        if data.get("posted_unknown"):
            data["posted_at"] = None
            self.errors.pop("posted_at", None)
        super().clean()
        if account_unknown and "url_text" in self.errors and not self.data.get("url_text", "").strip():
            # No link and no name: the words and the screenshots are enough to start with.
            del self.errors["url_text"]
            data["url_text"] = []
        not_known = []
        if self.data.get("platform") == PLATFORM_NOT_KNOWN:
            not_known.append("platform")
        if account_unknown:
            not_known.append("account_name")
        if data.get("posted_unknown") or not data.get("posted_at"):
            not_known.append("posted_at")
        if not data.get("poster_kind") or data.get("poster_kind") == PosterKind.UNKNOWN:
            data["poster_kind"] = PosterKind.UNKNOWN
            not_known.append("poster_kind")
        if not data.get("poster_certainty") or data["poster_kind"] == PosterKind.UNKNOWN:
            data["poster_certainty"] = Certainty.UNKNOWN
        if data["poster_certainty"] == Certainty.UNKNOWN:
            not_known.append("poster_certainty")
        data["not_known"] = not_known
        return data

    def report_details(self) -> dict:
        return {**super().report_details(), "not_known": self.cleaned_data["not_known"]}

    def steps(self) -> list[dict]:
        return [
            {"id": key, "heading": heading, "number": n, "fields": [self[name] for name in names]}
            for n, (key, heading, names) in enumerate(self.STEPS, start=1)
        ]


def school_staff(school: School, roles=(Role.HEADTEACHER, Role.DSL, Role.STAFF)):
    return User.objects.filter(
        memberships__school=school, memberships__role__in=roles, memberships__is_active=True
    ).distinct()


class TriageForm(PlainTextMixin, forms.ModelForm):
    natures = forms.MultipleChoiceField(
        label="Nature", choices=Nature.choices, widget=forms.CheckboxSelectMultiple, required=True
    )
    note = forms.CharField(label="Note (for the school only)", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    pupils = forms.ModelMultipleChoiceField(
        label="Pupils this case concerns",
        queryset=Pupil.objects.none(),
        required=False,
        widget=forms.MultipleHiddenInput,
        error_messages={"invalid_choice": "That pupil is not on your school's roll. Find the child by name below."},
    )
    # The version of the incident this form was opened at (schoolsocial.lib.concurrency).
    seen_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Incident
        fields = [
            "severity",
            "poster_kind",
            "poster_parent",
            "harassment",
            "pupils_identifiable",
            "safeguarding_concern",
            "staff_safety",
            "owner",
        ]
        labels = {
            "staff_safety": "Staff safety: it threatens a member of staff, or shows where they live or their family",
            "poster_parent": "The poster is this parent or carer",
            "owner": "Who owns this case?",
        }
        help_texts = {
            "poster_parent": "Only if known.",
            "staff_safety": "Ticked by the portal when the post reads that way. It tells the headteacher and the DSL "
            "at once and suggests the police and a risk assessment. Untick it if that is not so.",
        }

    # What it is and how serious first, then who posted it, then who owns it.
    field_order = [
        "severity",
        "natures",
        "poster_kind",
        "poster_parent",
        "pupils",
        "harassment",
        "pupils_identifiable",
        "safeguarding_concern",
        "staff_safety",
        "owner",
        "note",
    ]

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["severity"].required = True
        cast(forms.ChoiceField, self.fields["poster_kind"]).choices = PosterKind.choices
        cast(forms.ModelChoiceField, self.fields["poster_parent"]).empty_label = "Not known"
        cast(forms.ChoiceField, self.fields["severity"]).choices = [("", "Choose…"), *Severity.choices]
        linked = self.instance.pupil_links.values("pupil_id") if self.instance.pk else Pupil.objects.none()
        # Pupils on the school's roll, and any already linked who have since left it; never another school's.
        cast(forms.ModelMultipleChoiceField, self.fields["pupils"]).queryset = Pupil.objects.filter(
            Q(is_on_roll=True) | Q(pk__in=linked), school=school
        ).select_related("school_class")
        cast(forms.ModelChoiceField, self.fields["poster_parent"]).queryset = User.objects.filter(
            memberships__school=school, memberships__role=Role.PARENT
        ).distinct()
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = school_staff(
            school, roles=roles_with("incidents.own_cases")
        )
        self.fields["owner"].required = True
        cast(forms.ModelChoiceField, self.fields["owner"]).empty_label = "Choose…"
        if self.instance.pk and not self.is_bound:
            self.initial["natures"] = self.instance.nature_codes
            self.initial["seen_version"] = current_version(self.instance)

    def pupil_rows(self) -> list[tuple[Pupil, str]]:
        """The pupils the form shows as linked, each with the role chosen: as saved, or as sent."""
        if not self.is_bound:
            return [(link.pupil, link.role) for link in self.instance.linked_pupils] if self.instance.pk else []
        field = cast(forms.ModelMultipleChoiceField, self.fields["pupils"])
        sent = cast(QueryDict, self.data)  # bound to request.POST
        ids = [value for value in sent.getlist("pupils") if str(value).isdigit()]
        pupils = {pupil.pk: pupil for pupil in cast(QuerySet, field.queryset).filter(pk__in=ids)}
        return [
            (pupils[int(pk)], self.data.get(f"pupil_role_{pk}", "")) for pk in dict.fromkeys(ids) if int(pk) in pupils
        ]

    def parent_choice(self) -> User | None:
        """The parent the form shows as the poster: as saved, or as sent."""
        value = self["poster_parent"].value()
        if not value:
            return None
        if isinstance(value, User):
            return value
        field = cast(forms.ModelChoiceField, self.fields["poster_parent"])
        return cast(QuerySet, field.queryset).filter(pk=value).first() if str(value).isdigit() else None

    def without_judging(self) -> None:
        """After a Search button: show what was typed and ticked, with no error messages yet."""
        self._errors = ErrorDict()
        self.cleaned_data = {}

    def saw_version(self, version: int) -> None:
        """After a stale submit: the person's answers stay, and the next save is checked against
        the version they have now been shown."""
        data = cast(QueryDict, self.data).copy()  # bound to request.POST, a QueryDict
        data["seen_version"] = str(version)
        self.data = data

    def clean(self):
        super().clean()
        data = self.cleaned_data
        data["pupil_links"] = self._pupil_links(data.get("pupils") or [], data.get("poster_kind"))
        if data.get("poster_parent") and data.get("poster_kind") not in (PosterKind.PARENT, None):
            self.add_error("poster_parent", "You linked a parent, but “Who posted it” is not “A parent or carer”.")
        return data

    def _pupil_links(self, pupils, poster_kind: str | None) -> list[tuple[Pupil, str]]:
        links = []
        for pupil in pupils:
            role = self.data.get(f"pupil_role_{pupil.pk}", "")
            if role not in PupilRole.values:
                self.add_error("pupils", f"Choose the part {pupil.full_name} plays in this case.")
                continue
            needed = ROLE_NEEDS_POSTER_KIND.get(PupilRole(role))
            if needed is not None and poster_kind and poster_kind != needed:
                self.add_error(
                    "pupils",
                    f"You linked {pupil.full_name} as “{PupilRole(role).label.lower()}”, "
                    f"but “Who posted it” is not “{needed.label}”.",
                )
            links.append((pupil, role))
        return links


class StepForm(PlainTextMixin, forms.Form):
    kind = forms.ChoiceField(label="Step", choices=StepKind.choices)
    owner = forms.ModelChoiceField(label="Who will do it", queryset=User.objects.none(), required=False)
    due_date = forms.DateField(
        label="Due by", required=False, widget=DateInput(), help_text="Leave empty for the usual time."
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = school_staff(school)

    def clean_due_date(self):
        due = self.cleaned_data.get("due_date")
        if due and due < timezone.localdate():
            raise ValidationError("The due date is in the past.")
        return due


class OutcomeForm(PlainTextMixin, forms.Form):
    """The outcome of one step: only its kind's own outcomes, and only the fields its kind records
    (incidents/outcomes.py)."""

    outcome = forms.ChoiceField(widget=forms.RadioSelect, error_messages={"required": "Choose what happened."})
    external_reference = forms.CharField(label="Reference given", max_length=100, required=False)
    meeting_at = forms.DateTimeField(label="Meeting date and time", required=False, widget=DateTimeLocalInput())
    attendees = forms.CharField(label="Who attended", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    minutes = forms.CharField(label="Minutes of the meeting", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    notes = forms.CharField(label="What happened", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, step_kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind_outcomes = outcomes_for(step_kind)
        cast(forms.ChoiceField, self.fields["outcome"]).choices = choices_for(step_kind)
        if self.kind_outcomes.reference_label:
            self.fields["external_reference"].label = self.kind_outcomes.reference_label
        else:
            del self.fields["external_reference"]
        if not self.kind_outcomes.meeting:
            for name in ("meeting_at", "attendees", "minutes"):
                del self.fields[name]

    def clean(self):
        super().clean()
        data = self.cleaned_data
        outcome = data.get("outcome")
        if outcome in self.kind_outcomes.needs_reference and not data.get("external_reference", "").strip():
            self.add_error(
                "external_reference", f"Give the {self.kind_outcomes.reference_in_sentence} for this outcome."
            )
        if outcome in self.kind_outcomes.needs_attendees and not data.get("attendees", "").strip():
            self.add_error("attendees", "Say who attended the meeting.")
        return data


class SkipForm(PlainTextMixin, forms.Form):
    kind = forms.ChoiceField(choices=StepKind.choices, widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        label="Why is this step skipped?",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the step is skipped: it is kept on the record."},
    )


class StatusForm(PlainTextMixin, forms.Form):
    status = TransitionChoiceField(label="New status")
    reason = forms.CharField(label="Reason", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, incident: Incident, **kwargs):
        super().__init__(*args, **kwargs)
        cast(TransitionChoiceField, self.fields["status"]).offer(INCIDENT_WORKFLOW, incident.status)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if (
            data.get("status") in (Status.RESOLVED, Status.CLOSED, Status.NO_ACTION)
            and not data.get("reason", "").strip()
        ):
            self.add_error("reason", "Add a short reason: it is kept on the record.")
        return data


class NoteForm(PlainTextMixin, forms.Form):
    text = forms.CharField(
        label="Add a note (for the school only)",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write the note first."},
    )


class EvidenceForm(PlainTextMixin, forms.Form):
    # A declared field: the form's metaclass moves it into base_fields, so it never hides Form.files.
    files = MultipleFileField(  # type: ignore[assignment]
        label="Add screenshots or PDFs", help_text="Pictures (PNG, JPEG or WebP) or PDFs, up to 10 MB each."
    )
    description = forms.CharField(label="What do these show?", max_length=300, required=False)


def _https_by_default(field, **kwargs):
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class PlatformForm(PlainTextMixin, forms.ModelForm):
    """A school's own platform (for example its parents' chat group): seen by that school only."""

    class Meta:
        model = Platform
        formfield_callback = _https_by_default
        fields = ["name", "report_url", "legal_form_url", "rules_url", "minimum_age", "notes"]
        labels = {"notes": "Notes for your staff"}
        help_texts = {"name": "For example “Year 6 parents' WhatsApp group”. It must differ from the shared platforms."}
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    # Kept on the school's settings row, as for a shared platform, so the report form hides both the same way.
    hidden = forms.BooleanField(
        label=SchoolPlatform._meta.get_field("hidden").verbose_name.capitalize(),
        required=False,
        help_text="For a platform nobody at your school uses any more. Past reports about it are kept and still shown.",
    )

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        # Set before validation, so the name is checked against what this school sees.
        self.instance.school = school
        if self.instance.pk:
            self.fields["hidden"].initial = SchoolPlatform.objects.filter(
                school=school, platform=self.instance, hidden=True
            ).exists()

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())


class SchoolPlatformForm(PlainTextMixin, forms.ModelForm):
    """A school's own link, notes and visibility for a platform in the shared directory."""

    class Meta:
        model = SchoolPlatform
        formfield_callback = _https_by_default
        fields = ["report_url", "notes", "hidden"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


# The filter bar's platforms, on every visit to the incident list.
_platform_choices = PreparedQuery(lambda school_id: Platform.objects.visible_to(school_id).values_list("pk", "name"))


class IncidentFilterForm(PlainTextMixin, forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "Reference or words in the post"}),
    )
    status = forms.ChoiceField(
        choices=[("", "Any status"), ("open", "Open"), *Status.choices],
        required=False,
        widget=QuickSelect(attrs={"class": "form-select"}),
    )
    nature = forms.ChoiceField(
        choices=[("", "Any nature"), *Nature.choices],
        required=False,
        widget=QuickSelect(attrs={"class": "form-select"}),
    )
    # The platform's id: choices read as (id, name) pairs, not models (a list page need not build one
    # for every platform of the directory).
    platform = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, widget=QuickSelect(attrs={"class": "form-select"})
    )
    overdue = forms.BooleanField(label="Overdue steps only", required=False)
    date_from = forms.DateField(
        label="Reported from", required=False, widget=DateInput(attrs={"class": "form-control"})
    )
    date_to = forms.DateField(label="Reported to", required=False, widget=DateInput(attrs={"class": "form-control"}))

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        # Hidden platforms stay here: past incidents may be about them. Never another school's own.
        platforms = _platform_choices(school.pk)
        cast(forms.ChoiceField, self.fields["platform"]).choices = [("", "Any platform"), *platforms]
