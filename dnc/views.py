"""The dashboard's do-not-call page: search, add, remove, upload."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.views import View
from django.views.generic import TemplateView

from customers.tenancy import CustomerRequiredMixin, get_scoped_or_404
from dnc import selectors, services
from dnc.models import DncEntry, DncSource
from dnc.upload import dnc_upload
from telephony.imports.forms import RegionField

PAGE_SIZE = 100


# The country of national numbers when a form sends none (the field's initial choice).
DEFAULT_REGION = "GB"


class NationalNumbersForm(forms.Form):
    """The country national numbers are read in: one field, for a number added by hand as for a file."""

    default_region = RegionField(
        initial=DEFAULT_REGION,
        required=False,
        label="Country of national numbers",
        help_text="Numbers written without a country code, such as 07911 123456, are read in it.",
    )

    # Both forms are on one page: each its own id for the field.
    region_id = "id_default_region"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_region"].widget.attrs["id"] = self.region_id

    def region(self) -> str:
        return self.cleaned_data["default_region"] or DEFAULT_REGION


class AddForm(NationalNumbersForm):
    field_order = ["number", "is_prefix", "default_region", "expires_at"]
    region_id = "id_add_default_region"

    number = forms.CharField(
        max_length=40,
        label="Number or prefix",
        help_text="+441174090100 or 07911 123456, or a prefix such as +44870.",
    )
    is_prefix = forms.BooleanField(required=False, label="It is a prefix: every number starting with it")
    expires_at = forms.DateTimeField(
        required=False,
        label="Expires (optional)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class UploadForm(NationalNumbersForm):
    # The help is written in the template (it formats the prefix examples as code).
    field_order = ["file", "default_region"]

    file = forms.FileField()


class DncPageView(CustomerRequiredMixin, TemplateView):
    template_name = "dnc/dnc.html"

    def get_context_data(self, **kwargs):
        query = self.request.GET.get("q", "").strip()
        entries = selectors.dnc_entries(self.customer)
        if query:
            entries = entries.filter(number__contains=query)
        return super().get_context_data(
            entries=entries[:PAGE_SIZE],
            total=entries.count(),
            query=query,
            add_form=kwargs.get("add_form") or AddForm(),
            upload_form=kwargs.get("upload_form") or UploadForm(),
            report=kwargs.get("report"),
            uploads=selectors.dnc_uploads(self.customer)[:10],
        )

    def post(self, request):
        if "file" in request.FILES:
            upload_form = UploadForm(request.POST, request.FILES)
            if upload_form.is_valid():
                upload = upload_form.cleaned_data["file"]
                try:
                    record = dnc_upload(
                        customer=self.customer,
                        upload=upload,
                        filename=upload.name,
                        added_by=request.user,
                        default_region=upload_form.region(),
                    )
                except services.DncError as error:
                    upload_form.add_error("file", str(error))
                else:
                    return self.render_to_response(self.get_context_data(report=record))
            return self.render_to_response(self.get_context_data(upload_form=upload_form))
        form = AddForm(request.POST)
        if form.is_valid():
            try:
                entry, created = services.dnc_add(
                    customer=self.customer,
                    source=DncSource.DASHBOARD,
                    added_by=request.user,
                    number=form.cleaned_data["number"],
                    is_prefix=form.cleaned_data["is_prefix"],
                    expires_at=form.cleaned_data["expires_at"],
                    default_region=form.region(),
                )
            except services.DncError as error:
                form.add_error("number", str(error))
            else:
                done = "will not be called" if created else "was already on your list"
                messages.success(request, f"{entry} {done}.")
                return redirect("dashboard:dnc")
        return self.render_to_response(self.get_context_data(add_form=form))


class DncRemoveView(CustomerRequiredMixin, View):
    def post(self, request, entry_id: int):
        entry = get_scoped_or_404(DncEntry.objects.all(), self.customer, pk=entry_id)
        services.dnc_remove(entry=entry)
        messages.success(request, f"{entry} removed from your do-not-call list.")
        return redirect("dashboard:dnc")
