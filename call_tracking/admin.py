"""Admin of call tracking: pools with their numbers, DNI sessions and tracked calls.

Thin: pools are created and their numbers provisioned through the API (or the
services); the admin edits the replacement rules and deletes pools through
``call_tracking.services`` so that their DIDs return to stock.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages

from call_tracking import rules, services
from call_tracking.api import serializers as api_serializers
from call_tracking.models import DNISession, TrackedCall, TrackingNumber, TrackingPool, TrackingPoolStatus
from telephony.admin_readonly import ReadOnlyAdmin


class TrackingPoolForm(forms.ModelForm):
    """The same rules as the API's: a bad source, number or domain is named, never stored."""

    class Meta:
        model = TrackingPool
        # What the service updates, nothing more.
        fields = services.UPDATABLE

    def clean_tracking_sources(self):
        value = self.cleaned_data["tracking_sources"]
        serializer = api_serializers.TrackingSourceSerializer(data=value if isinstance(value, list) else [], many=True)
        if not isinstance(value, list) or not serializer.is_valid():
            raise forms.ValidationError(
                f"Tracking sources: {serializer.errors if isinstance(value, list) else 'a list'}"
            )
        return [dict(source) for source in serializer.validated_data]

    def clean_termination_number(self):
        try:
            return rules.parse_termination_number(self.cleaned_data["termination_number"])
        except rules.RuleError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_site_domains(self):
        value = self.cleaned_data["site_domains"]
        if not isinstance(value, list):
            raise forms.ValidationError('A list of domains, e.g. ["example.com"].')
        try:
            return [rules.normalise_domain(str(domain)) for domain in value]
        except rules.RuleError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_numbers_to_replace(self):
        value = self.cleaned_data["numbers_to_replace"]
        serializer = api_serializers.ReplacementConfigurationSerializer(
            data={"numbers_to_replace": value if isinstance(value, list) else None}
        )
        if not serializer.is_valid():
            raise forms.ValidationError(str(serializer.errors.get("numbers_to_replace", serializer.errors)))
        return serializer.validated_data["numbers_to_replace"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("replace_all_numbers") and data.get("numbers_to_replace"):
            self.add_error("replace_all_numbers", "It cannot be used together with numbers to replace.")
        return data


class TrackingNumberInline(admin.TabularInline):
    model = TrackingNumber
    fields = ("did", "held_until", "added_at", "removed_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("did")


@admin.register(TrackingPool)
class TrackingPoolAdmin(admin.ModelAdmin):
    form = TrackingPoolForm
    list_display = ("name", "customer", "status", "quantity", "match_period", "exhaustion_policy", "created_at")
    list_filter = ("status", "exhaustion_policy", "customer")
    search_fields = ("name", "customer__name", "public_key", "numbers__did__number")
    list_select_related = ("customer",)
    fields = (
        "customer",
        "status",
        "quantity",
        "phone_number_request",
        *services.UPDATABLE,
        "public_key",
        "created_at",
        "deleted_at",
    )
    # What the service does not update is shown, never edited.
    readonly_fields = tuple(name for name in fields if name not in services.UPDATABLE)
    inlines = [TrackingNumberInline]
    actions = ["delete_pools"]

    def has_add_permission(self, request) -> bool:
        return False  # pools are provisioned by the API, which picks and assigns their DIDs

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the action below returns the numbers to stock

    def save_model(self, request, obj, form, change):
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in services.UPDATABLE}
        try:
            services.tracking_pool_update(pool=obj, **changes)
        except services.TrackingError as exc:
            self.message_user(request, str(exc), level=messages.ERROR)

    @admin.action(description="Delete the selected pools (their numbers return to stock)")
    def delete_pools(self, request, queryset):
        done = 0
        for pool in queryset.filter(status=TrackingPoolStatus.ACTIVE):
            try:
                services.tracking_pool_delete(pool=pool, user=request.user)
                done += 1
            except services.TrackingError as exc:
                self.message_user(request, str(exc), level=messages.ERROR)
        self.message_user(request, f"{done} pool(s) deleted.")


@admin.register(DNISession)
class DNISessionAdmin(ReadOnlyAdmin):
    list_display = ("visitor_id", "pool", "number", "source", "started_at", "expires_at", "page_views", "ambiguous")
    list_filter = ("ambiguous", "source", "pool__customer")
    search_fields = ("visitor_id", "pool__name", "number__did__number", "landing_url")
    list_select_related = ("pool", "number__did")
    date_hierarchy = "started_at"


@admin.register(TrackedCall)
class TrackedCallAdmin(ReadOnlyAdmin):
    list_display = ("called_at", "caller", "called_number", "pool", "source", "ambiguous", "termination_number")
    list_filter = ("ambiguous", "source", "pool__customer")
    search_fields = ("caller", "called_number", "pool__name")
    list_select_related = ("pool",)
    date_hierarchy = "called_at"
