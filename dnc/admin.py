"""The administrators' view of every do-not-call list; the platform list is the entries without a customer."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path

from customers.models import Customer
from dnc.models import DncEntry, DncSource, DncUpload
from dnc.services import DncError, clean_number, dnc_add
from dnc.upload import dnc_upload, dnc_upload_delete
from telephony.admin_filters import yes_no_filter

# No customer: the platform's own list, applied to every customer's calls.
PLATFORM = {"yes": "Platform (every customer)", "no": "One customer's"}


class DncEntryForm(forms.ModelForm):
    class Meta:
        model = DncEntry
        fields = ["customer", "number", "is_prefix", "expires_at", "comment"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        try:
            data["number"] = clean_number(data.get("number", ""), is_prefix=data.get("is_prefix", False))
            self.instance.number = data["number"]
        except DncError as error:
            self.add_error("number", str(error))
        return data


class DncUploadForm(forms.Form):
    customer = forms.ModelChoiceField(
        queryset=Customer.objects.order_by("name"),
        required=False,
        empty_label="The platform list (every customer)",
        help_text="Whose list the numbers go on.",
    )
    file = forms.FileField(
        help_text="CSV, XLS or XLSX, numbers in the first column; prefix:+44870 or +44870* for a prefix. "
        "Large files (a million numbers) are imported in the background."
    )


@admin.register(DncEntry)
class DncEntryAdmin(admin.ModelAdmin):
    form = DncEntryForm
    change_list_template = "admin/dnc/dncentry_change_list.html"
    list_display = ["number", "is_prefix", "customer", "source", "created_at", "expires_at", "added_by"]
    list_filter = [
        "source",
        yes_no_filter("is_prefix", "entry", yes="Prefix (a whole range)", no="One number"),
        yes_no_filter("customer__isnull", "list", **PLATFORM),
    ]
    search_fields = ["number", "customer__name", "comment"]
    list_select_related = ["customer", "added_by"]
    raw_id_fields = ["customer"]

    def get_urls(self):
        upload = path("upload/", self.admin_site.admin_view(self.upload_view), name="dnc_dncentry_upload")
        return [upload, *super().get_urls()]

    def upload_view(self, request):
        """Upload a file of numbers to the platform list or a customer's, with the usual report."""
        if not self.has_add_permission(request):
            raise PermissionDenied

        form = DncUploadForm(request.POST or None, request.FILES or None)
        record = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                record = dnc_upload(
                    customer=form.cleaned_data["customer"], upload=upload, filename=upload.name, added_by=request.user
                )
            except DncError as error:
                form.add_error("file", str(error))
        context = {
            **self.admin_site.each_context(request),
            "title": "Upload do-not-call numbers",
            "opts": self.model._meta,
            "form": form,
            "record": record,
        }
        return TemplateResponse(request, "admin/dnc/upload.html", context)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return

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


@admin.register(DncUpload)
class DncUploadAdmin(admin.ModelAdmin):
    """Uploaded files and their reports (large ones are imported by a worker: status "Importing")."""

    list_display = [
        "job__original_filename",
        "job__customer",
        "status",
        "job__rows_total",
        "added_count",
        "job__created_by",
        "job__created_at",
    ]
    list_filter = ["job__status", yes_no_filter("job__customer__isnull", "list", **PLATFORM)]
    list_select_related = ["job__customer", "job__created_by"]
    readonly_fields = ["job", "added_count", "already_listed_count", "incorrect_rows"]

    @admin.display(description="status")
    def status(self, obj: DncUpload) -> str:
        return obj.get_status_display() + (f": {obj.failure_reason}" if obj.failure_reason else "")

    def has_add_permission(self, request):
        return False  # through "Upload a file" on the do-not-call entries

    def delete_model(self, request, obj):
        dnc_upload_delete(upload=obj)

    def delete_queryset(self, request, queryset):
        for upload in queryset.select_related("job"):
            dnc_upload_delete(upload=upload)
