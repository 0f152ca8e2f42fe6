"""Call-origination backends behind one interface (see ``base``); the simulator is the default.

``get_gateway()`` returns the backend named by ``settings.DIALER_GATEWAY``.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string

from telephony.gateways.base import CallEvent, CallRequest, Gateway, Reporter

__all__ = ["CallEvent", "CallRequest", "Gateway", "Reporter", "get_gateway"]


# Short names for DIALER_GATEWAY; a class path works too.
GATEWAYS = {
    "simulator": "telephony.gateways.simulator.SimulatorGateway",
    "sip": "telephony.gateways.sip.SipGateway",
}


@lru_cache(maxsize=4)
def _gateway(path: str) -> Gateway:
    gateway: Gateway = import_string(GATEWAYS.get(path, path))()
    return gateway


def get_gateway() -> Gateway:
    return _gateway(settings.DIALER_GATEWAY)
