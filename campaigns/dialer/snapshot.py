"""Launch: the list's contacts become call jobs in one set-based statement."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection, transaction

from campaigns.models import CallJob, Campaign, JobStatus
from dnc.dialer import dnc_suppression_sql


def campaign_snapshot(*, campaign: Campaign, now: dt.datetime) -> int:
    """Copy every contact of the campaign's list into a pending job; returns how many.

    One ``INSERT … SELECT`` (no Python loop over contacts): a million contacts
    stay in the database. Contacts are the list's correct rows, duplicates
    already excluded at import; a contact without a zone takes the campaign's.
    The jobs are due at once (the dispatcher still waits for the scheduled
    time and the work period). Run inside the launch's transaction, which
    holds the campaign's row lock and moves it out of draft: the one snapshot
    of a campaign, so one job per contact (no unique index to fill).

    A contact on the platform's or the customer's do-not-call list becomes a
    suppressed job in the same statement (dnc/dialer.py), counted as done.
    """
    from distribution_lists.models import Contact

    job = CallJob._meta.db_table
    contact = Contact._meta.db_table
    quote = connection.ops.quote_name
    stamp = connection.ops.adapt_datetimefield_value(now)
    suppression = dnc_suppression_sql(customer_id=campaign.customer_id, now=stamp)
    sql = (
        f"INSERT INTO {quote(job)} (campaign_id, contact_id, phone, time_zone, status, next_attempt_at,"
        " attempts_made, repeats_made, repeats_by_outcome, last_outcome, last_cause, claim_token, updated_at,"
        " suppressed_by)"
        " SELECT %s, s.id, s.phone, COALESCE(NULLIF(s.time_zone, ''), %s),"
        " CASE WHEN s.entry IS NULL THEN %s ELSE %s END, %s, 0, 0, %s, '', '', '', %s, COALESCE(s.entry, '')"
        f" FROM (SELECT c.id, c.phone, c.time_zone, {suppression.column} AS entry FROM {quote(contact)} c"
        f" {suppression.joins} WHERE c.distribution_list_id = %s) s"
    )
    with transaction.atomic():
        with connection.cursor() as cursor:
            if suppression.any and connection.vendor == "postgresql" and settings.DIALER_LAUNCH_WORK_MEM:
                # The DNC joins hash the whole list: with the default 4 MB a million contacts spill to
                # disk in 16 batches; this transaction only.
                cursor.execute("SELECT set_config('work_mem', %s, true)", [settings.DIALER_LAUNCH_WORK_MEM])
            cursor.execute(
                sql,
                [
                    campaign.pk,
                    campaign.time_zone,
                    JobStatus.PENDING.value,
                    JobStatus.SUPPRESSED.value,
                    stamp,
                    "{}",
                    stamp,
                    *suppression.params,
                    campaign.distribution_list_id,
                ],
            )
            created: int = cursor.rowcount
        suppressed = (
            CallJob.objects.filter(campaign=campaign, status=JobStatus.SUPPRESSED).count() if suppression.any else 0
        )
        zones = _zones_of(campaign)
        Campaign.objects.filter(pk=campaign.pk).update(
            stat_contacts=created, stat_suppressed=suppressed, stat_done=suppressed, dialer_zones=zones
        )
    campaign.stat_contacts = created
    campaign.stat_suppressed = campaign.stat_done = suppressed
    campaign.dialer_zones = zones
    return created


def _zones_of(campaign: Campaign) -> list[str]:
    """The distinct zones of the campaign's jobs, sorted.

    On PostgreSQL a skip scan of the due-by-zone index (one index probe per
    zone) instead of reading the million rows just written.
    """
    if connection.vendor != "postgresql":
        return sorted(
            CallJob.objects.filter(campaign=campaign).order_by().values_list("time_zone", flat=True).distinct()
        )
    job = connection.ops.quote_name(CallJob._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH RECURSIVE z(zone) AS ("
            f" (SELECT time_zone FROM {job} WHERE campaign_id = %s AND status = %s ORDER BY time_zone LIMIT 1)"
            f" UNION ALL SELECT (SELECT j.time_zone FROM {job} j WHERE j.campaign_id = %s AND j.status = %s"
            " AND j.time_zone > z.zone ORDER BY j.time_zone LIMIT 1) FROM z WHERE z.zone IS NOT NULL"
            ") SELECT zone FROM z WHERE zone IS NOT NULL",
            [campaign.pk, JobStatus.PENDING.value, campaign.pk, JobStatus.PENDING.value],
        )
        return sorted(row[0] for row in cursor.fetchall())


def campaign_jobs_cancel(*, campaign: Campaign) -> int:
    """Finish: every job still waiting is cancelled (calls in progress end normally)."""
    return CallJob.objects.filter(campaign=campaign, status=JobStatus.PENDING).update(status=JobStatus.CANCELLED)
