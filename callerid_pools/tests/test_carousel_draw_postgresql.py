"""The carousel's rules again on PostgreSQL, where a draw is one prepared statement on the pool's sequence."""

import pytest

from callerid_pools.tests.test_carousel_draw import (  # noqa: F401 - collected here under the integration mark
    test_draw_counter_lives_in_the_database,
    test_global_pool_skips_members_no_longer_reserved,
    test_no_usable_member_raises_the_platform_cause,
    test_random_draws_only_usable_members_and_reaches_each,
    test_sequential_follows_pool_order_and_wraps,
    test_sequential_skips_held_and_released_members,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
