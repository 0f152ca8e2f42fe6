import pytest

from campaigns.models import CallJob, JobStatus
from campaigns.services import campaign_finish
from campaigns.tests.dialer.helpers import dialer_campaign


@pytest.mark.django_db
def test_launch_turns_every_contact_into_one_pending_job(customer):
    campaign = dialer_campaign(customer, contacts=7, zones=["Europe/London", "America/New_York", ""])

    jobs = CallJob.objects.filter(campaign=campaign)
    assert jobs.count() == 7 and campaign.stat_contacts == 7
    assert set(jobs.values_list("status", flat=True)) == {JobStatus.PENDING}
    assert all(job.next_attempt_at == campaign.launched_at for job in jobs)
    # A contact without a zone takes the campaign's.
    assert sorted(set(jobs.values_list("time_zone", flat=True))) == ["America/New_York", "Europe/London"]
    campaign.refresh_from_db()
    assert campaign.dialer_zones == ["America/New_York", "Europe/London"]
    contact_phones = set(campaign.distribution_list.contacts.values_list("phone", flat=True))
    assert set(jobs.values_list("phone", flat=True)) == contact_phones


@pytest.mark.django_db
def test_snapshot_is_one_statement_whatever_the_list_size(customer, django_assert_num_queries):
    from campaigns.services import campaign_launch

    small = dialer_campaign(customer, contacts=2, launch=False)
    big = dialer_campaign(customer, contacts=300, launch=False)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for campaign in (small, big):
        with CaptureQueriesContext(connection) as queries:
            campaign_launch(campaign=campaign)
        counts.append(len(queries))
        assert sum("INSERT INTO" in q["sql"] and "calljob" in q["sql"] for q in queries.captured_queries) == 1
    assert counts[0] == counts[1]
    assert CallJob.objects.filter(campaign=big).count() == 300


@pytest.mark.django_db
def test_finish_cancels_what_is_left(customer):
    campaign = dialer_campaign(customer, contacts=4)
    campaign_finish(campaign=campaign)
    assert set(CallJob.objects.filter(campaign=campaign).values_list("status", flat=True)) == {JobStatus.CANCELLED}


@pytest.mark.django_db
def test_a_campaign_is_snapshotted_once_so_each_contact_has_one_job(customer):
    from campaigns.services import CampaignStateError, campaign_launch, campaign_pause, campaign_resume

    campaign = dialer_campaign(customer, contacts=5)
    with pytest.raises(CampaignStateError):
        campaign_launch(campaign=campaign)
    campaign_pause(campaign=campaign)
    with pytest.raises(CampaignStateError):
        campaign_launch(campaign=campaign)
    campaign_resume(campaign=campaign)
    contacts = sorted(campaign.distribution_list.contacts.values_list("pk", flat=True))
    assert sorted(CallJob.objects.filter(campaign=campaign).values_list("contact_id", flat=True)) == contacts
