"""The customer's home page on a customer with 1,000,000 attempts (issue 18).

Run: ``make bench BENCH=home`` (or ``DATABASE_URL=postgres://... .venv/bin/python -m bench home``;
``BENCH_HOME_ATTEMPTS`` changes the size). It works in its own database
(``bench_home_<name>``, kept between runs so the rows are built once; their
times are moved up to now when they have aged) and never touches the database
DATABASE_URL names.

The customer has four launched campaigns whose 1,000,000 attempts all fall in
the last seven days, so every one of them is inside the home page's week and
chart: the worst case for it. Goal: the home page ≤ 200 ms of server time
(the whole request through Django's test client: session, template and all)
with a query count that does not grow with the attempts. The alternative
measured in the same run computes the same call figures and chart the usual
ORM way, from the attempts (a grouped count per local hour and outcome over
the week, on the ``(campaign, started_at)`` index). It also measures what the tallies cost the
dialer: the outcome service's statement per call with the tally and without it, interleaved.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from zoneinfo import ZoneInfo

from django.db import connection

ATTEMPTS = int(os.environ.get("BENCH_HOME_ATTEMPTS", "1000000"))
CAMPAIGNS = 4
PER_CONTACT = 4
REPEAT = 7
SPAN = dt.timedelta(days=7)


def _fill(customer, attempts: int) -> None:
    """Four launched campaigns, attempts/4 contacts each called 4 times over the last 7 days, set-based."""
    from campaigns.models import App, Campaign
    from campaigns.tests.factories import AppFactory
    from dids.models import DID
    from dids.tests.factories import AssignedDIDFactory
    from distribution_lists.models import DistributionList

    Campaign.objects.filter(customer=customer).delete()
    DistributionList.objects.filter(customer=customer).delete()
    did = DID.objects.filter(customer=customer).first() or AssignedDIDFactory(
        number="+441174098888", client_package__customer=customer, client_package__package__name="Bench home"
    )
    app = App.objects.filter(customer=customer).first() or AppFactory(customer=customer, name="Bench app")
    contacts = attempts // PER_CONTACT // CAMPAIGNS
    with connection.cursor() as cursor:
        for number in range(CAMPAIGNS):
            lst = DistributionList.objects.create(
                customer=customer,
                name=f"Bench list {number}",
                status="ready",
                column_names=["phone"],
                phone_column=0,
                correct_count=contacts,
            )
            campaign = Campaign.objects.create(
                customer=customer,
                name=f"Bench campaign {number}",
                status="launched",
                a_number_did=did,
                app=app,
                distribution_list=lst,
                time_zone="Europe/London",
                stat_contacts=contacts,
                stat_called=contacts,
                stat_done=contacts // 2,
            )
            cursor.execute(
                """
                INSERT INTO distribution_lists_contact (distribution_list_id, phone, time_zone, variables, row_number)
                SELECT %s, '+4479' || lpad((g + %s)::text, 8, '0'), 'Europe/London', '{}'::jsonb, g + 1
                FROM generate_series(1, %s) AS g
                """,
                [lst.pk, number * contacts, contacts],
            )
            cursor.execute(
                """
                INSERT INTO campaigns_calljob (campaign_id, contact_id, phone, time_zone, status, attempts_made,
                    repeats_made, repeats_by_outcome, last_outcome, last_cause, claim_token, suppressed_by, updated_at)
                SELECT %s, c.id, c.phone, c.time_zone, 'done', %s, %s, '{}', '', '', '', '', now()
                FROM distribution_lists_contact c WHERE c.distribution_list_id = %s
                """,
                [campaign.pk, PER_CONTACT, PER_CONTACT - 1, lst.pk],
            )
            # Attempt n of job j at a time spread evenly over the last 7 days.
            cursor.execute(
                """
                INSERT INTO campaigns_callattempt (job_id, campaign_id, number, status, a_number, b_number,
                    scenario, worker, started_at, ended_at, duration, outcome, cause, digits, transfer)
                SELECT j.id, j.campaign_id, n, 'ended', '+441174098888', j.phone, '[]', '',
                       now() - random() * interval '7 days', now(), NULL,
                       (ARRAY['answered', 'no_answer', 'busy', 'failed', 'answered'])[1 + (j.id + n) %% 5], '', '', ''
                FROM campaigns_calljob j CROSS JOIN generate_series(1, %s) AS n
                WHERE j.campaign_id = %s
                """,
                [PER_CONTACT, campaign.pk],
            )
        for table in ("distribution_lists_contact", "campaigns_calljob", "campaigns_callattempt"):
            cursor.execute(f"VACUUM ANALYZE {table}")


def _refresh(customer) -> bool:
    """Move every attempt up so the newest is now when they have aged over an hour, then rebuild the tallies."""
    from django.db.models import Max
    from django.utils import timezone

    from campaigns.models import CallAttempt, CallTally, Campaign
    from campaigns.tallies import call_tally_rebuild

    newest = CallAttempt.objects.filter(campaign__customer=customer).aggregate(at=Max("started_at"))["at"]
    fresh = newest and timezone.now() - newest < dt.timedelta(hours=1)
    if fresh and CallTally.objects.filter(customer=customer).exists():
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE campaigns_callattempt a SET started_at = a.started_at + shift.by
            FROM (SELECT now() - max(started_at) AS by FROM campaigns_callattempt
                  WHERE campaign_id IN (SELECT id FROM campaigns_campaign WHERE customer_id = %s)) AS shift
            WHERE a.campaign_id IN (SELECT id FROM campaigns_campaign WHERE customer_id = %s)
            """,
            [customer.pk, customer.pk],
        )
        for campaign in Campaign.objects.filter(customer=customer):
            call_tally_rebuild(campaign=campaign)
        cursor.execute("VACUUM ANALYZE campaigns_callattempt")
        cursor.execute("VACUUM ANALYZE campaigns_calltally")
    return True


def _naive_calls(customer) -> dict:
    """The same call figures and hourly chart the usual way: a grouped count of the attempts."""
    from django.db.models import Count
    from django.db.models.functions import TruncHour

    from campaigns.models import CallAttempt

    zone = ZoneInfo(customer.time_zone)
    now = dt.datetime.now(zone)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    since = min(today - dt.timedelta(days=today.weekday()), today - dt.timedelta(days=6))
    rows = (
        CallAttempt.objects.filter(campaign__customer=customer, started_at__gte=since)
        .exclude(outcome="")
        .annotate(hour=TruncHour("started_at", tzinfo=zone))
        .values("hour", "outcome")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("hour", "outcome", "n")
    )
    chart: dict = {}
    for hour, outcome, n in rows:
        chart.setdefault(hour, {})[outcome] = n
    return chart


def _outcome_cost(customer, calls: int = 3000, block: int = 100) -> tuple[float, float]:
    """Milliseconds per ``attempt_end`` with the tally in its statement and without (the statement as it
    was before the tallies), interleaved in blocks so the machine's load hits both alike."""
    from campaigns.dialer import outcome
    from campaigns.dialer.store import outcome as store
    from campaigns.models import CallJob, Campaign

    campaign = Campaign.objects.filter(customer=customer).order_by("pk").first()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO campaigns_callattempt (job_id, campaign_id, number, status, a_number, b_number,
                scenario, worker, started_at, outcome, cause, digits, transfer)
            SELECT j.id, j.campaign_id, 100, 'dialing', '+441174098888', j.phone, '[]', 'bench', now(), '', '', '', ''
            FROM campaigns_calljob j WHERE j.campaign_id = %s ORDER BY j.id LIMIT %s RETURNING id
            """,
            [campaign.pk, calls],
        )
        attempt_ids = [row[0] for row in cursor.fetchall()]
        # The outcome writes a job only while its call is in progress.
        cursor.execute(
            "UPDATE campaigns_calljob SET status = 'in_progress' WHERE id IN"
            " (SELECT job_id FROM campaigns_callattempt WHERE number = 100 AND campaign_id = %s)",
            [campaign.pk],
        )
    with_tally = store._POSTGRESQL
    # The statement as it was before the tallies: the same writes without the tally's.
    without_tally = with_tally[: with_tally.index(", t AS (")] + " SELECT status, stat_done, stat_contacts FROM c"
    spent = {with_tally: 0.0, without_tally: 0.0}
    try:
        for start in range(0, len(attempt_ids), block):
            statement = with_tally if (start // block) % 2 == 0 else without_tally
            store._POSTGRESQL = statement
            started = time.perf_counter()
            for attempt_id in attempt_ids[start : start + block]:
                outcome.attempt_end(attempt_id=attempt_id, cause="200", duration=20)
            spent[statement] += time.perf_counter() - started
    finally:
        store._POSTGRESQL = with_tally
        CallJob.objects.filter(campaign=campaign).update(status="done", next_attempt_at=None)
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM campaigns_callattempt WHERE number = 100 AND campaign_id = %s", [campaign.pk])
        from campaigns.tallies import call_tally_rebuild

        call_tally_rebuild(campaign=campaign)
    half = len(attempt_ids) / 2
    return spent[with_tally] * 1000 / half, spent[without_tally] * 1000 / half


def main() -> None:
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from bench.bench_reports import timed
    from bench.table import print_table
    from campaigns.models import CallAttempt, CallTally
    from customers.models import Customer, User
    from customers.overview import home_overview

    if connection.vendor != "postgresql":
        print("This benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
        return
    setup_test_environment()
    original_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"bench_home_{original_name}"
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True, serialize=False)
    try:
        customer, _ = Customer.objects.get_or_create(
            slug="bench-home", defaults={"name": "Bench home", "time_zone": "Europe/London"}
        )
        attempts = CallAttempt.objects.filter(campaign__customer=customer)
        if attempts.count() != ATTEMPTS // (PER_CONTACT * CAMPAIGNS) * PER_CONTACT * CAMPAIGNS:
            started = time.perf_counter()
            print(f"Building a customer with {ATTEMPTS:,} attempts in {test_name} …", flush=True)
            _fill(customer, ATTEMPTS)
            print(f"  built in {time.perf_counter() - started:.1f} s", flush=True)
        started = time.perf_counter()
        if _refresh(customer):
            print(f"  times moved up to now, tallies rebuilt in {time.perf_counter() - started:.1f} s", flush=True)
        total = attempts.count()
        tallies = CallTally.objects.filter(customer=customer).count()
        user = User.objects.filter(email="bench-home@example.com").first() or User.objects.create_user(
            "bench-home@example.com", "bench", customer=customer
        )
        client = Client()
        client.force_login(user)
        url = reverse("dashboard:home")

        def page():
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        overview = home_overview(customer)
        naive = _naive_calls(customer)
        assert overview.week.ended <= sum(sum(c.values()) for c in naive.values())
        page_ms, page_queries = timed(page, REPEAT)
        ours_ms, ours_queries = timed(lambda: home_overview(customer), REPEAT)
        naive_ms, naive_queries = timed(lambda: _naive_calls(customer), REPEAT)
        print(
            f"\n{total:,} attempts of {CAMPAIGNS} campaigns in the last 7 days ({tallies:,} quarter-hour tallies);"
            f" PostgreSQL; median of {REPEAT} runs"
        )
        print_table(
            ["read", "ms", "queries", "goal", "alternative / ours"],
            [
                ["home page, whole request (server time)", page_ms, page_queries, "≤ 200 ms", ""],
                ["home_overview() (every figure and both charts)", ours_ms, ours_queries, "", ""],
                [
                    "alternative: calls and hourly chart from the attempts (ORM)",
                    naive_ms,
                    naive_queries,
                    "",
                    f"{naive_ms / ours_ms:.1f}× slower than home_overview()",
                ],
            ],
        )
        # What the tallies cost the dialer: the outcome service's one statement per call.
        tally_ms, plain_ms = _outcome_cost(customer)
        print()
        print_table(
            ["outcome service, per call (in-process, PostgreSQL)", "ms", "vs without the tally"],
            [
                ["attempt_end with the quarter-hour tally (ours)", tally_ms, f"{tally_ms / plain_ms:.2f}×"],
                ["attempt_end as before the tallies", plain_ms, ""],
            ],
        )
    finally:
        connection.creation.destroy_test_db(original_name, verbosity=0, keepdb=True)
