"""SIP message parsing and building with plain str methods (no regex on the hot path)."""

from __future__ import annotations

import itertools
import os

# RFC 3261 7.3.3 compact header names, mapped to the lower-case long names used as keys.
COMPACT = {
    "i": "call-id",
    "f": "from",
    "t": "to",
    "v": "via",
    "m": "contact",
    "l": "content-length",
    "c": "content-type",
    "e": "content-encoding",
    "k": "supported",
    "s": "subject",
    "o": "event",
    "r": "refer-to",
    "u": "allow-events",
    "b": "referred-by",
}


class ParseError(ValueError):
    pass


class SipMessage:
    """A parsed request or response; headers are kept in arrival order and indexed by lower-case name."""

    __slots__ = ("body", "headers", "method", "reason", "status", "uri")

    def __init__(self) -> None:
        self.method = ""  # empty for a response
        self.uri = ""
        self.status = 0  # zero for a request
        self.reason = ""
        self.headers: dict[str, list[str]] = {}
        self.body = b""

    @property
    def is_request(self) -> bool:
        return self.status == 0

    def get(self, name: str, default: str = "") -> str:
        values = self.headers.get(name)
        return values[0] if values else default

    def all(self, name: str) -> list[str]:
        return self.headers.get(name, [])

    @property
    def call_id(self) -> str:
        return self.get("call-id")

    @property
    def cseq(self) -> tuple[int, str]:
        number, _, method = self.get("cseq").strip().partition(" ")
        return int(number), method.strip().upper()

    @property
    def top_branch(self) -> str:
        via = self.get("via")
        # Several Via values may share one line; only the first one is ours.
        return param(via.split(",", 1)[0], "branch")


def parse(data: bytes) -> SipMessage:
    """One whole message (a datagram, or one frame cut by StreamFramer)."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        head_bytes, body = data, b""
    else:
        head_bytes, body = data[:end], data[end + 4 :]
    head = head_bytes.decode("utf-8", "replace")
    lines = head.split("\r\n")
    while lines and not lines[0]:
        lines.pop(0)  # keep-alive CRLFs before a message
    if not lines:
        raise ParseError("empty message")
    msg = SipMessage()
    first = lines[0]
    if first.startswith("SIP/2.0 "):
        parts = first.split(" ", 2)
        try:
            msg.status = int(parts[1])
        except (IndexError, ValueError) as exc:
            raise ParseError(f"bad status line {first!r}") from exc
        if not 100 <= msg.status <= 699:
            raise ParseError(f"bad status {msg.status}")
        msg.reason = parts[2] if len(parts) > 2 else ""
    else:
        parts = first.split(" ")
        if len(parts) != 3 or parts[2] != "SIP/2.0" or not parts[0]:
            raise ParseError(f"bad request line {first!r}")
        msg.method, msg.uri = parts[0].upper(), parts[1]
    headers = msg.headers
    last: list[str] | None = None
    for line in itertools.islice(lines, 1, None):
        if not line:
            continue
        if line[0] in " \t":
            if last is not None:  # folded continuation line
                last[-1] += " " + line.strip()
            continue
        name, sep, value = line.partition(":")
        if not sep:
            raise ParseError(f"bad header line {line!r}")
        key = name.strip().lower()
        key = COMPACT.get(key, key)
        last = headers.setdefault(key, [])
        last.append(value.strip())
    length = headers.get("content-length")
    if length:
        n = _length(length[0])
        if len(body) < n:
            # A datagram cut short (RFC 3261 18.3); a stream frame always holds its whole body.
            raise ParseError(f"body of {len(body)} bytes, Content-Length {n}")
        body = body[:n]
    msg.body = body
    for required in ("call-id", "cseq", "from", "to", "via"):
        if required not in headers:
            raise ParseError(f"missing {required}")
    return msg


class StreamFramer:
    """Cuts a TCP/TLS byte stream into messages by Content-Length (RFC 3261 18.3).

    `feed` raises ParseError on a stream it cannot frame (bad or oversized Content-Length):
    the connection is then beyond repair and should be closed.
    """

    MAX_BUFFER = 1 << 20

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        buf = self._buf
        buf += data
        out: list[bytes] = []
        while True:
            # CRLF keep-alives (RFC 5626) between messages carry nothing.
            start = 0
            while buf.startswith(b"\r\n", start):
                start += 2
            if start:
                del buf[:start]
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                if len(buf) > self.MAX_BUFFER:
                    buf.clear()  # a peer that never ends its headers gets no memory from us
                return out
            length = content_length(bytes(buf[:end]))
            if length > self.MAX_BUFFER:
                buf.clear()
                raise ParseError(f"Content-Length {length} is over {self.MAX_BUFFER}")
            total = end + 4 + length
            if len(buf) < total:
                return out
            out.append(bytes(buf[:total]))
            del buf[:total]


def content_length(head: bytes) -> int:
    """The Content-Length of a message head, 0 without one; ParseError when it is no length."""
    for line in head.split(b"\r\n"):
        name, sep, value = line.partition(b":")
        if sep and name.strip().lower() in (b"content-length", b"l"):
            return _length(value.decode("latin-1"))
    return 0


def _length(value: str) -> int:
    value = value.strip()
    # Digits only (no sign), and few enough for int() and for any sane message.
    if not value.isdigit() or not value.isascii() or len(value) > 12:
        raise ParseError(f"bad Content-Length {value!r}")
    return int(value)


def param(header_value: str, name: str) -> str:
    """A ;name=value parameter of a header value (outside the <...> URI)."""
    gt = header_value.rfind(">")
    tail = header_value[gt + 1 :] if gt >= 0 else header_value
    for part in tail.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == name:
            return value.strip()
    return ""


def uri_of(header_value: str) -> str:
    """The URI of a name-addr (<...>) or addr-spec header value."""
    lt = header_value.find("<")
    if lt >= 0:
        gt = header_value.find(">", lt)
        return header_value[lt + 1 : gt if gt > lt else None]
    return header_value.split(";", 1)[0].strip()


def split_header_list(value: str) -> list[str]:
    """A comma-separated header value (Record-Route), with commas inside <...> or quotes kept."""
    items: list[str] = []
    depth = 0
    quoted = False
    start = 0
    for i, ch in enumerate(value):
        if ch == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif ch == "<":
            depth += 1
        elif ch == ">":
            depth -= 1
        elif ch == "," and depth == 0:
            items.append(value[start:i].strip())
            start = i + 1
    items.append(value[start:].strip())
    return [item for item in items if item]


def build(first_line: str, headers: list[tuple[str, str]], body: bytes = b"") -> bytes:
    """A message with Content-Length set from the body."""
    parts = [first_line]
    parts.extend(f"{name}: {value}" for name, value in headers)
    parts.append(f"Content-Length: {len(body)}")
    parts.append("")
    parts.append("")
    return "\r\n".join(parts).encode() + body


def response_to(request: SipMessage, status: int, reason: str, to_tag: str = "") -> list[tuple[str, str]]:
    """Headers of a response copied from the request (RFC 3261 8.2.6.2)."""
    headers = [("Via", via) for via in request.all("via")]
    to = request.get("to")
    if to_tag and not param(to, "tag"):
        to = f"{to};tag={to_tag}"
    headers += [
        ("From", request.get("from")),
        ("To", to),
        ("Call-ID", request.call_id),
        ("CSeq", request.get("cseq")),
    ]
    return headers


_prefix = os.urandom(4).hex()
_counter = itertools.count(1)


def new_token() -> str:
    """Unique enough for tags, branches and Call-IDs, without a syscall per value."""
    return f"{_prefix}{next(_counter):x}"


def new_branch() -> str:
    return "z9hG4bK" + new_token()
