"""Cross-tenant walker makers of the pools app, one module per sub-domain."""

from pools.tests import (
    tenancy_carousel,  # noqa: F401
    tenancy_tracking,  # noqa: F401
)
