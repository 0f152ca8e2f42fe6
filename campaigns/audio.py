"""What counts as an audio file a gateway can play: decided by content, not by name; and its
telephone version, made once at upload (a recording sox cannot convert is refused there, not
at call time), which the SIP engine plays."""

import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile

from telephony.audio import ConversionError, to_phone_wav

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


SOX_TYPES = {"audio/wav": "wav", "audio/mpeg": "mp3", "audio/ogg": "ogg"}


def phone_version(uploaded, content_type: str) -> ContentFile:
    """The upload converted to the telephone's format (8 kHz mono 16-bit WAV), named beside the original.

    A ValidationError saying why when it cannot be converted: the step that
    would play it is refused at upload, never silent at call time.
    """
    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp) / "upload", Path(tmp) / "phone.wav"
        uploaded.seek(0)
        with source.open("wb") as out:
            for chunk in uploaded.chunks():
                out.write(chunk)
        uploaded.seek(0)
        try:
            to_phone_wav(
                source,
                target,
                source_type=SOX_TYPES.get(content_type),
                max_seconds=settings.AUDIO_MAX_SECONDS,
                timeout=settings.AUDIO_CONVERT_TIMEOUT,
            )
        except ConversionError as exc:
            raise ValidationError(
                f"“{uploaded.name}” cannot be converted for calls: {exc}. "
                "Upload a WAV, MP3 or OGG recording that plays."
            ) from None
        stem = Path(uploaded.name).stem or "recording"
        return ContentFile(target.read_bytes(), name=f"{stem}.phone.wav")


@dataclass(frozen=True)
class Recording:
    """An uploaded recording that passed the checks, with its telephone version: what an audio file stores."""

    original: UploadedFile
    content_type: str
    size: int
    phone_file: ContentFile


def recording_from_upload(uploaded: UploadedFile) -> Recording:
    """The one way an upload becomes a recording (dashboard, API and admin alike): its type by content,
    its size, and its telephone version; a ValidationError saying why when any of them fails."""
    content_type = sniff_audio(uploaded)
    return Recording(
        original=uploaded,
        content_type=content_type,
        size=uploaded.size or 0,
        phone_file=phone_version(uploaded, content_type),
    )


def phone_audio_path(audio_id: int) -> str:
    """The local path of a recording's telephone version (the SIP engine plays it); LookupError when there is none."""
    from django.core.files.storage import default_storage

    from campaigns.models import AudioFile

    name = AudioFile.objects.filter(pk=audio_id).values_list("phone_file", flat=True).first()
    if not name:
        raise LookupError(f"audio file {audio_id} is gone or has no telephone version (upload it again)")
    return default_storage.path(name)
