"""Demo call tracking: a pool of five Bristol numbers for the demo customer, with a few
visits and calls so that the Call tracking page has figures to show."""

from call_tracking import services
from call_tracking.models import TrackingPool, TrackingPoolStatus
from call_tracking.services import TrackingError
from telephony.demo import DemoContext

NAME = "Website (demo)"
VISITS = [
    ("demo-visitor-0001", "https://www.google.co.uk/", "https://www.example.com/offers?gclid=demo1"),
    ("demo-visitor-0002", "https://www.bing.com/", "https://www.example.com/?gclid=demo2&utm_campaign=spring"),
    ("demo-visitor-0003", "", "https://www.example.com/contact?gclid=demo3"),
    ("demo-visitor-0004", "https://www.google.com/", "https://www.example.com/"),  # organic: not tracked
]


def seed(context: DemoContext) -> None:
    customer = context.objects["customer"]
    pool = TrackingPool.objects.filter(customer=customer, name=NAME, status=TrackingPoolStatus.ACTIVE).first()
    if pool is None:
        try:
            pool = services.tracking_pool_create(
                customer=customer,
                name=NAME,
                match_period=30,
                quantity=5,
                phone_number_request={
                    "number_type": "international",
                    "match_type": "geographic",
                    "city": "Bristol",
                    "iso_country": "GB",
                },
                numbers_to_replace=["0117 496 0000"],
                tracking_sources=[
                    {"referrer_domain": "Any", "url_triggers": ["gclid=*"], "track_organic": False},
                ],
                termination_number="+441174960000",
                site_domains=["example.com"],
                user=context.objects.get("admin"),
            )
        except TrackingError as exc:
            context.report.append(f"Call tracking: no demo pool ({exc})")
            return
        for visitor, referrer, url in VISITS:
            answer = services.dni_visit(pool=pool, visitor_id=visitor, referrer=referrer, landing_url=url)
            if answer.replace and visitor != "demo-visitor-0003":
                services.tracked_call_record(called=answer.tracking_number, caller="+447700900123")
    context.objects["tracking_pool"] = pool
    context.report.append(
        f"Call tracking: pool “{pool.name}” (/call-tracking/{pool.pk}/); "
        f"API: /v3/api/groups/{customer.pk}/numberpools with a token from /api-tokens/"
    )
