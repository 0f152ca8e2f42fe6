"""The call-attribution tests again on PostgreSQL, on sessions written by ``pools.services.dni_postgresql``."""

import pytest

from pools.tests.tracking.test_tracking_calls import *  # noqa: F403 (the same tests, collected here too)

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
