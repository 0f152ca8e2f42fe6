"""Reading DID numbers as people type them, and classifying them with phonenumbers.

A number is written internationally (``+441174090100``, ``00441174090100`` or
plain digits ``441174090100``), or nationally (``01174090100``) when
``DIDS_DEFAULT_REGION`` names the country. ``phonenumbers`` decides whether it
is valid; operators receive new ranges before the metadata knows them, so
plausible digit strings it does not know are accepted and flagged unverified.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from django.conf import settings
from phonenumbers import NumberParseException, PhoneNumberType, geocoder, is_number_type_geographical

from telephony.imports.fastphone import FastValidator, parse_digits

# Formatting people put inside a number; a dash is not among them, it makes a range.
_FORMATTING = re.compile(r"[\s().\u00a0]")
_ITEM_SEPARATORS = re.compile(r"[,;\n\r]+")
_RANGE = re.compile(r"^(\+?[0-9][0-9\s().]*)-(\+?[0-9][0-9\s().]*)$")

_TYPE_MAP = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.TOLL_FREE: "tollfree",
    PhoneNumberType.UAN: "national",
    PhoneNumberType.SHARED_COST: "national",
    PhoneNumberType.PERSONAL_NUMBER: "national",
}


class NumberError(ValueError):
    """Text that is not a DID number or a valid range; the message says why."""


@dataclass(frozen=True)
class ParsedNumber:
    number: str  # E.164
    raw: str
    iso_country: str
    number_type: str
    area_code: str
    locality: str
    unverified: bool


def max_range_size() -> int:
    return settings.DIDS_MAX_NUMBERS_PER_REQUEST


def _min_digits() -> int:
    return settings.DIDS_MIN_DIGITS


def to_e164_digits(text: str, region: str | None = None) -> str:
    """The international digits of ``text`` (no ``+``), or NumberError.

    ``region`` reads numbers written nationally (``0117 …``); by default ``DIDS_DEFAULT_REGION``.
    """
    cleaned = _FORMATTING.sub("", text.strip())
    if not cleaned:
        raise NumberError("An empty number.")
    if cleaned.startswith("+"):
        digits = cleaned[1:]
    elif cleaned.startswith("00"):
        digits = cleaned[2:]
    elif cleaned.startswith("0"):
        region = region or settings.DIDS_DEFAULT_REGION
        if not region:
            raise NumberError(f"{text.strip()!r} starts with 0: write it internationally, e.g. +44 117 …")
        try:
            parsed = phonenumbers.parse(cleaned, region)
        except phonenumbers.NumberParseException as exc:
            raise NumberError(f"{text.strip()!r} is not a phone number ({exc._msg}).") from None
        digits = f"{parsed.country_code}{parsed.national_number}"
    else:
        digits = cleaned
    if not digits.isdigit():
        raise NumberError(f"{text.strip()!r} is not a phone number: only digits, spaces and a leading + are allowed.")
    if digits.startswith("0"):
        raise NumberError(f"{text.strip()!r} is not a phone number: no country code starts with 0.")
    if not _min_digits() <= len(digits) <= 15:
        raise NumberError(f"{text.strip()!r} has {len(digits)} digits; a DID has {_min_digits()} to 15.")
    return digits


_validator = FastValidator()
# (all digits but the last three, length, type) → (area code, locality). The
# national destination code and the geocoder's prefixes are shorter than that,
# so a range of 10,000 numbers costs about ten lookups instead of 10,000.
_place_cache: dict[tuple[str, int, str], tuple[str, str]] = {}
_PLACE_CACHE_MAX = 50_000


def _place(digits: str, number_type: str) -> tuple[str, str]:
    key = (digits[:-3], len(digits), number_type)
    cached = _place_cache.get(key)
    if cached is not None:
        return cached
    # Parsed only on a miss: a full parse costs more than the rest of the classification.
    parsed = phonenumbers.parse("+" + digits, None)
    nsn = phonenumbers.national_significant_number(parsed)
    ndc_length = phonenumbers.length_of_national_destination_code(parsed)
    area_code = nsn[:ndc_length] if ndc_length > 0 else ""
    locality = geocoder.description_for_number(parsed, "en") if number_type == "geographic" else ""
    # The geocoder falls back to the country's name when it knows no place.
    if locality and locality == geocoder.country_name_for_number(parsed, "en"):
        locality = ""
    if len(_place_cache) >= _PLACE_CACHE_MAX:
        _place_cache.clear()
    _place_cache[key] = (area_code, locality)
    return area_code, locality


def classify(digits: str, raw: str = "") -> ParsedNumber:
    """Classification of international ``digits`` (already checked by :func:`to_e164_digits`).

    Validity and type come from the import engine's fast path, which gives
    phonenumbers' own answers (``is_valid_number`` and ``number_type``).
    """
    number = "+" + digits
    try:
        country_code, national = parse_digits(digits, None)
    except NumberParseException:
        country_code, national = None, ""
    if country_code is not None:
        region, kind = _validator.region_and_type(country_code, national)
    else:
        region, kind = None, PhoneNumberType.UNKNOWN
    if region is None:
        country = ""
        if country_code is not None:
            country = phonenumbers.region_code_for_country_code(country_code)
            country = "" if country in ("ZZ", "001") else country
        return ParsedNumber(number, raw or number, country, "other", "", "", True)
    if kind in (PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE) or (
        kind == PhoneNumberType.MOBILE and is_number_type_geographical(kind, country_code)
    ):
        number_type = "geographic" if is_number_type_geographical(kind, country_code) else "national"
    else:
        number_type = _TYPE_MAP.get(kind, "other")
    area_code, locality = _place(digits, number_type)
    return ParsedNumber(
        number, raw or number, "" if region == "001" else region, number_type, area_code, locality, False
    )


def parse_number(text: str) -> ParsedNumber:
    return classify(to_e164_digits(text), raw=text.strip())


def _range_end(start: str, written_start: str, written: str) -> str:
    """The range's last number; ``+441174090400-420`` writes only its last digits.

    An end of at most six digits, shorter than the written start, replaces
    the start's last digits; anything longer is a whole number.
    """
    short = _FORMATTING.sub("", written)
    if short.isdigit() and len(short) <= 6 and len(short) < len(_FORMATTING.sub("", written_start).lstrip("+")):
        return start[: len(start) - len(short)] + short
    return to_e164_digits(written)


def parse_specs(text_or_items: str | list[str], *, cap: int | None = None) -> list[ParsedNumber]:
    """Every number of a list of numbers and ranges, in order, each once.

    Items are separated by commas, semicolons or new lines; ``A-B`` is a range
    with both ends included (same length, ``A <= B``); the end may give only
    its last digits (``+441174090400-420``). More than ``cap`` numbers
    in total is refused, so a typo cannot create millions of rows.
    """
    cap = max_range_size() if cap is None else cap
    items = _ITEM_SEPARATORS.split(text_or_items) if isinstance(text_or_items, str) else list(text_or_items)
    items = [item.strip() for item in items if item and item.strip()]
    if not items:
        raise NumberError("No numbers given.")
    result: dict[str, ParsedNumber] = {}
    for item in items:
        match = _RANGE.match(item.replace(" - ", "-"))
        if match is None and "-" in item:
            raise NumberError(f"{item!r} is not a number or a range like 111-222.")
        if match is None:
            parsed = parse_number(item)
            result.setdefault(parsed.number, parsed)
        else:
            start = to_e164_digits(match.group(1))
            end = _range_end(start, match.group(1), match.group(2))
            if len(start) != len(end):
                raise NumberError(f"Range {item!r}: both ends must have the same number of digits.")
            if int(start) > int(end):
                raise NumberError(f"Range {item!r}: the start is greater than the end.")
            if int(end) - int(start) + 1 > cap:
                raise NumberError(f"Range {item!r} has {int(end) - int(start) + 1} numbers; at most {cap} a request.")
            width = len(start)
            for value in range(int(start), int(end) + 1):
                digits = str(value).zfill(width)
                if "+" + digits not in result:
                    result["+" + digits] = classify(digits)
        if len(result) > cap:
            raise NumberError(f"More than {cap} numbers in one request; split it.")
    return list(result.values())
