"""The interface every call-origination backend implements.

A backend places a call and reports what happens to it — asynchronously, from
whatever thread or process learns it — through one idempotent reporter (the
dialer's ``campaigns.dialer.calls.attempt_report``). The reporter is keyed by
the attempt, so a backend may repeat a report (a retried webhook, a SIP
re-INVITE) without changing anything the second time.

Events:
- ``answered``: the subscriber picked up (``at``);
- ``ended``: the call is over, with its SIP-style ``cause`` code (one of
  ``campaigns.causes.CAUSES``), ``duration`` in seconds from answer to end
  (0 when never answered) and the ``digits`` the subscriber pressed.

``place_call`` must not raise for a call that fails: a failure is an
``ended`` report with a failure cause. It may return before the call ends
(a SIP backend hands the call to its stack and reports from callbacks;
``holds_call_thread = False``) or after (the simulator plays the call out in
the worker's thread).
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CallRequest:
    attempt_id: int
    a_number: str
    b_number: str
    attempt_number: int
    scenario: list = field(default_factory=list)


@dataclass(frozen=True)
class CallEvent:
    attempt_id: int
    event: str  # "answered" | "ended"
    cause: str = ""
    duration: int = 0
    digits: str = ""
    transfer: str = ""  # what the peer answered to a transfer step ("" when none ran)


Reporter = Callable[[CallEvent], None]


class Gateway(abc.ABC):
    name: str = "gateway"
    # True: ``place_call`` holds the worker's call thread until the call ends (the simulator),
    # so calls in progress count against ``DIALER_CALL_THREADS``. False: it hands the call to
    # something else (the SIP engine) and returns at once; whoever places it marks the attempt
    # dialled (``attempt_dial``), and only the claims not yet dialled count against the threads.
    holds_call_thread: bool = True

    @abc.abstractmethod
    def place_call(self, request: CallRequest, report: Reporter) -> None:
        """Originate ``request``; report its ``answered`` and ``ended`` events through ``report``."""
