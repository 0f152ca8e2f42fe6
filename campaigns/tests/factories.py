import itertools

import factory

from campaigns.models import App
from customers.tests.factories import CustomerFactory

SIMPLE_SCENARIO = [
    {"id": "greet", "type": "say", "text": "Hello {name}, your code is {code}."},
    {"id": "end", "type": "hangup"},
]


class AppFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = App

    name = factory.Sequence(lambda n: f"App {n}")
    customer = factory.SubFactory(CustomerFactory)
    is_global = False
    scenario = factory.LazyFunction(lambda: [dict(step) for step in SIMPLE_SCENARIO])


class GlobalAppFactory(AppFactory):
    customer = None
    is_global = True


_list_numbers = itertools.count(1)


def ready_list(customer, *, name: str = "", columns=("phone", "name", "code"), contacts: int = 0):
    """A ready distribution list with ``contacts`` contacts (built directly: tests need rows fast)."""
    from distribution_lists.models import Contact, DistributionList

    name = name or f"Customers {next(_list_numbers)}"
    lst = DistributionList.objects.create(
        customer=customer,
        name=name,
        status="ready",
        column_names=list(columns),
        phone_column=0,
        correct_count=contacts,
    )
    Contact.objects.bulk_create(
        Contact(
            distribution_list=lst,
            phone=f"+4479111{n:05d}",
            time_zone="Europe/London",
            variables={"name": f"Person {n}", "code": f"C{n}"},
            row_number=n + 2,
        )
        for n in range(contacts)
    )
    return lst


def campaign_world(customer, *, did_number: str = "") -> dict:
    """What a campaign of ``customer`` needs: an assigned DID, an app and a ready list."""
    from dids.tests.factories import AssignedDIDFactory

    extra = {"number": did_number} if did_number else {}
    did = AssignedDIDFactory(client_package__customer=customer, **extra)
    return {"did": did, "app": AppFactory(customer=customer), "list": ready_list(customer, contacts=3)}


def wizard_data(world: dict, **overrides) -> dict:
    """A valid wizard POST for ``world``; ``overrides`` use the prefixed field names."""
    data = {
        "main-name": "Spring sale",
        "main-comment": "",
        "main-a_number": f"did:{world['did'].pk}",
        "app-app": str(world["app"].pk),
        "list-distribution_list": str(world["list"].pk),
        "list-var_name": "name",
        "list-var_code": "code",
        "settings-all_day": "on",
        "settings-work_days": ["0", "1", "2", "3", "4", "5", "6"],
        "settings-lines": "5",
        "settings-short_call_seconds": "10",
        "settings-time_zone": "Europe/London",
    }
    for outcome in ["answered", "no_answer", "busy", "failed", "short"]:
        data[f"settings-repeat_{outcome}_count"] = "1"
        data[f"settings-repeat_{outcome}_period"] = "60"
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def make_campaign(customer, *, status: str = "draft", name: str = "Campaign", **fields):
    from campaigns.models import Campaign

    world = campaign_world(customer)
    values = {
        "a_number_did": world["did"],
        "app": world["app"],
        "distribution_list": world["list"],
        "variable_mapping": {"name": "name", "code": "code"},
        "time_zone": "Europe/London",
        **fields,
    }
    return Campaign.objects.create(customer=customer, name=name, status=status, **values)
