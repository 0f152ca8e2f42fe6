"""Do-not-call with real components: PostgreSQL, Redis and `celery worker` processes placing the calls."""

import pytest

from campaigns.models import CallAttempt, CallJob, JobStatus
from campaigns.tests.dialer.helpers import dialer_campaign
from campaigns.tests.dialer.test_integration_workers import dialer_env, drive, workers  # noqa: F401 (fixtures)
from customers.tests.factories import CustomerFactory
from dnc.models import DncEntry, DncSource
from dnc.services import dnc_add

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PHONES = [f"+4479111{n:05d}" for n in range(12)]  # the contacts of ready_list
OPT_OUT_SCENARIO = [
    {"id": "menu", "type": "gather", "prompt": "Press 9 to stop these calls.", "digits": 1, "timeout": 5,
     "branches": {}, "opt_out": "9", "opt_out_confirmation": "You will not be called again."},
]  # fmt: skip


def test_dnc_numbers_are_never_called_added_ones_stop_and_an_opt_out_lands_in_the_list(customer, workers, dialer_env):  # noqa: F811
    dialer_env.env["DIALER_SIM_TIME_SCALE"] = "0"
    dialer_env.env["DIALER_SIM_MIX"] = "200:1"
    dialer_env.env["DIALER_SIM_DIGITS"] = "00005:9"  # the callee of PHONES[5] presses the opt-out digit
    dnc_add(customer=None, number=PHONES[0], source=DncSource.ADMIN)  # the platform list
    dnc_add(customer=customer, number="+447911100001", source=DncSource.UPLOAD)
    other = CustomerFactory()
    dnc_add(customer=other, number=PHONES[2], source=DncSource.API)  # another customer's list: not ours
    campaign = dialer_campaign(customer, contacts=12, lines=1, launch=False, repeat_answered=True,
                               repeat_answered_count=1, repeat_answered_period=1)  # fmt: skip
    campaign.app.scenario = OPT_OUT_SCENARIO
    campaign.app.save()
    from campaigns.services import campaign_launch

    campaign = campaign_launch(campaign=campaign)
    assert campaign.stat_suppressed == 2
    workers("w1")
    late = {}

    def add_mid_campaign(tick: int) -> None:
        # After the first calls: a number not yet called, and one already called (its repeat must not happen).
        called = set(CallAttempt.objects.filter(campaign=campaign).values_list("b_number", flat=True))
        called -= {PHONES[2], PHONES[5]}
        if late or not called:
            return
        late["new"] = next(p for p in reversed(PHONES) if p not in called)
        late["repeat"] = next(iter(called))
        for phone in late.values():
            dnc_add(customer=customer, number=phone, source=DncSource.DASHBOARD)

    drive(campaign, timeout=300, on_tick=add_mid_campaign)
    calls = list(CallAttempt.objects.filter(campaign=campaign).values_list("b_number", flat=True))
    assert PHONES[0] not in calls and PHONES[1] not in calls and late["new"] not in calls
    assert calls.count(late["repeat"]) == 1
    assert calls.count(PHONES[2]) == 2  # answered then repeated once: another customer's entry does not apply
    # The opt-out: answered once, on the list since, never repeated.
    entry = DncEntry.objects.get(customer=customer, number=PHONES[5])
    assert entry.source == DncSource.OPT_OUT and entry.campaign_id == campaign.pk
    assert calls.count(PHONES[5]) == 1
    jobs = dict(CallJob.objects.filter(campaign=campaign).values_list("phone", "status"))
    assert jobs[PHONES[0]] == jobs[PHONES[1]] == jobs[late["new"]] == jobs[PHONES[5]] == JobStatus.SUPPRESSED
    campaign.refresh_from_db()
    assert campaign.stat_suppressed == len([s for s in jobs.values() if s == JobStatus.SUPPRESSED])
    assert campaign.stat_done == 12 and campaign.status == "finished"
