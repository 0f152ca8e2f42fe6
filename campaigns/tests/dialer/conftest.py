import pytest


@pytest.fixture(autouse=True)
def _simulator(settings):
    """The simulator without delays, answering every call for 30 s unless a test says otherwise."""
    settings.DIALER_GATEWAY = "telephony.gateways.simulator.SimulatorGateway"
    settings.DIALER_SIM_ZERO_DELAY = True
    settings.DIALER_SIM_MIX = {"200": 1}
    settings.DIALER_SIM_TALK_SECONDS = (30, 30)
    settings.DIALER_SIM_OVERRIDES = {}
    settings.DIALER_MAX_CALLS = 200
    settings.DIALER_CALL_THREADS = 200
    settings.DIALER_MAX_CALLS_PER_SECOND = 100
    settings.DIALER_LEASE_SECONDS = 120
