"""Admin of caller-ID pools: the list, the pool page with its members, and "+ Add from file".

Thin: every change goes through ``callerid_pools.services`` (and
``callerid_pools.upload``, on the import engine's ImportJob); the views here
only check permissions, read forms and show the services' messages. Nothing
is kept in the session.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, TypedDict

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from callerid_pools import services
from callerid_pools import upload as uploads
from callerid_pools.forms import NumberPoolAdminForm, NumberPoolUploadForm, default_region
from callerid_pools.models import NumberPool, NumberPoolIncorrectNumber, NumberPoolMember, PoolUpload
from callerid_pools.selectors import eligible_dids, member_state, pool_incorrect_numbers, pool_members
from compliance.admin import PoolPolicyInline
from dids.models import DID
from telephony.admin_filters import CustomerOrGlobalFilter
from telephony.imports import ImportFileError, Markup
from telephony.imports.forms import MarkupForm
from telephony.imports.models import ImportJob
from telephony.imports.selectors import import_job_preview

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _Totals(TypedDict):
    member_total: int
    incorrect_total: int


AUTOCOMPLETE_LIMIT = 20


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("x-requested-with") == "fetch"


@admin.register(NumberPool)
class NumberPoolAdmin(admin.ModelAdmin):
    form = NumberPoolAdminForm
    list_display = ["name", "pool_type", "owner", "member_total", "incorrect_total", "created"]
    list_filter = ["pool_type", "is_global", ("customer", CustomerOrGlobalFilter)]
    list_select_related = ["customer"]
    search_fields = ["name"]
    search_help_text = "Pool name"
    autocomplete_fields = ["customer"]
    change_list_template = "admin/callerid_pools/numberpool/change_list.html"
    change_form_template = "admin/callerid_pools/numberpool/change_form.html"
    inlines = [PoolPolicyInline]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []  # set once the pool exists; the defaults apply until then

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                member_total=Count("members", distinct=True), incorrect_total=Count("incorrect_numbers", distinct=True)
            )
        )

    @admin.display(description="Owner", ordering="customer__name")
    def owner(self, pool: NumberPool) -> str:
        return pool.owner_label

    @admin.display(description="Created", ordering="created_at")
    def created(self, pool: NumberPool) -> dt.date:
        # The day is enough in a list; the time would widen the table past the page.
        return timezone.localdate(pool.created_at)

    @admin.display(description="Members", ordering="member_total")
    def member_total(self, pool: WithAnnotations[NumberPool, _Totals]) -> int:
        return pool.member_total

    @admin.display(description="Incorrect", ordering="incorrect_total")
    def incorrect_total(self, pool: WithAnnotations[NumberPool, _Totals]) -> int:
        return pool.incorrect_total

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in ("name", "pool_type", "customer", "is_global")}
        saved = services.number_pool_update(pool=obj, **fields) if change else services.number_pool_create(**fields)
        obj.pk = saved.pk
        obj.refresh_from_db()

    def delete_model(self, request, obj):
        services.number_pool_delete(pool=obj)

    def delete_queryset(self, request, queryset):
        for pool in queryset:
            services.number_pool_delete(pool=pool)

    # --- Extra pages ----------------------------------------------------------

    def get_urls(self):
        def view(func):
            return self.admin_site.admin_view(func)

        prefix = "callerid_pools_numberpool"
        return [
            path("add-from-file/", view(self.upload_view), name=f"{prefix}_upload"),
            path("add-from-file/<str:token>/", view(self.markup_view), name=f"{prefix}_upload_markup"),
            path("<int:pool_id>/eligible/", view(self.eligible_view), name=f"{prefix}_eligible"),
            path("<int:pool_id>/members/add/", view(self.members_add_view), name=f"{prefix}_members_add"),
            path("<int:pool_id>/members/remove/", view(self.members_remove_view), name=f"{prefix}_members_remove"),
            path(
                "<int:pool_id>/members/<int:member_id>/move/",
                view(self.member_move_view),
                name=f"{prefix}_member_move",
            ),
            path(
                "<int:pool_id>/incorrect/<int:incorrect_id>/fix/",
                view(self.incorrect_fix_view),
                name=f"{prefix}_incorrect_fix",
            ),
            path(
                "<int:pool_id>/incorrect/<int:incorrect_id>/dismiss/",
                view(self.incorrect_dismiss_view),
                name=f"{prefix}_incorrect_dismiss",
            ),
            *super().get_urls(),
        ]

    def _pool_for_change(self, request: HttpRequest, pool_id: int) -> NumberPool:
        pool = get_object_or_404(NumberPool.objects.select_related("customer"), pk=pool_id)
        if not self.has_change_permission(request, pool):
            raise PermissionDenied
        return pool

    def _back(self, pool: NumberPool, tab: str = "") -> HttpResponse:
        url = reverse("admin:callerid_pools_numberpool_change", args=[pool.pk])
        return redirect(f"{url}?tab={tab}#members" if tab else f"{url}#members")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        pool = None
        if str(object_id).isdigit():
            pool = NumberPool.objects.select_related("customer").filter(pk=object_id).first()
        if pool is not None:
            members = list(pool_members(pool))
            extra_context.update(
                members=[(m, member_state(pool, m.did)) for m in members],
                incorrect_numbers=list(pool_incorrect_numbers(pool)),
                tab=request.GET.get("tab", "correct"),
                can_change_members=self.has_change_permission(request, pool),
            )
        return super().change_view(request, object_id, form_url, extra_context=extra_context)

    def eligible_view(self, request: HttpRequest, pool_id: int) -> JsonResponse:
        pool = self._pool_for_change(request, pool_id)
        dids = eligible_dids(pool, search=request.GET.get("q", ""))[:AUTOCOMPLETE_LIMIT]
        return JsonResponse(
            {
                "results": [
                    {"id": did.pk, "number": did.number, "label": _did_label(did)}
                    for did in dids.only("pk", "number", "locality", "tag", "status")
                ]
            }
        )

    def members_add_view(self, request: HttpRequest, pool_id: int) -> HttpResponse:
        pool = self._pool_for_change(request, pool_id)
        if request.method != "POST":
            return self._back(pool)
        ids = [int(v) for v in request.POST.getlist("did") if v.isdigit()]
        dids = list(DID.objects.filter(pk__in=ids))
        order = {pk: i for i, pk in enumerate(ids)}
        dids.sort(key=lambda d: order[d.pk])
        try:
            added = services.pool_members_add(pool=pool, dids=dids)
        except services.PoolError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{len(added)} DID(s) added to {pool.name}.")
        return self._back(pool)

    def members_remove_view(self, request: HttpRequest, pool_id: int) -> HttpResponse:
        pool = self._pool_for_change(request, pool_id)
        if request.method == "POST":
            ids = [int(v) for v in request.POST.getlist("member") if v.isdigit()]
            if not ids:
                messages.error(request, "Tick the members to remove first.")
            else:
                removed = services.pool_members_remove(pool=pool, member_ids=ids)
                messages.success(request, f"{removed} member(s) removed from {pool.name}.")
        return self._back(pool)

    def member_move_view(self, request: HttpRequest, pool_id: int, member_id: int) -> HttpResponse:
        pool = self._pool_for_change(request, pool_id)
        if request.method == "POST":
            member = get_object_or_404(NumberPoolMember.objects.select_related("did", "pool"), pk=member_id, pool=pool)
            raw = request.POST.get("to_position", "")
            try:
                services.pool_member_move(member=member, to_position=int(raw))
            except ValueError:
                messages.error(request, f"{raw!r} is not a position.")
            except services.PoolError as exc:
                messages.error(request, str(exc))
        return self._back(pool)

    def incorrect_fix_view(self, request: HttpRequest, pool_id: int, incorrect_id: int) -> HttpResponse:
        pool = self._pool_for_change(request, pool_id)
        if request.method != "POST":
            return self._back(pool, "incorrect")
        row = get_object_or_404(NumberPoolIncorrectNumber, pk=incorrect_id, pool=pool)
        try:
            result = uploads.pool_incorrect_number_fix(incorrect=row, raw=request.POST.get("raw", ""))
        except services.PoolError as exc:
            if _wants_json(request):
                return JsonResponse({"ok": False, "error": str(exc)}, status=400)
            messages.error(request, str(exc))
            return self._back(pool, "incorrect")
        if result.member is not None:
            member = NumberPoolMember.objects.select_related("did").get(pk=result.member.pk)
            if _wants_json(request):
                return JsonResponse({"ok": True, "member": _member_json(pool, member)})
            messages.success(request, f"{member.did.number} is correct now and joined the pool.")
            return self._back(pool, "incorrect")
        fixed = result.incorrect
        assert fixed is not None  # a fix gives a member or the row still incorrect
        if _wants_json(request):
            return JsonResponse(
                {
                    "ok": False,
                    "raw": fixed.raw,
                    "reason": fixed.get_reason_display(),
                    "message": fixed.message,
                }
            )
        messages.error(request, f"{fixed.raw}: {fixed.message}")
        return self._back(pool, "incorrect")

    def incorrect_dismiss_view(self, request: HttpRequest, pool_id: int, incorrect_id: int) -> HttpResponse:
        pool = self._pool_for_change(request, pool_id)
        if request.method == "POST":
            row = get_object_or_404(NumberPoolIncorrectNumber, pk=incorrect_id, pool=pool)
            uploads.pool_incorrect_number_dismiss(incorrect=row)
            messages.success(request, f"Row {row.row_number} ({row.raw}) dismissed.")
        return self._back(pool, "incorrect")

    # --- + Add from file --------------------------------------------------------

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = NumberPoolUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                pool_upload = uploads.pool_upload_start(
                    name=form.cleaned_data["name"],
                    pool_type=form.cleaned_data["pool_type"],
                    customer=form.cleaned_data.get("customer"),
                    is_global=bool(form.cleaned_data.get("is_global")),
                    upload=upload,
                    filename=upload.name,
                    # The admin lets only signed-in staff in.
                    user=request.user if request.user.is_authenticated else None,
                )
            except services.PoolError as exc:
                form.add_error("file", str(exc))
            else:
                return redirect("admin:callerid_pools_numberpool_upload_markup", token=pool_upload.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Add number pool from file",
            "form": form,
            "adminform": form,
            "step": 1,
        }
        return TemplateResponse(request, "admin/callerid_pools/numberpool/upload.html", context)

    def markup_view(self, request: HttpRequest, token: str) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        pending = (
            PoolUpload.objects.select_related("job")
            .filter(pk=int(token), job__status__in=[ImportJob.Status.DRAFT, ImportJob.Status.FAILED])
            .first()
            if token.isdigit()
            else None
        )
        try:
            rows = import_job_preview(pending.job) if pending is not None else None
        except ImportFileError:
            rows = None
        if pending is None or rows is None:
            messages.error(request, "This upload has expired or was already saved; upload the file again.")
            return redirect("admin:callerid_pools_numberpool_upload")
        has_header = bool(rows) and not any(ch.isdigit() for ch in "".join(rows[0]))
        form = MarkupForm(
            request.POST or None,
            preview=rows,
            initial={"has_header": has_header, "default_region": default_region()},
        )
        form.fields["phone_column"].label = "Number column"
        form.fields["default_region"].help_text = "For numbers written without the international prefix."
        if request.method == "POST" and form.is_valid():
            try:
                markup = Markup(
                    phone_column=form.cleaned_data["phone_column"],
                    default_region=form.cleaned_data["default_region"],
                    has_header=form.cleaned_data["has_header"],
                )
                report = uploads.pool_upload_save(pool_upload=pending, markup=markup)
            except (services.PoolError, ImportFileError) as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    f"Pool {pending.name} created from {pending.job.original_filename}: {report.added} correct "
                    f"number(s), {report.incorrect} incorrect.",
                )
                assert pending.pool is not None  # saving the upload created its pool
                return self._back(pending.pool, "incorrect" if report.incorrect else "correct")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Mark up {pending.job.original_filename}",
            "form": form,
            "rows": rows,
            "width": range(form.width),
            "pending": {"name": pending.name, "filename": pending.job.original_filename},
            "step": 2,
        }
        return TemplateResponse(request, "admin/callerid_pools/numberpool/upload_markup.html", context)


def _did_label(did: DID) -> str:
    parts = [did.number, did.get_status_display()]
    if did.locality:
        parts.append(did.locality)
    if did.tag:
        parts.append(f"tag {did.tag}")
    return " · ".join(parts)


def _member_json(pool: NumberPool, member: NumberPoolMember) -> dict:
    return {
        "id": member.pk,
        "position": member.position,
        "number": member.did.number,
        "status": member.did.get_status_display(),
        "locality": member.did.locality,
        "state": member_state(pool, member.did),
    }


@admin.register(NumberPoolMember)
class NumberPoolMemberAdmin(admin.ModelAdmin):
    """Read-only search across pools ("which pools use this number?"); changes happen on the pool page."""

    list_display = ["did", "pool_link", "position", "added_at"]
    list_select_related = ["did", "pool", "pool__customer"]
    list_filter = ["pool__is_global", "pool__pool_type"]
    search_fields = ["did__number", "pool__name"]

    @admin.display(description="Pool", ordering="pool__name")
    def pool_link(self, member: NumberPoolMember) -> str:
        url = reverse("admin:callerid_pools_numberpool_change", args=[member.pool_id])
        return format_html('<a href="{}">{}</a> ({})', url, member.pool.name, member.pool.owner_label)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
