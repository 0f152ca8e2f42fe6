import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from distribution_lists.models import Contact, DistributionList

pytestmark = pytest.mark.django_db


def test_seed_demo_makes_a_ready_list_once():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    distribution_list = DistributionList.objects.get(name="Demo contacts")
    assert distribution_list.status == DistributionList.Status.READY
    assert (distribution_list.correct_count, distribution_list.incorrect_count, distribution_list.duplicate_count) == (
        19,
        1,
        1,
    )
    assert Contact.objects.filter(distribution_list=distribution_list).count() == 19
    assert distribution_list.variables == ["first_name", "last_name", "balance"]


@pytest.mark.compliance
def test_the_demo_list_always_has_contacts_inside_their_legal_hours():
    """`make run` on a weekend evening called one contact: the rest were outside their legal hours.

    With the shipped legal table, every quarter of an hour of a week in each season (and the weeks
    the clocks change) finds at least four demo contacts the dialer may call.
    """
    from compliance.selectors import legal_open
    from compliance.services import legal_windows_reset

    legal_windows_reset()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    zones = list(Contact.objects.filter(distribution_list__name="Demo contacts").values_list("time_zone", flat=True))
    for monday in ["2027-01-04", "2027-03-22", "2027-03-29", "2027-07-05", "2027-10-25", "2027-11-01"]:
        start = dt.datetime.fromisoformat(monday).replace(tzinfo=dt.UTC)
        for step in range(7 * 24 * 4):
            now = start + dt.timedelta(minutes=15 * step)
            callable_now = sum(legal_open(zone, now) for zone in zones)
            assert callable_now >= 4, f"{now:%a %d %b %H:%M} UTC: {callable_now} demo contacts callable"


@pytest.mark.compliance
def test_the_demo_campaign_calls_on_a_sunday_evening(simulator):
    from campaigns.dialer import dialer_tick
    from campaigns.models import CallAttempt
    from compliance.services import legal_windows_reset

    legal_windows_reset()
    sunday_evening = dt.datetime(2026, 12, 6, 21, 30, tzinfo=dt.UTC)  # after 21:00 in London, Paris and Berlin
    with time_machine.travel(sunday_evening, tick=False):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
        call_command("dialer_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
        assert dialer_tick() == 2  # both of the demo campaign's lines
        called = set(CallAttempt.objects.values_list("b_number", flat=True))
        assert not any(number.startswith(("+44", "+33", "+49")) for number in called)
