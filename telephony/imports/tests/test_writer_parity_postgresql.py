"""The bulk writer's parity suite on PostgreSQL (see writer_parity), plus what only the COPY path has."""

import pytest
from django.db import connection

from customers.models import Customer
from telephony.imports import BulkWriter

from .writer_parity import *  # noqa: F403
from .writer_parity import FIELDS, rows

pytestmark = pytest.mark.integration


@pytest.mark.django_db
def test_postgres_path_uses_copy_into_a_staging_table():
    with BulkWriter(Customer, FIELDS) as writer:
        writer.add_many(rows(0, 3))
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {writer._stage_table}")
            assert cursor.fetchone()[0] == 3
        writer.publish()
    assert Customer.objects.filter(slug__startswith="bulk-").count() == 3
