from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone

from schoolsocial.lib.concurrency import VersionedForm
from schoolsocial.lib.text import PlainTextMixin

from .importing import ImportFailed, markdown_from_upload
from .models import PolicyDocument

BODY_HELP = (
    "Write in Markdown: start a line with # for a heading, ## for a sub-heading, - for a bullet point, "
    "1. for a numbered list; **bold** and *italic*. Web addresses become links. HTML is shown as typed."
)
SUMMARY_REQUIRED = {"required": "Say what changed in this version, in a sentence or two."}
UPLOAD_HELP = "A Word document (.docx) or a plain text file (.txt). Headings and lists are kept; pictures are left out."


class UploadMixin:
    """Reads an uploaded policy into Markdown, with a clear message beside the field on failure."""

    upload_notes: list[str]
    upload_markdown: str | None
    cleaned_data: dict[str, Any]  # given by the form this is mixed into

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        self.upload_notes = []
        self.upload_markdown = None
        if not upload:
            return upload
        if upload.size > settings.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The file is too large (the limit is {settings.MAX_UPLOAD_BYTES // (1024 * 1024)} MB)."
            )
        try:
            self.upload_markdown, self.upload_notes = markdown_from_upload(upload.name, upload.read())
        except ImportFailed as error:
            raise forms.ValidationError(str(error)) from error
        return upload


class DocumentForm(PlainTextMixin, forms.ModelForm):
    class Meta:
        model = PolicyDocument
        fields = ["title", "category", "owner", "review_interval_months", "staff_must_acknowledge"]
        labels = {"review_interval_months": "Review every (months)", "owner": "Owned and approved by"}

    def clean_review_interval_months(self):
        months = self.cleaned_data["review_interval_months"]
        if not 1 <= months <= 60:
            raise forms.ValidationError("Choose between 1 and 60 months.")
        return months


class NewPolicyForm(UploadMixin, DocumentForm):
    body_markdown = forms.CharField(
        label="Policy text", widget=forms.Textarea(attrs={"rows": 16}), required=False, help_text=BODY_HELP
    )
    upload = forms.FileField(label="Or start from a file", required=False, help_text=UPLOAD_HELP)
    change_summary = forms.CharField(
        label="What is this version?",
        max_length=500,
        error_messages=SUMMARY_REQUIRED,
        initial="First version written in the portal.",
    )

    def clean(self):
        cleaned = super().clean()
        typed = cleaned.get("body_markdown", "").strip()
        if not self.errors and not typed and not self.upload_markdown:
            self.add_error("body_markdown", "Write the policy text here, or choose a file to start from.")
        if typed and self.upload_markdown:
            # Never drop what someone typed in favour of a file (or the other way round): ask.
            self.add_error(
                "upload",
                "You have typed the policy text and chosen a file. Start from one of them: empty the "
                "text box to use the file, or leave this empty to keep what you typed.",
            )
        elif self.upload_markdown:
            cleaned["body_markdown"] = self.upload_markdown
        return cleaned


class DraftForm(PlainTextMixin, VersionedForm):
    body_markdown = forms.CharField(label="Policy text", widget=forms.Textarea(attrs={"rows": 24}), help_text=BODY_HELP)
    change_summary = forms.CharField(
        label="What changed in this version?",
        max_length=500,
        error_messages=SUMMARY_REQUIRED,
        help_text="A sentence or two that staff and governors will read, for example \u201cAdded a section on class WhatsApp groups.\u201d",
    )

    def clean_body_markdown(self):
        body = self.cleaned_data["body_markdown"]
        if not body.strip():
            raise forms.ValidationError("The policy text cannot be empty.")
        return body


class ImportForm(UploadMixin, PlainTextMixin, forms.Form):
    upload = forms.FileField(label="File", help_text=UPLOAD_HELP)
    change_summary = forms.CharField(
        label="What changed in this version?",
        max_length=500,
        error_messages=SUMMARY_REQUIRED,
        initial="Imported from the school's Word document.",
    )


class ApproveForm(PlainTextMixin, VersionedForm):
    review_date = forms.DateField(
        label="Review by",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Set from the policy's review interval; change it if the governors agreed another date.",
    )

    def clean_review_date(self) -> date:
        review_date = self.cleaned_data["review_date"]
        if review_date <= timezone.localdate():
            raise forms.ValidationError("The review date must be in the future.")
        return review_date
