"""The SIP engine's pure parts: settings, causes, the scenario walk, the gateway's name."""

from __future__ import annotations

import concurrent.futures
import socket
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from telephony.sip.causes import cause_of_failure
from telephony.sip.config import SipConfigError, sip_config
from telephony.sip.processes import EngineShare, engine_shares
from telephony.sip.scenario import run_scenario
from telephony.sip.testing.loop import run_apart


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
    ],
)
def test_a_wrong_setting_is_one_line_naming_it(settings, name, value, named):
    setattr(settings, name, value)
    with pytest.raises(SipConfigError) as error:
        sip_config()
    assert str(error.value).startswith(named + ":") and "\n" not in str(error.value)


def test_processes_take_successive_sip_ports_and_equal_parts_of_the_rtp_range(settings):
    settings.SIP_TRUNK, settings.SIP_LISTEN, settings.SIP_RTP_PORTS = "sip:h", "10.0.0.5:5060", "20000-20999"
    assert engine_shares(sip_config(), 1) == [EngineShare("10.0.0.5:5060", "20000-20999")]
    assert [share.environ() for share in engine_shares(sip_config(), 3)] == [
        {"SIP_LISTEN": "10.0.0.5:5060", "SIP_RTP_PORTS": "20000-20332"},
        {"SIP_LISTEN": "10.0.0.5:5061", "SIP_RTP_PORTS": "20333-20665"},
        {"SIP_LISTEN": "10.0.0.5:5062", "SIP_RTP_PORTS": "20666-20998"},
    ]


@pytest.mark.parametrize(
    ("listen", "rtp", "processes", "named"),
    [
        ("127.0.0.1:5060", "20000-20999", 0, "--processes"),
        ("127.0.0.1:5060", "20000-20009", 3, "SIP_RTP_PORTS"),
        ("127.0.0.1:65535", "20000-20999", 2, "SIP_LISTEN"),
        ("127.0.0.1:20998", "20000-20999", 4, "SIP_LISTEN"),
    ],
)
def test_processes_the_settings_cannot_share_are_one_line_naming_what_to_change(
    settings, listen, rtp, processes, named
):
    settings.SIP_TRUNK, settings.SIP_LISTEN, settings.SIP_RTP_PORTS = "sip:h", listen, rtp
    with pytest.raises(SipConfigError) as error:
        engine_shares(sip_config(), processes)
    assert str(error.value).startswith(named + ":") and "\n" not in str(error.value)


def test_call_engine_refuses_processes_it_cannot_share_out(settings):
    settings.REDIS_URL, settings.SIP_TRUNK, settings.SIP_RTP_PORTS = "redis://127.0.0.1:6379/0", "sip:h", "20000-20005"
    with pytest.raises(CommandError, match="SIP_RTP_PORTS: 20000-20005 has too few ports for 2 engines"):
        call_command("call_engine", processes=2)


def _call_engine_apart() -> None:
    """`call_engine` (asyncio.run) in a thread of its own: a browser test may leave a loop running here."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(call_command, "call_engine").result()


def test_call_engine_exits_at_start_naming_a_trunk_that_does_not_resolve(settings):
    settings.REDIS_URL, settings.SIP_TRUNK = "redis://127.0.0.1:6379/0", "sip:no-such-host.invalid:5060"
    with pytest.raises(CommandError, match=r"^SIP_TRUNK: cannot resolve no-such-host\.invalid"):
        _call_engine_apart()


def test_call_engine_exits_at_start_naming_a_listen_address_it_cannot_bind(settings):
    settings.REDIS_URL, settings.SIP_TRUNK, settings.SIP_LISTEN = (
        "redis://127.0.0.1:6379/0",
        "sip:127.0.0.1",
        "127.0.0.1:5108",
    )
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 5108))
        with pytest.raises(CommandError, match=r"^SIP_LISTEN: cannot start the SIP stack on 127\.0\.0\.1:5108"):
            _call_engine_apart()


def test_the_packet_time_is_read(settings):
    settings.SIP_PTIME = 40
    assert sip_config().ptime == 40


class FakeChannel:
    def __init__(self, keys: list[str]):
        self.keys: list[str] = keys
        self.log: list[Any] = []

    async def say(self, text, voice=""):
        self.log.append(("say", text, voice) if voice else ("say", text))

    async def play(self, audio_id):
        self.log.append(("play", audio_id))

    async def gather(self, prompt, digits, timeout, voice=""):
        self.log.append(("gather", prompt, digits, timeout))
        return self.keys.pop(0) if self.keys else ""

    async def transfer(self, number):
        self.log.append(("transfer", number))
        return "transferred"

    async def opt_out(self, step):
        self.log.append(("opt_out", step["id"]))
        return step.get("opt_out_confirmation") or "You will not be called again."

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
    result = run_apart(run_scenario(STEPS, channel))
    assert (result.path, result.digits) == (path, digits)
    assert channel.log[1] == ("gather", "Press 1", 1, 5.0)
    assert result.transfer == ("transferred" if "agent" in path else "")


def test_a_refused_transfer_goes_on_with_the_next_step_and_a_taken_one_ends_the_scenario():
    class Refusing(FakeChannel):
        async def transfer(self, number):
            self.log.append(("transfer", number))
            return "failed: 486 Busy Here"

    refused = Refusing(["1"])
    result = run_apart(run_scenario(STEPS, refused))
    assert result.path == ["hi", "menu", "agent", "bye", "end"]
    assert result.transfer == "failed: 486 Busy Here"
    assert refused.log[-2:] == [("say", "Goodbye"), ("hangup",)]
    taken = FakeChannel(["1"])
    assert run_apart(run_scenario(STEPS, taken)).path == ["hi", "menu", "agent"]
    assert ("hangup",) not in taken.log  # the transfer target has the callee; we do not hang up on them


def test_a_scenario_without_hangup_hangs_up_at_its_end():
    channel = FakeChannel([])
    run_apart(run_scenario([{"id": "a", "type": "play", "audio": 3}], channel))
    assert channel.log == [("play", 3), ("hangup",)]


def test_dialer_gateway_takes_short_names_and_class_paths(settings):
    from telephony.gateways import _gateway
    from telephony.gateways.simulator import SimulatorGateway

    assert isinstance(_gateway("simulator"), SimulatorGateway)
    assert isinstance(_gateway("telephony.gateways.simulator.SimulatorGateway"), SimulatorGateway)


def test_the_opt_out_digit_confirms_in_the_apps_voice_and_hangs_up():
    steps = [
        {"id": "menu", "type": "gather", "prompt": "Press 9 to stop", "digits": 1, "timeout": 5,
         "opt_out": "9", "branches": {"1": "more"}, "voice": "fr"},
        {"id": "more", "type": "say", "text": "More", "voice": "fr"},
    ]  # fmt: skip
    channel = FakeChannel(["9"])
    result = run_apart(run_scenario(steps, channel))
    assert (result.path, result.digits) == (["menu"], "9")
    assert channel.log[1:] == [("opt_out", "menu"), ("say", "You will not be called again.", "fr"), ("hangup",)]


def test_say_steps_speak_in_the_voice_the_app_gave_them():
    channel = FakeChannel([])
    run_apart(run_scenario([{"id": "a", "type": "say", "text": "Bonjour", "voice": "fr"}], channel))
    assert channel.log == [("say", "Bonjour", "fr"), ("hangup",)]


class CountingTTS:
    name = "counting"
    renders: list = []

    def render(self, text, voice, path):
        CountingTTS.renders.append((text, voice))
        path.write_bytes(b"RIFF")

    def voices(self):
        return None


def test_speech_is_rendered_once_per_text_and_voice(settings, tmp_path):
    from telephony.sip.tts import speech

    settings.SIP_TTS = "telephony.sip.tests.test_units.CountingTTS"
    settings.SIP_TTS_CACHE_DIR = str(tmp_path)
    settings.SIP_TTS_VOICE = "en"
    CountingTTS.renders.clear()
    paths = [speech("Hello"), speech("Hello", "en"), speech("Hello", "fr"), speech("Hello", "fr"), speech("Bye", "fr")]
    assert CountingTTS.renders == [("Hello", "en"), ("Hello", "fr"), ("Bye", "fr")]
    assert paths[0] == paths[1] and len(set(paths)) == 3 and all(p.exists() for p in paths)


def test_espeak_renders_the_telephones_format_in_each_voice(settings, tmp_path):
    import shutil
    import wave

    from telephony.sip.tts import espeak_voices, speech

    if not (shutil.which("espeak-ng") and shutil.which("sox")):
        pytest.skip("espeak-ng and sox are not installed (Debian: espeak-ng, sox)")
    settings.SIP_TTS = "telephony.sip.tts.EspeakTTS"
    settings.SIP_TTS_CACHE_DIR = str(tmp_path)
    english, french = speech("Good morning", "en"), speech("Good morning", "fr")
    assert english != french
    for path in (english, french):
        with wave.open(str(path)) as wav:
            assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (8000, 1, 2)
            assert wav.getnframes() > 0
    assert {"en", "fr", "de"} <= set(espeak_voices())


class FakeRedis:
    def __init__(self, entries):
        self.entries = entries

    def hgetall(self, key):
        assert key == "dialer:sip:engines"
        return self.entries


def test_engines_status_shows_calls_in_progress_and_stale_engines():
    import json

    from telephony.sip.status import engines_status

    client = FakeRedis(
        {
            b"host:1:5100": json.dumps({"calls": 120, "placed": 900, "draining": False, "at": 1000.0}),
            b"host:2:5102": json.dumps({"calls": 3, "placed": 40, "withdrawn": 2, "draining": True, "at": 900.0}),
        }
    )
    engines = engines_status(client, now=1002.0)
    assert engines["host:1:5100"] == {
        "calls": 120, "placed": 900, "withdrawn": 0, "draining": False, "seen_seconds_ago": 2, "stale": False
    }  # fmt: skip
    assert engines["host:2:5102"]["draining"] and engines["host:2:5102"]["stale"]


def test_healthz_shows_each_engines_calls_in_sip_mode(client, db, settings, monkeypatch):
    from telephony import health

    engines = {"host:1:5100": {"calls": 7, "placed": 30, "withdrawn": 0, "draining": False, "seen_seconds_ago": 1}}
    monkeypatch.setattr(health, "_call_engines", lambda: engines)
    settings.DIALER_GATEWAY = "simulator"
    assert "call_engines" not in client.get("/healthz").json()
    settings.DIALER_GATEWAY = "sip"
    body = client.get("/healthz").json()
    assert body["call_engines"] == engines and body["status"] == "ok"
    settings.DIALER_GATEWAY = "telephony.gateways.sip.SipGateway"
    assert client.get("/healthz").json()["call_engines"]["host:1:5100"]["calls"] == 7


def test_healthz_says_when_the_engines_registry_is_unreachable(client, db, settings):
    settings.DIALER_GATEWAY = "sip"
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    body = client.get("/healthz").json()
    assert body["call_engines"] == "unreachable"


def test_call_engine_status_lists_each_engines_calls(settings, monkeypatch):
    import io
    import json
    import time

    import redis
    from django.core.management import call_command

    settings.REDIS_URL = "redis://registry.example:6379/0"
    entries = {
        b"a:1:5060": json.dumps({"calls": 104, "placed": 800, "withdrawn": 3, "draining": False, "at": time.time()}),
        b"b:2:5062": json.dumps({"calls": 2, "placed": 9, "draining": True, "at": time.time() - 120}),
    }
    monkeypatch.setattr(redis.Redis, "from_url", classmethod(lambda cls, url, **kw: FakeRedis(entries)))
    out = io.StringIO()
    call_command("call_engine", "--status", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("a:1:5060: 104 calls in progress, 800 placed, 3 withdrawn (seen ")
    assert lines[1].startswith("b:2:5062: 2 calls in progress, 9 placed, 0 withdrawn, draining (seen 120 s ago")
    assert lines[1].endswith("stale: stopped or killed)")
    entries.clear()
    out = io.StringIO()
    call_command("call_engine", "--status", stdout=out)
    assert out.getvalue().strip() == "No call engine is running."
