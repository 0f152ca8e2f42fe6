"""The SIP engine's pure parts: settings, causes, the scenario walk, the gateway's name."""

from __future__ import annotations

import asyncio
import concurrent.futures
import ctypes
import threading

import pytest

from telephony.sip.causes import cause_of_failure
from telephony.sip.config import SipConfigError, sip_config
from telephony.sip.scenario import run_scenario


@pytest.mark.parametrize(
    ("status", "ring_timeout", "cause"),
    [
        (486, False, "486"),
        (603, False, "603"),
        (480, False, "480"),
        (404, False, "404"),
        (503, False, "503"),
        (487, False, "487"),
        (None, True, "408"),
        (None, False, "500"),
        (599, False, "500"),
        (606, False, "603"),
    ],
)
def test_final_responses_map_to_the_cause_table(status, ring_timeout, cause):
    assert cause_of_failure(status, ring_timeout=ring_timeout) == cause


def _run_apart(coroutine):
    """asyncio.run in a thread of its own: a browser test earlier in the session may leave a loop running here."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_the_trunk_and_listen_settings_are_read(settings):
    settings.SIP_TRUNK = "sip:carrier.example:5070;transport=tcp"
    settings.SIP_LISTEN = "127.0.0.1:5100"
    config = sip_config()
    assert (config.host, config.port, config.transport, config.listen_port) == ("carrier.example", 5070, "tcp", 5100)
    assert config.uri("+447911000001") == "sip:+447911000001@carrier.example:5070;transport=tcp"
    settings.SIP_TRUNK = "sip:carrier.example"
    assert sip_config().port == 5060


@pytest.mark.parametrize(
    ("name", "value", "named"),
    [
        ("SIP_TRUNK", "carrier.example", "SIP_TRUNK"),
        ("SIP_TRUNK", "sip:h:5060;transport=sctp", "SIP_TRUNK"),
        ("SIP_TRUNK", "sip:h:99999", "SIP_TRUNK"),
        ("SIP_LISTEN", "5060", "SIP_LISTEN"),
        ("SIP_RTP_PORTS", "20000", "SIP_RTP_PORTS"),
        ("SIP_CODECS", "OPUS", "SIP_CODECS"),
        ("SIP_PTIME", 25, "SIP_PTIME"),
        ("SIP_PTIME", 80, "SIP_PTIME"),
        ("SIP_MEDIA_TIMER_SLACK_MS", 11, "SIP_MEDIA_TIMER_SLACK_MS"),
        ("SIP_MEDIA_TIMER_SLACK_MS", -1, "SIP_MEDIA_TIMER_SLACK_MS"),
    ],
)
def test_a_wrong_setting_is_one_line_naming_it(settings, name, value, named):
    setattr(settings, name, value)
    with pytest.raises(SipConfigError) as error:
        sip_config()
    assert str(error.value).startswith(named + ":") and "\n" not in str(error.value)


def test_the_media_settings_are_read(settings):
    settings.SIP_PTIME, settings.SIP_MEDIA_TIMER_SLACK_MS = 40, 20
    config = sip_config()
    assert (config.ptime, config.media_timer_slack_ms) == (40, 20)


def _slack_ns() -> int:
    return ctypes.CDLL(None).prctl(30, 0, 0, 0, 0)  # PR_GET_TIMERSLACK: this thread's, in ns


def test_threads_started_inside_timer_slack_inherit_it_and_the_caller_gets_its_own_back():
    from telephony.sip.engine import timer_slack

    own = _slack_ns()
    seen = []
    with timer_slack(7):
        thread = threading.Thread(target=lambda: seen.append(_slack_ns()))
        thread.start()
        thread.join()
    assert seen == [7_000_000]
    assert _slack_ns() == own


class FakeChannel:
    def __init__(self, keys: list[str]):
        self.keys, self.log = keys, []

    async def say(self, text):
        self.log.append(("say", text))

    async def play(self, audio_id):
        self.log.append(("play", audio_id))

    async def gather(self, prompt, digits, timeout):
        self.log.append(("gather", prompt, digits, timeout))
        return self.keys.pop(0) if self.keys else ""

    async def transfer(self, number):
        self.log.append(("transfer", number))
        return "accepted"

    async def hangup(self):
        self.log.append(("hangup",))


STEPS = [
    {"id": "hi", "type": "say", "text": "Hello Ann"},
    {
        "id": "menu",
        "type": "gather",
        "prompt": "Press 1",
        "digits": 1,
        "timeout": 5,
        "branches": {"1": "agent", "2": "bye"},
        "default": "bye",
    },
    {"id": "agent", "type": "transfer", "number": "+441174090100"},
    {"id": "bye", "type": "say", "text": "Goodbye"},
    {"id": "end", "type": "hangup"},
]


@pytest.mark.parametrize(
    ("keys", "path", "digits"),
    [
        (["1"], ["hi", "menu", "agent"], "1"),
        (["2"], ["hi", "menu", "bye", "end"], "2"),
        ([], ["hi", "menu", "bye", "end"], ""),
        (["9"], ["hi", "menu", "bye", "end"], "9"),
    ],
)
def test_the_scenario_follows_the_gathered_digit(keys, path, digits):
    channel = FakeChannel(keys)
    result = _run_apart(run_scenario(STEPS, channel))
    assert (result.path, result.digits) == (path, digits)
    assert channel.log[1] == ("gather", "Press 1", 1, 5.0)
    assert result.transfer == ("accepted" if "agent" in path else "")


def test_a_scenario_without_hangup_hangs_up_at_its_end():
    channel = FakeChannel([])
    _run_apart(run_scenario([{"id": "a", "type": "play", "audio": 3}], channel))
    assert channel.log == [("play", 3), ("hangup",)]


def test_dialer_gateway_takes_short_names_and_class_paths(settings):
    from telephony.gateways import _gateway
    from telephony.gateways.simulator import SimulatorGateway

    assert isinstance(_gateway("simulator"), SimulatorGateway)
    assert isinstance(_gateway("telephony.gateways.simulator.SimulatorGateway"), SimulatorGateway)
