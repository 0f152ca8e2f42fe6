"""Administrators: the erasure records, and export/erase of one number across every customer."""

import json

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path

from dnc.services import DncError, clean_number
from privacy.models import Erasure
from privacy.services import person_erase, person_export


class PersonForm(forms.Form):
    number = forms.CharField(max_length=40)
    add_to_dnc = forms.BooleanField(required=False, label="also put it on the platform do-not-call list")

    def clean_number(self):
        try:
            return clean_number(self.cleaned_data["number"])
        except DncError as error:
            raise forms.ValidationError(str(error)) from None


@admin.register(Erasure)
class ErasureAdmin(admin.ModelAdmin):
    list_display = ["at", "number_hash", "customer", "by", "added_to_dnc"]
    list_select_related = ["customer", "by"]
    search_fields = ["number_hash"]
    readonly_fields = ["customer", "number_hash", "by", "at", "added_to_dnc", "counts"]
    change_list_template = "admin/privacy/erasure_change_list.html"

    def has_add_permission(self, request):
        return False

    def get_urls(self):
        return [
            path("person/", self.admin_site.admin_view(self.person_view), name="privacy_person"),
            *super().get_urls(),
        ]

    def person_view(self, request):
        form = PersonForm(request.POST or request.GET or None)
        if request.method == "POST" and form.is_valid():
            if "export" in request.POST:
                document = person_export(customer=None, number=form.cleaned_data["number"])
                response = HttpResponse(json.dumps(document, indent=2), content_type="application/json")
                response["Content-Disposition"] = 'attachment; filename="personal-data.json"'
                return response
            erasure = person_erase(
                customer=None,
                number=form.cleaned_data["number"],
                by=request.user,
                add_to_dnc=form.cleaned_data["add_to_dnc"],
            )
            messages.success(request, f"Erased everywhere; the number now reads {erasure.number_hash}.")
            return redirect("admin:privacy_erasure_changelist")
        context = {**self.admin_site.each_context(request), "form": form, "title": "Export or erase one number"}
        return TemplateResponse(request, "admin/privacy/person.html", context)
