"""The phone column is guessed from the header's words, then from which cells parse as phone numbers."""

import pytest

from telephony.imports import guess_phone_column

ROWS = [
    ["Ann Smith", "A-1", "07400 100000", "2026-12-10"],
    ["Bob Jones", "A-2", "07400 100001", "2026-12-11"],
    ["Cy Young", "A-3", "+44 7400 100002", "2026-12-12"],
]


@pytest.mark.parametrize(
    "word",
    ["phone", "Phone number", "TEL", "msisdn", "Mobile", "Телефон", "Мобильный", "Telefonnummer", "Handy",
     "Téléphone", "Portable", "Teléfono", "Móvil", "celular", "phone_1"],
)  # fmt: skip
def test_a_header_word_names_the_phone_column(word):
    header = ["name", "code", "delivery_date", word]
    rows = [[r[0], r[1], r[3], r[2]] for r in ROWS]
    assert guess_phone_column(rows, header=header) == 3


def test_dates_are_not_phone_numbers_and_content_decides_without_a_header():
    # The file: a delivery_date column of 8-digit dates after the phone column.
    assert guess_phone_column(ROWS) == 2
    assert guess_phone_column(ROWS, header=["name", "code", "contact", "delivery_date"]) == 2


def test_a_weak_word_needs_phone_like_cells():
    rows = [["1001", "07400 100000"], ["1002", "07400 100001"]]
    assert guess_phone_column(rows, header=["Order number", "contact"]) == 1
    assert guess_phone_column(rows, header=["id", "Номер"]) == 1


def test_nothing_phone_like_gives_the_first_column():
    assert guess_phone_column([["a", "b"]], header=["x", "y"]) == 0
    assert guess_phone_column([]) == 0
