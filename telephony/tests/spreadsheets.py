"""Reading exports back in tests: CSV as Python's reader and as a semicolon spreadsheet sees it, XLSX with openpyxl."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook


def response_bytes(response) -> bytes:
    return b"".join(response.streaming_content)


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response_bytes(response).decode("utf-8-sig"))))


def semicolon_cells(response) -> list[list[str]]:
    """The cells a spreadsheet whose list separator is ``;`` (German or French Excel) makes of the file.

    It honours double quotes as Excel and LibreOffice do: a quote toggles
    quoted text wherever it stands, ``""`` inside quotes is one quote, and
    only a separator outside quotes starts a new cell.
    """
    rows = []
    for line in response_bytes(response).decode("utf-8-sig").splitlines():
        cells, cell, quoted, i = [], [], False, 0
        while i < len(line):
            char = line[i]
            if char == '"':
                if quoted and line[i + 1 : i + 2] == '"':
                    cell.append('"')
                    i += 1
                else:
                    quoted = not quoted
            elif char == ";" and not quoted:
                cells.append("".join(cell))
                cell = []
            else:
                cell.append(char)
            i += 1
        cells.append("".join(cell))
        rows.append(cells)
    return rows


def xlsx_sheet(response):
    """The first worksheet of an XLSX response, every cell loaded (types and all)."""
    return load_workbook(io.BytesIO(response_bytes(response))).worksheets[0]


def xlsx_rows(response) -> list[list]:
    return [[cell.value for cell in row] for row in xlsx_sheet(response).iter_rows()]


def assert_no_formula(sheet) -> None:
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
