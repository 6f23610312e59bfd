"""The compose form of a cluster alert. Every message sits beside its field."""

from __future__ import annotations

from django import forms

from ..models import Incident, Nature
from .drafts import Draft, personal_data_problems

NO_NAMES = "No names of pupils, staff or parents, and nothing that points to one (a class, a year group, a street)."


class ClusterAlertForm(forms.Form):
    platform_name = forms.CharField(label="Platform", max_length=100)
    natures = forms.MultipleChoiceField(
        label="What kind of post is it?",
        choices=Nature.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tick at least one, so other schools know what to look for."},
    )
    account_is_public = forms.BooleanField(
        label="It is a public account or group: include its name",
        required=False,
        help_text="Leave this off for a private person's account. Only a public page or group is named.",
    )
    account_name = forms.CharField(
        label="Name of the public account or group",
        max_length=200,
        required=False,
        help_text="Sent only if you tick the box above.",
    )
    summary = forms.CharField(
        label="What happened",
        max_length=1500,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"A few lines on the kind of post and how it spread. {NO_NAMES}",
        error_messages={"required": "Say in a few lines what happened, without names."},
    )
    actions_taken = forms.CharField(
        label="What your school did",
        max_length=1500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=NO_NAMES,
    )
    advice = forms.CharField(
        label="Advice for the other schools",
        max_length=1500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example what to watch for, or what worked. " + NO_NAMES,
    )
    show_school_name = forms.BooleanField(
        label="Show our school's name",
        required=False,
        help_text="Off: the other schools read “A school in your cluster”.",
    )

    def __init__(self, *args, incident: Incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.incident = incident

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("account_is_public") and not (data.get("account_name") or "").strip():
            self.add_error("account_name", "Give the public account's or group's name, or untick the box above.")
        if not self.errors:
            for field, message in personal_data_problems(self.draft(data), self.incident).items():
                self.add_error(field, message)
        return data

    def draft(self, data: dict | None = None) -> Draft:
        return Draft.from_data(self.cleaned_data if data is None else data)
