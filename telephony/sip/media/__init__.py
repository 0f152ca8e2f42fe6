"""RTP audio for many concurrent calls in one asyncio loop (stdlib only).

One ``MediaClock`` ticks every packet time: it sends one packet per live ``RtpSession`` (the next
frame of its queued prompt, or silence) and drains every session's socket for RFC 2833 digits.

- ``g711``: μ-law and A-law encoding by lookup table, encoded prompts cached;
- ``sdp``: our offer and the reading of the far end's answer;
- ``clock``: ``MediaClock`` and ``RtpSession``.
"""

from telephony.sip.media.clock import MediaClock, RtpSession
from telephony.sip.media.errors import MediaError, NoFreePort

__all__ = ["MediaClock", "MediaError", "NoFreePort", "RtpSession"]
