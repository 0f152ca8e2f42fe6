"""The simulator backend: calls nobody, plays out a call with configurable odds and times.

Settings (``telephony/settings.py``, section "Dialer"):
- ``DIALER_SIM_MIX``: cause code → weight, e.g. ``{"200": 60, "408": 20, "486": 12, "404": 8}``;
- ``DIALER_SIM_RING_SECONDS`` / ``DIALER_SIM_TALK_SECONDS``: (low, high) ranges;
- ``DIALER_SIM_SEED``: the same seed gives every (number, attempt) the same fate,
  whatever the order the workers take the calls in;
- ``DIALER_SIM_OVERRIDES``: number suffix → ``"cause"`` or ``"200/seconds"``, e.g.
  ``{"9": "486"}`` makes numbers ending in 9 always busy and ``{"7": "200/3"}``
  answers them for 3 s; the longest matching suffix wins;
- ``DIALER_SIM_DIGITS``: number suffix → the digits the callee presses in a gather
  (e.g. ``{"5": "9"}``); pressing a gather's ``opt_out`` digit calls the opt-out hook
  (campaigns/dialer/optout.py) as the SIP engine's scenario runner does;
- ``DIALER_SIM_ZERO_DELAY``: report at once (benchmarks), durations still simulated;
- ``DIALER_SIM_TIME_SCALE``: real seconds per simulated second (0.01 plays a 30 s call in 0.3 s;
  tests), the reported durations staying the simulated ones.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from django.conf import settings

from campaigns.scenario import opt_out_step
from telephony.gateways.base import CallEvent, CallRequest, Gateway, Reporter

ANSWERED = "200"


@dataclass(frozen=True)
class Fate:
    cause: str
    ring: float
    talk: int
    digits: str = ""


def parse_override(value: str) -> tuple[str, int | None]:
    cause, _, seconds = str(value).partition("/")
    return cause.strip(), int(seconds) if seconds.strip() else None


class SimulatorGateway(Gateway):
    name = "simulator"

    def fate(self, request: CallRequest) -> Fate:
        """What happens to this call: drawn from a generator seeded by the seed, the number and the attempt."""
        rng = random.Random(f"{settings.DIALER_SIM_SEED}:{request.b_number}:{request.attempt_number}")
        mix = settings.DIALER_SIM_MIX
        cause = rng.choices(list(mix), weights=list(mix.values()))[0]
        ring = rng.uniform(*settings.DIALER_SIM_RING_SECONDS)
        talk = rng.randint(*settings.DIALER_SIM_TALK_SECONDS)
        overrides = settings.DIALER_SIM_OVERRIDES
        for suffix in sorted(overrides, key=len, reverse=True):
            if request.b_number.endswith(suffix):
                cause, forced_talk = parse_override(overrides[suffix])
                talk = forced_talk if forced_talk is not None else talk
                break
        if cause != ANSWERED:
            return Fate(cause=cause, ring=ring, talk=0)
        gathers = any(step.get("type") == "gather" for step in request.scenario)
        digits = str(rng.randint(1, 5)) if gathers else ""
        pressed = settings.DIALER_SIM_DIGITS
        for suffix in sorted(pressed, key=len, reverse=True):
            if gathers and request.b_number.endswith(suffix):
                digits = str(pressed[suffix])
                break
        return Fate(cause=cause, ring=ring, talk=talk, digits=digits)

    def place_call(self, request: CallRequest, report: Reporter) -> None:
        fate = self.fate(request)
        scale = 0.0 if settings.DIALER_SIM_ZERO_DELAY else settings.DIALER_SIM_TIME_SCALE
        if scale:
            time.sleep(fate.ring * scale)
        if fate.cause == ANSWERED:
            report(CallEvent(request.attempt_id, "answered"))
            from campaigns.dialer.optout import attempt_opt_out  # the dialer imports the gateways

            step = opt_out_step(request.scenario, fate.digits)
            if step is not None:
                attempt_opt_out(attempt_id=request.attempt_id, step=step)
            if scale:
                time.sleep(fate.talk * scale)
        report(CallEvent(request.attempt_id, "ended", cause=fate.cause, duration=fate.talk, digits=fate.digits))
