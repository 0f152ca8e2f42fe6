import io

import pytest

from distribution_lists import services, tasks
from distribution_lists.models import DistributionList

pytestmark = pytest.mark.django_db


def test_import_task_calls_the_service_and_is_idempotent(customer):
    distribution_list = services.distribution_list_upload(
        customer=customer, name="T", upload=io.BytesIO(b"phone\n07400123456\n07400123457\n"), filename="t.csv"
    )
    services.distribution_list_mark_up(
        distribution_list=distribution_list,
        has_header=True,
        phone_column=0,
        column_names=["phone"],
        default_region="GB",
        enqueue=False,
    )
    tasks.import_distribution_list.apply(args=[distribution_list.pk])
    tasks.import_distribution_list.apply(args=[distribution_list.pk])
    distribution_list.refresh_from_db()
    assert distribution_list.status == DistributionList.Status.READY
    assert distribution_list.correct_count == 2


def test_reaper_is_scheduled(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["distribution-lists-reap-stalled-imports"]
    assert entry["task"] == tasks.reap_stalled_imports.name
