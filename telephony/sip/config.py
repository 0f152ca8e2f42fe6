"""The ``SIP_*`` settings, read and checked in one place; a mistake is one line naming the setting."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, TypeGuard, get_args

from django.conf import settings

TRUNK = re.compile(
    r"^sip:(?P<host>[A-Za-z0-9.\-]+|\[[0-9A-Fa-f:]+\])(?::(?P<port>\d{1,5}))?(?P<params>(;[^;=\s]+=[^;\s]+)*)$"
)
Transport = Literal["udp", "tcp", "tls"]
TRANSPORTS: tuple[Transport, ...] = get_args(Transport)
CODECS = {"PCMU": "pcmu", "PCMA": "pcma"}


def _is_transport(value: str) -> TypeGuard[Transport]:
    return value in TRANSPORTS


class SipConfigError(ValueError):
    """A ``SIP_*`` setting is wrong; the message names it and says what is expected."""


@dataclass(frozen=True)
class SipConfig:
    host: str
    port: int
    transport: Transport
    username: str
    password: str
    listen_host: str
    listen_port: int
    rtp_ports: tuple[int, int]
    ring_timeout: int
    codecs: tuple[str, ...]
    ptime: int = 20
    dials_in_flight: int = 20
    database_threads: int = 6

    @property
    def target(self) -> str:
        """The trunk as host:port for request URIs."""
        return f"{self.host}:{self.port}"

    def uri(self, user: str) -> str:
        return f"sip:{user}@{self.target};transport={self.transport}"


def _port(value: int, name: str) -> int:
    if not 1 <= value <= 65535:
        raise SipConfigError(f"{name}: port {value} is outside 1-65535")
    return value


def sip_config() -> SipConfig:
    """The engine's settings, checked; raises SipConfigError naming the first wrong setting."""
    trunk = (settings.SIP_TRUNK or "").strip()
    match = TRUNK.match(trunk)
    if not match:
        raise SipConfigError(
            f"SIP_TRUNK: {trunk!r} is not a SIP URI like sip:127.0.0.1:5070 or sip:carrier.example:5060;transport=tcp"
        )
    params = dict(p.split("=", 1) for p in match["params"].split(";") if p)
    transport = params.get("transport", "udp").lower()
    if not _is_transport(transport):
        raise SipConfigError(f"SIP_TRUNK: transport {transport!r} is not one of {', '.join(TRANSPORTS)}")
    listen_host, _, listen_port = (settings.SIP_LISTEN or "").rpartition(":")
    if not listen_host or not listen_port.isdigit():
        raise SipConfigError(f"SIP_LISTEN: {settings.SIP_LISTEN!r} is not address:port, e.g. 127.0.0.1:5060")
    low, _, high = (settings.SIP_RTP_PORTS or "").partition("-")
    if not (low.isdigit() and high.isdigit() and int(low) + 1 < int(high)):
        raise SipConfigError(f"SIP_RTP_PORTS: {settings.SIP_RTP_PORTS!r} is not a range like 20000-20999")
    codecs = tuple(c.strip().upper() for c in settings.SIP_CODECS.split(",") if c.strip())
    unknown = [c for c in codecs if c not in CODECS]
    if not codecs or unknown:
        raise SipConfigError(f"SIP_CODECS: {settings.SIP_CODECS!r}; use a list of {', '.join(CODECS)}")
    if settings.SIP_RING_TIMEOUT < 1:
        raise SipConfigError(f"SIP_RING_TIMEOUT: {settings.SIP_RING_TIMEOUT} must be at least 1 second")
    if not 10 <= settings.SIP_PTIME <= 60 or settings.SIP_PTIME % 10:
        raise SipConfigError(f"SIP_PTIME: {settings.SIP_PTIME} must be 10, 20, 30, 40, 50 or 60 (ms)")
    if settings.SIP_DIALS_IN_FLIGHT < 1:
        raise SipConfigError(f"SIP_DIALS_IN_FLIGHT: {settings.SIP_DIALS_IN_FLIGHT} must be at least 1")
    if settings.SIP_DATABASE_THREADS < 1:
        raise SipConfigError(f"SIP_DATABASE_THREADS: {settings.SIP_DATABASE_THREADS} must be at least 1")
    return SipConfig(
        host=match["host"],
        port=_port(int(match["port"] or (5061 if transport == "tls" else 5060)), "SIP_TRUNK"),
        transport=transport,
        username=settings.SIP_USERNAME,
        password=settings.SIP_PASSWORD,
        listen_host=listen_host,
        listen_port=_port(int(listen_port), "SIP_LISTEN"),
        rtp_ports=(_port(int(low), "SIP_RTP_PORTS"), _port(int(high), "SIP_RTP_PORTS")),
        ring_timeout=settings.SIP_RING_TIMEOUT,
        codecs=tuple(CODECS[c] for c in codecs),
        ptime=settings.SIP_PTIME,
        dials_in_flight=settings.SIP_DIALS_IN_FLIGHT,
        database_threads=settings.SIP_DATABASE_THREADS,
    )
