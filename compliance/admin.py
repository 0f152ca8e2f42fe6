from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.conf import settings
from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import path

from compliance.models import ALL_DAYS, ANumberDay, CustomerCaps, LegalWindow, PoolDay, PoolPolicy
from compliance.selectors import RECENT_DAYS, caller_id_grid, caller_id_reputation, caller_id_usage
from compliance.services import legal_window_save, legal_windows_delete, legal_windows_reset
from customers.admin import CustomerAdmin

DAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def days_text(days: int) -> str:
    """``0b0011111`` -> "Mon–Fri"; runs of days joined, e.g. "Mon–Fri, Sun"."""
    runs, start = [], None
    for bit in range(8):
        on = bit < 7 and days & (1 << bit)
        if on and start is None:
            start = bit
        elif not on and start is not None:
            end = bit - 1
            runs.append(DAY_NAMES[start] if start == end else f"{DAY_NAMES[start]}–{DAY_NAMES[end]}")
            start = None
    return ", ".join(runs) or "never"


class LegalWindowForm(forms.ModelForm):
    """The days as seven checkboxes instead of the stored bit mask (bit 0 is Monday)."""

    weekdays = forms.TypedMultipleChoiceField(
        choices=[(str(bit), name) for bit, name in enumerate(DAY_NAMES)],
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        label="Days",
        help_text="The local days the window is open.",
    )

    class Meta:
        model = LegalWindow
        fields = ["country", "region", "zones", "start", "end", "weekdays", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        days = self.instance.days if self.instance.pk else ALL_DAYS
        self.initial.setdefault("weekdays", [str(bit) for bit in range(7) if days & (1 << bit)])

    def clean_country(self):
        return self.cleaned_data["country"].strip().upper()

    def clean_zones(self):
        names = [name.strip() for name in self.cleaned_data["zones"].split(",") if name.strip()]
        unknown = []
        for name in names:
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                unknown.append(name)
        if unknown:
            raise forms.ValidationError(f"Unknown time zone(s): {', '.join(unknown)}; e.g. America/Chicago.")
        return ",".join(names)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("start"), data.get("end")
        if start and end and start >= end:
            self.add_error("end", "The window must end after it starts (a window cannot cross midnight).")
        return data

    def save(self, commit=True):
        self.instance.days = sum(1 << bit for bit in self.cleaned_data["weekdays"])
        return super().save(commit)


@admin.register(LegalWindow)
class LegalWindowAdmin(admin.ModelAdmin):
    """The platform's legal calling hours; the dialer re-reads them within COMPLIANCE_RULES_SECONDS of a change."""

    form = LegalWindowForm
    list_display = ["country", "region", "start", "end", "day_names", "zones", "note"]
    list_filter = ["country"]
    search_fields = ["country", "region", "zones", "note"]
    actions = ["reset_to_shipped_table"]

    @admin.display(description="days", ordering="days")
    def day_names(self, window: LegalWindow) -> str:
        return days_text(window.days)

    def save_model(self, request, obj, form, change):
        legal_window_save(window=obj)

    def delete_model(self, request, obj):
        legal_windows_delete(windows=LegalWindow.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        legal_windows_delete(windows=queryset)

    @admin.action(description="Replace the whole table by the shipped defaults (any row may be selected)")
    def reset_to_shipped_table(self, request, queryset):
        written = legal_windows_reset()
        self.message_user(request, f"The legal-hours table is the shipped one again: {written} windows.")


# Cap fields left blank for the platform's setting: what each counts, and the setting.
PLATFORM_DEFAULTS = {
    "calls_per_day": ("Attempts to one number per UTC day", "COMPLIANCE_CALLS_PER_DAY"),
    "calls_per_week": ("Attempts to one number per ISO week", "COMPLIANCE_CALLS_PER_WEEK"),
    "calls_per_number_per_day": ("Calls a day from one member", "COMPLIANCE_A_NUMBER_CALLS_PER_DAY"),
}


class PlatformDefaultHelp:
    """Cap fields say the value a blank one takes ("blank: the platform default, 300"), not a setting's name."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]
        if db_field.name in PLATFORM_DEFAULTS and field is not None:
            what, setting = PLATFORM_DEFAULTS[db_field.name]
            field.help_text = f"{what}; blank: the platform default, {getattr(settings, setting):,}."
        return field


@admin.register(CustomerCaps)
class CustomerCapsAdmin(PlatformDefaultHelp, admin.ModelAdmin):
    list_display = ["customer", "calls_per_day", "calls_per_week"]
    autocomplete_fields = ["customer"]


class SettingsBlockInline(PlatformDefaultHelp, admin.StackedInline):
    """One row of settings shown as a block of another object's admin page (never deleted there)."""

    template = "admin/edit_inline/settings_block.html"
    can_delete = False
    max_num = 1


class CustomerCapsInline(SettingsBlockInline):
    """On the customer's admin page: its own caps per subscriber (blank: the platform's default)."""

    model = CustomerCaps
    verbose_name = verbose_name_plural = "Compliance: attempts to one number per day and per week"


if CustomerCapsInline not in CustomerAdmin.inlines:
    CustomerAdmin.inlines = [*CustomerAdmin.inlines, CustomerCapsInline]


class PoolPolicyInline(SettingsBlockInline):
    """On the caller-ID pool's admin page: local presence and the pool's own per-number daily cap."""

    model = PoolPolicy
    verbose_name = verbose_name_plural = "Compliance: local presence and daily cap per number"


@admin.register(PoolPolicy)
class PoolPolicyAdmin(PlatformDefaultHelp, admin.ModelAdmin):
    list_display = ["pool", "local_presence", "calls_per_number_per_day"]
    autocomplete_fields = ["pool"]


@admin.register(PoolDay)
class PoolDayAdmin(admin.ModelAdmin):
    """Calls per pool per day and how many went out with a local number (local presence)."""

    list_display = ["pool", "day", "calls", "local_calls"]
    list_filter = ["day"]
    readonly_fields = ["pool", "day", "calls", "local_calls"]


@admin.register(ANumberDay)
class ANumberDayAdmin(admin.ModelAdmin):
    """Calls per A-number per day (the per-number cap reads these); ``usage/`` adds answer rates."""

    list_display = ["number", "day", "calls"]
    list_filter = ["day"]
    search_fields = ["number"]
    readonly_fields = ["number", "day", "calls"]

    def get_urls(self):
        usage = path("usage/", self.admin_site.admin_view(self.usage_view), name="compliance_caller_id_usage")
        return [usage, *super().get_urls()]

    def usage_view(self, request):
        rows = caller_id_usage()
        numbers = caller_id_reputation(rows)
        context = {
            **self.admin_site.each_context(request),
            "rows": rows,
            "numbers": numbers,
            "grid": caller_id_grid(rows, numbers),
            "recent_days": RECENT_DAYS,
            "admin_view": True,
            "base_template": "admin/base_site.html",
            "title": "Caller-ID usage",
        }
        return TemplateResponse(request, "compliance/caller_id_usage.html", context)
