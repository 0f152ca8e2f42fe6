"""Test gateways: the simulator noting every call it places in a file (integration tests: "no attempt
placed twice"), and one that hands calls over like the SIP gateway."""

import os

from telephony.gateways.base import Gateway
from telephony.gateways.simulator import SimulatorGateway


class RecordingGateway(SimulatorGateway):
    name = "recording simulator"

    def place_call(self, request, report):
        path = os.environ.get("DIALER_RECORD_FILE")
        if path:
            # O_APPEND: one short write per line, safe across threads and processes.
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, f"{request.attempt_id} {os.getpid()}\n".encode())
            finally:
                os.close(fd)
        super().place_call(request, report)


class HandOverGateway(Gateway):
    """A backend that hands each call over and returns at once, as the SIP gateway does (unit tests)."""

    name = "hand-over"
    holds_call_thread = False
    handed: list = []

    def place_call(self, request, report):
        HandOverGateway.handed.append(request)
