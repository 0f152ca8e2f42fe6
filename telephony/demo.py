"""What `seed_demo` passes from one app's demo data to the next."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

DEMO_ADMIN_EMAIL = "admin@example.com"
DEMO_ADMIN_PASSWORD = "admin"
DEMO_CUSTOMER_SLUG = "demo"
DEMO_USER_EMAIL = "demo@example.com"
DEMO_USER_PASSWORD = "demo"


@dataclass
class DemoContext:
    objects: dict[str, Any] = field(default_factory=dict)
    # Lines printed at the end; a callable is called then, for a figure later apps change
    # (the demo customer's DIDs: call tracking takes some after the DIDs are seeded).
    report: list[str | Callable[[], str]] = field(default_factory=list)

    def report_lines(self) -> list[str]:
        return [line() if callable(line) else line for line in self.report]
