"""What `seed_demo` passes from one app's demo data to the next."""

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
    report: list[str] = field(default_factory=list)
