import random

import phonenumbers
import pytest
from phonenumbers import PhoneMetadata, PhoneNumberType
from phonenumbers import timezone as phone_timezone
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE, _maybe_strip_national_prefix_carrier_code

from telephony.imports import PhoneNormaliser, normalise_phone, time_zone_for
from telephony.imports.fastphone import FastValidator, parse_digits, time_zones, too_long_for_region


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("07400 123456", "GB", "+447400123456"),
        ("'07400123456", "GB", "+447400123456"),  # Excel's text marker
        ("+44 (0)7400 123456", "GB", "+447400123456"),
        ("0044 7400 123456", "GB", "+447400123456"),
        ("447400123456", "GB", "+447400123456"),  # lost its "+"
        ("447400123456.0", "GB", "+447400123456"),  # a float written out
        ("4.47400123456E+11", "GB", "+447400123456"),  # scientific notation, every digit kept
        ("7400123456", "GB", "+447400123456"),  # lost its leading zero
        ("(020) 7946-0018", "GB", "+442079460018"),
        ("020.7946.0018", "GB", "+442079460018"),
        ("8 (912) 345-67-89", "RU", "+79123456789"),  # Russian trunk prefix 8
        ("+7 912 345 67 89", "GB", "+79123456789"),
        ("2015550123", "US", "+12015550123"),
        ("030 1234567", "DE", "+49301234567"),
        ("\u00a0+33 1 42 68 53 00 ", "GB", "+33142685300"),
    ],
)
def test_numbers_as_people_write_them(raw, region, e164):
    result = normalise_phone(raw, region)
    assert result.ok, result.reason
    assert result.e164 == e164


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "the phone number is empty"),
        ("   ", "the phone number is empty"),
        ("abc", "is not a phone number (it contains letters)"),
        ("123", "is too short for GB"),
        ("07400 1234567890", "is too long for GB"),
        ("+999 1234567", "starts with an unknown country code"),
        ("+44 7400 123456 ext 12", "has an extension"),
        ("4.474E+11", "dropped its last digits"),
        ("---", "has no digits"),
    ],
)
def test_bad_numbers_have_a_reason(raw, reason):
    result = normalise_phone(raw, "GB")
    assert not result.ok
    assert result.e164 is None
    assert reason in result.reason


@pytest.mark.parametrize(
    ("e164", "zone"),
    [
        ("+442079460018", "Europe/London"),  # geographic
        ("+447400123456", "Europe/London"),  # mobile: the crown dependencies share London's clock: one zone
        ("+12125550123", "America/New_York"),
        ("+13105550123", "America/Los_Angeles"),  # the most specific zone
        ("+74951234567", "Europe/Moscow"),  # Moscow fixed line
        ("+73432123456", "Asia/Yekaterinburg"),  # Yekaterinburg landline
        ("+61892345678", "Australia/Adelaide,Australia/Perth"),  # +61 8: both candidates kept
        ("+33142685300", "Europe/Paris"),
    ],
)
def test_time_zone_of_a_number(e164, zone):
    assert time_zone_for(e164) == zone
    assert normalise_phone(e164, "GB").time_zone == zone


def test_unknown_region_is_refused():
    with pytest.raises(ValueError, match="not a country code"):
        PhoneNormaliser("XX")


def test_without_a_region_only_international_numbers_are_read():
    read = PhoneNormaliser("")
    assert read("+44 7400 111224").e164 == "+447400111224"
    assert read("0044 7400 111224").e164 == "+447400111224"
    assert read("07400 111224").reason == (
        "'07400 111224' has no country code: write it in international form, e.g. +441174090100"
    )
    # What is no phone number at all says so, as it does with a region.
    assert read("hello123").reason == normalise_phone("hello123", "GB").reason
    assert read("hello123").reason == "'hello123' is not a phone number (it contains letters)"
    assert read("+4412").reason == normalise_phone("+4412", "GB").reason


def test_fast_validator_agrees_with_phonenumbers_everywhere():
    # Near-misses of each region's example numbers: valid and invalid ones,
    # every calling code, including those shared by several regions.
    rng = random.Random(3)
    validator = FastValidator()
    checked = valid = 0
    for country_code, regions in COUNTRY_CODE_TO_REGION_CODE.items():
        for region in regions:
            for number_type in (PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE, PhoneNumberType.TOLL_FREE):
                if region == "001":
                    example = phonenumbers.example_number_for_non_geo_entity(country_code)
                else:
                    example = phonenumbers.example_number_for_type(region, number_type)
                if example is None:
                    continue
                national = phonenumbers.national_significant_number(example)
                for _ in range(4):
                    cut = rng.randint(1, min(5, len(national)))
                    tail = "".join(rng.choice("0123456789") for _ in range(cut + rng.choice((-1, 0, 0, 1))))
                    number = phonenumbers.parse(f"+{country_code}{national[:-cut]}{tail}")
                    national_number = phonenumbers.national_significant_number(number)
                    region_found, found_type = validator.region_and_type(country_code, national_number)
                    expected_valid = phonenumbers.is_valid_number(number)
                    assert (region_found is not None) == expected_valid, number
                    checked += 1
                    if expected_valid:
                        valid += 1
                        assert region_found == phonenumbers.region_code_for_number(number)
                        expected_type = phonenumbers.number_type(number)
                        if expected_type == PhoneNumberType.FIXED_LINE_OR_MOBILE:
                            expected_type = PhoneNumberType.FIXED_LINE
                        assert found_type == expected_type, number
                        expected_zones = tuple(phone_timezone.time_zones_for_number(number))
                        if expected_zones == ("Etc/Unknown",):
                            expected_zones = ()
                        assert time_zones(country_code, national_number, found_type) == expected_zones, number
    assert checked > 2000
    assert valid > 500


def test_fast_parse_agrees_with_phonenumbers_parse():
    # Random digit strings, read in random regions or as international, with
    # leading zeros and the region's own country code in front now and then.
    rng = random.Random(5)
    regions = [*sorted(phonenumbers.SUPPORTED_REGIONS), *[None] * 20]
    for _ in range(20_000):
        region = rng.choice(regions)
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(3, 18)))
        if rng.random() < 0.3:
            digits = "0" + digits
        if region and rng.random() < 0.2:
            digits = f"{phonenumbers.country_code_for_region(region)}{digits}"
        expected = found = None
        try:
            number = phonenumbers.parse(digits if region else "+" + digits, region)
            expected = (number.country_code, phonenumbers.national_significant_number(number))
        except phonenumbers.NumberParseException as exc:
            expected = exc.error_type
        try:
            found = parse_digits(digits, region)
        except phonenumbers.NumberParseException as exc:
            found = exc.error_type
        assert found == expected, (digits, region)


@pytest.mark.parametrize(
    ("raw", "region", "reason"),
    [
        # Issue 17, item 18: invalid national numbers that the lost-"+" reading
        # used to turn into valid foreign ones.
        ("(203).096.1342", "US", "'(203).096.1342' is not valid for US"),  # was +20 (Egypt)
        ("(19) 14255-0302", "BR", "'(19) 14255-0302' is not valid for BR"),  # was +1 914
        ("4930123456", "GB", "'4930123456' is not valid for GB"),  # fits a GB number: never read as German
    ],
)
def test_an_invalid_national_number_is_never_read_as_a_foreign_one(raw, region, reason):
    result = normalise_phone(raw, region)
    assert (result.e164, result.reason) == (None, reason)


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("4930123456789", "GB", "+4930123456789"),  # too long for GB: it lost its "+"
        ("491701234567", "US", "+491701234567"),  # too long for the US
        ("12025550123", "US", "+12025550123"),  # led by the region's own code
        ("33612345678", "GB", "+33612345678"),
    ],
)
def test_digits_that_cannot_be_national_are_read_as_international(raw, region, e164):
    assert normalise_phone(raw, region).e164 == e164


def _reference(digits: str, region: str) -> str | None:
    """The lost-"+" rule written with phonenumbers alone: national first; international
    only when the digits cannot be a national number of the region (longer than any,
    once its trunk prefix is off, or led by its country code)."""
    e164 = phonenumbers.PhoneNumberFormat.E164
    try:
        number = phonenumbers.parse(digits, region)
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, e164)
    except phonenumbers.NumberParseException:
        pass
    metadata = PhoneMetadata.metadata_for_region(region)
    assert metadata is not None and metadata.general_desc is not None
    _carrier, national, _stripped = _maybe_strip_national_prefix_carrier_code(digits, metadata)
    too_long = len(national) > max(metadata.general_desc.possible_length)
    if not (too_long or digits.startswith(str(metadata.country_code))):
        return None
    try:
        number = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(number, e164) if phonenumbers.is_valid_number(number) else None


def test_lost_plus_reading_agrees_with_phonenumbers_on_mixed_numbers():
    # Numbers of every region written without "+", near-misses of them, and
    # national numbers with a mistyped digit, each read in a random default region.
    rng = random.Random(18)
    regions = sorted(phonenumbers.SUPPORTED_REGIONS)
    checked = foreign = 0
    for _ in range(8_000):
        home, source = rng.choice(regions), rng.choice(regions)
        example = phonenumbers.example_number_for_type(
            source, rng.choice((PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE))
        )
        if example is None:
            continue
        national = phonenumbers.national_significant_number(example)
        cut = rng.randint(1, min(4, len(national)))
        national = national[:-cut] + "".join(rng.choice("0123456789") for _ in range(cut))
        digits = national if rng.random() < 0.3 else f"{example.country_code}{national}"
        found = PhoneNormaliser(home, time_zone=False)(digits).e164
        assert found == _reference(digits, home), (digits, home)
        checked += 1
        if found and not found.startswith(f"+{phonenumbers.country_code_for_region(home)}"):
            foreign += 1
            assert too_long_for_region(digits, home) or digits.startswith(
                str(phonenumbers.country_code_for_region(home))
            ), (digits, home)
    assert checked > 6_000
    assert foreign > 500
