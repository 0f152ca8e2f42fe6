import pytest
from django.core.management import call_command

from distribution_lists.models import Contact, DistributionList

pytestmark = pytest.mark.django_db


def test_seed_demo_makes_a_ready_list_once():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    distribution_list = DistributionList.objects.get(name="Demo contacts")
    assert distribution_list.status == DistributionList.Status.READY
    assert (distribution_list.correct_count, distribution_list.incorrect_count, distribution_list.duplicate_count) == (
        8,
        1,
        1,
    )
    assert Contact.objects.filter(distribution_list=distribution_list).count() == 8
    assert distribution_list.variables == ["first_name", "last_name", "balance"]
