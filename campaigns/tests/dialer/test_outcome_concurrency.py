"""The outcome service under concurrent reports, on PostgreSQL: its one write statement per call
must keep the compare-and-set and the campaign's finish exact when reports race."""

from __future__ import annotations

import pytest
from django.utils import timezone

from campaigns.dialer import attempt_end, dialer_tick
from campaigns.models import CallAttempt, CallJob, Campaign, CampaignStatus, JobStatus
from campaigns.tests.dialer.helpers import dialer_campaign
from telephony.tests.concurrency import run_together

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_reports_racing_for_one_attempt_end_it_once(customer):
    campaign = dialer_campaign(customer, contacts=1, lines=1, all_day=True, repeat_busy=True, repeat_busy_period=5)
    assert dialer_tick(now=timezone.now()) == 1
    attempt = CallAttempt.objects.get(campaign=campaign)
    causes = ["486", "200", "486", "408", "503", "200"]

    results = run_together(
        [lambda cause=cause: attempt_end(attempt_id=attempt.pk, cause=cause, duration=30) for cause in causes]
    )

    assert results.count(True) == 1
    attempt.refresh_from_db()
    winner = causes[results.index(True)]
    assert attempt.cause == winner
    campaign.refresh_from_db()
    counted = [campaign.stat_answered, campaign.stat_no_answer, campaign.stat_busy, campaign.stat_failed]
    assert (sum(counted), campaign.stat_called) == (1, 1)
    job = CallJob.objects.get(campaign=campaign)
    assert job.last_cause == winner and job.repeats_made == (1 if winner == "486" else 0)


@pytest.mark.parametrize("round_", range(3))
def test_the_last_two_calls_ending_at_once_finish_the_campaign(customer, round_):
    campaign = dialer_campaign(customer, contacts=2, lines=2, all_day=True)
    assert dialer_tick(now=timezone.now()) == 2
    attempts = list(CallAttempt.objects.filter(campaign=campaign).values_list("pk", flat=True))

    assert run_together([lambda pk=pk: attempt_end(attempt_id=pk, cause="200", duration=30) for pk in attempts]) == [
        True,
        True,
    ]

    campaign = Campaign.objects.get(pk=campaign.pk)
    assert campaign.status == CampaignStatus.FINISHED
    assert (campaign.stat_done, campaign.stat_answered) == (2, 2)
    assert set(CallJob.objects.filter(campaign=campaign).values_list("status", flat=True)) == {JobStatus.DONE}
