from __future__ import annotations

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schoolsocial.lib.concurrency import VersionedForm
from schoolsocial.lib.text import PlainTextMixin
from schoolsocial.lib.uploads import inspect_upload

from .models import AgreementVersion
from .years import is_valid_academic_year

YEAR_HINT = "Write the school year as two years, for example 2025/26."


class VersionForm(PlainTextMixin, forms.ModelForm, VersionedForm):
    class Meta:
        model = AgreementVersion
        fields = ["title", "academic_year", "introduction", "channels", "will_commitments", "will_not_commitments"]
        labels = {
            "academic_year": "School year",
            "channels": "The school's official channels",
            "will_commitments": "Parents and carers will…",
            "will_not_commitments": "Parents and carers will not…",
        }
        error_messages = {
            "title": {"required": "Give the agreement a title."},
            "academic_year": {
                "required": YEAR_HINT,
                "max_length": YEAR_HINT,
            },
            "introduction": {"required": "Write a few sentences saying why the school asks parents to read this."},
            "channels": {"required": "Add at least one channel, one per line."},
            "will_commitments": {"required": "Add at least one commitment, one per line."},
            "will_not_commitments": {"required": "Add at least one commitment, one per line."},
        }
        widgets = {
            "introduction": forms.Textarea(attrs={"rows": 4}),
            "channels": forms.Textarea(attrs={"rows": 4}),
            "will_commitments": forms.Textarea(attrs={"rows": 6}),
            "will_not_commitments": forms.Textarea(attrs={"rows": 6}),
        }

    def clean_academic_year(self) -> str:
        value = self.cleaned_data["academic_year"].strip()
        if not is_valid_academic_year(value):
            raise forms.ValidationError(YEAR_HINT)
        return value

    def _clean_lines(self, name: str, what: str) -> str:
        value = self.cleaned_data[name]
        if not [line for line in value.splitlines() if line.strip()]:
            raise forms.ValidationError(f"Add at least one {what}, one per line.")
        return value.strip()

    def clean_channels(self) -> str:
        return self._clean_lines("channels", "channel")

    def clean_will_commitments(self) -> str:
        return self._clean_lines("will_commitments", "commitment")

    def clean_will_not_commitments(self) -> str:
        return self._clean_lines("will_not_commitments", "commitment")


class PublishForm(PlainTextMixin, forms.Form):
    """The headteacher's choice when publishing: ask every family again, or a correction that keeps
    their signatures valid; and, after the first version, what changed and why."""

    RESIGN, CORRECTION = "resign", "correction"
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    needs_resign = forms.ChoiceField(
        label="Do families need to sign this version again?",
        choices=[
            (RESIGN, "Yes: the expectations changed, so ask every family to read and sign again"),
            (CORRECTION, "No: a correction (say a typo or a renamed channel); signatures already given stay valid"),
        ],
        initial=RESIGN,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether families need to sign again."},
    )
    change_note = forms.CharField(
        label="What changed, and why",
        help_text="Parents see this above the agreement, for example: “Version 2 adds the school's "
        "WhatsApp group; please read and sign again.”",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, first: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.first = first
        if first:
            # Nothing to compare with: every family signs the school's first agreement.
            del self.fields["needs_resign"]
            self.fields["change_note"].label = "A note for parents (optional)"
            self.fields["change_note"].help_text = ""

    def clean_change_note(self) -> str:
        note = self.cleaned_data["change_note"].strip()
        if not note and not self.first:
            raise forms.ValidationError("Say what changed since the last version and why, so parents know.")
        return note

    @property
    def asks_to_sign_again(self) -> bool:
        return self.first or self.cleaned_data.get("needs_resign") != self.CORRECTION


class SignForm(PlainTextMixin, forms.Form):
    """One read, tick and type for every child still to sign for. Ticking a child is the parent's
    confirmation that they sign for that child (the label is the wording stored on the signature)."""

    version_id = forms.IntegerField(widget=forms.HiddenInput)
    children = forms.TypedMultipleChoiceField(
        label=_("Who are you signing for?"),
        help_text=_("Untick a child only if you do not want to sign for them now."),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Tick at least one child to sign for."),
            "invalid_choice": _(
                "You can only sign for your own children who still need a signature. Nothing was signed: "
                "check the list below and try again."
            ),
        },
    )
    read = forms.BooleanField(error_messages={"required": _("Please confirm you have read the agreement.")})
    acknowledge = forms.BooleanField(error_messages={"required": _("Please tick to confirm you understand.")})
    typed_name = forms.CharField(
        label=_("Type your full name to sign"),
        max_length=200,
        error_messages={"required": _("Type your full name to sign.")},
        widget=forms.TextInput(attrs={"autocomplete": "name", "autocapitalize": "words"}),
    )

    def __init__(self, *args, consents: dict[str, str], children: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        for key in ("read", "acknowledge"):
            self.fields[key].label = consents[key]
        self.fields["children"].choices = children
        if len(children) == 1:
            self.fields["children"].label = _("Who you are signing for")

    @property
    def ticked(self) -> set[str]:
        return {key for key in ("read", "acknowledge") if self.cleaned_data.get(key)}


class WithdrawForm(PlainTextMixin, forms.Form):
    reason = forms.CharField(
        label="Why are you withdrawing? (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label="I want to withdraw my signature. I understand the school will ask me to sign again.",
        error_messages={"required": "Tick the box to confirm."},
    )


class PaperSignatureForm(PlainTextMixin, forms.Form):
    """The scan is staged (files.staging) as soon as it is accepted, so a mistake in another
    field never makes the office choose the file again. `staged` is the scan kept so far."""

    form_token = forms.UUIDField(widget=forms.HiddenInput)
    signer_name = forms.CharField(label="Name written on the form", max_length=200)
    signed_on = forms.DateField(
        label="Date on the form", widget=forms.DateInput(attrs={"type": "date"}), input_formats=["%Y-%m-%d", "%d/%m/%Y"]
    )
    scan = forms.FileField(
        label="Scan or photo of the signed form",
        help_text="PDF, PNG, JPEG or WebP.",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg,image/webp"}),
    )

    def __init__(self, *args, staged=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.staged = staged
        self.initial.setdefault("form_token", uuid.uuid4())
        if staged is not None:
            self.fields["scan"].label = "Choose a different scan (optional)"
            self.fields["scan"].help_text = f"“{staged.original_name}” is kept. PDF, PNG, JPEG or WebP."

    @property
    def form_token_value(self) -> uuid.UUID | None:
        raw = self.data.get("form_token") if self.is_bound else self.initial.get("form_token")
        try:
            return uuid.UUID(str(raw))
        except (TypeError, ValueError):
            return None

    def clean_signed_on(self):
        value = self.cleaned_data["signed_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("The date on the form cannot be in the future.")
        return value

    def clean_scan(self):
        """(upload, facts) for a newly chosen scan, None to keep the staged one."""
        upload = self.cleaned_data.get("scan")
        if not upload:
            if self.staged is None:
                raise forms.ValidationError("Choose the scanned form to upload.")
            return None
        if upload.size == 0:
            raise forms.ValidationError("This file is empty.")
        return upload, inspect_upload(upload)
