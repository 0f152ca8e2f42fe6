"""The SDP of one audio stream: our offer (RFC 4566, RFC 3264) and what we need from the far end's answer."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from telephony.sip.media.errors import MediaError
from telephony.sip.media.g711 import CODEC_OF_PAYLOAD_TYPE, PAYLOAD_TYPES, RTPMAP_NAMES

EVENT_PAYLOAD_TYPE = 101  # what we offer; the answer may name another dynamic type


def payload_types(codecs: tuple[str, ...]) -> tuple[int, ...]:
    """Our payload types for codec names, in the caller's order of preference."""
    if not codecs:
        raise MediaError("no codec to offer")
    chosen: list[int] = []
    for codec in codecs:
        pt = PAYLOAD_TYPES.get(codec.lower())
        if pt is None:
            raise MediaError(f"codec {codec!r} is not supported (only {', '.join(PAYLOAD_TYPES)})")
        if pt not in chosen:
            chosen.append(pt)
    return tuple(chosen)


def offer(*, host: str, port: int, payload_types: tuple[int, ...], ptime_ms: int, session_id: int) -> str:
    formats = " ".join(str(pt) for pt in (*payload_types, EVENT_PAYLOAD_TYPE))
    lines = [
        "v=0",
        f"o=- {session_id} {session_id} IN IP4 {host}",
        "s=-",
        f"c=IN IP4 {host}",
        "t=0 0",
        f"m=audio {port} RTP/AVP {formats}",
        *(f"a=rtpmap:{pt} {RTPMAP_NAMES[CODEC_OF_PAYLOAD_TYPE[pt]]}/8000" for pt in payload_types),
        f"a=rtpmap:{EVENT_PAYLOAD_TYPE} telephone-event/8000",
        f"a=fmtp:{EVENT_PAYLOAD_TYPE} 0-16",
        f"a=ptime:{ptime_ms}",
        "a=sendrecv",
    ]
    return "\r\n".join(lines) + "\r\n"


@dataclass(frozen=True)
class Answer:
    address: str
    port: int
    payload_type: int  # 0 (PCMU) or 8 (PCMA)
    codec: str
    event_payload_type: int | None  # None: the far end sends no RFC 2833 events


def _connection_address(value: str) -> str:
    parts = value.split()
    if len(parts) != 3 or parts[0] != "IN":
        raise MediaError(f"unreadable c= line {value!r}")
    if parts[1] != "IP4":
        raise MediaError(f"c= address type {parts[1]} is not supported (IPv4 only)")
    address = parts[2].split("/", 1)[0]  # a multicast TTL suffix
    try:
        ipaddress.IPv4Address(address)
    except ValueError:
        raise MediaError(f"c= address {address!r} is not an IPv4 address") from None
    if address == "0.0.0.0":
        raise MediaError("c= address 0.0.0.0: the far end holds the stream (RFC 2543 hold)")
    return address


def parse_answer(sdp: str, offered: tuple[int, ...]) -> Answer:
    """The far end's address, port, codec and telephone-event type from its SDP answer, or MediaError."""
    session_address: str | None = None
    media: list[tuple[int, list[int], str | None, dict[int, str]]] = []  # port, formats, c= address, rtpmaps
    in_audio = in_other = False
    for raw in sdp.splitlines():
        line = raw.strip()
        if len(line) < 2 or line[1] != "=":
            continue
        kind, value = line[0], line[2:].strip()
        if kind == "m":
            fields = value.split()
            in_audio = len(fields) >= 4 and fields[0] == "audio" and fields[2].startswith("RTP/AVP")
            in_other = not in_audio
            if in_audio:
                try:
                    port = int(fields[1].split("/", 1)[0])
                    formats = [int(field) for field in fields[3:]]
                except ValueError:
                    raise MediaError(f"unreadable m= line {value!r}") from None
                media.append((port, formats, None, {}))
        elif kind == "c":
            if in_audio:
                port, formats, _, rtpmaps = media[-1]
                media[-1] = (port, formats, _connection_address(value), rtpmaps)
            elif not in_other:
                session_address = _connection_address(value)
        elif kind == "a" and in_audio and value.startswith("rtpmap:"):
            head, _, encoding = value[len("rtpmap:") :].partition(" ")
            try:
                media[-1][3][int(head)] = encoding.strip().lower()
            except ValueError:
                raise MediaError(f"unreadable a=rtpmap line {value!r}") from None
    if not media:
        raise MediaError("the answer has no m=audio line")
    port, formats, address, rtpmaps = media[0]
    if port == 0:
        raise MediaError("the answer rejected the audio stream (m=audio port 0)")
    if not 0 < port < 65536:
        raise MediaError(f"m=audio port {port} is out of range")
    address = address or session_address
    if address is None:
        raise MediaError("the answer has no c= line for its audio")
    payload_type = next((pt for pt in formats if pt in offered and _is_ours(pt, rtpmaps)), None)
    if payload_type is None:
        names = ", ".join(RTPMAP_NAMES[CODEC_OF_PAYLOAD_TYPE[pt]] for pt in offered)
        raise MediaError(f"no common codec: we offered {names}, the answer has formats {formats}")
    event = next((pt for pt in formats if rtpmaps.get(pt, "").startswith("telephone-event/8000")), None)
    return Answer(address, port, payload_type, CODEC_OF_PAYLOAD_TYPE[payload_type], event)


def _is_ours(pt: int, rtpmaps: dict[int, str]) -> bool:
    # Static types need no rtpmap; one that is there must agree.
    mapped = rtpmaps.get(pt)
    return mapped is None or mapped.startswith(RTPMAP_NAMES[CODEC_OF_PAYLOAD_TYPE[pt]].lower() + "/8000")
