from pathlib import Path

import pytest

from telephony.imports import (
    Accepted,
    Chunk,
    ImportFileError,
    Markup,
    PhoneRowConsumer,
    Rejected,
    SourceRow,
    open_table,
    run_import,
)

DATA = Path(__file__).parent / "data"


class Collecting(PhoneRowConsumer):
    """Keeps what the pipeline hands over, as a real consumer would store it."""

    def __init__(self, markup):
        super().__init__(markup)
        self.correct, self.incorrect, self.duplicates, self.chunks = [], [], [], 0
        self.repeats = {}

    def accept(self, row, phone):
        return (phone.e164, phone.time_zone, self.markup.variables(row.cells))

    def write_chunk(self, chunk: Chunk) -> None:
        self.chunks += 1
        self.correct += [(row.number, record) for row, record in chunk.correct]
        self.incorrect += [(row.number, reason) for row, reason in chunk.incorrect]
        self.duplicates += [(row.number, record[0]) for row, record in chunk.duplicates]
        self.repeats.update(chunk.repeats)


def markup(**overrides):
    options = {"phone_column": 0, "default_region": "GB", "column_names": ("phone", "name", "city")}
    options.update(overrides)
    return Markup(**options)


@pytest.mark.parametrize("name", ["utf8_comma.csv", "utf8_bom_semicolon.csv", "utf16_tab.txt"])
def test_text_file_rows_are_classified(name):
    consumer = Collecting(markup())
    progress = []
    report = run_import(
        open_table(DATA / name), consumer.markup, consumer, chunk_size=3, on_progress=lambda *a: progress.append(a)
    )
    assert report.as_dict() == {"rows": 8, "correct": 5, "incorrect": 2, "duplicates": 1}
    assert [e164 for _n, (e164, _tz, _v) in consumer.correct] == [
        "+447400123456",
        "+442079460018",
        "+441614960000",
        "+447400123457",
        "+442079460019",
    ]
    number, (_e164, zone, variables) = consumer.correct[0]
    assert (number, zone, variables) == (2, "Europe/London", {"name": "Alice Smith", "city": "London"})
    assert consumer.incorrect == [
        (6, "'not a number' is not a phone number (it contains letters)"),
        (8, "the phone number is empty"),
    ]
    # The same number written differently is a duplicate of the first.
    assert consumer.duplicates == [(7, "+447400123456")]
    # ...and names the row it repeats (row 2, the first data row), even from another chunk.
    assert consumer.repeats == {7: 2}
    assert consumer.chunks == 3
    assert progress[-1] == (8, 8)
    assert [done for done, _total in progress] == sorted(done for done, _total in progress)


@pytest.mark.parametrize("kind", ["xls", "xlsx", "ods"])
def test_spreadsheet_rows_with_numeric_cells(kind):
    consumer = Collecting(markup())
    report = run_import(open_table(DATA / f"libreoffice_numbers.{kind}"), consumer.markup, consumer)
    assert report.as_dict() == {"rows": 6, "correct": 4, "incorrect": 1, "duplicates": 1}
    assert [record[0] for _n, record in consumer.correct] == [
        "+447400123456",
        "+442079460018",
        "+447400123458",
        "+441614960000",
    ]


def test_without_header_the_first_row_is_data():
    consumer = Collecting(markup(has_header=False))
    report = run_import(open_table(DATA / "no_header.csv"), consumer.markup, consumer)
    assert report.correct == 4
    assert consumer.correct[0][0] == 1


def test_cyrillic_file_with_russian_default_region():
    consumer = Collecting(markup(default_region="RU"))
    report = run_import(open_table(DATA / "cp1251_semicolon.csv"), consumer.markup, consumer)
    assert report.as_dict() == {"rows": 3, "correct": 2, "incorrect": 1, "duplicates": 0}
    assert consumer.correct[0][1][2] == {"name": "Иван Петров", "city": "Москва"}


def test_header_only_is_a_clear_error():
    consumer = Collecting(markup())
    with pytest.raises(ImportFileError, match="has a header but no data rows"):
        run_import(open_table(DATA / "header_only.csv"), consumer.markup, consumer)


def test_row_limit(tmp_path):
    path = tmp_path / "many.csv"
    path.write_text("phone\n" + "".join(f"07400 1{n:05d}\n" for n in range(50)))
    consumer = Collecting(markup())
    with pytest.raises(ImportFileError, match="more than 20 rows, the limit"):
        run_import(open_table(path), consumer.markup, consumer, max_rows=20)
    assert run_import(open_table(path), consumer.markup, consumer, max_rows=50).rows == 50  # exactly the limit
    path.write_text("phone\n" + "".join(f"07400 1{n:05d}\n" for n in range(5000)))
    with pytest.raises(ImportFileError, match=r"about 5,001 rows; the limit is 20"):
        run_import(open_table(path), consumer.markup, consumer, max_rows=20)


def test_custom_consumer_can_reject_on_other_columns():
    class StatusConsumer(PhoneRowConsumer):
        def accept(self, row: SourceRow, phone):
            status = row.cell(self.markup.extra["status"])
            return Rejected(f"unknown status {status!r}") if status not in {"in stock", "reserved"} else status

        def write_chunk(self, chunk):
            self.last = chunk

    consumer = StatusConsumer(Markup(phone_column=0, default_region="GB", has_header=False, extra={"status": 1}))

    class Rows:
        total_rows = 2

        def rows(self):
            return iter([["07400123456", "in stock"], ["07400123457", "sold"]])

    report = run_import(Rows(), consumer.markup, consumer)
    assert (report.correct, report.incorrect) == (1, 1)
    assert consumer.last.incorrect[0][1] == "unknown status 'sold'"
    assert consumer.classify(SourceRow(1, ["07400123456", "reserved"])) == Accepted("+447400123456", "reserved")


def test_markup_is_checked():
    with pytest.raises(ImportFileError, match="'XX' is not a country code"):
        Markup(phone_column=0, default_region="XX")
    with pytest.raises(ImportFileError, match="used twice"):
        Markup(phone_column=0, default_region="GB", column_names=("a", "a"))
    with pytest.raises(ImportFileError, match="must start with a letter"):
        Markup(phone_column=0, default_region="GB", column_names=("1st name",))
    assert Markup(phone_column=0, default_region="gb").default_region == "GB"
