from customers.tests.tenancy_walker import MARKER, alice_object
from distribution_lists.tests.factories import ContactFactory, DistributionListFactory, IncorrectRowFactory


@alice_object("list_id")
def alice_list(alice) -> int:
    distribution_list = DistributionListFactory(customer=alice, name=f"{MARKER} list")
    ContactFactory(distribution_list=distribution_list, variables={"name": MARKER})
    return distribution_list.pk


@alice_object("row_id")
def alice_incorrect_row(alice) -> int:
    distribution_list = DistributionListFactory(customer=alice, name=f"{MARKER} list with a bad row")
    return IncorrectRowFactory(distribution_list=distribution_list, raw_phone=f"{MARKER} phone").pk
