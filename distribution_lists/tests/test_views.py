import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from distribution_lists import services
from distribution_lists.models import Contact, DistributionList, IncorrectRow
from distribution_lists.tests.factories import (
    ENGINE_DATA,
    ContactFactory,
    DistributionListFactory,
    IncorrectRowFactory,
    import_file,
)
from telephony.imports import tasks
from telephony.imports.models import ImportJob
from telephony.tests.spreadsheets import assert_no_formula, response_bytes, semicolon_cells, xlsx_sheet

pytestmark = pytest.mark.django_db
Status = DistributionList.Status


def upload(client, name, path):
    with path.open("rb") as handle:
        return client.post(reverse("dashboard:distribution_lists"), {"name": name, "file": handle})


def test_list_page_lights_the_menu_and_shows_only_own_lists(customer_client, customer):
    DistributionListFactory(customer=customer, name="Mine")
    DistributionListFactory(name="Someone else's")
    response = customer_client.get(reverse("dashboard:distribution_lists"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Mine" in html and "Someone else" not in html
    assert 'class="active" aria-current="page">Distribution lists' in html


def test_upload_markup_and_processing_flow(customer_client, customer, django_capture_on_commit_callbacks, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks.run_import_job, "delay", lambda job_id: queued.append(job_id))
    response = upload(customer_client, "Leads", ENGINE_DATA / "utf8_bom_semicolon.csv")
    distribution_list = DistributionList.objects.get(customer=customer, name="Leads")
    assert response.status_code == 302
    assert response.url == reverse("dashboard:distribution_list_markup", kwargs={"list_id": distribution_list.pk})

    markup_page = customer_client.get(response.url).content.decode()
    assert "Alice Smith" in markup_page  # the preview
    assert 'value="name"' in markup_page  # names suggested from the header

    with django_capture_on_commit_callbacks(execute=True):
        response = customer_client.post(
            response.url,
            {
                "has_header": "on",
                "phone_column": "0",
                "default_region": "GB",
                "column_0": "phone",
                "column_1": "full_name",
                "column_2": "town",
            },
        )
    assert response.status_code == 302
    assert queued == [distribution_list.job_id]
    detail = customer_client.get(response.url).content.decode()
    assert 'id="progress"' in detail and "distribution_list_progress.js" in detail

    services.distribution_list_import(list_id=distribution_list.pk)
    progress = customer_client.get(reverse("dashboard:distribution_list_progress", args=[distribution_list.pk])).json()
    assert progress == {
        "status": "ready",
        "status_display": "ready",
        "phase": "",
        "phase_display": "",
        "rows_read": 8,
        "rows_total": 8,
        "rows_saved": 8,
        "rows_to_save": 8,
        "percent": 100,
        "failure_reason": "",
    }
    assert Contact.objects.get(distribution_list=distribution_list, row_number=2).variables == {
        "full_name": "Alice Smith",
        "town": "London",
    }


def test_upload_errors_are_shown_on_the_form(customer_client, customer, settings):
    response = upload(customer_client, "PDF", ENGINE_DATA / "report.pdf.xls")
    assert response.status_code == 200
    assert "report.pdf.xls is a PDF document" in response.content.decode()
    DistributionListFactory(customer=customer, name="Taken")
    response = upload(customer_client, "Taken", ENGINE_DATA / "utf8_comma.csv")
    assert "already have a list named “Taken”" in response.content.decode()
    settings.DISTRIBUTION_LIST_MAX_FILE_BYTES = 10
    response = upload(customer_client, "Big", ENGINE_DATA / "utf8_comma.csv")
    assert "files up to 0 MB are accepted" in response.content.decode()
    assert DistributionList.objects.filter(customer=customer).count() == 1


def test_markup_errors_are_shown(customer_client, customer):
    with (ENGINE_DATA / "utf8_comma.csv").open("rb") as handle:
        distribution_list = services.distribution_list_upload(
            customer=customer, name="L", upload=handle, filename="l.csv"
        )
    url = reverse("dashboard:distribution_list_markup", args=[distribution_list.pk])
    response = customer_client.post(
        url, {"phone_column": "0", "default_region": "GB", "column_0": "phone", "column_1": "x", "column_2": "x"}
    )
    assert "Column name &#x27;x&#x27; is used twice." in response.content.decode()
    assert DistributionList.objects.get(pk=distribution_list.pk).status == Status.DRAFT


def test_tabs_search_and_pagination_run_a_fixed_number_of_queries(
    customer_client, customer, django_assert_max_num_queries
):
    distribution_list = DistributionListFactory(customer=customer, column_names=["phone", "name"])
    ContactFactory.create_batch(60, distribution_list=distribution_list)
    ContactFactory(distribution_list=distribution_list, phone="+442079460018", variables={"name": "Zed Findme"})
    IncorrectRowFactory.create_batch(3, distribution_list=distribution_list)
    url = reverse("dashboard:distribution_list_detail", args=[distribution_list.pk])
    with django_assert_max_num_queries(8):
        page = customer_client.get(url).content.decode()
    assert page.count("+4474001") == 50 and "Page 1 of 2" in page
    with django_assert_max_num_queries(8):
        page = customer_client.get(url, {"q": "findme"}).content.decode()
    assert "+442079460018" in page and "+4474001" not in page
    page = customer_client.get(url, {"q": "020 7946"}).content.decode()
    assert "+442079460018" in page
    with django_assert_max_num_queries(8):
        page = customer_client.get(url, {"tab": "incorrect"}).content.decode()
    assert page.count('class="fix-row"') == 3


def test_fixing_a_row_in_the_dashboard(customer_client, customer):
    distribution_list = import_file(customer, ENGINE_DATA / "utf8_comma.csv")
    row = IncorrectRow.objects.get(distribution_list=distribution_list, row_number=6)
    url = reverse("dashboard:distribution_list_incorrect_row", args=[distribution_list.pk, row.pk])
    assert "Eve Black" in customer_client.get(url).content.decode()
    response = customer_client.post(url, {"phone": "abc", "action": "fix"})
    assert "is not a phone number (it contains letters)" in response.content.decode()
    response = customer_client.post(url, {"phone": "+44 7400 999999", "action": "fix"}, follow=True)
    html = response.content.decode()
    assert "Row 6 fixed: +447400999999 moved to Correct." in html
    assert Contact.objects.filter(distribution_list=distribution_list, phone="+447400999999").exists()


def test_removing_a_row_in_the_dashboard(customer_client, customer):
    row = IncorrectRowFactory(distribution_list__customer=customer, distribution_list__incorrect_count=1)
    url = reverse("dashboard:distribution_list_incorrect_row", args=[row.distribution_list_id, row.pk])
    customer_client.post(url, {"action": "delete"})
    assert not IncorrectRow.objects.exists()


def _formula_list(customer, tmp_path):
    path = tmp_path / "formulas.csv"
    path.write_text(
        "phone,name,note\n"
        '07400 123456,=HYPERLINK("http://evil"),@SUM(A1)\n'
        "=1+2,-minus,+plus\n"
        '07400 123457,Plain,"x;=1+1"\n'
    )
    return import_file(customer, path, column_names=["phone", "name", "note"])


def test_csv_export_writes_numbers_as_they_are_and_guards_only_formulas(
    customer_client, customer, tmp_path, django_assert_max_num_queries
):
    distribution_list = _formula_list(customer, tmp_path)
    url = reverse("dashboard:distribution_list_export_csv", args=[distribution_list.pk])
    with django_assert_max_num_queries(6):
        response = customer_client.get(url)
        assert response.streaming
        body = response_bytes(response)
    assert response["Content-Disposition"] == 'attachment; filename="formulascsv.csv"'
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == ["status", "row", "phone", "time_zone", "reason", "name", "note"]
    assert rows[1] == [
        "correct",
        "2",
        "+447400123456",
        "Europe/London",
        "",
        '\'=HYPERLINK("http://evil")',
        "'@SUM(A1)",
    ]
    assert rows[2] == ["correct", "4", "+447400123457", "Europe/London", "", "Plain", "x;=1+1"]
    assert rows[3][:3] == ["incorrect", "3", "'=1+2"]
    assert rows[3][5:] == ["'-minus", "'+plus"]


def test_csv_export_cannot_be_split_by_a_semicolon_spreadsheet(customer_client, customer, tmp_path):
    distribution_list = _formula_list(customer, tmp_path)
    response = customer_client.get(reverse("dashboard:distribution_list_export_csv", args=[distribution_list.pk]))
    cells = semicolon_cells(response)
    assert [len(row) for row in cells] == [1, 1, 1, 1]  # each line stays whole: every ; is inside quotes
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in cells for cell in row)


def test_xlsx_export_writes_text_as_text_and_numbers_as_they_are(customer_client, customer, tmp_path):
    distribution_list = _formula_list(customer, tmp_path)
    response = customer_client.get(reverse("dashboard:distribution_list_export_xlsx", args=[distribution_list.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="formulascsv.xlsx"'
    sheet = xlsx_sheet(response)
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[1][:3] == ["correct", 2, "+447400123456"]
    assert rows[1][5:] == ['=HYPERLINK("http://evil")', "@SUM(A1)"]
    assert rows[2][5:] == ["Plain", "x;=1+1"]
    assert rows[3][:3] == ["incorrect", 3, "=1+2"] and rows[3][5:] == ["-minus", "+plus"]
    assert_no_formula(sheet)
    assert [row[0] for row in rows] == ["status", "correct", "correct", "incorrect"]


def test_delete_in_the_dashboard(customer_client, customer):
    distribution_list = ContactFactory(distribution_list__customer=customer).distribution_list
    response = customer_client.post(reverse("dashboard:distribution_list_delete", args=[distribution_list.pk]))
    assert response.status_code == 302
    assert not DistributionList.objects.exists()


def test_failed_list_shows_why_and_can_be_marked_up_again(customer_client, customer, tmp_path):
    path = tmp_path / "one_row.csv"
    path.write_text("07400 123456\n", encoding="utf-8")
    distribution_list = import_file(customer, path)
    page = customer_client.get(reverse("dashboard:distribution_list_detail", args=[distribution_list.pk]))
    assert "The file has a header but no data rows." in page.content.decode()
    markup = customer_client.get(reverse("dashboard:distribution_list_markup", args=[distribution_list.pk]))
    assert markup.status_code == 200


def test_uploaded_file_object_works_with_the_service(customer):
    upload_file = SimpleUploadedFile("x.csv", b"phone\n07400123456\n", content_type="text/csv")
    distribution_list = services.distribution_list_upload(
        customer=customer, name="x", upload=upload_file, filename="x.csv"
    )
    assert distribution_list.job.source_file.read() == b"phone\n07400123456\n"


def test_a_file_of_a_type_lists_do_not_take_is_refused_by_its_extension(customer_client, customer, tmp_path):
    for name in ("notes.pdf", "notes.docx"):
        path = tmp_path / name
        path.write_text("hello\n07400 123456\n", encoding="utf-8")
        response = upload(customer_client, name, path)
        assert response.status_code == 200
        assert f"{name} is a .{name.split('.')[1]} file; upload a CSV, TXT, TSV, XLS, XLSX or ODS file." in (
            response.content.decode()
        )
    assert not DistributionList.objects.filter(customer=customer).exists()
    # The field's accept attribute lists the same types.
    page = customer_client.get(reverse("dashboard:distribution_lists")).content.decode()
    assert 'accept=".csv,.txt,.tsv,.xls,.xlsx,.ods"' in page


def test_a_header_without_rows_is_refused_at_upload(customer_client, customer, tmp_path):
    path = tmp_path / "header_only.csv"
    path.write_text("Phone;Name;Delivery date\n\n", encoding="utf-8")
    response = upload(customer_client, "No rows", path)
    assert response.status_code == 200
    assert "header_only.csv has a header row (Phone, Name, Delivery date) and no contacts below it" in (
        response.content.decode()
    )
    assert not DistributionList.objects.filter(customer=customer).exists()
    # One row with a number and no header is a list of one contact, not a header.
    path.write_text("07400 123456\n", encoding="utf-8")
    upload(customer_client, "One contact", path)
    assert DistributionList.objects.filter(customer=customer, name="One contact").exists()


def test_duplicates_tab_lists_each_duplicate_with_the_row_it_repeats(
    customer_client, customer, django_assert_max_num_queries
):
    distribution_list = import_file(customer, ENGINE_DATA / "utf8_comma.csv")
    url = reverse("dashboard:distribution_list_detail", args=[distribution_list.pk])
    page = customer_client.get(url).content.decode()
    assert 'id="tab-duplicates"' in page and "Duplicates (1)" in page
    with django_assert_max_num_queries(8):
        page = customer_client.get(url, {"tab": "duplicates"}).content.decode()
    table = page[page.index('id="duplicate-rows"') :]
    # Row 7 (+447400123456, "Alice again") repeats row 2 (07400 123456, "Alice Smith").
    assert "<td>7</td>" in table
    assert "row 2 · +447400123456" in table
    assert "Alice again" in table and "Alice Smith" in table
    page = customer_client.get(url, {"tab": "duplicates", "q": "again"}).content.decode()
    assert "Alice again" in page
    page = customer_client.get(url, {"tab": "duplicates", "q": "nobody here"}).content.decode()
    assert "No duplicates match" in page


def test_a_duplicate_and_the_row_it_repeats_show_the_same_columns(customer_client, customer, tmp_path):
    path = tmp_path / "dups.csv"
    path.write_text("name,phone,amount,note\nZed,+447400111222,10,x\nDup,07400 111222,5,y\n", encoding="utf-8")
    distribution_list = import_file(customer, path, phone_column=1, column_names=["name", "phone", "amount", ""])
    url = reverse("dashboard:distribution_list_detail", args=[distribution_list.pk])
    page = customer_client.get(url, {"tab": "duplicates"}).content.decode()
    table = page[page.index('id="duplicate-rows"') :]
    row = table[table.index("<tbody>") : table.index("</tbody>")]
    cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    # Row, phone as written, the row it repeats, then the variables of each row: the phone and the
    # unnamed column in neither.
    assert cells == ["3", "07400 111222", "row 2 · +447400111222", "Dup · 5", "Zed · 10"]


def test_a_processing_list_shows_its_three_phases(customer_client, customer):
    distribution_list = DistributionListFactory(
        customer=customer,
        status=Status.PROCESSING,
        job__phase=ImportJob.Phase.CHECKING,
        job__rows_read=100,
        job__rows_total=400,
    )
    page = customer_client.get(reverse("dashboard:distribution_list_detail", args=[distribution_list.pk])).content
    page = page.decode()
    assert '<span class="badge warn">checking numbers 25%</span>' in page
    assert '<li class="phase done" data-phase="reading">' in page
    assert '<li class="phase current" data-phase="checking">' in page
    assert "100 of 400 rows" in page
    assert '<li class="phase waiting" data-phase="saving">' in page
