"""The call engines' registration in Redis: each engine writes its state there every few seconds.

Read by ``manage.py call_engine --status`` and ``/healthz``. An engine that
exits removes its entry; one killed leaves it behind, shown as ``stale`` once
it has not been renewed for ``STALE_SECONDS``.
"""

from __future__ import annotations

import json
import time

STATUS = "dialer:sip:engines"
STALE_SECONDS = 30  # the engines renew every 5 s at most


def engines_status(client, *, now: float | None = None) -> dict[str, dict]:
    """Engine id → its calls in progress, calls placed and withdrawn, draining, seconds since seen, stale."""
    now = time.time() if now is None else now
    engines = {}
    for key, raw in sorted(client.hgetall(STATUS).items()):
        state = json.loads(raw)
        seen = max(now - float(state.get("at", 0)), 0)
        engines[key.decode() if isinstance(key, bytes) else key] = {
            "calls": int(state.get("calls", 0)),
            "placed": int(state.get("placed", 0)),
            "withdrawn": int(state.get("withdrawn", 0)),
            "draining": bool(state.get("draining")),
            "seen_seconds_ago": round(seen),
            "stale": seen > STALE_SECONDS,
        }
    return engines
