import pytest


@pytest.fixture(autouse=True)
def _simulator(simulator):
    """Every test here plays calls on the shared simulator settings (root conftest's ``simulator``)."""
