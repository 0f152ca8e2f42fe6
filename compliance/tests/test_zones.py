"""Subscriber zones (issue 17 item 14): every candidate zone kept, called only when all are open."""

import datetime as dt
from types import SimpleNamespace

import pytest

from campaigns.dialer.window import open_zones, zone_in_period
from telephony.imports import normalise_phone, time_zone_for
from telephony.zones import zone_key, zone_names


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("e164", "region", "key"),
    [
        ("+442079460018", "GB", "Europe/London"),  # London fixed
        ("+447400123456", "GB", "Europe/London"),  # UK mobile: crown dependencies share the clock
        ("+441481712345", "GB", "Europe/Guernsey"),  # a Guernsey fixed line stays Guernsey
        ("+12125550123", "US", "America/New_York"),
        ("+13105550123", "US", "America/Los_Angeles"),
        ("+14165550123", "CA", "America/Toronto"),
        ("+16045550123", "CA", "America/Vancouver"),
        ("+61298765432", "AU", "Australia/Sydney"),  # Sydney fixed
        ("+61892345678", "AU", "Australia/Adelaide,Australia/Perth"),  # +61 8 (Perth or Adelaide): both kept
        ("+74951234567", "RU", "Europe/Moscow"),
        ("+5511987654321", "BR", "America/Sao_Paulo"),
    ],
)
def test_a_number_keeps_its_candidate_zones(e164, region, key):
    assert time_zone_for(e164) == key
    assert normalise_phone(e164, region).time_zone == key


def test_an_australian_mobile_keeps_perth_and_sydney():
    names = zone_names(time_zone_for("+61412345678"))
    assert {"Australia/Perth", "Australia/Sydney", "Australia/Adelaide", "Australia/Brisbane"} <= set(names)


def test_a_russian_mobile_keeps_moscow_and_vladivostok():
    names = zone_names(time_zone_for("+79161234567"))
    assert {"Europe/Moscow", "Asia/Vladivostok", "Asia/Irkutsk"} <= set(names)


def test_same_clock_candidates_are_one_and_the_country_main_zone_names_them():
    assert zone_key(["Europe/Jersey", "Europe/London", "Europe/Guernsey"], "Europe/London") == "Europe/London"
    assert zone_key(["America/Detroit", "America/New_York"]) == "America/Detroit"  # no main given: first name
    assert zone_key(["America/Chicago", "America/Mexico_City"]) == "America/Chicago,America/Mexico_City"  # DST differs
    assert zone_key(["Etc/Unknown"]) == ""


def _campaign(**fields):
    values = {
        "subscriber_time_zone": True,
        "all_day": False,
        "work_start": dt.time(9),
        "work_end": dt.time(18),
        "work_days": 0b1111111,
        "time_zone": "Europe/London",
        "dialer_zones": ["Australia/Adelaide,Australia/Perth", "Australia/Sydney"],
    }
    values.update(fields)
    return SimpleNamespace(**values)


def test_a_perth_number_is_called_only_when_the_period_is_open_in_perth_and_adelaide():
    campaign = _campaign()
    perth = "Australia/Adelaide,Australia/Perth"
    # 23:00 UTC Sunday (Nov, Adelaide +10:30, Perth +8): Adelaide 09:30 open, Perth 07:00 closed.
    assert not zone_in_period(campaign, perth, at("2026-11-22 23:00"))
    # 02:00 UTC: Adelaide 12:30, Perth 10:00, both open.
    assert zone_in_period(campaign, perth, at("2026-11-23 02:00"))
    # 08:00 UTC: Perth 16:00 open, Adelaide 18:30 closed.
    assert not zone_in_period(campaign, perth, at("2026-11-23 08:00"))
    assert open_zones(campaign, at("2026-11-22 23:00")) == ["Australia/Sydney"]  # Sydney 10:00


def test_a_uk_mobile_is_called_on_londons_clock():
    campaign = _campaign(work_start=dt.time(9), work_end=dt.time(10))
    key = time_zone_for("+447400123456")
    assert zone_in_period(campaign, key, at("2026-11-23 09:30"))
    assert not zone_in_period(campaign, key, at("2026-11-23 10:30"))


def test_a_brazilian_and_a_russian_mobile_need_every_candidate_open():
    ru = time_zone_for("+79161234567")
    campaign = _campaign(work_start=dt.time(9), work_end=dt.time(21), dialer_zones=[ru])
    # 06:00 UTC: Moscow 09:00 but Kamchatka/Anadyr 18:00, Bucharest 08:00 -> closed somewhere.
    assert open_zones(campaign, at("2026-11-23 06:00")) == []
    # 07:30 UTC: Bucharest 09:30, Moscow 10:30, Anadyr 19:30: open in all.
    assert open_zones(campaign, at("2026-11-23 07:30")) == [ru]
    br = time_zone_for("+5511987654321")
    assert zone_in_period(_campaign(), br, at("2026-11-23 12:00"))  # São Paulo 09:00
    assert not zone_in_period(_campaign(), br, at("2026-11-23 11:00"))  # 08:00
