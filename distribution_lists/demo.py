"""Demo data: a ready distribution list for the demo customer, imported through the engine."""

import io

from distribution_lists import services
from distribution_lists.models import DistributionList
from telephony.demo import DemoContext

DEMO_LIST_NAME = "Demo contacts"
# Written the ways real files write numbers, with one junk row and one duplicate. The contacts
# live in zones from Honolulu to Vladivostok, so that at any hour of any day (weekends, either
# side of a clock change) at least four of them are inside their legal calling hours and the
# demo campaign has someone to call (tests/test_demo.py checks every quarter of an hour of a week).
# The US numbers are 555-01xx, the range set aside for fiction; the others are made up.
DEMO_CSV = """phone;first_name;last_name;balance
07400 123456;Alice;Smith;120.50
+44 20 7946 0018;Bob;Jones;15.00
0161 496 0000;Carol;White;0
'07400 123457;Dan;Brown;42.10
+1 212 555 0123;Erin;Lee;9.99
0044 7400 123458;Frank;Green;77.00
call me maybe;Grace;Hall;5.00
07400123456;Alice;Smith (again);120.50
+33 1 42 68 53 00;Henri;Martin;300.00
+49 30 1234567;Ida;Schmidt;18.25
+61 2 5550 4477;Jack;Taylor;64.00
+1 808 555 0142;Kai;Kahale;23.40
+1 808 555 0187;Leilani;Akana;8.75
+1 213 555 0148;Maria;Lopez;51.20
+1 907 555 0162;Nora;Olsen;12.00
+7 495 123 45 67;Olga;Ivanova;35.60
+7 423 222 33 44;Pavel;Sokolov;19.90
+1 646 555 0199;Quinn;Baker;88.10
+7 423 222 33 45;Ruslan;Petrov;4.50
+7 495 123 45 68;Sofia;Morozova;61.00
+1 310 555 0133;Tom;Reyes;27.30
"""


def seed(context: DemoContext) -> None:
    customer = context.objects["customer"]
    distribution_list = DistributionList.objects.filter(customer=customer, name=DEMO_LIST_NAME).first()
    if distribution_list is None:
        distribution_list = services.distribution_list_upload(
            customer=customer,
            name=DEMO_LIST_NAME,
            upload=io.BytesIO(DEMO_CSV.encode()),
            filename="demo-contacts.csv",
            created_by=context.objects.get("user"),
        )
    if distribution_list.status in (DistributionList.Status.DRAFT, DistributionList.Status.FAILED):
        services.distribution_list_mark_up(
            distribution_list=distribution_list,
            has_header=True,
            phone_column=0,
            column_names=["phone", "first_name", "last_name", "balance"],
            default_region="GB",
            enqueue=False,
        )
        services.distribution_list_import(list_id=distribution_list.pk)
        distribution_list.refresh_from_db()
    context.objects["distribution_list"] = distribution_list
    context.report.append(
        f"Distribution list: “{distribution_list.name}” ({distribution_list.get_status_display()}, "
        f"{distribution_list.correct_count} contacts)  (/distribution-lists/{distribution_list.pk}/)"
    )
