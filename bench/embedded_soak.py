"""Run the embedded product (`make run`'s Procfile.embedded) with the demo campaign and report process exits.

    .venv/bin/python -m bench.embedded_soak [--minutes 30] [--port 8000]
    make soak MINUTES=30 PORT=8000

A fresh embedded set-up under ``var/soak-PORT/`` (SQLite, the embedded broker):
migrate, seed_demo, dialer_demo, then honcho with Procfile.embedded for the
given minutes (``--minutes``, or ``SOAK_MINUTES``). The demo campaign calls a
handful of numbers and finishes within minutes, so whenever no demo campaign
is placing calls (it finished, or its remaining calls wait for a repeat
period or for legal hours in another country) for ``--idle`` seconds (30),
the soak runs ``dialer_demo --again --finish-idle 30``, which finishes it and
launches a new copy: calls keep flowing for the whole run. The same numbers are called
again and again, so the soak lifts the per-number contact caps in its own
environment (``COMPLIANCE_CALLS_PER_DAY``/``_PER_WEEK``); legal calling hours
still apply (the demo list's GB and US numbers are callable 08:00–21:00 local).

Every 30 s it checks the web server answers /healthz; at the end it reports
every process exit (telephony.keep_running records them; each one was
restarted), the lines of the processes' output that show a crash, the calls
the dialer placed and in how many of the run's minutes, the campaign
re-launches, the product's own 404 page and a static file. It exits 1 when a
process exited, honcho stopped, the web server stopped answering or no call
was placed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
CRASH_MARKS = ("Traceback", "JSONDecodeError", "exited with code", "Unrecoverable error")


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")
    except OSError as exc:
        return 0, str(exc)


def calls(db: Path) -> tuple[int, int, int, float]:
    """(attempts ended, attempts in all, distinct minutes with a call started, longest gap between starts in s)."""
    with sqlite3.connect(db, timeout=30) as conn:
        ended = conn.execute("SELECT count(*) FROM campaigns_callattempt WHERE status = 'ended'").fetchone()[0]
        starts = [
            dt.datetime.fromisoformat(row[0])
            for row in conn.execute("SELECT started_at FROM campaigns_callattempt ORDER BY started_at")
        ]
    minutes = len({start.replace(second=0, microsecond=0) for start in starts})
    gap = max(((b - a).total_seconds() for a, b in itertools.pairwise(starts)), default=0.0)
    return ended, len(starts), minutes, gap


def campaign_count(db: Path) -> int:
    with sqlite3.connect(db, timeout=30) as conn:
        return conn.execute("SELECT count(*) FROM campaigns_campaign").fetchone()[0]


def calls_flowing(db: Path, idle_seconds: int) -> bool:
    """Whether a campaign is launched with a call in progress or started in the last ``idle_seconds``.

    The soak's database holds only the demo customer's campaigns.
    """
    try:
        with sqlite3.connect(db, timeout=30) as conn:
            launched = conn.execute(
                "SELECT count(*) FROM campaigns_campaign WHERE status = 'launched' "
                "AND launched_at > datetime('now', ?)",
                [f"-{idle_seconds} seconds"],
            ).fetchone()[0]
            live = conn.execute(
                "SELECT count(*) FROM campaigns_callattempt a JOIN campaigns_campaign c ON c.id = a.campaign_id "
                "WHERE c.status = 'launched' AND (a.ended_at IS NULL OR a.started_at > datetime('now', ?))",
                [f"-{idle_seconds} seconds"],
            ).fetchone()[0]
    except sqlite3.Error:
        return True  # busy: look again at the next check
    return launched > 0 or live > 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=float(os.environ.get("SOAK_MINUTES", 30)))
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--relaunch-check", type=float, default=10.0, help="seconds between checks that calls are flowing"
    )
    parser.add_argument(
        "--idle",
        type=int,
        default=30,
        help="seconds without a call after which the demo campaign is finished and a copy launched",
    )
    args = parser.parse_args()

    var = ROOT / "var" / f"soak-{args.port}"
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    exits = var / "process-exits.jsonl"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DEBUG")}
    env.update(VAR_DIR=str(var), PORT=str(args.port), KEEP_RUNNING_LOG=str(exits), PYTHONUNBUFFERED="1")
    # The demo list's few numbers are called for the whole run: no per-number cap may stop them.
    env.update(COMPLIANCE_CALLS_PER_DAY="1000000", COMPLIANCE_CALLS_PER_WEEK="1000000")
    for command in (["migrate", "--noinput"], ["seed_demo"], ["dialer_demo"]):
        subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
    db = var / "db.sqlite3"
    relaunches: list[float] = []
    relaunch_failures = 0

    output = var / "honcho.log"
    base = f"http://127.0.0.1:{args.port}"
    started = time.monotonic()
    deadline = started + args.minutes * 60
    down_checks = checks = 0
    with open(output, "w") as log:
        honcho = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "honcho"), "--procfile", "Procfile.embedded", "start"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            time.sleep(15)
            next_health = time.monotonic()
            while time.monotonic() < deadline and honcho.poll() is None:
                if time.monotonic() >= next_health:
                    status, _ = fetch(f"{base}/healthz")
                    checks += 1
                    down_checks += status != 200
                    next_health += 30
                if not calls_flowing(db, args.idle):
                    # The demo campaign finished, or waits for repeats or legal hours
                    # elsewhere: finish it and launch a new copy so calls keep flowing.
                    before = campaign_count(db)
                    with open(var / "relaunch.log", "a") as relaunch_log:
                        relaunch_failures += (
                            subprocess.run(
                                [PYTHON, "manage.py", "dialer_demo", "--again", "--finish-idle", str(args.idle)],
                                cwd=ROOT,
                                env=env,
                                check=False,
                                stdout=relaunch_log,
                                stderr=subprocess.STDOUT,
                            ).returncode
                            != 0
                        )
                    if campaign_count(db) > before:
                        relaunches.append((time.monotonic() - started) / 60)
                time.sleep(min(args.relaunch_check, max(deadline - time.monotonic(), 0)))
            not_found = fetch(f"{base}/no-such-page/")
            static = fetch(f"{base}/static/css/app.css")
            honcho_alive = honcho.poll() is None
        finally:
            if honcho.poll() is None:
                os.killpg(honcho.pid, signal.SIGINT)
                try:
                    honcho.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    os.killpg(honcho.pid, signal.SIGKILL)
                    honcho.wait()

    recorded = [json.loads(line) for line in exits.read_text().splitlines()] if exits.exists() else []
    crash_lines = [line.rstrip() for line in output.read_text().splitlines() if any(m in line for m in CRASH_MARKS)]
    ended, total, call_minutes, longest_gap = calls(db)
    rejected = len(list((var / "broker" / "rejected").glob("*")))
    ran = (time.monotonic() - started) / 60
    print(f"embedded soak: {ran:.1f} min on port {args.port}, output in {output}")
    print(f"  process exits (restarted): {len(recorded)}  {recorded}")
    print(f"  honcho still running at the end: {honcho_alive}")
    print(f"  /healthz checks: {checks}, failed: {down_checks}")
    print(f"  calls: {total} attempts placed, {ended} ended, in {call_minutes} distinct minutes of the run")
    print(f"  longest time between two calls' starts: {longest_gap:.0f} s")
    print(
        f"  demo campaign re-launched: {len(relaunches)} times"
        + (f" (at minute {', '.join(f'{m:.1f}' for m in relaunches)})" if relaunches else "")
        + f"; dialer_demo --again failures: {relaunch_failures} (see relaunch.log)"
    )
    print(f"  broker message files set aside unreadable: {rejected}")
    print(f"  crash lines in the output: {len(crash_lines)}")
    for line in crash_lines[:20]:
        print(f"    {line}")
    own_404 = not_found[0] == 404 and "Page not found" in not_found[1] and "URLconf" not in not_found[1]
    print(f"  missing page: {not_found[0]}, product's own 404 page: {own_404}")
    print(f"  static file /static/css/app.css: {static[0]}")
    ok = not recorded and honcho_alive and not down_checks and own_404 and static[0] == 200 and total > 0
    print("RESULT:", "OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
