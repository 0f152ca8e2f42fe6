"""What counts as an audio file a gateway can play: decided by content, not by name."""

from django.conf import settings
from django.core.exceptions import ValidationError

# Magic numbers of the formats telephony gateways play.
SIGNATURES = [
    ("audio/wav", lambda head: head[:4] == b"RIFF" and head[8:12] == b"WAVE"),
    ("audio/mpeg", lambda head: head[:3] == b"ID3" or (head[0] == 0xFF and head[1] & 0xE0 == 0xE0)),
    ("audio/ogg", lambda head: head[:4] == b"OggS"),
]


def sniff_audio(uploaded) -> str:
    """The content type of an uploaded recording, or a ValidationError saying what is wrong."""
    limit = settings.AUDIO_MAX_BYTES
    if uploaded.size > limit:
        raise ValidationError(
            f"“{uploaded.name}” is {uploaded.size / 1e6:.1f} MB; recordings may be at most {limit / 1e6:.0f} MB."
        )
    uploaded.seek(0)
    head = uploaded.read(16)
    uploaded.seek(0)
    if len(head) >= 12:
        for content_type, matches in SIGNATURES:
            if matches(head):
                return content_type
    raise ValidationError(f"“{uploaded.name}” is not a WAV, MP3 or OGG recording.")
