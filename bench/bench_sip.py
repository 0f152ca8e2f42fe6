"""Real calls (issue 14, "Speed"): the SIP call engine against a local SIPp far end.

The whole path runs: campaign launch → dispatcher → call task → Redis →
``manage.py call_engine --processes N`` → SIPp (Debian sip-tester, bench/sip_carrier.xml)
and back through the reporter. The dispatcher and the call task run in this
process (the call task eagerly: handing a call to the engine is one Redis push,
so a Celery worker would only take CPU from the engine on a 2-core machine).

- hold: ``BENCH_SIP_HOLD_CALLS`` (default 150) answered calls, each speaking
  ``BENCH_SIP_HOLD_SECONDS`` (default 20) of text to speech while SIPp echoes
  every RTP packet back (media both ways); 50 lines a campaign (the product's
  limit), so three campaigns at once. Goal: at least 100 answered calls at once.
- end to end: ``BENCH_SIP_RATE_CALLS`` (default 600) short answered calls ("Hello",
  then our BYE) over ``BENCH_SIP_RATE_LINES`` (default 200) lines with the
  platform cap at ``BENCH_SIP_RATE_CPS`` (default 100) calls a second: the setups
  a second the whole path reaches (on a shared 2-core machine the in-process
  dispatcher's pace, shown too, sets it).
- engine alone: ``BENCH_SIP_ENGINE_CALLS`` (default 1000) such calls, all claimed
  and handed over first, then pushed onto the engines' queue at
  ``BENCH_SIP_ENGINE_PACE`` (default 100) a second. Goal: at least 50 call
  setups a second, the setup time (push → answered) staying short. The engines
  are ``call_engine --processes BENCH_SIP_ENGINES`` (default 2, as Procfile.sip);
  the alternative, measured in the same run, is the same part served by one engine.
- CPU: the engine process's user + system CPU (/proc) over each part, divided by
  its calls (goal: at most 30 ms a call), against the simulator's CPU per
  attempt over the same path in the same run (the alternative).
- Lost or doubled (goal 0 of each): every job has exactly one attempt, answered
  and ended; every attempt reached SIPp exactly once (its X-Dialtone-Attempt
  header, logged by SIPp) and SIPp counted as many successful calls and no failure.

Ports stay clear of the SIP integration tests (5100-5110, RTP 22000-22999, SIPp media 23900):
carrier 6070, engine 6072, engine RTP 31000-31999, SIPp media (echo) 30900.
With the SIP gateway ``DIALER_CALL_THREADS`` counts only the claims not dialled
yet (a call holds no thread) and ``DIALER_MAX_CALLS`` the calls in progress; the
bench sets both to 10,000 so that the engine, not a cap, sets the figures.

Run: ``make bench BENCH=sip TEST_DATABASE_URL=postgres://… TEST_REDIS_URL=redis://…/N``
It migrates the database, makes its own customer and removes it after.
"""

from __future__ import annotations

import csv
import logging
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import wave
from collections import Counter
from pathlib import Path
from typing import Any

from django.conf import settings

from bench.bench_dialer import (
    _campaign,
    _clean_up,
    _compliance_open_all_day,
    _cpu_seconds,
    _fresh_sequences,
    _legal_table_open_all_day,
)
from bench.table import print_table
from telephony.gateways.base import CallRequest, Gateway, Reporter

ROOT = Path(__file__).resolve().parents[1]
CARRIER = ROOT / "bench" / "sip_carrier.xml"
CARRIER_PORT, ENGINE_PORT, MEDIA_PORT = 6070, 6072, 30900
ENGINE_RTP = "31000-31999"
HOLD_CALLS = int(os.environ.get("BENCH_SIP_HOLD_CALLS", 150))
HOLD_SECONDS = float(os.environ.get("BENCH_SIP_HOLD_SECONDS", 20))
RATE_CALLS = int(os.environ.get("BENCH_SIP_RATE_CALLS", 600))
RATE_LINES = int(os.environ.get("BENCH_SIP_RATE_LINES", 200))
ENGINE_CALLS = int(os.environ.get("BENCH_SIP_ENGINE_CALLS", 1000))
ENGINE_PACE = float(os.environ.get("BENCH_SIP_ENGINE_PACE", 100))
# `call_engine --processes`, as Procfile.sip (an engine's setups are bounded by its SIP thread, not its CPU).
ENGINES = int(os.environ.get("BENCH_SIP_ENGINES", 2))
RATE_CPS = int(os.environ.get("BENCH_SIP_RATE_CPS", 100))
SENTENCE = "Hello, this is a message from your supplier about the delivery of your order next week. "


class Far:
    """The SIPp UAS: its process, the attempt ids it logged and its final counts."""

    def __init__(self, workdir: Path):
        self.log = workdir / "sipp_attempts.log"
        self.stats = workdir / "sipp_stats.csv"
        self.process = subprocess.Popen(
            [
                "sipp",
                "-sf",
                str(CARRIER),
                "-i",
                "127.0.0.1",
                "-p",
                str(CARRIER_PORT),
                "-mi",
                "127.0.0.1",
                "-mp",
                str(MEDIA_PORT),
                "-rtp_echo",
                "-trace_logs",
                "-log_file",
                str(self.log),
                "-trace_err",
                "-error_file",
                str(workdir / "sipp_errors.log"),
                "-trace_stat",
                "-stf",
                str(self.stats),
                "-fd",
                "1",
                "-nostdin",
            ],
            cwd=workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(0.5)
        if self.process.poll() is not None:
            raise RuntimeError(f"SIPp did not start (is port {CARRIER_PORT} or {MEDIA_PORT} taken?)")

    def stop(self) -> dict:
        """Soft exit (SIGUSR1: every call finished first), then its last statistics row."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGUSR1)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        rows = list(csv.DictReader(self.stats.open(), delimiter=";")) if self.stats.exists() else []
        return rows[-1] if rows else {}

    def attempts(self) -> Counter:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return Counter(int(n) for n in re.findall(r"INVITE (\d+)", text))


def _start_engine(workdir: Path, processes: int) -> subprocess.Popen:
    import redis

    from telephony.sip.engine import QUEUE, STATUS

    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(QUEUE, STATUS)
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="telephony.settings",
        SIP_TRUNK=f"sip:127.0.0.1:{CARRIER_PORT}",
        SIP_LISTEN=f"127.0.0.1:{ENGINE_PORT}",
        SIP_RTP_PORTS=ENGINE_RTP,
        SIP_TTS_CACHE_DIR=settings.SIP_TTS_CACHE_DIR,
    )
    log = (workdir / "engine.log").open("a")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "call_engine", "--processes", str(processes)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while client.hlen(STATUS) < processes:
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the call engine did not start: {(workdir / 'engine.log').read_text()[-2000:]}")
        time.sleep(0.2)
    return process


def _engine_pids(engine: subprocess.Popen) -> list[int]:
    """The engine processes: with ``--processes`` above 1, the children of the supervising parent."""
    children = Path(f"/proc/{engine.pid}/task/{engine.pid}/children").read_text().split()
    return [int(pid) for pid in children] or [engine.pid]


def _engine_cpu(engine: subprocess.Popen) -> float:
    """CPU seconds of every engine process so far (and of their supervisor)."""
    pids = {engine.pid, *_engine_pids(engine)}
    return sum(_cpu_seconds(pid) for pid in pids)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _hold_text() -> tuple[str, float]:
    """A text that takes at least HOLD_SECONDS to say, rendered now (the cache is warm, as after a first call)."""
    from telephony.sip.tts import speech

    text = SENTENCE
    while True:
        with wave.open(str(speech(text)), "rb") as wav:
            seconds = wav.getnframes() / wav.getframerate()
        if seconds >= HOLD_SECONDS:
            return text, seconds
        text += SENTENCE


def _launch(customer, world, contacts: int, lines: int, scenario: list[dict]) -> list:
    """Launch campaigns of ``contacts`` in all over ``lines`` in all (at most 50 a campaign, the product's limit)."""
    from campaigns.services import campaign_launch
    from campaigns.tests.factories import AppFactory

    app = AppFactory(customer=customer, scenario=scenario)
    count = -(-lines // 50)
    campaigns = [
        _campaign(customer, {**world, "app": app}, contacts // count + (n < contacts % count), lines=50, all_day=True)
        for n in range(count)
    ]
    for campaign in campaigns:
        campaign_launch(campaign=campaign)
    return campaigns


def _dispatch(campaigns: list, timeout: float, until=None) -> None:
    """Run the dispatcher until the campaigns finish (or ``until()`` is true)."""
    from campaigns.dialer import dialer_tick
    from campaigns.models import Campaign, CampaignStatus

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        dialer_tick(for_seconds=0.5)
        if until is not None and until():
            return
        if not Campaign.objects.filter(pk__in=[c.pk for c in campaigns]).exclude(status=CampaignStatus.FINISHED):
            return
    raise RuntimeError(f"campaigns not finished in {timeout:.0f} s")


def _run(customer, world, contacts: int, lines: int, scenario: list[dict], timeout: float) -> list:
    campaigns = _launch(customer, world, contacts, lines, scenario)
    _dispatch(campaigns, timeout)
    return campaigns


class ParkingGateway(Gateway):
    """The call task's hand-over kept aside, so the bench can feed the engine at a pace of its own."""

    name = "parking"
    holds_call_thread = False  # a hand-over, as the SIP gateway: the engine marks each call dialled when it takes it
    requests: list[CallRequest] = []

    def place_call(self, request: CallRequest, report: Reporter) -> None:
        self.requests.append(request)


def _engine_part(customer, world, engine, contacts: int, pace: float, scenario: list[dict]) -> dict:
    """The engine alone: every attempt claimed and handed over first (parked), then pushed onto the
    engine's queue at ``pace`` a second; setup time runs from the push to the answer."""
    import redis

    from telephony.sip.engine import QUEUE, request_payload

    settings.DIALER_GATEWAY = "bench.bench_sip.ParkingGateway"
    settings.DIALER_MAX_CALLS_PER_SECOND = 10_000
    ParkingGateway.requests.clear()
    campaigns = _launch(customer, world, contacts, contacts, scenario)
    _dispatch(campaigns, 600, until=lambda: len(ParkingGateway.requests) >= contacts)
    client = redis.Redis.from_url(settings.REDIS_URL)
    pushed: dict[int, float] = {}
    started_cpu = _engine_cpu(engine)
    started = time.time()
    for n, request in enumerate(ParkingGateway.requests):
        time.sleep(max(0.0, started + n / pace - time.time()))
        client.rpush(QUEUE, request_payload(request))
        pushed[request.attempt_id] = time.time()
    _dispatch(campaigns, contacts / 10 + 120)
    time.sleep(1)
    engine_cpu = _engine_cpu(engine) - started_cpu
    settings.DIALER_GATEWAY, settings.DIALER_MAX_CALLS_PER_SECOND = "sip", RATE_CPS
    return {"campaigns": campaigns, "pushed": pushed, "engine_ms": 1000 * engine_cpu / contacts}


def _audit(campaigns: list, far_attempts: Counter | None, pushed: dict[int, float] | None = None) -> dict:
    """What the database (and SIPp) say happened to the campaign's calls."""
    from campaigns.models import AttemptStatus, CallAttempt, CallJob

    rows: list[dict[str, Any]] = [
        dict(row)
        for row in CallAttempt.objects.filter(campaign__in=campaigns).values(
            "pk", "job_id", "status", "cause", "started_at", "dialed_at", "answered_at", "ended_at", "duration"
        )
    ]
    jobs = CallJob.objects.filter(campaign__in=campaigns).count()
    per_job = Counter(r["job_id"] for r in rows)
    answered = [r for r in rows if r["cause"] == "200" and r["answered_at"] and r["status"] == AttemptStatus.ENDED]
    doubled = sum(n - 1 for n in per_job.values() if n > 1)
    # Lost: a contact whose call never got an outcome, or a call answered that the far end never saw.
    # (A call the engine could not place ends with a cause, 500: not lost, counted under the causes.)
    lost = jobs - len({r["job_id"] for r in rows if r["status"] == AttemptStatus.ENDED})
    if far_attempts is not None:
        doubled += sum(n - 1 for pk, n in far_attempts.items() if n > 1)
        lost += len({r["pk"] for r in answered} - set(far_attempts))  # (calls SIPp saw of no attempt: main)
    events = [(r["answered_at"], 1) for r in answered] + [(r["ended_at"], -1) for r in answered]
    level = peak = 0
    for _, step in sorted(events, key=lambda e: (e[0], e[1])):
        level += step
        peak = max(peak, level)
    if pushed:  # the engine alone: from the push onto its queue
        setups = sorted((r["answered_at"].timestamp() - pushed[r["pk"]]) * 1000 for r in answered)
    else:
        setups = sorted((r["answered_at"] - r["dialed_at"]).total_seconds() * 1000 for r in answered if r["dialed_at"])
    dialed = sorted(r["dialed_at"] for r in rows if r["dialed_at"])
    first = min(r["started_at"] for r in rows)
    if pushed:
        first = first.fromtimestamp(min(pushed.values()), first.tzinfo)
    last = max(r["answered_at"] for r in answered) if answered else first
    return {
        "calls": len(rows),
        "causes": Counter(r["cause"] for r in rows),
        "answered": len(answered),
        "lost": lost,
        "doubled": doubled,
        "peak": peak,
        "rate": len(answered) / max((last - first).total_seconds(), 1e-3),
        "handed": len(dialed) / max((dialed[-1] - dialed[0]).total_seconds(), 1e-3) if dialed else 0.0,
        "setup_p50": statistics.median(setups) if setups else 0.0,
        "setup_p95": setups[int(len(setups) * 0.95)] if setups else 0.0,
        "shortest": min((r["duration"] for r in answered), default=0),
    }


def _threads(pid: int) -> dict[int, tuple[str, float]]:
    """Each thread of a process: its name and CPU seconds so far (schedstat's ns: a thread's stat counts
    whole clock ticks, and a media thread's few ms over the sample round to 0 or 10 ms)."""
    found = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            name = (task / "comm").read_text().strip()
            ns = int((task / "schedstat").read_text().split()[0])
        except OSError:
            continue  # ended meanwhile
        found[int(task.name)] = (name, ns / 1e9)
    return found


def _calls_up() -> int:
    """Calls in progress in every engine, as each engine's heartbeat registers them (telephony/sip/status.py)."""
    import json

    import redis

    from telephony.sip.status import STATUS

    registered = redis.Redis.from_url(settings.REDIS_URL).hvals(STATUS)
    return sum(json.loads(value)["calls"] for value in registered)


def _split(pids: list[int], seconds: float = 5.0) -> dict[str, float]:
    """Where the engines' CPU goes while calls are up: ms per call-second for each engine's asyncio loop
    (SIP, RTP and the scenarios, all on the main thread) and the rest (the database threads)."""
    before = {pid: _threads(pid) for pid in pids}
    time.sleep(seconds)
    after = {pid: _threads(pid) for pid in pids}
    calls = _calls_up()
    used = {"loop": 0.0, "rest": 0.0}
    for pid, threads in after.items():
        for tid, (_, cpu) in threads.items():
            if tid in before[pid]:
                used["loop" if tid == pid else "rest"] += cpu - before[pid][tid][1]
    return {kind: 1000 * cpu / seconds / max(calls, 1) for kind, cpu in used.items()} | {"calls": calls}


def _sip_part(
    customer, world, engine, contacts: int, lines: int, scenario: list[dict], timeout: float, sample_after: float = 0
) -> dict:
    started_cpu, started_dialer = _engine_cpu(engine), time.process_time()
    started = time.perf_counter()
    split: dict[str, float] = {}
    if sample_after:  # mid-call, every call up: where the CPU goes (in a thread: the dispatcher runs on)
        sampler = threading.Timer(sample_after, lambda: split.update(_split(_engine_pids(engine))))
        sampler.start()
    campaigns = _run(customer, world, contacts, lines, scenario, timeout)
    wall = time.perf_counter() - started
    time.sleep(1)  # the last reports are in; the engine's CPU for them too
    engine_cpu = _engine_cpu(engine) - started_cpu
    dialer_cpu = time.process_time() - started_dialer
    return {
        "campaigns": campaigns,
        "wall": wall,
        "split": split,
        "engine_ms": 1000 * engine_cpu / contacts,
        "dialer_ms": 1000 * dialer_cpu / contacts,
    }


def _simulator_part(customer, world, contacts: int, lines: int) -> float:
    """CPU per attempt of the same path with the simulator placing the calls (zero delay), in this process."""
    from campaigns.models import CallAttempt

    settings.DIALER_GATEWAY = "simulator"
    settings.DIALER_SIM_ZERO_DELAY = True
    settings.DIALER_SIM_MIX = {"200": 1}
    settings.DIALER_SIM_OVERRIDES = {}
    started = time.process_time()
    campaigns = _run(customer, world, contacts, lines, [{"id": "hello", "type": "say", "text": "Hello"}], 600)
    cpu = time.process_time() - started
    made = CallAttempt.objects.filter(campaign__in=campaigns).count()
    return 1000 * cpu / max(made, 1)


def main() -> None:
    from campaigns.models import CallAttempt
    from campaigns.tests.factories import campaign_world
    from customers.tests.factories import CustomerFactory
    from telephony.celery import app as celery_app
    from telephony.sip.tts import speech

    for binary in ("sipp", "espeak-ng", "sox"):
        if shutil.which(binary) is None:
            print(f"skipped: {binary} is not installed (Debian: sip-tester, espeak-ng, sox)")
            return
    if not settings.REDIS_URL or not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        print("skipped: needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)")
        return
    _compliance_open_all_day()
    settings.DIALER_CALL_THREADS = settings.DIALER_MAX_CALLS = 10_000
    settings.DIALER_MAX_CALLS_PER_SECOND = RATE_CPS
    settings.DIALER_GATEWAY = "sip"
    celery_app.conf.task_always_eager = True  # the call task runs in the dispatcher's process
    logging.getLogger("celery").setLevel(logging.WARNING)
    workdir = Path(tempfile.mkdtemp(prefix="bench-sip-"))
    settings.SIP_TTS_CACHE_DIR = str(workdir / "tts")
    stamp = f"{time.time():.0f}"
    _fresh_sequences(int(stamp) % 10**6)
    customer = CustomerFactory(name=f"SIP bench {stamp}", slug=f"sip-bench-{stamp}")
    world = campaign_world(customer, did_number=f"+4420{int(stamp) % 10**8:08d}")
    rows: list[list[object]] = []
    far = engine = None
    legal_table = _legal_table_open_all_day()  # the engine re-checks legal hours when it takes a call
    try:
        text, spoken = _hold_text()
        speech("Hello")
        hello = [{"id": "hello", "type": "say", "text": "Hello"}]
        far = Far(workdir)
        engine = _start_engine(workdir, ENGINES)
        sipp_cpu = _cpu_seconds(far.process.pid)
        talk = [{"id": "talk", "type": "say", "text": text}]
        hold = _sip_part(
            customer, world, engine, HOLD_CALLS, HOLD_CALLS, talk, HOLD_SECONDS * 3 + 120, HOLD_SECONDS / 2
        )
        rate = _sip_part(customer, world, engine, RATE_CALLS, RATE_LINES, hello, timeout=RATE_CALLS / 10 + 120)
        alone = _engine_part(customer, world, engine, ENGINE_CALLS, ENGINE_PACE, hello)
        _stop(engine)
        # The alternative for the setups: the same engine-alone part served by one engine process.
        engine = _start_engine(workdir, 1)
        single = _engine_part(customer, world, engine, ENGINE_CALLS, ENGINE_PACE, hello)
        sipp_cpu = _cpu_seconds(far.process.pid) - sipp_cpu
        _stop(engine)
        final = far.stop()
        seen = far.attempts()
        parts = [hold, rate, alone, single]
        ours = CallAttempt.objects.filter(campaign__in=[c for part in parts for c in part["campaigns"]])
        strays = len(set(seen) - set(ours.values_list("pk", flat=True)))  # SIPp saw a call of no attempt
        audits = [_audit(hold["campaigns"], seen), _audit(rate["campaigns"], seen)]
        audits.append(_audit(alone["campaigns"], seen, alone["pushed"]))
        audits.append(_audit(single["campaigns"], seen, single["pushed"]))
        audit_hold, audit_rate, audit_alone, audit_single = audits
        simulator_ms = _simulator_part(customer, world, RATE_CALLS, RATE_LINES)
        total = HOLD_CALLS + RATE_CALLS + 2 * ENGINE_CALLS
        far_ok, far_failed = int(final.get("SuccessfulCall(C)", -1)), int(final.get("FailedCall(C)", -1))
        causes: Counter[str] = sum((a["causes"] for a in audits), Counter())
        answered = sum(a["answered"] for a in audits)
        rows += [
            [f"hold: most answered calls at once, {spoken:.1f} s of speech each", audit_hold["peak"], "", "goal ≥ 100"],
            [
                "hold: engine CPU per call-second (ms): asyncio loop (SIP, RTP) / database threads",
                hold["split"].get("loop", 0.0),
                hold["split"].get("rest", 0.0),
                f"{hold['split'].get('calls', 0)} calls up",
            ],
            ["hold: shortest answered call (s)", audit_hold["shortest"], "", f"≥ {HOLD_SECONDS:.0f}"],
            [
                "hold: engine CPU per call (ms) vs simulator (whole path/attempt)",
                hold["engine_ms"],
                simulator_ms,
                f"{hold['engine_ms'] / simulator_ms:.1f}× (goal ≤ 30 ms)",
            ],
            [f"end to end: setups/s ({RATE_CALLS:,} short calls, cap {RATE_CPS}/s)", audit_rate["rate"], "", "≥ 50"],
            ["end to end: calls handed to the engine per second", audit_rate["handed"], "", "dispatcher's pace"],
            ["end to end: hand-over → answered, p50 / p95 (ms)", audit_rate["setup_p50"], audit_rate["setup_p95"], ""],
            [
                "end to end: engine CPU per call (ms) vs simulator (whole path/attempt)",
                rate["engine_ms"],
                simulator_ms,
                f"{rate['engine_ms'] / simulator_ms:.1f}× (goal ≤ 30 ms)",
            ],
            [
                "end to end: CPU per short call, dispatcher + engine (ms) vs the simulator's whole path",
                rate["dialer_ms"] + rate["engine_ms"],
                simulator_ms,
                f"{(rate['dialer_ms'] + rate['engine_ms']) / simulator_ms:.1f}×",
            ],
            ["dialer CPU/call, dispatch + hand-over (ms): hold / end to end", hold["dialer_ms"], rate["dialer_ms"], ""],
            [
                f"engine alone: setups/s ({ENGINE_CALLS:,} short calls pushed at {ENGINE_PACE:.0f}/s),"
                f" {ENGINES} engines vs 1",
                audit_alone["rate"],
                audit_single["rate"],
                f"{audit_alone['rate'] / max(audit_single['rate'], 1e-3):.2f}× (goal ≥ 50)",
            ],
            [
                f"engine alone: push → answered, p50 (ms), {ENGINES} engines vs 1",
                audit_alone["setup_p50"],
                audit_single["setup_p50"],
                "",
            ],
            [
                "engine alone: engine CPU per call (ms) vs simulator (whole path/attempt)",
                alone["engine_ms"],
                simulator_ms,
                f"{alone['engine_ms'] / simulator_ms:.1f}× (goal ≤ 30 ms)",
            ],
            [
                "setups/s one core of engine CPU carries (1000 / CPU ms per short call)",
                1000 / max(alone["engine_ms"], 1e-3),
                "",
                "derived, load-independent",
            ],
            ["SIPp (far end) CPU per call (ms)", 1000 * sipp_cpu / total, "", ""],
            [
                "calls lost / doubled (database and SIPp)",
                sum(a["lost"] for a in audits) + strays,
                sum(a["doubled"] for a in audits),
                "goal 0 / 0",
            ],
            ["attempts' causes (200: answered)", ", ".join(f"{k} × {v:,}" for k, v in sorted(causes.items())), "", ""],
            ["SIPp: successful / failed calls", far_ok, far_failed, f"answered {answered:,} / 0"],
        ]
    finally:
        legal_table.restore()
        if engine is not None:
            _stop(engine)
        if far is not None:
            far.stop()
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        rows.append(["call engines (`call_engine --processes`)", ENGINES, "", "BENCH_SIP_ENGINES"])
        rows.append([f"machine load average (1, 5, 15 min) on {os.cpu_count()} cores", load, "", ""])
        print_table(["measurement", "product (SIP)", "alternative / other", "ratio / goal"], rows)
        print(f"(logs in {workdir})")
        _clean_up(customer)
