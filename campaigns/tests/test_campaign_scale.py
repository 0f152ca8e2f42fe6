from django.urls import reverse

from campaigns.models import Campaign, CampaignStatus
from campaigns.tests.factories import make_campaign

STATUSES = list(CampaignStatus.values)


def test_campaigns_page_with_1000_campaigns_runs_a_fixed_number_of_queries(
    customer_client, customer, django_assert_max_num_queries
):
    first = make_campaign(customer, name="Campaign 0")
    shared = {
        f: getattr(first, f)
        for f in ["a_number_did_id", "app_id", "distribution_list_id", "variable_mapping", "time_zone"]
    }
    Campaign.objects.bulk_create(
        Campaign(
            customer=customer,
            name=f"Campaign {n}",
            status=STATUSES[n % 4],
            stat_contacts=100,
            stat_done=n % 100,
            **shared,
        )
        for n in range(1, 1000)
    )
    for params in [{}, {"status": "launched"}, {"sort": "progress", "name": "Campaign 1"}, {"page": "20"}]:
        with django_assert_max_num_queries(12):
            response = customer_client.get(reverse("dashboard:campaigns"), params)
        assert response.status_code == 200 and len(response.context["campaigns"]) > 0
    folders = {f["key"]: f["count"] for f in response.context["folders"]}
    assert folders["all"] == 1000 and folders["launched"] == 250
