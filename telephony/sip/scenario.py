"""The app scenario run over one answered call: a clean function over the steps.

``run_scenario(steps, channel)`` walks the (already rendered) steps of
campaigns/scenario.py and asks ``channel`` to act: speak, play, collect
digits, transfer, hang up. The channel is the only thing that knows about
SIP, so the walk is tested without a call, and a step rule (the opt-out
digit of a gather step, as the simulator plays it) is written here once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


class Channel(Protocol):
    async def say(self, text: str, voice: str = "") -> None: ...
    async def play(self, audio_id: int) -> None: ...
    async def gather(self, prompt: str, digits: int, timeout: float, voice: str = "") -> str: ...
    async def transfer(self, number: str) -> str: ...
    async def opt_out(self, step: dict) -> str: ...  # the callee asked not to be called again: the confirmation
    async def hangup(self) -> None: ...


@dataclass
class ScenarioResult:
    digits: str = ""
    path: list[str] = field(default_factory=list)  # the ids of the steps run, in order
    transfer: str = ""  # what the peer answered to our last REFER ("" when no transfer)


TRANSFERRED = "transferred"  # a channel's answer when the peer took the call over


def next_index(steps: list[dict], index: int, step: dict, pressed: str) -> int:
    """Where a gather goes: its branch for the digits, else its default, else the next step."""
    target = step.get("branches", {}).get(pressed) or step.get("default")
    if target:
        for n, candidate in enumerate(steps):
            if candidate.get("id") == target:
                return n
    return index + 1


async def run_scenario(
    steps: list[dict], channel: Channel, *, max_steps: int = 1000, result: ScenarioResult | None = None
) -> ScenarioResult:
    """Run ``steps`` on ``channel``; returns the digits gathered (concatenated) and the path taken.

    ``result`` is filled as the steps run, so a caller whose channel raises (the callee hung up)
    still has what was gathered until then.
    """
    result = ScenarioResult() if result is None else result
    index = 0
    while 0 <= index < len(steps) and len(result.path) < max_steps:
        step = steps[index]
        result.path.append(step.get("id") or str(index))
        kind = step.get("type")
        voice = step.get("voice", "")
        if kind == "say":
            await channel.say(step.get("text", ""), voice)
        elif kind == "play":
            await channel.play(int(step["audio"]))
        elif kind == "gather":
            pressed = await channel.gather(
                step.get("prompt", ""), int(step.get("digits", 1)), float(step.get("timeout", 5)), voice
            )
            result.digits += pressed
            if step.get("opt_out") and pressed == step["opt_out"]:
                # On the do-not-call list at once; the confirmation, then the call ends.
                await channel.say(await channel.opt_out(step), voice)
                await channel.hangup()
                return result
            index = next_index(steps, index, step, pressed)
            continue
        elif kind == "transfer":
            result.transfer = await channel.transfer(step["number"])
            if result.transfer == TRANSFERRED:
                return result  # the callee talks to the transfer target now; our leg is closed
            # Refused or failed: the callee is still on our line, so the scenario goes on
            # (an app says e.g. "all our agents are busy" in the next step).
        elif kind == "hangup":
            await channel.hangup()
            return result
        index += 1
    await channel.hangup()
    return result
