from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from customers import services
from customers.models import ApiToken, Customer, User
from telephony.admin_filters import yes_no_filter


class CustomerUserInline(admin.TabularInline):
    model = User
    fields = ["email", "first_name", "last_name", "is_active", "last_login"]
    readonly_fields = ["email", "last_login"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "time_zone", "is_active", "created_at"]
    list_filter = [yes_no_filter("is_active", "state", yes="Active", no="Deactivated")]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CustomerUserInline]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "customer", "is_staff", "is_active", "last_login"]
    list_filter = [
        "is_staff",
        "is_superuser",
        yes_no_filter("is_active", "state", yes="Active", no="Deactivated"),
        "customer",
        "groups",
    ]
    search_fields = ["email", "first_name", "last_name", "customer__name"]
    list_select_related = ["customer"]
    autocomplete_fields = ["customer"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Account", {"fields": ["customer", "first_name", "last_name"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "customer", "password1", "password2"]}),
    ]
    actions = ["unlock_login"]

    @admin.action(description="Unlock log-in (after too many wrong passwords)")
    def unlock_login(self, request, queryset):
        lifted = sum(services.user_login_unlock(user=user) for user in queryset)
        users = queryset.count()
        plural = "s" if users != 1 else ""
        messages.success(request, f"Log-in unlocked for {users} user{plural} ({lifted} lockout records cleared).")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued by the customer in the dashboard or by `manage.py issue_api_token`."""

    list_display = ["name", "customer", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["customer"]
    list_select_related = ["customer"]
    search_fields = ["name", "prefix", "customer__name"]
    readonly_fields = ["customer", "name", "prefix", "created_by", "created_at", "last_used_at", "revoked_at"]
    exclude = ["digest"]
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            services.api_token_revoke(token=token)
        messages.success(request, "Tokens revoked.")
