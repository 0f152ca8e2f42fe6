from django.contrib import admin
from django.utils.html import format_html_join

from campaigns import services
from campaigns.forms import AppAdminForm, AudioFileAdminForm
from campaigns.models import App, AudioFile, CallAttempt, CallJob
from telephony.admin_filters import CustomerOrGlobalFilter, yes_no_filter
from telephony.admin_readonly import ReadOnlyAdmin

SCOPE_FILTER = yes_no_filter("is_global", "scope", yes="Global (every customer)", no="One customer's")


@admin.register(App)
class AppAdmin(admin.ModelAdmin):
    form = AppAdminForm
    list_display = ["name", "owner", "tts_voice", "variable_list", "step_count", "updated_at"]
    list_filter = [SCOPE_FILTER, ("customer", CustomerOrGlobalFilter)]
    list_select_related = ["customer"]
    search_fields = ["name", "customer__name"]
    autocomplete_fields = ["customer"]
    readonly_fields = ["variable_list", "updated_at", "updated_by"]

    @admin.display(description="Owner", ordering="customer__name")
    def owner(self, app: App) -> str:
        return app.owner_label

    @admin.display(description="Variables")
    def variable_list(self, app: App) -> str:
        return format_html_join(" ", "<code>{{{}}}</code>", ((name,) for name in app.variables)) or "—"

    @admin.display(description="Steps")
    def step_count(self, app: App) -> int:
        return len(app.scenario or [])

    def save_model(self, request, obj, form, change):
        services.app_save(app=obj, user=request.user)


@admin.register(AudioFile)
class AudioFileAdmin(admin.ModelAdmin):
    form = AudioFileAdminForm
    list_display = ["name", "pk", "owner", "content_type", "size", "telephone_version"]
    list_filter = [SCOPE_FILTER, ("customer", CustomerOrGlobalFilter)]
    list_select_related = ["customer"]
    search_fields = ["name"]
    autocomplete_fields = ["customer"]

    @admin.display(description="Owner")
    def owner(self, audio: AudioFile) -> str:
        return audio.owner_label

    @admin.display(description="Telephone version", boolean=True)
    def telephone_version(self, audio: AudioFile) -> bool:
        return bool(audio.phone_file)

    def save_model(self, request, obj, form, change):
        services.audio_file_save(audio=obj, recording=form.recording)


class DialerRowsAdmin(ReadOnlyAdmin):
    """The dialer writes call jobs and attempts (campaigns/dialer/); the admin only looks.

    No full count of a table that grows by millions of rows; list pages order by
    an indexed column so that each filter is one index range.
    """

    show_full_result_count = False
    list_per_page = 50


@admin.register(CallJob)
class CallJobAdmin(DialerRowsAdmin):
    list_display = [
        "phone",
        "campaign",
        "status",
        "attempts_made",
        "last_outcome",
        "last_cause",
        "next_attempt_at",
        "time_zone",
    ]
    list_filter = ["status", "last_outcome", "campaign"]
    list_select_related = ["campaign"]
    ordering = ["-id"]  # newest first
    readonly_fields = ["contact_id"]
    exclude = ["contact"]  # a soft reference: the list it came from may be deleted

    def get_ordering(self, request):
        # One campaign's jobs by outcome, newest first: one backward range of the
        # (campaign, last_outcome, id) index, where ordering by id alone would sort them all.
        if "campaign__id__exact" in request.GET and "o" not in request.GET:
            return ["-last_outcome", "-id"]
        return super().get_ordering(request)


@admin.register(CallAttempt)
class CallAttemptAdmin(DialerRowsAdmin):
    list_display = [
        "b_number",
        "number",
        "campaign",
        "status",
        "a_number",
        "started_at",
        "duration",
        "outcome",
        "cause",
        "worker",
    ]
    list_filter = ["status", "outcome", "campaign"]
    list_select_related = ["campaign"]
    ordering = ["-started_at"]  # the (campaign, started_at) and (started_at) indexes
    raw_id_fields = ["job"]
