import threading

import pytest
from django.db import connection
from django.urls import reverse

from campaigns import services
from campaigns.models import CampaignStatus
from campaigns.tests.factories import make_campaign

D, L, P, F = CampaignStatus.DRAFT, CampaignStatus.LAUNCHED, CampaignStatus.PAUSED, CampaignStatus.FINISHED


@pytest.mark.parametrize(
    ("start", "target", "allowed"),
    [
        (D, L, True),
        (D, P, False),
        (D, F, False),
        (L, P, True),
        (L, F, True),
        (L, D, False),
        (P, L, True),
        (P, F, True),
        (P, D, False),
        (F, L, False),
        (F, P, False),
        (F, D, False),
    ],
)
def test_status_machine(customer, admin_user, start, target, allowed):
    campaign = make_campaign(customer, status=start)
    if allowed:
        services.campaign_transition(campaign=campaign, to_status=target, user=admin_user)
        campaign.refresh_from_db()
        assert campaign.status == target
        transition = campaign.transitions.get()
        assert (transition.from_status, transition.to_status, transition.by) == (start, target, admin_user)
    else:
        with pytest.raises(services.CampaignStateError, match=f"is {start}"):
            services.campaign_transition(campaign=campaign, to_status=target)
        campaign.refresh_from_db()
        assert campaign.status == start and not campaign.transitions.exists()


def test_only_the_dialer_finishes_by_itself_and_only_a_launched_campaign(customer):
    paused = make_campaign(customer, status=P, name="Paused")
    with pytest.raises(services.CampaignStateError):
        services.campaign_transition(campaign=paused, to_status=F, actor="dialer")
    launched = make_campaign(customer, status=L, name="Launched")
    services.campaign_transition(campaign=launched, to_status=F, actor="dialer")
    assert launched.transitions.get().by_dialer


def test_a_stale_copy_cannot_transition(customer):
    campaign = make_campaign(customer, status=L)
    stale = type(campaign).objects.get(pk=campaign.pk)
    services.campaign_pause(campaign=campaign)
    with pytest.raises(services.CampaignStateError):
        services.campaign_pause(campaign=stale)
    assert campaign.transitions.count() == 1


def test_buttons_change_status_and_refuse_illegal_moves(customer_client, customer):
    campaign = make_campaign(customer, status=D)
    url = lambda action: reverse("dashboard:campaign_action", args=[campaign.pk, action])  # noqa: E731
    customer_client.post(url("launch"))
    customer_client.post(url("pause"))
    campaign.refresh_from_db()
    assert campaign.status == P
    response = customer_client.post(url("launch"), follow=True)  # launch is for drafts; resume for paused
    assert "cannot launch" in response.content.decode()
    customer_client.post(url("finish"))
    campaign.refresh_from_db()
    assert campaign.status == F
    assert customer_client.get(url("finish")).status_code == 405  # a GET never changes anything


def test_campaign_page_offers_only_allowed_buttons(customer_client, customer):
    campaign = make_campaign(customer, status=P)
    html = customer_client.get(reverse("dashboard:campaign_detail", args=[campaign.pk])).content.decode()
    assert ">Resume<" in html and ">Finish<" in html and ">Pause<" not in html and ">Launch<" not in html
    assert reverse("dashboard:campaign_edit", args=[campaign.pk]) in html
    campaign.status = L
    campaign.save()
    html = customer_client.get(reverse("dashboard:campaign_detail", args=[campaign.pk])).content.decode()
    assert "pause it first" in html and ">Pause<" in html


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_concurrent_transitions_have_one_winner(customer):
    campaign = make_campaign(customer, status=L)
    barrier = threading.Barrier(2)
    results = []

    def pause_or_finish(target):
        copy = type(campaign).objects.get(pk=campaign.pk)
        barrier.wait()
        try:
            services.campaign_transition(campaign=copy, to_status=target)
            results.append(target)
        except services.CampaignStateError:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=pause_or_finish, args=(t,)) for t in (P, F)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count("refused") == 1
    campaign.refresh_from_db()
    assert campaign.transitions.count() == 1
    assert campaign.status == campaign.transitions.get().to_status


def test_a_list_used_only_by_drafts_or_finished_campaigns_can_be_deleted(customer):
    from distribution_lists.services import DistributionListError, distribution_list_delete

    finished = make_campaign(customer, status=F, name="Done")
    draft = make_campaign(customer, status=D, name="Draft", distribution_list=finished.distribution_list)
    distribution_list_delete(distribution_list=finished.distribution_list)
    draft.refresh_from_db()
    assert draft.distribution_list is None
    with pytest.raises(services.CampaignStateError, match="no ready distribution list"):
        services.campaign_launch(campaign=draft)
    paused = make_campaign(customer, status=P, name="Paused")
    with pytest.raises(DistributionListError, match="launched or paused campaign uses it"):
        distribution_list_delete(distribution_list=paused.distribution_list)
