from telephony.gateways import CallRequest
from telephony.gateways.simulator import SimulatorGateway


def request(number: str, attempt: int = 1, scenario=()) -> CallRequest:
    return CallRequest(
        attempt_id=1, a_number="+441174090000", b_number=number, attempt_number=attempt, scenario=list(scenario)
    )


def test_the_same_seed_gives_every_call_the_same_fate(settings):
    settings.DIALER_SIM_MIX = {"200": 50, "486": 25, "408": 25}
    settings.DIALER_SIM_TALK_SECONDS = (1, 60)
    gateway = SimulatorGateway()
    numbers = [f"+4479111{n:05d}" for n in range(200)]
    first = [gateway.fate(request(n)) for n in numbers]
    assert [gateway.fate(request(n)) for n in reversed(numbers)] == list(reversed(first))
    assert {fate.cause for fate in first} == {"200", "486", "408"}
    settings.DIALER_SIM_SEED = "another"
    assert [gateway.fate(request(n)) for n in numbers] != first


def test_overrides_by_suffix_longest_first(settings):
    settings.DIALER_SIM_MIX = {"200": 1}
    settings.DIALER_SIM_OVERRIDES = {"9": "486", "99": "404", "7": "200/3"}
    gateway = SimulatorGateway()
    assert gateway.fate(request("+447911100009")).cause == "486"
    assert gateway.fate(request("+447911100099")).cause == "404"
    fate = gateway.fate(request("+447911100007"))
    assert (fate.cause, fate.talk) == ("200", 3)


def test_reports_answer_then_end_with_digits_for_a_gather(settings):
    settings.DIALER_SIM_MIX = {"200": 1}
    settings.DIALER_SIM_ZERO_DELAY = True
    events = []
    SimulatorGateway().place_call(request("+447911100001", scenario=[{"type": "gather"}]), events.append)
    assert [e.event for e in events] == ["answered", "ended"]
    assert events[1].cause == "200" and events[1].digits in {"1", "2", "3", "4", "5"}
