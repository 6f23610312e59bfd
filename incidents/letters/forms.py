from __future__ import annotations

from django import forms

from schoolsocial.lib.text import PlainTextMixin

from .models import DeliveryMethod, Letter, LetterKind
from .wording import PLACEHOLDERS, check_wording


class NewLetterForm(PlainTextMixin, forms.Form):
    kind = forms.ChoiceField(label="Which letter?", choices=LetterKind.choices)


class DraftForm(PlainTextMixin, forms.ModelForm):
    class Meta:
        model = Letter
        fields = [
            "recipient_name",
            "recipient_address",
            "recipient_email",
            "letter_date",
            "subject",
            "body",
            "quoted_post",
        ]
        widgets = {
            "recipient_address": forms.Textarea(attrs={"rows": 4}),
            "body": forms.Textarea(attrs={"rows": 16}),
            "quoted_post": forms.Textarea(attrs={"rows": 4}),
            "letter_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        labels = {
            "recipient_name": "To",
            "recipient_address": "Their postal address",
            "recipient_email": "Their email address (for sending the PDF)",
            "letter_date": "Date on the letter",
            "body": "The letter",
        }
        help_texts = {
            "quoted_post": "Shown set apart in a box under the first paragraph that mentions it. You may shorten it.",
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipient_name"].error_messages["required"] = "Say who the letter is to."
        self.fields["subject"].error_messages["required"] = "Give the letter a heading."
        self.fields["body"].error_messages["required"] = "Write the letter."


class EmailLetterForm(PlainTextMixin, forms.Form):
    email = forms.EmailField(label="Send to")


class HandoverForm(PlainTextMixin, forms.Form):
    method = forms.ChoiceField(
        label="How did it go?", choices=[(DeliveryMethod.POST, "Posted"), (DeliveryMethod.HAND, "Handed over")]
    )
    note = forms.CharField(label="Note (optional)", required=False, max_length=300)


class WordingForm(PlainTextMixin, forms.Form):
    subject = forms.CharField(max_length=200)
    body = forms.CharField(label="Wording", widget=forms.Textarea(attrs={"rows": 18}))
    change_note = forms.CharField(label="What you changed (optional)", max_length=300, required=False)

    placeholders = PLACEHOLDERS

    def clean_subject(self) -> str:
        check_wording(self.cleaned_data["subject"])
        return self.cleaned_data["subject"]

    def clean_body(self) -> str:
        check_wording(self.cleaned_data["body"])
        return self.cleaned_data["body"]
