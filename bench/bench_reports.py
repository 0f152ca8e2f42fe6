"""Campaign report and export at scale: a campaign with 1,000,000 attempts.

Run: ``DATABASE_URL=postgres://... .venv/bin/python -m bench reports``
(``BENCH_REPORT_ATTEMPTS`` changes the size; 4 attempts per contact). It
works in its own database (``bench_reports_<name>``, kept between runs so
the rows are built once) and never touches the database DATABASE_URL names.

Goals (issue 6): the report page ≤ 300 ms with a query count that does not
grow with the attempts; the CSV export streams ≥ 50,000 rows/s with flat
memory. Alternatives measured in the same run: the report paged with
Django's Paginator (COUNT(*) + OFFSET) and the export iterating model
instances (no ``iterator()``, no ``values_list``) — the latter on a slice,
because on the whole campaign it would hold every row in memory at once.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import statistics
import threading
import time

from django.db import connection

ATTEMPTS = int(os.environ.get("BENCH_REPORT_ATTEMPTS", "1000000"))
PER_CONTACT = 4
NAIVE_EXPORT_ROWS = int(os.environ.get("BENCH_REPORT_NAIVE_ROWS", "200000"))
REPEAT = 5
CAMPAIGN_NAME = "Bench report"


def _fill(customer, attempts: int):
    """A launched campaign whose list has attempts/4 contacts, each called 4 times, by set-based SQL."""
    from campaigns.models import App, Campaign
    from campaigns.tests.factories import AppFactory
    from dids.tests.factories import AssignedDIDFactory
    from distribution_lists.models import DistributionList

    contacts = attempts // PER_CONTACT
    Campaign.objects.filter(customer=customer).delete()
    DistributionList.objects.filter(customer=customer).delete()
    lst = DistributionList.objects.create(
        customer=customer,
        name="Bench list",
        status="ready",
        column_names=["phone", "name", "code"],
        phone_column=0,
        correct_count=contacts,
    )
    from dids.models import DID

    # Kept from an earlier run, or made once (the factories' sequences restart with each run).
    did = DID.objects.filter(customer=customer).first() or AssignedDIDFactory(
        number="+441174099999", client_package__customer=customer, client_package__package__name="Bench reports"
    )
    app = App.objects.filter(customer=customer).first() or AppFactory(customer=customer, name="Bench app")
    campaign = Campaign.objects.create(
        customer=customer,
        name=CAMPAIGN_NAME,
        status="launched",
        a_number_did=did,
        app=app,
        distribution_list=lst,
        variable_mapping={"name": "name", "code": "code"},
        time_zone="Europe/London",
    )
    outcome_sql = """(ARRAY['no_answer', 'busy', 'failed', 'no_answer'])[1 + (j.id + n) %% 4]"""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO distribution_lists_contact (distribution_list_id, phone, time_zone, variables, row_number)
            SELECT %s, '+4479' || lpad(g::text, 8, '0'), 'Europe/London',
                   jsonb_build_object('name', 'Person ' || g, 'code', 'C' || g), g + 1
            FROM generate_series(1, %s) AS g
            """,
            [lst.pk, contacts],
        )
        cursor.execute("ANALYZE distribution_lists_contact")
        cursor.execute(
            """
            INSERT INTO campaigns_calljob (campaign_id, contact_id, phone, time_zone, status, attempts_made,
                repeats_made, repeats_by_outcome, last_outcome, last_cause, claim_token, suppressed_by, updated_at)
            SELECT %s, c.id, c.phone, c.time_zone, 'done', %s, %s, '{}', '', '', '', '', now()
            FROM distribution_lists_contact c WHERE c.distribution_list_id = %s ORDER BY c.row_number
            """,
            [campaign.pk, PER_CONTACT, PER_CONTACT - 1, lst.pk],
        )
        # Fresh statistics, or the planner takes the new rows for none and picks nested loops.
        cursor.execute("ANALYZE campaigns_calljob")
        cursor.execute("SELECT min(id) FROM campaigns_calljob WHERE campaign_id = %s", [campaign.pk])
        first_job = cursor.fetchone()[0]
        # Three unanswered attempts, then the fourth answered for even jobs; times
        # spread over about three days, a quarter of a second apart.
        cursor.execute(
            f"""
            INSERT INTO campaigns_callattempt (job_id, campaign_id, number, status, a_number, b_number, scenario,
                worker, started_at, answered_at, ended_at, duration, outcome, cause, digits, transfer)
            SELECT j.id, j.campaign_id, n, 'ended', '+441174090000', j.phone, '[]', '',
                   t, CASE WHEN o = 'answered' THEN t + interval '5 seconds' END,
                   t + interval '35 seconds', CASE WHEN o = 'answered' THEN 30 END, o,
                   CASE o WHEN 'answered' THEN '200' WHEN 'busy' THEN '486' WHEN 'failed' THEN '503' ELSE '480' END,
                   CASE WHEN o = 'answered' THEN '1' ELSE '' END, ''
            FROM campaigns_calljob j
            CROSS JOIN generate_series(1, %s) AS n
            CROSS JOIN LATERAL (SELECT
                CASE WHEN n = %s AND j.id %% 2 = 0 THEN 'answered' ELSE {outcome_sql} END AS o,
                timestamptz '2026-03-02 08:00+00' + ((n - 1) * %s + (j.id - %s)) * interval '250 ms' AS t
            ) AS a
            WHERE j.campaign_id = %s
            """,
            [PER_CONTACT, PER_CONTACT, contacts, first_job, campaign.pk],
        )
        cursor.execute("ANALYZE campaigns_callattempt")
        cursor.execute(
            """
            UPDATE campaigns_calljob j SET last_outcome = a.outcome, last_cause = a.cause
            FROM campaigns_callattempt a WHERE a.job_id = j.id AND a.number = %s AND j.campaign_id = %s
            """,
            [PER_CONTACT, campaign.pk],
        )
        cursor.execute(
            """
            UPDATE campaigns_campaign SET stat_contacts = %s, stat_called = %s, stat_done = %s,
                stat_answered = (SELECT count(*) FROM campaigns_calljob WHERE campaign_id = %s
                                 AND last_outcome = 'answered'),
                stat_no_answer = (SELECT count(*) FROM campaigns_callattempt WHERE campaign_id = %s
                                  AND outcome = 'no_answer'),
                stat_busy = (SELECT count(*) FROM campaigns_callattempt WHERE campaign_id = %s AND outcome = 'busy'),
                stat_failed = (SELECT count(*) FROM campaigns_callattempt WHERE campaign_id = %s AND outcome = 'failed')
            WHERE id = %s
            """,
            [contacts, contacts, contacts, *[campaign.pk] * 5],
        )
        for table in ("distribution_lists_contact", "campaigns_calljob", "campaigns_callattempt"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return campaign


def timed(call, repeat: int = REPEAT) -> tuple[float, int]:
    """Median milliseconds over ``repeat`` runs after a warm-up, and the queries of one run."""
    call()
    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        call()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), len(executed)


def _naive_report_page(campaign, page_number: int):
    """The usual way: Paginator (COUNT(*)) and OFFSET, attempts prefetched."""
    from django.core.paginator import Paginator

    from campaigns.models import CallJob

    jobs = CallJob.objects.filter(campaign=campaign).order_by("pk").prefetch_related("attempts")
    page = Paginator(jobs, 50).page(page_number)
    return [(job.phone, [a.outcome for a in job.attempts.all()]) for job in page.object_list]


class _PeakRss:
    """The highest resident set size seen while the block runs, sampled every 5 ms from /proc."""

    def __enter__(self):
        self.base = self.peak = self._rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())

    def _sample(self):
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self._rss())

    @staticmethod
    def _rss() -> int:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.base) / 1_048_576


def _export_rows(campaign) -> list[list[object]]:
    from campaigns.models import CallAttempt
    from campaigns.reports import EXPORT_INTEGER_COLUMNS, export_row_count, export_rows
    from telephony.exports import csv_pieces, guard_formula, xlsx_file

    rows = []
    # Ours: CSV streamed.
    with _PeakRss() as memory:
        started, cpu = time.perf_counter(), time.process_time()
        lines = 0
        for piece in csv_pieces(export_rows(campaign)):
            lines += piece.count("\n")
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    ours_rate = (lines - 1) / seconds
    rows.append(
        [
            "CSV export (ours)",
            lines - 1,
            f"{seconds:.1f}",
            f"{cpu:.1f}",
            ours_rate,
            f"{memory.growth_mb:.0f}",
            "≥ 50,000/s",
        ]
    )

    # Ours: XLSX written to a temporary file (BENCH_REPORT_SKIP_XLSX=1 leaves it out; bench_exports compares writers).
    xlsx = not os.environ.get("BENCH_REPORT_SKIP_XLSX")
    with _PeakRss() as memory:
        started, cpu = time.perf_counter(), time.process_time()
        spool = (
            xlsx_file(
                export_rows(campaign),
                title=campaign.name or "Report",
                row_count=export_row_count(campaign),
                integer_columns=EXPORT_INTEGER_COLUMNS,
            )
            if xlsx
            else None
        )
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        size = spool.seek(0, 2) if spool else 0
        if spool:
            spool.close()
    if xlsx:
        rows.append(
            [
                f"XLSX export (ours, {size / 1_048_576:.0f} MB file)",
                lines - 1,
                f"{seconds:.1f}",
                f"{cpu:.1f}",
                (lines - 1) / seconds,
                f"{memory.growth_mb:.0f}",
                "flat memory",
            ]
        )

    # The alternative: model instances, all fetched at once, formatted one by one.
    with _PeakRss() as memory:
        started, cpu = time.perf_counter(), time.process_time()
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        attempts = list(CallAttempt.objects.filter(campaign=campaign).order_by("started_at", "pk")[:NAIVE_EXPORT_ROWS])
        for attempt in attempts:
            writer.writerow(
                [
                    guard_formula(value)
                    for value in (
                        attempt.b_number,
                        attempt.number,
                        attempt.started_at,
                        attempt.answered_at,
                        attempt.ended_at,
                        attempt.a_number,
                        attempt.outcome,
                        attempt.cause,
                        attempt.duration,
                        attempt.digits,
                    )
                ]
            )
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        del attempts
    naive_rate = NAIVE_EXPORT_ROWS / seconds
    rows.append(
        [
            "CSV export, model instances (alternative)",
            NAIVE_EXPORT_ROWS,
            f"{seconds:.1f}",
            f"{cpu:.1f}",
            naive_rate,
            f"{memory.growth_mb:.0f}",
            f"ours {ours_rate / naive_rate:.1f}× faster",
        ]
    )
    return rows


@contextlib.contextmanager
def million_attempt_campaign():
    """The bench database (not pytest's test_<name>: a test run would drop the million rows) and its
    campaign of ``ATTEMPTS`` attempts, built once and kept for the report and export benchmarks."""
    from django.test.utils import setup_test_environment

    from campaigns.models import CallAttempt, Campaign
    from customers.models import Customer

    setup_test_environment()
    original_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"bench_reports_{original_name}"
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True, serialize=False)
    try:
        customer, _ = Customer.objects.get_or_create(slug="bench-reports", defaults={"name": "Bench reports"})
        campaign = Campaign.objects.filter(customer=customer, name=CAMPAIGN_NAME).first()
        if campaign is None or CallAttempt.objects.filter(campaign=campaign).count() != ATTEMPTS:
            started = time.perf_counter()
            print(f"Building a campaign with {ATTEMPTS:,} attempts in {test_name} …", flush=True)
            campaign = _fill(customer, ATTEMPTS)
            print(f"  built in {time.perf_counter() - started:.1f} s", flush=True)
        yield customer, campaign
    finally:
        connection.creation.destroy_test_db(original_name, verbosity=0, keepdb=True)


def main() -> None:
    from django.test import Client
    from django.urls import reverse

    from bench.table import print_table
    from campaigns import reports
    from campaigns.models import CallJob
    from customers.models import User

    if connection.vendor != "postgresql":
        print("This benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
        return
    with million_attempt_campaign() as (customer, campaign):
        user = User.objects.filter(email="bench-reports@example.com").first() or User.objects.create_user(
            "bench-reports@example.com", "bench", customer=customer
        )
        client = Client()
        client.force_login(user)
        url = reverse("dashboard:campaign_report", args=[campaign.pk])
        job_ids = list(CallJob.objects.filter(campaign=campaign).order_by("pk").values_list("pk", flat=True))
        middle = job_ids[len(job_ids) // 2]
        deep_page = len(job_ids) // 2 // 50

        def page(**params):
            response = client.get(url, params)
            assert response.status_code == 200, response.status_code
            return response

        page_rows = []
        # The whole page as the browser gets it (session, template and all) against the goal.
        for label, params in [
            ("report page, first", {}),
            ("report page, middle (keyset)", {"after": middle}),
            ("report page, filtered: busy", {"outcome": "busy"}),
        ]:
            ms, queries = timed(lambda params=params: page(**params))
            page_rows.append([label, ms, queries, "≤ 300 ms", "", "", "", ""])
        # The contacts-and-attempts reads alone, against the usual Paginator (COUNT(*) + OFFSET).
        for label, after, alt_page in [("first", None, 1), ("middle", middle, deep_page)]:
            ms, queries = timed(lambda after=after: reports.report_page(campaign, after=after))
            alt_ms, alt_queries = timed(lambda n=alt_page: _naive_report_page(campaign, n))
            page_rows.append(
                [
                    f"contacts page data, {label} (keyset)",
                    ms,
                    queries,
                    "",
                    f"Paginator page {alt_page:,} (COUNT + OFFSET)",
                    alt_ms,
                    alt_queries,
                    f"{alt_ms / ms:.1f}×",
                ]
            )
        chart_url = reverse("dashboard:campaign_report_chart", args=[campaign.pk])
        chart_ms, chart_queries = timed(lambda: client.get(chart_url))
        page_rows.append(["outcomes chart (its own request)", chart_ms, chart_queries, "", "—", "", "", ""])
        print(f"\n{ATTEMPTS:,} attempts of {len(job_ids):,} contacts on PostgreSQL; median of {REPEAT} runs")
        print_table(
            ["page", "ours ms", "queries", "goal", "alternative", "alt ms", "alt queries", "alt / ours"], page_rows
        )
        if os.environ.get("BENCH_REPORT_SKIP_EXPORT"):
            return
        print()
        print_table(
            ["export", "rows", "seconds", "CPU s (this process)", "rows/s", "peak RSS growth MB", "goal / ratio"],
            _export_rows(campaign),
        )
