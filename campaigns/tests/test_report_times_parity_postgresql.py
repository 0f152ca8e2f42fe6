"""The parity suite of ``campaigns.report_times`` on PostgreSQL (the database shifts the times)."""

import pytest

from campaigns.tests.test_report_times_parity import *  # noqa: F403 (the same tests, collected here too)

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
