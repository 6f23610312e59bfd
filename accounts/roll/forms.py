"""The office's forms for an import: the upload, and matching the columns the portal does not know."""

from __future__ import annotations

from django import forms

from . import actions, columns, parsing

EMPTY = "The file is empty. Export the roll from the MIS again and upload the new file."


class RollUploadForm(forms.Form):
    pupils_file = forms.FileField(
        label="Pupils file",
        help_text="The CSV export of pupils on roll from SIMS, Arbor, Bromcom or ScholarPack.",
        error_messages={"required": "Choose the pupils file exported from your MIS.", "empty": EMPTY},
    )
    contacts_file = forms.FileField(
        label="Contacts file (optional)",
        required=False,
        help_text="The CSV export of each pupil's parents and carers, with the pupil's UPN on each row.",
        error_messages={"empty": EMPTY},
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        for field in self.fields.values():
            field.widget.attrs["accept"] = ".csv,text/csv"

    def _read(self, name: str, kind: str) -> str:
        upload = self.cleaned_data.get(name)
        if not upload:
            return ""
        if upload.size > actions.max_bytes():
            raise forms.ValidationError(
                f"The file is {upload.size / 1_048_576:.1f} MB; the most the portal takes is "
                f"{actions.max_bytes() / 1_048_576:.0f} MB. A school's whole roll is far smaller: check it is the right file."
            )
        try:
            text = actions.read_upload(upload.read())
            actions.file_columns(self.school, kind, text)
        except parsing.FileProblem as problem:
            raise forms.ValidationError(str(problem)) from problem
        return text

    def clean_pupils_file(self):
        self.pupils_text = self._read("pupils_file", columns.PUPILS)
        return self.cleaned_data["pupils_file"]

    def clean_contacts_file(self):
        self.contacts_text = self._read("contacts_file", columns.CONTACTS)
        return self.cleaned_data["contacts_file"]


class ColumnsForm(forms.Form):
    """One choice per heading the portal did not recognise: which field it holds, or leave it out."""

    def __init__(self, *args, found: list[actions.FileColumns], **kwargs):
        super().__init__(*args, **kwargs)
        self.headings: dict[str, tuple[str, str]] = {}
        for file in found:
            choices = [(columns.IGNORE, "Leave this column out")] + [
                (field.name, field.label) for field in columns.FIELDS[file.kind]
            ]
            for index, heading in enumerate(file.unknown):
                name = f"{file.kind}-{index}"
                self.headings[name] = (file.kind, heading)
                self.fields[name] = forms.ChoiceField(
                    label=f"“{heading}” ({'pupils' if file.kind == columns.PUPILS else 'contacts'} file)",
                    choices=choices,
                    required=False,
                )

    def choices(self) -> dict[str, dict[str, str]]:
        chosen: dict[str, dict[str, str]] = {}
        for name, (kind, heading) in self.headings.items():
            chosen.setdefault(kind, {})[heading] = self.cleaned_data.get(name) or columns.IGNORE
        return chosen
