"""Client transactions (RFC 3261 17.1): retransmission and timeout with one TimerHandle each."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

from .message import SipMessage

if TYPE_CHECKING:
    from .transport import Transport

T1 = 0.5
T2 = 4.0
TIMER_B = 64 * T1  # also timer F, and how long a finished INVITE transaction absorbs retransmitted finals

CALLING, PROCEEDING, COMPLETED, TERMINATED = range(4)

OnResponse = Callable[[SipMessage], None]
OnFailure = Callable[[int | None, str], None]


class ClientTransaction:
    """Keyed by (top Via branch, CSeq method) so that a CANCEL, which shares the INVITE's branch, is apart."""

    __slots__ = (
        "ack",
        "data",
        "deadline",
        "handle",
        "interval",
        "key",
        "loop",
        "method",
        "on_failure",
        "on_response",
        "state",
        "table",
        "transport",
    )

    def __init__(
        self,
        table: dict[tuple[str, str], ClientTransaction],
        transport: Transport,
        branch: str,
        method: str,
        data: bytes,
        on_response: OnResponse,
        on_failure: OnFailure,
    ) -> None:
        self.table = table
        self.transport = transport
        self.key = (branch, method)
        self.method = method
        self.data = data
        self.on_response = on_response
        self.on_failure = on_failure
        self.state = CALLING
        self.ack: bytes | None = None  # sent again for every retransmitted final response
        self.handle: asyncio.TimerHandle | None = None
        self.interval = T1
        self.deadline = 0.0
        self.loop = asyncio.get_running_loop()

    def start(self) -> None:
        self.table[self.key] = self
        now = self.loop.time()
        self.deadline = now + TIMER_B
        first = self.deadline if self.transport.reliable else now + T1
        self.handle = self.loop.call_at(first, self._fire)
        self.transport.send(self.data, self.transport_failed)

    def _fire(self) -> None:
        self.handle = None
        if self.state >= COMPLETED:
            return
        now = self.loop.time()
        if now >= self.deadline - 0.01:
            self.fail(408, "Request Timeout")
            return
        self.transport.send(self.data)
        if self.method == "INVITE":
            self.interval *= 2
        else:
            self.interval = min(self.interval * 2, T2)
        self.handle = self.loop.call_at(min(now + self.interval, self.deadline), self._fire)

    def receive(self, msg: SipMessage) -> None:
        if self.state >= COMPLETED:
            if msg.status >= 200 and self.ack is not None:
                self.transport.send(self.ack)
            return
        if msg.status < 200:
            if self.state == CALLING:
                self.state = PROCEEDING
                if self.method == "INVITE":
                    # Proceeding INVITEs neither retransmit nor time out (17.1.1.2): the caller's ring timeout rules.
                    self._cancel_timer()
                else:
                    self.interval = T2
            self.on_response(msg)
            return
        self.state = COMPLETED
        self._cancel_timer()
        if self.method == "INVITE":
            self.handle = self.loop.call_later(TIMER_B, self.remove)
        else:
            self.remove()
        self.on_response(msg)

    def transport_failed(self, reason: str) -> None:
        if self.state == CALLING:
            self.fail(None, reason)

    def fail(self, status: int | None, reason: str) -> None:
        self.state = TERMINATED
        self._cancel_timer()
        self.remove()
        self.on_failure(status, reason)

    def remove(self) -> None:
        self.state = max(self.state, COMPLETED)
        if self.table.get(self.key) is self:
            del self.table[self.key]

    def stop(self) -> None:
        self.state = TERMINATED
        self._cancel_timer()
        self.remove()

    def _cancel_timer(self) -> None:
        if self.handle is not None:
            self.handle.cancel()
            self.handle = None
