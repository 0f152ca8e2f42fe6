"""The call attempts' number search on PostgreSQL: one range of each number index, never a scan of the table."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory

from campaigns.models import CallAttempt
from campaigns.tests.factories import make_campaign
from campaigns.tests.report_data import add_contacts

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.mark.parametrize("typed", ["+4420", "0044 20 7946 0018", "+99"])
def test_the_number_search_is_served_by_the_b_number_and_a_number_indexes(admin_user, customer, typed):
    add_contacts(make_campaign(customer, status="launched"), [["busy"], ["answered"], ["no_answer"]])
    model_admin = admin.site._registry[CallAttempt]
    request = RequestFactory().get("/admin/campaigns/callattempt/", {"q": typed})
    request.user = admin_user
    found, _ = model_admin.get_search_results(request, CallAttempt.objects.all(), typed)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table: make the planner show what it can use
        cursor.execute("ANALYZE campaigns_callattempt")
    plan = found.order_by().explain()
    assert "Seq Scan" not in plan, plan
    assert "call_attempt_b_number" in plan and "call_attempt_a_number" in plan, plan
    conditions = [line.strip() for line in plan.splitlines() if "Index Cond:" in line]
    assert any("(b_number)::text >= '+" in line for line in conditions), plan
    assert any("(a_number)::text >= '+" in line for line in conditions), plan
    assert "~~" not in plan and "upper(" not in plan.lower(), plan  # no LIKE, no case folding
