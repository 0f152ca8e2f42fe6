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
