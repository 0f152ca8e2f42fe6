import asyncio
import struct
import warnings

import pytest

from telephony.sip.media import g711
from telephony.sip.media.tests.test_clock import TONE, run_apart

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop

EVERY_SAMPLE = struct.pack("<65536h", *range(-32768, 32768))


@pytest.mark.parametrize(("codec", "reference"), [("pcmu", audioop.lin2ulaw), ("pcma", audioop.lin2alaw)])
def test_every_16_bit_sample_encodes_as_the_reference_coder(codec, reference):
    assert g711.encode(EVERY_SAMPLE, codec) == reference(EVERY_SAMPLE, 2)


@pytest.mark.parametrize(
    ("sample", "ulaw", "alaw"),
    [(0, 0xFF, 0xD5), (-1, 0x7E, 0x55), (32767, 0x80, 0xAA), (-32768, 0x00, 0x2A), (1000, 0xCE, 0xFA)],
)
def test_known_values(sample, ulaw, alaw):
    pcm = struct.pack("<h", sample)
    assert (g711.encode(pcm, "pcmu"), g711.encode(pcm, "pcma")) == (bytes([ulaw]), bytes([alaw]))


def test_silence_is_the_code_of_zero():
    zero = bytes(2)
    assert [g711.encode(zero, codec)[0] for codec in ("pcmu", "pcma")] == [g711.SILENCE["pcmu"], g711.SILENCE["pcma"]]


@run_apart
async def test_the_last_frame_is_padded_with_silence():
    pcm = struct.pack("<5h", 1000, 1000, 1000, 1000, 1000)
    assert await g711.frames(pcm, "pcma", 4) == (b"\xfa" * 4, b"\xfa" + b"\xd5" * 3)


@run_apart
async def test_a_repeated_prompt_is_encoded_once():
    pcm = bytes(range(200)) * 16
    first = await g711.frames(pcm, "pcmu", 160)
    assert await g711.frames(bytes(pcm), "pcmu", 160) is first  # an equal copy hits the cache as well
    assert await g711.frames(pcm, "pcma", 160) is not first


@run_apart
async def test_a_long_prompt_is_encoded_in_slices_that_let_the_clock_tick():
    pcm = TONE * 5  # 5 s: a new prompt, not cached
    ticks = 0

    async def clock():
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    ticking = asyncio.create_task(clock())
    await asyncio.sleep(0)
    encoded = await g711.frames(pcm, "pcmu", 160)
    ticking.cancel()
    assert b"".join(encoded) == g711.encode(pcm, "pcmu")
    assert ticks >= 5  # the loop ran between the slices, not once after the whole prompt


def test_odd_length_pcm_is_refused():
    with pytest.raises(ValueError, match="even"):
        g711.encode(b"\x00\x01\x02", "pcmu")
