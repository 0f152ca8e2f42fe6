import pytest
from django.urls import reverse

from campaigns.dialer import dialer_tick
from campaigns.tests.dialer.helpers import dialer_campaign
from customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
URL = reverse("dashboard:campaign_progress")


def test_progress_shows_statistics_and_lines_in_use(customer, customer_client, django_assert_max_num_queries):
    first = dialer_campaign(customer, contacts=6, lines=2)
    second = dialer_campaign(customer, contacts=1, lines=3, launch=False)
    dialer_tick()
    with django_assert_max_num_queries(6):  # session, user, customer, campaigns, lines
        response = customer_client.get(URL, {"ids": f"{first.pk},{second.pk}"})
    data = response.json()["campaigns"]
    assert data[str(first.pk)]["lines_in_use"] == 2 and data[str(first.pk)]["lines"] == 2
    assert data[str(first.pk)]["stat_contacts"] == 6 and data[str(first.pk)]["remaining"] == 6
    assert data[str(first.pk)]["status"] == "launched"
    assert data[str(second.pk)]["status"] == "draft" and data[str(second.pk)]["lines_in_use"] == 0


def test_another_customers_campaign_is_absent(customer_client):
    other = dialer_campaign(CustomerFactory(), contacts=1)
    assert customer_client.get(URL, {"ids": str(other.pk)}).json() == {"campaigns": {}}


def test_ids_that_are_not_numbers_are_refused_with_a_message(customer_client):
    response = customer_client.get(URL, {"ids": "1,x"})
    assert response.status_code == 400 and "ids must be campaign numbers" in response.json()["error"]


def test_pages_carry_the_live_fields(customer, customer_client):
    campaign = dialer_campaign(customer, contacts=3, lines=2)
    dialer_tick()
    page = customer_client.get(reverse("dashboard:campaign_detail", args=[campaign.pk])).content.decode()
    assert 'data-stat="lines_in_use">2</span> of 2' in page and "campaign_progress.js" in page
    cards = customer_client.get(reverse("dashboard:campaigns")).content.decode()
    assert f'data-campaign="{campaign.pk}"' in cards and 'data-stat="stat_called"' in cards
