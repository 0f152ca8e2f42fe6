"""The dialer: launched campaigns become calls (SPEC §6, DESIGN.md "The dialer").

Public API:
- ``campaign_snapshot(*, campaign, now)`` — launch: the list into call jobs (one INSERT … SELECT);
- ``campaign_jobs_cancel(*, campaign)`` — finish: what is left is cancelled;
- ``dialer_tick(*, now=None)`` — the dispatcher (beat, every second);
- ``attempt_place(*, attempt_id, worker)`` — the call task's service;
- ``attempt_dial(*, attempt_id, engine, now)`` — a call engine takes a handed-over call (checked again);
- ``attempt_report(event)`` — the one service gateways report through;
- ``attempt_end(*, attempt_id, cause, duration, digits, now)`` — the idempotent outcome service;
- ``attempt_leases_renew(*, attempt_ids, now)`` — the heartbeat of live calls;
- ``dialer_reap(*, now=None)`` — the reaper of expired leases;
- ``open_zones(campaign, now)`` — the subscriber zones inside the work period.
"""

from campaigns.dialer.calls import (
    attempt_dial,
    attempt_leases_renew,
    attempt_place,
    attempt_report,
    attempt_withdraw,
)
from campaigns.dialer.dispatch import campaign_dispatch, dialer_tick, lines_in_use
from campaigns.dialer.outcome import attempt_end
from campaigns.dialer.reaper import dialer_reap
from campaigns.dialer.snapshot import campaign_jobs_cancel, campaign_snapshot
from campaigns.dialer.window import open_zones

__all__ = [
    "attempt_dial",
    "attempt_end",
    "attempt_leases_renew",
    "attempt_place",
    "attempt_report",
    "attempt_withdraw",
    "campaign_dispatch",
    "campaign_jobs_cancel",
    "campaign_snapshot",
    "dialer_reap",
    "dialer_tick",
    "lines_in_use",
    "open_zones",
]
