"""Client transactions (RFC 3261 17.1): retransmission and timeout with one TimerHandle each."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from .message import SipMessage

if TYPE_CHECKING:
    from .transport import Transport

log = logging.getLogger(__name__)
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
            self._deliver(msg)
            return
        self.state = COMPLETED
        self._cancel_timer()
        if self.method == "INVITE":
            self.handle = self.loop.call_later(TIMER_B, self.remove)
        else:
            self.remove()
        if not self._deliver(msg):
            # Whoever waits for this final response must not wait forever (nor ring on after a 2xx).
            self.on_failure(500, f"error handling the {msg.status} response")

    def _deliver(self, msg: SipMessage) -> bool:
        try:
            self.on_response(msg)
        except Exception:
            log.debug("error handling %s to %s", msg.status, self.method, exc_info=True)
            return False
        return True

    def cancelled(self) -> None:
        """Our CANCEL went out: without a final response in 64*T1 the INVITE transaction ends (RFC 3261 9.1)."""
        if self.method == "INVITE" and self.state == PROCEEDING and self.handle is None:
            self.handle = self.loop.call_later(TIMER_B, self.fail, 408, "No final response after CANCEL")

    def transport_failed(self, reason: str) -> None:
        # Over UDP an ICMP error may belong to any earlier datagram: a non-INVITE request keeps
        # retransmitting until timer F rather than fail on a neighbour's error.
        if self.state == CALLING and (self.method == "INVITE" or self.transport.reliable):
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
