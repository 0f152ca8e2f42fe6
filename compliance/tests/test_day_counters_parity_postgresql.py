"""The parity suite of ``compliance.day_counters`` on PostgreSQL."""

import pytest

from compliance.tests.test_day_counters_parity import *  # noqa: F403 (the same tests, collected here too)

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
