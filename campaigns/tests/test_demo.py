from django.core.management import call_command

from campaigns.demo import DEMO_CAMPAIGN_NAME
from campaigns.models import Campaign


def test_seed_demo_gives_a_draft_ready_to_launch_and_is_idempotent(db, capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    campaign = Campaign.objects.get(name=DEMO_CAMPAIGN_NAME)
    assert campaign.status == "draft" and campaign.app.name == "Delivery reminder"
    assert campaign.distribution_list.status == "ready"
    assert campaign.a_number_did is not None and campaign.a_number_did.customer == campaign.customer
    assert set(campaign.variable_mapping) == set(campaign.app.variables)
    assert Campaign.objects.filter(name=DEMO_CAMPAIGN_NAME).count() == 1
    assert f"/campaigns/{campaign.pk}/" in capsys.readouterr().out
