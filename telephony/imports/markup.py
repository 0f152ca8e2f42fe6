"""What the columns of an uploaded file mean, as the person marked them up."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import phonenumbers

from .errors import ImportFileError

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


@dataclass(frozen=True)
class Markup:
    """The markup of a table.

    ``phone_column`` is a 0-based index. ``column_names`` names every column
    (the phone column's name is kept but is usually ignored by consumers);
    ``extra`` holds consumer-specific roles, e.g. ``{"operator": 2}`` for a DID
    import. ``default_region`` (ISO code such as ``"GB"``) reads national numbers.
    """

    phone_column: int
    default_region: str
    has_header: bool = True
    column_names: tuple[str, ...] = ()
    extra: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        region = (self.default_region or "").upper()
        object.__setattr__(self, "default_region", region)
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise ImportFileError(f"{self.default_region!r} is not a country code (use two letters, e.g. GB).")
        if self.phone_column < 0:
            raise ImportFileError("The phone column must be chosen.")
        seen = set()
        for name in self.column_names:
            if name and not _NAME.match(name):
                raise ImportFileError(
                    f"Column name {name!r} must start with a letter and use only letters, digits and underscores."
                )
            if name and name in seen:
                raise ImportFileError(f"Column name {name!r} is used twice.")
            seen.add(name)

    def variables(self, row: list[str]) -> dict[str, str]:
        """The named columns of ``row`` other than the phone column, as ``{name: value}``."""
        return {
            name: (row[index] if index < len(row) else "")
            for index, name in enumerate(self.column_names)
            if name and index != self.phone_column
        }


def suggest_column_names(header: list[str] | None, width: int) -> list[str]:
    """Variable names for the markup form: the header's words made into identifiers, else column_1..."""
    names: list[str] = []
    for index in range(width):
        text = header[index] if header and index < len(header) else ""
        name = re.sub(r"[^A-Za-z0-9_]+", "_", text.strip()).strip("_").lower()
        if not name or not name[0].isalpha():
            name = f"column_{index + 1}"
        name = name[:63]
        while name in names:
            name = f"{name}_{index + 1}"[:63]
        names.append(name)
    return names


def guess_phone_column(rows: list[list[str]]) -> int:
    """The column whose cells look most like phone numbers (digits, at least 7 of them)."""
    scores: dict[int, int] = {}
    for row in rows:
        for index, cell in enumerate(row):
            digits = sum(ch.isdigit() for ch in cell)
            if digits >= 7 and digits >= len(cell) * 0.6:
                scores[index] = scores.get(index, 0) + 1
    return max(scores, key=lambda i: (scores[i], -i)) if scores else 0
