"""Phone numbers as people and spreadsheets write them, turned into E.164.

``normalise_phone("07911 123456", "GB")`` → ``PhoneResult(e164="+447911123456", ...)``;
a number that cannot be used comes back with ``e164=None`` and a ``reason``
a person understands. Parsing and validation are libphonenumber's (the
``phonenumbers`` package); what is done here is the clean-up of what
spreadsheets and people do to numbers before it gets there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, ValidationResult
from phonenumbers import timezone as phone_timezone

from telephony.zones import zone_key

from .fastphone import FastValidator, parse_digits, time_zones, too_long_for_region

# When phonenumbers can only say "somewhere in this country" (a mobile in a
# country with several zones) a contact gets the zone most of its people live
# in; countries not listed take the first zone phonenumbers gives.
MAIN_TIME_ZONES = {
    "AR": "America/Argentina/Buenos_Aires",
    "AU": "Australia/Sydney",
    "BR": "America/Sao_Paulo",
    "CA": "America/Toronto",
    "CD": "Africa/Kinshasa",
    "CL": "America/Santiago",
    "CN": "Asia/Shanghai",
    "EC": "America/Guayaquil",
    "ES": "Europe/Madrid",
    "FM": "Pacific/Pohnpei",
    "FR": "Europe/Paris",
    "GB": "Europe/London",
    "GG": "Europe/Guernsey",
    "IM": "Europe/Isle_of_Man",
    "IT": "Europe/Rome",
    "JE": "Europe/Jersey",
    "ID": "Asia/Jakarta",
    "KI": "Pacific/Tarawa",
    "KZ": "Asia/Almaty",
    "MN": "Asia/Ulaanbaatar",
    "MX": "America/Mexico_City",
    "MY": "Asia/Kuala_Lumpur",
    "NL": "Europe/Amsterdam",
    "NO": "Europe/Oslo",
    "NZ": "Pacific/Auckland",
    "PF": "Pacific/Tahiti",
    "PG": "Pacific/Port_Moresby",
    "PT": "Europe/Lisbon",
    "RU": "Europe/Moscow",
    "UA": "Europe/Kyiv",
    "UM": "Pacific/Honolulu",
    "US": "America/New_York",
    "UZ": "Asia/Tashkent",
}

_STRIP_LEADING = "'\"‘’`\u00a0\u200b\ufeff "
_SCIENTIFIC = re.compile(r"^\+?(\d+)(?:[.,](\d+))?[eE]\+?(\d+)$")
_FLOAT_TAIL = re.compile(r"^(\+?\d+)[.,]0+$")
_TRUNK_IN_BRACKETS = re.compile(r"^(\+\d{1,3})\s*\(0\)")
_LETTERS = re.compile(r"[^\W\d_]")
_EXTENSION = re.compile(r"(?:ext\.?|x|#|доб\.?)\s*\d+$", re.IGNORECASE)
_NON_DIGITS = re.compile(r"\D")
_SEPARATORS_ONLY = re.compile(r"^\+?[\d\s().\-/]+$")


@dataclass(slots=True)
class PhoneResult:
    """``e164`` and ``time_zone`` for a usable number; otherwise ``reason``.

    Not frozen: a frozen dataclass costs a microsecond more to build, per row.
    """

    raw: str
    e164: str | None = None
    region: str | None = None
    time_zone: str = ""
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.e164 is not None


def normalise_phone(raw: str, default_region: str, *, time_zone: bool = True) -> PhoneResult:
    """Clean, parse and validate one number; national numbers are read in ``default_region``
    (``""``: none, a national number is refused)."""
    return phone_normaliser(default_region.upper(), time_zone)(raw)


@lru_cache(maxsize=64)
def phone_normaliser(default_region: str, time_zone: bool = True) -> PhoneNormaliser:
    """A reusable normaliser for one default region (cheaper than calling ``normalise_phone`` in a loop)."""
    return PhoneNormaliser(default_region, time_zone=time_zone)


def time_zone_for(number: phonenumbers.PhoneNumber | str) -> str:
    """The zone key of a number: all its candidate zones, same-clock ones as one (``telephony.zones``)."""
    if isinstance(number, str):
        number = phonenumbers.parse(number, None)
    zones = phone_timezone.time_zones_for_number(number)
    region = phonenumbers.region_code_for_number(number)
    return _pick_zone(zones, region)


def _pick_zone(zones: tuple[str, ...] | list[str], region: str | None) -> str:
    """Every candidate zone of the number, as one key (see ``telephony.zones``)."""
    return zone_key(zones, MAIN_TIME_ZONES.get(region or "", ""))


class PhoneNormaliser:
    """Normalises numbers for one default region; keeps a small cache of results.

    Instances are cheap to keep per import and are not shared across threads.
    """

    def __init__(self, default_region: str, *, time_zone: bool = True) -> None:
        if default_region and default_region not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"{default_region!r} is not a country code phonenumbers knows (e.g. GB, US, DE).")
        # "" reads international numbers only: a national one is refused for want of a country.
        self.region = default_region
        self.want_time_zone = time_zone
        self.country_code = phonenumbers.country_code_for_region(default_region) if default_region else 0
        self.country_code_text = str(self.country_code)
        self.fast = FastValidator()
        # The zone key of each (candidate zones, region) seen: a list has a few
        # dozen of them, and building a key sorts and groups on every call.
        self._zone_keys: dict[tuple[tuple[str, ...], str], str] = {}

    def __call__(self, raw: str) -> PhoneResult:
        text = raw.strip().lstrip(_STRIP_LEADING).rstrip(_STRIP_LEADING)
        if not text:
            return PhoneResult(raw, reason="the phone number is empty")
        if "." in text or "," in text:
            floating = _FLOAT_TAIL.match(text)
            if floating:
                text = floating.group(1)
        if not _SEPARATORS_ONLY.match(text):
            cleaned, reason = self._unusual(text)
            if reason:
                return PhoneResult(raw, reason=reason)
            text = cleaned
        plus = text.startswith("+")
        digits = _NON_DIGITS.sub("", text)
        if not digits:
            return PhoneResult(raw, reason=f"{raw!r} has no digits")
        if plus:
            return self._international(raw, digits)
        if digits.startswith("00"):
            return self._international(raw, digits[2:])
        if not self.region:
            return PhoneResult(
                raw, reason=f"{raw!r} has no country code: write it in international form, e.g. +441174090100"
            )
        result = self._national(raw, digits)
        if result.ok or not self._cannot_be_national(digits):
            # An invalid national number stays incorrect: (203) 096-1342 in a US
            # list is a mistyped American, never the Egyptian +20 3096 1342.
            return result
        # A number that lost its "+" (or its "00") on the way through a
        # spreadsheet: 4930123456789 is too long for any GB number, so it can
        # only be international.
        international = self._international(raw, digits)
        return international if international.ok else result

    def _cannot_be_national(self, digits: str) -> bool:
        """Digits that are no national number of the default region: too long for it, or led by its own code."""
        return digits.startswith(self.country_code_text) or too_long_for_region(digits, self.region)

    def _unusual(self, text: str) -> tuple[str, str]:
        text = _TRUNK_IN_BRACKETS.sub(r"\1", text)
        scientific = _SCIENTIFIC.match(text.replace(" ", ""))
        if scientific:
            whole, fraction, exponent = scientific.groups()
            try:
                value = Decimal(f"{whole}.{fraction or 0}e{exponent}")
            except InvalidOperation:
                return "", f"{text!r} is not a phone number"
            if value != value.to_integral_value():
                return "", f"{text!r} is not a whole number"
            digits = str(int(value))
            significant = len((whole + (fraction or "")).lstrip("0"))
            if significant < len(digits.rstrip("0")) or (significant < len(digits) and len(digits) - significant > 1):
                return "", (
                    f"{text!r} was stored in scientific notation and the spreadsheet dropped its last digits; "
                    "format the column as text and export it again"
                )
            return digits, ""
        if _EXTENSION.search(text):
            return "", f"{text!r} has an extension, which cannot be dialled"
        if _LETTERS.search(text):
            return "", f"{text!r} is not a phone number (it contains letters)"
        return text, ""

    def _national(self, raw: str, digits: str) -> PhoneResult:
        try:
            country_code, national = parse_digits(digits, self.region)
        except NumberParseException as exc:
            return PhoneResult(raw, reason=_parse_reason(raw, exc))
        return self._judge(raw, country_code, national)

    def _international(self, raw: str, digits: str) -> PhoneResult:
        try:
            country_code, national = parse_digits(digits, None)
        except NumberParseException as exc:
            return PhoneResult(raw, reason=_parse_reason(raw, exc))
        return self._judge(raw, country_code, national)

    def _judge(self, raw: str, country_code: int, national: str) -> PhoneResult:
        region, number_type = self.fast.region_and_type(country_code, national)
        if region is None:
            return PhoneResult(raw, reason=_invalid_reason(raw, country_code, national))
        zone = ""
        if self.want_time_zone:
            zones = time_zones(country_code, national, number_type)
            try:
                zone = self._zone_keys[zones, region]
            except KeyError:
                zone = self._zone_keys[zones, region] = _pick_zone(zones, region)
        return PhoneResult(raw, e164=f"+{country_code}{national}", region=region, time_zone=zone)


def _parse_reason(raw: str, exc: NumberParseException) -> str:
    return {
        NumberParseException.INVALID_COUNTRY_CODE: f"{raw!r} starts with an unknown country code",
        NumberParseException.NOT_A_NUMBER: f"{raw!r} is not a phone number",
        NumberParseException.TOO_SHORT_AFTER_IDD: f"{raw!r} is too short",
        NumberParseException.TOO_SHORT_NSN: f"{raw!r} is too short",
        NumberParseException.TOO_LONG: f"{raw!r} is too long",
    }.get(exc.error_type, f"{raw!r} is not a phone number")


def _invalid_reason(raw: str, country_code: int, national: str) -> str:
    number = phonenumbers.PhoneNumber(country_code=country_code, national_number=int(national))
    if national.startswith("0") and len(national) > 1:
        number.italian_leading_zero = True
        number.number_of_leading_zeros = len(national) - len(national.lstrip("0")) or len(national) - 1
    region = phonenumbers.region_code_for_country_code(country_code)
    where = f" for {region}" if region and region != "ZZ" else ""
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible == ValidationResult.INVALID_COUNTRY_CODE:
        return f"{raw!r} starts with an unknown country code"
    if possible == ValidationResult.TOO_SHORT:
        return f"{raw!r} is too short{where}"
    if possible == ValidationResult.TOO_LONG:
        return f"{raw!r} is too long{where}"
    if possible == ValidationResult.INVALID_LENGTH:
        return f"{raw!r} has the wrong number of digits{where}"
    return f"{raw!r} is not valid{where}"
