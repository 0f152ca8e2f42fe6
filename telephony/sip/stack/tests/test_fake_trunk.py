"""Corners SIPp cannot easily play, against a scripted trunk in the test's own event loop (loopback).

Retransmissions (INVITE timer A, ACK again for a retransmitted 2xx, 200 again for a
retransmitted BYE), Record-Route, re-INVITE, a challenged BYE, garbage, TCP framing.
"""

from __future__ import annotations

import asyncio

import pytest

from telephony.sip.stack import UserAgent
from telephony.sip.stack.message import SipMessage, StreamFramer, build, param, parse, response_to

pytestmark = pytest.mark.integration

SDP = "v=0\r\nm=audio 40990 RTP/AVP 0\r\n"
ANSWER_SDP = b"v=0\r\nm=audio 41990 RTP/AVP 0\r\n"
TRUNK_PORT, OUR_PORT = 7490, 7491


class FakeTrunk(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.received: asyncio.Queue[SipMessage] = asyncio.Queue()
        self.raw: list[bytes] = []
        self.transport: asyncio.DatagramTransport | None = None
        self.peer: tuple[str, int] | None = None

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        self.peer = addr
        self.raw.append(data)
        self.received.put_nowait(parse(data))

    def send(self, data: bytes) -> None:
        assert self.transport is not None and self.peer is not None
        self.transport.sendto(data, self.peer)

    async def next(self, method: str = "", timeout: float = 5) -> SipMessage:
        while True:
            msg = await asyncio.wait_for(self.received.get(), timeout)
            if not method or msg.method == method:
                return msg


def respond(request: SipMessage, status: int, reason: str, extra=(), body: bytes = b"") -> bytes:
    return build(f"SIP/2.0 {status} {reason}", [*response_to(request, status, reason, "far1"), *extra], body)


def far_request(invite: SipMessage, method: str, cseq: int, branch: str, extra=(), body: bytes = b"") -> bytes:
    headers = [
        ("Via", f"SIP/2.0/UDP 127.0.0.1:{TRUNK_PORT};branch={branch}"),
        ("From", f"{invite.get('to')};tag=far1"),
        ("To", invite.get("from")),
        ("Call-ID", invite.call_id),
        ("CSeq", f"{cseq} {method}"),
        *extra,
    ]
    return build(f"{method} sip:100@127.0.0.1:{OUR_PORT} SIP/2.0", headers, body)


async def with_trunk(body, **ua_kwargs):
    loop = asyncio.get_running_loop()
    transport, trunk = await loop.create_datagram_endpoint(FakeTrunk, local_addr=("127.0.0.1", TRUNK_PORT))
    ua = UserAgent(
        listen_host="127.0.0.1",
        listen_port=OUR_PORT,
        trunk_host="127.0.0.1",
        trunk_port=TRUNK_PORT,
        transport="udp",
        **ua_kwargs,
    )
    await ua.start()
    try:
        await body(ua, trunk)
    finally:
        await ua.close()
        transport.close()


def run(coro):
    asyncio.run(asyncio.wait_for(coro, 30))


def test_udp_retransmissions_both_ways():
    async def body(ua, trunk):
        call = ua.call(to_user="1555", from_user="100", headers={}, sdp=SDP)
        first = await trunk.next("INVITE")
        again = await trunk.next("INVITE")  # timer A: we stayed silent
        assert again.top_branch == first.top_branch and again.cseq == first.cseq
        ok = respond(again, 200, "OK", [("Contact", "<sip:far@127.0.0.1:7490>")], ANSWER_SDP)
        trunk.send(ok)
        assert await call.answer(5) == ANSWER_SDP.decode()
        ack = await trunk.next("ACK")
        assert ack.uri == "sip:far@127.0.0.1:7490" and ack.cseq == (1, "ACK")
        trunk.send(ok)  # our ACK "was lost"
        ack_again = await trunk.next("ACK")
        assert ack_again.top_branch == ack.top_branch
        bye = far_request(first, "BYE", 1, "z9hG4bKfarbye")
        trunk.send(bye)
        trunk.send(bye)
        for _ in range(2):
            reply = await trunk.next()
            assert (reply.status, reply.cseq) == (200, (1, "BYE"))
        assert call.closed.is_set()
        await call.hangup()
        with pytest.raises(asyncio.TimeoutError):
            await trunk.next(timeout=0.7)  # no BYE of ours, no INVITE retransmission

    run(with_trunk(body))


def test_record_route_reinvite_and_challenged_bye():
    async def body(ua, trunk):
        call = ua.call(to_user="1555", from_user="100", headers={"X-Dialtone-Attempt": "7"}, sdp=SDP)
        invite = await trunk.next("INVITE")
        assert invite.get("x-dialtone-attempt") == "7" and invite.get("max-forwards") == "70"
        trunk.send(b"garbage that is no SIP at all")
        trunk.send(b"SIP/2.0 200 OK\r\nVia: x\r\n\r\n")
        trunk.send(respond(invite, 180, "Ringing"))
        trunk.send(
            respond(
                invite,
                200,
                "OK",
                [
                    ("Record-Route", "<sip:p1.example;lr>, <sip:p2.example;lr>"),
                    ("Contact", "<sip:far@10.9.9.9:5060>"),
                ],
                ANSWER_SDP,
            )
        )
        await call.answer(5)
        await trunk.next("ACK")
        trunk.send(far_request(invite, "INVITE", 2, "z9hG4bKreinv", [("Content-Type", "application/sdp")], b"v=0\r\n"))
        reinvite_ok = await trunk.next()
        assert reinvite_ok.status == 200 and reinvite_ok.body == SDP.encode()
        trunk.send(far_request(invite, "OPTIONS", 3, "z9hG4bKopt"))
        assert (await trunk.next()).status == 200
        trunk.send(far_request(invite, "MESSAGE", 4, "z9hG4bKmsg"))
        assert (await trunk.next()).status == 405

        hangup = asyncio.ensure_future(call.hangup())
        bye = await trunk.next("BYE")
        assert bye.uri == "sip:far@10.9.9.9:5060"
        assert bye.all("route") == ["<sip:p2.example;lr>", "<sip:p1.example;lr>"]
        challenge = 'Digest realm="trunk", nonce="abc123"'
        trunk.send(respond(bye, 407, "Proxy Authentication Required", [("Proxy-Authenticate", challenge)]))
        bye2 = await trunk.next("BYE")
        assert bye2.cseq[0] == bye.cseq[0] + 1 and bye2.top_branch != bye.top_branch
        assert bye2.get("proxy-authorization").startswith('Digest username="user"')
        trunk.send(respond(bye2, 200, "OK"))
        await hangup
        assert call.closed.is_set()

    run(with_trunk(body, username="user", password="pw"))


def test_second_challenge_fails_and_both_are_acked():
    async def body(ua, trunk):
        call = ua.call(to_user="1555", from_user="100", headers={}, sdp=SDP)
        challenge = [("WWW-Authenticate", 'Digest realm="trunk", nonce="n1", qop="auth"')]
        for expected_cseq in (1, 2):
            invite = await trunk.next("INVITE")
            assert invite.cseq == (expected_cseq, "INVITE")
            trunk.send(respond(invite, 401, "Unauthorized", challenge))
            ack = await trunk.next("ACK")
            assert ack.top_branch == invite.top_branch and param(ack.get("to"), "tag") == "far1"
        from telephony.sip.stack import CallFailed

        with pytest.raises(CallFailed) as failed:
            await call.answer(5)
        assert failed.value.status == 401

    run(with_trunk(body, username="user", password="pw"))


def test_cancel_waits_for_a_provisional_and_a_crossing_200_is_acked_then_byed():
    from telephony.sip.stack import RingTimeout

    async def body(ua, trunk):
        call = ua.call(to_user="1555", from_user="100", headers={}, sdp=SDP)
        invite = await trunk.next("INVITE")
        answering = asyncio.ensure_future(call.answer(0.2))
        await asyncio.sleep(0.4)
        assert not answering.done()
        # No CANCEL before a provisional response (RFC 3261 9.1): only INVITE retransmissions so far.
        while not trunk.received.empty():
            assert trunk.received.get_nowait().method == "INVITE"
        trunk.send(respond(invite, 180, "Ringing"))
        cancel = await trunk.next("CANCEL")
        assert cancel.top_branch == invite.top_branch and cancel.cseq == (1, "CANCEL")
        assert cancel.uri == invite.uri and not param(cancel.get("to"), "tag")
        trunk.send(respond(cancel, 200, "OK"))
        trunk.send(respond(invite, 200, "OK", [("Contact", "<sip:far@127.0.0.1:7490>")], ANSWER_SDP))
        with pytest.raises(RingTimeout):
            await answering
        assert (await trunk.next("ACK")).cseq == (1, "ACK")
        bye = await trunk.next("BYE")
        trunk.send(respond(bye, 200, "OK"))
        await asyncio.wait_for(call.closed.wait(), 5)

    run(with_trunk(body))


def test_tcp_framing_and_reconnect():
    from telephony.sip.stack import CallFailed

    async def body():
        connections = 0

        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            nonlocal connections
            connections += 1
            framer = StreamFramer()
            while data := await reader.read(4096):
                for frame in framer.feed(data):
                    msg = parse(frame)
                    if msg.method != "INVITE":
                        continue
                    busy = respond(msg, 486, "Busy Here")
                    # Keep-alives, a 100 and the 486 in odd pieces: the framer must put them together.
                    stream = b"\r\n\r\n" + respond(msg, 100, "Trying") + busy
                    for i in range(0, len(stream), 50):
                        writer.write(stream[i : i + 50])
                        await writer.drain()
                        await asyncio.sleep(0.001)
                    await reader.readuntil(b"\r\n\r\n")  # the ACK
                    writer.close()  # the trunk drops the connection after each call
                    return

        server = await asyncio.start_server(serve, "127.0.0.1", TRUNK_PORT)
        ua = UserAgent(
            listen_host="127.0.0.1",
            listen_port=OUR_PORT,
            trunk_host="127.0.0.1",
            trunk_port=TRUNK_PORT,
            transport="tcp",
        )
        await ua.start()
        try:
            for _ in range(2):
                call = ua.call(to_user="1555", from_user="100", headers={}, sdp=SDP)
                with pytest.raises(CallFailed) as failed:
                    await call.answer(5)
                assert failed.value.status == 486
                await asyncio.sleep(0.1)
            assert connections == 2
        finally:
            await ua.close()
            server.close()

    run(body())


def test_stream_framer_survives_keepalives_between_partial_messages():
    invite = build(
        "INVITE sip:a@b SIP/2.0",
        [("Via", "SIP/2.0/TCP h;branch=z9hG4bK1"), ("From", "a"), ("To", "b"), ("Call-ID", "c"), ("CSeq", "1 INVITE")],
        b"v=0\r\n",
    )
    framer = StreamFramer()
    assert framer.feed(invite[:10]) == []
    assert framer.feed(invite[10:] + b"\r\n\r\n" + invite[:30]) == [invite]
    assert framer.feed(invite[30:]) == [invite]
