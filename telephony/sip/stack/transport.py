"""UDP, TCP and TLS transports to the one trunk.

Each transport hands every received message (bytes) to `on_message` and reports trouble
through `on_error`; sending is synchronous so that `UserAgent.call()` can be too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import ssl
from collections.abc import Callable

from .message import ParseError, StreamFramer

log = logging.getLogger(__name__)

Reply = Callable[[bytes], None]
OnMessage = Callable[[bytes, Reply], None]
OnError = Callable[[str], None]

UDP_BUFFER = 4 << 20


class Transport:
    reliable = False
    via_name = "UDP"

    def send(self, data: bytes, on_error: OnError | None = None) -> None:
        raise NotImplementedError

    async def start(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class UdpTransport(Transport):
    """One non-blocking UDP socket connected to the trunk, read straight from the selector.

    Connected, so that the kernel reports ICMP port unreachable (ECONNREFUSED) and drops
    strangers' datagrams; drained in batches, because hundreds of calls answer in bursts and
    asyncio's datagram transport reads one datagram per loop pass.
    """

    BATCH = 128

    def __init__(
        self, listen: tuple[str, int], trunk: tuple[str, int], on_message: OnMessage, on_error: OnError
    ) -> None:
        self.listen = listen
        self.trunk = trunk
        self.on_message = on_message
        self.on_error = on_error
        self._sock: socket.socket | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        family = socket.AF_INET6 if ":" in self.trunk[0] else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_DGRAM)
        try:
            sock.setblocking(False)
            for option in (socket.SO_RCVBUF, socket.SO_SNDBUF):
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.SOL_SOCKET, option, UDP_BUFFER)  # the kernel caps the ask
            try:
                sock.bind(self.listen)
            except OSError as exc:
                raise OSError(
                    exc.errno, f"cannot bind SIP UDP socket on {self.listen[0]}:{self.listen[1]}: {exc}"
                ) from exc
            sock.connect(self.trunk)
        except BaseException:
            sock.close()
            raise
        self._sock = sock
        self._loop.add_reader(sock.fileno(), self._read_ready)

    def _read_ready(self) -> None:
        sock = self._sock
        if sock is None:
            return
        for _ in range(self.BATCH):
            try:
                data = sock.recv(65536)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                self.on_error(_describe(exc))
                continue
            self.on_message(data, self.send)

    def send(self, data: bytes, on_error: OnError | None = None) -> None:
        sock = self._sock
        if sock is None:
            if on_error:
                on_error("transport closed")
            return
        try:
            sock.send(data)
        except (BlockingIOError, InterruptedError):
            log.debug("SIP UDP send buffer full: a datagram dropped (retransmission covers requests)")
        except OSError as exc:
            reason = _describe(exc)
            if on_error:
                on_error(reason)
            else:
                self.on_error(reason)

    def close(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            if self._loop is not None:
                self._loop.remove_reader(sock.fileno())
            sock.close()


class _Stream(asyncio.Protocol):
    def __init__(self, on_message: OnMessage, on_lost: Callable[[_Stream], None]) -> None:
        self.framer = StreamFramer()
        self.on_message = on_message
        self.on_lost = on_lost
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        try:
            frames = self.framer.feed(data)
        except ParseError as exc:
            # Framing lost: whatever follows on this connection cannot be cut into messages.
            log.debug("closing a SIP stream: %s", exc)
            if self.transport is not None:
                self.transport.close()
            return
        for frame in frames:
            self.on_message(frame, self.reply)

    def reply(self, data: bytes) -> None:
        # Responses to requests go back on the connection they came in on (RFC 3261 18.2.2).
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self.on_lost(self)


class StreamTransport(Transport):
    """One persistent TCP or TLS connection to the trunk, reopened on the next send after a drop.

    Over TCP we also listen on our own address, because a trunk may open its own connection
    to our Contact for in-dialog requests.
    """

    reliable = True

    def __init__(
        self,
        listen: tuple[str, int],
        trunk: tuple[str, int],
        on_message: OnMessage,
        on_error: OnError,
        *,
        tls: bool = False,
        server_hostname: str = "",
        tls_verify: bool = True,
    ) -> None:
        self.listen = listen
        self.trunk = trunk
        self.on_message = on_message
        self.on_error = on_error
        self.via_name = "TLS" if tls else "TCP"
        self._ssl: ssl.SSLContext | None = None
        if tls:
            self._ssl = ssl.create_default_context()
            if not tls_verify:
                self._ssl.check_hostname = False
                self._ssl.verify_mode = ssl.CERT_NONE
        self._server_hostname = server_hostname
        self._conn: _Stream | None = None
        self._connecting: asyncio.Task[None] | None = None
        self._queue: list[tuple[bytes, OnError | None]] = []
        self._server: asyncio.Server | None = None
        self._incoming: set[_Stream] = set()
        self._closed = False

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        if self._ssl is None:
            try:
                self._server = await loop.create_server(
                    lambda: self._track(_Stream(self.on_message, self._incoming.discard)),
                    host=self.listen[0],
                    port=self.listen[1],
                    reuse_address=True,
                )
            except OSError as exc:
                raise OSError(
                    exc.errno, f"cannot listen for SIP TCP on {self.listen[0]}:{self.listen[1]}: {exc}"
                ) from exc
        self._ensure_connecting()

    def _track(self, stream: _Stream) -> _Stream:
        self._incoming.add(stream)
        return stream

    def _ensure_connecting(self) -> None:
        if self._connecting is None and not self._closed:
            self._connecting = asyncio.get_running_loop().create_task(self._connect())

    async def _connect(self) -> None:
        loop = asyncio.get_running_loop()
        host, port = self.trunk
        try:
            _, proto = await asyncio.wait_for(
                loop.create_connection(
                    lambda: _Stream(self.on_message, self._lost),
                    host,
                    port,
                    ssl=self._ssl,
                    server_hostname=(self._server_hostname or host) if self._ssl else None,
                ),
                timeout=10,
            )
        except (TimeoutError, OSError, ssl.SSLError) as exc:
            reason = _describe(exc)
            log.debug("SIP %s connection to %s:%s failed: %s", self.via_name, host, port, reason)
            queued, self._queue = self._queue, []
            self._connecting = None
            for _, on_error in queued:
                if on_error:
                    on_error(reason)
            return
        self._conn = proto
        self._connecting = None
        queued, self._queue = self._queue, []
        for data, on_error in queued:
            self.send(data, on_error)

    def _lost(self, stream: _Stream) -> None:
        if self._conn is stream:
            self._conn = None
            if not self._closed:
                log.debug("SIP %s connection to the trunk dropped", self.via_name)

    def send(self, data: bytes, on_error: OnError | None = None) -> None:
        if self._closed:
            if on_error:
                on_error("transport closed")
            return
        conn = self._conn
        if conn is not None and conn.transport is not None and not conn.transport.is_closing():
            conn.transport.write(data)
            return
        self._queue.append((data, on_error))
        self._ensure_connecting()

    def close(self) -> None:
        self._closed = True
        if self._connecting is not None:
            self._connecting.cancel()
        if self._conn is not None and self._conn.transport is not None:
            self._conn.transport.close()
        for stream in list(self._incoming):
            if stream.transport is not None:
                stream.transport.close()
        if self._server is not None:
            self._server.close()


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, asyncio.TimeoutError):
        return "connection timed out"
    return str(exc) or type(exc).__name__
