"""Screenshots of the campaign pages QA pass 3 changed (not collected: run it by path).

SCREENSHOTS_DIR=/tmp/shots .venv/bin/pytest campaigns/tests/screenshots_qa3.py
"""

import datetime as dt
import os
from pathlib import Path

import pytest
import time_machine

from campaigns.models import CampaignStatus
from campaigns.tests.dialer.helpers import at, dialer_campaign
from compliance.selectors import legal_rules_forget
from compliance.services import legal_windows_reset
from customers.tests.factories import TEST_PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.compliance, pytest.mark.django_db(transaction=True)]
OUT = Path(os.environ.get("SCREENSHOTS_DIR", "/tmp/screenshots"))


def test_campaign_pages(page, login, simulator):
    legal_windows_reset()
    legal_rules_forget()
    page.set_viewport_size({"width": 1366, "height": 900})
    OUT.mkdir(parents=True, exist_ok=True)
    user = UserFactory(customer__name="Demo Ltd")
    login(user.email, TEST_PASSWORD)
    with time_machine.travel(at("2026-12-07 05:00"), tick=True):
        zones = ["Europe/London", "America/New_York"]
        launched = dialer_campaign(
            user.customer, contacts=19, zones=zones, all_day=True, time_zone="UTC", name="QA campaign"
        )
        page.goto(f"/campaigns/{launched.pk}/")
        page.screenshot(path=str(OUT / "campaign_not_calling_now.png"), full_page=True)
        period = {"all_day": False, "work_start": dt.time(14), "work_end": dt.time(18), "work_days": 0b0011111}
        later = dialer_campaign(user.customer, contacts=3, name="QA afternoon", **period)
        page.goto(f"/campaigns/{later.pk}/")
        page.screenshot(path=str(OUT / "campaign_outside_work_period.png"), full_page=True)
        finished = dialer_campaign(
            user.customer,
            contacts=5,
            zones=["Pacific/Honolulu", "Europe/Moscow", "Australia/Sydney"],
            launch=False,
            status=CampaignStatus.FINISHED,
            all_day=True,
            name="QA open now",
        )
        page.goto(f"/campaigns/{finished.pk}/")
        page.screenshot(path=str(OUT / "campaign_finished_no_legal_warning.png"), full_page=True)
