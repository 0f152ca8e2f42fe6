"""The embedded set-up's broker: kombu's file-folder transport without its read-before-write race.

Upstream, a message file is created under its final ``*.msg`` name and then
written, so a consumer listing the folder in between moves and reads an empty
file and dies on ``JSONDecodeError`` (``make run`` lost its worker that way).
Here a message is written under a name no consumer looks at, then renamed
into place (a rename within one folder is atomic), and taken by a rename into
a processing folder beside it (the same file system, so no copy either). A
file that still cannot be read is set aside under ``rejected/`` and logged,
never raised into the worker. The exchange tables (fanout, remote control)
are read again when caught half written. See docs/decisions/embedded-broker.md.
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from queue import Empty
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

log = logging.getLogger(__name__)

ALIAS = "embedded"


class Channel(filesystem.Channel):
    # kombu's stubs name the argument "message" in AbstractChannel and "payload" in filesystem.Channel.
    def _put(self, queue: str, payload: dict[str, Any], **kwargs: Any) -> None:  # type: ignore[override]
        name = f"{round(time.monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f".{name}.part")
        try:
            with open(partial, "wb") as f:
                f.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc

    def _side_folder(self, name: str) -> str:
        folder = os.path.join(os.path.dirname(os.path.abspath(self.data_folder_in)), name)
        os.makedirs(folder, exist_ok=True)
        return folder

    def _get(self, queue: str, timeout: float | None = None) -> Any:
        wanted = f"{queue}.msg"
        taking = self._side_folder("taking")
        for name in sorted(os.listdir(self.data_folder_in)):
            if name.startswith(".") or name.partition(".")[2] != wanted:
                continue
            taken = os.path.join(taking, name)
            try:
                os.rename(os.path.join(self.data_folder_in, name), taken)
            except OSError:
                continue  # another consumer took it first
            try:
                with open(taken, "rb") as f:
                    payload = loads(bytes_to_str(f.read()))
            except (OSError, ValueError):
                os.replace(taken, os.path.join(self._side_folder("rejected"), name))
                log.error("embedded broker: message file %s could not be read; set aside in rejected/", name)
                continue
            os.remove(taken)
            return payload
        raise Empty()

    def get_table(self, exchange):
        for _ in range(50):
            try:
                return super().get_table(exchange)
            except json.JSONDecodeError:
                time.sleep(0.01)  # the table is being written (created, then locked, then written)
        return super().get_table(exchange)


class Transport(filesystem.Transport):
    Channel = Channel


def register() -> None:
    """Make ``embedded://`` a broker URL kombu knows (called before Celery connects)."""
    TRANSPORT_ALIASES.setdefault(ALIAS, f"{__name__}:Transport")
