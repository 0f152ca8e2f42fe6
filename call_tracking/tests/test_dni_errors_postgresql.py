"""The DNI error tests again on PostgreSQL and Redis: there a NUL character or a lone surrogate reaching
the database was a 500 (PostgreSQL refuses both in text), so it must be refused as a 400 before."""

import pytest

from call_tracking.tests.test_dni_errors import *  # noqa: F403 (the same tests, collected here too)

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
