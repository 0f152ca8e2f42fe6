"""The telephone's audio format, and converting to it with sox (Debian ``sox``, ``libsox-fmt-mp3`` for MP3).

Calls play 8 kHz mono 16-bit signed WAV (what the engine's media clock
encodes to G.711 as it is); recordings are converted once at upload, speech once when rendered.
"""

from __future__ import annotations

import re
import subprocess
import wave
from pathlib import Path

PHONE_RATE = 8000
PHONE_FORMAT = ["-r", str(PHONE_RATE), "-c", "1", "-b", "16", "-e", "signed-integer"]


class ConversionError(ValueError):
    """sox could not convert the file; the message says why, in a user's words."""


def to_phone_wav(
    source: Path, target: Path, *, source_type: str | None = None, max_seconds: int | None = None, timeout: int = 60
) -> float:
    """Convert ``source`` to the telephone's WAV at ``target``; returns its length in seconds.

    ``source_type`` is sox's name of the input format (``wav``, ``mp3``,
    ``ogg``), decided by content by the caller rather than by the file's name.
    ``max_seconds``: a longer recording is refused (it is cut one second past
    the limit first, so a huge file costs no more than that).
    """
    command = ["sox", "-V1"]
    if source_type:
        command += ["-t", source_type]
    command += [str(source), *PHONE_FORMAT, "-t", "wav", str(target)]
    if max_seconds:
        command += ["trim", "0", str(max_seconds + 1)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except FileNotFoundError:
        raise ConversionError("sox is not installed on the server (Debian package sox)") from None
    except subprocess.TimeoutExpired:
        raise ConversionError(f"converting took longer than {timeout} s") from None
    if done.returncode:
        reason = (done.stderr.strip().splitlines() or ["sox failed"])[-1]
        # sox names the temporary file; the user only needs what went wrong.
        reason = reason.replace(str(source), "the file").replace(str(target), "the output")
        if "no handler for file extension" in reason or "no handler for given file type" in reason:
            reason = f"this server's sox cannot read {source_type or 'this'} audio (install libsox-fmt-mp3 for MP3)"
        reason = reason.removeprefix("sox FAIL ").removeprefix("sox: ")
        reason = re.sub(r"^formats: can't open input file `the file': ", "", reason)
        raise ConversionError(reason[:300])
    try:
        with wave.open(str(target), "rb") as wav:
            seconds = wav.getnframes() / wav.getframerate()
    except (wave.Error, EOFError, FileNotFoundError):
        raise ConversionError("the converted audio is unreadable") from None
    if seconds <= 0:
        raise ConversionError("it holds no sound")
    if max_seconds and seconds > max_seconds:
        raise ConversionError(f"it is longer than {max_seconds // 60} minutes")
    return seconds
