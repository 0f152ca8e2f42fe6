"""Demo data of the pools app: each sub-domain seeds its own (one line each)."""

from telephony.demo import DemoContext


def seed(context: DemoContext) -> None:
    from pools import demo_carousel, demo_tracking

    demo_carousel.seed(context)
    demo_tracking.seed(context)
