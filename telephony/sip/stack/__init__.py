"""A small asyncio SIP user agent client for the outbound dialer: it places calls to one trunk.

RFC 3261 UAC parts only: INVITE/ACK/CANCEL/BYE client transactions over UDP (with
retransmission), TCP or TLS, digest authentication, and in-dialog REFER with its NOTIFYs.
"""

from .ua import Call, CallFailed, RingTimeout, TrunkNotFound, UserAgent

__all__ = ["Call", "CallFailed", "RingTimeout", "TrunkNotFound", "UserAgent"]
