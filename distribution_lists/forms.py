"""Dashboard forms: upload, markup, fixing an incorrect row."""

from __future__ import annotations

from typing import cast

import phonenumbers
from django import forms

from distribution_lists.services import max_file_bytes
from telephony.imports import suggest_column_names


def region_choices() -> list[tuple[str, str]]:
    from phonenumbers.geocoder import _region_display_name

    regions = sorted(phonenumbers.SUPPORTED_REGIONS)
    return [(code, f"{_region_display_name(code, 'en') or code} ({code})") for code in regions]


class UploadForm(forms.Form):
    name = forms.CharField(max_length=200)
    file = forms.FileField(
        help_text="CSV, TXT, XLS, XLSX or ODS: one row per person, one column with the phone number.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,.xls,.xlsx,.ods"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > max_file_bytes():
            raise forms.ValidationError(
                f"The file is {upload.size / 1_048_576:.1f} MB; files up to "
                f"{max_file_bytes() / 1_048_576:.0f} MB are accepted."
            )
        return upload


class MarkupForm(forms.Form):
    """Header row or not, the phone column, the default country and a name for every other column."""

    has_header = forms.BooleanField(required=False, label="The first row is a header")
    phone_column = forms.TypedChoiceField(coerce=int, label="Phone number column")
    default_region = forms.ChoiceField(
        label="Default country", help_text="Numbers without a country code are read in it."
    )

    def __init__(self, *args, preview: list[list[str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.width = max((len(row) for row in preview), default=1)
        header = preview[0] if preview else []
        names = suggest_column_names(header if self.initial.get("has_header", True) else None, self.width)
        cast(forms.ChoiceField, self.fields["phone_column"]).choices = [
            (index, f"Column {index + 1}" + (f" — {header[index]}" if index < len(header) else ""))
            for index in range(self.width)
        ]
        cast(forms.ChoiceField, self.fields["default_region"]).choices = region_choices()
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
