"""Text to speech behind a small interface; espeak-ng by default, rendered audio cached by text and voice.

Every rendering is an 8 kHz mono 16-bit WAV (the telephone's format), so the
engine plays it as it is.
"""

from __future__ import annotations

import hashlib
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string

PHONE_FORMAT = ["-r", "8000", "-c", "1", "-b", "16"]


class TTSError(RuntimeError):
    pass


class TTS:
    """Renders ``text`` in ``voice`` to a WAV file at ``path``."""

    name = "tts"

    def render(self, text: str, voice: str, path: Path) -> None:
        raise NotImplementedError


class EspeakTTS(TTS):
    name = "espeak-ng"

    def render(self, text: str, voice: str, path: Path) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            raw = Path(tmp) / "raw.wav"
            for command in (
                ["espeak-ng", "-v", voice or "en", "-w", str(raw), "--", text],
                ["sox", str(raw), *PHONE_FORMAT, str(path)],
            ):
                done = subprocess.run(command, capture_output=True, text=True, timeout=60)
                if done.returncode:
                    raise TTSError(f"{command[0]} failed: {done.stderr.strip()[:200]}")


def cache_path(text: str, voice: str, engine: str) -> Path:
    key = hashlib.sha256(f"{engine}\0{voice}\0{text}".encode()).hexdigest()
    return Path(settings.SIP_TTS_CACHE_DIR) / f"{key}.wav"


def speech(text: str, voice: str = "") -> Path:
    """The WAV of ``text`` spoken in ``voice``, rendered once and then read from the cache."""
    tts: TTS = import_string(settings.SIP_TTS)()
    voice = voice or settings.SIP_TTS_VOICE
    path = cache_path(text, voice, tts.name)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".part.wav", delete=False) as partial:
            pass  # a name of its own: two calls may render the same text at once
        tts.render(text, voice, Path(partial.name))
        Path(partial.name).replace(path)
    return path
