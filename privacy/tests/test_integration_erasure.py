"""Erasure after a campaign run by real `celery worker` processes: only the hash is left, the statistics hold."""

import pytest

from campaigns.models import AttemptStatus, CallAttempt, CallJob, Campaign
from campaigns.tests.dialer.helpers import dialer_campaign
from campaigns.tests.dialer.test_integration_workers import dialer_env, drive, workers  # noqa: F401 (fixtures)
from distribution_lists.models import Contact
from dnc.models import DncEntry
from privacy.services import number_hash, person_erase

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

NUMBER = "+447911100000"  # the first contact of ready_list

STATS = ["stat_contacts", "stat_called", "stat_answered", "stat_no_answer", "stat_busy", "stat_failed", "stat_done"]


RULES = dict(repeat_no_answer=True, repeat_no_answer_count=1, repeat_no_answer_period=1,
             repeat_busy=True, repeat_busy_count=1, repeat_busy_period=1)  # fmt: skip


def test_erasure_after_real_calls_keeps_the_statistics(customer, admin_user, workers, dialer_env):  # noqa: F811
    dialer_env.env["DIALER_SIM_TIME_SCALE"] = "0"
    campaign = dialer_campaign(customer, contacts=6, lines=2, **RULES)
    workers("w1")
    drive(campaign, timeout=300)
    attempts = CallAttempt.objects.filter(campaign=campaign)
    made = list(attempts.filter(b_number=NUMBER).order_by("number").values_list("number", "outcome", "cause"))
    assert made and attempts.exclude(status=AttemptStatus.ENDED).count() == 0
    before = Campaign.objects.filter(pk=campaign.pk).values(*STATS).get()
    outcomes_before = sorted(attempts.values_list("outcome", flat=True))

    person_erase(customer=customer, number=NUMBER, by=admin_user, add_to_dnc=True)

    hashed = number_hash(NUMBER)
    assert not Contact.objects.filter(phone=NUMBER).exists()
    assert not CallJob.objects.filter(phone=NUMBER).exists() and not attempts.filter(b_number=NUMBER).exists()
    # Every call of the number is still there, under the hash, with its outcome and cause.
    assert list(attempts.filter(b_number=hashed).order_by("number").values_list("number", "outcome", "cause")) == made
    assert CallJob.objects.filter(campaign=campaign, phone=hashed).count() == 1
    assert Campaign.objects.filter(pk=campaign.pk).values(*STATS).get() == before
    assert sorted(attempts.values_list("outcome", flat=True)) == outcomes_before
    assert DncEntry.objects.filter(customer=customer, number=NUMBER).exists()  # kept from being called again
