"""What each kind of import does with its file: registered by the owning app, looked up by the run.

An app registers its kind in ``AppConfig.ready()``; the engine never
imports the apps that use it, so there is no cycle between them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import ImportJob


@dataclass(frozen=True)
class ImportKind:
    """``run(job)`` reads the file and finishes the job (``jobs.import_job_finish`` in its
    publishing transaction); ``failed(job_id, reason)`` runs in the transaction that fails the job."""

    run: Callable[[ImportJob], object]
    failed: Callable[[int, str], None] | None = None


_KINDS: dict[str, ImportKind] = {}


def register_kind(kind: str, handler: ImportKind) -> None:
    _KINDS[kind] = handler


def kind_of(kind: str) -> ImportKind:
    try:
        return _KINDS[kind]
    except KeyError:
        raise LookupError(f"No import kind {kind!r} is registered (is its app installed?)") from None
