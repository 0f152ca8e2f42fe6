"""Pool models, split by sub-domain: caller-ID carousels and call-tracking pools.

Each sub-domain module adds its import line here.
"""

from pools.models.carousel import IncorrectReason, NumberPool, NumberPoolIncorrectNumber, NumberPoolMember, PoolType  # noqa: F401
from pools.models.tracking import *  # noqa: F403 (names listed in its __all__)
