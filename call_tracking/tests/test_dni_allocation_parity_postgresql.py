"""The parity suite of ``call_tracking.dni_allocation`` on PostgreSQL (one prepared statement each)."""

import pytest

from call_tracking.tests.test_dni_allocation_parity import *  # noqa: F403 (the same tests, collected here too)

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
