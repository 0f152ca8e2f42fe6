"""The media package's errors, apart so every module can raise them without importing the clock."""


class MediaError(Exception):
    """An SDP answer we cannot use, a bad prompt, a session used out of turn; the message says what."""


class NoFreePort(MediaError):
    """Every RTP port of the clock's range is taken."""
