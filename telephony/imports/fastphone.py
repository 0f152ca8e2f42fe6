"""libphonenumber's parsing, validity, type and time-zone rules, on a fast path.

An import spends most of its time in ``phonenumbers``: ``parse`` extracts a
number from free text with dozens of regular expressions, ``is_valid_number``
and ``number_type`` (needed for the time zone) walk the region's metadata
once per number type, recompiling patterns through a cache on every call.
Here, for a string of digits already cleaned by :mod:`.phones`, the same
rules run on precompiled patterns and plain strings:

- :func:`parse_digits` is ``phonenumbers.parse`` (national in a region, or
  international as after a ``+``), returning ``(country_code, national_number)``;
- :meth:`FastValidator.region_and_type` is ``region_code_for_number`` +
  ``is_valid_number`` + ``number_type``, with each region's type patterns
  compiled once into a single alternation in the order the library checks them;
- :func:`time_zones` is ``phonenumbers.timezone.time_zones_for_number``.

They follow the library's code step by step (names below point at the
functions they mirror), and the test suite compares them with
``phonenumbers`` itself on tens of thousands of numbers from every region.
Anything unusual is handed to ``phonenumbers.parse``.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneMetadata, PhoneNumberType, ValidationResult
from phonenumbers.phonenumberutil import (
    _GEO_MOBILE_COUNTRIES,
    COUNTRY_CODE_TO_REGION_CODE,
    region_code_for_country_code,
)
from phonenumbers.tzdata import TIMEZONE_DATA, TIMEZONE_LONGEST_PREFIX

_MIN_LENGTH_FOR_NSN = 2
_MAX_LENGTH_FOR_NSN = 17
_SHORT_LENGTH_RESULTS = (
    ValidationResult.TOO_SHORT,
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY,
    ValidationResult.INVALID_LENGTH,
)
# The order of phonenumberutil._number_type_helper: the first that matches wins.
_TYPE_ORDER = (
    ("premium_rate", PhoneNumberType.PREMIUM_RATE),
    ("toll_free", PhoneNumberType.TOLL_FREE),
    ("shared_cost", PhoneNumberType.SHARED_COST),
    ("voip", PhoneNumberType.VOIP),
    ("personal_number", PhoneNumberType.PERSONAL_NUMBER),
    ("pager", PhoneNumberType.PAGER),
    ("uan", PhoneNumberType.UAN),
    ("voicemail", PhoneNumberType.VOICEMAIL),
    ("fixed_line", PhoneNumberType.FIXED_LINE),
    ("mobile", PhoneNumberType.MOBILE),
)


def _compile(pattern: str | None) -> re.Pattern | None:
    return re.compile(pattern) if pattern else None


class _Rules:
    """One region's metadata, compiled once."""

    __slots__ = (
        "country_code",
        "country_code_text",
        "general",
        "idd",
        "leading_digits",
        "local_lengths",
        "national_prefix",
        "possible_lengths",
        "transform_rule",
        "type_of_group",
        "types",
    )

    def __init__(self, metadata: PhoneMetadata) -> None:
        general = metadata.general_desc
        if general is None or metadata.country_code is None:
            raise ValueError(f"phonenumbers metadata of {metadata.id} has no general description or country code")
        self.country_code: int = metadata.country_code
        self.country_code_text = str(metadata.country_code)
        self.general = _compile(general.national_number_pattern)
        self.possible_lengths = tuple(general.possible_length or ())
        self.local_lengths = frozenset(general.possible_length_local_only or ())
        self.leading_digits = _compile(metadata.leading_digits)
        self.idd = _compile(metadata.international_prefix)
        self.national_prefix = _compile(metadata.national_prefix_for_parsing)
        self.transform_rule = metadata.national_prefix_transform_rule or None
        alternatives = []
        self.type_of_group: dict[str, int] = {}
        for index, (attribute, number_type) in enumerate(_TYPE_ORDER):
            desc = getattr(metadata, attribute)
            if desc is None or not desc.national_number_pattern:
                continue
            if number_type == PhoneNumberType.MOBILE and metadata.same_mobile_and_fixed_line_pattern:
                continue
            pattern = f"(?:{desc.national_number_pattern})"
            if desc.possible_length:
                lengths = "|".join(rf"\d{{{n}}}" for n in sorted(set(desc.possible_length)))
                pattern = rf"(?=(?:{lengths})$){pattern}"
            name = f"t{index}"
            alternatives.append(f"(?P<{name}>{pattern})")
            self.type_of_group[name] = number_type
        self.types = re.compile("|".join(alternatives)) if alternatives else None

    def matches_general(self, number: str) -> bool:
        # phonenumberutil._match_national_number(number, general_desc, False)
        return self.general is not None and self.general.fullmatch(number) is not None

    def number_type(self, national_number: str) -> int:
        # phonenumberutil._number_type_helper (FIXED_LINE_OR_MOBILE reported as FIXED_LINE)
        if not self.matches_general(national_number) or self.types is None:
            return PhoneNumberType.UNKNOWN
        match = self.types.fullmatch(national_number)
        return (
            PhoneNumberType.UNKNOWN if match is None or match.lastgroup is None else self.type_of_group[match.lastgroup]
        )

    def length_result(self, number: str) -> int:
        # phonenumberutil._test_number_length for the general description
        if not self.possible_lengths:
            return ValidationResult.INVALID_LENGTH
        length = len(number)
        if length in self.local_lengths:
            return ValidationResult.IS_POSSIBLE_LOCAL_ONLY
        minimum = self.possible_lengths[0]
        if minimum == length:
            return ValidationResult.IS_POSSIBLE
        if minimum > length:
            return ValidationResult.TOO_SHORT
        if self.possible_lengths[-1] < length:
            return ValidationResult.TOO_LONG
        return ValidationResult.IS_POSSIBLE if length in self.possible_lengths[1:] else ValidationResult.INVALID_LENGTH

    def strip_national_prefix(self, number: str) -> str:
        # phonenumberutil._maybe_strip_national_prefix_carrier_code, without the carrier code
        if not number or self.national_prefix is None:
            return number
        match = self.national_prefix.match(number)
        if not match:
            return number
        groups = match.groups()
        if self.transform_rule is None or not groups or groups[-1] is None:
            stripped = number[match.end() :]
        else:
            stripped = self.national_prefix.sub(self.transform_rule, number, count=1)
        # The library keeps the number when it was viable and the stripped one
        # is not; checking the stripped one first saves a match most times.
        if self.matches_general(stripped) or not self.matches_general(number):
            return stripped
        return number


_rules_cache: dict[tuple[int, str], _Rules | None] = {}


def _rules(country_code: int, region: str) -> _Rules | None:
    key = (country_code, region)
    try:
        return _rules_cache[key]
    except KeyError:
        metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
        rules = _Rules(metadata) if metadata is not None else None
        _rules_cache[key] = rules
        return rules


_region_rules_cache: dict[str, _Rules | None] = {}


def _region_rules(region: str) -> _Rules | None:
    try:
        return _region_rules_cache[region]
    except KeyError:
        rules = _region_rules_cache[region] = _rules(phonenumbers.country_code_for_region(region), region)
        return rules


def _from_library(text: str, region: str | None) -> tuple[int, str]:
    number = phonenumbers.parse(text, region)
    if number.country_code is None:  # parse() always sets it; the stubs allow None
        raise NumberParseException(NumberParseException.INVALID_COUNTRY_CODE, "No country calling code.")
    return number.country_code, phonenumbers.national_significant_number(number)


def parse_digits(digits: str, region: str | None) -> tuple[int, str]:
    """``(country_code, national_significant_number)`` as ``phonenumbers.parse`` gives them.

    ``digits`` holds only ASCII digits; with ``region=None`` they are read as
    international (as after a ``+``). Raises NumberParseException like the library.
    """
    if len(digits) < 3:
        return _from_library(("+" + digits) if region is None else digits, region)
    if region is None:
        # phonenumberutil._extract_country_code
        country_code = 0
        if digits[0] != "0":
            for length in (1, 2, 3):
                if int(digits[:length]) in COUNTRY_CODE_TO_REGION_CODE:
                    country_code = int(digits[:length])
                    national = digits[length:]
                    break
        if country_code == 0:
            raise NumberParseException(
                NumberParseException.INVALID_COUNTRY_CODE, "Country calling code supplied was not recognised."
            )
        rules = _rules(country_code, region_code_for_country_code(country_code))
    else:
        rules = _region_rules(region)
        if rules is None:
            return _from_library(digits, region)
        if rules.idd is not None and rules.idd.match(digits):
            return _from_library(digits, region)
        country_code = rules.country_code
        national = digits
        if digits.startswith(rules.country_code_text):
            # phonenumberutil._maybe_extract_country_code: the region's own code
            # in front of a number too long to be national is taken off.
            if rules.length_result(digits) != ValidationResult.TOO_LONG:
                return _from_library(digits, region)
            national = rules.strip_national_prefix(digits[len(rules.country_code_text) :])
            main_region = region_code_for_country_code(country_code)
            if main_region != region:
                rules = _rules(country_code, main_region)
    # The tail of phonenumberutil.parse.
    if len(national) < _MIN_LENGTH_FOR_NSN:
        raise NumberParseException(NumberParseException.TOO_SHORT_NSN, "too short")
    if rules is not None:
        stripped = rules.strip_national_prefix(national)
        if rules.length_result(stripped) not in _SHORT_LENGTH_RESULTS:
            national = stripped
    if len(national) < _MIN_LENGTH_FOR_NSN:
        raise NumberParseException(NumberParseException.TOO_SHORT_NSN, "too short")
    if len(national) > _MAX_LENGTH_FOR_NSN:
        raise NumberParseException(NumberParseException.TOO_LONG, "too long")
    # national_significant_number() of the parsed number is this string:
    # the Italian-leading-zero rule keeps exactly the zeros it starts with.
    return country_code, national


def too_long_for_region(digits: str, region: str) -> bool:
    """True when ``digits`` (without its trunk prefix) are longer than any national number of ``region``."""
    rules = _region_rules(region)
    if rules is None:
        return False
    return rules.length_result(rules.strip_national_prefix(digits)) == ValidationResult.TOO_LONG


class FastValidator:
    """``region_and_type(country_code, national)`` → ``(region, type)`` when valid, else ``(None, UNKNOWN)``."""

    def region_and_type(self, country_code: int, national: str) -> tuple[str | None, int]:
        regions = COUNTRY_CODE_TO_REGION_CODE.get(country_code)
        if not regions:
            return None, PhoneNumberType.UNKNOWN
        if len(regions) == 1:
            rules = _rules(country_code, regions[0])
            if rules is None:
                return None, PhoneNumberType.UNKNOWN
            number_type = rules.number_type(national)
            return (regions[0], number_type) if number_type != PhoneNumberType.UNKNOWN else (None, number_type)
        # Several regions share the code (+1, +7, +44...): the walk of
        # phonenumberutil._region_code_for_number_from_list, then validity in
        # the region found (is_valid_number_for_region).
        for region in regions:
            rules = _rules(country_code, region)
            if rules is None:
                continue
            if rules.leading_digits is not None:
                if rules.leading_digits.match(national):
                    number_type = rules.number_type(national)
                    if number_type == PhoneNumberType.UNKNOWN:
                        return None, number_type
                    return region, number_type
            else:
                number_type = rules.number_type(national)
                if number_type != PhoneNumberType.UNKNOWN:
                    return region, number_type
        return None, PhoneNumberType.UNKNOWN


_TIMEZONE_DATA = TIMEZONE_DATA
_TIMEZONE_LONGEST_PREFIX = TIMEZONE_LONGEST_PREFIX
_country_zones: dict[int, tuple[str, ...]] = {}


def time_zones(country_code: int, national: str, number_type: int) -> tuple[str, ...]:
    """phonenumbers.timezone.time_zones_for_number for a valid number whose type is known."""
    if number_type == PhoneNumberType.UNKNOWN:
        return ()
    if not (
        number_type in (PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
        or (number_type == PhoneNumberType.MOBILE and country_code in _GEO_MOBILE_COUNTRIES)
    ):
        # _country_level_time_zones_for_number
        zones = _country_zones.get(country_code)
        if zones is None:
            text = str(country_code)
            zones = ()
            for length in range(_TIMEZONE_LONGEST_PREFIX, 0, -1):
                if text[: 1 + length] in _TIMEZONE_DATA:
                    zones = tuple(_TIMEZONE_DATA[text[: 1 + length]])
                    break
            _country_zones[country_code] = zones
        return zones
    # time_zones_for_geographical_number: the longest known prefix of the E.164 digits
    digits = f"{country_code}{national}"
    for length in range(min(_TIMEZONE_LONGEST_PREFIX, len(digits)), 0, -1):
        zones = _TIMEZONE_DATA.get(digits[:length])
        if zones is not None:
            return tuple(zones)
    return ()
