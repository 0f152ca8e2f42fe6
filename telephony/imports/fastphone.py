"""libphonenumber's parsing, validity and number-type rules, on the fast path.

``parse_digits`` is ``phonenumbers.parse`` for a string of digits already
cleaned (optionally read as international, as after a ``+``): the same steps
in the same order, without the generic text extraction that dominates the
library's time; anything unusual (too short, starting with the default
country's code or an IDD) is handed to ``phonenumbers.parse`` itself.

``phonenumbers.is_valid_number`` followed by ``number_type`` (needed for the
time zone) walks the region's metadata three times, one regular expression
per number type each time — most of an import's time. Here each region's
type patterns (with their possible lengths) are compiled once into a single
alternation, in the order libphonenumber checks them, so one ``fullmatch``
answers both questions. The answers are the library's own: the test suite
compares them with ``phonenumbers`` on numbers from every region.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneMetadata, PhoneNumber, PhoneNumberType, ValidationResult
from phonenumbers.phonenumberutil import (
    COUNTRY_CODE_TO_REGION_CODE,
    _maybe_strip_national_prefix_carrier_code,
    _test_number_length,
    region_code_for_country_code,
)

_MIN_LENGTH_FOR_NSN = 2
_MAX_LENGTH_FOR_NSN = 17
_SHORT_LENGTH_RESULTS = (
    ValidationResult.TOO_SHORT,
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY,
    ValidationResult.INVALID_LENGTH,
)
_metadata_cache: dict[tuple[int, str], PhoneMetadata | None] = {}
_idd_cache: dict[str, re.Pattern | None] = {}


def _metadata(country_code: int, region: str) -> PhoneMetadata | None:
    key = (country_code, region)
    if key not in _metadata_cache:
        _metadata_cache[key] = PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
    return _metadata_cache[key]


def parse_digits(digits: str, region: str | None) -> PhoneNumber:
    """``phonenumbers.parse("+" + digits)`` when ``region`` is None, else ``phonenumbers.parse(digits, region)``.

    ``digits`` holds only ASCII digits. Raises NumberParseException as the library does.
    """
    if len(digits) < 3:
        return phonenumbers.parse(("+" + digits) if region is None else digits, region)
    if region is None:
        country_code = 0
        for length in (1, 2, 3):
            candidate = int(digits[:length]) if digits[0] != "0" else 0
            if candidate in COUNTRY_CODE_TO_REGION_CODE:
                country_code = candidate
                national = digits[length:]
                break
        if country_code == 0:
            raise NumberParseException(
                NumberParseException.INVALID_COUNTRY_CODE, "Country calling code supplied was not recognised."
            )
        metadata = _metadata(country_code, region_code_for_country_code(country_code))
    else:
        metadata = PhoneMetadata.metadata_for_region(region, None)
        if metadata is None:
            return phonenumbers.parse(digits, region)
        idd = _idd_cache.get(region, False)
        if idd is False:
            idd = re.compile(metadata.international_prefix) if metadata.international_prefix else None
            _idd_cache[region] = idd
        if (idd is not None and idd.match(digits)) or digits.startswith(str(metadata.country_code)):
            # An international prefix or the country's own code in front:
            # the library's rules for those are subtle, let it decide.
            return phonenumbers.parse(digits, region)
        country_code = metadata.country_code
        national = digits
    if len(national) < _MIN_LENGTH_FOR_NSN:
        raise NumberParseException(NumberParseException.TOO_SHORT_NSN, "too short")
    if metadata is not None:
        _carrier, stripped, _ = _maybe_strip_national_prefix_carrier_code(national, metadata)
        if _test_number_length(stripped, metadata) not in _SHORT_LENGTH_RESULTS:
            national = stripped
    if len(national) < _MIN_LENGTH_FOR_NSN:
        raise NumberParseException(NumberParseException.TOO_SHORT_NSN, "too short")
    if len(national) > _MAX_LENGTH_FOR_NSN:
        raise NumberParseException(NumberParseException.TOO_LONG, "too long")
    number = PhoneNumber(country_code=country_code, national_number=int(national))
    if len(national) > 1 and national[0] == "0":
        number.italian_leading_zero = True
        zeros = 1
        while zeros < len(national) - 1 and national[zeros] == "0":
            zeros += 1
        if zeros != 1:
            number.number_of_leading_zeros = zeros
    return number


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


class _RegionRules:
    __slots__ = ("general", "general_lengths", "leading_digits", "type_of_group", "types")

    def __init__(self, metadata: PhoneMetadata) -> None:
        general = metadata.general_desc
        self.general = re.compile(general.national_number_pattern) if general.national_number_pattern else None
        self.general_lengths = frozenset(general.possible_length or ())
        self.leading_digits = re.compile(metadata.leading_digits) if metadata.leading_digits else None
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

    def number_type(self, national_number: str) -> int:
        if self.general is None or not self.general.fullmatch(national_number):
            return PhoneNumberType.UNKNOWN
        # phonenumbers checks the general description without its lengths
        # (they only pre-filter the specific types), so do the same.
        if self.types is None:
            return PhoneNumberType.UNKNOWN
        match = self.types.fullmatch(national_number)
        if match is None:
            return PhoneNumberType.UNKNOWN
        return self.type_of_group[match.lastgroup]


class FastValidator:
    """``region_and_type(number)`` → ``(region, type)`` for a valid number, ``(None, UNKNOWN)`` otherwise."""

    _rules: dict[str, _RegionRules | None] = {}

    def _rules_for(self, country_code: int, region: str) -> _RegionRules | None:
        key = f"{country_code}:{region}"
        rules = self._rules.get(key, False)
        if rules is False:
            metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
            rules = _RegionRules(metadata) if metadata is not None else None
            self._rules[key] = rules
        return rules

    def region_and_type(self, number: phonenumbers.PhoneNumber) -> tuple[str | None, int]:
        country_code = number.country_code
        regions = COUNTRY_CODE_TO_REGION_CODE.get(country_code)
        if not regions:
            return None, PhoneNumberType.UNKNOWN
        national = phonenumbers.national_significant_number(number)
        if len(regions) == 1:
            region = regions[0]
            rules = self._rules_for(country_code, region)
            if rules is None:
                return None, PhoneNumberType.UNKNOWN
            number_type = rules.number_type(national)
            return (region, number_type) if number_type != PhoneNumberType.UNKNOWN else (None, number_type)
        # Several regions share the code (+1, +7, +44...): the same walk as
        # phonenumberutil._region_code_for_number_from_list, then validity in
        # the region found.
        for region in regions:
            rules = self._rules_for(country_code, region)
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
