"""``call_engine --processes N``: N engines on one machine, each with its own SIP port and RTP ports.

One engine is one asyncio loop, its SIP, RTP and scenarios on one thread: it uses at most one core.
Engines share the work through the Redis queue, so on a machine with more cores N engine processes
carry about N times as many calls.

Engine ``i`` listens on ``SIP_LISTEN``'s port + ``i`` and takes the ``i``-th of N equal parts of
``SIP_RTP_PORTS``. The parent only supervises: SIGTERM or SIGINT is passed to every engine (each
drains: no new calls, calls in progress finish); an engine that exits on its own stops the others
the same way, and the parent exits with that engine's code so the process manager restarts the set.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from telephony.sip.config import SipConfig, SipConfigError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EngineShare:
    """What one engine of the set overrides: its ``SIP_LISTEN`` and ``SIP_RTP_PORTS``."""

    listen: str
    rtp_ports: str

    def environ(self) -> dict[str, str]:
        return {"SIP_LISTEN": self.listen, "SIP_RTP_PORTS": self.rtp_ports}


def engine_shares(config: SipConfig, processes: int) -> list[EngineShare]:
    """Each engine's SIP port and RTP range; SipConfigError when the settings cannot give N of them."""
    if processes < 1:
        raise SipConfigError(f"--processes: {processes} must be at least 1")
    low, high = config.rtp_ports
    width = (high - low + 1) // processes
    if width < 4:  # a call takes two ports; fewer than two calls an engine is a mistake
        raise SipConfigError(f"SIP_RTP_PORTS: {low}-{high} has too few ports for {processes} engines (at least 4 each)")
    last_port = config.listen_port + processes - 1
    if last_port > 65535:
        raise SipConfigError(f"SIP_LISTEN: ports {config.listen_port}-{last_port} for {processes} engines pass 65535")
    if low <= last_port and config.listen_port <= high:
        raise SipConfigError(
            f"SIP_LISTEN: ports {config.listen_port}-{last_port} for {processes} engines fall in SIP_RTP_PORTS"
            f" {low}-{high}"
        )
    return [
        EngineShare(
            listen=f"{config.listen_host}:{config.listen_port + i}",
            rtp_ports=f"{low + i * width}-{low + (i + 1) * width - 1}",
        )
        for i in range(processes)
    ]


def run_engines(shares: list[EngineShare]) -> int:
    """Start one ``call_engine`` per share and supervise them; returns the exit code for the set."""
    manage = Path(settings.BASE_DIR) / "manage.py"
    engines = [
        subprocess.Popen([sys.executable, str(manage), "call_engine"], env={**os.environ, **share.environ()})
        for share in shares
    ]
    stopping = False

    def stop(*_args: object) -> None:
        nonlocal stopping
        stopping = True
        for engine in engines:
            if engine.poll() is None:
                engine.send_signal(signal.SIGTERM)

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, stop)
    code = 0
    while True:
        exited = [engine.poll() is not None for engine in engines]  # every engine polled, every round
        if all(exited):
            return code
        for share, engine in zip(shares, engines, strict=True):
            if engine.returncode is not None and not stopping:
                log.error("call engine on %s exited with code %s: stopping the others", share.listen, engine.returncode)
                code = engine.returncode if engine.returncode > 0 else 1
                stop()
        time.sleep(0.2)
