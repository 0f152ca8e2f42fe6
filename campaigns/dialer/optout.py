"""The opt-out hook of a scenario runner (the simulator's play-out, the SIP engine's runner).

When the callee presses a gather step's ``opt_out`` digit the runner calls
:func:`attempt_opt_out` and plays the text it returns, then hangs up.
"""

from __future__ import annotations

from collections.abc import Mapping

from campaigns.scenario import DEFAULT_OPT_OUT_CONFIRMATION
from dnc.services import dnc_opt_out


def attempt_opt_out(*, attempt_id: int, step: Mapping) -> str:
    """Put the attempt's B-number on its customer's do-not-call list; the confirmation to play."""
    dnc_opt_out(attempt_id=attempt_id)
    return step.get("opt_out_confirmation") or DEFAULT_OPT_OUT_CONFIRMATION
