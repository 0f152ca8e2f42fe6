"""The clock against plain UDP sockets on 127.0.0.1 (ports 42000-42499 of this package's range)."""

import asyncio
import functools
import itertools
import socket
import struct

import pytest

from telephony.sip.media import MediaClock, MediaError, NoFreePort
from telephony.sip.media.g711 import encode
from telephony.sip.testing import loop

HOST = "127.0.0.1"
TONE = struct.pack("<8000h", *(((i * 331) % 16000) - 8000 for i in range(8000)))  # 1 s, every frame different


def run_apart(test):
    """An async test run by telephony.sip.testing.loop.run_apart."""

    @functools.wraps(test)
    def wrapper(*args, **kwargs):
        return loop.run_apart(test(*args, **kwargs))

    return wrapper


def peer(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((HOST, port))
    sock.setblocking(False)
    return sock


def answer(port: int, formats: str = "0 8 101", event_type: int = 101) -> str:
    return (
        f"v=0\r\no=- 1 1 IN IP4 {HOST}\r\ns=-\r\nc=IN IP4 {HOST}\r\nt=0 0\r\nm=audio {port} RTP/AVP {formats}\r\n"
        f"a=rtpmap:{event_type} telephone-event/8000\r\n"
    )


def received(sock: socket.socket) -> list[bytes]:
    packets = []
    try:
        while True:
            packets.append(sock.recv(2048))
    except BlockingIOError:
        return packets


def header(packet: bytes) -> tuple[int, int, int, int, int]:
    return struct.unpack("!BBHII", packet[:12])


async def until(condition, seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("timed out waiting")


def event(stamp: int, key: int, *, end: bool, seq: int, payload_type: int = 96, duration: int = 160) -> bytes:
    return struct.pack("!BBHII", 0x80, payload_type, seq, stamp, 0xABCD) + struct.pack(
        "!BBH", key, (0x80 if end else 0) | 10, duration
    )


@run_apart
async def test_play_sends_the_encoded_frames_in_order_and_returns_after_the_last():
    clock = MediaClock(host=HOST, ports=(42000, 42009))
    far = peer(42011)
    await clock.start()
    try:
        session = clock.session()
        session.offer(("pcma", "pcmu"))
        session.accept(answer(42011, formats="8 101"))
        await asyncio.sleep(0.1)
        silence = received(far)
        await session.play(TONE)
        packets = received(far)  # loopback delivers at once: what play() waited for is already here
    finally:
        await clock.close()
        far.close()
    assert silence and all(packet[12:] == b"\xd5" * 160 for packet in silence)
    assert header(silence[0])[1] == 0x80 | 8  # the marker on the very first packet
    expected = encode(TONE, "pcma")
    tone = [packet for packet in packets if packet[12:] != b"\xd5" * 160]
    assert b"".join(packet[12:] for packet in tone) == expected and len(tone) == 50
    headers = [header(packet) for packet in silence + packets]
    assert {(h[0], h[1], h[4]) for h in headers[1:]} == {(0x80, 8, headers[0][4])}
    assert all((b[2] - a[2]) % 65536 == 1 and (b[3] - a[3]) % 2**32 == 160 for a, b in itertools.pairwise(headers))


@run_apart
async def test_cancelling_play_drops_the_rest_and_silence_follows():
    clock = MediaClock(host=HOST, ports=(42020, 42029))
    far = peer(42031)
    await clock.start()
    try:
        session = clock.session()
        session.accept(answer(42031, formats="0"))
        playing = asyncio.create_task(session.play(TONE))
        await asyncio.sleep(0.3)
        playing.cancel()
        with pytest.raises(asyncio.CancelledError):
            await playing
        await asyncio.sleep(0.3)
        payloads = [packet[12:] for packet in received(far)]
        await session.play(TONE[:3200])  # a later prompt plays normally
    finally:
        await clock.close()
        far.close()
    frames = encode(TONE, "pcmu")
    sent = [payload for payload in payloads if payload != b"\xff" * 160]
    assert 0 < len(sent) < 50
    assert b"".join(sent) == frames[: 160 * len(sent)]
    assert payloads[-5:] == [b"\xff" * 160] * 5


@run_apart
async def test_plays_queue_one_after_another():
    clock = MediaClock(host=HOST, ports=(42040, 42049))
    far = peer(42051)
    await clock.start()
    try:
        session = clock.session()
        session.accept(answer(42051, formats="0"))
        first, second = TONE[:1600], TONE[1600:3200]
        await asyncio.gather(session.play(first), session.play(second))
        payloads = [packet[12:] for packet in received(far) if packet[12:] != b"\xff" * 160]
    finally:
        await clock.close()
        far.close()
    assert b"".join(payloads) == encode(first + second, "pcmu")


@run_apart
async def test_one_digit_per_key_press_whatever_the_repeats():
    clock = MediaClock(host=HOST, ports=(42060, 42069))
    far = peer(42071)
    await clock.start()
    try:
        session = clock.session()
        session.accept(answer(42071, formats="0 96", event_type=96))
        far.connect((HOST, session.port))
        packets = [
            event(1000, 5, end=False, seq=1),
            event(1000, 5, end=False, seq=2),
            struct.pack("!BBHII", 0x80, 0, 3, 1160, 0xABCD) + b"\xff" * 160,  # audio between events
            *(event(1000, 5, end=True, seq=4 + n) for n in range(3)),
            *(event(3000, 11, end=True, seq=7 + n) for n in range(3)),  # start packets lost: ends only
            event(5000, 16, end=True, seq=10),  # flash: not a digit
            event(7000, 3, end=True, seq=11, payload_type=101),  # not the type the answer named
            *(event(9000, 12, end=n == 2, seq=12 + n) for n in range(3)),
        ]
        for packet in packets:
            far.send(packet)
        await until(lambda: session.digits.qsize() >= 3)
        await asyncio.sleep(0.1)
    finally:
        await clock.close()
        far.close()
    assert [session.digits.get_nowait() for _ in range(session.digits.qsize())] == ["5", "#", "A"]


@run_apart
async def test_a_flood_of_digits_keeps_only_what_a_gather_could_read():
    clock = MediaClock(host=HOST, ports=(42060, 42069))
    far = peer(42071)
    await clock.start()
    try:
        session = clock.session()
        session.accept(answer(42071, formats="0 101", event_type=101))
        far.connect((HOST, session.port))
        for n in range(200):  # a new timestamp each: 200 key presses
            far.send(event(1000 + 160 * n, 1, end=True, seq=n, payload_type=101))
        await until(lambda: session.digits.full())
        await asyncio.sleep(0.1)
    finally:
        await clock.close()
        far.close()
    assert session.digits.qsize() == 64


@run_apart
async def test_a_refusing_far_end_does_not_stop_the_other_calls():
    clock = MediaClock(host=HOST, ports=(42080, 42089))
    far = peer(42091)
    await clock.start()
    try:
        refused = clock.session()
        refused.accept(answer(42093))  # nobody there: ICMP port unreachable on every send
        alive = clock.session()
        alive.accept(answer(42091))
        await asyncio.sleep(0.2)
        received(far)
        await alive.play(TONE[:1600])
        payloads = [packet[12:] for packet in received(far)]
    finally:
        await clock.close()
        far.close()
    assert encode(TONE[:1600], "pcmu") in b"".join(payloads)


def test_ports_cycle_skip_the_busy_and_run_out():
    clock = MediaClock(host=HOST, ports=(42101, 42107))  # even ports 42102, 42104, 42106
    foreign = peer(42104)
    try:
        first = clock.session()
        third = clock.session()
        assert (first.port, third.port) == (42102, 42106)
        with pytest.raises(NoFreePort):
            clock.session()
        first.close()
        first.close()
        assert clock.calls == 1
        again = clock.session()
        assert again.port == 42102
        foreign.close()
        third.close()
        assert clock.session().port == 42104  # the next after the last taken, not the one just freed
    finally:
        foreign.close()
        run_apart(clock.close)()
    assert clock.calls == 0


@run_apart
async def test_closing_a_session_ends_its_play_and_refuses_more():
    clock = MediaClock(host=HOST, ports=(42120, 42129))
    await clock.start()
    try:
        session = clock.session()
        with pytest.raises(MediaError, match="before accept"):
            await session.play(TONE)
        session.accept(answer(42131))
        playing = asyncio.create_task(session.play(TONE))
        await asyncio.sleep(0.1)
        session.close()
        with pytest.raises(MediaError, match="closed"):
            await playing
        with pytest.raises(MediaError, match="closed"):
            await session.play(TONE)
        with pytest.raises(MediaError, match="closed"):
            session.accept(answer(42131))
        assert clock.calls == 0
    finally:
        await clock.close()


@run_apart
async def test_an_unusable_answer_leaves_the_session_unticked():
    clock = MediaClock(host=HOST, ports=(42140, 42149))
    far = peer(42151)
    await clock.start()
    try:
        session = clock.session()
        session.offer(("pcmu",))
        with pytest.raises(MediaError, match="no common codec"):
            session.accept(answer(42151, formats="8"))
        await asyncio.sleep(0.1)
        assert received(far) == []
    finally:
        await clock.close()
        far.close()


@run_apart
async def test_each_clocks_sdp_is_usable_by_the_other_and_they_agree_on_the_common_codec():
    one, two = MediaClock(host=HOST, ports=(42160, 42169)), MediaClock(host=HOST, ports=(42170, 42179))
    await one.start()
    await two.start()
    try:
        caller, callee = one.session(), two.session()
        offered = caller.offer(("pcmu", "pcma"))
        callee.offer(("pcma",))
        callee.accept(offered)
        caller.accept(callee.offer(("pcma",)))
        assert (caller.codec, callee.codec) == ("pcma", "pcma")
        await asyncio.gather(caller.play(TONE[:3200]), callee.play(TONE[:3200]))
    finally:
        await one.close()
        await two.close()


@run_apart
async def test_a_second_answer_moves_the_stream():
    clock = MediaClock(host=HOST, ports=(42180, 42189))
    before, after = peer(42191), peer(42193)
    await clock.start()
    try:
        session = clock.session()
        session.accept(answer(42191, formats="0"))
        await session.play(TONE[:1600])
        session.accept(answer(42193, formats="0"))
        received(after)
        await session.play(TONE[:1600])
        moved = received(after)
    finally:
        await clock.close()
        before.close()
        after.close()
    assert encode(TONE[:1600], "pcmu") in b"".join(packet[12:] for packet in moved)
    assert not any(header(packet)[1] & 0x80 for packet in moved)  # the same stream: no new marker


@run_apart
async def test_a_closed_clock_makes_no_sessions():
    clock = MediaClock(host=HOST, ports=(42200, 42209))
    await clock.close()
    with pytest.raises(MediaError, match="closed"):
        clock.session()
