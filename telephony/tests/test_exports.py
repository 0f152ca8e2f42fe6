"""The one export writer: CSV quoting and formula guard, XLSX types (read back with openpyxl)."""

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from telephony import exports
from telephony.tests.spreadsheets import semicolon_cells, xlsx_rows


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("+44 117 409 0300", "'+44 117 409 0300"),  # not a plain number: a spreadsheet would try it
        # Plain numbers are data, not formulas: written as they are.
        ("+441174090300", "+441174090300"),
        ("-5", "-5"),
        ("+3.5e2", "+3.5e2"),
        ("x;=1+1", "x;=1+1"),  # quoting keeps it one cell (below)
        ("Bristol", "Bristol"),
        ("", ""),
        (None, None),
        (7, 7),
        (True, True),
    ],
)
def test_guard_formula_only_where_a_cell_would_run(value, expected):
    assert exports.guard_formula(value) == expected


def _csv(rows) -> str:
    return "".join(exports.csv_pieces(rows))


def test_csv_quotes_every_field_so_no_separator_splits_a_cell():
    text = _csv([["phone", "note"], ["+441174090300", "x;=1+1"], ["+441174090301", "a,=2+2"]])
    assert text.startswith("\ufeff")
    assert text[1:].splitlines()[1] == '"+441174090300","x;=1+1"'
    assert list(csv.reader(io.StringIO(text[1:])))[1:] == [["+441174090300", "x;=1+1"], ["+441174090301", "a,=2+2"]]


def test_csv_response_streams_and_a_semicolon_spreadsheet_sees_no_formula():
    response = exports.csv_response(iter([["phone", "note"], ["+441174090300", "x;=1+1"]]), filename="a.csv")
    assert response.streaming and response["Content-Disposition"] == 'attachment; filename="a.csv"'
    cells = semicolon_cells(response)
    assert cells[1] == ["+441174090300,x;=1+1"]  # one cell: the ; is inside quotes
    assert not any(cell.startswith("=") for row in cells for cell in row)


def test_csv_writes_dates_booleans_and_numbers_as_text():
    text = _csv([["when", "flag", "n", "none"], [dt.datetime(2026, 3, 2, 8, 0, 5), True, 3, None]])
    assert list(csv.reader(io.StringIO(text[1:])))[1] == ["2026-03-02 08:00:05", "True", "3", ""]


def test_csv_pieces_bound_the_rows_per_piece():
    pieces = list(exports.csv_pieces([["n"]] + [[i] for i in range(2500)]))
    assert [piece.count("\n") for piece in pieces] == [0, 1000, 1000, 501]


def test_xlsx_keeps_types_and_writes_text_as_text(tmp_path):
    target = tmp_path / "a.xlsx"
    when = dt.datetime(2026, 3, 2, 8, 0, 5)
    rows = [
        ["phone", "text", "semi", "when", "day", "flag", "n", "empty"],
        ["+441174090300", "=1+1", "x;=1+1", when, dt.date(2026, 3, 2), True, 3, None],
        ["-5", "@SUM(A1)", "\t=1", None, None, False, 2.5, ""],
    ]
    exports.write_xlsx(target, rows, title="Report: [march]")
    book = load_workbook(target)
    sheet = book.worksheets[0]
    assert sheet.title == "Report- -march-"
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == rows[0]
    assert values[1][:3] == ["+441174090300", "=1+1", "x;=1+1"]  # nothing prefixed
    assert values[1][3] == when and values[1][4] == dt.datetime(2026, 3, 2)
    assert values[1][5] is True and values[2][5] is False
    assert values[1][6] == 3 and values[2][6] == 2.5
    assert values[1][7] is None and values[2][7] is None
    assert values[2][:3] == ["-5", "@SUM(A1)", "\t=1"]
    types = [cell.data_type for cell in sheet[2]]
    assert types[:3] == ["s", "s", "s"] and types[3] == "d" and types[5] == "b" and types[6] == "n"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_xlsx_of_nothing_has_its_header_and_repeated_names_stay_apart(tmp_path):
    target = tmp_path / "a.xlsx"
    exports.write_xlsx(target, [["status", "phone", "status"]], title="")
    sheet = load_workbook(target).worksheets[0]
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [["status", "phone", "status (2)"]]
    assert sheet.title == "Export"
    assert exports.sheet_title("History") == "History (1)"


def test_xlsx_clips_text_past_excels_cell_limit(tmp_path):
    target = tmp_path / "a.xlsx"
    exports.write_xlsx(target, [["note"], ["x" * 40_000]], title="Notes")
    assert load_workbook(target).worksheets[0]["A2"].value == "x" * exports.XLSX_MAX_TEXT


def test_xlsx_spreads_rows_over_sheets_past_a_sheets_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 3)  # a header and two rows a sheet
    target = tmp_path / "a.xlsx"
    exports.write_xlsx(target, [["n"], *([i] for i in range(5))], title="Report", row_count=5)
    book = load_workbook(target)
    assert book.sheetnames == ["Report", "Report 2", "Report 3"]
    assert [[[c.value for c in row] for row in sheet.iter_rows()] for sheet in book.worksheets] == [
        [["n"], [0], [1]],
        [["n"], [2], [3]],
        [["n"], [4]],
    ]


def test_xlsx_response_is_a_download_of_a_file_already_gone_from_disk():
    response = exports.xlsx_response(iter([["phone"], ["+441174090300"]]), filename="a.xlsx", title="A")
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="a.xlsx"'
    assert xlsx_rows(response) == [["phone"], ["+441174090300"]]


def test_the_test_reader_splits_unquoted_semicolons_as_excel_does():
    response = exports.csv_response(iter([["a"]]), filename="a.csv")
    response.streaming_content = [b'x;=1+1,"y;=2"\r\n']
    assert semicolon_cells(response) == [["x", "=1+1,y;=2"]]
