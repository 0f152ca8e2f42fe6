"""The simulator, noting every call it places in a file (integration tests: "no attempt placed twice")."""

import os

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
