import datetime as dt

from django.urls import reverse

from campaigns.models import Campaign, CampaignStatus
from campaigns.tests.factories import make_campaign


def test_folders_count_each_status(customer_client, customer):
    for status, n in [("draft", 2), ("launched", 1), ("paused", 1), ("finished", 3)]:
        for i in range(n):
            make_campaign(customer, status=status, name=f"{status} {i}")
    response = customer_client.get(reverse("dashboard:campaigns"))
    folders = {f["key"]: f["count"] for f in response.context["folders"]}
    assert folders == {"all": 7, "draft": 2, "launched": 1, "paused": 1, "finished": 3}
    finished = customer_client.get(reverse("dashboard:campaigns"), {"status": "finished"})
    assert {c.status for c in finished.context["campaigns"]} == {"finished"}


def test_filters_and_sort_apply_with_show(customer_client, customer):
    old = make_campaign(customer, name="Alpha winter")
    Campaign.objects.filter(pk=old.pk).update(created_at=dt.datetime(2025, 1, 10, tzinfo=dt.UTC))
    make_campaign(customer, name="Beta summer", stat_contacts=10, stat_done=9)
    make_campaign(customer, name="Gamma summer", stat_contacts=10, stat_done=1)
    page = customer_client.get(reverse("dashboard:campaigns"), {"name": "summer", "sort": "progress"})
    assert [c.name for c in page.context["campaigns"]] == ["Beta summer", "Gamma summer"]
    page = customer_client.get(reverse("dashboard:campaigns"), {"created_to": "2025-12-31"})
    assert [c.name for c in page.context["campaigns"]] == ["Alpha winter"]
    page = customer_client.get(reverse("dashboard:campaigns"), {"sort": "name"})
    assert [c.name for c in page.context["campaigns"]] == ["Alpha winter", "Beta summer", "Gamma summer"]


def test_cards_show_statistics(customer_client, customer):
    make_campaign(
        customer,
        name="Stats",
        status=CampaignStatus.LAUNCHED,
        stat_contacts=200,
        stat_called=120,
        stat_answered=80,
        stat_no_answer=20,
        stat_busy=10,
        stat_failed=10,
        stat_done=100,
    )
    html = customer_client.get(reverse("dashboard:campaigns")).content.decode()
    # The live script (campaign_progress.js) finds the numbers by their data-stat attributes.
    assert '<span data-stat="progress_percent">50</span>% done' in html
    assert '<dd data-stat="stat_contacts">200</dd>' in html and '<dd data-stat="stat_answered">80</dd>' in html


def test_campaigns_page_queries_do_not_grow_with_campaigns(customer_client, customer, django_assert_max_num_queries):
    for i in range(40):
        make_campaign(customer, name=f"Campaign {i}")
    with django_assert_max_num_queries(12):
        customer_client.get(reverse("dashboard:campaigns"))
