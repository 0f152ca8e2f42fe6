"""The administrators' view of every do-not-call list; the platform list is the entries without a customer."""

from django import forms
from django.contrib import admin

from dnc.models import DncEntry, DncSource
from dnc.services import DncError, clean_number


class DncEntryForm(forms.ModelForm):
    class Meta:
        model = DncEntry
        fields = ["customer", "number", "is_prefix", "expires_at", "comment"]

    def clean(self):
        data = super().clean()
        try:
            data["number"] = clean_number(data.get("number", ""), is_prefix=data.get("is_prefix", False))
            self.instance.number = data["number"]
        except DncError as error:
            self.add_error("number", str(error))
        return data


@admin.register(DncEntry)
class DncEntryAdmin(admin.ModelAdmin):
    form = DncEntryForm
    list_display = ["number", "is_prefix", "customer", "source", "created_at", "expires_at", "added_by"]
    list_filter = ["source", "is_prefix", ("customer", admin.EmptyFieldListFilter)]
    search_fields = ["number", "customer__name", "comment"]
    list_select_related = ["customer", "added_by"]
    raw_id_fields = ["customer"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        from dnc.services import dnc_add

        entry, _ = dnc_add(
            customer=obj.customer,
            number=obj.number,
            is_prefix=obj.is_prefix,
            source=DncSource.ADMIN,
            added_by=request.user,
            expires_at=obj.expires_at,
            comment=obj.comment,
        )
        obj.pk = entry.pk
