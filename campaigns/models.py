import datetime as dt

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from campaigns import scenario as scenario_rules


class OwnedByCustomerOrGlobal(models.Model):
    """A row that belongs to one customer, or — when global — is offered to every customer."""

    TENANT_LOOKUP = "customer"
    GLOBAL_LOOKUP = "is_global"

    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.CASCADE)
    is_global = models.BooleanField("global", default=False, help_text="Offered to every customer.")

    class Meta:
        abstract = True

    @property
    def owner_label(self) -> str:
        return "Global" if self.is_global else str(self.customer)


def _owner_constraints(prefix: str) -> list:
    return [
        models.CheckConstraint(
            condition=Q(is_global=True, customer__isnull=True) | Q(is_global=False, customer__isnull=False),
            name=f"{prefix}_global_xor_customer",
        ),
        models.UniqueConstraint(fields=["customer", "name"], name=f"{prefix}_name_unique_per_customer"),
        models.UniqueConstraint(fields=["name"], condition=Q(is_global=True), name=f"{prefix}_global_name_unique"),
    ]


def audio_upload_to(instance: "AudioFile", filename: str) -> str:
    owner = "global" if instance.is_global else f"customer-{instance.customer_id}"
    return f"audio/{owner}/{filename}"


class AudioFile(OwnedByCustomerOrGlobal):
    """A recording an app's "play" step plays. Type and size are checked, and the telephone
    version made, on upload (campaigns/audio.py); one that cannot be converted is refused."""

    name = models.CharField(max_length=200)
    file = models.FileField(upload_to=audio_upload_to)
    content_type = models.CharField(max_length=50, editable=False)
    size = models.PositiveIntegerField(editable=False)
    phone_file = models.FileField(
        upload_to=audio_upload_to,
        blank=True,
        editable=False,
        help_text="The recording converted once at upload to what calls play (8 kHz mono 16-bit WAV).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = _owner_constraints("audiofile")

    def __str__(self) -> str:
        return self.name


class App(OwnedByCustomerOrGlobal):
    """A call scenario: what happens on every answered call of a campaign (see campaigns/scenario.py)."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    scenario = models.JSONField(help_text="The ordered steps; see the example below the field.")
    tts_voice = models.CharField(
        "voice",
        max_length=40,
        blank=True,
        help_text="The text-to-speech voice (language) of say steps and gather prompts; empty: the platform's default.",
        validators=[
            RegexValidator(
                r"^[A-Za-z][A-Za-z0-9_+-]*$", "A voice is a code like en, en-us or fr (letters, digits, - + _)."
            )
        ],
    )
    variables = models.JSONField(default=list, editable=False, help_text="Derived from the scenario's placeholders.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        constraints = _owner_constraints("app")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # Variables always follow the scenario, whoever saves it.
        self.variables = scenario_rules.scenario_variables(self.scenario or [])
        super().save(*args, **kwargs)


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    LAUNCHED = "launched", "Launched"
    PAUSED = "paused", "Paused"
    FINISHED = "finished", "Finished"


class RepeatOutcome(models.TextChoices):
    """The outcomes a repeat rule can be set for; "short" is an answered call shorter than N seconds."""

    ANSWERED = "answered", "Answered"
    NO_ANSWER = "no_answer", "No answer"
    BUSY = "busy", "Busy"
    FAILED = "failed", "Failed"
    SHORT = "short", "Answered but shorter than"


LINES_RANGE = (1, 50)
REPEAT_COUNT_RANGE = (1, 199)
REPEAT_PERIOD_RANGE = (1, 1440)  # minutes
SHORT_CALL_RANGE = (1, 3600)  # seconds
REPEAT_CAP_RANGE = (1, 1000)
ALL_WEEKDAYS = 0b1111111  # bit 0 is Monday


def _between(field: str, bounds: tuple[int, int]) -> Q:
    return Q(**{f"{field}__gte": bounds[0], f"{field}__lte": bounds[1]})


def _repeat_fields(label: str):
    return (
        models.BooleanField(f"repeat {label}", default=False),
        models.PositiveSmallIntegerField(f"{label}: repeats", default=1),
        models.PositiveSmallIntegerField(f"{label}: period (minutes)", default=60),
    )


class Campaign(models.Model):
    """A voice campaign: who is called (a list), what they hear (an app), from which number, and when.

    Its status changes only through ``campaigns.services.campaign_transition``.
    """

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="campaigns")
    name = models.CharField(max_length=100)
    comment = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)

    # 1. Main: the A-number is one DID or one pool.
    a_number_did = models.ForeignKey(
        "dids.DID", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="A-number"
    )
    a_number_pool = models.ForeignKey(
        "callerid_pools.NumberPool",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name="numbers pool",
    )
    # 2. App and 3. distribution list, with the app's variables mapped to list columns.
    app = models.ForeignKey(App, on_delete=models.PROTECT, related_name="campaigns")
    # A list can be deleted unless a launched or paused campaign calls it;
    # drafts and finished campaigns then show that their list is gone.
    distribution_list = models.ForeignKey(
        "distribution_lists.DistributionList",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="campaigns",
    )
    variable_mapping = models.JSONField(default=dict, blank=True, help_text="App variable → list column.")

    # 4. Settings.
    all_day = models.BooleanField(default=True)
    work_start = models.TimeField(null=True, blank=True)
    work_end = models.TimeField(null=True, blank=True, help_text="Earlier than the start: the window crosses midnight.")
    work_days = models.PositiveSmallIntegerField(default=ALL_WEEKDAYS, help_text="Bit 0 is Monday.")
    lines = models.PositiveSmallIntegerField("limit of lines", default=1)
    repeat_answered, repeat_answered_count, repeat_answered_period = _repeat_fields("answered")
    repeat_no_answer, repeat_no_answer_count, repeat_no_answer_period = _repeat_fields("no answer")
    repeat_busy, repeat_busy_count, repeat_busy_period = _repeat_fields("busy")
    repeat_failed, repeat_failed_count, repeat_failed_period = _repeat_fields("failed")
    repeat_short, repeat_short_count, repeat_short_period = _repeat_fields("short answered")
    short_call_seconds = models.PositiveSmallIntegerField("shorter than (seconds)", default=10)
    repeat_total_cap = models.PositiveIntegerField("cap on all repeats", null=True, blank=True)
    scheduled_at = models.DateTimeField("scheduled launch", null=True, blank=True)
    subscriber_time_zone = models.BooleanField(
        "subscriber's time zone", default=False, help_text="Apply the work period in each subscriber's local time."
    )
    time_zone = models.CharField(max_length=64, help_text="The time zone the campaign was created in.")

    # Statistics, kept by the dialer as calls end (so that lists of campaigns need no aggregation).
    stat_contacts = models.PositiveIntegerField(default=0)
    stat_called = models.PositiveIntegerField(default=0)
    stat_answered = models.PositiveIntegerField(default=0)
    stat_no_answer = models.PositiveIntegerField(default=0)
    stat_busy = models.PositiveIntegerField(default=0)
    stat_failed = models.PositiveIntegerField(default=0)
    stat_done = models.PositiveIntegerField(default=0, help_text="Contacts with no call left.")
    stat_suppressed = models.PositiveIntegerField(default=0, help_text="Contacts on a do-not-call list (also done).")
    # The dialer's: the distinct subscriber zones of the jobs, noted at launch,
    # so that a tick claims per open zone without scanning the jobs.
    dialer_zones = models.JSONField(default=list, blank=True, editable=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    launched_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "name"], name="campaign_name_unique_per_customer"),
            models.CheckConstraint(condition=Q(status__in=CampaignStatus.values), name="campaign_status_valid"),
            models.CheckConstraint(
                condition=Q(a_number_did__isnull=False, a_number_pool__isnull=True)
                | Q(a_number_did__isnull=True, a_number_pool__isnull=False),
                name="campaign_one_a_number",
            ),
            models.CheckConstraint(
                condition=Q(all_day=True)
                | (Q(work_start__isnull=False, work_end__isnull=False) & ~Q(work_start=models.F("work_end"))),
                name="campaign_work_period_complete",
            ),
            models.CheckConstraint(condition=_between("work_days", (1, ALL_WEEKDAYS)), name="campaign_work_days"),
            models.CheckConstraint(condition=_between("lines", LINES_RANGE), name="campaign_lines_range"),
            *[
                models.CheckConstraint(
                    condition=_between(f"repeat_{outcome}_count", REPEAT_COUNT_RANGE)
                    & _between(f"repeat_{outcome}_period", REPEAT_PERIOD_RANGE),
                    name=f"campaign_repeat_{outcome}_range",
                )
                for outcome in RepeatOutcome.values
            ],
            models.CheckConstraint(
                condition=_between("short_call_seconds", SHORT_CALL_RANGE), name="campaign_short_call_range"
            ),
            models.CheckConstraint(
                condition=Q(repeat_total_cap__isnull=True) | _between("repeat_total_cap", REPEAT_CAP_RANGE),
                name="campaign_repeat_cap_range",
            ),
        ]
        indexes = [models.Index(fields=["customer", "status", "-created_at"])]

    def __str__(self) -> str:
        return self.name

    @property
    def remaining(self) -> int:
        return max(self.stat_contacts - self.stat_done, 0)

    @property
    def remaining_label(self) -> str:
        """A finished campaign calls nobody else: its uncalled contacts were cancelled."""
        return "Cancelled" if self.status == CampaignStatus.FINISHED else "Remaining"

    @property
    def progress_percent(self) -> int:
        return int(100 * self.stat_done / self.stat_contacts) if self.stat_contacts else 0

    def repeat_rule(self, outcome: str) -> tuple[bool, int, int]:
        """(enabled, count, period in minutes) of one outcome's repeat rule."""
        return (
            getattr(self, f"repeat_{outcome}"),
            getattr(self, f"repeat_{outcome}_count"),
            getattr(self, f"repeat_{outcome}_period"),
        )

    @property
    def weekdays(self) -> list[int]:
        return [day for day in range(7) if self.work_days & (1 << day)]


class CampaignTransition(models.Model):
    """Who moved a campaign from which status to which, and when."""

    TENANT_LOOKUP = "campaign__customer"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=10, choices=CampaignStatus.choices)
    to_status = models.CharField(max_length=10, choices=CampaignStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    by_dialer = models.BooleanField(default=False)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.campaign}: {self.from_status} → {self.to_status}"


class JobStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a call"
    IN_PROGRESS = "in_progress", "Call in progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"
    # On a do-not-call list (dnc/): never called, at launch or when it was due.
    SUPPRESSED = "suppressed", "Suppressed (do not call)"


class CallJob(models.Model):
    """One contact of a launched campaign: called until it succeeds or its repeat rules are used up.

    The database is the dialer's source of truth: a job is due when it is
    pending and ``next_attempt_at`` has come (DESIGN.md, "The dialer").
    """

    TENANT_LOOKUP = "campaign__customer"

    # No index of its own: every index below starts with the campaign (one less
    # index to fill for each of a million contacts at launch). No database
    # foreign key either: its check is a trigger run once per row, a quarter of
    # a million-contact snapshot (bench/bench_dialer.py), and the snapshot, the
    # only code that adds jobs, runs under the campaign's row lock at launch.
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="jobs", db_index=False, db_constraint=False
    )
    # A soft reference, read only for the contact's variables at dispatch: no
    # database foreign key and no index (each cost a sizeable part of a
    # million-contact snapshot). A list can be deleted only once no launched or
    # paused campaign calls it, so a job whose contact is gone is never dialled
    # again; its report keeps the copied number. One job per contact holds
    # because the snapshot is the only writer and reads each contact once.
    contact = models.ForeignKey(
        "distribution_lists.Contact",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    # The job keeps its own copy of the number and zone: a finished campaign's
    # report survives the deletion of its list.
    phone = models.CharField(max_length=16, help_text="E.164, copied at launch.")
    time_zone = models.CharField(
        max_length=255, help_text="The subscriber's zone key (every candidate zone), copied at launch."
    )
    status = models.CharField(max_length=12, choices=JobStatus.choices, default=JobStatus.PENDING)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    attempts_made = models.PositiveSmallIntegerField(default=0)
    repeats_made = models.PositiveSmallIntegerField(default=0)
    # How many repeats each rule has used, keyed by RepeatOutcome value.
    repeats_by_outcome = models.JSONField(default=dict)
    last_outcome = models.CharField(max_length=12, blank=True, choices=RepeatOutcome.choices)
    last_cause = models.CharField(max_length=8, blank=True)
    # Set by the claim's compare-and-set update; the claimer reads back its own rows by it.
    claim_token = models.CharField(max_length=32, blank=True, db_index=False)
    # Which do-not-call list and entry suppressed it, e.g. "platform +44870*" (dnc.selectors.describe).
    suppressed_by = models.CharField(max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(status__in=JobStatus.values), name="call_job_status_valid"),
            # The report's unfiltered page merges one index range per value (campaigns/reports.py).
            models.CheckConstraint(
                condition=Q(last_outcome__in=["", *RepeatOutcome.values]), name="call_job_last_outcome_valid"
            ),
        ]
        # Two indexes are filled at launch, besides the primary key: each costs
        # about a sixth of a million-contact snapshot, so the dialer's and the
        # report's reads of jobs are each served by one of these.
        indexes = [
            # The dispatcher's claims, one range per zone, and the pending count. Partial:
            # it holds only waiting jobs (done ones leave it).
            models.Index(
                fields=["campaign", "time_zone", "next_attempt_at"],
                condition=Q(status="pending"),
                name="call_job_due_pending_by_zone",
            ),
            # The launch's count of suppressed jobs (do not call): holds only those, few.
            models.Index(fields=["campaign"], condition=Q(status="suppressed"), name="call_job_suppressed"),
            # The line count: a few rows, empty at launch.
            models.Index(fields=["campaign"], condition=Q(status="in_progress"), name="call_job_in_progress"),
            # The report pages contacts by keyset within one outcome, merging the
            # outcomes for the unfiltered page (campaigns/reports.py).
            models.Index(fields=["campaign", "last_outcome", "id"], name="call_job_report_outcome"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} → {self.phone}"


class AttemptStatus(models.TextChoices):
    DIALING = "dialing", "Dialing"
    ENDED = "ended", "Ended"


class CallAttempt(models.Model):
    """One call placed for a job: kept forever, the report reads from these."""

    TENANT_LOOKUP = "campaign__customer"

    # Indexed by the unique (job, number) and (campaign, started_at) below; no index of their own.
    job = models.ForeignKey(CallJob, on_delete=models.CASCADE, related_name="attempts", db_index=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="attempts", db_index=False)
    number = models.PositiveSmallIntegerField(help_text="1 for the first call of the job, 2 for its first repeat, …")
    status = models.CharField(max_length=8, choices=AttemptStatus.choices, default=AttemptStatus.DIALING)
    a_number = models.CharField(max_length=16, blank=True)
    b_number = models.CharField(max_length=16)
    scenario = models.JSONField(default=list, help_text="The app's steps rendered for this contact.")
    worker = models.CharField(max_length=200, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField()
    dialed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the call was handed to the gateway; empty: it never rang."
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    duration = models.PositiveIntegerField(null=True, blank=True, help_text="Seconds from answer to end.")
    outcome = models.CharField(max_length=12, blank=True)
    cause = models.CharField(max_length=8, blank=True)
    digits = models.CharField(max_length=64, blank=True)
    transfer = models.CharField(
        max_length=64,
        blank=True,
        help_text="What the peer answered to the scenario's transfer (REFER): 'transferred' or the failure.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "number"], name="call_attempt_unique_per_job"),
            models.CheckConstraint(condition=Q(status__in=AttemptStatus.values), name="call_attempt_status_valid"),
        ]
        indexes = [
            models.Index(fields=["campaign", "started_at"], name="call_attempt_report"),
            # The reaper and the platform's count of calls in progress: only dialing attempts.
            models.Index(fields=["lease_expires_at"], condition=Q(status="dialing"), name="call_attempt_dialing"),
            # The platform-wide calls-per-second limit counts the last second's starts.
            models.Index(fields=["started_at"], name="call_attempt_started"),
            # Compliance caps: attempts to one B-number, and from one A-number, since a day or week start.
            models.Index(fields=["b_number", "started_at"], name="call_attempt_b_number"),
            models.Index(fields=["a_number", "started_at"], name="call_attempt_a_number"),
        ]

    def __str__(self) -> str:
        return f"{self.b_number} #{self.number}"


TALLY_SLOT = dt.timedelta(minutes=15)


def tally_slot(moment: dt.datetime) -> dt.datetime:
    """The start (UTC) of the quarter hour that holds ``moment``."""
    moment = moment.astimezone(dt.UTC)
    minutes = int(TALLY_SLOT.total_seconds() // 60)
    return moment.replace(minute=moment.minute - moment.minute % minutes, second=0, microsecond=0)


class CallTally(models.Model):
    """Ended calls of one campaign per quarter hour (UTC) of their start, by outcome.

    The home page reads a customer's calls of today and this week from these
    rows instead of aggregating attempts: a few hundred rows whatever the
    number of attempts (a grouped count of a million attempts took about a
    second). Quarter hours because every time zone's offset is a multiple of
    15 minutes, so a customer's local days and hours are whole slots.
    Written only by the outcome service (``campaigns.dialer.outcome``), in
    the statement that ends the attempt; ``call_tally_rebuild`` recomputes a
    campaign's rows from its attempts.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="tallies", db_index=False)
    # Copied from the campaign so that one index range holds a customer's week.
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+", db_index=False)
    slot = models.DateTimeField(help_text="Start of the quarter hour (UTC) in which the calls started.")
    answered = models.PositiveIntegerField(default=0)
    no_answer = models.PositiveIntegerField(default=0)
    busy = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "slot"], name="call_tally_unique_slot")]
        indexes = [models.Index(fields=["customer", "slot"], name="call_tally_customer_slot")]

    def __str__(self) -> str:
        return f"campaign {self.campaign_id} at {self.slot:%Y-%m-%d %H:%M}"
