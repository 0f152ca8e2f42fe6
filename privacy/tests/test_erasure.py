"""Erasure leaves no trace of the number but its hash; the campaign's statistics do not change."""

import pytest

from campaigns.dialer import dialer_tick
from campaigns.models import CallAttempt, CallJob, Campaign
from campaigns.tests.dialer.helpers import dialer_campaign, play_calls
from customers.tests.factories import CustomerFactory
from distribution_lists.models import Contact, DuplicateRow, IncorrectRow
from dnc.models import DncEntry
from privacy.models import Erasure
from privacy.services import number_hash, person_erase, person_export

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("simulator")]

NUMBER = "+447911100000"


def stats(campaign) -> tuple:
    campaign = Campaign.objects.get(pk=campaign.pk)
    return (campaign.stat_contacts, campaign.stat_called, campaign.stat_answered, campaign.stat_done)


def test_export_then_erase_leaves_only_the_hash_and_the_same_statistics(customer, admin_user):
    campaign = dialer_campaign(customer, contacts=3)
    IncorrectRow.objects.create(
        distribution_list=campaign.distribution_list, row_number=9, raw_phone="07911 100000", cells=["x"], reason="dup"
    )
    DuplicateRow.objects.create(
        distribution_list=campaign.distribution_list,
        row_number=10,
        raw_phone="+44 7911 100000",
        phone=NUMBER,
        first_row_number=2,
        cells=["+44 7911 100000", "Again"],
    )
    for _ in range(3):
        dialer_tick()
        play_calls(campaign)
    other_customer_campaign = dialer_campaign(CustomerFactory(), contacts=1)  # same number, another customer
    before = stats(campaign)

    document = person_export(customer=customer, number=NUMBER)
    assert document["contacts"] and {c["phone"] for c in document["contacts"]} == {NUMBER}
    assert len(document["call_attempts"]) == 1 and document["campaign_jobs"][0]["campaign"] == campaign.name
    assert [r["raw_phone"] for r in document["incorrect_rows"]] == ["07911 100000"]
    assert [r["cells"] for r in document["duplicate_rows"]] == [["+44 7911 100000", "Again"]]

    erasure = person_erase(customer=customer, number=NUMBER, by=admin_user, add_to_dnc=True)
    hashed = number_hash(NUMBER)
    assert erasure.number_hash == hashed and NUMBER not in str(erasure.counts)
    assert Erasure.objects.filter(customer=customer, by=admin_user).count() == 1
    assert not Contact.objects.filter(distribution_list=campaign.distribution_list, phone=NUMBER).exists()
    assert not IncorrectRow.objects.filter(distribution_list=campaign.distribution_list).exists()
    assert not DuplicateRow.objects.filter(distribution_list=campaign.distribution_list).exists()
    assert erasure.counts["duplicate_rows"] == 1
    assert not CallAttempt.objects.filter(campaign=campaign, b_number=NUMBER).exists()
    assert not CallJob.objects.filter(campaign=campaign, phone=NUMBER).exists()
    assert CallAttempt.objects.filter(campaign=campaign, b_number=hashed).count() == 1
    assert stats(campaign) == before
    # On the customer's do-not-call list, the one place the number must stay to keep it from being called.
    assert DncEntry.objects.get(customer=customer, number=NUMBER).source == "erasure"
    # Another customer's data is theirs: a customer's erasure does not reach it.
    assert CallJob.objects.filter(campaign=other_customer_campaign, phone=NUMBER).exists()

    person_erase(customer=None, number=NUMBER, by=admin_user)  # the administrator's reaches everyone's
    assert not CallJob.objects.filter(phone=NUMBER).exists() and not Contact.objects.filter(phone=NUMBER).exists()


def test_the_dashboard_page_exports_and_erases_only_the_customers_data(client, customer_user, customer):
    client.force_login(customer_user)
    dialer_campaign(customer, contacts=1)
    response = client.get("/personal-data/", {"number": NUMBER, "export": "1"})
    assert response.status_code == 200 and response.json()["contacts"][0]["phone"] == NUMBER
    assert "is too short for GB" in client.get("/personal-data/", {"number": "+4412", "export": "1"}).content.decode()
    response = client.post("/personal-data/", {"number": NUMBER, "add_to_dnc": "on"})
    assert response.status_code == 302
    assert not Contact.objects.filter(phone=NUMBER).exists()
    assert number_hash(NUMBER) in client.get("/personal-data/").content.decode()
