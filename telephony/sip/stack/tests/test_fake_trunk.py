"""Corners SIPp cannot easily play, against a scripted trunk in the test's own event loop (loopback).

Retransmissions (INVITE timer A, ACK again for a retransmitted 2xx, 200 again for a
retransmitted BYE), Record-Route, re-INVITE, a challenged BYE, garbage, TCP framing, a CANCEL
nobody answers, garbled 2xx, ICMP errors. Loopback sockets only: no SIPp, no database, so these
run with the unit tests (timers patched small where a test waits for one).
"""

from __future__ import annotations

import asyncio

import pytest

from telephony.sip.stack import CallFailed, RingTimeout, UserAgent, transaction
from telephony.sip.stack import ua as ua_module
from telephony.sip.stack.message import SipMessage, StreamFramer, build, param, parse, response_to
from telephony.sip.testing.loop import run_apart

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
    run_apart(asyncio.wait_for(coro, 30))


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


async def until(predicate, timeout: float = 5) -> None:
    async def poll():
        while not predicate():
            await asyncio.sleep(0.02)

    await asyncio.wait_for(poll(), timeout)


def test_an_unanswered_cancel_ends_the_invite_transaction_after_timer_b(monkeypatch):
    monkeypatch.setattr(transaction, "TIMER_B", 0.6)
    monkeypatch.setattr(ua_module, "CALL_LINGER", 0.2)

    async def body(ua, trunk):
        call = ua.call(to_user="1555", from_user="100", headers={}, sdp=SDP)
        invite = await trunk.next("INVITE")
        trunk.send(respond(invite, 100, "Trying"))
        trunk.send(respond(invite, 180, "Ringing"))
        with pytest.raises(RingTimeout):
            await call.answer(0.2)  # the CANCEL goes out and the trunk never answers it nor the INVITE
        assert (await trunk.next("CANCEL")).top_branch == invite.top_branch
        assert call.closed.is_set()
        await until(lambda: not ua.transactions and not ua.calls)
        await call.hangup()  # nothing left to do: returns at once

    run(with_trunk(body))


def test_hangup_while_ringing_and_the_cancel_is_ignored(monkeypatch):
    monkeypatch.setattr(transaction, "TIMER_B", 0.6)
    monkeypatch.setattr(ua_module, "CALL_LINGER", 0.2)
    monkeypatch.setattr(ua_module, "HANGUP_WAIT", 0.3)

    async def body(ua, trunk):
        call = ua.call(to_user="1555", from_user="100", headers={}, sdp=SDP)
        invite = await trunk.next("INVITE")
        trunk.send(respond(invite, 180, "Ringing"))
        await until(lambda: call._provisional)
        await call.hangup()
        await trunk.next("CANCEL")
        assert call.closed.is_set()
        await until(lambda: not ua.transactions and not ua.calls)
        with pytest.raises(RingTimeout):
            await call.answer(0.1)

    run(with_trunk(body))


def test_a_2xx_with_a_garbled_contact_is_acked_and_answers():
    async def body(ua, trunk):
        call = ua.call(to_user="1555", from_user="100", headers={}, sdp=SDP)
        invite = await trunk.next("INVITE")
        trunk.send(respond(invite, 180, "Ringing"))
        trunk.send(respond(invite, 200, "OK", [("Contact", ","), ("Record-Route", ",")], ANSWER_SDP))
        assert await call.answer(2) == ANSWER_SDP.decode()
        ack = await trunk.next("ACK")
        assert ack.uri == invite.uri and not ack.all("route")  # the request URI stays the remote target
        hangup = asyncio.ensure_future(call.hangup())
        bye = await trunk.next()
        assert bye.method == "BYE" and bye.uri == invite.uri  # no CANCEL: the call is up
        trunk.send(respond(bye, 200, "OK"))
        await hangup

    run(with_trunk(body))


def test_an_error_handling_a_final_response_fails_the_waiter():
    class Stub:
        reliable = True

        def send(self, data, on_error=None):
            pass

    async def body():
        failures = []

        def broken(msg):
            raise IndexError("handler bug")

        table: dict = {}
        tx = transaction.ClientTransaction(
            table, Stub(), "z9hG4bKx", "BYE", b"", broken, lambda status, reason: failures.append(status)
        )
        tx.start()
        bye = parse(far_request(parse(INVITE_FOR_STUB), "BYE", 2, "z9hG4bKx"))
        tx.receive(parse(respond(bye, 180, "Ringing")))  # a provisional's error is only logged
        assert failures == []
        tx.receive(parse(respond(bye, 200, "OK")))
        assert failures == [500] and not table

    run(body())


INVITE_FOR_STUB = build(
    "INVITE sip:1555@127.0.0.1 SIP/2.0",
    [
        ("Via", "SIP/2.0/UDP 127.0.0.1:7491;branch=z9hG4bKi"),
        ("From", "<sip:100@127.0.0.1>;tag=a"),
        ("To", "<sip:1555@127.0.0.1>"),
        ("Call-ID", "c1"),
        ("CSeq", "1 INVITE"),
    ],
)


def test_the_2xx_ack_carries_the_invite_credentials_and_the_cancel_none():
    async def body(ua, trunk):
        call = ua.call(to_user="1555", from_user="100", headers={}, sdp=SDP)
        invite = await trunk.next("INVITE")
        trunk.send(
            respond(
                invite, 407, "Proxy Authentication Required", [("Proxy-Authenticate", 'Digest realm="t", nonce="n"')]
            )
        )
        assert not (await trunk.next("ACK")).get("proxy-authorization")  # the non-2xx ACK was never challenged
        invite2 = await trunk.next("INVITE")
        credentials = invite2.get("proxy-authorization")
        assert credentials.startswith('Digest username="user"')
        trunk.send(respond(invite2, 200, "OK", [("Contact", "<sip:far@127.0.0.1:7490>")], ANSWER_SDP))
        await call.answer(2)
        ack = await trunk.next("ACK")
        assert ack.cseq == (2, "ACK") and ack.get("proxy-authorization") == credentials

    run(with_trunk(body, username="user", password="pw"))


def test_a_udp_transport_error_fails_only_invites_without_a_response(monkeypatch):
    monkeypatch.setattr(ua_module, "HANGUP_WAIT", 5.0)

    async def body(ua, trunk):
        up = ua.call(to_user="1", from_user="100", headers={}, sdp=SDP)
        invite = await trunk.next("INVITE")
        trunk.send(respond(invite, 200, "OK", [("Contact", "<sip:far@127.0.0.1:7490>")], ANSWER_SDP))
        await up.answer(2)
        await trunk.next("ACK")
        ringing = ua.call(to_user="2", from_user="100", headers={}, sdp=SDP)
        ring_invite = await trunk.next("INVITE")
        trunk.send(respond(ring_invite, 180, "Ringing"))
        await until(lambda: ringing._provisional)
        hangup = asyncio.ensure_future(up.hangup())
        bye = await trunk.next("BYE")
        silent = ua.call(to_user="3", from_user="100", headers={}, sdp=SDP)
        await trunk.next("INVITE")

        ua._on_transport_error("connection refused")  # what an ICMP port unreachable reports

        with pytest.raises(CallFailed) as failed:
            await silent.answer(2)
        assert failed.value.status is None
        assert (await trunk.next("BYE")).top_branch == bye.top_branch  # the BYE retransmits on
        trunk.send(respond(bye, 200, "OK"))
        await hangup
        trunk.send(respond(ring_invite, 486, "Busy Here"))  # the ringing call was left alone
        with pytest.raises(CallFailed) as failed:
            await ringing.answer(2)
        assert failed.value.status == 486

    run(with_trunk(body))


def test_requests_from_the_far_end():
    async def body(ua, trunk):
        call = ua.call(to_user="1555", from_user="100", headers={}, sdp=SDP)
        invite = await trunk.next("INVITE")
        trunk.send(respond(invite, 200, "OK", [("Contact", "<sip:far@127.0.0.1:7490>")], ANSWER_SDP))
        await call.answer(2)
        await trunk.next("ACK")
        offer = [("Content-Type", "application/sdp")]
        trunk.send(far_request(invite, "UPDATE", 2, "z9hG4bKupd1", offer, b"v=0\r\n"))
        reply = await trunk.next()
        assert (reply.status, reply.body, reply.get("content-type")) == (200, SDP.encode(), "application/sdp")
        trunk.send(far_request(invite, "UPDATE", 3, "z9hG4bKupd2"))
        reply = await trunk.next()
        assert (reply.status, reply.body) == (200, b"")
        trunk.send(far_request(invite, "CANCEL", 3, "z9hG4bKupd2"))
        assert (await trunk.next()).status == 481
        stranger = parse(far_request(invite, "INVITE", 1, "z9hG4bKnew"))
        stranger.headers["call-id"] = ["someone-else"]
        trunk.send(
            build(
                "INVITE sip:100@127.0.0.1:7491 SIP/2.0",
                [(name, value) for name in ("via", "from", "to", "call-id", "cseq") for value in stranger.all(name)],
            )
        )
        refused = await trunk.next()
        assert refused.status == 405 and "INVITE" in refused.get("allow")
        assert not call.closed.is_set()

    run(with_trunk(body))


def test_no_authenticated_invite_after_the_call_was_hung_up(monkeypatch):
    monkeypatch.setattr(ua_module, "HANGUP_WAIT", 0.2)

    async def body(ua, trunk):
        call = ua.call(to_user="1555", from_user="100", headers={}, sdp=SDP)
        invite = await trunk.next("INVITE")
        await call.hangup()  # no provisional yet: no CANCEL may go out, the call just gives up
        trunk.send(respond(invite, 401, "Unauthorized", [("WWW-Authenticate", 'Digest realm="t", nonce="n"')]))
        assert (await trunk.next()).method == "ACK"
        with pytest.raises(asyncio.TimeoutError):
            await trunk.next(timeout=0.7)  # neither an INVITE with credentials nor a CANCEL
        with pytest.raises(CallFailed) as failed:
            await call.answer(1)
        assert failed.value.status == 401

    run(with_trunk(body, username="user", password="pw"))


def test_tcp_stream_with_an_oversized_content_length_is_closed():
    async def body():
        closed_by_us = asyncio.get_running_loop().create_future()

        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            invite = parse(await reader.readuntil(b"\r\n\r\n") + await reader.readexactly(len(SDP)))
            huge = respond(invite, 200, "OK").replace(b"Content-Length: 0", b"Content-Length: 99999999")
            writer.write(respond(invite, 100, "Trying") + huge)
            await writer.drain()
            while await reader.read(65536):
                pass  # until the UA drops the connection rather than buffer a 100 MB body
            closed_by_us.set_result(True)
            writer.close()

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
            ua.call(to_user="1555", from_user="100", headers={}, sdp=SDP)
            assert await asyncio.wait_for(closed_by_us, 5)
        finally:
            await ua.close()
            server.close()

    run(body())
