"""The global DID audit log, read from django-simple-history's rows.

Each row shows what changed against the DID's previous history row; the
previous rows, customers and operators of a page are read in three queries
whatever the page size.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.options import ShowFacets
from django.contrib.admin.views.main import ChangeList
from django.db.models import OuterRef, Subquery
from django.utils.html import format_html_join

from customers.models import Customer
from dids import selectors
from dids.admin.did import EstimatedCountPaginator
from dids.models import DID, ClientPackage, DIDStatus, Operator
from telephony.admin_filters import titled
from telephony.admin_readonly import ReadOnlyAdmin

HistoricalDID = DID.history.model

# The change reasons the services write, by kind of action.
ACTIONS = [
    ("created", "Created"),
    ("import", "Imported"),
    ("edited", "Edited"),
    ("bulk edit", "Bulk edit"),
    ("assigned", "Assigned"),
    ("released", "Released"),
    ("hold:", "Hold"),
    ("reactivated", "Reactivated"),
    ("hold ended", "Hold ended"),
]
SHOWN_FIELDS = [
    ("status", "status"),
    ("operator_id", "operator"),
    ("after_hold_status", "after hold"),
    ("tag", "tag"),
    ("notes", "notes"),
    ("customer_id", "customer"),
    ("client_package_id", "client package"),
    ("hold_ends_at", "hold ends"),
]


class ActionFilter(admin.SimpleListFilter):
    title = "action"
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return [*ACTIONS, ("deleted", "Deleted")]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if value == "deleted":
            return queryset.filter(history_type="-")
        return queryset.filter(history_change_reason__startswith=value)


class AuditChangeList(ChangeList):
    def get_results(self, request):
        super().get_results(request)
        rows = list(self.result_list)
        previous = HistoricalDID.objects.in_bulk([r.prev_history_id for r in rows if r.prev_history_id])
        customer_ids, operator_ids, package_ids = set(), set(), set()
        for row in rows:
            row.previous = previous.get(row.prev_history_id)
            for record in (row, row.previous):
                if record is not None:
                    customer_ids.add(record.customer_id)
                    operator_ids.add(record.operator_id)
                    package_ids.add(record.client_package_id)
        names = {
            "customer_id": dict(Customer.objects.filter(pk__in=customer_ids - {None}).values_list("pk", "name")),
            "operator_id": dict(Operator.objects.filter(pk__in=operator_ids - {None}).values_list("pk", "name")),
            "client_package_id": {
                cp.pk: cp.package.name
                for cp in ClientPackage.objects.filter(pk__in=package_ids - {None}).select_related("package")
            },
        }
        for row in rows:
            row.changes = _changes(row, row.previous, names)
        self.result_list = rows


def _shown(field: str, value, names: dict) -> str:
    if value in (None, ""):
        return "—"
    if field in names:
        return names[field].get(value, f"#{value}")
    if field in ("status", "after_hold_status"):
        return DIDStatus(value).label
    return str(value)


def _changes(row, previous, names: dict) -> list[tuple[str, str, str]]:
    if row.history_type == "-":
        return []
    result = []
    for field, label in SHOWN_FIELDS:
        new = getattr(row, field)
        old = getattr(previous, field) if previous is not None else None
        if previous is None and new in (None, ""):
            continue
        if previous is None or old != new:
            result.append((label, _shown(field, old, names) if previous else "—", _shown(field, new, names)))
    return result


@admin.register(HistoricalDID)
class DIDAuditLogAdmin(ReadOnlyAdmin):
    list_display = ["history_date", "number", "action", "history_user", "changes_display"]
    list_filter = [
        ActionFilter,
        ("history_user", titled("changed by")),
        ("history_date", titled("date", admin.DateFieldListFilter)),
    ]
    search_fields = ["number"]
    search_help_text = "Digits anywhere in the number."
    list_select_related = ["history_user"]
    list_per_page = 100
    show_full_result_count = False
    show_facets = ShowFacets.NEVER
    paginator = EstimatedCountPaginator
    ordering = ["-history_date", "-history_id"]

    def get_queryset(self, request):
        earlier = HistoricalDID.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id")).order_by(
            "-history_id"
        )
        return super().get_queryset(request).annotate(prev_history_id=Subquery(earlier.values("history_id")[:1]))

    def get_changelist(self, request, **kwargs):
        return AuditChangeList

    def get_search_results(self, request, queryset, search_term):
        return selectors.search_digits(queryset, search_term), False

    @admin.display(description="action")
    def action(self, row) -> str:
        if row.history_type == "-":
            return "deleted"
        return row.history_change_reason or row.get_history_type_display()

    @admin.display(description="changes")
    def changes_display(self, row) -> str:
        return format_html_join("", "<div><b>{}</b>: {} → {}</div>", getattr(row, "changes", [])) or "—"

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("dids.view_did")
