"""Text to speech behind a small interface; espeak-ng by default, rendered audio cached by text and voice.

Every rendering is an 8 kHz mono 16-bit WAV (the telephone's format), so the
engine plays it as it is.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string

from telephony.audio import ConversionError, to_phone_wav


class TTSError(RuntimeError):
    pass


class TTS:
    """Renders ``text`` in ``voice`` to a WAV file at ``path``."""

    name = "tts"

    def render(self, text: str, voice: str, path: Path) -> None:
        raise NotImplementedError

    def voices(self) -> dict[str, str] | None:
        """The voices it speaks (code → name) for the app form's choice; None: unknown, any code is taken."""
        return None


class EspeakTTS(TTS):
    name = "espeak-ng"

    def render(self, text: str, voice: str, path: Path) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            raw = Path(tmp) / "raw.wav"
            command = ["espeak-ng", "-v", voice or "en", "-w", str(raw), "--", text]
            done = subprocess.run(command, capture_output=True, text=True, timeout=60)
            if done.returncode:
                raise TTSError(f"espeak-ng failed: {done.stderr.strip()[:200]}")
            try:
                to_phone_wav(raw, path, source_type="wav")
            except ConversionError as exc:
                raise TTSError(f"sox failed: {exc}") from None

    def voices(self) -> dict[str, str] | None:
        return espeak_voices()


@lru_cache(maxsize=1)
def espeak_voices() -> dict[str, str] | None:
    """espeak-ng's languages (code → name), None when espeak-ng cannot be run here."""
    try:
        done = subprocess.run(["espeak-ng", "--voices"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    voices: dict[str, str] = {}
    also: dict[str, tuple[int, str]] = {}  # a short code ("en", "fr") names its best voice in "(en 2)"
    for line in done.stdout.splitlines()[1:]:
        fields = line.split()
        if len(fields) >= 4:
            name = fields[3].replace("_", " ")
            voices[fields[1]] = name
            for code, priority in re.findall(r"\((\S+) (\d+)\)", line):
                if code not in also or int(priority) < also[code][0]:
                    also[code] = (int(priority), name)
    for code, (_, name) in also.items():
        voices.setdefault(code, name)
    return voices or None


def cache_path(text: str, voice: str, engine: str) -> Path:
    key = hashlib.sha256(f"{engine}\0{voice}\0{text}".encode()).hexdigest()
    return Path(settings.SIP_TTS_CACHE_DIR) / f"{key}.wav"


def tts_engine() -> TTS:
    return import_string(settings.SIP_TTS)()


def speech(text: str, voice: str = "") -> Path:
    """The WAV of ``text`` spoken in ``voice`` (empty: ``SIP_TTS_VOICE``), rendered once, then read from the cache."""
    tts = tts_engine()
    voice = voice or settings.SIP_TTS_VOICE
    path = cache_path(text, voice, tts.name)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".part.wav", delete=False) as partial:
            pass  # a name of its own: two calls may render the same text at once
        tts.render(text, voice, Path(partial.name))
        Path(partial.name).replace(path)
    return path
