"""Live progress of campaigns for the dashboard (a selector: reads only, scoped to the customer)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Count

from campaigns.models import CallJob, Campaign, JobStatus
from campaigns.selectors import campaigns_of

if TYPE_CHECKING:
    from customers.models import Customer

STAT_FIELDS = ["stat_contacts", "stat_called", "stat_answered", "stat_no_answer", "stat_busy", "stat_failed"]
MAX_IDS = 100


def campaigns_progress(customer: Customer, campaign_ids: list[int]) -> dict[str, dict[str, Any]]:
    """Statistics, status and lines in use of the customer's campaigns among ``campaign_ids``; two queries.

    Another customer's id is simply absent from the answer.
    """
    campaigns = list(
        campaigns_of(customer)
        .filter(pk__in=campaign_ids[:MAX_IDS])
        .only("pk", "status", "lines", "stat_done", *STAT_FIELDS)
    )
    busy = dict(
        CallJob.objects.filter(campaign__in=[c.pk for c in campaigns], status=JobStatus.IN_PROGRESS)
        .values_list("campaign_id")
        .annotate(n=Count("pk"))
        .values_list("campaign_id", "n")
    )
    return {str(campaign.pk): _progress(campaign, busy.get(campaign.pk, 0)) for campaign in campaigns}


def _progress(campaign: Campaign, lines_in_use: int) -> dict:
    state = {field: getattr(campaign, field) for field in STAT_FIELDS}
    state.update(
        status=campaign.status,
        status_label=campaign.get_status_display(),
        remaining=campaign.remaining,
        progress_percent=campaign.progress_percent,
        lines=campaign.lines,
        lines_in_use=lines_in_use,
    )
    return state
