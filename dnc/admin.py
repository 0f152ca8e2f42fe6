"""The administrators' view of every do-not-call list; the platform list is the entries without a customer."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join

from customers.models import Customer
from dnc.models import DncEntry, DncSource, DncUpload, UploadStatus, job_statuses_of
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
        help_text="A CSV, XLS, XLSX or ODS file, numbers in the first column (a first row without digits is a "
        "header and is skipped); prefix:+44870 or +44870* for a prefix. "
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


# An upload's page, every field read-only (only dnc.upload writes one).
UPLOAD_FIELDS = (
    "file",
    "list_owner",
    "status",
    "uploaded_by",
    "uploaded_at",
    "rows",
    "added",
    "already_listed",
    "incorrect_count",
    "incorrect_table",
)


class UploadStatusFilter(admin.SimpleListFilter):
    """The statuses an upload has, in the words the customer's page uses (not its job's)."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return UploadStatus.choices

    def queryset(self, request, queryset):
        status = self.value()
        if status is not None and status in UploadStatus.values:
            return queryset.filter(job__status__in=job_statuses_of(status))
        return queryset


@admin.register(DncUpload)
class DncUploadAdmin(admin.ModelAdmin):
    """Uploaded files and their reports (large ones are imported by a worker: status "Importing").

    Only ``dnc.upload`` writes an upload, so its page is read-only; forgetting one (delete) stays."""

    list_display = ["file", "list_owner", "status", "rows", "added", "uploaded_by", "uploaded_at"]
    list_filter = [UploadStatusFilter, yes_no_filter("job__customer__isnull", "list", **PLATFORM)]
    list_select_related = ["job__customer", "job__created_by"]
    fields = UPLOAD_FIELDS
    readonly_fields = UPLOAD_FIELDS

    @admin.display(description="File", ordering="job__original_filename")
    def file(self, obj: DncUpload) -> str:
        return obj.original_filename

    @admin.display(description="List", ordering="job__customer__name")
    def list_owner(self, obj: DncUpload) -> str:
        return str(obj.customer) if obj.customer else PLATFORM["yes"]

    @admin.display(description="Status")
    def status(self, obj: DncUpload) -> str:
        return obj.get_status_display() + (f": {obj.failure_reason}" if obj.failure_reason else "")

    @admin.display(description="Rows", ordering="job__rows_total")
    def rows(self, obj: DncUpload) -> int:
        return obj.rows_total

    @admin.display(description="Added", ordering="added_count")
    def added(self, obj: DncUpload) -> int:
        return obj.added_count

    @admin.display(description="Already listed")
    def already_listed(self, obj: DncUpload) -> int:
        return obj.already_listed_count

    @admin.display(description="By", ordering="job__created_by__email")
    def uploaded_by(self, obj: DncUpload) -> str:
        return str(obj.added_by or "—")

    @admin.display(description="Uploaded", ordering="job__created_at")
    def uploaded_at(self, obj: DncUpload) -> str:
        # Formatted here: a read-only field would show a method's datetime raw.
        return formats.localize(timezone.localtime(obj.created_at))

    @admin.display(description="Incorrect")
    def incorrect_count(self, obj: DncUpload) -> int:
        return obj.job.incorrect_count

    @admin.display(description="Incorrect rows")
    def incorrect_table(self, obj: DncUpload) -> str:
        if not obj.incorrect_rows:
            return "—"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((row.get("row"), row.get("value"), row.get("reason")) for row in obj.incorrect_rows),
        )
        return format_html(
            '<table id="incorrect-rows"><thead><tr><th>Row</th><th>Value</th><th>Why</th></tr></thead>'
            "<tbody>{}</tbody></table>",
            rows,
        )

    def has_add_permission(self, request):
        return False  # through "Upload a file" on the do-not-call entries

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        dnc_upload_delete(upload=obj)

    def delete_queryset(self, request, queryset):
        for upload in queryset.select_related("job"):
            dnc_upload_delete(upload=upload)
