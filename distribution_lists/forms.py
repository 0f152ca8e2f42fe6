"""Dashboard forms: upload, markup, fixing an incorrect row."""

from __future__ import annotations

from django import forms

from distribution_lists.services import max_file_bytes
from telephony.imports import suggest_column_names
from telephony.imports.forms import MarkupForm as ImportMarkupForm
from telephony.imports.jobs import SPREADSHEET_EXTENSIONS, type_names


class UploadForm(forms.Form):
    name = forms.CharField(max_length=200)
    file = forms.FileField(
        help_text=f"{type_names(SPREADSHEET_EXTENSIONS)}: one row per person, one column with the phone number.",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(f".{ext}" for ext in SPREADSHEET_EXTENSIONS)}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > max_file_bytes():
            raise forms.ValidationError(
                f"The file is {upload.size / 1_048_576:.1f} MB; files up to "
                f"{max_file_bytes() / 1_048_576:.0f} MB are accepted."
            )
        return upload


class MarkupForm(ImportMarkupForm):
    """The import's markup plus a name for every other column (the list's variables)."""

    def __init__(self, *args, preview: list[list[str]], **kwargs):
        super().__init__(*args, preview=preview, **kwargs)
        names = suggest_column_names(self.header or None, self.width)
        for index in range(self.width):
            self.fields[f"column_{index}"] = forms.CharField(
                required=False,
                max_length=63,
                initial=names[index],
                label=f"Name of column {index + 1}",
                widget=forms.TextInput(attrs={"aria-label": f"Name of column {index + 1}"}),
            )

    def column_fields(self):
        return [self[f"column_{index}"] for index in range(self.width)]

    def column_names(self) -> list[str]:
        return [self.cleaned_data.get(f"column_{index}", "").strip() for index in range(self.width)]


class FixRowForm(forms.Form):
    phone = forms.CharField(max_length=64, label="Phone number")
