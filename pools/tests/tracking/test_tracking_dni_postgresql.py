"""The DNI tests again on PostgreSQL and Redis, where a page view takes the prepared statements of
``pools.services.dni_postgresql`` and the rate limits the Redis script of ``pools.api.rate_limits``."""

import pytest

from pools.tests.tracking.test_tracking_dni import *  # noqa: F403 (the same tests, collected here too)

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
