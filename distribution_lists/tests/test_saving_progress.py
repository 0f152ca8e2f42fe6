"""On PostgreSQL the saving phase's progress is committed while the rows are still inserted in one transaction."""

import pytest
from django.db import OperationalError, connections

from customers.tests.factories import CustomerFactory
from distribution_lists import services
from distribution_lists.models import Contact, DistributionList, DuplicateRow
from distribution_lists.tests.factories import import_file

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_saving_progress_is_seen_by_other_connections_before_the_rows(monkeypatch, tmp_path):
    monkeypatch.setattr(services, "SAVE_PROGRESS_ROWS", 100)
    seen = []
    real_report = services.SavingProgress.report

    def report(self, rows_saved):
        real_report(self, rows_saved)
        # What the progress page's request (another connection) reads now.
        default = connections["default"]
        other = default.__class__(dict(default.settings_dict), alias="observer")
        try:
            with other.cursor() as cursor:
                cursor.execute(
                    "SELECT j.status, j.phase, j.rows_saved, j.rows_to_save, "
                    "(SELECT count(*) FROM distribution_lists_contact c WHERE c.distribution_list_id = l.id) "
                    "FROM distribution_lists_distributionlist l JOIN imports_importjob j ON j.id = l.job_id "
                    "WHERE j.id = %s",
                    [self.pk],
                )
                seen.append(cursor.fetchone())
        finally:
            other.close()

    monkeypatch.setattr(services.SavingProgress, "report", report)
    path = tmp_path / "many.csv"
    rows = [f"07400 1{n:05d},Person {n}" for n in range(2000)] + ["07400 100000,Again"]
    path.write_text("phone,name\n" + "\n".join(rows) + "\n")
    distribution_list = import_file(CustomerFactory(), path)

    assert distribution_list.status == DistributionList.Status.READY
    assert len(seen) > 5
    saved = [row[2] for row in seen]
    assert saved == sorted(saved) and saved[-1] == 2001
    # Seen while processing, with none of the rows visible yet: the list is still all or nothing.
    assert {(status, phase, total, contacts) for status, phase, _saved, total, contacts in seen} == {
        ("processing", "saving", 2001, 0)
    }
    assert Contact.objects.filter(distribution_list=distribution_list).count() == 2000
    assert DuplicateRow.objects.get(distribution_list=distribution_list).first_row_number == 2


def test_no_second_connection_does_not_fail_the_import(monkeypatch, tmp_path):
    def refuse(self, *args, **kwargs):
        raise OperationalError("too many connections")

    monkeypatch.setattr(services, "SAVE_PROGRESS_ROWS", 100)
    real_enter = services.SavingProgress.__enter__

    def enter(self):
        real_enter(self)
        monkeypatch.setattr(self.side, "cursor", refuse.__get__(self.side))
        return self

    monkeypatch.setattr(services.SavingProgress, "__enter__", enter)
    path = tmp_path / "some.csv"
    path.write_text("phone\n" + "\n".join(f"07400 1{n:05d}" for n in range(300)) + "\n")
    distribution_list = import_file(CustomerFactory(), path)
    assert distribution_list.status == DistributionList.Status.READY
    assert Contact.objects.filter(distribution_list=distribution_list).count() == 300
