"""The dashboard's personal-data page: export or erase what the customer holds about one number."""

import json

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.generic import TemplateView

from customers.tenancy import CustomerRequiredMixin, scoped
from dnc.services import DncError, clean_number
from privacy.models import Erasure
from privacy.services import person_erase, person_export


class NumberForm(forms.Form):
    number = forms.CharField(max_length=40, help_text="In international form, e.g. +441174090100.")
    add_to_dnc = forms.BooleanField(required=False, label="also put it on my do-not-call list")

    def clean_number(self):
        try:
            return clean_number(self.cleaned_data["number"])
        except DncError as error:
            raise forms.ValidationError(str(error)) from None


class PersonalDataView(CustomerRequiredMixin, TemplateView):
    template_name = "privacy/personal_data.html"

    def get(self, request, *args, **kwargs):
        if "export" in request.GET:
            form = NumberForm(request.GET)
            if form.is_valid():
                document = person_export(customer=self.customer, number=form.cleaned_data["number"])
                response = HttpResponse(json.dumps(document, indent=2), content_type="application/json")
                response["Content-Disposition"] = 'attachment; filename="personal-data.json"'
                return response
            return self.render_to_response(self.get_context_data(form=form))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", NumberForm())
        kwargs["erasures"] = scoped(Erasure.objects.select_related("by"), self.customer)[:50]
        return super().get_context_data(**kwargs)

    def post(self, request):
        form = NumberForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        erasure = person_erase(
            customer=self.customer,
            number=form.cleaned_data["number"],
            by=request.user,
            add_to_dnc=form.cleaned_data["add_to_dnc"],
        )
        messages.success(request, f"Erased; the number now reads {erasure.number_hash} in past calls.")
        return redirect("dashboard:personal_data")
