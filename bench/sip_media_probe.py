"""Probe: CPU of baresip's per-call native threads under one media setting (a child of bench_sip_media).

Run: ``python -m bench.sip_media_probe CALLS SECONDS SLACK_MS PTIME`` with a SIPp echo UAS on 6070.
The stack is started as the call engine starts it (``telephony.sip.engine.timer_slack``, the account's
``ptime``). Prints one JSON line: ms of CPU per call-second of each thread kind (schedstat: time on CPU
in ns, not tick samples, which miss short wake-ups) and the calls' RTP packets a second.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import struct
import sys
import time
from pathlib import Path


def _threads() -> dict[int, tuple[str, float]]:
    found = {}
    for task in Path("/proc/self/task").iterdir():
        try:
            name = (task / "comm").read_text().strip()
            ns = int((task / "schedstat").read_text().split()[0])  # time on CPU, in ns (not tick-sampled)
        except OSError:
            continue
        found[int(task.name)] = (name, ns / 1e9)
    return found


async def main(calls: int, seconds: float, slack_ms: int, ptime: int) -> dict:
    from baresip import Account, Config, Event, Runtime, StackEvent, UserAgent

    from telephony.sip.engine import timer_slack

    runtime = Runtime()
    with timer_slack(slack_ms):
        await runtime.start(
            Config(
                net_interface="127.0.0.1",
                max_concurrent_calls=None,
                extra_config_text="sip_listen 127.0.0.1:6072\nrtp_ports 31000-31999\n",
            )
        )
    agent = await UserAgent.create(
        runtime,
        Account(user="100", domain="127.0.0.1:6070", password="", reg_interval=0, extra_params=(f"ptime={ptime}",)),
    )
    tone = b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / 8000))) for i in range(8000))
    established: set[int] = set()  # a call answered before dial() returned is missed by its own waiter

    def on_event(e: StackEvent) -> None:
        if e.event is Event.CALL_ESTABLISHED and e.call:
            established.add(e.call)

    runtime.subscribe(on_event)
    out = []
    for i in range(calls):
        out.append(await agent.dial(f"sip:{1000 + i}@127.0.0.1:6070"))
    for call in out:
        if call.handle not in established:
            await call.wait_established(timeout=60)
    stop = time.monotonic() + seconds + 4

    async def feed(call):  # keep ~1 s queued, like the engine's SipChannel._send
        while time.monotonic() < stop:
            info = call.audio.info()
            if info.tx_buffered < 8000:
                call.audio.write(tone[: 16000 - info.tx_buffered])
            await asyncio.sleep(0.5)

    feeders = [asyncio.create_task(feed(c)) for c in out]
    await asyncio.sleep(2)
    before = _threads()
    t0 = time.monotonic()
    await asyncio.sleep(seconds)
    after = _threads()
    wall = time.monotonic() - t0
    used: dict[str, float] = {}
    for tid, (name, cpu) in after.items():
        if tid in before:
            kind = name if name in ("Audio TX", "aumem_src", "aumem_play") else "loop" if tid == os.getpid() else "rest"
            used[kind] = used.get(kind, 0.0) + cpu - before[tid][1]
    for f in feeders:
        await f
    stats = []
    for call in out:
        try:
            await call.hangup()
        except Exception as exc:  # closed already: its stats still count
            print(f"hangup: {exc!r}", file=sys.stderr)
    await asyncio.sleep(1)
    for call in out:
        s = call.final_stats
        if s:
            stats.append(s)
    await runtime.close()
    result = {k: round(1000 * v / wall / calls, 3) for k, v in used.items()}
    result["total"] = round(sum(result.values()), 3)
    if stats:
        result["tx_pkts_per_s"] = round(sum(s.tx_packets / max(s.duration_s, 1) for s in stats) / len(stats), 1)
        result["rx_pkts_per_s"] = round(sum(s.rx_packets / max(s.duration_s, 1) for s in stats) / len(stats), 1)
        result["rx_jitter_ms"] = round(sum(s.rx_jitter_ms for s in stats) / len(stats), 2)
        result["tx_starved"] = sum(s.audio_tx_starved_frames for s in stats)
    return result


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "telephony.settings")
    import django

    django.setup()
    calls, seconds, slack, ptime = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    print(json.dumps(asyncio.run(main(calls, seconds, slack, ptime))))
