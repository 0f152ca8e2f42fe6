"""What the end of a SIP call becomes in the cause table (campaigns/causes.py)."""

from __future__ import annotations

from campaigns.causes import CAUSES

ANSWERED = "200"
RING_TIMEOUT = "408"  # our own CANCEL when nobody answered within SIP_RING_TIMEOUT
GATEWAY_FAILURE = "500"  # a transport error or a reason without a code


def cause_of_failure(status: int | None, *, ring_timeout: bool = False) -> str:
    """The cause code of a call that was never answered.

    ``status`` is the far end's final response (486, 603, ...), None when the
    call failed without one (a transport error: the gateway failed). A final
    response the table lacks counts by its class: 4xx/5xx as a server error,
    6xx as declined.
    """
    if ring_timeout:
        return RING_TIMEOUT
    if status is None:
        return GATEWAY_FAILURE
    code = str(status)
    if code in CAUSES:
        return code
    if 600 <= status < 700:
        return "603"
    return GATEWAY_FAILURE
