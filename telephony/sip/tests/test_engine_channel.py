"""The engine's channel over a call and its media (fakes of telephony.sip.stack and telephony.sip.media),
and its load rule: at most SIP_DIALS_IN_FLIGHT calls taken off Redis and not yet dialled."""

from __future__ import annotations

import asyncio
import json

from telephony.sip import engine as engine_module
from telephony.sip.config import SipConfig
from telephony.sip.engine import CallClosed, CallEngine, SipChannel
from telephony.sip.scenario import TRANSFERRED
from telephony.sip.testing.loop import run_apart


class FakeMedia:
    """An RTP session that sends a frame (160 bytes of PCM) every 20 ms."""

    def __init__(self, digits: str = ""):
        self.sent = bytearray()
        self.digits: asyncio.Queue[str] = asyncio.Queue()
        for digit in digits:
            self.digits.put_nowait(digit)

    async def play(self, pcm: bytes) -> None:
        for at in range(0, len(pcm), 320):
            await asyncio.sleep(0.02)
            self.sent += pcm[at : at + 320]


class FakeCall:
    def __init__(self, refer_answer=(200, "OK")):
        self.closed = asyncio.Event()
        self.refer_answer = refer_answer
        self.referred: list[str] = []
        self.hung_up = 0

    async def refer(self, to_user: str) -> tuple[int, str]:
        self.referred.append(to_user)
        if 200 <= self.refer_answer[0] < 300:
            self.closed.set()
        return self.refer_answer

    async def hangup(self) -> None:
        self.hung_up += 1
        self.closed.set()


def test_a_prompt_is_played_whole_and_in_order():
    pcm = bytes(range(256)) * 10

    async def main():
        media = FakeMedia()
        await SipChannel(FakeCall(), media)._send(pcm)
        return media

    assert bytes(run_apart(main()).sent) == pcm


def test_the_far_end_hanging_up_stops_the_prompt_at_once():
    async def main():
        call, media = FakeCall(), FakeMedia()
        asyncio.get_running_loop().call_later(0.1, call.closed.set)
        try:
            await SipChannel(call, media)._send(bytes(320 * 100))  # two seconds
        except CallClosed:
            return len(media.sent)
        raise AssertionError("the prompt went on after the hang-up")

    assert run_apart(main()) < 320 * 20


def test_gather_counts_keys_pressed_during_the_prompt_and_stops_at_its_digit_count():
    async def main():
        return await SipChannel(FakeCall(), FakeMedia("123"))._until_closed(
            SipChannel(FakeCall(), FakeMedia("123")).gather("", 2, timeout=1)
        )

    assert run_apart(main()) == "12"


def test_gather_returns_what_was_pressed_when_the_timeout_passes():
    async def main():
        media = FakeMedia("7")
        return await SipChannel(FakeCall(), media).gather("", 3, timeout=0.1)

    assert run_apart(main()) == "7"


def test_gather_on_a_call_hung_up_raises_call_closed():
    async def main():
        call = FakeCall()
        asyncio.get_running_loop().call_later(0.05, call.closed.set)
        try:
            await SipChannel(call, FakeMedia()).gather("", 1, timeout=5)
        except CallClosed:
            return "closed"
        return "not closed"

    assert run_apart(main()) == "closed"


def test_a_transfer_reports_what_the_peer_answered():
    async def main(answer):
        return await SipChannel(FakeCall(answer), FakeMedia()).transfer("+441234")

    assert run_apart(main((200, "OK"))) == TRANSFERRED
    assert run_apart(main((486, "Busy Here"))) == "failed: 486 Busy Here"
    assert run_apart(main((503, "Service Unavailable"))) == "failed: 503 Service Unavailable"


def test_a_transfer_number_written_with_spaces_is_referred_in_e164():
    async def main():
        call = FakeCall()
        await SipChannel(call, FakeMedia()).transfer("+44 117 409 0100")
        return call.referred

    assert run_apart(main()) == ["+441174090100"]


def test_digits_gathered_before_the_callee_hangs_up_are_reported(monkeypatch):
    reported = []
    monkeypatch.setattr(engine_module, "_report", reported.append)
    monkeypatch.setattr(engine_module, "_speech", lambda text, voice: "unused")
    monkeypatch.setattr(engine_module, "_pcm", lambda path: bytes(320 * 100))  # two seconds
    config = SipConfig("127.0.0.1", 5070, "udp", "", "", "127.0.0.1", 5060, (22000, 22099), 45, ("pcmu",))
    steps = [
        {"id": "menu", "type": "gather", "prompt": "", "digits": 1, "timeout": 1},
        {"id": "bye", "type": "say", "text": "Goodbye"},
    ]

    async def main():
        call = FakeCall()
        asyncio.get_running_loop().call_later(0.3, call.closed.set)  # during the goodbye
        request = engine_module.CallRequest(7, "+442000000001", "+447900000001", 1, steps)
        return await CallEngine(config, engine_id="test")._play_answered(call, FakeMedia("4"), request)

    ended = run_apart(main())
    assert (ended.event, ended.cause, ended.digits) == ("ended", "200", "4")


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
            await go.wait()  # this INVITE has not been sent yet
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

    run_apart(main())
    assert release[0] == (in_flight, 30)  # the rest stayed in Redis
    assert release[1] == (in_flight + 30, 0)  # dialled calls free their slots


def test_an_engine_bound_to_a_wildcard_offers_the_address_the_trunk_is_reached_from():
    config = SipConfig("127.0.0.1", 5999, "udp", "", "", "0.0.0.0", 5109, (22990, 22999), 45, ("pcmu",))

    async def main():
        engine = CallEngine(config, engine_id="wildcard")
        await engine.start()
        try:
            session = engine.media.session()
            offer = session.offer(("pcmu",))
            session.close()
            return offer, engine.agent.contact("+442000000001")
        finally:
            await engine.close()

    offer, contact = run_apart(main())
    assert "c=IN IP4 127.0.0.1" in offer and "0.0.0.0" not in offer
    assert contact == "<sip:+442000000001@127.0.0.1:5109>"
