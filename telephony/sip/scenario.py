"""The app scenario run over one answered call: a clean function over the steps.

``run_scenario(steps, channel)`` walks the (already rendered) steps of
campaigns/scenario.py and asks ``channel`` to act: speak, play, collect
digits, transfer, hang up. The channel is the only thing that knows about
SIP, so the walk is tested without a call, and a new step rule is added here
once. A gather's ``opt_out`` digit calls ``on_opt_out`` (which puts the number
on the do-not-call list and returns the confirmation), says the confirmation
and hangs up.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol


class Channel(Protocol):
    async def say(self, text: str) -> None: ...
    async def play(self, audio_id: int) -> None: ...
    async def gather(self, prompt: str, digits: int, timeout: float) -> str: ...
    async def transfer(self, number: str) -> str: ...
    async def hangup(self) -> None: ...


@dataclass
class ScenarioResult:
    digits: str = ""
    path: list[str] = field(default_factory=list)  # the ids of the steps run, in order
    transfer: str = ""  # what the peer answered to our REFER ("" when no transfer)
    opted_out: bool = False


def next_index(steps: list[dict], index: int, step: dict, pressed: str) -> int:
    """Where a gather goes: its branch for the digits, else its default, else the next step."""
    target = step.get("branches", {}).get(pressed) or step.get("default")
    if target:
        for n, candidate in enumerate(steps):
            if candidate.get("id") == target:
                return n
    return index + 1


async def run_scenario(
    steps: list[dict],
    channel: Channel,
    *,
    max_steps: int = 1000,
    on_opt_out: Callable[[dict], Awaitable[str]] | None = None,
) -> ScenarioResult:
    """Run ``steps`` on ``channel``; returns the digits gathered (concatenated) and the path taken."""
    result = ScenarioResult()
    index = 0
    while 0 <= index < len(steps) and len(result.path) < max_steps:
        step = steps[index]
        result.path.append(step.get("id") or str(index))
        kind = step.get("type")
        if kind == "say":
            await channel.say(step.get("text", ""))
        elif kind == "play":
            await channel.play(int(step["audio"]))
        elif kind == "gather":
            pressed = await channel.gather(
                step.get("prompt", ""), int(step.get("digits", 1)), float(step.get("timeout", 5))
            )
            result.digits += pressed
            if on_opt_out is not None and step.get("opt_out") and pressed == step["opt_out"]:
                result.opted_out = True
                await channel.say(await on_opt_out(step))
                await channel.hangup()
                return result
            index = next_index(steps, index, step, pressed)
            continue
        elif kind == "transfer":
            result.transfer = await channel.transfer(step["number"])
            return result
        elif kind == "hangup":
            await channel.hangup()
            return result
        index += 1
    await channel.hangup()
    return result
