"""The dialer's speed goals (issue 7), each against the alternative in the same run.

- snapshot: the launch's one ``INSERT … SELECT`` against a Python loop of
  ``bulk_create`` over the contacts (100k rows both ways), and the product
  alone on 1,000,000 contacts (goal: at most 15 s);
- claim: one dispatcher claim (50 lines) on a 10,000-job and on a
  1,000,000-job campaign (goal: within 1.5×), and with subscriber zones on
  (zone keys of several candidate zones, each checked against the work
  period and a legal-hours table the size of the shipped one: goal within 1.5× too);
- dnc (issue 15): the launch of a ``BIG``-contact campaign with a
  ``BENCH_DIALER_DNC``-entry (default 1,000,000) do-not-call list against the
  same launch for a customer without entries (goal: within 1.5×; alternated,
  best of two), one claim on the ``BIG``-job campaign with that list against
  one without, and one claim with the list on a 10,000-job and a
  ``BIG``-job campaign (goal: within 1.5×);
- throughput: claim → task → outcome → repeat scheduling end to end with two
  `celery worker` processes and the zero-delay simulator (goal: 300
  attempts/s), sampling that no campaign ever has more calls than lines.

Run: ``DATABASE_URL=postgres://… CELERY_BROKER_URL=redis://… .venv/bin/python -m bench dialer``
It migrates the database, makes its own customer and removes it after.
On SQLite (no DATABASE_URL) the sizes shrink and the throughput part is skipped.
While iterating, ``BENCH_DIALER_CONTACTS`` (the big snapshot, default 1,000,000),
``BENCH_DIALER_COMPARE`` (default 100,000), ``BENCH_DIALER_SECONDS`` (the
throughput run, default 20) and ``BENCH_DIALER_PARTS`` (a comma list of
``snapshot``, ``claim``, ``dnc``, ``throughput``; default all) make a run shorter.
"""

from __future__ import annotations

import contextlib
import os
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from bench.table import print_table

_P = ParamSpec("_P")
_R = TypeVar("_R")

ROOT = Path(__file__).resolve().parents[1]
BIG = int(os.environ.get("BENCH_DIALER_CONTACTS", 1_000_000))
SMALL = 10_000
COMPARE = int(os.environ.get("BENCH_DIALER_COMPARE", 100_000))
SECONDS = float(os.environ.get("BENCH_DIALER_SECONDS", 20))
WORKER_THREADS = 12
PARTS = set(os.environ.get("BENCH_DIALER_PARTS", "snapshot,claim,dnc,throughput").split(","))
DNC_ENTRIES = int(os.environ.get("BENCH_DIALER_DNC", 1_000_000))
# Zone keys as the import writes them: a single zone, and two numbers with several candidate zones
# (a Perth-or-Adelaide line, an Australian mobile); the dialer checks every candidate of a key.
ZONES = [
    "Europe/London",
    "Australia/Adelaide,Australia/Perth",
    "Australia/Adelaide,Australia/Brisbane,Australia/Eucla,Australia/Lord_Howe,Australia/Perth,Australia/Sydney",
]


def _fill_list(lst, rows: int) -> None:
    """``rows`` contacts in three zones, written by the database itself."""
    from distribution_lists.models import Contact

    table = connection.ops.quote_name(Contact._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {table} (distribution_list_id, phone, time_zone, variables, row_number, created_at)"
                " SELECT %s, '+4479' || lpad(g::text, 9, '0'), (%s::text[])[1 + g %% 3],"
                " jsonb_build_object('name', 'Person ' || g, 'code', 'C' || g), g, now()"
                " FROM generate_series(1, %s) g",
                [lst.pk, ZONES, rows],
            )
        else:
            cursor.execute(
                f"WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < %s)"
                f" INSERT INTO {table} (distribution_list_id, phone, time_zone, variables, row_number, created_at)"
                " SELECT %s, printf('+4479%%09d', n), CASE n %% 3 WHEN 0 THEN %s WHEN 1 THEN %s ELSE %s END,"
                " json_object('name', 'Person ' || n, 'code', 'C' || n), n, datetime('now') FROM g",
                [rows, lst.pk, *ZONES],
            )
    lst.correct_count = rows
    lst.save(update_fields=["correct_count"])


def _campaign(customer, world, rows: int, **fields):
    from campaigns.models import Campaign
    from campaigns.tests.factories import ready_list

    lst = ready_list(customer)
    _fill_list(lst, rows)
    return Campaign.objects.create(
        customer=customer,
        name=f"Bench {rows} {Campaign.objects.count()}",
        a_number_did=world["did"],
        app=world["app"],
        distribution_list=lst,
        variable_mapping={"name": "name", "code": "code"},
        time_zone="Europe/London",
        **fields,
    )


def _bulk_create_loop(campaign) -> int:
    """The alternative snapshot: read the contacts into Python, write jobs in batches."""
    from campaigns.models import CallJob

    now, made, batch = timezone.now(), 0, []
    contacts = campaign.distribution_list.contacts.values_list("pk", "phone", "time_zone").iterator(chunk_size=10_000)
    with transaction.atomic():
        for pk, phone, zone in contacts:
            batch.append(
                CallJob(campaign=campaign, contact_id=pk, phone=phone, time_zone=zone or "UTC", next_attempt_at=now)
            )
            if len(batch) == 5_000:
                CallJob.objects.bulk_create(batch)
                made, batch = made + len(batch), []
        CallJob.objects.bulk_create(batch)
    return made + len(batch)


def _timed(function: Callable[_P, _R], *args: _P.args, **kwargs: _P.kwargs) -> tuple[float, _R]:
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def _claim_ms(campaign, rounds: int = 15, *, exact: bool = True) -> float:
    """Median wall time of one claim of the campaign's free lines; the claimed jobs are put back between rounds."""
    from campaigns.dialer.dispatch import campaign_dispatch
    from campaigns.models import CallAttempt, CallJob, JobStatus

    times = []
    for _ in range(rounds):
        with transaction.atomic():
            elapsed, result = _timed(campaign_dispatch, campaign_id=campaign.pk, now=timezone.now())
            assert result.started == campaign.lines or not exact, result
            # Undo inside the same transaction, so no call task is ever enqueued.
            CallAttempt.objects.filter(campaign=campaign).delete()
            CallJob.objects.filter(campaign=campaign, status__in=[JobStatus.IN_PROGRESS, JobStatus.SUPPRESSED]).update(
                status=JobStatus.PENDING, attempts_made=0
            )
            transaction.set_rollback(True)
        times.append(elapsed * 1000)
    return statistics.median(times)


def _start_worker(name: str) -> subprocess.Popen:
    caps = {name: str(10**9) for name in ("COMPLIANCE_CALLS_PER_DAY", "COMPLIANCE_CALLS_PER_WEEK")}
    caps["COMPLIANCE_A_NUMBER_CALLS_PER_DAY"] = str(10**9)
    env = dict(os.environ, DIALER_SIM_ZERO_DELAY="true", DJANGO_SETTINGS_MODULE="telephony.settings", **caps)
    command = [
        str(Path(sys.executable).parent / "celery"),
        "-A",
        "telephony",
        "worker",
        "-Q",
        settings.DIALER_CALL_QUEUE,
        "-P",
        "threads",
        "-c",
        str(WORKER_THREADS),
        "-n",
        f"{name}@%h",
        "--loglevel=ERROR",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True, stderr=subprocess.DEVNULL)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and all its threads so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _database_cpu() -> float | None:
    """CPU seconds this connection's PostgreSQL backend has used (None when the server is not on this machine)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        return _cpu_seconds(pid)
    except OSError:
        return None


def _database_cpu_all() -> float | None:
    """CPU seconds used so far by every PostgreSQL backend connected to this database (None when not local)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        pids = [row[0] for row in cursor.fetchall()]
    total = 0.0
    for pid in pids:
        try:
            total += _cpu_seconds(pid)
        except OSError:
            return None
    return total


def _snapshot_timed(campaign) -> tuple[float, float | None, int]:
    """Wall seconds, database CPU seconds (a figure the machine's load barely moves) and jobs made."""
    _settle()
    before = _database_cpu()
    elapsed, made = _timed(_snapshot_committed, campaign)
    after = _database_cpu()
    return elapsed, None if before is None or after is None else after - before, made


def _snapshot_committed(campaign) -> int:
    from campaigns.dialer import campaign_snapshot

    with transaction.atomic():  # the commit (and its deferred constraint checks) counts too
        return campaign_snapshot(campaign=campaign, now=timezone.now())


def _throughput(customer, world, seconds: float = 20.0) -> dict:
    """Attempts ended per second with two worker processes, the most calls in progress seen, the lines,
    and the CPU the workers and the dispatcher spent per attempt (a figure the machine's load barely moves)."""
    import redis
    from django.db.models import Count

    from campaigns.dialer import dialer_tick
    from campaigns.models import AttemptStatus, CallAttempt, CallJob, JobStatus
    from campaigns.services import campaign_launch

    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(settings.DIALER_CALL_QUEUE)
    settings.DIALER_MAX_CALLS = 1000
    settings.DIALER_MAX_CALLS_PER_SECOND = 2000
    settings.DIALER_CALL_THREADS = 2 * WORKER_THREADS  # the two workers' threads, as README's Production says
    campaigns = [
        _campaign(customer, world, 6_000, lines=50, repeat_no_answer=True, repeat_busy=True, repeat_failed=True)
        for _ in range(3)
    ]
    workers = [_start_worker("bench1"), _start_worker("bench2")]
    legal_table = _legal_table_open_all_day()  # the workers re-check legal hours at take time, from the table
    try:
        for campaign in campaigns:
            campaign_launch(campaign=campaign)
        lines = {c.pk: c.lines for c in campaigns}
        warm_until = time.monotonic() + 5
        while time.monotonic() < warm_until:
            dialer_tick(for_seconds=0.5)
        _settle()  # statistics with attempts in them: the workers' prepared plans are made again
        ended = CallAttempt.objects.filter(campaign__in=campaigns, status=AttemptStatus.ENDED)
        first, started = ended.count(), time.perf_counter()
        cpu_workers, cpu_dispatcher = sum(_cpu_seconds(w.pid) for w in workers), time.process_time()
        cpu_database = _database_cpu_all()
        peak_ratio, peak = 0.0, 0
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            dialer_tick(for_seconds=0.25)
            for campaign_id, busy in (
                CallJob.objects.filter(campaign__in=campaigns, status=JobStatus.IN_PROGRESS)
                .values_list("campaign_id")
                .annotate(n=Count("pk"))
            ):
                peak = max(peak, busy)
                peak_ratio = max(peak_ratio, busy / lines[campaign_id])
        made = ended.count() - first
        cpu_workers = sum(_cpu_seconds(w.pid) for w in workers) - cpu_workers
        cpu_dispatcher = time.process_time() - cpu_dispatcher
        database_after = _database_cpu_all()
        # Backends that disconnected meanwhile drop out of the sum: a lower bound.
        cpu_database = None if cpu_database is None or database_after is None else database_after - cpu_database
        return {
            "rate": made / (time.perf_counter() - started),
            "peak": peak,
            "lines": max(lines.values()),
            "worker_ms": 1000 * cpu_workers / max(made, 1),
            "dispatcher_ms": 1000 * cpu_dispatcher / max(made, 1),
            "database_ms": None if cpu_database is None else 1000 * cpu_database / max(made, 1),
        }
    finally:
        legal_table.restore()
        for worker in workers:
            os.killpg(worker.pid, signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)


def _fill_dnc(customer, entries: int, contacts: int) -> None:
    """``entries`` numbers on the customer's list: one contact in a thousand among them, the rest
    other numbers, plus two prefixes (so the launch joins prefixes too)."""
    from dnc.models import DncEntry

    table = connection.ops.quote_name(DncEntry._meta.db_table)
    overlap = max(contacts // 1000, 1)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (customer_id, number, is_prefix, source, comment, created_at)"
            " SELECT %s, CASE WHEN g <= %s THEN '+4479' || lpad((g * 997 %% %s + 1)::text, 9, '0')"
            " ELSE '+4478' || lpad(g::text, 9, '0') END, false, 'upload', '', now() FROM generate_series(1, %s) g"
            " ON CONFLICT DO NOTHING",
            [customer.pk, overlap, contacts, entries],
        )
        cursor.execute(
            f"INSERT INTO {table} (customer_id, number, is_prefix, source, comment, created_at)"
            " VALUES (%s, '+44870', true, 'upload', '', now()), (%s, '+449', true, 'upload', '', now())",
            [customer.pk, customer.pk],
        )
        # A list is imported long before a launch reads it: autovacuum would have set the rows'
        # visibility hints by then, so the launch does not write the whole table out doing it.
        cursor.execute(f"VACUUM (ANALYZE) {table}")


def _dnc_part(customer, world, big: int, rows: list) -> None:
    """The launch and the claim of a ``big``-job campaign with ``DNC_ENTRIES`` on the customer's list, against
    the same for a customer without any entry, alternated twice (the best of each counts: other work on a
    shared machine only ever adds time)."""
    from campaigns.dialer import campaign_snapshot
    from campaigns.models import CallJob, Campaign, JobStatus
    from campaigns.tests.factories import campaign_world
    from customers.tests.factories import CustomerFactory
    from dnc.models import DncEntry

    clean = CustomerFactory(name=f"{customer.name} without DNC", slug=f"{customer.slug}-clean")
    clean_world = campaign_world(clean, did_number=f"+4421{int(time.time()) % 10**8:08d}")
    assert not DncEntry.objects.filter(customer__in=[customer, clean]).exists()
    assert not DncEntry.objects.filter(customer__isnull=True).exists(), "the platform list must be empty"
    _fill_dnc(customer, DNC_ENTRIES, big)
    try:
        walls: dict[str, list[float]] = {"with": [], "without": []}
        cpus: dict[str, list[float]] = {"with": [], "without": []}
        launched: dict[str, Campaign] = {}
        for _ in range(2):
            for name, who, where in (("without", clean, clean_world), ("with", customer, world)):
                campaign = _campaign(who, where, big, lines=50)
                wall, cpu, made = _snapshot_timed(campaign)
                assert made == big
                walls[name].append(wall)
                if cpu is not None:
                    cpus[name].append(cpu)
                launched[name] = campaign
        suppressed = CallJob.objects.filter(campaign=launched["with"], status=JobStatus.SUPPRESSED).count()
        assert suppressed > 0
        t_with, t_without = min(walls["with"]), min(walls["without"])
        rows.append(
            [
                f"launch {big:,} contacts: {DNC_ENTRIES:,}-entry DNC vs none (s, best of 2)",
                t_with,
                t_without,
                f"{t_with / t_without:.2f}× (goal ≤ 1.5×; {suppressed:,} suppressed)",
            ]
        )
        if cpus["with"] and cpus["without"]:
            # The server's own CPU for the statement: a figure other work on the machine barely moves.
            cpu_with, cpu_without = min(cpus["with"]), min(cpus["without"])
            rows.append(
                [
                    "launch: PostgreSQL backend CPU, DNC vs none (s, best of 2)",
                    cpu_with,
                    cpu_without,
                    f"{cpu_with / cpu_without:.2f}×",
                ]
            )
        small = _campaign(customer, world, SMALL, lines=50)
        campaign_snapshot(campaign=small, now=timezone.now())
        ids = [small.pk, launched["with"].pk, launched["without"].pk]
        Campaign.objects.filter(pk__in=ids).update(status="launched")
        _settle()
        claims: dict[str, list[float]] = {"none": [], "with": [], "small": []}
        for _ in range(2):
            claims["none"].append(_claim_ms(launched["without"], exact=False))
            claims["with"].append(_claim_ms(launched["with"], exact=False))
            claims["small"].append(_claim_ms(small, exact=False))
        claim_none, claim_big, claim_small = (min(claims[k]) for k in ("none", "with", "small"))
        rows.append(
            [
                f"claim 50 jobs of {big:,}: {DNC_ENTRIES:,}-entry DNC vs none (ms)",
                claim_big,
                claim_none,
                f"{claim_big / claim_none:.2f}×",
            ]
        )
        rows.append(
            [
                f"claim 50 jobs with the DNC list: {SMALL:,} vs {big:,} jobs (ms)",
                claim_small,
                claim_big,
                f"{claim_big / claim_small:.2f}× (goal ≤ 1.5×)",
            ]
        )
        Campaign.objects.filter(pk__in=ids).update(status="finished")
    finally:
        _clean_up(clean)


def _fresh_sequences(start: int) -> None:
    """Factory names and numbers that an earlier run's rows cannot collide with."""
    from campaigns.tests.factories import AppFactory
    from customers.tests.factories import CustomerFactory
    from dids.tests import factories as did_factories

    for factory_class in (
        AppFactory,
        CustomerFactory,
        did_factories.OperatorFactory,
        did_factories.PackageFactory,
        did_factories.ClientPackageFactory,
    ):
        factory_class.reset_sequence(start)


def _settle(*, vacuum: bool = False) -> None:
    """Put the database where a production one would be before a timed part: statistics of the
    rows just written, what they dirtied written out, and with ``vacuum`` the dead rows earlier
    runs left (each deletes its millions of rows at the end) cleared.

    Autovacuum and the checkpointer would have done this in production, between
    an import and its launch or a launch and its calls, but autovacuum may be
    off or behind (it is off on the machine these figures come from). Inserting
    a million jobs into tables and indexes bloated by earlier runs' millions
    took twice as long; statistics taken of the empty tables made the dispatcher
    read every contact of the lists to find each claimed job's variables; and
    calls right after a million-job launch spent their time writing out its
    pages for it.
    """
    from campaigns.models import CallAttempt, CallJob, Campaign
    from distribution_lists.models import Contact

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        # The campaign rows too: every call's outcome updates its campaign's counters.
        for model in (CallJob, CallAttempt, Contact, Campaign):
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"VACUUM (ANALYZE) {table}" if vacuum else f"ANALYZE {table}")
        # Needs a superuser or pg_checkpoint; without it the figures are less steady.
        with contextlib.suppress(DatabaseError):
            cursor.execute("CHECKPOINT")


class _SavedLegalTable:
    def __init__(self, rows: list[dict[str, Any]]):
        self.rows = rows

    def restore(self) -> None:
        from compliance.models import LegalWindow

        for row in self.rows:
            LegalWindow.objects.filter(pk=row.pop("id")).update(**row)


def _legal_table_open_all_day() -> _SavedLegalTable:
    """Every row of the legal table open all day, every day, until ``restore()``: worker processes read the
    table itself (the patch of ``_compliance_open_all_day`` lives in this process only), and the figures must
    not depend on the hour or the day."""
    import datetime as dt

    from compliance.models import ALL_DAYS, LegalWindow

    saved = _SavedLegalTable([dict(row) for row in LegalWindow.objects.values("id", "start", "end", "days")])
    LegalWindow.objects.update(start=dt.time(0), end=dt.time(23, 59, 59, 999999), days=ALL_DAYS)
    return saved


def _compliance_open_all_day() -> None:
    """The figures must not depend on the hour: a legal table as large as the shipped one, open all day
    (its rules are still evaluated for every zone key), and caps the runs cannot reach."""
    import datetime as dt

    from compliance import selectors
    from compliance.defaults import DEFAULT_WINDOWS

    always = ((dt.time(0), dt.time(23, 59, 59, 999999), 0b1111111),)
    rules = tuple(
        selectors.Rule(country=country, zones=frozenset(z for z in zones.split(",") if z), windows=always)
        for country, _, zones, *_ in DEFAULT_WINDOWS
    )
    selectors.legal_rules = lambda: rules
    settings.COMPLIANCE_CALLS_PER_DAY = settings.COMPLIANCE_CALLS_PER_WEEK = 10**9
    settings.COMPLIANCE_A_NUMBER_CALLS_PER_DAY = 10**9


def main() -> None:
    from campaigns.dialer import campaign_snapshot
    from campaigns.models import CallJob, Campaign
    from campaigns.tests.factories import campaign_world
    from customers.tests.factories import CustomerFactory

    postgres = connection.vendor == "postgresql"
    big, compare = (BIG, COMPARE) if postgres else (100_000, 20_000)
    _compliance_open_all_day()
    # The claim parts time the statement for a campaign's 50 free lines, not a platform cap on claims
    # waiting for a call thread (the throughput part sets the caps it measures under).
    settings.DIALER_CALL_THREADS = settings.DIALER_MAX_CALLS = 10_000
    stamp = f"{time.time():.0f}"
    _fresh_sequences(int(stamp) % 10**6)
    customer = CustomerFactory(name=f"Dialer bench {stamp}", slug=f"dialer-bench-{stamp}")
    world = campaign_world(customer, did_number=f"+4420{int(time.time()) % 10**8:08d}")
    rows = []
    _settle(vacuum=True)
    try:
        large = None
        if "snapshot" in PARTS:
            product = _campaign(customer, world, compare)
            loop = _campaign(customer, world, compare)
            t_insert, _, n = _snapshot_timed(product)
            _settle()  # the alternative starts from the same state
            t_loop, m = _timed(_bulk_create_loop, loop)
            assert n == m == compare
            rows.append([f"snapshot {compare:,} contacts (s)", t_insert, t_loop, f"{t_loop / t_insert:.1f}× faster"])

            large = _campaign(customer, world, big, lines=50)
            t_big, cpu_big, n = _snapshot_timed(large)
            assert n == big
            rows.append([f"snapshot {big:,} contacts (s)", t_big, "", "goal ≤ 15 s"])
            if cpu_big is not None:
                rows.append([f"snapshot {big:,} contacts: PostgreSQL CPU (s)", cpu_big, "", ""])

        if "claim" in PARTS:
            if large is None:
                large = _campaign(customer, world, big, lines=50)
                campaign_snapshot(campaign=large, now=timezone.now())
            small = _campaign(customer, world, SMALL, lines=50)
            campaign_snapshot(campaign=small, now=timezone.now())
            Campaign.objects.filter(pk__in=[small.pk, large.pk]).update(status="launched")
            if postgres:
                with connection.cursor() as cursor:
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(CallJob._meta.db_table)}")
            claim_small, claim_big = _claim_ms(small), _claim_ms(large)
            rows.append(
                [
                    f"claim 50 jobs: {SMALL:,} vs {big:,} jobs (ms)",
                    claim_small,
                    claim_big,
                    f"{claim_big / claim_small:.2f}×",
                ]
            )
            Campaign.objects.filter(pk__in=[small.pk, large.pk]).update(
                subscriber_time_zone=True, all_day=True, dialer_zones=sorted(ZONES)
            )
            small.refresh_from_db()
            large.refresh_from_db()
            zoned_small, zoned_big = _claim_ms(small), _claim_ms(large)
            rows.append(
                [
                    f"claim 50 jobs, zone filter (3 keys, 8 zones, legal table): {SMALL:,} vs {big:,} jobs (ms)",
                    zoned_small,
                    zoned_big,
                    f"{zoned_big / zoned_small:.2f}× (goal ≤ 1.5×)",
                ]
            )
            Campaign.objects.filter(pk__in=[small.pk, large.pk]).update(status="finished")

        if "dnc" in PARTS and postgres:
            _dnc_part(customer, world, big, rows)

        if "throughput" not in PARTS:
            pass
        elif postgres and settings.CELERY_BROKER_URL.startswith("redis"):
            run = _throughput(customer, world, SECONDS)
            rows.append(["end-to-end attempts/s, 2 worker processes", run["rate"], "", "goal ≥ 300"])
            rows.append(["most calls in progress in one campaign / lines", run["peak"], run["lines"], "never above"])
            rows.append(
                [
                    "CPU per attempt: workers / dispatcher / PostgreSQL (ms)",
                    run["worker_ms"],
                    run["dispatcher_ms"],
                    "" if run["database_ms"] is None else f"{run['database_ms']:.2f}",
                ]
            )
        else:
            rows.append(["end-to-end throughput", "skipped: needs PostgreSQL and Redis", "", ""])
    finally:
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        rows.append([f"machine load average (1, 5, 15 min) on {os.cpu_count()} cores", load, "", ""])
        print_table(["measurement", "product", "alternative / other", "ratio / goal"], rows)
        _clean_up(customer)


def _clean_up(customer) -> None:
    """Remove the bench's rows with one DELETE per table: a million jobs through the ORM's collector
    (which loads every row to cascade and send signals) would take minutes."""
    from campaigns.models import CallAttempt, CallJob, Campaign
    from distribution_lists.models import Contact, DistributionList
    from dnc.models import DncEntry

    def table(model) -> str:
        return connection.ops.quote_name(model._meta.db_table)

    campaigns = f"SELECT id FROM {table(Campaign)} WHERE customer_id = %s"
    lists = f"SELECT id FROM {table(DistributionList)} WHERE customer_id = %s"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table(DncEntry)} WHERE customer_id = %s", [customer.pk])
        cursor.execute(f"DELETE FROM {table(CallAttempt)} WHERE campaign_id IN ({campaigns})", [customer.pk])
        cursor.execute(f"DELETE FROM {table(CallJob)} WHERE campaign_id IN ({campaigns})", [customer.pk])
        Campaign.objects.filter(customer=customer).delete()
        cursor.execute(f"DELETE FROM {table(Contact)} WHERE distribution_list_id IN ({lists})", [customer.pk])
        DistributionList.objects.filter(customer=customer).delete()
