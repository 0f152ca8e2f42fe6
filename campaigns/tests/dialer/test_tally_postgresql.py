"""The tallies again on PostgreSQL, where the outcome service writes them in its one data-modifying statement."""

import pytest

from campaigns.tests.dialer.test_tally import (  # noqa: F401 - collected here under the integration mark
    test_each_ended_attempt_adds_one_to_its_start_quarter_hour,
)
from customers.tests.test_home import (  # noqa: F401 - the overview's queries on PostgreSQL
    test_home_runs_a_fixed_number_of_queries,
    test_overview_counts_today_and_this_week_in_the_customers_zone,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
