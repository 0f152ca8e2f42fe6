import io

import pytest

from distribution_lists import services, tasks
from distribution_lists.models import DistributionList
from telephony.imports import tasks as import_tasks

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
    import_tasks.run_import_job.apply(args=[distribution_list.job_id])
    import_tasks.run_import_job.apply(args=[distribution_list.job_id])
    distribution_list.refresh_from_db()
    assert distribution_list.status == DistributionList.Status.READY
    assert distribution_list.correct_count == 2


def test_a_task_queued_under_the_old_name_still_imports_the_list(customer):
    distribution_list = services.distribution_list_upload(
        customer=customer, name="Old", upload=io.BytesIO(b"phone\n07400123456\n"), filename="t.csv"
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
    distribution_list.refresh_from_db()
    assert distribution_list.status == DistributionList.Status.READY


def test_reaper_is_scheduled(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["imports-reap-stalled-jobs"]
    assert entry["task"] == import_tasks.reap_stalled_import_jobs.name
