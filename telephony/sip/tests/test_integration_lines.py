"""Many calls from one A-number ring at once in one engine, against the SIPp carrier: each is a dialog
of its own (no per-number line limit), and each rings out to our CANCEL at the ring timeout."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from telephony.gateways.base import CallRequest
from telephony.sip import engine as engine_module
from telephony.sip.config import SipConfig
from telephony.sip.engine import CallEngine
from telephony.sip.testing.loop import run_apart
from telephony.sip.tests.test_integration_sip import CARRIER_PORT, carrier  # noqa: F401 (fixture)

pytestmark = pytest.mark.integration
CALLS = 270


def test_one_a_number_rings_hundreds_of_calls_at_once(carrier, monkeypatch):  # noqa: F811
    ended: list[str] = []
    monkeypatch.setattr(engine_module, "_report", lambda event: event.event == "ended" and ended.append(event.cause))
    # Ports clear of the engines the other SIP tests start (5102-5103, RTP 22000-22399).
    config = SipConfig("127.0.0.1", CARRIER_PORT, "udp", "", "", "127.0.0.1", 5107, (22400, 22999), 3, ("pcmu",))

    async def main():
        engine = CallEngine(config, engine_id="lines")
        await engine.start()
        try:
            requests = [  # "8": the carrier rings until our CANCEL at the ring timeout
                CallRequest(n, "+442000000001", f"+4479118{n:05d}", 1, []) for n in range(CALLS)
            ]
            await asyncio.gather(*(engine.place(request) for request in requests))
            return engine.media.calls
        finally:
            await engine.close()

    assert run_apart(main()) == 0  # every call's RTP port is free again
    assert Counter(ended) == {"408": CALLS}  # every call rang out to our CANCEL
