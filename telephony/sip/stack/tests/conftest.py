"""The SIP stack's tests need SIPp at most, never PostgreSQL or Redis."""

import pytest


@pytest.fixture(autouse=True)
def _require_services():
    """Overrides the project-wide check that integration tests have PostgreSQL and Redis."""
    yield
