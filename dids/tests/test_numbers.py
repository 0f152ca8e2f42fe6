import pytest

from dids.numbers import NumberError, parse_number, parse_specs


def test_geographic_number_is_classified_with_its_locality():
    parsed = parse_number("+44 117 409 0100")
    assert parsed.number == "+441174090100"
    assert parsed.raw == "+44 117 409 0100"
    assert (parsed.iso_country, parsed.number_type, parsed.area_code, parsed.locality) == (
        "GB",
        "geographic",
        "117",
        "Bristol",
    )
    assert parsed.unverified is False


@pytest.mark.parametrize(
    ("text", "number_type", "area_code"),
    [
        ("+442079460000", "geographic", "20"),
        ("+448001234567", "tollfree", "800"),
        ("+443001234567", "national", "300"),
        ("+447400123456", "mobile", "7400"),
        ("+12125550150", "geographic", "212"),
    ],
)
def test_number_types(text, number_type, area_code):
    parsed = parse_number(text)
    assert (parsed.number_type, parsed.area_code) == (number_type, area_code)


def test_international_prefix_and_plain_digits_mean_the_same_number():
    assert parse_number("00441174090100").number == parse_number("441174090100").number == "+441174090100"


def test_unknown_but_plausible_digits_are_accepted_unverified():
    parsed = parse_number("+447700900123")  # a range phonenumbers does not know as valid
    assert parsed.unverified is True
    assert parsed.iso_country == "GB"
    assert parsed.number_type == "other"


@pytest.mark.parametrize("text", ["abc", "+44 117 abc", "12", "+1234567890123456", "0117 409 0100", "++44"])
def test_implausible_text_is_refused(text):
    with pytest.raises(NumberError):
        parse_number(text)


def test_national_format_with_a_default_region(settings):
    settings.DIDS_DEFAULT_REGION = "GB"
    assert parse_number("0117 409 0100").number == "+441174090100"


def test_seed_range_includes_both_ends():
    numbers = [p.number for p in parse_specs("111-222")]
    assert len(numbers) == 112
    assert numbers[0] == "+111" and numbers[-1] == "+222"


def test_international_range_and_list_in_one_request_each_number_once():
    parsed = parse_specs("+441174090100-+441174090199\n+441174090150, +442079460000")
    assert len(parsed) == 101
    assert parsed[-1].number == "+442079460000"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("222-111", "start is greater"),
        ("111-2222", "same number of digits"),
        ("+441174090100-+44117409010x", "not a number or a range"),
        ("1-2-3", "not a number or a range"),
        ("", "No numbers"),
    ],
)
def test_bad_ranges_name_the_problem(spec, message):
    with pytest.raises(NumberError, match=message):
        parse_specs(spec)


def test_range_over_the_cap_is_refused(settings):
    settings.DIDS_MAX_NUMBERS_PER_REQUEST = 50
    parse_specs("+441174090100-+441174090149")
    with pytest.raises(NumberError, match="at most 50"):
        parse_specs("+441174090100-+441174090150")
    with pytest.raises(NumberError, match="More than 50"):
        parse_specs("+441174090100-+441174090140, +441174090200-+441174090240")


@pytest.mark.parametrize(
    "spec",
    ["+441174090400-420", "+44 117 409 0400-420", "+441174090400 - 0420", "01174090400-420"],
)
def test_short_range_end_gives_the_last_digits(settings, spec):
    settings.DIDS_DEFAULT_REGION = "GB"
    numbers = [p.number for p in parse_specs(spec)]
    assert numbers[0] == "+441174090400" and numbers[-1] == "+441174090420" and len(numbers) == 21


def test_short_range_end_below_the_start_is_refused():
    with pytest.raises(NumberError, match="start is greater"):
        parse_specs("+441174090400-300")
