"""Writes the test files under ``data/`` (run once; the produced files are committed).

    .venv/bin/python telephony/imports/tests/make_test_files.py

Text files are written with each encoding and delimiter the engine must
detect. The spreadsheets are written by LibreOffice Calc
(``apt-get install libreoffice-calc-nogui``) from a CSV it reads with the
phone column typed as numbers, so XLS/XLSX/ODS carry real numeric cells as a
spreadsheet program stores them.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"

# Eight data rows: six good numbers (one a duplicate written differently),
# one junk value, one empty phone; plus a blank line in the text files.
HEADER = ["phone", "name", "city"]
ROWS = [
    ["07400 123456", "Alice Smith", "London"],
    ["+44 20 7946 0018", "Bob Jones", "London"],
    ["'0161 496 0000", "Carol White", "Manchester"],
    ["0044 (0)7400 123457", "Dan Brown", "Leeds"],
    ["not a number", "Eve Black", "York"],
    ["+447400123456", "Alice again", "London"],
    ["", "Nobody", "Bath"],
    ["020.7946.0019", "Frank Green", "London"],
]
CYRILLIC_ROWS = [
    ["+7 912 345-67-89", "Иван Петров", "Москва"],
    ["8 (912) 345-67-80", "Мария Иванова", "Санкт-Петербург"],
    ["телефон", "Олег", "Казань"],
]
LATIN1_ROWS = [
    ["01 42 68 53 00", "Zoë Müller", "Zürich"],
    ["+33 1 42 68 53 01", "José Ñúñez", "Málaga"],
]


def _text(rows: list[list[str]], delimiter: str, header: list[str] | None = HEADER, blank_after: int = 3) -> str:
    lines = [delimiter.join(header)] if header else []
    for index, row in enumerate(rows):
        lines.append(delimiter.join(row))
        if index + 1 == blank_after:
            lines.append("")
    return "\r\n".join(lines) + "\r\n"


def write_text_files() -> None:
    (DATA / "utf8_comma.csv").write_bytes(_text(ROWS, ",").encode("utf-8"))
    (DATA / "utf8_bom_semicolon.csv").write_bytes(b"\xef\xbb\xbf" + _text(ROWS, ";").encode("utf-8"))
    (DATA / "utf16_tab.txt").write_bytes(_text(ROWS, "\t").encode("utf-16"))  # with BOM, as Excel's "Unicode text"
    (DATA / "cp1251_semicolon.csv").write_bytes(_text(CYRILLIC_ROWS, ";", ["телефон", "имя", "город"]).encode("cp1251"))
    (DATA / "latin1_tab.tsv").write_bytes(_text(LATIN1_ROWS, "\t", ["téléphone", "nom", "ville"]).encode("latin-1"))
    (DATA / "no_header.csv").write_bytes(_text(ROWS[:4], ",", header=None).encode("utf-8"))
    (DATA / "header_only.csv").write_bytes(b"phone,name,city\r\n")
    (DATA / "empty.csv").write_bytes(b"")
    (DATA / "random_bytes.csv").write_bytes(bytes((i * 7919 + 13) % 256 for i in range(4096)))
    (DATA / "report.pdf.xls").write_bytes(
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )


def write_spreadsheets() -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise SystemExit("LibreOffice is needed: apt-get install -y libreoffice-calc-nogui")
    # Phone numbers as a spreadsheet user types them: digits without a "+",
    # which Calc stores as numbers (447400123456 → a numeric cell), plus junk
    # and a duplicate written differently.
    sheet_rows = [
        ["447400123456", "Alice", "London"],
        ["442079460018", "Bob", "London"],
        ["7400123458", "Carol", "Leeds"],  # lost its leading zero
        ["hello", "Junk", "Nowhere"],
        ["+44 7400 123456", "Alice again", "London"],
        ["441614960000", "Dan", "Manchester"],
    ]
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "numbers.csv"
        lines = [",".join(HEADER)] + [",".join(f'"{c}"' if " " in c else c for c in row) for row in sheet_rows]
        source.write_text("\n".join(lines) + "\n", encoding="utf-8")
        for target, filter_name in (
            ("xlsx", "Calc MS Excel 2007 XML"),
            ("xls", "MS Excel 97"),
            ("ods", "calc8"),
        ):
            subprocess.run(
                [
                    soffice,
                    "--headless",
                    f"-env:UserInstallation=file://{tmp}/profile",
                    "--infilter=CSV:44,34,76,1",
                    "--convert-to",
                    f"{target}:{filter_name}",
                    "--outdir",
                    tmp,
                    str(source),
                ],
                check=True,
                capture_output=True,
                timeout=180,
            )
            shutil.copy(Path(tmp) / f"numbers.{target}", DATA / f"libreoffice_numbers.{target}")


if __name__ == "__main__":
    DATA.mkdir(exist_ok=True)
    write_text_files()
    write_spreadsheets()
    print(f"written to {DATA}")
