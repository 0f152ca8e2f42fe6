"""Dashboard pages: upload, markup, progress, the Correct/Incorrect tabs, fixes, export, delete."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views import View

from customers.tenancy import CustomerRequiredMixin, get_scoped_or_404
from distribution_lists import selectors, services
from distribution_lists.forms import FixRowForm, MarkupForm, UploadForm
from distribution_lists.models import Contact, DistributionList, DuplicateRow, IncorrectRow
from telephony import exports

PAGE_SIZE = 50


class ListScopedMixin(CustomerRequiredMixin):
    def get_list(self, list_id: int) -> DistributionList:
        return get_scoped_or_404(selectors.distribution_lists_of(self.customer), self.customer, pk=list_id)


class DistributionListsView(CustomerRequiredMixin, View):
    template_name = "distribution_lists/list.html"

    def get(self, request, form=None):
        lists = selectors.distribution_lists_of(self.customer).select_related("created_by")
        return render(request, self.template_name, {"lists": lists, "form": form or UploadForm()})

    def post(self, request):
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.get(request, form=form)
        upload = form.cleaned_data["file"]
        try:
            distribution_list = services.distribution_list_upload(
                customer=self.customer,
                name=form.cleaned_data["name"],
                upload=upload,
                filename=upload.name,
                created_by=request.user,
            )
        except services.DistributionListNameError as exc:
            form.add_error("name", str(exc))
        except services.DistributionListError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("dashboard:distribution_list_markup", list_id=distribution_list.pk)
        return self.get(request, form=form)


class MarkupView(ListScopedMixin, View):
    template_name = "distribution_lists/markup.html"

    def _form(self, distribution_list, preview, data=None):
        initial = {"has_header": distribution_list.has_header, "default_region": distribution_list.default_region}
        return MarkupForm(data, preview=preview, initial=initial)

    def get(self, request, list_id: int, form=None):
        distribution_list = self.get_list(list_id)
        if distribution_list.status not in (DistributionList.Status.DRAFT, DistributionList.Status.FAILED):
            return redirect("dashboard:distribution_list_detail", list_id=list_id)
        preview = selectors.distribution_list_preview(distribution_list)
        form = form or self._form(distribution_list, preview)
        context = {"list": distribution_list, "preview": preview, "form": form, "width": form.width}
        return render(request, self.template_name, context)

    def post(self, request, list_id: int):
        distribution_list = self.get_list(list_id)
        preview = selectors.distribution_list_preview(distribution_list)
        form = self._form(distribution_list, preview, request.POST)
        if form.is_valid():
            try:
                services.distribution_list_mark_up(
                    distribution_list=distribution_list,
                    has_header=form.cleaned_data["has_header"],
                    phone_column=form.cleaned_data["phone_column"],
                    column_names=form.column_names(),
                    default_region=form.cleaned_data["default_region"],
                )
            except services.DistributionListError as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("dashboard:distribution_list_detail", list_id=list_id)
        return self.get(request, list_id, form=form)


class DetailView(ListScopedMixin, View):
    template_name = "distribution_lists/detail.html"

    def get(self, request, list_id: int):
        distribution_list = self.get_list(list_id)
        tab = request.GET.get("tab")
        tab = tab if tab in ("incorrect", "duplicates") else "correct"
        search = request.GET.get("q", "").strip()
        context = {"list": distribution_list, "tab": tab, "search": search}
        if distribution_list.status == DistributionList.Status.PROCESSING:
            context["phases"] = selectors.import_phases(distribution_list)
        if distribution_list.status == DistributionList.Status.READY:
            rows: QuerySet[Contact] | QuerySet[IncorrectRow] | QuerySet[DuplicateRow]
            if tab == "correct":
                rows = selectors.contacts_of(distribution_list, search=search)
            elif tab == "incorrect":
                rows = selectors.incorrect_rows_of(distribution_list, search=search)
            else:
                rows = selectors.duplicate_rows_of(distribution_list, search=search)
            page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
            context.update(page=page, variables=distribution_list.variables)
            if tab == "duplicates":
                duplicates = [row for row in page.object_list if isinstance(row, DuplicateRow)]
                repeated = selectors.repeated_contacts(distribution_list, duplicates)
                # The same columns for both rows: the variables, in the list's order.
                names = distribution_list.variables
                context["duplicates"] = [
                    (
                        row,
                        list(distribution_list.variables_of(row.cells).values()),
                        [first.variables.get(name, "") for name in names] if (first := repeated.get(row.phone)) else [],
                    )
                    for row in duplicates
                ]
        return render(request, self.template_name, context)


class ProgressView(ListScopedMixin, View):
    """What the progress bar polls: status, the phase and how far each phase is."""

    def get(self, request, list_id: int):
        distribution_list = self.get_list(list_id)
        return JsonResponse(
            {
                "status": distribution_list.status,
                "status_display": distribution_list.get_status_display(),
                "phase": distribution_list.import_phase,
                "phase_display": distribution_list.get_import_phase_display(),
                "rows_read": distribution_list.rows_read,
                "rows_total": distribution_list.rows_total,
                "rows_saved": distribution_list.rows_saved,
                "rows_to_save": distribution_list.rows_to_save,
                "percent": distribution_list.progress_percent,
                "failure_reason": distribution_list.failure_reason,
            }
        )


class IncorrectRowView(ListScopedMixin, View):
    template_name = "distribution_lists/incorrect_row.html"

    def get_row(self, list_id: int, row_id: int) -> tuple[DistributionList, IncorrectRow]:
        distribution_list = self.get_list(list_id)
        row = IncorrectRow.objects.filter(distribution_list=distribution_list, pk=row_id).first()
        if row is None:
            raise Http404("Not found.")
        return distribution_list, row

    def get(self, request, list_id: int, row_id: int, form=None):
        distribution_list, row = self.get_row(list_id, row_id)
        form = form or FixRowForm(initial={"phone": row.raw_phone})
        names = list(distribution_list.column_names)
        cells = [
            (names[i] if i < len(names) and names[i] else f"Column {i + 1}", value) for i, value in enumerate(row.cells)
        ]
        context = {"list": distribution_list, "row": row, "form": form, "cells": cells}
        return render(request, self.template_name, context)

    def post(self, request, list_id: int, row_id: int):
        _list, row = self.get_row(list_id, row_id)
        back = reverse("dashboard:distribution_list_detail", kwargs={"list_id": list_id}) + "?tab=incorrect"
        if request.POST.get("action") == "delete":
            services.incorrect_row_delete(row=row)
            messages.success(request, f"Row {row.row_number} removed.")
            return redirect(back)
        form = FixRowForm(request.POST)
        if form.is_valid():
            try:
                contact = services.incorrect_row_fix(row=row, phone=form.cleaned_data["phone"])
            except services.DistributionListError as exc:
                form.add_error("phone", str(exc))
            else:
                messages.success(request, f"Row {row.row_number} fixed: {contact.phone} moved to Correct.")
                return redirect(back)
        return self.get(request, list_id, row_id, form=form)


class ExportView(ListScopedMixin, View):
    def get(self, request, list_id: int, fmt: str):
        distribution_list = self.get_list(list_id)
        if fmt not in exports.FORMATS:
            raise Http404("Unknown export format.")
        return exports.export_response(
            fmt,
            selectors.distribution_list_export_rows(distribution_list),
            basename=slugify(distribution_list.name) or f"list-{distribution_list.pk}",
            title=distribution_list.name or "List",
            row_count=lambda: selectors.distribution_list_export_row_count(distribution_list),
        )


class DeleteView(ListScopedMixin, View):
    def post(self, request, list_id: int):
        distribution_list = self.get_list(list_id)
        try:
            services.distribution_list_delete(distribution_list=distribution_list)
        except services.DistributionListError as exc:
            messages.error(request, str(exc))
            return redirect("dashboard:distribution_list_detail", list_id=list_id)
        messages.success(request, f"List “{distribution_list.name}” deleted.")
        return redirect("dashboard:distribution_lists")
