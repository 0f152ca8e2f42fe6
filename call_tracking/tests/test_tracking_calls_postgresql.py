"""The call-attribution tests again on PostgreSQL, on sessions written by ``call_tracking.dni_allocation``."""

import pytest

from call_tracking.tests.test_tracking_calls import *  # noqa: F403 (the same tests, collected here too)

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
