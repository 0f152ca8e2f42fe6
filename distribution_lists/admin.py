"""Admin: every customer's lists, contacts and incorrect rows; upload on behalf of a customer."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from customers.models import Customer
from distribution_lists import services
from distribution_lists.models import Contact, DistributionList, IncorrectRow
from telephony.imports import ImportFileError, suggest_column_names
from telephony.imports.forms import RegionField
from telephony.imports.selectors import import_job_preview


class AdminUploadForm(forms.Form):
    """Upload for a customer: the markup is given up front (the dashboard shows a preview first)."""

    customer = forms.ModelChoiceField(queryset=Customer.objects.filter(is_active=True))
    name = forms.CharField(max_length=200)
    file = forms.FileField(help_text="CSV, TXT, XLS, XLSX or ODS.")
    header = forms.BooleanField(required=False, initial=True, label="The first row is a header")
    phone_column = forms.IntegerField(min_value=1, initial=1, help_text="1 for the first column.")
    region = RegionField(initial="GB")


@admin.register(DistributionList)
class DistributionListAdmin(admin.ModelAdmin):
    list_display = ["name", "customer", "status", "correct_count", "incorrect_count", "duplicate_count", "created_at"]
    list_filter = ["status", "customer"]
    list_select_related = ["customer", "job"]
    search_fields = ["name", "customer__name", "job__original_filename"]
    readonly_fields = [
        "customer",
        "status",
        "failure_reason",
        "original_filename",
        "file_kind",
        "has_header",
        "phone_column",
        "column_names",
        "default_region",
        "rows_total",
        "rows_read",
        "correct_count",
        "incorrect_count",
        "duplicate_count",
        "created_by",
        "created_at",
        "finished_at",
    ]
    exclude = ["job"]
    actions = ["delete_lists"]

    def add_view(self, request, form_url="", extra_context=None):
        """Upload on behalf of a customer: the same services as the dashboard, markup given up front."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = AdminUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                created = services.distribution_list_upload(
                    customer=data["customer"],
                    name=data["name"],
                    upload=data["file"],
                    filename=data["file"].name,
                    created_by=request.user,
                )
                assert created.job is not None  # a list is created with its job
                first = import_job_preview(created.job, 1)
                width = max((len(row) for row in first), default=1)
                services.distribution_list_mark_up(
                    distribution_list=created,
                    has_header=data["header"],
                    phone_column=data["phone_column"] - 1,
                    column_names=suggest_column_names(first[0] if first and data["header"] else None, width),
                    default_region=data["region"],
                )
            except (services.DistributionListError, ImportFileError) as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(request, f"“{created.name}” uploaded for {created.customer}; it is being imported.")
                return redirect("admin:distribution_lists_distributionlist_change", created.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": "Upload a distribution list for a customer",
        }
        return render(request, "admin/distribution_lists/upload.html", context)

    def has_change_permission(self, request, obj=None) -> bool:
        # Lists change only through their services; the change page is for reading.
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deletion goes through the service (campaign guard, set-based delete).
        return False

    def has_delete_via_service_permission(self, request) -> bool:
        return request.user.has_perm("distribution_lists.delete_distributionlist")

    @admin.action(description="Delete the selected lists", permissions=["delete_via_service"])
    def delete_lists(self, request, queryset):
        for distribution_list in queryset:
            try:
                services.distribution_list_delete(distribution_list=distribution_list)
            except services.DistributionListError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(request, f"“{distribution_list.name}” deleted.")


class ListRowAdmin(admin.ModelAdmin):
    """A row an upload wrote into a list: found by its customer or list, never added by hand."""

    list_select_related = ["distribution_list", "distribution_list__customer"]
    list_filter = ["distribution_list__customer"]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Contact)
class ContactAdmin(ListRowAdmin):
    list_display = ["phone", "distribution_list", "time_zone", "row_number"]
    search_fields = ["phone", "distribution_list__name"]
    raw_id_fields = ["distribution_list"]
    readonly_fields = ["distribution_list", "phone", "time_zone", "row_number", "created_at"]


@admin.register(IncorrectRow)
class IncorrectRowAdmin(ListRowAdmin):
    list_display = ["row_number", "raw_phone", "reason", "distribution_list"]
    search_fields = ["raw_phone", "distribution_list__name"]
    readonly_fields = ["distribution_list", "row_number", "raw_phone", "cells", "reason", "created_at"]
