"""G.711 μ-law and A-law encoding of 16-bit PCM, by lookup in tables built once at import.

The tables follow the ITU reference coder (the one CPython's ``audioop`` uses), so a sweep of every
16-bit sample gives the same bytes as ``audioop.lin2ulaw`` and ``audioop.lin2alaw``.
"""

from __future__ import annotations

import asyncio
import sys
from array import array
from collections import OrderedDict
from collections.abc import Callable
from itertools import chain

PCMU, PCMA = "pcmu", "pcma"
PAYLOAD_TYPES = {PCMU: 0, PCMA: 8}
CODEC_OF_PAYLOAD_TYPE = {pt: codec for codec, pt in PAYLOAD_TYPES.items()}
RTPMAP_NAMES = {PCMU: "PCMU", PCMA: "PCMA"}
SILENCE = {PCMU: 0xFF, PCMA: 0xD5}

_ULAW_SEGMENT_ENDS = (0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF)
_ALAW_SEGMENT_ENDS = (0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF)


def _segment(value: int, ends: tuple[int, ...]) -> int:
    for index, end in enumerate(ends):
        if value <= end:
            return index
    return len(ends)


def _ulaw(sample: int) -> int:
    value = sample >> 2  # the reference coder works on 14 bits
    if value < 0:
        value, mask = -value, 0x7F
    else:
        mask = 0xFF
    value = min(value, 8159) + 33
    segment = _segment(value, _ULAW_SEGMENT_ENDS)
    if segment >= 8:
        return 0x7F ^ mask
    return ((segment << 4) | ((value >> (segment + 1)) & 0xF)) ^ mask


def _alaw(sample: int) -> int:
    value = sample >> 3  # 13 bits for A-law
    if value >= 0:
        mask = 0xD5
    else:
        mask, value = 0x55, -value - 1
    segment = _segment(value, _ALAW_SEGMENT_ENDS)
    if segment >= 8:
        return 0x7F ^ mask
    shift = 1 if segment < 2 else segment
    return ((segment << 4) | ((value >> shift) & 0xF)) ^ mask


def _table(law: Callable[[int], int], dropped_bits: int) -> bytes:
    """Indexed by a sample's unsigned 16-bit pattern, so raw PCM read as array('H') indexes it directly.

    The coder ignores the low bits, so it runs once per distinct value and each result is repeated.
    """
    step = 1 << dropped_bits
    values = [*range(0, 0x8000, step), *range(-0x8000, 0, step)]
    coded = bytes(law(value) for value in values)
    return bytes(chain.from_iterable(zip(*[coded] * step, strict=True)))


TABLES = {PCMU: _table(_ulaw, 2), PCMA: _table(_alaw, 3)}


def encode(pcm: bytes, codec: str) -> bytes:
    """16-bit little-endian signed mono PCM to G.711 bytes, one per sample."""
    if len(pcm) % 2:
        raise ValueError("16-bit PCM must have an even number of bytes")
    samples = array("H")
    samples.frombytes(pcm)
    if sys.byteorder == "big":
        samples.byteswap()
    return bytes(map(TABLES[codec].__getitem__, samples))


_FRAMES: OrderedDict[tuple[str, int, bytes], tuple[bytes, ...]] = OrderedDict()
_FRAMES_KEPT = 32  # prompts repeat across calls; a few dozen distinct ones cover a campaign's scenarios
# PCM bytes encoded between two yields to the event loop: one second of audio. A long prompt encoded
# in one go would hold the loop past a packet time and delay every call's next packet.
_SLICE = 16000


async def frames(pcm: bytes, codec: str, samples_per_frame: int) -> tuple[bytes, ...]:
    """The encoded frames of a prompt, the last one padded with silence; repeated prompts come from a cache.

    Keyed by the PCM itself: bytes cache their hash, and a hit costs one comparison, never a wrong prompt.
    """
    key = (codec, samples_per_frame, pcm)
    cached = _FRAMES.get(key)
    if cached is not None:
        _FRAMES.move_to_end(key)
        return cached
    if len(pcm) % 2:
        raise ValueError("16-bit PCM must have an even number of bytes")
    parts = []
    for at in range(0, len(pcm), _SLICE):
        parts.append(encode(pcm[at : at + _SLICE], codec))
        await asyncio.sleep(0)
    encoded = b"".join(parts)
    tail = len(encoded) % samples_per_frame
    if tail:
        encoded += bytes((SILENCE[codec],)) * (samples_per_frame - tail)
    result = tuple(encoded[at : at + samples_per_frame] for at in range(0, len(encoded), samples_per_frame))
    _FRAMES[key] = result
    if len(_FRAMES) > _FRAMES_KEPT:
        _FRAMES.popitem(last=False)
    return result
