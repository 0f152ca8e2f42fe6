import pytest
import time_machine
from django.urls import reverse

from campaigns.dialer import dialer_tick
from campaigns.models import CallAttempt, CallJob
from campaigns.tests.dialer.helpers import at, dialer_campaign, play_calls

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def dialled(customer, settings):
    settings.DIALER_SIM_MIX = {"486": 1}
    with time_machine.travel(at("2026-11-23 10:00"), tick=False):
        campaign = dialer_campaign(customer, contacts=4, lines=2)
        other = dialer_campaign(customer, contacts=3, lines=3, name="Other")
        dialer_tick()
        play_calls()
    return campaign, other


def result_rows(page: str) -> int:
    return page.split("<tbody>")[1].split("</tbody>")[0].count("<tr")


@pytest.mark.parametrize("model", [CallJob, CallAttempt])
def test_the_changelists_filter_by_campaign_status_and_outcome_in_a_fixed_number_of_queries(
    admin_client, dialled, model, django_assert_max_num_queries
):
    campaign, other = dialled
    url = reverse(f"admin:campaigns_{model._meta.model_name}_changelist")
    outcome = "last_outcome" if model is CallJob else "outcome"
    with django_assert_max_num_queries(12):
        page = admin_client.get(url, {"campaign__id__exact": campaign.pk}).content.decode()
    assert result_rows(page) == model.objects.filter(campaign=campaign).count() > 0
    busy = admin_client.get(url, {outcome: "busy", "campaign__id__exact": other.pk}).content.decode()
    assert result_rows(busy) == model.objects.filter(campaign=other, **{outcome: "busy"}).count() > 0
    status = "done" if model is CallJob else "ended"
    ended = admin_client.get(url, {"status": status}).content.decode()
    assert result_rows(ended) == model.objects.filter(status=status).count() > 0


@pytest.mark.parametrize("model", [CallJob, CallAttempt])
def test_call_jobs_and_attempts_are_read_only_in_the_admin(admin_client, dialled, model):
    row = model.objects.first()
    name = model._meta.model_name
    assert admin_client.get(reverse(f"admin:campaigns_{name}_add")).status_code == 403
    detail = admin_client.get(reverse(f"admin:campaigns_{name}_change", args=[row.pk]))
    assert detail.status_code == 200 and 'type="submit"' not in detail.content.decode().split('id="content-main"')[1]
    delete = reverse(f"admin:campaigns_{name}_delete", args=[row.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=row.pk).exists()


def test_one_campaigns_jobs_are_listed_by_outcome_then_newest_first(admin_client, dialled):
    campaign, _ = dialled
    url = reverse("admin:campaigns_calljob_changelist")
    page = admin_client.get(url, {"campaign__id__exact": campaign.pk}).content.decode()
    expected = CallJob.objects.filter(campaign=campaign).order_by("-last_outcome", "-id")
    listed = page.split("<tbody>")[1]
    positions = [listed.index(reverse("admin:campaigns_calljob_change", args=[job.pk])) for job in expected]
    assert positions == sorted(positions)
