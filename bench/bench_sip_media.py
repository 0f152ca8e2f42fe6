"""Media CPU of held calls (issue 14, "Speed"): baresip's per-call threads under each media setting.

Each answered call costs the engine three native threads (bench/bench_sip.py: "Audio TX",
"aumem_src", "aumem_play") besides the SIP/RTP thread. baresip's "Audio TX" thread sleeps 4 ms in a
loop whatever the packet time (src/audio.c, tx_thread, ``sys_msleep(4)``; baresip >= 4.6 has no
``audio_txmode`` any more), so it alone was ~3 ms of CPU per call-second. The two settings the engine
can reach: ``SIP_MEDIA_TIMER_SLACK_MS`` (Linux timer slack inherited by those threads: the kernel
batches their wake-ups) and ``SIP_PTIME`` (the packet time offered: 40 ms halves the packets).

Each setting runs in a child process (bench/sip_media_probe.py: the stack started as the engine
starts it) holding ``BENCH_SIP_MEDIA_CALLS`` (default 50) answered calls that send a tone while SIPp
echoes every RTP packet (media both ways), measured over ``BENCH_SIP_MEDIA_SECONDS`` (default 10) with
every call up, ``BENCH_SIP_MEDIA_ROUNDS`` (default 2) rounds interleaved; the median round is shown,
against the kernel default slack at 20 ms (the alternative). Ports as bench_sip: SIPp 6070, engine
6072, engine RTP 31000-31999, SIPp media 30900.

A last row is a reference, not a setting: the same calls' media with one clock for all of them and no
per-call thread (bench/media_clock_probe.py: plain Python sockets, no SIP), to show how much of the cost
is baresip's threads per call rather than the media itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.bench_sip import Far
from bench.table import print_table

CALLS = int(os.environ.get("BENCH_SIP_MEDIA_CALLS", 50))
SECONDS = float(os.environ.get("BENCH_SIP_MEDIA_SECONDS", 10))
ROUNDS = int(os.environ.get("BENCH_SIP_MEDIA_ROUNDS", 2))
HELD = 22.7  # seconds of media a held call of bench_sip carries (20 s of speech and its set-up)
# (label, timer slack ms, ptime ms); the first is the alternative the others are compared with.
SETTINGS = [
    ("kernel default slack, ptime 20 (before)", 0, 20),
    ("slack 10 ms, ptime 20 (default)", 10, 20),
    ("kernel default slack, ptime 40", 0, 40),
    ("slack 10 ms, ptime 40", 10, 40),
]
REFERENCE = "reference: one clock for all calls, ptime 20 (RTP only, no SIP)"


def _run(probe: str, *args: int) -> dict | None:
    run = subprocess.run(
        [sys.executable, "-m", f"bench.{probe}", str(CALLS), str(SECONDS), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=SECONDS + CALLS + 120,
    )
    lines = run.stdout.strip().splitlines()
    if run.returncode or not lines:
        errors = [line for line in run.stderr.splitlines() if "Error" in line or "Exception" in line]
        print(f"  {probe} {args} failed: {(errors or ['?'])[-1]}", flush=True)
        return None
    return json.loads(lines[-1])


def main() -> None:
    results: dict[str, list[dict]] = {label: [] for label, _, _ in SETTINGS}
    results[REFERENCE] = []
    with tempfile.TemporaryDirectory() as work:
        far = Far(Path(work))
        try:
            for _ in range(ROUNDS):
                for label, slack, ptime in SETTINGS:
                    found = _run("sip_media_probe", slack, ptime)
                    if found:
                        results[label].append(found)
                found = _run("media_clock_probe", 20)
                if found:
                    results[REFERENCE].append(found)
        finally:
            far.stop()
    print(f"{CALLS} calls held, media both ways, {SECONDS:g} s measured, median of {ROUNDS} rounds")
    base = None
    rows = []
    for label, _, ptime in [*SETTINGS, (REFERENCE, None, 20)]:
        runs = results[label]
        if not runs:
            rows.append([label, "failed", "", "", "", "", "", ""])
            continue
        mid = sorted(runs, key=lambda r: r["total"])[len(runs) // 2]
        base = base or mid["total"]
        threads = label != REFERENCE
        rows.append(
            [
                label,
                mid["Audio TX"] if threads else "none",
                mid["aumem_src"] + mid["aumem_play"] if threads else "none",
                mid["rest"] + mid["loop"] if threads else mid["total"],
                mid["total"],
                mid["total"] * HELD,
                f"{base / mid['total']:.2f}x",
                f"{mid.get('tx_pkts_per_s', 0):g} / {1000 / ptime:g}",
            ]
        )
    print_table(
        [
            "setting",
            "Audio TX ms/call-s",
            "aumem src+play",
            "SIP/RTP thread + loop",
            "total ms/call-s",
            f"ms per {HELD:g} s held call",
            "less CPU than before",
            "RTP packets/s sent / due",
        ],
        rows,
    )
    print(
        "range of total ms/call-s over the rounds: "
        + "; ".join(
            f"{label.split(' (')[0]}: {min(r['total'] for r in runs):.2f}-{max(r['total'] for r in runs):.2f}"
            for label, runs in results.items()
            if runs
        )
    )
