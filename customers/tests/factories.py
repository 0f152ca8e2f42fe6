import factory

from customers.models import Customer, User
from telephony.tests.factory import ModelFactory

TEST_PASSWORD = "correct horse battery staple"


class CustomerFactory(ModelFactory[Customer]):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Customer {n}")
    slug = factory.Sequence(lambda n: f"customer-{n}")
    time_zone = "Europe/London"


class UserFactory(ModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    customer = factory.SubFactory(CustomerFactory)
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()
