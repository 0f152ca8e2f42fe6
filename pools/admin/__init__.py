"""Pool admin, split by sub-domain."""

from pools.admin import tracking  # noqa: F401
