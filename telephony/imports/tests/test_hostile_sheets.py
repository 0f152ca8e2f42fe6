"""Hostile spreadsheets (issue 17, items 1 and 2): refused with a message, no shared process harmed.

The files are built here (openpyxl, then the sheet rewritten with zipfile) so the
repository holds no bombs.
"""

import io
import itertools
import zipfile

import openpyxl
import pytest

from telephony.imports import ImportFileError, open_table, sheet_child

SHEET = "xl/worksheets/sheet1.xml"
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def xlsx_with_sheet(sheet_xml: bytes) -> bytes:
    """A valid workbook whose first sheet's XML is replaced by ``sheet_xml``."""
    book = openpyxl.Workbook()
    book.active["A1"] = "phone"
    plain = io.BytesIO()
    book.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = sheet_xml if info.filename == SHEET else source.read(info)
            target.writestr(info.filename, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return out.getvalue()


def sheet(rows: str, dimension: str = "") -> bytes:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<?xml version="1.0"?><worksheet {NS}>{dim}<sheetData>{rows}</sheetData></worksheet>'.encode()


def cell(ref: str, value: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def far_corner_rows() -> str:
    # The 1.5 KB file of the issue: A1 and XFD1048576, which made calamine ask for ~512 GiB.
    return f'<row r="1">{cell("A1", "phone")}</row><row r="1048576">{cell("XFD1048576", "x")}</row>'


def test_a_declared_sheet_of_every_cell_is_refused_before_reading(settings):
    data = xlsx_with_sheet(sheet(far_corner_rows(), dimension="A1:XFD1048576"))
    assert len(data) < 10_000
    with pytest.raises(ImportFileError, match=r"declares a sheet of 1,048,576 rows by 16,384 columns"):
        open_table(io.BytesIO(data), filename="corner.xlsx")


def test_far_corner_cells_without_a_dimension_end_only_the_child_reader(settings):
    # No <dimension>: only the reader finds the size, and its allocation fails in
    # the limited child (SIGABRT there), never in this process.
    settings.IMPORT_SPREADSHEET_MEMORY_MB = 512
    data = xlsx_with_sheet(sheet(far_corner_rows()))
    with pytest.raises(ImportFileError, match=r"corner.xlsx .*needs more than 512 MB of memory"):
        open_table(io.BytesIO(data), filename="corner.xlsx")
    # The upload's header check streams the first rows and allocates nothing for the rest.
    table = open_table(io.BytesIO(data), filename="corner.xlsx", preview_rows=10)
    assert next(iter(table.rows())) == ["phone"]


def test_a_zip_bomb_is_refused_from_the_archive_directory():
    padding = " " * (30 * 1024 * 1024)  # 30 MB of blanks inflate from ~30 KB
    data = xlsx_with_sheet(sheet(f'<row r="1">{cell("A1", "phone")}</row>{padding}'))
    assert len(data) < 100_000
    with pytest.raises(ImportFileError, match=r"bomb.xlsx is compressed [\d,]+ to 1 .*zip bomb"):
        open_table(io.BytesIO(data), filename="bomb.xlsx")


def test_an_archive_that_unpacks_past_the_limit_is_refused(settings):
    settings.IMPORT_SPREADSHEET_MAX_UNCOMPRESSED_BYTES = 10_000
    rows = "".join(f'<row r="{n}">{cell(f"A{n}", f"+4479111234{n:02d}")}</row>' for n in range(1, 100))
    with pytest.raises(ImportFileError, match=r"would unpack to 0 MB; .* at most 0 MB"):
        open_table(io.BytesIO(xlsx_with_sheet(sheet(rows))), filename="big.xlsx")


def test_rows_are_counted_while_reading_and_reading_stops_past_the_limit():
    rows = "".join(f'<row r="{n}">{cell(f"A{n}", f"+4479111234{n:02d}")}</row>' for n in range(1, 60))
    table = open_table(io.BytesIO(xlsx_with_sheet(sheet(rows))), filename="long.xlsx", max_rows=10)
    # A header and one row past the limit are enough for the pipeline to refuse the file.
    assert table.total_rows == 12
    assert len(list(table.rows())) == 12


def test_a_preview_reads_only_the_first_rows_and_reports_the_declared_height():
    rows = "".join(f'<row r="{n}">{cell(f"A{n}", f"+4479111234{n:02d}")}</row>' for n in range(1, 60))
    data = xlsx_with_sheet(sheet(rows, dimension="A1:A59"))
    table = open_table(io.BytesIO(data), filename="list.xlsx", preview_rows=3)
    assert table.total_rows == 59
    assert list(table.rows()) == [["+447911123401"], ["+447911123402"], ["+447911123403"]]


def test_a_damaged_sheet_is_refused_with_the_readers_reason():
    data = xlsx_with_sheet(b"<worksheet><sheetData><row r='1'><c r='A1'><v>1</v>")
    with pytest.raises(ImportFileError, match=r"looks like an Excel \(XLSX\) file but cannot be read"):
        open_table(io.BytesIO(data), filename="broken.xlsx")


def xlsx_with_shared_strings(rows: int) -> bytes:
    """Rows of (name N, +44791110NNNN) as Excel writes them: a shared-string table, no declared size."""
    strings = [text for n in range(rows) for text in (f"name {n}", f"+4479111{n:05d}")]
    cells = "".join(
        f'<row r="{n + 1}"><c r="A{n + 1}" t="s"><v>{2 * n}</v></c><c r="B{n + 1}" t="s"><v>{2 * n + 1}</v></c>'
        f'<c r="C{n + 1}"><v>{n}</v></c></row>'
        for n in range(rows)
    )
    table = "".join(f"<si><t>{text}</t></si>" for text in strings)
    parts = {
        "xl/sharedStrings.xml": f'<?xml version="1.0"?><sst {NS} count="{len(strings)}">{table}</sst>'.encode(),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx_with_sheet(sheet(cells)))) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdStrings" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
                )
            target.writestr(info, data)
        for name, data in parts.items():
            target.writestr(name, data)
    return out.getvalue()


def test_a_preview_parses_only_the_shared_strings_and_rows_it_shows(tmp_path):
    # A preview used to parse every shared string and, for a sheet without a
    # declared size, the whole sheet before yielding its first row.

    path = tmp_path / "names.xlsx"
    path.write_bytes(xlsx_with_shared_strings(3000))
    expected = list(itertools.islice(openpyxl.load_workbook(path, read_only=True).worksheets[0].values, 5))
    assert expected[0] == ("name 0", "+447911100000", 0)

    sheet = sheet_child._openpyxl_workbook(str(path)).worksheets[0]
    assert list(itertools.islice(sheet.iter_rows(values_only=True), 5)) == expected
    assert len(sheet._shared_strings._strings) <= 10  # of 6,000 in the table
    table = open_table(path, filename="names.xlsx", preview_rows=2)
    assert list(table.rows()) == [["name 0", "+447911100000", "0"], ["name 1", "+447911100001", "1"]]
    # The full read (calamine) gives the same rows.
    rows = list(open_table(path, filename="names.xlsx").rows())
    assert len(rows) == 3000 and rows[:2] == [["name 0", "+447911100000", "0"], ["name 1", "+447911100001", "1"]]
