"""The launch's statements: the list into call jobs, the zones they hold; the finish's cancel."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from campaigns.dialer.store._db import JOB, postgresql, rows, stamp
from campaigns.dialer.store.moves import CANCELLED, PENDING, SUPPRESSED, job_move
from campaigns.models import CallJob, Campaign
from distribution_lists.models import Contact
from dnc.dialer import dnc_suppression_sql

CONTACT = f'"{Contact._meta.db_table}"'


@dataclass(frozen=True, slots=True)
class Snapshot:
    created: int  # jobs written
    suppressed: int  # of which suppressed by a do-not-call entry


def jobs_snapshot(*, campaign: Campaign, now: dt.datetime) -> Snapshot:
    """Copy every contact of the campaign's list into a pending job — suppressed when a do-not-call
    entry forbids its number — in one ``INSERT … SELECT``; returns how many of each."""
    moment = stamp(now)
    suppression = dnc_suppression_sql(customer_id=campaign.customer_id, now=moment)
    # The suppression's SQL takes positional parameters: the statement's own stay positional too.
    sql = (
        f"INSERT INTO {JOB} (campaign_id, contact_id, phone, time_zone, status, next_attempt_at,"
        " attempts_made, repeats_made, repeats_by_outcome, last_outcome, last_cause, claim_token, updated_at,"
        " suppressed_by)"
        " SELECT %s, s.id, s.phone, COALESCE(NULLIF(s.time_zone, ''), %s),"
        " CASE WHEN s.entry IS NULL THEN %s ELSE %s END, %s, 0, 0, %s, '', '', '', %s, COALESCE(s.entry, '')"
        f" FROM (SELECT c.id, c.phone, c.time_zone, {suppression.column} AS entry FROM {CONTACT} c"
        f" {suppression.joins} WHERE c.distribution_list_id = %s) s"
    )
    params = [
        campaign.pk,
        campaign.time_zone,
        job_move(None, PENDING),
        job_move(None, SUPPRESSED),
        moment,
        "{}",
        moment,
        *suppression.params,
        campaign.distribution_list_id,
    ]
    with connection.cursor() as cursor:
        if suppression.any and postgresql() and settings.DIALER_LAUNCH_WORK_MEM:
            # The DNC joins hash the whole list: with the default 4 MB a million contacts spill to
            # disk in 16 batches; this transaction only.
            cursor.execute("SELECT set_config('work_mem', %s, true)", [settings.DIALER_LAUNCH_WORK_MEM])
        cursor.execute(sql, params)
        created = cursor.rowcount
    return Snapshot(created, jobs_suppressed_count(campaign.pk) if suppression.any else 0)


def jobs_suppressed_count(campaign_id: int) -> int:
    return CallJob.objects.filter(campaign_id=campaign_id, status=SUPPRESSED).count()


_ZONES = (
    "WITH RECURSIVE z(zone) AS ("
    f" (SELECT time_zone FROM {JOB} WHERE campaign_id = %(campaign)s AND status = %(pending)s"
    " ORDER BY time_zone LIMIT 1)"
    f" UNION ALL SELECT (SELECT j.time_zone FROM {JOB} j WHERE j.campaign_id = %(campaign)s"
    " AND j.status = %(pending)s AND j.time_zone > z.zone ORDER BY j.time_zone LIMIT 1)"
    " FROM z WHERE z.zone IS NOT NULL"
    ") SELECT zone FROM z WHERE zone IS NOT NULL"
)


def job_zones(campaign_id: int) -> list[str]:
    """The distinct zones of the campaign's jobs, sorted.

    On PostgreSQL a skip scan of the due-by-zone index (one index probe per
    zone) instead of reading the million rows just written.
    """
    if not postgresql():
        jobs = CallJob.objects.filter(campaign_id=campaign_id).order_by()
        return sorted(jobs.values_list("time_zone", flat=True).distinct())
    return sorted(row[0] for row in rows(_ZONES, {"campaign": campaign_id, "pending": PENDING.value}))


def jobs_cancel(campaign_id: int) -> int:
    """Every job of the campaign still waiting is cancelled; how many."""
    return CallJob.objects.filter(campaign_id=campaign_id, status=PENDING).update(status=job_move(PENDING, CANCELLED))
