"""Dynamic number insertion under load: gunicorn on PostgreSQL, 50 simulated visitors, a 20-number pool.

    DATABASE_URL=postgres://... [REDIS_URL=redis://...] .venv/bin/python -m bench tracking

Each simulated visitor lands with a ``gclid`` (a new session, a number
allocated), views a few more pages (the hold is extended), then leaves and a
new visitor takes its place. Visitors pace themselves (think time) so that the
50 together ask for ``BENCH_DNI_RATE`` page views a second; an unpaced run
(no think time) shows the ceiling. Afterwards the database is checked: no
number was ever held by two sessions at once unless both are marked ambiguous
(the "reuse" policy) — with "replace nothing" never.

The alternative measured in the same run: allocating with a plain blocking
``SELECT ... FOR UPDATE`` instead of ``SKIP LOCKED`` (in-process, 50 threads).

Traffic goes only to 127.0.0.1; every phase is bounded in time and in count.
The bench makes its own customer, DIDs and pool, and deletes them at the end.
"""

from __future__ import annotations

import datetime
import gc
import http.client
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

from bench.table import print_table

VISITORS = 50
POOL_SIZE = 20
PHASE_SECONDS = float(os.environ.get("BENCH_DNI_SECONDS", 8))
MAX_REQUESTS = 40_000
HISTORY_SESSIONS = 100_000
TARGET_RATE = float(os.environ.get("BENCH_DNI_RATE", 600))
ROOT = Path(__file__).resolve().parent.parent
# The product's gunicorn.conf.py sizes, unless the bench is given others.
_WORKERS = os.environ.get("BENCH_GUNICORN_WORKERS", os.environ.get("WEB_CONCURRENCY", str((os.cpu_count() or 1) + 1)))
_THREADS = os.environ.get("BENCH_GUNICORN_THREADS", os.environ.get("GUNICORN_THREADS", "1"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _setup():
    from call_tracking.models import TrackingNumber, TrackingPool
    from customers.models import Customer
    from dids.models import Package
    from dids.services import client_package_create, did_create_many, operator_get_or_create

    tag = secrets.token_hex(3)
    customer = Customer.objects.create(name=f"Bench tracking {tag}", slug=f"bench-tracking-{tag}")
    package = Package.objects.create(name=f"Bench tracking {tag}", did_limit=POOL_SIZE)
    client_package = client_package_create(customer=customer, package=package)
    operator, _ = operator_get_or_create(name="Bench operator")
    # A block of fictional-range numbers no one else uses (01632 96xxxx, Ofcom's drama range).
    base = 441632960000 + random.randrange(0, 9_000, 20)
    numbers = [f"+{base + i}" for i in range(POOL_SIZE)]
    from dids.models import DID

    DID.objects.filter(number__in=numbers, customer__isnull=True).delete()
    did_create_many(specs=numbers, operator=operator)
    dids = list(DID.objects.filter(number__in=numbers))
    DID.objects.filter(pk__in=[d.pk for d in dids]).update(
        status="assigned", customer=customer, client_package=client_package
    )
    pool = TrackingPool.objects.create(
        customer=customer,
        name="Bench pool",
        match_period=30,
        quantity=POOL_SIZE,
        termination_number="+441274792823",
        numbers_to_replace=["01011231234"],
        tracking_sources=[{"referrer_domain": "Any", "url_triggers": ["gclid=*"], "track_organic": False}],
        site_domains=["shop.example"],
    )
    TrackingNumber.objects.bulk_create([TrackingNumber(pool=pool, did=d) for d in dids])
    return customer, package, pool, dids


def _add_history(pool) -> None:
    """Expired sessions, as a pool that has been running for a while has: at the
    bench's rate, a few hours of visits. The planner then sees the sessions
    table a production pool has, not the empty one of a fresh database."""
    from django.db import connection

    from call_tracking.models import DNISession, TrackingNumber

    numbers = list(TrackingNumber.objects.filter(pool=pool).values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO "{DNISession._meta.db_table}" (pool_id, number_id, visitor_id, source, referrer, landing_url,
                url_params, started_at, last_seen_at, expires_at, page_views, ambiguous)
            SELECT %s, (%s::bigint[])[1 + i %% %s], md5(i::text), 'Google', 'https://www.google.com/',
                   'https://www.shop.example/landing', '{{}}', now() - interval '1 day' + i * interval '100 ms',
                   now() - interval '1 day' + i * interval '100 ms',
                   now() - interval '1 day' + i * interval '100 ms' + interval '1 minute', 3, FALSE
            FROM generate_series(1, %s) AS i
            """,
            [pool.pk, numbers, len(numbers), HISTORY_SESSIONS],
        )
        cursor.execute(f'ANALYZE "{DNISession._meta.db_table}"')


def _reset(pool, policy: str) -> None:
    """Every session of the pool ended (kept as history), every number free, the policy set."""
    from django.db import connection
    from django.db.models.functions import Least, Now

    from call_tracking.models import DNISession, TrackingNumber

    DNISession.objects.filter(pool=pool, expires_at__gt=Now()).update(
        expires_at=Least("expires_at", Now()), last_seen_at=Least("last_seen_at", Now())
    )
    TrackingNumber.objects.filter(pool=pool).update(held_until=None)
    pool.exhaustion_policy = policy
    pool.save(update_fields=["exhaustion_policy"])
    # A phase leaves tens of thousands of dead row versions. Autovacuum would
    # clear them in production, but it may be off or behind (it is off on the
    # machine these figures come from): vacuumed here, every phase starts from
    # the same tables, not from the bloat of earlier runs.
    with connection.cursor() as cursor:
        for model in (DNISession, TrackingNumber):
            cursor.execute(f'VACUUM (ANALYZE) "{model._meta.db_table}"')


def _teardown(customer, package, pool, dids) -> None:
    from call_tracking.models import TrackingPool
    from dids.models import DID, ClientPackage

    TrackingPool.objects.filter(pk=pool.pk).delete()
    DID.objects.filter(pk__in=[d.pk for d in dids]).delete()
    ClientPackage.objects.filter(customer=customer).delete()
    package.delete()
    customer.delete()


def _start_server(port: int) -> subprocess.Popen:
    env = dict(
        os.environ,
        # Every simulated visitor comes from 127.0.0.1: the per-address limit is lifted for the bench.
        TRACKING_DNI_IP_RATE="100000000/min",
        TRACKING_DNI_VISITOR_RATE="100000/min",
        DEBUG="false",
        LOG_LEVEL="WARNING",
    )
    # The product's own gunicorn.conf.py (read from ROOT), with the bench's sizes when given.
    env["WEB_CONCURRENCY"], env["GUNICORN_THREADS"] = _WORKERS, _THREADS
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "telephony.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and server.poll() is None:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/login/")
            if conn.getresponse().status == 200:
                return server
        except (OSError, http.client.HTTPException):
            time.sleep(0.5)
    server.kill()
    raise RuntimeError("gunicorn did not start: " + server.communicate()[1].decode(errors="replace")[-2000:])


class _Connection:
    """A keep-alive HTTP/1.1 connection that sends a form POST and reads the answer's status.

    The load generator shares the two cores with the server: ``http.client``
    cost it 0.5 ms of CPU a request, a third of what the server spends. This
    sends the same request bytes (Host, Content-Type, Origin, Content-Length)
    and reads the whole answer (headers, then Content-Length bytes of body).
    """

    def __init__(self, port: int, path: str):
        self.port = port
        self.head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nOrigin: https://www.shop.example\r\n"
        ).encode()
        self.sock: socket.socket | None = None

    def post(self, body: bytes) -> int:
        if self.sock is None:
            self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        self.sock.sendall(self.head + b"Content-Length: %d\r\n\r\n" % len(body) + body)
        data = b""
        while b"\r\n\r\n" not in data:
            data += self._recv()
        head, _, rest = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(rest) < length:
            rest += self._recv()
        return int(head.split(b" ", 2)[1])

    def _recv(self) -> bytes:
        assert self.sock is not None, "post() connects first"
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed by the server")
        return chunk

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


def _visitor(port, path, rate_each, stop_at, budget, results, lock):
    conn = _Connection(port, path)
    latencies: list[float] = []
    statuses: dict[int | str, int] = {}  # HTTP status, or "error"
    interval = 1.0 / rate_each if rate_each else 0.0
    next_at = time.perf_counter() + random.random() * interval
    while True:
        visitor = secrets.token_hex(8)
        for view in range(random.randint(2, 5)):
            if interval:
                delay = next_at - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                next_at += interval
            if time.perf_counter() >= stop_at:
                break
            with lock:
                if budget[0] <= 0:
                    break
                budget[0] -= 1
            url = "https://www.shop.example/" + ("landing?gclid=" + visitor if view == 0 else f"page{view}")
            body = urllib.parse.urlencode({"visitor": visitor, "referrer": "https://www.google.com/", "url": url})
            started = time.perf_counter()
            status: int | str
            try:
                status = conn.post(body.encode())
            except (OSError, ValueError, IndexError):
                conn.close()
                status = "error"
            latencies.append(time.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1
        else:
            continue
        break
    conn.close()
    with lock:
        results["latencies"].extend(latencies)
        for status, count in statuses.items():
            results["statuses"][status] = results["statuses"].get(status, 0) + count


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its children that are running now (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _database_cpu_seconds() -> float:
    """CPU time of the PostgreSQL backends serving this database now (same machine, /proc readable)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        pids = [pid for (pid,) in cursor.fetchall()]
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _load(port: int, pool, paced: bool, server_pid: int | None = None) -> dict:
    path = f"/v3/api/dni/{pool.public_key}"
    results: dict[str, Any] = {"latencies": [], "statuses": {}}
    lock = threading.Lock()
    budget = [MAX_REQUESTS]
    started = time.perf_counter()
    stop_at = started + PHASE_SECONDS
    rate_each = TARGET_RATE / VISITORS if paced else 0.0
    threads = [
        threading.Thread(target=_visitor, args=(port, path, rate_each, stop_at, budget, results, lock))
        for _ in range(VISITORS)
    ]
    # The load generator runs on the same cores as the server: its CPU is reported beside the server's.
    client_cpu = time.process_time()
    server_cpu = _cpu_seconds(server_pid) if server_pid else 0.0
    database_cpu = _database_cpu_seconds()
    # The load generator's own garbage collection (Django is loaded here too)
    # paused every visitor thread for tens of milliseconds, and the requests in
    # flight were counted as slow: no collection while it measures.
    gc.disable()
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(PHASE_SECONDS + 30)
    finally:
        gc.enable()
    elapsed = time.perf_counter() - started
    client_cpu = time.process_time() - client_cpu
    server_cpu = (_cpu_seconds(server_pid) - server_cpu) if server_pid else 0.0
    database_cpu = _database_cpu_seconds() - database_cpu
    latencies = sorted(results["latencies"])
    count = len(latencies)
    return {
        "requests": count,
        "rate": count / elapsed,
        "p50": latencies[count // 2] * 1000 if count else 0.0,
        "p99": latencies[min(count - 1, int(count * 0.99))] * 1000 if count else 0.0,
        "mean": statistics.fmean(latencies) * 1000 if count else 0.0,
        "ok": results["statuses"].get(200, 0),
        "client_cpu_ms": client_cpu * 1000 / count if count else 0.0,
        "server_cpu_ms": server_cpu * 1000 / count if count else 0.0,
        "database_cpu_ms": database_cpu * 1000 / count if count else 0.0,
        "statuses": results["statuses"],
    }


def _check(pool, since) -> tuple[int, int, int, int]:
    """Of the sessions started ``since``: (sessions, numbers used, overlapping pairs, overlapping pairs not both
    marked ambiguous)."""
    from call_tracking.models import DNISession

    by_number: dict[int, list] = {}
    rows = DNISession.objects.filter(pool=pool, started_at__gte=since).values_list(
        "number_id", "started_at", "expires_at", "ambiguous"
    )
    count = 0
    for number, start, end, ambiguous in rows:
        by_number.setdefault(number, []).append((start, end, ambiguous))
        count += 1
    overlaps = unmarked = 0
    for sessions in by_number.values():
        sessions.sort()
        for i, (_start, end, ambiguous) in enumerate(sessions):
            for other_start, _, other_ambiguous in sessions[i + 1 :]:
                if other_start >= end:
                    break
                overlaps += 1
                if not (ambiguous and other_ambiguous):
                    unmarked += 1
    return count, len(by_number), overlaps, unmarked


def _allocation_rate(pool, *, skip_locked: bool, threads: int = VISITORS, seconds: float = 4.0) -> tuple[float, int]:
    """New sessions per second from ``threads`` in-process allocators, pool freed as it fills."""
    from django.db import OperationalError, connection, transaction
    from django.db.models import F, Q

    from call_tracking.models import TrackingNumber

    done, failed = [0], [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def allocate():
        try:
            while time.perf_counter() < stop_at:
                now = datetime.datetime.now(datetime.UTC)
                try:
                    allocate_one(now)
                except OperationalError:  # the blocking variant deadlocks now and then
                    with lock:
                        failed[0] += 1
        finally:
            connection.close()

    def allocate_one(now):
        with transaction.atomic():
            free = (
                TrackingNumber.objects.select_for_update(skip_locked=skip_locked)
                .filter(pool=pool, removed_at__isnull=True)
                .filter(Q(held_until__isnull=True) | Q(held_until__lte=now))
                .order_by(F("held_until").asc(nulls_first=True), "pk")
                .first()
            )
            if free is not None:
                # Held for an instant only, so that the pool never runs out here.
                TrackingNumber.objects.filter(pk=free.pk).update(held_until=now)
                with lock:
                    done[0] += 1

    workers = [threading.Thread(target=allocate) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(seconds + 30)
    return done[0] / seconds, failed[0]


def main() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        print("bench_tracking needs PostgreSQL: set DATABASE_URL (e.g. make bench).")
        return
    from call_tracking.models import ExhaustionPolicy

    load_before = f"{os.getloadavg()[0]:.1f}"
    customer, package, pool, dids = _setup()
    _add_history(pool)
    port = _free_port()
    server = _start_server(port)
    rows = []
    verdicts = []
    try:
        phases = [
            ("replace nothing, paced", ExhaustionPolicy.REPLACE_NOTHING, True),
            ("reuse (ambiguous), paced", ExhaustionPolicy.REUSE_OLDEST, True),
            ("reuse (ambiguous), unpaced", ExhaustionPolicy.REUSE_OLDEST, False),
        ]
        for label, policy, paced in phases:
            _reset(pool, policy)
            _load(port, pool, paced)  # warm-up of the workers' connections is part of phase 1 only
            _reset(pool, policy)
            since = datetime.datetime.now(datetime.UTC)
            result = _load(port, pool, paced, server.pid)
            sessions, used, overlaps, unmarked = _check(pool, since)
            errors = sum(v for k, v in result["statuses"].items() if k != 200)
            rows.append(
                [
                    label,
                    result["requests"],
                    result["rate"],
                    result["p50"],
                    result["p99"],
                    result["server_cpu_ms"],
                    result["database_cpu_ms"],
                    result["client_cpu_ms"],
                    errors,
                    sessions,
                    used,
                    overlaps,
                    unmarked,
                ]
            )
            if paced:
                verdicts.append((label, result["rate"], result["p99"], unmarked, overlaps, policy, errors))
    except BaseException:
        _teardown(customer, package, pool, dids)
        raise
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
    print(f"{VISITORS} visitors, pool of {POOL_SIZE}, {PHASE_SECONDS:.0f} s a phase, paced at {TARGET_RATE:.0f}/s")
    print(f"gunicorn: {_WORKERS} gthread workers x {_THREADS} threads")
    # The figures depend on what else runs: say how busy the machine was.
    print(f"{os.cpu_count()} CPUs, load average before: {load_before}, after: {os.getloadavg()[0]:.1f}")
    print_table(
        [
            "phase",
            "requests",
            "req/s",
            "p50 ms",
            "p99 ms",
            "gunicorn CPU ms/req",
            "PostgreSQL CPU ms/req",
            "load generator CPU ms/req",
            "non-200",
            "sessions",
            "numbers used",
            "overlaps",
            "unmarked overlaps",
        ],
        rows,
    )
    _reset(pool, ExhaustionPolicy.REUSE_OLDEST)
    try:
        skip, skip_failed = _allocation_rate(pool, skip_locked=True)
        blocking, blocking_failed = _allocation_rate(pool, skip_locked=False)
    finally:
        _teardown(customer, package, pool, dids)
    print()
    print_table(
        ["allocation (50 threads, in-process)", "allocations/s", "deadlocks", "ratio"],
        [
            ["SELECT … FOR UPDATE SKIP LOCKED (product)", skip, skip_failed, skip / blocking if blocking else 0.0],
            ["SELECT … FOR UPDATE (blocking)", blocking, blocking_failed, 1.0],
        ],
    )
    print()
    for label, rate, p99, unmarked, overlaps, policy, errors in verdicts:
        ok = rate >= 500 and p99 <= 50 and unmarked == 0 and errors == 0
        if policy == ExhaustionPolicy.REPLACE_NOTHING:
            ok = ok and overlaps == 0
        print(f"{label}: {'PASS' if ok else 'FAIL'} (≥500 req/s, p99 ≤ 50 ms, no number shared unless marked)")
