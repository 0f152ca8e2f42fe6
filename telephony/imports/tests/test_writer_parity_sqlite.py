"""The bulk writer's parity suite on SQLite (see writer_parity)."""

from .writer_parity import *  # noqa: F403
