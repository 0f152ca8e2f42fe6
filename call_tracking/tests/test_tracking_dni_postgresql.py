"""The DNI tests again on PostgreSQL and Redis, where a page view takes the prepared statements of
``call_tracking.dni_allocation`` and the rate limits the Redis script of ``call_tracking.api.rate_limits``."""

import pytest
import redis
from django.db import connection

from call_tracking.api import rate_limits
from call_tracking.tests.test_tracking_dni import *  # noqa: F403 (the same tests, collected here too)
from call_tracking.tests.test_tracking_dni import visit

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_a_page_view_commits_without_waiting_for_the_disk_and_nothing_else_does(pool):
    # The test's transaction is the page view's: the setting is local to it.
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
        assert visit(pool, "visitor-a").replace
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "off"


def test_the_redis_rate_limit_survives_a_lost_script_and_a_dropped_connection(settings):
    settings.TRACKING_DNI_VISITOR_RATE = "3/min"
    settings.TRACKING_DNI_IP_RATE = ""
    counted = {"public_key": "k", "visitor": "visitor-0001", "ident": "127.0.0.1"}
    with time_machine.travel(T0, tick=False):  # noqa: F405 (one window for the whole test)
        redis.Redis.from_url(settings.REDIS_URL).flushdb()
        assert rate_limits.refused(**counted) is None
        admin = redis.Redis.from_url(settings.REDIS_URL)
        admin.script_flush()  # as after a restart of Redis
        assert rate_limits.refused(**counted) is None
        admin.client_kill_filter(_type="normal", skipme=True)  # this thread's kept connection too
        assert rate_limits.refused(**counted) is None
        assert rate_limits.refused(**counted) == 60  # the three were counted, once each
