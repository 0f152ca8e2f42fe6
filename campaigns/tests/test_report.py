import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from campaigns import reports
from campaigns.models import CallJob, Campaign
from campaigns.tests.factories import make_campaign, ready_list
from campaigns.tests.report_data import add_contacts
from telephony.tests.spreadsheets import assert_no_formula, semicolon_cells, xlsx_sheet


def campaign_with_contacts(customer, contacts: int, **fields) -> Campaign:
    campaign = make_campaign(customer, status="launched", **fields)
    campaign.distribution_list = ready_list(customer, contacts=contacts)
    campaign.save(update_fields=["distribution_list"])
    return campaign


def report(client, campaign, **params):
    return client.get(reverse("dashboard:campaign_report", args=[campaign.pk]), params)


def get_chart(client, campaign):
    return client.get(reverse("dashboard:campaign_report_chart", args=[campaign.pk]))


def test_report_lists_every_contact_with_its_attempts(customer_client, customer):
    campaign = campaign_with_contacts(customer, 3, name="Spring")
    add_contacts(campaign, [["busy", "answered"], ["no_answer"], []])
    response = report(customer_client, campaign)
    rows = response.context["page"].rows
    assert [row.phone for row in rows] == ["+447911100000", "+447911100001", "+447911100002"]
    assert [(a.number, a.outcome, a.cause, a.duration, a.digits) for a in rows[0].attempts] == [
        (1, "busy", "486", None, ""),
        (2, "answered", "200", 30, "1"),
    ]
    assert rows[2].attempts == []
    html = response.content.decode()
    assert "+441174090000" in html  # the A-number of each attempt
    assert 'href="#cause-486"' in html and "Busy here" in html  # cause linked to the legend
    assert 'id="cause-P03"' in html  # the legend is the cause table
    assert "Not called yet." in html


def test_report_filters_by_the_contacts_latest_outcome(customer_client, customer):
    campaign = campaign_with_contacts(customer, 4)
    add_contacts(campaign, [["busy", "answered"], ["no_answer"], ["busy"], []])
    phones = lambda **p: [row.phone for row in report(customer_client, campaign, **p).context["page"].rows]  # noqa: E731
    assert phones(outcome="answered") == ["+447911100000"]
    assert phones(outcome="busy") == ["+447911100002"]
    assert phones(outcome="none") == ["+447911100003"]
    CallJob.objects.filter(phone="+447911100000").update(last_outcome="short")  # the dialer's "answered, too short"
    assert phones(outcome="short") == ["+447911100000"] and phones(outcome="answered") == []
    assert len(phones(outcome="not-an-outcome")) == 4  # unknown filter: everything


def test_report_pages_by_keyset_forwards_and_back(customer, customer_client):
    campaign = campaign_with_contacts(customer, 7)
    add_contacts(campaign, [["failed"]] * 7)
    first = reports.report_page(campaign, size=3)
    assert len(first.rows) == 3 and first.previous_before is None and first.next_after == first.rows[-1].job_id
    second = reports.report_page(campaign, size=3, after=first.next_after)
    third = reports.report_page(campaign, size=3, after=second.next_after)
    assert len(third.rows) == 1 and third.next_after is None and third.previous_before == third.rows[0].job_id
    back = reports.report_page(campaign, size=3, before=third.previous_before)
    assert [r.job_id for r in back.rows] == [r.job_id for r in second.rows]
    assert back.previous_before == second.rows[0].job_id and back.next_after == second.rows[-1].job_id
    page = report(customer_client, campaign, after=first.next_after, outcome="failed")
    shown = page.context["page"]
    assert len(shown.rows) == 4  # the view's pages are bigger; these are the contacts after the first three
    assert f"outcome=failed&amp;before={shown.previous_before}" in page.content.decode()


@pytest.mark.parametrize("contacts", [5, 60])
def test_report_runs_a_fixed_number_of_queries(customer_client, customer, django_assert_max_num_queries, contacts):
    campaign = campaign_with_contacts(customer, contacts)
    add_contacts(campaign, [["busy", "no_answer", "answered"]] * contacts)
    # session, user, customer, campaign, contacts page, their attempts
    with django_assert_max_num_queries(6):
        response = report(customer_client, campaign)
    assert len(response.context["page"].rows) == min(contacts, reports.REPORT_PAGE_SIZE)
    # The chart: session, user, customer, campaign, the span, the grouped counts
    with django_assert_max_num_queries(6):
        get_chart(customer_client, campaign)


def test_chart_counts_outcomes_per_period(customer_client, customer):
    campaign = campaign_with_contacts(customer, 4)
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    add_contacts(campaign, [["busy", "answered"], ["no_answer"], ["failed"], ["answered"]], start=start)
    chart = reports.outcome_chart(campaign)
    # Five attempts 7 minutes apart (9:00–9:28) fit in 1-minute bars.
    assert chart.width == dt.timedelta(minutes=1)
    assert sum(bar.total for bar in chart.bars) == 5
    assert {o: sum(b.counts.get(o, 0) for b in chart.bars) for o in ["answered", "busy", "no_answer", "failed"]} == {
        "answered": 2,
        "busy": 1,
        "no_answer": 1,
        "failed": 1,
    }
    html = report(customer_client, campaign).content.decode()
    chart_url = reverse("dashboard:campaign_report_chart", args=[campaign.pk])
    assert f'data-chart-url="{chart_url}"' in html and "<object" not in html
    response = get_chart(customer_client, campaign)
    assert response["Content-Type"] == "application/json"
    data = response.json()
    answered = next(d for d in data["datasets"] if d["key"] == "answered")
    assert sum(answered["data"]) == 2 and answered["label"] == "Answered" and data["bucket"] == "minute"
    # Times in the customer's zone (London: UTC in March); a tick every 5 minutes of the 29 bars.
    assert data["titles"][0] == "Mon 2 Mar, 09:00–09:01" and data["ticks"][0] == "09:00" and data["ticks"][5] == "09:05"
    assert data["zone"] == "Europe/London" and data["total"] == 5


def test_chart_of_a_long_campaign_uses_wider_bars(customer):
    campaign = campaign_with_contacts(customer, 10)
    add_contacts(campaign, [["answered"]] * 10, step=dt.timedelta(hours=9))
    chart = reports.outcome_chart(campaign)
    assert chart.width == dt.timedelta(hours=2) and len(chart.bars) <= reports.MAX_BARS
    assert sum(bar.total for bar in chart.bars) == 10


def test_chart_before_any_call_names_a_day_and_the_customers_zone(customer_client, customer):
    # A campaign with no call ended yet once captioned its empty chart "calls per 0 days ... times in ".
    campaign = campaign_with_contacts(customer, 2)
    data = get_chart(customer_client, campaign).json()
    assert data["empty"] and data["bucket"] == "day"
    assert data["zone"] == customer.time_zone


def test_report_of_a_draft_says_it_is_not_launched(customer_client, customer):
    campaign = make_campaign(customer)
    html = report(customer_client, campaign).content.decode()
    assert "has not been launched" in html
    assert get_chart(customer_client, campaign).json()["empty"] is True


def test_card_details_and_campaign_page_link_to_the_report(customer_client, customer):
    campaign = make_campaign(customer, name="Linked")
    url = reverse("dashboard:campaign_report", args=[campaign.pk])
    cards = customer_client.get(reverse("dashboard:campaigns")).content.decode()
    assert f'class="button details" href="{url}"' in cards
    detail = customer_client.get(reverse("dashboard:campaign_detail", args=[campaign.pk])).content.decode()
    assert f'href="{url}"' in detail


# --- Export --------------------------------------------------------------------


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_csv_export_has_every_attempt_then_the_contacts_never_called(customer_client, customer):
    campaign = campaign_with_contacts(customer, 3)
    add_contacts(campaign, [["busy", "answered"], ["no_answer"], []])
    response = customer_client.get(reverse("dashboard:campaign_report_csv", args=[campaign.pk]))
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    assert rows[0] == reports.export_header(ZoneInfo("Europe/London"))
    by_phone = [(r[0], r[1], r[6], r[7]) for r in rows[1:]]
    assert by_phone == [
        ("+447911100000", "1", "Busy", "486"),
        ("+447911100000", "2", "Answered", "200"),
        ("+447911100001", "1", "No answer", "480"),
        ("+447911100002", "0", "Not called", ""),
    ]
    answered = rows[2]
    assert answered[9] == "30" and answered[10] == "1" and answered[8] == "Answered"


def _formula_digits_campaign(customer):
    from campaigns.models import CallAttempt

    customer.time_zone = "America/New_York"
    customer.save(update_fields=["time_zone"])
    campaign = campaign_with_contacts(customer, 5)
    add_contacts(campaign, [["answered"]] * 5, start=dt.datetime(2026, 7, 1, 12, 0, 5, tzinfo=dt.UTC))
    for attempt, digits in zip(
        CallAttempt.objects.order_by("pk"), ["=1+2", "-5", "@SUM(A1)", "+3", "x;=1+1"], strict=True
    ):
        attempt.digits = digits
        attempt.save(update_fields=["digits"])
    return campaign


def test_csv_export_guards_only_cells_that_would_run(customer_client, customer):
    campaign = _formula_digits_campaign(customer)
    response = customer_client.get(reverse("dashboard:campaign_report_csv", args=[campaign.pk]))
    rows = csv_rows(response)
    assert [r[10] for r in rows[1:]] == ["'=1+2", "-5", "'@SUM(A1)", "+3", "x;=1+1"]  # plain numbers stay
    assert rows[1][0] == "+447911100000" and rows[1][5] == "+441174090000"  # phone numbers as they are
    assert rows[1][2] == "2026-07-01 08:00:05"
    cells = semicolon_cells(customer_client.get(reverse("dashboard:campaign_report_csv", args=[campaign.pk])))
    assert {len(row) for row in cells} == {1}  # x;=1+1 stays inside its quotes
    assert not any(cell.startswith(("=", "@")) for row in cells for cell in row)


def test_xlsx_export_writes_text_as_text_numbers_as_they_are_and_times_as_dates(customer_client, customer):
    campaign = _formula_digits_campaign(customer)
    response = customer_client.get(reverse("dashboard:campaign_report_xlsx", args=[campaign.pk]))
    assert response["Content-Disposition"].startswith('attachment; filename="campaign-report-')
    sheet = xlsx_sheet(response)
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == reports.export_header(ZoneInfo("America/New_York"))
    assert [row[10] for row in values[1:]] == ["=1+2", "-5", "@SUM(A1)", "+3", "x;=1+1"]
    assert values[1][0] == "+447911100000" and values[1][5] == "+441174090000"
    assert values[1][1] == 1 and values[1][9] == 30
    # Whole numbers are shown as such (XLSX has no integer type: the cells carry the format "0").
    assert [sheet.cell(row=2, column=n).number_format for n in (2, 10)] == ["0", "0"]
    assert sheet.cell(row=2, column=1).number_format == "General"
    assert values[1][6] == "Answered" and values[1][7] == "200"
    assert values[1][2] == dt.datetime(2026, 7, 1, 8, 0, 5)  # a date cell, in the customer's zone
    assert sheet.cell(row=2, column=3).is_date
    assert_no_formula(sheet)


def test_both_exports_name_the_zone_of_their_times(customer_client, customer):
    """QA pass 3, item 5: a reader of the file knows which zone "08:00:05" is in."""
    campaign = _formula_digits_campaign(customer)  # the customer is in New York
    header = csv_rows(customer_client.get(reverse("dashboard:campaign_report_csv", args=[campaign.pk])))[0]
    assert header[2:5] == [
        "started at (America/New_York)",
        "answered at (America/New_York)",
        "ended at (America/New_York)",
    ]
    sheet = xlsx_sheet(customer_client.get(reverse("dashboard:campaign_report_xlsx", args=[campaign.pk])))
    assert [cell.value for cell in sheet[1]][2:5] == header[2:5]
    assert reports.export_header(dt.UTC)[3] == "answered at (UTC)"


@pytest.mark.integration
def test_exports_on_postgresql_guard_and_type_the_same(customer_client, customer):
    """On PostgreSQL the database shifts and truncates the times (reports.export_rows): the same cells."""
    test_csv_export_guards_only_cells_that_would_run(customer_client, customer)
    Campaign.objects.all().delete()
    test_xlsx_export_writes_text_as_text_numbers_as_they_are_and_times_as_dates(customer_client, customer)


def test_export_query_count_does_not_grow_with_rows(customer_client, customer, django_assert_max_num_queries):
    campaign = campaign_with_contacts(customer, 30)
    add_contacts(campaign, [["busy", "answered"]] * 30)
    with django_assert_max_num_queries(6):
        response = customer_client.get(reverse("dashboard:campaign_report_csv", args=[campaign.pk]))
        assert len(csv_rows(response)) == 61


@pytest.mark.integration
def test_export_on_postgresql_formats_times_in_the_customers_zone(customer_client, customer):
    """On PostgreSQL the database formats the times (reports.export_rows): the same text as in Python."""
    export_times_are_in_the_customers_zone(customer_client, customer)


def test_export_formats_times_in_the_customers_zone(customer_client, customer):
    export_times_are_in_the_customers_zone(customer_client, customer)


def export_times_are_in_the_customers_zone(customer_client, customer):
    customer.time_zone = "America/New_York"
    customer.save(update_fields=["time_zone"])
    campaign = campaign_with_contacts(customer, 2)
    start = dt.datetime(2026, 7, 1, 12, 0, 5, tzinfo=dt.UTC)
    add_contacts(campaign, [["answered"], ["busy"]], start=start)
    rows = csv_rows(customer_client.get(reverse("dashboard:campaign_report_csv", args=[campaign.pk])))
    assert [(r[2], r[3], r[4]) for r in rows[1:]] == [
        ("2026-07-01 08:00:05", "2026-07-01 08:00:10", "2026-07-01 08:00:40"),
        ("2026-07-01 08:07:05", "", "2026-07-01 08:07:25"),
    ]
