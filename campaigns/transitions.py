"""The campaign's status machine: the one table of allowed moves and the one function that makes them.

Below the services and the dialer, which both move campaigns (``campaigns.services``
re-exports it): the dialer finishes a campaign with no call left, the services
launch, pause, resume and finish it for people.
"""

from django.db import transaction
from django.utils import timezone

from campaigns.models import Campaign, CampaignStatus, CampaignTransition

# (from, to) → who may make the move. "user" moves come from the buttons and
# the API; the dialer finishes a launched campaign when no call is left.
TRANSITIONS: dict[tuple[str, str], set[str]] = {
    (CampaignStatus.DRAFT, CampaignStatus.LAUNCHED): {"user"},
    (CampaignStatus.LAUNCHED, CampaignStatus.PAUSED): {"user"},
    (CampaignStatus.PAUSED, CampaignStatus.LAUNCHED): {"user"},
    (CampaignStatus.LAUNCHED, CampaignStatus.FINISHED): {"user", "dialer"},
    (CampaignStatus.PAUSED, CampaignStatus.FINISHED): {"user"},
}
VERBS = {
    CampaignStatus.LAUNCHED: "launch",
    CampaignStatus.PAUSED: "pause",
    CampaignStatus.FINISHED: "finish",
    CampaignStatus.DRAFT: "return to draft",
}


class CampaignStateError(Exception):
    """A refused status change or edit, with a message for the person who asked."""


def transition_refusal(*, campaign: Campaign, to_status: str, actor: str = "user") -> str | None:
    """Why ``campaign`` may not move to ``to_status``, or None when it may."""
    current = campaign.status
    allowed = TRANSITIONS.get((current, to_status))
    if allowed is None or actor not in allowed:
        verb = "resume" if (current, to_status) == ("paused", "launched") else VERBS[to_status]
        reason = "a finished campaign is final" if current == CampaignStatus.FINISHED else "not allowed"
        return f"Campaign “{campaign.name}” is {campaign.get_status_display().lower()}: cannot {verb} it ({reason})."
    return None


@transaction.atomic
def campaign_transition(*, campaign: Campaign, to_status: str, user=None, actor: str = "user") -> Campaign:
    """Move ``campaign`` to ``to_status`` by compare-and-set on the status it was read with.

    Two concurrent requests cannot both succeed: the loser matches no row and
    gets the refusal for the status the winner left.
    """
    refusal = transition_refusal(campaign=campaign, to_status=to_status, actor=actor)
    if refusal:
        raise CampaignStateError(refusal)
    now = timezone.now()
    changes: dict = {"status": to_status, "updated_at": now}
    if to_status == CampaignStatus.LAUNCHED and campaign.launched_at is None:
        changes["launched_at"] = now
    if to_status == CampaignStatus.FINISHED:
        changes["finished_at"] = now
    updated = Campaign.objects.filter(pk=campaign.pk, status=campaign.status).update(**changes)
    if not updated:
        campaign.refresh_from_db(fields=["status"])
        raise CampaignStateError(
            transition_refusal(campaign=campaign, to_status=to_status, actor=actor)
            or f"Campaign “{campaign.name}” changed meanwhile; try again."
        )
    CampaignTransition.objects.create(
        campaign=campaign, from_status=campaign.status, to_status=to_status, by=user, by_dialer=actor == "dialer"
    )
    for field, value in changes.items():
        setattr(campaign, field, value)
    return campaign
