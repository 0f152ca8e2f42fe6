"""Reads behind a campaign's report: contacts with their attempts, the outcomes chart, the export rows.

The report of a campaign with a million attempts must answer at once, so
every read here is a fixed number of queries that never scans the whole
campaign for a page: contacts are paged by keyset (``id > after``) on the
``(campaign, last_outcome, id)`` index, their
attempts come in one ``job_id IN (...)`` query, and totals come from the
campaign's counters that the dialer keeps. Only the chart aggregates, one
grouped query on the ``(campaign, started_at)`` index.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Count, Max, Min
from django.db.models.functions import TruncDay, TruncHour, TruncMinute
from django.utils import timezone

from campaigns.causes import CAUSES, Outcome
from campaigns.charts import OUTCOME_COLOURS, Bar, OutcomeChart  # noqa: F401 (the report's names)
from campaigns.models import CallAttempt, CallJob, Campaign, JobStatus, RepeatOutcome
from campaigns.report_times import attempts_in_zone
from telephony.db import first_rows

REPORT_PAGE_SIZE = 50
NO_RESULT = "none"
SHORT = (
    RepeatOutcome.SHORT
)  # the dialer's latest outcome of a contact whose answered call was shorter than the campaign's N s
# The outcome filter of the report: a contact's latest outcome, or no result yet.
# Each is one value of ``CallJob.last_outcome``, so the filter is one range of its index.
OUTCOME_FILTERS: list[tuple[str, str]] = [
    (Outcome.ANSWERED, "Answered"),
    (SHORT, "Answered, too short"),
    (Outcome.NO_ANSWER, "No answer"),
    (Outcome.BUSY, "Busy"),
    (Outcome.FAILED, "Failed"),
    (NO_RESULT, "No result yet"),
]


@dataclass
class AttemptRow:
    number: int
    started_at: dt.datetime
    a_number: str
    outcome: str
    cause: str
    duration: int | None
    digits: str

    @property
    def outcome_label(self) -> str:
        return Outcome(self.outcome).label if self.outcome in Outcome.values else "In progress"

    @property
    def cause_title(self) -> str:
        cause = CAUSES.get(self.cause)
        return f"{cause.title}: {cause.explanation}" if cause else ""


@dataclass
class ContactRow:
    job_id: int
    phone: str
    status: str
    last_outcome: str
    attempts: list[AttemptRow] = field(default_factory=list)


@dataclass
class ReportPage:
    rows: list[ContactRow]
    next_after: int | None  # the id to continue after, when there are more contacts
    previous_before: int | None  # the id to go back before, when there are earlier contacts


def outcome_values(outcome: str) -> list[str]:
    """The ``last_outcome`` values a report filter selects: one, or all of them when unfiltered."""
    if outcome == NO_RESULT:
        return [""]
    if outcome in RepeatOutcome.values:
        return [outcome]
    return ["", *RepeatOutcome.values]  # every value its check constraint allows


def report_page(
    campaign: Campaign,
    *,
    outcome: str = "",
    after: int | None = None,
    before: int | None = None,
    size: int = REPORT_PAGE_SIZE,
) -> ReportPage:
    """One page of contacts with every attempt of each: two queries whatever the campaign's size.

    Keyset paging (``after``/``before`` a job id) instead of OFFSET keeps the
    last page as fast as the first. Each outcome is one range of the
    ``(campaign, last_outcome, id)`` index; the unfiltered page reads the
    first ids of every outcome's range and keeps the first of them all (the
    jobs have no ``(campaign, id)`` index: one less to fill at launch).
    """
    backwards = before is not None
    jobs = CallJob.objects.filter(campaign=campaign).values_list("pk", "phone", "status", "last_outcome")
    if backwards:
        jobs = jobs.filter(pk__lt=before).order_by("-pk")
    else:
        jobs = (jobs.filter(pk__gt=after) if after else jobs).order_by("pk")
    ranges = [jobs.filter(last_outcome=value)[: size + 1] for value in outcome_values(outcome)]
    fetched = first_rows(ranges, size + 1, descending=backwards)
    if backwards:
        more_before = len(fetched) > size
        fetched = list(reversed(fetched[:size]))
        more_after = True
    else:
        more_after = len(fetched) > size
        fetched = fetched[:size]
        more_before = after is not None
    rows = {pk: ContactRow(pk, phone, status, last) for pk, phone, status, last in fetched}
    if rows:
        attempts = (
            CallAttempt.objects.filter(job_id__in=list(rows))
            .order_by("job_id", "number")
            .values_list("job_id", "number", "started_at", "a_number", "outcome", "cause", "duration", "digits")
        )
        for job_id, number, started_at, a_number, outcome, cause, duration, digits in attempts:
            rows[job_id].attempts.append(AttemptRow(number, started_at, a_number, outcome, cause, duration, digits))
    ordered = list(rows.values())
    return ReportPage(
        rows=ordered,
        next_after=ordered[-1].job_id if ordered and more_after else None,
        previous_before=ordered[0].job_id if ordered and more_before else None,
    )


# --- The chart of outcomes over time -----------------------------------------------------

# Bar widths the chart may use, smallest first; it takes the first that fits
# the campaign's span in at most MAX_BARS bars.
BAR_WIDTHS = [
    dt.timedelta(minutes=m) for m in (1, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2 * 1440, 7 * 1440, 30 * 1440)
]
MAX_BARS = 48


def suppressed_by_entry(campaign: Campaign, *, limit: int = 20) -> list[tuple[str, int]]:
    """Which do-not-call list and entry suppressed how many contacts, most first (e.g. "platform +44870*", 12).

    One grouped read of the campaign's suppressed jobs (partial index ``call_job_suppressed``).
    """
    from django.db.models import Count

    if not campaign.stat_suppressed:
        return []
    rows = (
        CallJob.objects.filter(campaign=campaign, status=JobStatus.SUPPRESSED)
        .values_list("suppressed_by")
        .annotate(n=Count("pk"))
        .order_by("-n", "suppressed_by")
    )
    return list(rows[:limit])


def outcome_chart(campaign: Campaign) -> OutcomeChart:
    """Ended attempts per outcome per period: two queries (the span, then the grouped counts).

    The database groups at the minute, hour or day (whichever keeps the groups
    few), then the groups are merged into at most ``MAX_BARS`` bars.
    """
    ended = CallAttempt.objects.filter(campaign=campaign).exclude(outcome="")
    span = ended.aggregate(first=Min("started_at"), last=Max("started_at"))
    if span["first"] is None:
        return OutcomeChart(bars=[], width=None)
    first, last = span["first"], span["last"]
    total = last - first
    width = next((w for w in BAR_WIDTHS if total / w < MAX_BARS), BAR_WIDTHS[-1])
    trunc = TruncMinute if width < dt.timedelta(hours=1) else TruncHour if width < dt.timedelta(days=1) else TruncDay
    grouped = (
        ended.annotate(at=trunc("started_at"))
        .values_list("at", "outcome")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("at", "outcome", "n")
    )
    zone = timezone.get_current_timezone()
    origin = _floor(timezone.localtime(first, zone), width)
    bars: dict[int, Bar] = {}
    for at, outcome, n in grouped:
        index = int((timezone.localtime(at, zone) - origin) / width)
        bar = bars.setdefault(index, Bar(start=origin + index * width, counts={}))
        bar.counts[outcome] = bar.counts.get(outcome, 0) + n
    last_index = max(bars)
    return OutcomeChart(
        bars=[bars.get(i) or Bar(start=origin + i * width, counts={}) for i in range(last_index + 1)], width=width
    )


def _floor(moment: dt.datetime, width: dt.timedelta) -> dt.datetime:
    """The start of the bar that holds ``moment``: whole minutes, hours or days of local time."""
    if width >= dt.timedelta(days=1):
        return moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if width >= dt.timedelta(hours=1):
        hours = int(width.total_seconds() // 3600)
        return moment.replace(hour=moment.hour - moment.hour % hours, minute=0, second=0, microsecond=0)
    minutes = int(width.total_seconds() // 60)
    return moment.replace(minute=moment.minute - moment.minute % minutes, second=0, microsecond=0)


# --- Export rows ------------------------------------------------------------------------

# The columns; the three times are named with the zone they are in (``export_header``).
EXPORT_COLUMNS = [
    "phone",
    "attempt",
    "started at",
    "answered at",
    "ended at",
    "a_number",
    "outcome",
    "cause",
    "cause_meaning",
    "duration_seconds",
    "digits",
]
TIME_COLUMNS = {"started at", "answered at", "ended at"}
# Whole numbers: shown without decimals in XLSX (telephony.exports.write_xlsx).
EXPORT_INTEGER_COLUMNS = ("attempt", "duration_seconds")


def zone_name(zone: dt.tzinfo) -> str:
    """ "Europe/London", "UTC": how the export's header names the zone of its times."""
    return getattr(zone, "key", None) or str(zone)


def export_header(zone: dt.tzinfo) -> list[str]:
    """The header row: "started at (Europe/London)" — a reader of the file knows the times' zone."""
    name = zone_name(zone)
    return [f"{column} ({name})" if column in TIME_COLUMNS else column for column in EXPORT_COLUMNS]


EXPORT_CHUNK = 5000


def export_row_count(campaign: Campaign) -> int:
    """How many rows ``export_rows`` gives after its header: attempts plus contacts never called."""
    never_called = CallJob.objects.filter(campaign=campaign, last_outcome="", attempts_made=0, attempts__isnull=True)
    return CallAttempt.objects.filter(campaign=campaign).count() + never_called.count()


def export_rows(campaign: Campaign, *, zone: dt.tzinfo | None = None) -> Iterator[list]:
    """The header, every attempt in the order they were placed, then the contacts never called.

    Rows are read with a server-side cursor in chunks of ``values_list``
    tuples (no model instances), so memory stays flat whatever the size.
    Times are naive datetimes in the customer's zone, which the header names, to the second (a date
    cell in XLSX; ``YYYY-MM-DD HH:MM:SS`` in CSV); on PostgreSQL the database
    shifts and truncates them (a third of the export's time once went into
    doing it in Python). The cells are values, not escaped text: the writers
    in ``telephony.exports`` guard what needs guarding.

    ``zone`` is taken when the response is made: a streamed body is read
    after the middleware has put the customer's time zone away.
    """
    zone = zone or timezone.get_current_timezone()
    meanings = {code: cause.title for code, cause in CAUSES.items()}
    labels = dict(Outcome.choices)
    zoned = attempts_in_zone(CallAttempt.objects.filter(campaign=campaign).order_by("started_at", "pk"), zone)
    when = zoned.local
    yield export_header(zone)
    rows = zoned.attempts.values_list(
        "b_number", "number", *zoned.time_fields, "a_number", "outcome", "cause", "duration", "digits"
    )
    for phone, number, started, answered, ended, a_number, outcome, cause, duration, digits in rows.iterator(
        chunk_size=EXPORT_CHUNK
    ):
        yield [
            phone,
            number,
            when(started),
            when(answered),
            when(ended),
            a_number,
            labels.get(outcome, "In progress"),
            cause,
            meanings.get(cause, ""),
            duration,
            digits,
        ]
    yield from _never_called_rows(campaign)


def _never_called_rows(campaign: Campaign) -> Iterator[list]:
    """One row per contact never called, after the attempts."""
    never_called = (
        # The no-result range of the report's index: a job never called has no outcome.
        CallJob.objects.filter(campaign=campaign, last_outcome="", attempts_made=0, attempts__isnull=True)
        .order_by("pk")
        .values_list("phone", "suppressed_by")
    )
    for phone, suppressed_by in never_called.iterator(chunk_size=EXPORT_CHUNK):
        # A suppressed job names the do-not-call list and entry that stopped it.
        result = f"Suppressed (do not call: {suppressed_by})" if suppressed_by else "Not called"
        yield [phone, 0, None, None, None, "", result, "", "", None, ""]
