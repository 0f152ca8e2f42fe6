"""The engine's two load rules (bench/bench_sip.py): speech written ahead in a few writes, and at most
SIP_DIALS_IN_FLIGHT calls taken off Redis and not yet dialled; and one rule of baresip's: at most 255
calls a user agent."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import time
from collections import Counter
from dataclasses import dataclass

from telephony.sip import engine as engine_module
from telephony.sip.config import SipConfig
from telephony.sip.engine import LINES_PER_AGENT, CallEngine, SipChannel


def _run_apart(coroutine):
    """asyncio.run in a thread of its own: a browser test earlier in the session may leave a loop running here."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@dataclass
class Info:
    tx_sample_rate: int
    tx_channels: int
    tx_buffered: int
    tx_capacity: int


class FakeAudio:
    """A transmit buffer drained at 8 kHz, 16-bit mono, as the call's clock would."""

    RATE = 16000  # bytes a second

    def __init__(self, capacity: int):
        self.capacity, self.buffered, self.written = capacity, 0, bytearray()
        self.writes, self.at = 0, time.monotonic()

    def _drain(self) -> None:
        now = time.monotonic()
        self.buffered = max(0, self.buffered - int((now - self.at) * self.RATE))
        self.at = now

    def info(self) -> Info:
        self._drain()
        return Info(8000, 1, self.buffered, self.capacity)

    def write(self, pcm: bytes) -> int:
        self._drain()
        taken = pcm[: self.capacity - self.buffered]
        self.written += taken
        self.buffered += len(taken)
        self.writes += 1
        return len(taken)


class FakeCall:
    def __init__(self, audio):
        self.audio = audio

    def on_dtmf(self, handler) -> None:
        pass


def test_speech_is_written_whole_in_order_in_a_few_writes_not_one_a_frame():
    pcm = bytes(range(256)) * 32  # 8,192 bytes: about half a second

    async def main():
        audio = FakeAudio(capacity=64_000)
        await SipChannel(FakeCall(audio), asyncio.Event(), str)._send(pcm)
        return audio

    audio = _run_apart(main())
    assert bytes(audio.written) == pcm
    assert audio.writes <= 3  # a frame at a time would be 25 writes
    assert audio.buffered == 0  # returns once it has gone out


def test_a_small_buffer_is_never_overfilled_and_still_gets_everything():
    pcm = bytes(range(256)) * 16

    async def main():
        audio = FakeAudio(capacity=1_000)
        await SipChannel(FakeCall(audio), asyncio.Event(), str)._send(pcm)
        return audio

    audio = _run_apart(main())
    assert bytes(audio.written) == pcm


class FakeRedis:
    def __init__(self, items: list[str]):
        self.items = items

    async def blpop(self, keys, timeout):
        await asyncio.sleep(0)
        return (keys[0], self.items.pop(0)) if self.items else None


def _request(n: int) -> str:
    return json.dumps(
        {"attempt_id": n, "a_number": "+442000000001", "b_number": "+447900000001", "attempt_number": 1, "scenario": []}
    )


def test_the_engine_takes_no_more_than_its_dials_in_flight_and_takes_more_as_they_go_out(monkeypatch):
    monkeypatch.setattr(engine_module, "_renew", lambda ids: len(ids))
    monkeypatch.setattr(engine_module, "_dial", lambda attempt_id, engine: True)  # the take-time check passes
    config = SipConfig(
        "127.0.0.1", 5070, "udp", "", "", "127.0.0.1", 5060, (20000, 20099), 45, ("pcmu",), dials_in_flight=7
    )
    in_flight = config.dials_in_flight
    release = []

    async def main():
        engine = CallEngine(config, engine_id="test")
        go = asyncio.Event()

        async def place(request, dialed):
            await go.wait()  # the SIP thread has not sent this INVITE yet
            dialed()
            await asyncio.sleep(3600)  # then the call goes on

        engine.place = place
        redis = FakeRedis([_request(n) for n in range(in_flight + 30)])
        taking = asyncio.create_task(engine.take(redis))
        for _ in range(50):
            await asyncio.sleep(0.01)
        release.append((len(engine.calls), len(redis.items)))
        go.set()
        for _ in range(50):
            await asyncio.sleep(0.01)
        release.append((len(engine.calls), len(redis.items)))
        engine.draining.set()
        taking.cancel()
        for task in engine.calls.values():
            task.cancel()

    _run_apart(main())
    assert release[0] == (in_flight, 30)  # the rest stayed in Redis
    assert release[1] == (in_flight + 30, 0)  # dialled calls free their slots


def test_an_a_number_with_a_user_agents_lines_all_up_gets_another_user_agent():
    """baresip numbers a user agent's calls 1-255: the 251st call of one A-number goes through a second one."""
    config = SipConfig("127.0.0.1", 5070, "udp", "", "", "127.0.0.1", 5060, (20000, 20099), 45, ("pcmu",))
    created: list[str] = []
    seen: dict[int, int] = {}

    async def main():
        engine = CallEngine(config, engine_id="test")

        async def user_agent(a_number):
            await asyncio.sleep(0)
            created.append(a_number)
            return f"ua{len(created)}"

        engine._user_agent = user_agent
        hang_up = asyncio.Event()

        async def call(a_number):
            async with engine.line(a_number) as ua:
                seen[id(asyncio.current_task())] = ua
                await hang_up.wait()

        calls = [asyncio.create_task(call("+442000000001")) for _ in range(LINES_PER_AGENT + 10)]
        calls.append(asyncio.create_task(call("+442000000002")))
        while len(seen) < len(calls):  # every call up at once
            await asyncio.sleep(0)
        per_ua = Counter(seen.values())
        hang_up.set()
        await asyncio.gather(*calls)
        async with engine.line("+442000000001") as again:  # lines freed: the first user agent serves again
            return per_ua, again, [a.calls for agents in engine.agents.values() for a in agents]

    per_ua, again, left = _run_apart(main())
    assert created == ["+442000000001", "+442000000001", "+442000000002"]
    assert per_ua == {"ua1": LINES_PER_AGENT, "ua2": 10, "ua3": 1}
    assert again == "ua1" and left == [1, 0, 0]
