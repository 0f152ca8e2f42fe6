"""The DID file import pages: upload → markup → result (with progress while it runs)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from dids import imports
from dids.forms import DIDImportMarkupForm, DIDImportUploadForm
from dids.models import DIDImport, DIDImportIssue
from telephony.imports import ImportFileError

ISSUES_SHOWN = 500


class DIDImportViewsMixin:
    """Mixed into the DID admin so that the pages live under /admin/dids/did/import/."""

    def import_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_upload_view), name="dids_did_import"),
            path("import/<int:import_id>/markup/", wrap(self.import_markup_view), name="dids_did_import_markup"),
            path("import/<int:import_id>/", wrap(self.import_result_view), name="dids_did_import_result"),
        ]

    def _context(self, request, **extra):
        return {**self.admin_site.each_context(request), "opts": self.opts, **extra}

    def import_upload_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = DIDImportUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                did_import = imports.did_import_upload(upload=upload, filename=upload.name, user=request.user)
            except imports.DIDImportError as exc:
                form.add_error("file", str(exc))
            else:
                return HttpResponseRedirect(reverse("admin:dids_did_import_markup", args=[did_import.pk]))
        recent = DIDImport.objects.select_related("job__created_by")[:10]
        return TemplateResponse(
            request,
            "admin/dids/did/import_upload.html",
            self._context(request, title="Import DIDs", form=form, recent=recent),
        )

    def import_markup_view(self, request, import_id: int):
        if not self.has_add_permission(request):
            raise PermissionDenied
        did_import = get_object_or_404(DIDImport.objects.select_related("job"), pk=import_id)
        if did_import.status not in (DIDImport.Status.DRAFT, DIDImport.Status.FAILED):
            return HttpResponseRedirect(reverse("admin:dids_did_import_result", args=[did_import.pk]))
        try:
            rows = imports.did_import_preview(did_import)
        except ImportFileError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(reverse("admin:dids_did_import"))
        width = max((len(row) for row in rows), default=1)
        form = DIDImportMarkupForm(request.POST or None, preview=rows)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                imports.did_import_mark_up(
                    did_import=did_import,
                    columns=form.columns(),
                    has_header=data["has_header"],
                    default_operator=data["default_operator"],
                    default_status=data["default_status"],
                    default_tag=data["default_tag"],
                    default_region=data["default_region"],
                )
            except imports.DIDImportError as exc:
                form.add_error(None, str(exc))
            else:
                return HttpResponseRedirect(reverse("admin:dids_did_import_result", args=[did_import.pk]))
        return TemplateResponse(
            request,
            "admin/dids/did/import_markup.html",
            self._context(
                request,
                title=f"Import {did_import.original_filename}: which column is what",
                did_import=did_import,
                form=form,
                rows=rows,
                width=range(width),
            ),
        )

    def import_result_view(self, request, import_id: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        did_import = get_object_or_404(DIDImport.objects.select_related("job__created_by"), pk=import_id)
        issues = {
            kind: list(did_import.issues.filter(kind=kind)[:ISSUES_SHOWN])
            for kind in (DIDImportIssue.Kind.INCORRECT, DIDImportIssue.Kind.EXISTING, DIDImportIssue.Kind.DUPLICATE)
        }
        return TemplateResponse(
            request,
            "admin/dids/did/import_result.html",
            self._context(
                request,
                title=f"Import of {did_import.original_filename}",
                did_import=did_import,
                incorrect=issues[DIDImportIssue.Kind.INCORRECT],
                existing=issues[DIDImportIssue.Kind.EXISTING],
                duplicates=issues[DIDImportIssue.Kind.DUPLICATE],
                shown=ISSUES_SHOWN,
                running=did_import.status == DIDImport.Status.PROCESSING,
            ),
        )


@admin.register(DIDImport)
class DIDImportAdmin(admin.ModelAdmin):
    """Past imports; each links to its result page."""

    list_display = [
        "original_filename",
        "status",
        "created_count",
        "existing_count",
        "incorrect_count",
        "created_by",
        "created_at",
        "result",
    ]
    list_filter = ["job__status"]
    list_select_related = ["job__created_by"]

    @admin.display(description="")
    def result(self, did_import) -> str:
        return format_html('<a href="{}">Result</a>', reverse("admin:dids_did_import_result", args=[did_import.pk]))

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("dids.view_did")
