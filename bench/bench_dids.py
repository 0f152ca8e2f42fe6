"""DID inventory at scale: the admin changelist over 1,000,000 DIDs, range creation, file import.

Run: ``DATABASE_URL=postgres://... .venv/bin/python -m bench dids``
(``BENCH_DIDS_ROWS`` changes the inventory size). It works in its own test
database (``test_<name>``, kept between runs so the million rows are built
once) and never touches the database DATABASE_URL names.

Goals (issue 4): changelist first page, a filter and a digits search
≤ 300 ms each with a query count that does not grow with the rows; a
10,000-number range ≤ 2 s; a 100,000-row import ≤ 10 s. Alternatives measured
in the same run: the changelist with Django's full ``COUNT(*)`` paginator, and
creating a range with one ``save()`` per DID.
"""

from __future__ import annotations

import os
import statistics
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

ROWS = int(os.environ.get("BENCH_DIDS_ROWS", "1000000"))
REPEAT = 5


def _fill(rows: int) -> None:
    """rows DIDs by set-based SQL: GB Bristol/London, US New York, DE Berlin; 5% assigned, 0.5% in Hold."""
    from customers.models import Customer
    from dids.models import DID, ClientPackage, Operator, Package

    # TRUNCATE, not delete(): deleting through the ORM would write a history row per DID.
    # CASCADE empties what points at DIDs (pools) in this benchmark-only database.
    with connection.cursor() as cursor:
        cursor.execute(
            f"TRUNCATE {DID.history.model._meta.db_table}, {DID._meta.db_table}, "
            f"{ClientPackage._meta.db_table}, dids_didimportissue, dids_didimport CASCADE"
        )
    operator, _ = Operator.objects.get_or_create(name="Bench Telecom")
    package, _ = Package.objects.get_or_create(name="Bench", defaults={"did_limit": rows, "hold_days": 30})
    customers = [
        Customer.objects.get_or_create(slug=f"bench-{i}", defaults={"name": f"Bench {i}"})[0] for i in range(20)
    ]
    cps = [ClientPackage.objects.create(customer=c, package=package) for c in customers]
    quarter = rows // 4
    prefixes = [
        ("+44117", "GB", "117", "Bristol", 7),
        ("+44207", "GB", "20", "London", 7),
        ("+1212", "US", "212", "New York, NY", 7),
        ("+4930", "DE", "30", "Berlin", 8),
    ]
    with connection.cursor() as cursor:
        for index, (prefix, country, area, locality, width) in enumerate(prefixes):
            cursor.execute(
                f"""
                INSERT INTO dids_did (number, raw, operator_id, status, after_hold_status, tag, notes,
                    customer_id, client_package_id, assigned_at, hold_started_at, hold_ends_at,
                    iso_country, number_type, area_code, locality, unverified, created_at, updated_at)
                SELECT %s || lpad(i::text, {width}, '0'), %s || lpad(i::text, {width}, '0'), %s,
                    CASE WHEN i %% 200 = 7 THEN 'hold' WHEN i %% 20 = 3 THEN 'assigned'
                         WHEN i %% 10 = 5 THEN 'reserved' WHEN i %% 50 = 9 THEN 'archive' ELSE 'in_stock' END,
                    'in_stock', (ARRAY['', 'local', 'gold', 'sales'])[1 + i %% 4], '',
                    CASE WHEN i %% 200 = 7 OR i %% 20 = 3 THEN (%s::bigint[])[1 + i %% 20] END,
                    CASE WHEN i %% 200 = 7 OR i %% 20 = 3 THEN (%s::bigint[])[1 + i %% 20] END,
                    CASE WHEN i %% 200 = 7 OR i %% 20 = 3 THEN now() END,
                    CASE WHEN i %% 200 = 7 THEN now() END,
                    CASE WHEN i %% 200 = 7 THEN now() + interval '30 days' END,
                    %s, 'geographic', %s, %s, false, now(), now()
                FROM generate_series(%s, %s) AS i
                """,
                [
                    prefix,
                    prefix,
                    operator.pk,
                    [c.pk for c in customers],
                    [cp.pk for cp in cps],
                    country,
                    area,
                    locality,
                    index * quarter,
                    index * quarter + quarter - 1,
                ],
            )
        cursor.execute("ANALYZE dids_did")


def _time(call) -> tuple[float, int]:
    """Median milliseconds of REPEAT calls after one warm-up, and the queries of one call."""
    call()
    durations = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        call()
        durations.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        call()
    return statistics.median(durations), len(queries.captured_queries)


def _changelist_rows(client, admin_cls) -> list[list[object]]:
    from django.core.paginator import Paginator

    pages = [
        ("first page", "/admin/dids/did/"),
        ("filter status=assigned, country=GB, tag=gold", "/admin/dids/did/?status__exact=assigned&country=GB&tag=gold"),
        ("digits search '0901234'", "/admin/dids/did/?q=0901234"),
        ("digits search '4411'", "/admin/dids/did/?q=4411"),
    ]
    rows = []
    for label, url in pages:

        def get(url=url):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        ours_ms, ours_queries = _time(get)
        # The alternative: Django admin's defaults, a full COUNT(*) (twice when filtered) on every load.
        saved = admin_cls.paginator, admin_cls.show_full_result_count
        admin_cls.paginator, admin_cls.show_full_result_count = Paginator, True
        try:
            naive_ms, naive_queries = _time(get)
        finally:
            admin_cls.paginator, admin_cls.show_full_result_count = saved
        rows.append(
            [
                f"changelist: {label}",
                ours_ms,
                ours_queries,
                "≤ 300 ms",
                "full COUNT(*)",
                naive_ms,
                naive_queries,
                naive_ms / ours_ms,
            ]
        )
    return rows


def _range_rows() -> list[list[object]]:
    from dids import services
    from dids.models import DID, Operator
    from dids.numbers import classify

    operator = Operator.objects.get(name="Bench Telecom")
    _purge("+4420794")
    started = time.perf_counter()
    result = services.did_create_many(specs="+442079400000-+442079409999", operator=operator)
    ours = time.perf_counter() - started
    assert len(result.created) == 10_000
    # The alternative: one save() per DID (with its history row), measured on 500 and scaled.
    started = time.perf_counter()
    for value in range(442079410000, 442079410500):
        parsed = classify(str(value))
        did = DID(
            number=parsed.number,
            raw=parsed.raw,
            operator=operator,
            iso_country=parsed.iso_country,
            number_type=parsed.number_type,
            area_code=parsed.area_code,
            locality=parsed.locality,
        )
        did.save()
    naive = (time.perf_counter() - started) * 20
    _purge("+4420794")
    return [
        [
            "range of 10,000 numbers (add form)",
            ours * 1000,
            "",
            "≤ 2,000 ms",
            "save() per DID (500 ×20)",
            naive * 1000,
            "",
            naive / ours,
        ]
    ]


def main() -> None:
    from django.test import Client

    from customers.models import User
    from dids.admin.did import DIDAdmin
    from dids.models import DID

    if connection.vendor != "postgresql":
        print("This benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
        return
    original_name = connection.settings_dict["NAME"]
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True)
    try:
        started = time.perf_counter()
        if DID.objects.count() < ROWS or DID.objects.count() > ROWS * 1.01:
            print(f"Filling {ROWS:,} DIDs in {test_name} …", flush=True)
            _fill(ROWS)
            print(f"  filled in {time.perf_counter() - started:.1f} s", flush=True)
        admin = User.objects.filter(email="bench-admin@example.com").first() or User.objects.create_superuser(
            "bench-admin@example.com", "bench"
        )
        client = Client()
        client.force_login(admin)
        rows = _changelist_rows(client, DIDAdmin)
        rows += _range_rows()
        rows += _import_rows()
        print(f"\n{DID.objects.count():,} DIDs on PostgreSQL; median of {REPEAT} runs after a warm-up")
        from bench.table import print_table

        print_table(["what", "ours ms", "queries", "goal", "alternative", "alt ms", "alt queries", "alt / ours"], rows)
    finally:
        connection.creation.destroy_test_db(original_name, verbosity=0, keepdb=True)


def _purge(prefix: str) -> None:
    """Remove the benchmark's own rows without a history row per deleted DID."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM dids_historicaldid WHERE number LIKE %s", [prefix + "%"])
        cursor.execute("DELETE FROM dids_did WHERE number LIKE %s", [prefix + "%"])


def _import_rows() -> list[list[object]]:
    """100,000 rows of CSV through upload → markup → run; against django-import-export's row-by-row import."""
    import tablib
    from django.core.files.uploadedfile import SimpleUploadedFile
    from import_export import fields, resources, widgets

    from dids import imports
    from dids.models import DID, Operator

    operator = Operator.objects.get(name="Bench Telecom")
    prefix = "+4989"
    _purge(prefix)
    lines = ["number,operator,tag"] + [f"{prefix}{10000000 + i},Bench Telecom,imported" for i in range(100_000)]
    upload = SimpleUploadedFile("bench.csv", ("\n".join(lines) + "\n").encode())
    started = time.perf_counter()
    did_import = imports.did_import_upload(upload=upload, filename="bench.csv")
    imports.did_import_mark_up(
        did_import=did_import,
        columns={"number": 0, "operator": 1, "tag": 2},
        has_header=True,
        default_operator=None,
        enqueue=False,
    )
    result = imports.did_import_run(import_id=did_import.pk)
    ours = time.perf_counter() - started
    assert result is not None
    assert result.created_count == 100_000, (result.status, result.failure_reason, result.created_count)
    _purge(prefix)

    class NaiveResource(resources.ModelResource):
        operator = fields.Field(
            attribute="operator", column_name="operator", widget=widgets.ForeignKeyWidget(Operator, "name")
        )

        class Meta:
            model = DID
            fields = ("number", "operator", "tag")
            import_id_fields = ("number",)

    sample = 1_000
    dataset = tablib.Dataset(headers=["number", "operator", "tag"])
    for i in range(sample):
        dataset.append([f"{prefix}{20000000 + i}", operator.name, "imported"])
    started = time.perf_counter()
    report = NaiveResource().import_data(dataset, dry_run=False, raise_errors=True)
    naive = (time.perf_counter() - started) * (100_000 / sample)
    assert report.totals["new"] == sample
    _purge(prefix)
    return [
        [
            "import of 100,000 CSV rows",
            ours * 1000,
            "",
            "≤ 10,000 ms",
            f"import-export row by row ({sample:,} ×{100_000 // sample})",
            naive * 1000,
            "",
            naive / ours,
        ]
    ]
