"""The user agent against real SIPp UAS processes (Debian sip-tester) on loopback.

Each test gets its own SIP, control and media ports (SIP 7000-7499, media 40000-41999) and
its own SIPp, which exits by itself after the calls it was told to expect (-m): its exit
status 0 says every call followed the scenario, including the ACKs and BYEs we owe it.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from telephony.sip.stack import CallFailed, RingTimeout, UserAgent
from telephony.sip.testing.loop import run_apart

pytestmark = pytest.mark.integration

SCENARIOS = Path(__file__).resolve().parent / "scenarios"
SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40990 RTP/AVP 0\r\n"
HEADERS = {"P-Asserted-Identity": "<sip:+15550001111@127.0.0.1>", "X-Dialtone-Attempt": "42"}
OPENSSL_REQ = ("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost")
_slots = itertools.count()


def _need(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def _need_sipp() -> None:
    if shutil.which("sipp") is None:
        _need("sipp is not installed (Debian: sip-tester)")


def _listening(port: int, tcp: bool) -> bool:
    """Whether something holds the port, read from /proc so as not to race SIPp for it."""
    hex_port = f":{port:04X}"
    for name in ("tcp", "tcp6") if tcp else ("udp", "udp6"):
        try:
            lines = Path(f"/proc/net/{name}").read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[1].endswith(hex_port) and (not tcp or fields[3] == "0A"):
                return True
    return False


class Sipp:
    def __init__(self, process: subprocess.Popen[bytes], port: int, log_dir: Path) -> None:
        self.process = process
        self.port = port
        self.log_dir = log_dir

    def messages(self) -> str:
        return "\n".join(path.read_text(errors="replace") for path in self.log_dir.glob("*messages*"))

    def wait(self, timeout: float = 15) -> int:
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            errors = "\n".join(path.read_text(errors="replace") for path in self.log_dir.glob("*errors*"))
            pytest.fail(f"SIPp did not finish its calls; errors:\n{errors[-3000:]}")


@pytest.fixture
def sipp(tmp_path: Path) -> Iterator:
    """Starts SIPp UASes; each is killed at the end if still running."""
    _need_sipp()
    started: list[Sipp] = []

    def start(scenario: str, *, transport: str = "u1", calls: int = 1, extra: tuple[str, ...] = ()) -> tuple[Sipp, int]:
        slot = next(_slots) % 45
        base = 7000 + slot * 10
        port, our_port, control = base, base + 1, base + 2
        media = 40000 + slot * 40
        log_dir = tmp_path / f"sipp{slot}"
        log_dir.mkdir()
        command = [
            "sipp",
            "-sf",
            str(SCENARIOS / scenario),
            "-i",
            "127.0.0.1",
            "-p",
            str(port),
            "-mi",
            "127.0.0.1",
            "-mp",
            str(media),
            "-cp",
            str(control),
            "-t",
            transport,
            "-m",
            str(calls),
            "-nostdin",
            "-trace_err",
            "-error_file",
            str(log_dir / "errors.log"),
            "-trace_msg",
            "-message_file",
            str(log_dir / "messages.log"),
            *extra,
        ]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=log_dir)
        handle = Sipp(process, port, log_dir)
        started.append(handle)
        deadline = time.monotonic() + 10
        while not _listening(port, tcp=transport[0] in "tl"):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"SIPp did not start: {' '.join(command)}")
            time.sleep(0.05)
        return handle, our_port

    yield start
    for handle in started:
        if handle.process.poll() is None:
            handle.process.kill()
            handle.process.wait()


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        _need("openssl is needed to make the TLS front's certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [*OPENSSL_REQ, "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


def run(coro, timeout: float = 60):
    return run_apart(asyncio.wait_for(coro, timeout))


def agent(sip: Sipp, our_port: int, transport: str = "udp", **kwargs) -> UserAgent:
    return UserAgent(
        listen_host="127.0.0.1",
        listen_port=our_port,
        trunk_host="127.0.0.1",
        trunk_port=sip.port,
        transport=transport,
        **kwargs,
    )


async def _answer_and_bye(ua: UserAgent) -> str:
    await ua.start()
    try:
        call = ua.call(to_user="15551230000", from_user="15550001111", headers=HEADERS, sdp=SDP)
        remote = await call.answer(10)
        await call.hangup()
        assert call.closed.is_set()
        return remote
    finally:
        await ua.close()


@pytest.mark.parametrize("transport,sipp_transport", [("udp", "u1"), ("tcp", "t1")])
def test_answer_then_our_bye(sipp, transport, sipp_transport):
    sip, our_port = sipp("answer.xml", transport=sipp_transport)
    remote = run(_answer_and_bye(agent(sip, our_port, transport)))
    assert "m=audio" in remote
    assert sip.wait() == 0
    messages = sip.messages()
    assert "X-Dialtone-Attempt: 42" in messages
    assert "P-Asserted-Identity: <sip:+15550001111@127.0.0.1>" in messages
    if transport == "tcp":
        assert "transport=tcp" in messages


def test_tls_answer_then_our_bye(sipp, tmp_path):
    """Debian's SIPp has no TLS, so a TLS front on loopback relays to SIPp over TCP."""
    cert, key = _self_signed(tmp_path)
    sip, our_port = sipp("answer.xml", transport="t1")
    front_port = our_port + 2  # the slot's third port (SIPp's control port is the second after its own)

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        finally:
            writer.close()

    async def relay(tls_reader: asyncio.StreamReader, tls_writer: asyncio.StreamWriter) -> None:
        tcp_reader, tcp_writer = await asyncio.open_connection("127.0.0.1", sip.port)
        await asyncio.gather(pipe(tls_reader, tcp_writer), pipe(tcp_reader, tls_writer), return_exceptions=True)

    async def scenario():
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        server = await asyncio.start_server(relay, "127.0.0.1", front_port, ssl=context)
        try:
            ua = UserAgent(
                listen_host="127.0.0.1",
                listen_port=our_port,
                trunk_host="127.0.0.1",
                trunk_port=front_port,
                transport="tls",
                tls_verify=False,
            )
            return await _answer_and_bye(ua)
        finally:
            server.close()

    assert "m=audio" in run(scenario())
    assert sip.wait() == 0
    assert "SIP/2.0/TLS" in sip.messages() and "transport=tls" in sip.messages()


def test_tls_verification_refuses_a_self_signed_trunk(tmp_path):
    cert, key = _self_signed(tmp_path)

    async def scenario():
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 7486, ssl=context)
        try:
            ua = UserAgent(
                listen_host="127.0.0.1", listen_port=7487, trunk_host="127.0.0.1", trunk_port=7486, transport="tls"
            )
            await ua.start()
            try:
                call = ua.call(to_user="1555", from_user="100", headers={}, sdp=SDP)
                with pytest.raises(CallFailed) as failed:
                    await call.answer(10)
                assert failed.value.status is None and "CERTIFICATE_VERIFY_FAILED" in failed.value.reason
            finally:
                await ua.close()
        finally:
            server.close()

    run(scenario())


def test_busy_is_call_failed_486(sipp):
    sip, our_port = sipp("busy.xml")

    async def scenario():
        ua = agent(sip, our_port)
        await ua.start()
        try:
            call = ua.call(to_user="1555", from_user="100", headers={}, sdp=SDP)
            with pytest.raises(CallFailed) as failed:
                await call.answer(10)
            assert (failed.value.status, failed.value.reason) == (486, "Busy Here")
            assert call.closed.is_set()
            await call.hangup()  # nothing to do, and no error
        finally:
            await ua.close()

    run(scenario())
    assert sip.wait() == 0  # SIPp got its ACK


def test_ring_timeout_cancels(sipp):
    sip, our_port = sipp("ring_cancel.xml")

    async def scenario():
        ua = agent(sip, our_port)
        await ua.start()
        try:
            call = ua.call(to_user="1555", from_user="100", headers={}, sdp=SDP)
            with pytest.raises(RingTimeout):
                await call.answer(1)
            await asyncio.wait_for(call.closed.wait(), 5)
        finally:
            await ua.close()

    run(scenario())
    assert sip.wait() == 0  # SIPp got the CANCEL and the ACK of its 487
    assert "CANCEL sip:1555@127.0.0.1" in sip.messages()


def test_hangup_while_ringing_cancels(sipp):
    sip, our_port = sipp("ring_cancel.xml")

    async def scenario():
        ua = agent(sip, our_port)
        await ua.start()
        try:
            call = ua.call(to_user="1555", from_user="100", headers={}, sdp=SDP)
            await asyncio.sleep(0.5)
            await call.hangup()
            assert call.closed.is_set()
            with pytest.raises(RingTimeout):
                await call.answer(1)
        finally:
            await ua.close()

    run(scenario())
    assert sip.wait() == 0


def test_far_end_hangs_up_first(sipp):
    sip, our_port = sipp("far_bye.xml")

    async def scenario():
        ua = agent(sip, our_port)
        await ua.start()
        try:
            call = ua.call(to_user="1555", from_user="100", headers={}, sdp=SDP)
            await call.answer(10)
            await asyncio.wait_for(call.closed.wait(), 10)
            await call.hangup()  # already over: no BYE of ours
        finally:
            await ua.close()

    run(scenario())
    assert sip.wait() == 0
    assert "BYE sip:1555" not in sip.messages()  # we sent no BYE of our own


def test_digest_auth(sipp):
    sip, our_port = sipp("auth.xml", extra=("-au", "user", "-ap", "secret"))
    remote = run(_answer_and_bye(agent(sip, our_port, username="user", password="secret")))
    assert "m=audio" in remote
    assert sip.wait() == 0
    messages = sip.messages()
    assert "Authorization: Digest" in messages and "qop=auth" in messages


def test_wrong_password_is_call_failed(sipp):
    sip, our_port = sipp("auth.xml")

    async def scenario():
        ua = agent(sip, our_port, username="user", password="wrong")
        await ua.start()
        try:
            call = ua.call(to_user="1555", from_user="100", headers={}, sdp=SDP)
            with pytest.raises(CallFailed) as failed:
                await call.answer(10)
            assert failed.value.status == 403
        finally:
            await ua.close()

    run(scenario())
    assert sip.wait() == 0


def test_refer_with_sipfrag_200(sipp):
    sip, our_port = sipp("refer.xml")

    async def scenario():
        ua = agent(sip, our_port)
        await ua.start()
        try:
            call = ua.call(to_user="1555", from_user="100", headers={}, sdp=SDP)
            await call.answer(10)
            assert await call.refer("15559998888") == (200, "OK")
            assert call.closed.is_set()
        finally:
            await ua.close()

    run(scenario())
    assert sip.wait() == 0  # both NOTIFYs answered and our BYE came
    assert f"Refer-To: <sip:15559998888@127.0.0.1:{sip.port}>" in sip.messages()


def test_hundred_concurrent_calls(sipp):
    """All hundred calls are up at once before the first BYE; set-ups are paced as a dialer paces them."""
    # SIPp's own receive buffer is small by default: a dropped ACK then aborts its call.
    sip, our_port = sipp("answer.xml", calls=100, extra=("-buff_size", str(4 << 20)))
    answered = 0
    all_up = asyncio.Event()

    async def one(ua: UserAgent, n: int) -> str:
        nonlocal answered
        await asyncio.sleep(n * 0.01)
        call = ua.call(to_user=f"1555{n:04d}", from_user="100", headers={}, sdp=SDP)
        remote = await call.answer(20)
        answered += 1
        if answered == 100:
            all_up.set()
        await asyncio.wait_for(all_up.wait(), 30)
        await call.hangup()
        assert call.closed.is_set()
        return remote

    async def scenario():
        ua = agent(sip, our_port)
        await ua.start()
        try:
            return await asyncio.gather(*(one(ua, n) for n in range(100)))
        finally:
            await ua.close()

    remotes = run(scenario(), timeout=90)
    assert len(remotes) == 100 and all("m=audio" in remote for remote in remotes)
    assert sip.wait(30) == 0


def test_nothing_listening_udp_is_call_failed():
    async def scenario():
        ua = UserAgent(
            listen_host="127.0.0.1", listen_port=7481, trunk_host="127.0.0.1", trunk_port=7480, transport="udp"
        )
        await ua.start()
        try:
            call = ua.call(to_user="1555", from_user="100", headers={}, sdp=SDP)
            with pytest.raises(CallFailed) as failed:
                await call.answer(10)
            assert failed.value.status is None and failed.value.reason == "connection refused"
        finally:
            await ua.close()

    run(scenario())


def test_nothing_listening_tcp_is_call_failed():
    async def scenario():
        ua = UserAgent(
            listen_host="127.0.0.1", listen_port=7483, trunk_host="127.0.0.1", trunk_port=7482, transport="tcp"
        )
        await ua.start()
        try:
            call = ua.call(to_user="1555", from_user="100", headers={}, sdp=SDP)
            with pytest.raises(CallFailed) as failed:
                await call.answer(10)
            assert failed.value.status is None and "refused" in failed.value.reason
        finally:
            await ua.close()

    run(scenario())


def test_listen_address_in_use_is_os_error():
    async def scenario():
        first = UserAgent(
            listen_host="127.0.0.1", listen_port=7485, trunk_host="127.0.0.1", trunk_port=7484, transport="udp"
        )
        await first.start()
        second = UserAgent(
            listen_host="127.0.0.1", listen_port=7485, trunk_host="127.0.0.1", trunk_port=7484, transport="udp"
        )
        try:
            with pytest.raises(OSError, match="7485"):
                await second.start()
        finally:
            await first.close()

    run(scenario())
