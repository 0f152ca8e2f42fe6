"""The parity suite of ``callerid_pools.draw`` on PostgreSQL (the sequence per pool)."""

import pytest

from callerid_pools.tests.test_draw_parity import *  # noqa: F403 (the same tests, collected here too)

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
