"""Operators, packages and client packages; the client packages inline on the customer page."""

from __future__ import annotations

import phonenumbers
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from customers.admin import CustomerAdmin
from dids import selectors, services
from dids.models import CUSTOMER_STATUSES, ClientPackage, Operator, Package
from telephony.admin_filters import yes_no_filter


class OperatorForm(forms.ModelForm):
    class Meta:
        model = Operator
        fields = ["name", "contact_name", "email", "phone", "notes"]

    def clean_phone(self) -> str:
        """A contact number people can dial, kept in the international format."""
        text = self.cleaned_data["phone"].strip()
        if not text:
            return ""
        region = settings.DIDS_DEFAULT_REGION or None
        try:
            parsed = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            parsed = None
        if parsed is None or not phonenumbers.is_possible_number(parsed):
            hint = "" if region or text.startswith(("+", "00")) else " Write it internationally, e.g. +44 117 496 0000."
            raise forms.ValidationError(f"{text!r} is not a phone number.{hint}")
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


@admin.register(Operator)
class OperatorAdmin(admin.ModelAdmin):
    form = OperatorForm
    list_display = ["name", "contact_name", "email", "phone", "did_count"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(did_total=Count("dids"))

    @admin.display(description="DIDs", ordering="did_total")
    def did_count(self, operator) -> int:
        return operator.did_total


class TagsField(forms.CharField):
    """A JSON list of tags, typed as comma-separated text."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return sorted({tag.strip() for tag in text.split(",") if tag.strip()})


class PackageForm(forms.ModelForm):
    allowed_tags = TagsField(
        required=False,
        help_text="Comma-separated tags of the DIDs that may be picked under this package; empty means any DID.",
    )

    class Meta:
        model = Package
        fields = ["name", "did_limit", "allowed_tags", "hold_days", "notes"]


@admin.register(Package)
class PackageAdmin(admin.ModelAdmin):
    form = PackageForm
    list_display = ["name", "did_limit", "tags", "hold_days", "client_package_count"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(cp_total=Count("client_packages"))

    @admin.display(description="allowed tags")
    def tags(self, package) -> str:
        return ", ".join(package.allowed_tags) or "any"

    @admin.display(description="client packages", ordering="cp_total")
    def client_package_count(self, package) -> int:
        return package.cp_total


def _used(queryset):
    return queryset.annotate(used=Count("dids", filter=Q(dids__status__in=CUSTOMER_STATUSES)))


def _toggle_buttons(cp: ClientPackage) -> str:
    if cp.pk is None:
        return ""
    action = "deactivate" if cp.active else "activate"
    label = "Deactivate (DIDs to Hold)" if cp.active else "Activate (held DIDs back)"
    url = reverse(f"admin:dids_clientpackage_{action}", args=[cp.pk])
    if cp.active:
        # A page says how many numbers go on hold and asks before it happens.
        return format_html('<a class="button" href="{}">{}…</a>', url, label)
    # formaction: the inline sits inside the customer form, and forms cannot nest.
    return format_html(
        '<button type="submit" class="button" formaction="{}" formmethod="post" name="_toggle">{}</button>', url, label
    )


class ClientPackageForm(forms.ModelForm):
    """A client package's package and dates; the dates rule is the service's."""

    class Meta:
        model = ClientPackage
        fields = ["customer", "package", "starts_on", "ends_on"]

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        refusal = services.client_package_dates_refusal(cleaned.get("starts_on"), cleaned.get("ends_on"))
        if refusal:
            self.add_error("ends_on", refusal)
        return cleaned


class ClientPackageFormSet(forms.BaseInlineFormSet):
    """The customer page's client packages, saved through the service."""

    def save_new(self, form, commit=True):
        form.instance.customer = self.instance
        return self._save(form, commit)

    def save_existing(self, form, obj, commit=True):
        return self._save(form, commit)

    @staticmethod
    def _save(form, commit: bool):
        client_package = form.save(commit=False)
        return services.client_package_save(client_package=client_package) if commit else client_package


class ClientPackageInlineForm(ClientPackageForm):
    class Meta:
        model = ClientPackage
        fields = ["package", "starts_on", "ends_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Its DIDs were counted against this package; moving them is a release and a new assignment.
            self.fields["package"].disabled = True


class ClientPackageInline(admin.TabularInline):
    model = ClientPackage
    form = ClientPackageInlineForm
    formset = ClientPackageFormSet
    fields = ["package", "starts_on", "ends_on", "active", "room", "toggle"]
    readonly_fields = ["active", "room", "toggle"]
    extra = 0
    can_delete = False
    template = "admin/dids/clientpackage/tabular_inline.html"

    def get_queryset(self, request):
        return _used(super().get_queryset(request).select_related("package"))

    @admin.display(description="DIDs used / limit")
    def room(self, cp: ClientPackage) -> str:
        if cp.pk is None:
            return ""
        return f"{cp.used} / {cp.package.did_limit}"

    @admin.display(description="")
    def toggle(self, cp: ClientPackage) -> str:
        return _toggle_buttons(cp)


# dids depends on customers, not the reverse: the customer page gains its
# client packages from here, so the customers app needs no knowledge of DIDs.
if ClientPackageInline not in CustomerAdmin.inlines:
    CustomerAdmin.inlines = [*CustomerAdmin.inlines, ClientPackageInline]


@admin.register(ClientPackage)
class ClientPackageAdmin(admin.ModelAdmin):
    form = ClientPackageForm
    list_display = ["__str__", "customer", "package", "active", "used_display", "starts_on", "ends_on", "toggle"]
    list_filter = [yes_no_filter("active", "state", yes="Active", no="Deactivated (numbers on hold)"), "package"]
    list_select_related = ["customer", "package"]
    search_fields = ["customer__name", "package__name"]
    readonly_fields = ["active", "deactivated_at"]
    autocomplete_fields = ["customer"]
    actions = ["activate_selected", "deactivate_selected"]

    def get_queryset(self, request):
        return _used(super().get_queryset(request))

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return [*self.readonly_fields, "customer", "package"]
        return self.readonly_fields

    @admin.display(description="DIDs used / limit")
    def used_display(self, cp) -> str:
        return f"{cp.used} / {cp.package.did_limit}"

    @admin.display(description="")
    def toggle(self, cp) -> str:
        return _toggle_buttons(cp)

    def save_model(self, request, obj, form, change):
        services.client_package_save(client_package=obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deactivate instead: its DIDs must pass through Hold.
        return False

    def get_urls(self):
        return [
            path(
                "<int:pk>/activate/",
                self.admin_site.admin_view(self.toggle_view),
                {"activate": True},
                name="dids_clientpackage_activate",
            ),
            path(
                "<int:pk>/deactivate/",
                self.admin_site.admin_view(self.toggle_view),
                {"activate": False},
                name="dids_clientpackage_deactivate",
            ),
            *super().get_urls(),
        ]

    def toggle_view(self, request, pk: int, activate: bool):
        if request.method not in ("GET", "POST") or (activate and request.method != "POST"):
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request):
            raise PermissionDenied
        cp = get_object_or_404(ClientPackage.objects.select_related("customer", "package"), pk=pk)
        if not activate and request.POST.get("confirm") != "yes":
            back = reverse("admin:customers_customer_change", args=[cp.customer_id])
            return self._confirm_deactivation(request, [cp], back_url=back, back_label=str(cp.customer))
        self._toggle(request, cp, activate)
        return HttpResponseRedirect(reverse("admin:customers_customer_change", args=[cp.customer_id]))

    def _toggle(self, request, cp: ClientPackage, activate: bool) -> None:
        try:
            if activate:
                count = services.client_package_activate(client_package=cp, user=request.user)
                messages.success(
                    request, f"{cp.package.name} of {cp.customer} activated; {count} DID(s) back from Hold."
                )
            else:
                count = services.client_package_deactivate(client_package=cp, user=request.user)
                messages.success(
                    request,
                    f"{cp.package.name} of {cp.customer} deactivated; {count} DID(s) in Hold for "
                    f"{cp.package.hold_days} day(s).",
                )
        except services.DIDError as exc:
            messages.error(request, str(exc))

    @admin.action(description="Activate the selected client packages", permissions=["change"])
    def activate_selected(self, request, queryset):
        for cp in queryset.filter(active=False).select_related("customer", "package"):
            self._toggle(request, cp, True)

    @admin.action(description="Deactivate the selected client packages (DIDs to Hold)", permissions=["change"])
    def deactivate_selected(self, request, queryset):
        packages = list(queryset.filter(active=True).select_related("customer", "package"))
        if request.POST.get("confirm") != "yes":
            back = reverse("admin:dids_clientpackage_changelist")
            return self._confirm_deactivation(
                request, packages, back_url=back, back_label="Client packages", selected=[cp.pk for cp in packages]
            )
        for cp in packages:
            self._toggle(request, cp, False)

    def _confirm_deactivation(self, request, packages, *, back_url: str, back_label: str, selected=()):
        """Their numbers become unreachable: the page says how many before it happens."""
        packages = selectors.deactivation_preview(packages)
        context = {
            **self.admin_site.each_context(request),
            "title": "Deactivate client package" + ("s" if len(packages) != 1 else ""),
            "packages": packages,
            "on_hold": sum(cp.on_hold for cp in packages),
            "selected": list(selected),
            "back_url": back_url,
            "back_label": back_label,
        }
        return TemplateResponse(request, "admin/dids/clientpackage/deactivate_confirm.html", context)
