from django.contrib import admin

from compliance.models import CustomerCaps, LegalWindow
from compliance.selectors import legal_rules_forget


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
