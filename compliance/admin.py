from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import path

from compliance.models import ANumberDay, CustomerCaps, LegalWindow, PoolDay, PoolPolicy
from compliance.selectors import RECENT_DAYS, caller_id_grid, caller_id_reputation, caller_id_usage, legal_rules_forget


@admin.register(LegalWindow)
class LegalWindowAdmin(admin.ModelAdmin):
    list_display = ["country", "region", "start", "end", "days", "zones", "note"]
    list_filter = ["country"]
    search_fields = ["country", "region", "zones", "note"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        legal_rules_forget()


@admin.register(CustomerCaps)
class CustomerCapsAdmin(admin.ModelAdmin):
    list_display = ["customer", "calls_per_day", "calls_per_week"]
    autocomplete_fields = ["customer"]


@admin.register(PoolPolicy)
class PoolPolicyAdmin(admin.ModelAdmin):
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
