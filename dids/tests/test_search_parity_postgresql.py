"""The parity suite of ``dids.search`` on PostgreSQL (estimates and the loose index scan)."""

import pytest

from dids.tests.test_search_parity import *  # noqa: F403 (the same tests, collected here too)

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
