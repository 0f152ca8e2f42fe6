"""One clock for the RTP of every call: a single task sends each live session's next packet every
packet time, then drains every session's socket for RFC 2833 telephone-events.

No task, thread or timer per call: a held call costs one packet built and sent and one failed
non-blocking receive per tick, so the media of many calls fits in one asyncio loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import secrets
import select
import socket
import struct
from collections import deque

from telephony.sip.media import g711, sdp
from telephony.sip.media.errors import MediaError, NoFreePort

log = logging.getLogger(__name__)

_HEADER = struct.Struct("!BBHII")
_VERSION = 0x80  # V=2, no padding, no extension, no CSRC
_MARKER = 0x80
_RESYNC_AFTER = 3  # ptimes late: past this, skip the missed ticks instead of sending them in a burst
_EVENTS = "0123456789*#ABCD"
_DIGITS_KEPT = 64  # digits not yet read; a far end sending more (a flood) loses the excess, not our memory
_DRAIN_ROUNDS = 8  # polls per tick: a flooding far end waits for the next tick rather than stalling the clock


class _Play:
    """One play() call's frames and the future its caller awaits."""

    __slots__ = ("done", "frames")

    def __init__(self, frames: tuple[bytes, ...], done: asyncio.Future[None]):
        self.frames = frames
        self.done = done


class RtpSession:
    """One call's audio stream: its socket, the RTP state of what it sends, and the digits it receives.

    Made by ``MediaClock.session()``; ticked by the clock from ``accept()`` to ``close()``.
    """

    # The clock's hot loop reads these on every tick; slots keep that cheap.
    __slots__ = (
        "_byte1",
        "_clock",
        "_closed",
        "_current",
        "_event_stamp",
        "_event_type",
        "_frames",
        "_offered",
        "_pending",
        "_pos",
        "_recv_into",
        "_send",
        "_seq",
        "_silence",
        "_ssrc",
        "_stamp",
        "codec",
        "digits",
        "payload_type",
        "port",
        "sock",
    )

    def __init__(self, clock: MediaClock, sock: socket.socket, port: int):
        self._clock = clock
        self.sock = sock
        self.port = port
        self._send = sock.send
        self._recv_into = sock.recv_into
        self.digits: asyncio.Queue[str] = asyncio.Queue(maxsize=_DIGITS_KEPT)
        self.codec: str | None = None
        self.payload_type = -1
        self._byte1 = 0
        self._offered: tuple[int, ...] = (0, 8)
        self._seq = secrets.randbits(16)
        self._stamp = secrets.randbits(32)
        self._ssrc = secrets.randbits(32)
        self._silence = b""
        self._event_type = -1  # never matches a payload type: no events until the answer names their type
        self._event_stamp: int | None = None
        self._current: _Play | None = None
        self._frames: tuple[bytes, ...] | None = None
        self._pos = 0
        self._pending: deque[_Play] = deque()
        self._closed = False

    def offer(self, codecs: tuple[str, ...]) -> str:
        """Our SDP offer for these codecs (in order of preference) and RFC 2833 events."""
        self._offered = sdp.payload_types(codecs)
        return sdp.offer(
            host=self._clock.sdp_host,
            port=self.port,
            payload_types=self._offered,
            ptime_ms=self._clock.ptime_ms,
            session_id=secrets.randbelow(2**31),
        )

    def accept(self, answer_sdp: str) -> None:
        """Take the far end's SDP answer: send it our audio from the next tick on, or raise MediaError."""
        if self._closed:
            raise MediaError("accept() on a closed session")
        answer = sdp.parse_answer(answer_sdp, self._offered)
        if self.codec is not None and answer.codec != self.codec:
            # A re-INVITE that switches codec: what is queued was encoded for the old one.
            self._drop_audio()
        try:
            self.sock.connect((answer.address, answer.port))
        except OSError as exc:
            raise MediaError(f"cannot send RTP to {answer.address}:{answer.port}: {exc}") from exc
        first = self.codec is None
        self.codec = answer.codec
        self.payload_type = answer.payload_type
        self._silence = self._clock.silence(answer.codec)
        self._event_type = -1 if answer.event_payload_type is None else answer.event_payload_type
        if first:
            self._byte1 = _MARKER | answer.payload_type
        else:
            self._byte1 = (self._byte1 & _MARKER) | answer.payload_type
        self._clock._tick_session(self)

    async def play(self, pcm: bytes) -> None:
        """Send 16-bit little-endian mono 8 kHz PCM; return once its last frame has gone out.

        Cancelling the awaiting task drops what is left of this audio (silence follows).
        """
        if self._closed:
            raise MediaError("play() on a closed session")
        if self.codec is None:
            raise MediaError("play() before accept(): the codec is not negotiated yet")
        try:
            encoded = await g711.frames(bytes(pcm), self.codec, self._clock.samples_per_frame)
        except ValueError as exc:
            raise MediaError(str(exc)) from None
        if not encoded:
            return
        item = _Play(encoded, asyncio.get_running_loop().create_future())
        if self._current is None:
            self._start(item)
        else:
            self._pending.append(item)
        try:
            await item.done
        except asyncio.CancelledError:
            if self._current is item:
                self._next()
            else:
                with contextlib.suppress(ValueError):
                    self._pending.remove(item)
            raise

    def close(self) -> None:
        """Stop ticking, close the socket and free the port; a play() in progress raises MediaError."""
        if self._closed:
            return
        self._closed = True
        self._clock._forget(self)
        self.sock.close()
        self._drop_audio(MediaError("the session was closed"))

    def _start(self, item: _Play) -> None:
        self._current, self._frames, self._pos = item, item.frames, 0

    def _next(self) -> None:
        """The current play is over (sent or cancelled): start the next queued one, or go back to silence."""
        if self._pending:
            self._start(self._pending.popleft())
        else:
            self._current, self._frames, self._pos = None, None, 0

    def _finished(self) -> None:
        item = self._current
        self._next()
        if item is not None and not item.done.done():
            item.done.set_result(None)

    def _drop_audio(self, error: Exception | None = None) -> None:
        items = [*([self._current] if self._current else []), *self._pending]
        self._pending.clear()
        self._current, self._frames, self._pos = None, None, 0
        for item in items:
            if not item.done.done():
                if error is None:
                    item.done.set_exception(MediaError("the codec changed; the queued audio was dropped"))
                else:
                    item.done.set_exception(error)

    def _event(self, packet: bytes) -> None:
        """An RFC 2833 packet: queue its digit once per key press (every packet of one press shares a timestamp)."""
        header = 12 + 4 * (packet[0] & 0x0F)
        if packet[0] & 0x10:  # header extension
            if len(packet) < header + 4:
                return
            header += 4 + 4 * int.from_bytes(packet[header + 2 : header + 4], "big")
        if len(packet) < header + 4:
            return
        stamp = int.from_bytes(packet[4:8], "big")
        if stamp == self._event_stamp:
            return
        self._event_stamp = stamp
        event = packet[header]
        if event < len(_EVENTS) and not self.digits.full():
            self.digits.put_nowait(_EVENTS[event])


class MediaClock:
    """Carries the RTP of every session it made with one task ticking every packet time."""

    def __init__(self, *, host: str, ports: tuple[int, int], ptime_ms: int = 20, sdp_host: str = ""):
        """``host`` is bound; ``sdp_host`` (default ``host``) is what offers tell the far end to send to,
        for an engine bound to a wildcard address."""
        low, high = ports
        low += low % 2  # RTP on even ports (RFC 3550); the odd one above is RTCP's, which we do not open
        if not 0 < low <= high < 65536:
            raise ValueError(f"no even port in the range {ports}")
        if not 10 <= ptime_ms <= 200 or ptime_ms % 10:
            raise ValueError(f"ptime {ptime_ms} ms: use a multiple of 10 ms from 10 to 200")
        self.host = host
        self.sdp_host = sdp_host or host
        self.ptime_ms = ptime_ms
        self.samples_per_frame = 8 * ptime_ms
        self._ports = range(low, high + 1, 2)
        self._next_port = 0  # index into _ports: allocation cycles so a just-freed port rests
        self._open: dict[int, RtpSession] = {}
        self._ticked: dict[RtpSession, None] = {}
        self._snapshot: tuple[RtpSession, ...] = ()
        self._silences = {codec: bytes((byte,)) * self.samples_per_frame for codec, byte in g711.SILENCE.items()}
        self._task: asyncio.Task[None] | None = None
        # Which sockets have packets, in one call per tick: no failing receive per idle session.
        self._poller = select.epoll() if hasattr(select, "epoll") else select.poll()
        self._by_fd: dict[int, RtpSession] = {}
        self._buffer = bytearray(2048)
        self._closed = False
        self.late_ticks = 0  # times the loop fell behind by more than a few ptimes and resynchronised

    @property
    def calls(self) -> int:
        return len(self._open)

    def silence(self, codec: str) -> bytes:
        return self._silences[codec]

    async def start(self) -> None:
        if self._closed:
            raise MediaError("start() on a closed clock")
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="media-clock")

    async def close(self) -> None:
        """Stop the clock and close every session; final (a closed clock makes no more sessions)."""
        self._closed = True
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for session in list(self._open.values()):
            session.close()
        if hasattr(self._poller, "close"):
            self._poller.close()

    def session(self) -> RtpSession:
        """A session on a free even port of the range; it is ticked once its accept() succeeded."""
        if self._closed:
            raise MediaError("session() on a closed clock")
        count = len(self._ports)
        for step in range(count):
            index = (self._next_port + step) % count
            port = self._ports[index]
            if port in self._open:
                continue
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                sock.bind((self.host, port))
            except OSError as exc:
                sock.close()
                if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                    continue
                raise MediaError(f"cannot bind RTP port {self.host}:{port}: {exc}") from exc
            sock.setblocking(False)
            self._next_port = (index + 1) % count
            session = RtpSession(self, sock, port)
            self._open[port] = session
            return session
        raise NoFreePort(f"no free RTP port in {self._ports[0]}-{self._ports[-1]} on {self.host}")

    def _tick_session(self, session: RtpSession) -> None:
        if session not in self._ticked:
            self._ticked[session] = None
            self._snapshot = tuple(self._ticked)
            fd = session.sock.fileno()
            self._poller.register(fd, select.POLLIN)
            self._by_fd[fd] = session

    def _forget(self, session: RtpSession) -> None:
        self._open.pop(session.port, None)
        if self._ticked.pop(session, 0) is None:
            self._snapshot = tuple(self._ticked)
            fd = session.sock.fileno()
            self._poller.unregister(fd)
            del self._by_fd[fd]

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        period = self.ptime_ms / 1000
        due = loop.time()
        while True:
            try:
                self._tick()
            except Exception:  # one bad tick must not stop every call's audio
                log.exception("media clock tick failed")
            due += period
            delay = due - loop.time()
            if delay < -_RESYNC_AFTER * period:
                self.late_ticks += 1
                due = loop.time()
                delay = 0.0
            await asyncio.sleep(delay if delay > 0 else 0)

    def _tick(self) -> None:
        sessions = self._snapshot
        pack = _HEADER.pack
        samples = self.samples_per_frame
        for session in sessions:
            frames = session._frames
            if frames is None:
                payload = session._silence
                last = False
            else:
                pos = session._pos
                payload = frames[pos]
                session._pos = pos = pos + 1
                last = pos == len(frames)
            byte1 = session._byte1
            seq = session._seq
            stamp = session._stamp
            try:
                session._send(pack(_VERSION, byte1, seq, stamp, session._ssrc) + payload)
            except BlockingIOError:  # the socket buffer is full: this packet is late, not queued
                pass
            except OSError as exc:  # ICMP unreachable from the far end, reported on a later call
                log.debug("RTP send on port %s: %s", session.port, exc)
            if byte1 & _MARKER:
                session._byte1 = byte1 & 0x7F
            session._seq = (seq + 1) & 0xFFFF
            session._stamp = (stamp + samples) & 0xFFFFFFFF
            if last:
                session._finished()
        self._receive()

    def _receive(self) -> None:
        """Read every packet waiting; only telephone-events are looked at, audio is dropped."""
        poll = self._poller.poll
        by_fd = self._by_fd
        buffer = self._buffer
        ready = poll(0)
        for _ in range(_DRAIN_ROUNDS):
            for fd, _events in ready:
                session = by_fd.get(fd)
                if session is None:
                    continue
                try:
                    size = session._recv_into(buffer)
                except BlockingIOError:
                    continue
                except OSError as exc:  # ICMP unreachable from the far end
                    log.debug("RTP receive on port %s: %s", session.port, exc)
                    continue
                if size > 12 and buffer[1] & 0x7F == session._event_type:
                    session._event(bytes(buffer[:size]))
            ready = poll(0)
            if not ready:
                return
