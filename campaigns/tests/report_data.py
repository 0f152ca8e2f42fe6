"""Jobs and attempts written straight to the database, as the dialer would leave them."""

import datetime as dt

from django.utils import timezone

from campaigns.models import CallAttempt, CallJob, Campaign

CAUSE_OF = {"answered": "200", "no_answer": "480", "busy": "486", "failed": "503"}


def add_contacts(campaign: Campaign, outcomes: list[list[str]], *, start=None, step=dt.timedelta(minutes=7)) -> list:
    """One job per contact of the campaign's list (in row order); contact ``i`` gets ``outcomes[i]`` attempts.

    Attempt times advance by ``step`` from ``start``; answered calls last 30 s
    and gather the digit 1.
    """
    start = start or timezone.now() - dt.timedelta(days=1)
    assert campaign.distribution_list is not None
    contacts = list(campaign.distribution_list.contacts.order_by("row_number"))
    jobs = []
    moment = start
    for contact, attempts in zip(contacts, outcomes, strict=False):
        job = CallJob.objects.create(
            campaign=campaign,
            contact=contact,
            phone=contact.phone,
            time_zone=contact.time_zone,
            status="done" if attempts else "pending",
            attempts_made=len(attempts),
            last_outcome=attempts[-1] if attempts else "",
            last_cause=CAUSE_OF[attempts[-1]] if attempts else "",
        )
        for number, outcome in enumerate(attempts, start=1):
            answered = outcome == "answered"
            CallAttempt.objects.create(
                job=job,
                campaign=campaign,
                number=number,
                status="ended",
                a_number="+441174090000",
                b_number=contact.phone,
                started_at=moment,
                answered_at=moment + dt.timedelta(seconds=5) if answered else None,
                ended_at=moment + dt.timedelta(seconds=35 if answered else 20),
                duration=30 if answered else None,
                outcome=outcome,
                cause=CAUSE_OF[outcome],
                digits="1" if answered else "",
            )
            moment += step
        jobs.append(job)
    return jobs
