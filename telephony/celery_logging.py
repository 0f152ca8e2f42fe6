"""Celery's routine lines at DEBUG: the dialer's ticks are not news.

Beat sends ``campaigns.dialer_dispatch`` every second and ``dialer_reap`` every
ten; Celery logged three INFO lines for each (beat's "Sending due task", the
worker's "received" and "succeeded"), which buried everything else on the
`make run` console. ``RoutineTaskLines`` demotes exactly those lines, for the
tasks beat runs at least once a minute, to DEBUG (shown with ``LOG_LEVEL=DEBUG``).
A routine task that fails, retries or is refused still logs at its own level,
and every other task keeps its INFO lines.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

ROUTINE_EVERY_SECONDS = 60
# The loggers and formats of the lines demoted (celery.app.trace, celery.worker.strategy, celery.beat).
_TASK_LINES = {"Task %(name)s[%(id)s] received", "Task %(name)s[%(id)s] succeeded in %(runtime)ss: %(return_value)s"}
_BEAT_LINE = "Scheduler: Sending due task %s (%s)"
LOGGERS = ("celery.app.trace", "celery.worker.strategy", "celery.beat")


def routine_tasks(schedule: dict) -> frozenset[str]:
    """Names of the tasks a beat schedule runs at least every ``ROUTINE_EVERY_SECONDS``."""
    names = set()
    for entry in schedule.values():
        every = entry.get("schedule")
        seconds = every.total_seconds() if isinstance(every, timedelta) else every
        if isinstance(seconds, int | float) and seconds <= ROUTINE_EVERY_SECONDS:
            names.add(entry["task"])
    return frozenset(names)


class RoutineTaskLines(logging.Filter):
    def __init__(self, tasks: Iterable[str]):
        super().__init__()
        self.tasks = frozenset(tasks)

    def _routine(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.INFO:
            return False
        if record.msg in _TASK_LINES and isinstance(record.args, dict):
            return record.args.get("name") in self.tasks
        if record.msg == _BEAT_LINE and isinstance(record.args, tuple) and len(record.args) == 2:
            return record.args[1] in self.tasks
        return False

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._routine(record):
            return True
        record.levelno, record.levelname = logging.DEBUG, logging.getLevelName(logging.DEBUG)
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)


def install(tasks: Iterable[str]) -> None:
    """Put the filter on Celery's loggers (once; a later call replaces the task set)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        for old in [f for f in logger.filters if isinstance(f, RoutineTaskLines)]:
            logger.removeFilter(old)
        logger.addFilter(RoutineTaskLines(tasks))
