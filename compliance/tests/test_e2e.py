"""In the browser: the customer's caller-ID usage page flags the number whose answer rate fell."""

import datetime as dt

import pytest
from django.utils import timezone

from campaigns.models import AttemptStatus, CallAttempt, CallJob
from campaigns.tests.dialer.helpers import dialer_campaign
from customers.tests.factories import TEST_PASSWORD, CustomerFactory, UserFactory
from dids.tests.factories import AssignedDIDFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("simulator")]


def _calls(campaign, a_number: str, per_day: int, answered_per_day) -> None:
    """``per_day`` ended attempts from ``a_number`` on each of the last 14 days; ``answered_per_day(days_back)``."""
    jobs = list(CallJob.objects.filter(campaign=campaign).order_by("pk"))
    made = {job.pk: CallAttempt.objects.filter(job=job).count() for job in jobs}
    now = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    rows, n = [], 0
    for back in range(14):
        started = now - dt.timedelta(days=back)
        for k in range(per_day):
            job = jobs[n % len(jobs)]
            n += 1
            made[job.pk] += 1
            answered = k < answered_per_day(back)
            rows.append(
                CallAttempt(
                    job=job,
                    campaign=campaign,
                    number=made[job.pk],
                    status=AttemptStatus.ENDED,
                    a_number=a_number,
                    b_number=job.phone,
                    started_at=started,
                    answered_at=started if answered else None,
                    ended_at=started + dt.timedelta(seconds=30),
                    outcome="answered" if answered else "no_answer",
                    cause="200" if answered else "408",
                )
            )
    CallAttempt.objects.bulk_create(rows)


def test_the_usage_page_shows_each_number_and_flags_a_falling_answer_rate(page, login, customer, screenshot):
    campaign = dialer_campaign(customer, contacts=40, launch=True)
    steady = campaign.a_number_did.number
    flagged = AssignedDIDFactory(client_package__customer=customer, number="+441174090077").number
    _calls(campaign, steady, 8, lambda back: 4)
    _calls(campaign, flagged, 8, lambda back: 1 if back < 3 else 5)
    theirs = dialer_campaign(CustomerFactory(), contacts=2)
    _calls(theirs, theirs.a_number_did.number, 2, lambda back: 1)  # another customer's number
    user = UserFactory(customer=customer)
    login(user.email, TEST_PASSWORD)
    page.get_by_role("link", name="Caller-ID usage").click()

    rows = page.locator("#caller-id-numbers tbody tr")
    assert rows.count() == 2
    first = rows.nth(0).inner_text()
    assert (
        flagged in first and "answer rate falling" in first and "13% of 24" in first
    )  # whole percents, as in the grid below
    second = rows.nth(1).inner_text()
    assert steady in second and "steady" in second and "50%" in second
    grid = page.locator("#caller-id-usage tbody tr")
    assert grid.count() == 2 and grid.nth(0).locator("td").count() == 1 + 14  # the number, then 14 days
    assert grid.nth(0).locator("td").nth(1).inner_text() == "13%"  # today: 1 of 8 answered
    assert grid.nth(0).locator("td").nth(1).get_attribute("title") == "1 of 8 answered"
    assert theirs.a_number_did.number not in page.content()
    screenshot(page, "caller-id-usage")
