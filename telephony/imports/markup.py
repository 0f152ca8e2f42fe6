"""What the columns of an uploaded file mean, as the person marked them up."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import phonenumbers

from .errors import ImportFileError
from .phones import phone_normaliser

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

    def as_dict(self) -> dict[str, Any]:
        """The markup as JSON for ``ImportJob.markup``."""
        return {
            "has_header": self.has_header,
            "phone_column": self.phone_column,
            "default_region": self.default_region,
            "column_names": list(self.column_names),
            "extra": dict(self.extra),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Markup:
        return cls(
            phone_column=data["phone_column"],
            default_region=data["default_region"],
            has_header=data.get("has_header", True),
            column_names=tuple(data.get("column_names", ())),
            extra=dict(data.get("extra", {})),
        )

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


# Header words that name a phone column, in English, Russian, German, French
# and Spanish. The strong ones say "phone"; the weak ones ("number") need the
# column's cells to look like phone numbers too ("Order number" is not one).
_STRONG_WORDS = {
    "phone", "phones", "tel", "tele", "msisdn", "mobile", "mob", "cell", "cellphone", "phonenumber",
    "телефон", "тел", "мобильный", "мобильник", "сотовый",
    "telefon", "telefonnummer", "handy", "handynummer", "mobil", "mobilnummer", "rufnummer",
    "telephone", "portable",  # French (téléphone, mobile above)
    "telefono", "movil", "celular",  # Spanish
}  # fmt: skip
_WEAK_WORDS = {"number", "no", "номер", "nummer", "numero", "num"}


def _plain(text: str) -> str:
    """Lower case without accents: téléphone → telephone, teléfono → telefono."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(ch))


def _words(text: str) -> set[str]:
    return {word for word in re.split(r"[\W_]+", _plain(text)) if word}


_STRONG_WORDS = {_plain(word) for word in _STRONG_WORDS}


def guess_phone_column(rows: list[list[str]], header: list[str] | None = None, default_region: str = "GB") -> int:
    """The phone column: named so in the header, else the one whose cells parse as phone numbers most often.

    ``rows`` are sample data rows (no header); dates and short codes are not
    phone numbers, so a ``delivery_date`` column is not taken for one.
    """
    normalise = phone_normaliser(default_region or "GB", time_zone=False)
    width = max([len(row) for row in rows] + [len(header or [])], default=0)
    parsed = [0] * width
    for row in rows:
        for index, cell in enumerate(row):
            if cell and cell.strip() and normalise(cell).ok:
                parsed[index] += 1
    named = [_words(cell) for cell in (header or [])]
    strong = [i for i, words in enumerate(named) if words & _STRONG_WORDS]
    if strong:
        return max(strong, key=lambda i: (parsed[i], -i))
    half = max(1, len(rows) // 2)
    weak = [i for i, words in enumerate(named) if words & _WEAK_WORDS and parsed[i] >= half]
    if weak:
        return max(weak, key=lambda i: (parsed[i], -i))
    return max(range(width), key=lambda i: (parsed[i], -i)) if width and max(parsed) else 0
