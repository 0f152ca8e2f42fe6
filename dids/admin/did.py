"""The DID changelist: the administrators' main working screen.

Built for a million rows: the page count is estimated beyond a cap
(``selectors.estimated_count``), facets are off, filter choices come from
loose index scans, and the digits search uses a trigram index.
"""

from __future__ import annotations

import re
from functools import cached_property

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.options import ShowFacets
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from simple_history.admin import SimpleHistoryAdmin

from customers.models import Customer
from dids import selectors, services
from dids.admin.history import DIDHistoryMixin
from dids.admin.imports import DIDImportViewsMixin
from dids.forms import AssignForm, DIDAddForm, DIDBulkEditForm, DIDChangeForm, StockSearchForm
from dids.models import CLASSIFICATION_FIELDS, CUSTOMER_STATUSES, DID, DIDStatus
from dids.numbers import NumberError
from dids.resources import DIDResource
from telephony.admin_filters import yes_no_filter
from telephony.exports import FORMATS, resource_export_response

_HAS_DIGIT = re.compile(r"\d")
STOCK_PAGE = 50


class EstimatedCountPaginator(Paginator):
    """Pages counted by the planner's estimate beyond a cap: never a count of a million rows."""

    @cached_property
    def count(self) -> int:
        objects = self.object_list
        if not isinstance(objects, QuerySet):  # a list is counted by its length
            return len(objects)
        return selectors.estimated_count(objects)


class DistinctValueFilter(admin.SimpleListFilter):
    column = ""

    def lookups(self, request, model_admin):
        return [(value, value) for value in selectors.distinct_values(self.column)]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(**{self.column: value}) if value else queryset


class TagFilter(DistinctValueFilter):
    title = "tag"
    parameter_name = "tag"
    column = "tag"


class CountryFilter(DistinctValueFilter):
    title = "country"
    parameter_name = "country"
    column = "iso_country"


def status_badge(did: DID) -> str:
    classes: dict[str, str] = {DIDStatus.ASSIGNED: "ok", DIDStatus.HOLD: "bad", DIDStatus.RESERVED: "warn"}
    css = classes.get(did.status, "")
    return format_html('<span class="did-status {}">{}</span>', css, did.get_status_display())


@admin.register(DID)
class DIDAdmin(DIDHistoryMixin, DIDImportViewsMixin, SimpleHistoryAdmin):
    object_history_template = "admin/dids/did/object_history.html"
    object_history_list_template = "admin/dids/did/object_history_list.html"
    form = DIDChangeForm
    # Country, type and locality share a column, and the creation date shows without its time:
    # nine columns beside the filters ran past the page at 1400 px.
    list_display = [
        "number",
        "status_display",
        "operator",
        "tag",
        "customer",
        "classification_display",
        "created_display",
    ]
    list_filter = [
        "status",
        "operator",
        TagFilter,
        CountryFilter,
        "number_type",
        "customer",
        yes_no_filter("unverified", "validity", yes="Unverified (plausible digits only)", no="Valid number"),
    ]
    search_fields = ["number"]
    search_help_text = "Digits anywhere in the number (e.g. 4090), or a tag, operator or customer name."
    list_select_related = ["operator", "customer"]
    # 50 rows: rendering the rows, not the database, is most of the page's time.
    list_per_page = 50
    ordering = ["number"]
    show_full_result_count = False
    show_facets = ShowFacets.NEVER
    paginator = EstimatedCountPaginator
    actions = ["bulk_edit", "release", "delete_selected_dids"]
    change_list_template = "admin/dids/did/change_list.html"
    readonly_fields = [
        "number",
        "raw",
        "customer",
        "client_package",
        "assigned_at",
        "hold_started_at",
        "hold_ends_at",
        *CLASSIFICATION_FIELDS,
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["number", "raw", "operator", "status", "after_hold_status", "tag", "notes"]}),
        ("In use", {"fields": ["customer", "client_package", "assigned_at", "hold_started_at", "hold_ends_at"]}),
        ("Classification", {"fields": CLASSIFICATION_FIELDS}),
        ("Dates", {"fields": ["created_at", "updated_at"]}),
    ]

    @admin.display(description="status", ordering="status")
    def status_display(self, did: DID) -> str:
        return status_badge(did)

    @admin.display(description="country · type", ordering="iso_country")
    def classification_display(self, did: DID) -> str:
        place = format_html('<br><span class="locality">{}</span>', did.locality) if did.locality else ""
        return format_html("{} · {}{}", did.iso_country or "—", did.get_number_type_display(), place)

    @admin.display(description="created", ordering="created_at")
    def created_display(self, did: DID) -> str:
        return date_format(localtime(did.created_at), "j M Y")

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        if _HAS_DIGIT.search(term):
            return selectors.search_digits(queryset, term), False
        return queryset.filter(
            Q(tag__iexact=term) | Q(operator__name__iexact=term) | Q(customer__name__iexact=term)
        ), False

    def get_actions(self, request):
        actions = super().get_actions(request)
        # Django's own delete action would delete Assigned DIDs; ours refuses them first.
        actions.pop("delete_selected", None)
        return actions

    # --- add: numbers and ranges -------------------------------------------

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = DIDAddForm(request.POST or None)
        result = None
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                result = services.did_create_many(
                    specs=data["numbers"],
                    operator=data["operator"],
                    status=data["status"],
                    after_hold_status=data["after_hold_status"],
                    tag=data["tag"],
                    notes=data["notes"],
                    user=request.user,
                )
            except (NumberError, services.DIDError) as exc:
                form.add_error("numbers", str(exc))
            else:
                messages.success(request, f"{len(result.created):,} DID(s) created.")
                if result.existing:
                    messages.warning(request, f"{len(result.existing):,} already existed and were left unchanged.")
                form = DIDAddForm(initial={"operator": data["operator"], "status": data["status"]})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Add DIDs",
            "form": form,
            "result": result,
            "existing_shown": result.existing[:500] if result else [],
        }
        return TemplateResponse(request, "admin/dids/did/add_numbers.html", context)

    # --- single edit and delete ---------------------------------------------

    def save_model(self, request, obj, form, change):
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        if not changes:
            return
        try:
            services.did_update(did=DID.objects.get(pk=obj.pk), user=request.user, **changes)
        except services.DIDError as exc:
            messages.error(request, str(exc))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        did = DID.objects.filter(pk=object_id).only("status").first()
        if did is not None and did.status in CUSTOMER_STATUSES:
            # Assigned and Hold DIDs cannot be deleted: no Delete button to refuse later.
            extra_context = {**(extra_context or {}), "show_delete": False}
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        did = DID.objects.filter(pk=object_id).first()
        if did is not None and did.status in CUSTOMER_STATUSES:
            messages.error(
                request,
                f"DID {did.number} is {did.get_status_display()}: Assigned and Hold DIDs cannot be deleted; "
                "release it first.",
            )
            return HttpResponseRedirect(reverse("admin:dids_did_change", args=[did.pk]))
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        services.did_delete(did=obj)

    def delete_queryset(self, request, queryset):
        services.did_delete_many(dids=queryset)

    @admin.action(description="Delete selected DIDs", permissions=["delete"])
    def delete_selected_dids(self, request, queryset):
        in_use = selectors.numbers_in_use(queryset)
        if in_use:
            self.message_user(
                request,
                "Assigned and Hold DIDs cannot be deleted; release them first: "
                + ", ".join(in_use)
                + ". Nothing deleted.",
                messages.ERROR,
            )
            return None
        return delete_selected(self, request, queryset)

    # --- bulk edit and release ----------------------------------------------

    @admin.action(description="Edit selected DIDs", permissions=["change"])
    def bulk_edit(self, request, queryset):
        refusals: list[str] = []
        if "apply" in request.POST:
            form = DIDBulkEditForm(request.POST)
            if form.is_valid():
                try:
                    count = services.did_bulk_update(dids=queryset, changes=form.changes(), user=request.user)
                except services.DIDBulkError as exc:
                    refusals = exc.refusals
                except services.DIDError as exc:
                    form.add_error(None, str(exc))
                else:
                    self.message_user(request, f"{count:,} DID(s) changed.", messages.SUCCESS)
                    return None
        else:
            form = DIDBulkEditForm()
        select_across = request.POST.get("select_across") == "1"
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Edit selected DIDs",
            "form": form,
            "refusals": refusals,
            "count": selectors.estimated_count(queryset) if select_across else queryset.count(),
            "select_across": select_across,
            "selected": [] if select_across else request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "sample": list(queryset.order_by("number").values_list("number", flat=True)[:20]),
        }
        return TemplateResponse(request, "admin/dids/did/bulk_edit.html", context)

    @admin.action(description="Release selected DIDs from their customers", permissions=["change"])
    def release(self, request, queryset):
        try:
            count = services.did_release_many(dids=queryset, user=request.user)
        except services.DIDBulkError as exc:
            self.message_user(request, "Nothing released. " + " ".join(exc.refusals[:20]), messages.ERROR)
        else:
            self.message_user(request, f"{count:,} DID(s) released to In Stock.", messages.SUCCESS)

    # --- extra pages --------------------------------------------------------

    def get_urls(self):
        extra = [
            path(
                "export/<str:file_format>/",
                self.admin_site.admin_view(self.export_view),
                name="dids_did_export",
            ),
            path(
                "customer/<int:customer_id>/",
                self.admin_site.admin_view(self.customer_dids_view),
                name="dids_did_customer",
            ),
        ]
        return extra + self.import_urls() + super().get_urls()

    def export_view(self, request, file_format: str):
        if not self.has_view_permission(request):
            raise PermissionDenied
        if file_format not in FORMATS:
            messages.error(request, f"Unknown export format {file_format!r}; use CSV or XLSX.")
            return HttpResponseRedirect(reverse("admin:dids_did_changelist"))
        changelist = self.get_changelist_instance(request)
        queryset = changelist.get_queryset(request).select_related("operator", "customer")
        return resource_export_response(queryset, DIDResource(), fmt=file_format, basename="dids", title="DIDs")

    def customer_dids_view(self, request, customer_id: int):
        """The customer page's DIDs tab: pick In Stock DIDs under a client package, release assigned ones."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        customer = get_object_or_404(Customer, pk=customer_id)
        if request.method != "POST":
            return self._customer_dids_page(request, customer)
        if request.POST.get("do") == "release":
            self._customer_dids_release(request, customer)
        else:
            self._customer_dids_assign(request, customer)
        return HttpResponseRedirect(request.get_full_path())

    def _customer_dids_release(self, request, customer: Customer) -> None:
        ids = request.POST.getlist("release")
        try:
            count = services.did_release_many(dids=DID.objects.filter(pk__in=ids, customer=customer), user=request.user)
        except services.DIDBulkError as exc:
            messages.error(request, "Nothing released. " + " ".join(exc.refusals[:20]))
        else:
            messages.success(request, f"{count} DID(s) released.")

    def _customer_dids_assign(self, request, customer: Customer) -> None:
        form = AssignForm(request.POST, customer=customer)
        if not form.is_valid():
            for field, errors in form.errors.items():
                messages.error(request, f"{form.fields[field].label if field in form.fields else ''}: {errors[0]}")
            return
        try:
            assigned = services.did_assign_many(
                dids=form.cleaned_data["dids"],
                client_package=form.cleaned_data["client_package"],
                user=request.user,
            )
        except services.DIDBulkError as exc:
            messages.error(request, "Nothing assigned. " + " ".join(exc.refusals[:20]))
        except services.DIDError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{len(assigned)} DID(s) assigned to {customer}.")

    def _customer_dids_page(self, request, customer: Customer) -> TemplateResponse:
        """The tab: the customer's packages with room, a page of In Stock DIDs for the chosen one, the DIDs in use."""
        packages = selectors.client_packages_with_room(customer)
        active_packages = [cp for cp in packages if cp.active]
        chosen = next((cp for cp in active_packages if str(cp.pk) == request.GET.get("package")), None)
        chosen = chosen or (active_packages[0] if active_packages else None)
        search = StockSearchForm(request.GET or None)
        stock = selectors.stock_for(chosen, **(search.cleaned_data if search.is_valid() else {}))
        stock_page = EstimatedCountPaginator(stock, STOCK_PAGE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        in_use = selectors.dids_in_use_of(customer)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"DIDs of {customer}",
            "customer": customer,
            "packages": packages,
            "active_packages": active_packages,
            "chosen_package": chosen,
            "search": search,
            "stock": list(stock_page.object_list),
            "stock_page": stock_page,
            "stock_count": stock_page.paginator.count,
            "page_query": query.urlencode(),
            "in_use": list(in_use[:1000]),
            "in_use_count": in_use.count(),
        }
        return TemplateResponse(request, "admin/dids/did/customer_dids.html", context)
