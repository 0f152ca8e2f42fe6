from customers.models import Customer, User
from telephony.demo import (
    DEMO_ADMIN_EMAIL,
    DEMO_ADMIN_PASSWORD,
    DEMO_CUSTOMER_SLUG,
    DEMO_USER_EMAIL,
    DEMO_USER_PASSWORD,
    DemoContext,
)


def seed(context: DemoContext) -> None:
    admin = User.objects.filter(email=DEMO_ADMIN_EMAIL).first()
    if admin is None:
        admin = User.objects.create_superuser(DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD)
    customer, _ = Customer.objects.get_or_create(
        slug=DEMO_CUSTOMER_SLUG, defaults={"name": "Demo Ltd", "time_zone": "Europe/London"}
    )
    user = User.objects.filter(email=DEMO_USER_EMAIL).first()
    if user is None:
        user = User.objects.create_user(DEMO_USER_EMAIL, DEMO_USER_PASSWORD, customer=customer)
    context.objects.update(admin=admin, customer=customer, user=user)
    context.report += [
        f"Administrator: {DEMO_ADMIN_EMAIL} / {DEMO_ADMIN_PASSWORD}  (/admin/)",
        f"Customer user: {DEMO_USER_EMAIL} / {DEMO_USER_PASSWORD}  (/, “{customer.name}”, group id {customer.pk})",
    ]
