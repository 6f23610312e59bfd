"""Forms: validation and clear messages. Files are checked by their content (schoolsocial.lib.uploads)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import Pupil, School, User
from incidents.forms import DateInput, DateTimeLocalInput, MultipleFileField
from schoolsocial.lib.concurrency import VersionedForm
from schoolsocial.lib.text import PlainTextMixin
from schoolsocial.lib.uploads import ACCEPTED_HELP, inspect_upload
from schoolsocial.lib.workflow import TransitionChoiceField

from .actions import MAX_FILES, informal_handler_choices
from .deadlines import parse_holidays
from .models import COMPLAINT_WORKFLOW, Complaint, ComplaintSettings, Decision, Stage

FILES_HELP = format_lazy("{} {}", format_lazy(_("Up to {count} files."), count=MAX_FILES), ACCEPTED_HELP)


def form_token_from(raw) -> uuid.UUID | None:
    """The token naming a form's staged files, or None when it is missing or not a token."""
    try:
        return uuid.UUID(str(raw))
    except (TypeError, ValueError):
        return None


class ComplaintForm(PlainTextMixin, forms.ModelForm):
    """The parent's complaint. Files are checked one by one: the good ones are kept (staged against
    `form_token`) even when something else needs another look, so a failed submit loses nothing."""

    form_token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    attachments = MultipleFileField(
        label=_("Attach screenshots or documents (optional)"),
        help_text=FILES_HELP,
    )

    class Meta:
        model = Complaint
        fields = ["pupil", "subject", "details", "desired_outcome"]
        widgets = {
            "details": forms.Textarea(attrs={"rows": 6}),
            "desired_outcome": forms.Textarea(attrs={"rows": 3}),
        }
        # The model's own names, here so a parent reads them in their language.
        labels = {
            "pupil": _("Child"),
            "subject": _("In a few words, what is it about?"),
            "details": _("Tell us what happened"),
            "desired_outcome": _("What would you like the school to do?"),
        }
        help_texts = {
            "pupil": _("If your concern is about one of your children, choose which."),
            "details": _("Include dates, who was involved and anything you have already tried."),
            "desired_outcome": _("For example an apology, a meeting, or a change to how something is done."),
        }

    def __init__(self, *args, children=None, already_attached: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["pupil"]).queryset = (
            children if children is not None else Pupil.objects.none()
        )
        cast(forms.ModelChoiceField, self.fields["pupil"]).empty_label = _("Not about one child")
        self.fields["pupil"].required = False
        self.already_attached = already_attached
        self.inspected: list = []
        if not self.is_bound:
            self.initial.setdefault("form_token", uuid.uuid4())

    def clean_attachments(self):
        """Keep each acceptable file in `inspected`; explain each refused one beside the field."""
        files = self.cleaned_data.get("attachments") or []
        errors: list[str] = []
        accepted: list[tuple] = []
        for upload in files:
            if self.already_attached + len(accepted) >= MAX_FILES:
                errors.append(
                    _("At most %(count)s files can be attached; “%(name)s” was not added.")
                    % {"count": MAX_FILES, "name": upload.name}
                )
                continue
            try:
                accepted.append((upload, inspect_upload(upload)))
            except ValidationError as error:
                errors.extend(error.messages)
        self.inspected = accepted
        if errors:
            raise ValidationError(errors)
        return files


class ParentMessageForm(PlainTextMixin, forms.Form):
    """The parent writes in their complaint; files are kept (staged) if the message needs another look."""

    form_token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    text = forms.CharField(
        label=_("Your message to the school"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10000,
        help_text=_("Add information, answer the school's questions, or say what has happened since."),
    )
    attachments = MultipleFileField(
        label=_("Attach screenshots or documents (optional)"),
        help_text=FILES_HELP,
    )

    def __init__(self, *args, already_attached: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.already_attached = already_attached
        self.inspected: list = []
        if not self.is_bound:
            self.initial.setdefault("form_token", uuid.uuid4())

    clean_attachments = ComplaintForm.clean_attachments


class NextStageForm(PlainTextMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why you would like it to move on"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text=_("For example: the school's answer did not resolve your concern, or no answer came in time."),
    )


class MessageForm(PlainTextMixin, forms.Form):
    message = forms.CharField(label="Message to the parent", widget=forms.Textarea(attrs={"rows": 5}), max_length=10000)
    final = forms.BooleanField(
        label="This is the school's response at this stage",
        required=False,
        help_text="Leave unticked for an update. A response meets the stage's response deadline.",
    )


class AcknowledgeForm(PlainTextMixin, forms.Form):
    acknowledgement = forms.CharField(
        label="Acknowledgement to the parent",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        initial="Thank you for raising this with us. We have received your complaint and will look into it.",
    )


class NoteForm(PlainTextMixin, forms.Form):
    text = forms.CharField(
        label="Internal note (never shown to the parent or the governors)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10000,
    )


class StaffField(forms.ModelChoiceField):
    """A member of staff, shown by their full name."""

    def label_from_instance(self, obj: User) -> str:
        return obj.full_name


class HandlerForm(PlainTextMixin, VersionedForm):
    handler = StaffField(
        label="Member of staff handling the informal stage",
        queryset=None,
        required=False,
        empty_label="Nobody yet",
        help_text="Usually the child's class teacher. They can read this complaint and write to the parent "
        "until it moves to the formal stage.",
        error_messages={"invalid_choice": "Choose a member of staff at this school."},
    )

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        cast(StaffField, self.fields["handler"]).queryset = informal_handler_choices(school)


class StageForm(PlainTextMixin, VersionedForm):
    stage = TransitionChoiceField(label="Move to")
    reason = forms.CharField(
        label="Explanation for the parent",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
        help_text="Why it is moving on, or, when closing, how it was resolved.",
    )

    def __init__(self, *args, complaint: Complaint, **kwargs):
        super().__init__(*args, **kwargs)
        cast(TransitionChoiceField, self.fields["stage"]).offer(COMPLAINT_WORKFLOW, complaint.stage)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("stage") == Stage.CLOSED and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say briefly how the complaint was resolved: the parent sees this.")
        return data


class LinkIncidentForm(PlainTextMixin, VersionedForm):
    reference = forms.CharField(label="Incident reference", max_length=20, required=False)

    def __init__(self, *args, school, **kwargs):
        from incidents.actions import example_reference

        super().__init__(*args, **kwargs)
        self.fields["reference"].help_text = f"For example {example_reference(school)}. Leave empty to unlink."


class SettingsForm(PlainTextMixin, forms.ModelForm):
    holiday_text = forms.CharField(
        label="School holidays",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Dates skipped when counting school days, one per line, as dd/mm/yyyy. "
        "For a range, write the first and last day with a dash: 20/12/2025 - 02/01/2026.",
    )

    class Meta:
        model = ComplaintSettings
        fields = ["acknowledge_days", "respond_days", "panel_respond_days", "remind_days_before"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            days = sorted(parse_holidays(self.instance.holidays or []))
            self.fields["holiday_text"].initial = "\n".join(d.strftime("%d/%m/%Y") for d in days)
        for name in ("acknowledge_days", "respond_days", "panel_respond_days"):
            cast(forms.IntegerField, self.fields[name]).min_value = 1
            self.fields[name].widget.attrs["min"] = 1

    def clean_holiday_text(self) -> list[str]:
        from datetime import timedelta

        days: set[date] = set()
        for number, line in enumerate((self.cleaned_data.get("holiday_text") or "").splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            parts = [p.strip() for p in line.split(" - ")] if " - " in line else [line]
            try:
                bounds = [_uk_date(p) for p in parts]
            except ValueError as error:
                raise ValidationError(f"Line {number}: “{line}” is not a date like 25/12/2025.") from error
            first, last = bounds[0], bounds[-1]
            if last < first or (last - first).days > 366:
                raise ValidationError(f"Line {number}: the range “{line}” does not look right.")
            day = first
            while day <= last:
                days.add(day)
                day += timedelta(days=1)
        return sorted(d.isoformat() for d in days)

    def save(self, commit: bool = True):
        self.instance.holidays = self.cleaned_data["holiday_text"]
        return super().save(commit)


def _uk_date(text: str) -> date:
    from datetime import datetime

    return datetime.strptime(text, "%d/%m/%Y").date()


class DeclarationForm(PlainTextMixin, forms.Form):
    has_conflict = forms.TypedChoiceField(
        label="Do you have a conflict of interest in this complaint?",
        choices=[
            ("no", "No: I have no personal connection to this complaint or the people in it"),
            ("yes", "Yes: I have a connection (for example a friend, relative or prior involvement)"),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    details = forms.CharField(
        label="If yes, briefly what", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class PanelForm(PlainTextMixin, forms.Form):
    meeting_date = forms.DateField(label="Date the panel met", widget=DateInput())
    members = forms.CharField(
        label="Panel members", widget=forms.Textarea(attrs={"rows": 3}), help_text="One governor per line."
    )
    decision = forms.ChoiceField(choices=Decision.choices, widget=forms.RadioSelect)
    reasons = forms.CharField(
        label="The panel's reasons",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="These go into the outcome letter to the parent.",
    )

    def clean_meeting_date(self) -> date:
        day = self.cleaned_data["meeting_date"]
        if day > timezone.localdate():
            raise ValidationError("Record the decision once the panel has met: the date cannot be in the future.")
        return day


class PanelLetterForm(PlainTextMixin, forms.Form):
    letter_body = forms.CharField(
        label="Letter text",
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text="Between “Dear …” and “Yours sincerely”. Leave a blank line between paragraphs.",
        max_length=20000,
    )
    signatory_name = forms.CharField(label="Signed by", max_length=120)
    signatory_role = forms.CharField(label="Their role", max_length=120)


class FinalisePanelLetterForm(PlainTextMixin, forms.Form):
    confirm = forms.BooleanField(
        label="I have read the letter as shown. Make it final and send it to the parent: it cannot be changed afterwards.",
    )


class TermlyReportForm(PlainTextMixin, forms.Form):
    period_start = forms.DateField(label="From", widget=DateInput())
    period_end = forms.DateField(label="To", widget=DateInput())

    def clean(self):
        super().clean()
        data = self.cleaned_data
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The end of the period must come after its start.")
        return data


class HearingForm(PlainTextMixin, forms.Form):
    """When and where the panel sits, and who sits on it (governors cleared for this complaint)."""

    starts_at = forms.DateTimeField(
        label="Date and time",
        widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
    )
    place = forms.CharField(
        label="Where",
        max_length=200,
        help_text="The room and the address, or how to join if it is held online.",
    )
    members = forms.ModelMultipleChoiceField(
        label="Panel members",
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Governors who declared no conflict of interest on this complaint.",
        error_messages={"required": "Choose the governors who will sit on the panel."},
    )
    notes_for_parent = forms.CharField(
        label="Anything the parent should know",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example: that they may bring a friend or relative, and how to ask for any adjustments.",
    )
    signatory_name = forms.CharField(label="The letter is signed by", max_length=120)
    signatory_role = forms.CharField(label="Their role", max_length=120, initial="Clerk to the governors")

    def __init__(self, *args, eligible=None, **kwargs):
        super().__init__(*args, **kwargs)
        members = cast(forms.ModelMultipleChoiceField, self.fields["members"])
        members.queryset = eligible if eligible is not None else User.objects.none()
        members.label_from_instance = lambda user: user.full_name  # type: ignore[method-assign,assignment]

    def clean_starts_at(self):
        starts = self.cleaned_data["starts_at"]
        if starts <= timezone.now():
            raise ValidationError("The hearing must be in the future.")
        return starts


class SendInvitationForm(PlainTextMixin, forms.Form):
    confirm = forms.BooleanField(
        label="I have read the invitation as shown. Send it to the parent: it cannot be changed afterwards "
        "(a new date sends a new letter).",
    )
