"""Forms of the DID admin pages; they validate, services write."""

from __future__ import annotations

from django import forms

from dids.models import DID, AfterHoldStatus, ClientPackage, DIDStatus, NumberType, Operator
from dids.numbers import max_range_size
from dids.services import Via, transition_refusal
from telephony.imports.forms import MarkupForm

CREATION_CHOICES = [(s.value, s.label) for s in (DIDStatus.IN_STOCK, DIDStatus.RESERVED, DIDStatus.ARCHIVE)]
EDIT_STATUS_CHOICES = [("", "— unchanged —"), *CREATION_CHOICES]


class DIDAddForm(forms.Form):
    numbers = forms.CharField(
        label="DID(s)",
        widget=forms.Textarea(
            attrs={"rows": 6, "cols": 60, "placeholder": "+441174090100\n+441174090200-+441174090299"}
        ),
        help_text=(
            "One number, several (comma or new line separated) or ranges like 111-222 or "
            f"+441174090100-+441174090199 (both ends included). At most {max_range_size():,} numbers a request."
        ),
    )
    operator = forms.ModelChoiceField(queryset=Operator.objects.all())
    status = forms.ChoiceField(choices=CREATION_CHOICES, initial=DIDStatus.IN_STOCK)
    after_hold_status = forms.ChoiceField(
        label="After hold", choices=AfterHoldStatus.choices, initial=AfterHoldStatus.IN_STOCK
    )
    tag = forms.CharField(max_length=64, required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "cols": 60}), required=False)


class DIDChangeForm(forms.ModelForm):
    """A single DID's edit: a status change is checked as a transition here, applied by the service."""

    class Meta:
        model = DID
        fields = ["operator", "status", "after_hold_status", "tag", "notes"]

    def clean_status(self):
        status = self.cleaned_data["status"]
        if self.instance.pk:
            refusal = transition_refusal(self.instance, status, via=Via.EDIT)
            if refusal:
                raise forms.ValidationError(refusal)
        elif status not in dict(CREATION_CHOICES):
            raise forms.ValidationError("A DID is created only as In Stock, Reserved or Archive.")
        return status


class DIDBulkEditForm(forms.Form):
    """Blank fields stay as they are; the clear boxes empty a tag or notes on purpose."""

    operator = forms.ModelChoiceField(queryset=Operator.objects.all(), required=False, empty_label="— unchanged —")
    status = forms.ChoiceField(choices=EDIT_STATUS_CHOICES, required=False)
    after_hold_status = forms.ChoiceField(
        label="After hold", choices=[("", "— unchanged —"), *AfterHoldStatus.choices], required=False
    )
    tag = forms.CharField(max_length=64, required=False)
    clear_tag = forms.BooleanField(required=False, label="Remove the tag")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "cols": 60}), required=False)
    clear_notes = forms.BooleanField(required=False, label="Remove the notes")

    def changes(self) -> dict:
        data = self.cleaned_data
        changes: dict = {}
        for name in ("operator", "status", "after_hold_status"):
            if data.get(name):
                changes[name] = data[name]
        if data.get("clear_tag"):
            changes["tag"] = ""
        elif data.get("tag"):
            changes["tag"] = data["tag"]
        if data.get("clear_notes"):
            changes["notes"] = ""
        elif data.get("notes"):
            changes["notes"] = data["notes"]
        return changes

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not self.changes():
            raise forms.ValidationError("Choose at least one field to change.")
        return cleaned


class StockSearchForm(forms.Form):
    """The customer page's DIDs tab: which In Stock numbers to offer."""

    q = forms.CharField(label="Digits", required=False)
    iso_country = forms.CharField(
        label="Country", max_length=2, required=False, widget=forms.TextInput(attrs={"placeholder": "GB"})
    )
    number_type = forms.ChoiceField(choices=[("", "Any type"), *NumberType.choices], required=False)
    tag = forms.CharField(max_length=64, required=False)


class AssignForm(forms.Form):
    client_package = forms.ModelChoiceField(queryset=ClientPackage.objects.none())
    # Any DID: the service names each one that is not In Stock any more.
    dids = forms.ModelMultipleChoiceField(queryset=DID.objects.all())

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client_package"].queryset = ClientPackage.objects.filter(customer=customer, active=True)


class DIDImportUploadForm(forms.Form):
    file = forms.FileField(help_text="CSV, XLS or XLSX; the next step says which column is what.")


class DIDImportMarkupForm(MarkupForm):
    """The import's markup (the phone column is the number column) plus a column for each other role,
    and the values for rows without one."""

    default_operator = forms.ModelChoiceField(
        queryset=Operator.objects.all(), required=False, label="Operator for rows without one"
    )
    default_status = forms.ChoiceField(
        choices=CREATION_CHOICES, initial=DIDStatus.IN_STOCK, label="Status for rows without one"
    )
    default_tag = forms.CharField(max_length=64, required=False, label="Tag for rows without one")

    ROLES = (("operator", "Operator"), ("status", "Status"), ("tag", "Tag"), ("notes", "Notes"))

    def __init__(self, *args, preview: list[list[str]], **kwargs):
        header = preview[0] if preview else []
        guesses = _guess_roles(header)
        initial = kwargs.setdefault("initial", {})
        if "number" in guesses:
            initial.setdefault("phone_column", int(guesses["number"]))
        super().__init__(*args, preview=preview, **kwargs)
        self.fields["phone_column"].label = "Number column"
        self.fields["default_region"].label = "Country of numbers written nationally (e.g. 0117 …)"
        self.fields["default_region"].help_text = ""
        choices = [("", "— none —")] + [(str(index), label) for index, label in self.fields["phone_column"].choices]
        for role, label in self.ROLES:
            self.fields[f"column_{role}"] = forms.ChoiceField(
                choices=choices, required=False, label=f"{label} column", initial=guesses.get(role, "")
            )

    def columns(self) -> dict[str, int | None]:
        columns: dict[str, int | None] = {"number": self.cleaned_data["phone_column"]}
        for role, _label in self.ROLES:
            value = self.cleaned_data.get(f"column_{role}")
            columns[role] = int(value) if value else None
        return columns


def _guess_roles(header: list[str]) -> dict[str, str]:
    words = {
        "number": ("number", "did", "phone", "e164", "msisdn"),
        "operator": ("operator", "carrier", "provider"),
        "status": ("status", "state"),
        "tag": ("tag",),
        "notes": ("notes", "note", "comment"),
    }
    guesses: dict[str, str] = {}
    for index, name in enumerate(header):
        lowered = name.strip().lower()
        for role, names in words.items():
            if role not in guesses and lowered in names:
                guesses[role] = str(index)
    return guesses
