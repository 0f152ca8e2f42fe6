import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminFileWidget
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, Http404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join

from campaigns import services
from campaigns.forms import AppAdminForm, AudioFileAdminForm
from campaigns.models import App, AttemptStatus, AudioFile, CallAttempt, CallJob, Campaign, JobStatus, RepeatOutcome
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


class RecordingFileWidget(AdminFileWidget):
    """The admin's file input whose "Currently:" link opens the recording through ``listen_url``."""

    def __init__(self, *, listen_url: str, attrs=None) -> None:
        super().__init__(attrs)
        self.listen_url = listen_url

    def format_value(self, value):
        if self.is_initial(value):
            return StoredRecording(name=value.name, url=self.listen_url)
        return super().format_value(value)


@dataclass(frozen=True)
class StoredRecording:
    """What the file input's template reads of the stored file: its name, and where to open it."""

    name: str
    url: str

    def __str__(self) -> str:
        return self.name


# The two recordings of an audio file the admin plays: the upload as it came, and what calls play.
RECORDINGS = {"original": "file", "phone": "phone_file"}
PHONE_CONTENT_TYPE = "audio/wav"


@admin.register(AudioFile)
class AudioFileAdmin(admin.ModelAdmin):
    """Recordings are stored under MEDIA_ROOT, which no URL serves: the admin plays them through its own
    view (``recording_view``), which asks for the permission the change page asks for."""

    form = AudioFileAdminForm
    list_display = ["name", "pk", "owner", "content_type", "size", "telephone_version"]
    list_filter = [SCOPE_FILTER, ("customer", CustomerOrGlobalFilter)]
    list_select_related = ["customer"]
    search_fields = ["name"]
    autocomplete_fields = ["customer"]
    readonly_fields = ["recordings"]

    @admin.display(description="Owner")
    def owner(self, audio: AudioFile) -> str:
        return audio.owner_label

    @admin.display(description="Telephone version", boolean=True)
    def telephone_version(self, audio: AudioFile) -> bool:
        return bool(audio.phone_file)

    @admin.display(description="Listen")
    def recordings(self, audio: AudioFile) -> str:
        if audio.pk is None:
            return "The recording can be played here once it is saved."
        rows = []
        for which, label, content_type, note in [
            ("original", "Uploaded", audio.content_type, f"{audio.content_type}, {audio.size:,} bytes"),
            ("phone", "Telephone version", PHONE_CONTENT_TYPE, "what calls play: 8 kHz mono 16-bit WAV"),
        ]:
            if not getattr(audio, RECORDINGS[which]):
                rows.append(format_html("<dt>{}</dt><dd class='muted'>Not made yet.</dd>", label))
                continue
            url = self.recording_url(audio, which)
            rows.append(
                format_html(
                    '<dt>{}</dt><dd><audio controls preload="metadata" data-recording="{}">'
                    '<source src="{}" type="{}"></audio> <a href="{}" class="muted">{}</a></dd>',
                    label,
                    which,
                    url,
                    content_type,
                    url,
                    note,
                )
            )
        return format_html('<dl class="recordings">{}</dl>', format_html_join("", "{}", ((row,) for row in rows)))

    def recording_url(self, audio: AudioFile, which: str) -> str:
        return reverse("admin:campaigns_audiofile_recording", args=[audio.pk, which])

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None and "file" in form.base_fields:
            # "Currently:" links to the recording through the admin, not to MEDIA_URL (which nothing serves).
            field = form.base_fields["file"]
            field.widget = RecordingFileWidget(listen_url=self.recording_url(obj, "original"))
            field.widget.is_required = field.required  # no "Clear" box: an audio file has a recording
        return form

    def get_urls(self):
        return [
            path(
                "<path:object_id>/recording/<slug:which>/",
                self.admin_site.admin_view(self.recording_view),
                name="campaigns_audiofile_recording",
            ),
            *super().get_urls(),
        ]

    def recording_view(self, request, object_id: str, which: str) -> FileResponse:
        """One of the audio file's recordings, streamed, to whoever may open its change page."""
        if which not in RECORDINGS:
            raise Http404("No such recording.")
        audio = self.get_object(request, unquote(object_id))
        if audio is None:
            raise Http404("No such audio file.")
        if not self.has_view_or_change_permission(request, audio):
            raise PermissionDenied
        stored = getattr(audio, RECORDINGS[which])
        if not stored:
            raise Http404("This recording has no telephone version yet.")
        try:
            handle = stored.open("rb")
        except FileNotFoundError:
            raise Http404("The recording's file is missing from the storage.") from None
        return FileResponse(
            handle,
            content_type=audio.content_type if which == "original" else PHONE_CONTENT_TYPE,
            filename=PurePosixPath(stored.name).name,
        )

    def save_model(self, request, obj, form, change):
        services.audio_file_save(audio=obj, recording=form.recording)


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    """Every customer's campaigns, to look at and to pause or resume.

    Read-only: a campaign's settings are its customer's, changed in the dashboard under the rules
    of its status (campaigns/blocks.py), and its counters are the dialer's. Its status moves only
    through the actions below, which call the services the dashboard's buttons call.
    """

    list_display = [
        "name",
        "customer",
        "status",
        "line_limit",
        "progress",
        "called",
        "answered",
        "created",
    ]
    list_filter = ["status", ("customer", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["customer"]
    search_fields = ["name"]
    search_help_text = "The campaign's name, or a part of it."
    ordering = ["-created_at"]  # the model's order
    actions = ["pause_selected", "resume_selected"]
    fieldsets = [
        (None, {"fields": ["customer", "name", "comment", "status", "progress"]}),
        ("What is called", {"fields": ["app", "distribution_list", "a_number_did", "a_number_pool"]}),
        (
            "When",
            {
                "fields": [
                    "lines",
                    "all_day",
                    "work_start",
                    "work_end",
                    "work_days",
                    "time_zone",
                    "subscriber_time_zone",
                    "scheduled_at",
                ]
            },
        ),
        (
            "Counts (kept by the dialer)",
            {
                "fields": [
                    "stat_contacts",
                    "stat_called",
                    "stat_answered",
                    "stat_no_answer",
                    "stat_busy",
                    "stat_failed",
                    "stat_done",
                    "stat_suppressed",
                ]
            },
        ),
        ("History", {"fields": ["created_by", "created_at", "launched_at", "finished_at", "updated_at"]}),
    ]

    @admin.display(description="Lines", ordering="lines")
    def line_limit(self, campaign: Campaign) -> int:
        return campaign.lines

    @admin.display(description="Progress", ordering="stat_done")
    def progress(self, campaign: Campaign) -> str:
        """Contacts with no call left, of all the contacts, as the dashboard's progress bar counts them."""
        return f"{campaign.stat_done:,} / {campaign.stat_contacts:,} done ({campaign.progress_percent}%)"

    @admin.display(description="Called", ordering="stat_called")
    def called(self, campaign: Campaign) -> str:
        return f"{campaign.stat_called:,}"

    @admin.display(description="Answered", ordering="stat_answered")
    def answered(self, campaign: Campaign) -> str:
        return f"{campaign.stat_answered:,}"

    @admin.display(description="Created", ordering="created_at")
    def created(self, campaign: Campaign) -> str:
        return date_format(timezone.localtime(campaign.created_at), "DATETIME_FORMAT")

    def get_readonly_fields(self, request, obj=None):
        return [field for fields in (options["fields"] for _, options in self.fieldsets) for field in fields]

    def has_add_permission(self, request) -> bool:
        return False  # the customer's wizard makes campaigns (it checks the list, the app and the A-number)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a campaign's calls and report go with it; finish it in the dashboard instead

    def has_change_permission(self, request, obj=None) -> bool:
        # The list's actions need the change permission; one campaign's page has nothing to save.
        return obj is None and super().has_change_permission(request)

    def _move(self, request, queryset, move, verb: str) -> None:
        moved = []
        for campaign in queryset.select_related("customer").order_by("customer__name", "name"):
            try:
                move(campaign=campaign, user=request.user)
            except services.CampaignStateError as exc:
                self.message_user(request, str(exc), messages.WARNING)
            else:
                moved.append(f"“{campaign.name}” ({campaign.customer})")
        if moved:
            self.message_user(request, f"{verb}: {', '.join(moved)}.", messages.SUCCESS)

    @admin.action(description="Pause the selected campaigns", permissions=["change"])
    def pause_selected(self, request, queryset):
        self._move(request, queryset, services.campaign_pause, "Paused")

    @admin.action(description="Resume the selected paused campaigns", permissions=["change"])
    def resume_selected(self, request, queryset):
        self._move(request, queryset, services.campaign_resume, "Resumed")


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
        "next_attempt",
        "zones",
    ]
    list_filter = ["status", "last_outcome", "campaign"]
    list_select_related = ["campaign"]
    ordering = ["-id"]  # newest first
    readonly_fields = ["contact_id"]
    exclude = ["contact"]  # a soft reference: the list it came from may be deleted

    @admin.display(description="Next attempt", ordering="next_attempt_at")
    def next_attempt(self, job: CallJob) -> str:
        """A waiting job's time to be called; once that time has passed it is due now (the dialer calls it
        when a line is free and its calling hours are open), not "at 5:01" in the past."""
        if job.status != JobStatus.PENDING or job.next_attempt_at is None:
            return "-"
        if job.next_attempt_at <= timezone.now():
            when = date_format(timezone.localtime(job.next_attempt_at), "DATETIME_FORMAT")
            return format_html('<span class="due-now" title="Due since {}">Due now</span>', when)
        return date_format(timezone.localtime(job.next_attempt_at), "DATETIME_FORMAT")

    @admin.display(description="Time zone", ordering="time_zone")
    def zones(self, job: CallJob) -> str:
        # Every candidate zone of the number, comma-separated: spaced so the column can wrap.
        return ", ".join(job.time_zone.split(","))

    def get_ordering(self, request):
        # One campaign's jobs by outcome, newest first: one backward range of the
        # (campaign, last_outcome, id) index, where ordering by id alone would sort them all.
        if "campaign__id__exact" in request.GET and "o" not in request.GET:
            return ["-last_outcome", "-id"]
        return super().get_ordering(request)


@admin.register(CallAttempt)
class CallAttemptAdmin(DialerRowsAdmin):
    # Eight columns fit beside the filter panel in a 1366 px window: the status is read from the outcome
    # ("Dialing…" until there is one), the worker is on the attempt's page.
    list_display = [
        "b_number",
        "attempt",
        "campaign",
        "a_number",
        "started_at",
        "talk",
        "call_outcome",
        "cause",
    ]
    list_filter = ["status", "outcome", "campaign"]
    list_select_related = ["campaign"]
    ordering = ["-started_at"]  # the (campaign, started_at) and (started_at) indexes
    raw_id_fields = ["job"]
    # The search box: a B-number or A-number, or its beginning (get_search_results).
    search_fields = ["b_number", "a_number"]
    search_help_text = (
        "A B-number or A-number, whole or its beginning: +4420 finds every number starting so. "
        "Spaces, dashes and brackets are ignored; 00 counts as +."
    )

    @admin.display(description="Attempt", ordering="number")
    def attempt(self, attempt: CallAttempt) -> str:
        return f"#{attempt.number}"

    @admin.display(description="Talk (s)", ordering="duration")
    def talk(self, attempt: CallAttempt) -> str:
        return "-" if attempt.duration is None else str(attempt.duration)

    @admin.display(description="Outcome", ordering="outcome")
    def call_outcome(self, attempt: CallAttempt) -> str:
        if attempt.status == AttemptStatus.DIALING:
            return "Dialing…"
        return OUTCOME_LABELS.get(attempt.outcome, attempt.outcome or "-")

    def get_search_results(self, request, queryset, search_term):
        """Numbers starting with the digits typed, as one range of the (b_number, started_at) and
        (a_number, started_at) indexes each: never a scan of the table (Django's default search is a
        case-insensitive "contains", which no index serves)."""
        bounds = number_prefix_range(search_term)
        if bounds is None:
            if search_term.strip():
                self.message_user(request, f"“{search_term.strip()}” is not a number.", messages.WARNING)
                return queryset.none(), False
            return queryset, False
        low, high = bounds
        condition = Q()
        for column in ("b_number", "a_number"):
            in_range = Q(**{f"{column}__gte": low})
            if high is not None:
                in_range &= Q(**{f"{column}__lt": high})
            condition |= in_range
        return queryset.filter(condition), False


OUTCOME_LABELS = {value: str(label) for value, label in RepeatOutcome.choices}
NOT_DIALLED = re.compile(r"[\s().\-/]")


def number_prefix_range(term: str) -> tuple[str, str | None] | None:
    """The range of stored E.164 numbers ("+" and digits) that start with what was typed: (low, high),
    high None when every number from low on matches (a prefix of nines); None when it is not a number.

    "+4420" → ("+4420", "+4421"); "0044 20" → the same; "+4429" → ("+4429", "+443").
    """
    digits = NOT_DIALLED.sub("", term)
    if digits.startswith("00"):
        digits = digits[2:]
    digits = digits.removeprefix("+")
    if not digits.isascii() or not digits.isdigit() or len(digits) > 15:
        return None
    low = f"+{digits}"
    stem = digits.rstrip("9")
    if not stem:
        return low, None
    return low, f"+{stem[:-1]}{int(stem[-1]) + 1}"
