"""The saving phase of a list import: one INSERT … SELECT against ranges with progress between them.

    DATABASE_URL=postgres://... .venv/bin/python -m bench import_save

Stages ``BENCH_SAVE_ROWS`` (1,000,000) contacts in the import's staging table
(COPY), then publishes them into the real table inside a transaction that is
rolled back: once as one statement (as before the saving phase reported
progress) and once in ranges of the staging table's pages of about 50,000
rows each, with the progress written through a second connection after each
(as the import does). Each case runs twice, alternating, on a vacuumed
table; the best is kept.
"""

from __future__ import annotations

import os
import time

from bench.table import print_table

ROWS = int(os.environ.get("BENCH_SAVE_ROWS", 1_000_000))


def main() -> None:
    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        print("needs PostgreSQL (DATABASE_URL)")
        return
    from customers.models import Customer
    from distribution_lists import services
    from distribution_lists.models import Contact, DistributionList
    from telephony.imports import BulkWriter
    from telephony.imports.models import ImportJob
    from telephony.imports.writer import SavingProgress

    customer, _ = Customer.objects.get_or_create(slug="bench-import-save", defaults={"name": "Bench import save"})
    DistributionList.objects.filter(customer=customer).delete()
    ImportJob.objects.filter(customer=customer).delete()
    job = ImportJob.objects.create(
        kind=ImportJob.Kind.DISTRIBUTION_LIST,
        customer=customer,
        status=ImportJob.Status.PROCESSING,
        original_filename="bench.csv",
        rows_to_save=ROWS,
    )
    target = DistributionList.objects.create(customer=customer, name="bench", status="processing", job=job)
    rows = [
        (target.pk, f"+447400{n:06d}", "Europe/London", {"name": f"Person {n}", "city": "Leeds"}, n + 2)
        for n in range(ROWS)
    ]

    def run(progress_rows: int | None) -> float:
        with BulkWriter(Contact, services.CONTACT_FIELDS) as writer:
            for start in range(0, ROWS, 100_000):
                writer.add_many(rows[start : start + 100_000])
            started = time.perf_counter()
            with transaction.atomic():
                if progress_rows is None:
                    inserted = writer.publish(progress_rows=10**12)
                else:
                    with SavingProgress(ImportJob, job.pk, while_status=ImportJob.Status.PROCESSING) as saving:
                        inserted = writer.publish(saving.report, progress_rows=progress_rows)
                elapsed = time.perf_counter() - started
                assert inserted == ROWS, inserted
                transaction.set_rollback(True)
        # The rolled-back rows stay as dead tuples and index entries: clear them so that every run starts alike.
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM {Contact._meta.db_table}")
        return elapsed

    one, ranged = [], []
    for _ in range(2):
        one.append(run(None))
        ranged.append(run(services.SAVE_PROGRESS_ROWS))
    best_one, best_ranged = min(one), min(ranged)
    print_table(
        ["publish of contacts", "rows", "seconds", "rows/s", "ratio to one statement"],
        [
            ["one INSERT … SELECT (no progress)", ROWS, best_one, int(ROWS / best_one), 1.0],
            [
                f"ranges of ~{services.SAVE_PROGRESS_ROWS:,} rows + progress",
                ROWS,
                best_ranged,
                int(ROWS / best_ranged),
                best_ranged / best_one,
            ],
        ],
    )
    target.delete()
    job.delete()
