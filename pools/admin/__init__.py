"""Pool admin, split by sub-domain."""

from pools.admin import (
    carousel,  # noqa: F401
    tracking,  # noqa: F401
)
