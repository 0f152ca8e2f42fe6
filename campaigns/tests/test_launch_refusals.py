"""A campaign is not launched on a list nobody on it can be called from (QA pass 3, item 1)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from campaigns import services
from campaigns.models import CallJob, Campaign, CampaignStatus
from campaigns.tests.factories import campaign_world, make_campaign, ready_list, wizard_data
from customers import services as customer_services

ALL_INCORRECT = "has no contacts that can be called: all 10 rows were incorrect"


def incorrect_only_list(customer, *, name="All wrong", incorrect=10):
    """A ready list whose every row was incorrect: no contact at all."""
    lst = ready_list(customer, name=name, contacts=0)
    lst.incorrect_count = incorrect
    lst.save(update_fields=["incorrect_count"])
    return lst


@pytest.fixture
def api(customer):
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {customer_services.api_token_issue(customer=customer, name='t').raw}"
    )
    return client


def test_launch_refuses_a_list_whose_every_row_was_incorrect(customer):
    campaign = make_campaign(customer, name="Doomed")
    campaign.distribution_list = incorrect_only_list(customer)
    campaign.save()
    with pytest.raises(services.CampaignListRefused) as refused:
        services.campaign_launch(campaign=campaign)
    message = str(refused.value)
    assert message.startswith("Campaign “Doomed” cannot be launched. Distribution list “All wrong” " + ALL_INCORRECT)
    assert "fix its incorrect rows" in message
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT and not campaign.transitions.exists()
    assert not CallJob.objects.filter(campaign=campaign).exists()


def test_launch_refuses_a_list_with_no_rows_and_one_incorrect_row(customer):
    campaign = make_campaign(customer, name="Empty")
    campaign.distribution_list = ready_list(customer, name="Nothing", contacts=0)
    campaign.save()
    with pytest.raises(services.CampaignListRefused, match="“Nothing” has no contacts that can be called: it has no"):
        services.campaign_launch(campaign=campaign)
    campaign.distribution_list = incorrect_only_list(customer, name="One wrong", incorrect=1)
    campaign.save()
    with pytest.raises(services.CampaignListRefused, match="its one row was incorrect"):
        services.campaign_launch(campaign=campaign)


@pytest.mark.django_db
def test_launch_refuses_a_list_whose_every_contact_is_on_a_do_not_call_list(customer):
    from dnc.models import DncEntry

    campaign = make_campaign(customer, name="Quiet")  # its list has 3 contacts, +4479111000NN
    DncEntry.objects.create(customer=customer, number="+4479111", is_prefix=True, source="dashboard")
    with pytest.raises(services.CampaignListRefused, match="all 3 contacts are on a do-not-call list"):
        services.campaign_launch(campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT and campaign.launched_at is None
    assert not CallJob.objects.filter(campaign=campaign).exists() and not campaign.transitions.exists()


def test_a_list_with_contacts_still_launches(customer):
    campaign = services.campaign_launch(campaign=make_campaign(customer))
    assert campaign.status == CampaignStatus.LAUNCHED and campaign.stat_contacts == 3


def test_the_api_refuses_the_launch_as_it_refuses_the_others(api, customer):
    world = campaign_world(customer)
    lst = incorrect_only_list(customer)
    body = {
        "name": "Spring sale",
        "a_number": f"did:{world['did'].pk}",
        "app": world["app"].pk,
        "distribution_list": lst.pk,
        "variable_mapping": {"name": "name", "code": "code"},
        "lines": 5,
        "time_zone": "Europe/London",
    }
    response = api.post("/api/campaigns/?launch=true", body, format="json")
    assert response.status_code == 409
    assert ALL_INCORRECT in response.json()["detail"]
    assert not Campaign.objects.filter(name="Spring sale").exists()  # nothing half made

    draft = api.post("/api/campaigns/", body, format="json")  # a draft on it is fine: its rows may be fixed
    assert draft.status_code == 201
    response = api.post(f"/api/campaigns/{draft.json()['id']}/launch/")
    assert response.status_code == 409 and ALL_INCORRECT in response.json()["detail"]
    assert Campaign.objects.get(pk=draft.json()["id"]).status == CampaignStatus.DRAFT


def test_the_wizard_shows_the_refusal_beside_the_list(customer_client, customer):
    world = campaign_world(customer)
    world["list"] = incorrect_only_list(customer)
    url = reverse("dashboard:campaign_create")
    # Choosing the list already says so, beside it.
    answer = customer_client.post(url, wizard_data(world, action="validate")).json()
    assert ALL_INCORRECT in answer["mapping_html"] and 'id="list-not-callable"' in answer["mapping_html"]
    # Launching is refused, with the message in the page and beside the list choice; nothing is saved.
    response = customer_client.post(url, wizard_data(world, action="launch"))
    assert response.status_code == 409
    html = response.content.decode()
    beside = html.split('id="list-not-callable"')[1].split("</p>")[0]
    assert "Campaign “Spring sale” cannot be launched" in beside and ALL_INCORRECT in beside
    assert html.index('id="id_list-distribution_list"') < html.index('id="list-not-callable"')
    assert not Campaign.objects.exists()


def test_the_campaign_page_launch_button_shows_the_refusal(customer_client, customer):
    campaign = make_campaign(customer, name="Doomed")
    campaign.distribution_list = incorrect_only_list(customer)
    campaign.save()
    response = customer_client.post(reverse("dashboard:campaign_action", args=[campaign.pk, "launch"]), follow=True)
    assert ALL_INCORRECT in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT
