"""Forms of the data-protection pages: searches read, the notice form writes."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils import timezone

from accounts.models import Pupil, School
from incidents.forms import DateInput
from schoolsocial.lib.terms import term_for

from . import history
from .models import PrivacyNotice
from .retention import MAX_YEARS, MIN_YEARS


class HistorySearchForm(forms.Form):
    record_type = forms.ChoiceField(label="Kind of record")
    record = forms.CharField(
        label="Reference or number",
        required=False,
        max_length=40,
        help_text="For example NBP-2026-0007 or a record's number. Leave empty to see the latest changes.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["record_type"]).choices = history.record_types()


class AccessLogSearchForm(forms.Form):
    person = forms.CharField(
        label="Who opened it", required=False, max_length=100, help_text="Part of a name or email address."
    )
    pupil = forms.ModelChoiceField(
        label="Records about this pupil",
        required=False,
        queryset=Pupil.objects.none(),
        empty_label="Any pupil",
        help_text="The pupil's own record and every case, complaint and signature about them.",
    )
    record_type = forms.ChoiceField(label="Kind of record", required=False)
    record = forms.CharField(label="Record number", required=False, max_length=40)
    since = forms.DateField(label="From", required=False, widget=DateInput())
    until = forms.DateField(label="To", required=False, widget=DateInput())

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["pupil"]).queryset = Pupil.objects.filter(school=school).order_by(
            "last_name", "first_name"
        )
        cast(forms.ChoiceField, self.fields["record_type"]).choices = [("", "Any kind"), *history.record_types()]

    @staticmethod
    def this_term() -> dict:
        _, start, _ = term_for(timezone.localdate())
        return {"since": start}

    def clean(self):
        super().clean()
        data = self.cleaned_data
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "The end date is before the start date.")
        record = (data.get("record") or "").strip()
        if record and not record.isdigit():
            self.add_error("record", "Type the record's number, for example 42.")
        if record and not data.get("record_type"):
            self.add_error("record_type", "Choose which kind of record the number belongs to.")
        return data


class PrivacyNoticeForm(forms.ModelForm):
    class Meta:
        model = PrivacyNotice
        fields = ["body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 24})}

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if len(body) < 200:
            raise forms.ValidationError(
                "A privacy notice needs to say who you are, what you hold, why, for how long and what "
                "people's rights are. This is too short to do that."
            )
        return body


class RetentionChangeForm(forms.Form):
    years = forms.IntegerField(label="Years", min_value=MIN_YEARS, max_value=MAX_YEARS)
    reason = forms.CharField(
        label="Why your school keeps it for this long",
        max_length=300,
        required=False,
        help_text="Needed when the period differs from the recommended one, for example the advice of your "
        "DPO or trust. Kept with the change.",
    )

    def __init__(self, *args, default_years: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.default_years = default_years

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        years, reason = data.get("years"), (data.get("reason") or "").strip()
        data["reason"] = reason
        # Departing from the recommended period is a decision a DPO will ask about; going back to it is not.
        if years is not None and years != self.default_years and not reason:
            self.add_error(
                "reason", f"Say why your school keeps it for a period other than the recommended {self.default_years}."
            )
        return data


class Decision:
    DESTROY = "destroy"
    KEEP = "keep"
    HOLD = "hold"


class ReviewDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="What should happen to it?",
        widget=forms.RadioSelect,
        choices=[
            (
                Decision.DESTROY,
                "Destroy it now: the record, its files and its history go; a line in the destruction log stays",
            ),
            (Decision.KEEP, "Keep it until a date, for a reason"),
            (Decision.HOLD, "Place a legal hold: keep it, and leave it off every review until the hold is lifted"),
        ],
    )
    keep_until = forms.DateField(label="Keep until", required=False, widget=DateInput())
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed to keep it or to place a hold. Do not write names here: this note is kept.",
    )
    confirm = forms.BooleanField(label="I understand that a destroyed record cannot be brought back.", required=False)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        decision = data.get("decision")
        if decision == Decision.KEEP:
            until = data.get("keep_until")
            if until is None:
                self.add_error("keep_until", "Choose the date until which it is kept.")
            elif until <= timezone.localdate():
                self.add_error("keep_until", "Choose a date after today.")
        if decision in (Decision.KEEP, Decision.HOLD) and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say why it is kept.")
        if decision == Decision.DESTROY and not data.get("confirm"):
            self.add_error("confirm", "Tick to confirm that the record is destroyed for good.")
        return data


class LiftHoldForm(forms.Form):
    reason = forms.CharField(label="Why the hold ends", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
