import io
import zipfile
from pathlib import Path

import pytest

from telephony.imports import ImportFileError, open_table, preview
from telephony.imports.readers import detect_delimiter, detect_encoding

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(
    ("name", "encoding", "delimiter"),
    [
        ("utf8_comma.csv", "utf-8", ","),
        ("utf8_bom_semicolon.csv", "utf-8", ";"),
        ("utf16_tab.txt", "utf-16-le", "\t"),
        ("cp1251_semicolon.csv", "cp1251", ";"),
        ("latin1_tab.tsv", "latin-1", "\t"),
    ],
)
def test_text_files_are_detected_by_encoding_and_delimiter(name, encoding, delimiter):
    table = open_table(DATA / name)
    assert (table.kind, table.encoding, table.delimiter) == ("csv", encoding, delimiter)
    rows = list(table.rows())
    assert all(len(row) == 3 for row in rows)
    assert rows[0][0] in {"phone", "телефон", "téléphone"}


def test_text_rows_skip_blank_lines_and_keep_cells_as_typed():
    rows = list(open_table(DATA / "utf8_comma.csv").rows())
    assert len(rows) == 9  # header + 8 data rows; the blank line is gone
    assert rows[3] == ["'0161 496 0000", "Carol White", "Manchester"]
    assert rows[7] == ["", "Nobody", "Bath"]


def test_non_latin_text_survives():
    rows = list(open_table(DATA / "cp1251_semicolon.csv").rows())
    assert rows[1] == ["+7 912 345-67-89", "Иван Петров", "Москва"]
    rows = list(open_table(DATA / "latin1_tab.tsv").rows())
    assert rows[1][1] == "Zoë Müller"
    rows = list(open_table(DATA / "utf16_tab.txt").rows())
    assert rows[1] == ["07400 123456", "Alice Smith", "London"]


@pytest.mark.parametrize("kind", ["xls", "xlsx", "ods"])
def test_spreadsheets_written_by_libreoffice_give_digit_strings(kind):
    table = open_table(DATA / f"libreoffice_numbers.{kind}", filename=f"numbers.{kind}")
    assert table.kind == kind
    rows = list(table.rows())
    assert rows[0] == ["phone", "name", "city"]
    # Calc stored these as numbers (447400123456.0); they come back as digits.
    assert [row[0] for row in rows[1:4]] == ["447400123456", "442079460018", "7400123458"]
    assert table.total_rows == 7


def test_type_is_decided_by_content_not_name(tmp_path):
    renamed = tmp_path / "actually_xlsx.csv"
    renamed.write_bytes((DATA / "libreoffice_numbers.xlsx").read_bytes())
    assert open_table(renamed).kind == "xlsx"
    csv_named_xls = tmp_path / "list.xls"
    csv_named_xls.write_bytes(b"phone\n07400123456\n")
    assert open_table(csv_named_xls).kind == "csv"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.csv", "empty.csv is empty"),
        ("random_bytes.csv", "contains binary data"),
        ("report.pdf.xls", "is a PDF document, not a CSV, text or spreadsheet file"),
    ],
)
def test_broken_files_are_refused_with_a_clear_message(name, message):
    with pytest.raises(ImportFileError, match=message):
        open_table(DATA / name)


def test_a_damaged_spreadsheet_and_other_zip_files_are_refused(tmp_path):
    data = (DATA / "libreoffice_numbers.xlsx").read_bytes()
    with pytest.raises(ImportFileError, match=r"damaged|cannot be read"):
        open_table(io.BytesIO(data[: len(data) // 2]), filename="half.xlsx")

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ImportFileError, match="is a ZIP archive, not a spreadsheet"):
        open_table(io.BytesIO(buffer.getvalue()), filename="list.xlsx")
    with pytest.raises(ImportFileError, match="looks like an Excel 97-2003"):
        open_table(io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600), filename="old.xls")


def test_header_only_file_reads_one_row():
    assert list(open_table(DATA / "header_only.csv").rows()) == [["phone", "name", "city"]]


def test_preview_stops_early():
    table = open_table(DATA / "utf8_comma.csv")
    assert len(preview(table, 2)) == 2


def test_detection_helpers():
    assert detect_encoding("Müller;+49 30 1234567\n".encode("latin-1")) == ("latin-1", 0)
    assert detect_encoding("Привет;+7 912 345 67 89\n".encode("cp1251")) == ("cp1251", 0)
    assert detect_delimiter("a;b;c\n1;2;3\n") == ";"
    assert detect_delimiter("a\tb\n1\t2\n") == "\t"
    assert detect_delimiter("phone\n0740\n") == ","
    # A comma inside a semicolon file's quoted cells does not fool it.
    assert detect_delimiter('phone;name\n0740;"Smith, John"\n0741;"Doe, Jane"\n') == ";"
