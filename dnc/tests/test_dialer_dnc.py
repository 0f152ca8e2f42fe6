"""The dialer never calls a do-not-call number: at launch, at claim, and after an opt-out in the call."""

import pytest

from campaigns.dialer import dialer_tick
from campaigns.models import CallAttempt, CallJob, Campaign, JobStatus
from campaigns.tests.dialer.helpers import dialer_campaign, play_calls
from customers.tests.factories import CustomerFactory
from dnc.models import DncEntry, DncSource
from dnc.selectors import dnc_matches
from dnc.services import DncError, dnc_add

pytestmark = pytest.mark.django_db

FIRST = "+447911100000"  # the phone of contact 0 of ready_list
SECOND = "+447911100001"


def called_numbers(campaign) -> set[str]:
    return set(CallAttempt.objects.filter(campaign=campaign).values_list("b_number", flat=True))


def run_campaign(campaign, rounds: int = 5) -> None:
    for _ in range(rounds):
        dialer_tick()
        play_calls(campaign)


def test_a_customer_number_is_suppressed_at_launch_and_never_called(customer):
    dnc_add(customer=customer, number=FIRST, source=DncSource.API)
    campaign = dialer_campaign(customer, contacts=3)
    job = CallJob.objects.get(campaign=campaign, phone=FIRST)
    assert job.status == JobStatus.SUPPRESSED and job.suppressed_by == f"customer {FIRST}"
    assert (campaign.stat_suppressed, campaign.stat_done, campaign.stat_contacts) == (1, 1, 3)
    run_campaign(campaign)
    assert FIRST not in called_numbers(campaign) and len(called_numbers(campaign)) == 2
    campaign.refresh_from_db()
    assert campaign.status == "finished" and campaign.stat_done == 3


def test_a_platform_prefix_suppresses_every_customer_and_a_customer_list_only_its_own(customer):
    other = CustomerFactory()
    dnc_add(customer=None, number="+44791110000", is_prefix=True, source=DncSource.ADMIN)
    dnc_add(customer=other, number=SECOND, source=DncSource.API)
    dnc_add(customer=other, number="+447911100011", source=DncSource.API)
    mine = dialer_campaign(customer, contacts=12)
    statuses = dict(CallJob.objects.filter(campaign=mine).values_list("phone", "status"))
    assert [p for p, s in statuses.items() if s == JobStatus.SUPPRESSED] == sorted(
        p for p in statuses if p.startswith("+44791110000")
    )
    assert statuses[SECOND] == JobStatus.SUPPRESSED  # by the platform prefix, not by the other customer's entry
    assert CallJob.objects.get(campaign=mine, phone=SECOND).suppressed_by == "platform +44791110000*"
    assert statuses["+447911100011"] == JobStatus.PENDING  # another customer's list never suppresses mine

    DncEntry.objects.filter(customer=None).delete()
    theirs_only = dialer_campaign(customer, contacts=3)
    assert not CallJob.objects.filter(campaign=theirs_only, status=JobStatus.SUPPRESSED).exists()


def test_an_expired_entry_no_longer_suppresses(customer):
    import datetime as dt

    from django.utils import timezone

    dnc_add(customer=customer, number=FIRST, source=DncSource.API, expires_at=timezone.now() - dt.timedelta(days=1))
    campaign = dialer_campaign(customer, contacts=2)
    assert not CallJob.objects.filter(campaign=campaign, status=JobStatus.SUPPRESSED).exists()


def test_a_number_added_mid_campaign_is_suppressed_at_claim(customer):
    campaign = dialer_campaign(customer, contacts=4, lines=1)
    dialer_tick()
    play_calls(campaign)
    called = called_numbers(campaign)
    assert len(called) == 1
    late = next(p for p in [FIRST, SECOND, "+447911100002", "+447911100003"] if p not in called)
    dnc_add(customer=customer, number=late, source=DncSource.DASHBOARD)
    run_campaign(campaign, rounds=6)
    assert late not in called_numbers(campaign) and len(called_numbers(campaign)) == 3
    job = CallJob.objects.get(campaign=campaign, phone=late)
    assert job.status == JobStatus.SUPPRESSED and job.attempts_made == 0
    campaign.refresh_from_db()
    assert campaign.stat_suppressed == 1 and campaign.stat_done == 4 and campaign.status == "finished"


def test_the_opt_out_digit_in_a_simulated_call_lands_in_the_customers_list(customer, settings):
    settings.DIALER_SIM_DIGITS = {"00": "9"}  # the callee of FIRST presses 9
    campaign = dialer_campaign(customer, contacts=2, launch=False)
    campaign.app.scenario = [
        {"id": "menu", "type": "gather", "prompt": "Press 9 to stop these calls.", "digits": 1, "timeout": 5,
         "branches": {}, "opt_out": "9", "opt_out_confirmation": "Done, no more calls."},
    ]  # fmt: skip
    campaign.app.save()
    from campaigns.services import campaign_launch

    campaign = campaign_launch(campaign=campaign)
    run_campaign(campaign, rounds=2)
    entry = DncEntry.objects.get(customer=customer, number=FIRST)
    attempt = CallAttempt.objects.get(campaign=campaign, b_number=FIRST)
    assert (entry.source, entry.campaign_id, entry.attempt_id) == (DncSource.OPT_OUT, campaign.pk, attempt.pk)
    assert attempt.digits == "9"
    assert not DncEntry.objects.filter(number=SECOND).exists()
    # The next campaign of this customer does not call them; another customer's does.
    again = dialer_campaign(customer, contacts=2)
    assert CallJob.objects.get(campaign=again, phone=FIRST).status == JobStatus.SUPPRESSED
    elsewhere = dialer_campaign(CustomerFactory(), contacts=2)
    assert CallJob.objects.get(campaign=elsewhere, phone=FIRST).status == JobStatus.PENDING
    assert Campaign.objects.get(pk=campaign.pk).stat_suppressed == 0


def test_matches_pick_the_most_specific_entry_and_bad_numbers_are_named(customer):
    dnc_add(customer=None, number="+44", is_prefix=True, source=DncSource.ADMIN)
    dnc_add(customer=customer, number=FIRST, source=DncSource.API)
    found = dnc_matches(customer_id=customer.pk, phones=[FIRST, "+33123456789"])
    assert found[FIRST].customer_id == customer.pk and "+33123456789" not in found
    with pytest.raises(DncError, match="no country code"):
        dnc_add(customer=customer, number="07911 100000", source=DncSource.API)
    with pytest.raises(DncError, match="'hello' is not a phone number"):
        dnc_add(customer=customer, number="hello", source=DncSource.API)
    with pytest.raises(DncError, match="'\\+4412' is too short"):
        dnc_add(customer=customer, number="+4412", source=DncSource.API)
    with pytest.raises(DncError, match="Prefix"):
        dnc_add(customer=customer, number="44x", is_prefix=True, source=DncSource.API)
    _, created = dnc_add(customer=customer, number="+44 7911 100000", source=DncSource.API)
    assert not created


def test_the_card_the_api_and_the_export_show_suppressed_contacts(customer, client, customer_user):
    from campaigns.reports import export_rows

    dnc_add(customer=None, number=FIRST, source=DncSource.ADMIN)
    campaign = dialer_campaign(customer, contacts=2)
    rows = list(export_rows(campaign))
    outcomes = {row[0].lstrip("'"): row[6] for row in rows[1:]}
    assert outcomes == {FIRST: f"Suppressed (do not call: platform {FIRST})", SECOND: "Not called"}
    client.force_login(customer_user)
    page = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert 'data-stat="stat_suppressed">1<' in page
    report = client.get(f"/campaigns/{campaign.pk}/report/")
    assert report.context["suppressed_by"] == [(f"platform {FIRST}", 1)]
    assert f"platform {FIRST}" in report.content.decode()
