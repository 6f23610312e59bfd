"""Forms of the subject access request pages."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils import timezone

from accounts.models import School
from incidents.forms import DateInput

from .access import parents_for_requests, pupils_for_requests
from .sar import MAX_EXTENSION_MONTHS
from .sar_models import FileChoice, Relationship, SarDecision, SarItem, SubjectKind


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.full_name} ({obj.email})"


class RegisterRequestForm(forms.Form):
    requester_name = forms.CharField(label="Name of the person asking", max_length=200)
    requester_email = forms.EmailField(
        label="Their email address",
        required=False,
        help_text="Optional. Only used to tell them the answer is ready; the answer itself is never emailed.",
    )
    relationship = forms.ChoiceField(label="Who they are to the person", choices=Relationship.choices)
    subject_kind = forms.ChoiceField(
        label="The request is about", choices=SubjectKind.choices, widget=forms.RadioSelect
    )
    pupil: forms.ModelChoiceField = forms.ModelChoiceField(
        label="Pupil", required=False, queryset=None, empty_label="Choose a pupil"
    )
    person = PersonChoiceField(
        label="Parent or carer", required=False, queryset=None, empty_label="Choose a parent or carer"
    )
    received_on = forms.DateField(
        label="Date received",
        widget=DateInput(),
        help_text="The day the request reached the school, in any form. The month to answer starts here.",
    )
    identity_note = forms.CharField(
        label="Identity checked (how)",
        required=False,
        max_length=300,
        help_text="For example “passport seen in person”. Leave empty if it is still to be checked.",
    )

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["pupil"]).queryset = pupils_for_requests(school)
        cast(forms.ModelChoiceField, self.fields["person"]).queryset = parents_for_requests(school)

    def clean_received_on(self):
        received = self.cleaned_data["received_on"]
        if received > timezone.localdate():
            raise forms.ValidationError("The date received cannot be in the future.")
        return received

    def clean(self):
        super().clean()
        data = self.cleaned_data
        kind = data.get("subject_kind")
        if kind == SubjectKind.PUPIL and not data.get("pupil"):
            self.add_error("pupil", "Choose the pupil the request is about.")
        if kind == SubjectKind.PERSON and not data.get("person"):
            self.add_error("person", "Choose the parent or carer the request is about.")
        return data


class IdentityCheckForm(forms.Form):
    note = forms.CharField(
        label="How the identity was checked",
        max_length=300,
        help_text="For example “driving licence seen at the office”.",
    )


class ExtendForm(forms.Form):
    months = forms.TypedChoiceField(
        label="Extend by",
        coerce=int,
        choices=[(n, f"{n} month{'s' if n > 1 else ''}") for n in range(1, MAX_EXTENSION_MONTHS + 1)],
    )
    reason = forms.CharField(
        label="Why more time is needed",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the request's history. Tell the requester within the first month.",
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="Why the request is closed without an answer", max_length=300)


class ItemDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        widget=forms.RadioSelect,
        choices=[
            (SarDecision.RELEASE, "Release it as it is"),
            (SarDecision.REDACT, "Release it with redactions"),
            (SarDecision.WITHHOLD, "Withhold it"),
        ],
    )
    redact_names = forms.MultipleChoiceField(
        label="Names to redact",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Each name, and each part of it, is replaced by “[redacted]” wherever it appears.",
    )
    redact_fields = forms.MultipleChoiceField(
        label="Parts to redact in full", required=False, widget=forms.CheckboxSelectMultiple
    )
    file_choice = forms.ChoiceField(
        label="The files of this item",
        required=False,
        widget=forms.RadioSelect,
        choices=[(FileChoice.WITHHOLD, FileChoice.WITHHOLD.label), (FileChoice.RELEASE, FileChoice.RELEASE.label)],
        help_text="The portal cannot redact inside a file or image.",
    )
    withhold_reason = forms.CharField(
        label="Why it is withheld",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example the exemption that applies. The reason is told to the requester.",
    )

    def __init__(self, *args, item: SarItem, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        cast(forms.MultipleChoiceField, self.fields["redact_names"]).choices = [(n, n) for n in item.other_people]
        cast(forms.MultipleChoiceField, self.fields["redact_fields"]).choices = [(k, k) for k in item.text]
        if not item.other_people:
            del self.fields["redact_names"]
        if not item.text:
            del self.fields["redact_fields"]
        if not item.files:
            del self.fields["file_choice"]

    def clean(self):
        super().clean()
        data = self.cleaned_data
        decision = data.get("decision")
        if decision == SarDecision.REDACT:
            if not data.get("redact_names") and not data.get("redact_fields"):
                self.add_error(None, "Choose the names or the parts to redact.")
            if self.item.files and not data.get("file_choice"):
                self.add_error("file_choice", "Choose whether its files are left out or released as they are.")
        if decision == SarDecision.WITHHOLD and not (data.get("withhold_reason") or "").strip():
            self.add_error("withhold_reason", "Say why it is withheld.")
        return data
