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
    # Each variable reads a column that means it (not "parcel" read from "last_name").
    assert campaign.variable_mapping == {"name": "first_name", "balance": "balance"}
    assert Campaign.objects.filter(name=DEMO_CAMPAIGN_NAME).count() == 1
    assert f"/campaigns/{campaign.pk}/" in capsys.readouterr().out
    # A customer reads the comment: no developer's command in it.
    assert "`" not in campaign.comment and "make run" not in campaign.comment


def test_dialer_demo_again_launches_a_copy_only_when_every_demo_campaign_finished(db, capsys):
    from campaigns.services import campaign_finish

    call_command("seed_demo")
    call_command("dialer_demo", "--again")  # the draft is launched, not copied
    first = Campaign.objects.get(name=DEMO_CAMPAIGN_NAME)
    assert first.status == "launched" and Campaign.objects.count() == 1
    call_command("dialer_demo", "--again")  # still launched: nothing to do
    assert Campaign.objects.count() == 1

    campaign_finish(campaign=first)
    call_command("dialer_demo")  # without --again a finished demo stays finished
    assert Campaign.objects.count() == 1
    call_command("dialer_demo", "--again")
    copy = Campaign.objects.exclude(pk=first.pk).get()
    assert copy.name == f"{DEMO_CAMPAIGN_NAME} (again 1)" and copy.status == "launched"
    assert (copy.app_id, copy.distribution_list_id, copy.a_number_did_id, copy.lines) == (
        first.app_id,
        first.distribution_list_id,
        first.a_number_did_id,
        first.lines,
    )
    assert copy.variable_mapping == first.variable_mapping and copy.stat_contacts == first.stat_contacts

    campaign_finish(campaign=copy)
    call_command("dialer_demo", "--again")
    assert Campaign.objects.filter(name=f"{DEMO_CAMPAIGN_NAME} (again 2)", status="launched").exists()


def test_dialer_demo_finish_idle_finishes_a_campaign_that_places_no_call_and_launches_a_copy(db):
    import datetime as dt

    from django.utils import timezone

    call_command("seed_demo")
    call_command("dialer_demo")
    first = Campaign.objects.get(name=DEMO_CAMPAIGN_NAME)
    call_command("dialer_demo", "--again", "--finish-idle", "60")  # launched just now: left alone
    assert Campaign.objects.count() == 1

    Campaign.objects.filter(pk=first.pk).update(launched_at=timezone.now() - dt.timedelta(minutes=5))
    call_command("dialer_demo", "--again", "--finish-idle", "60")
    first.refresh_from_db()
    assert first.status == "finished"
    assert Campaign.objects.get(name=f"{DEMO_CAMPAIGN_NAME} (again 1)").status == "launched"
