"""The one markup form and the one region picker of every upload.

:class:`MarkupForm` asks what every import needs — header row or not, the
phone column, the default country — from the first rows of the file; a kind
adds its own fields in a subclass (a list names its columns, a DID import
picks its operator column and defaults). :class:`RegionField` is the country
picker, used by the markup form and wherever else a default country is asked.
"""

from __future__ import annotations

from functools import cache
from typing import cast

import phonenumbers
from django import forms
from phonenumbers import geocoder

from .markup import guess_phone_column

# Regions phonenumbers dials but has no name for (it names every other one).
REGION_NAMES = {
    "AC": "Ascension Island",
    "TA": "Tristan da Cunha",
    "XK": "Kosovo",
}


def region_name(region: str) -> str:
    """The English name of a region phonenumbers knows, e.g. "United Kingdom" for GB."""
    # The names country_name_for_number reads; asked by region, because a code
    # shared with neighbours (+590: BL, GP, MF) gives no name for an example number.
    return geocoder._region_display_name(region, "en") or REGION_NAMES.get(region, "")


@cache
def region_choices() -> list[tuple[str, str]]:
    """Every country phonenumbers knows, as ``("GB", "United Kingdom (GB)")``, sorted by code."""
    choices = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        name = region_name(region)
        choices.append((region, f"{name} ({region})" if name else region))
    return choices


class RegionField(forms.ChoiceField):
    """A country by its ISO code, from a list of names."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Default country")
        kwargs.setdefault("help_text", "Numbers written without a country code are read in it.")
        super().__init__(choices=region_choices, **kwargs)


class MarkupForm(forms.Form):
    """Header row or not, the phone column and the default country, for a file whose first rows are ``preview``.

    The phone column is guessed from the header and the cells unless the
    caller's ``initial`` gives it.
    """

    has_header = forms.BooleanField(required=False, initial=True, label="The first row is a header")
    phone_column = forms.TypedChoiceField(coerce=int, label="Phone number column")
    default_region = RegionField(initial="GB")

    def __init__(self, *args, preview: list[list[str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.preview = preview
        self.width = max((len(row) for row in preview), default=1)
        self.header = preview[0] if preview and self.initial.get("has_header", True) else []
        self.column_choices = [
            (index, f"Column {index + 1}" + (f" — {self.header[index]}" if index < len(self.header) else ""))
            for index in range(self.width)
        ]
        cast(forms.ChoiceField, self.fields["phone_column"]).choices = self.column_choices
        if "phone_column" not in self.initial:
            has_header = self.initial.get("has_header", True)
            self.initial["phone_column"] = guess_phone_column(
                preview[1:] if has_header else preview,
                header=preview[0] if has_header and preview else None,
                default_region=self.initial.get("default_region") or "GB",
            )
