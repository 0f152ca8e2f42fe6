"""Quarter-hour tallies of ended calls (``CallTally``): the slot of a moment, and rebuilding them.

The outcome service adds to a tally as each attempt ends; ``call_tally_rebuild``
recomputes a campaign's tallies from its attempts (the migration that
introduced them, attempts written straight to the database by tests and
benchmarks).
"""

from __future__ import annotations

from django.db import transaction

from campaigns.dialer.store.tallies import tallies_rebuild
from campaigns.models import Campaign, tally_slot

__all__ = ["call_tally_rebuild", "tally_slot"]


@transaction.atomic
def call_tally_rebuild(*, campaign: Campaign) -> int:
    """Replace the campaign's tallies with counts of its ended attempts; returns the rows written."""
    return tallies_rebuild(campaign=campaign)
