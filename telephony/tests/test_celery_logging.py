"""The `make run` console: the dialer's every-second ticks at DEBUG, everything else as Celery logs it."""

import logging

import pytest
from celery.app import trace
from celery.signals import after_setup_logger

from telephony.celery import app
from telephony.celery_logging import LOGGERS, RoutineTaskLines

BEAT = logging.getLogger("celery.beat")


@pytest.fixture
def installed():
    after_setup_logger.send(sender=None, logger=logging.getLogger(), loglevel=logging.INFO, logfile=None, format="")
    yield
    for name in LOGGERS:
        for f in [f for f in logging.getLogger(name).filters if isinstance(f, RoutineTaskLines)]:
            logging.getLogger(name).removeFilter(f)


def _success(name: str) -> None:
    trace.info(trace.LOG_SUCCESS, {"id": "1", "name": name, "runtime": 0.9, "return_value": None})


def _received(name: str) -> None:
    trace.info(trace.LOG_RECEIVED, {"id": "1", "name": name, "args": "()", "kwargs": "{}", "eta": None})


def test_the_dialers_ticks_are_debug_lines(installed, caplog):
    with caplog.at_level(logging.INFO):
        _received("campaigns.dialer_dispatch")
        _success("campaigns.dialer_dispatch")
        _success("campaigns.dialer_reap")
        BEAT.info("Scheduler: Sending due task %s (%s)", "dialer-dispatch", "campaigns.dialer_dispatch")
    assert caplog.records == []
    with caplog.at_level(logging.DEBUG):
        _success("campaigns.dialer_dispatch")
    assert [(r.levelname, r.getMessage()[:37]) for r in caplog.records] == [
        ("DEBUG", "Task campaigns.dialer_dispatch[1] suc")
    ]


def test_other_tasks_and_every_failure_keep_their_level(installed, caplog):
    assert "dids.tasks.dids_expire_holds" in {entry["task"] for entry in app.conf.beat_schedule.values()}
    with caplog.at_level(logging.INFO):
        _success("campaigns.place_call")
        _received("distribution_lists.import")
        BEAT.info("Scheduler: Sending due task %s (%s)", "dids-expire-holds", "dids.tasks.dids_expire_holds")
        trace.logger.error(
            trace.LOG_FAILURE,
            {"id": "1", "name": "campaigns.dialer_dispatch", "description": "raised unexpected", "exc": "boom"},
        )
    assert [r.levelname for r in caplog.records] == ["INFO", "INFO", "INFO", "ERROR"]
    assert "dialer_dispatch[1] raised unexpected: boom" in caplog.records[-1].getMessage()
