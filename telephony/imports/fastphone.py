"""libphonenumber's validity and number-type rules, evaluated in one pass.

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
from phonenumbers import PhoneMetadata, PhoneNumberType
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

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
