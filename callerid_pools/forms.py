"""Forms of the caller-ID pool admin: the pool, the upload and its markup."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from callerid_pools.models import NumberPool
from customers.tenancy import owner_refusal
from telephony.imports.jobs import SPREADSHEET_EXTENSIONS, type_names


class NumberPoolAdminForm(forms.ModelForm):
    class Meta:
        model = NumberPool
        fields = ["name", "pool_type", "customer", "is_global"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        refusal = owner_refusal(cleaned.get("customer"), bool(cleaned.get("is_global")), thing="pool")
        if refusal:
            self.add_error("customer", refusal)
        elif self.instance.pk and self.instance.members.exists():
            changed = (
                cleaned.get("is_global") != self.instance.is_global
                or (cleaned.get("customer") and cleaned["customer"].pk) != self.instance.customer_id
            )
            if changed:
                self.add_error(
                    "customer",
                    "This pool has members that belong to its current owner: remove them before changing "
                    "its customer or Global.",
                )
        return cleaned

    def _post_clean(self) -> None:
        # The owner rule above already says it in words; skip the constraint's
        # second, generic message for the same mistake.
        if "customer" in self.errors:
            return
        super()._post_clean()  # type: ignore[misc]  # ModelForm's own step, left out of the stubs


class NumberPoolUploadForm(NumberPoolAdminForm):
    # The extension, the size, the content and the rows are checked by the import engine when the file is kept.
    file = forms.FileField(
        help_text=f"A {type_names(SPREADSHEET_EXTENSIONS)} file with one number a row.",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(f".{ext}" for ext in SPREADSHEET_EXTENSIONS)}),
    )


def default_region() -> str:
    return settings.DIDS_DEFAULT_REGION or "GB"
