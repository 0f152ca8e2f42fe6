"""Tracking-source matching and number rules, table-driven."""

import pytest

from call_tracking import rules

ANY_GCLID = {"referrer_domain": "Any", "url_triggers": ["gclid=*"], "track_organic": False}
ANY_GCLID_PERCENT = {"referrer_domain": "Any", "url_triggers": ["gclid=%"], "track_organic": False}
GOOGLE = {"referrer_domain": "Google", "url_triggers": [], "track_organic": False}
GOOGLE_ORGANIC = {"referrer_domain": "Google", "url_triggers": [], "track_organic": True}
BING_CAMPAIGN = {"referrer_domain": "Bing", "url_triggers": ["utm_campaign=wintertires"], "track_organic": False}
PARTNER = {"referrer_domain": "partner.example.org", "url_triggers": [], "track_organic": False}
TWO_TRIGGERS = {"referrer_domain": "Any", "url_triggers": ["utm_source=news*", "utm_medium=email"]}
ANY = {"referrer_domain": "Any", "url_triggers": [], "track_organic": False}

LANDING = "https://www.example.com/offers"

CASES = [
    # (sources, referrer, landing url, matched source or None, source label)
    ([ANY_GCLID], "", LANDING + "?gclid=abc", ANY_GCLID, "Direct"),
    ([ANY_GCLID], "https://www.google.co.uk/", LANDING + "?gclid=abc", ANY_GCLID, "Google"),
    ([ANY_GCLID_PERCENT], "https://www.bing.com/search", LANDING + "?GCLID=1", ANY_GCLID_PERCENT, "Bing"),
    ([ANY_GCLID], "https://www.google.com/", LANDING, None, "Google"),  # no gclid
    ([ANY_GCLID], "", LANDING + "?gclid_x=1", None, "Direct"),
    ([GOOGLE], "https://www.google.com/", LANDING + "?gclid=1", GOOGLE, "Google"),  # paid
    ([GOOGLE], "https://www.google.com/", LANDING, None, "Google"),  # organic, not tracked
    ([GOOGLE_ORGANIC], "https://www.google.de/", LANDING, GOOGLE_ORGANIC, "Google"),
    ([GOOGLE], "https://www.google.com/", LANDING + "?utm_medium=cpc", GOOGLE, "Google"),
    ([GOOGLE], "https://www.bing.com/", LANDING + "?gclid=1", None, "Bing"),
    ([GOOGLE], "https://googleblog.example.net/", LANDING + "?gclid=1", None, "googleblog.example.net"),
    ([BING_CAMPAIGN], "https://www.bing.com/", LANDING + "?utm_campaign=wintertires", BING_CAMPAIGN, "Bing"),
    ([BING_CAMPAIGN], "https://www.bing.com/", LANDING + "?utm_campaign=summer", None, "Bing"),
    ([BING_CAMPAIGN], "https://www.bing.com/", LANDING + "?utm_campaign=WinterTires", BING_CAMPAIGN, "Bing"),
    ([PARTNER], "https://shop.partner.example.org/p/1", LANDING, PARTNER, "shop.partner.example.org"),
    ([PARTNER], "https://partner.example.org.evil.com/", LANDING, None, "partner.example.org.evil.com"),
    ([PARTNER], "", LANDING, None, "Direct"),
    ([TWO_TRIGGERS], "", LANDING + "?utm_source=newsletter&utm_medium=email", TWO_TRIGGERS, "Direct"),
    ([TWO_TRIGGERS], "", LANDING + "?utm_source=newsletter", None, "Direct"),  # every trigger is required
    ([TWO_TRIGGERS], "", LANDING + "?utm_source=blog&utm_medium=email", None, "Direct"),
    ([ANY], "https://www.google.com/", LANDING, None, "Google"),  # organic needs track_organic
    ([ANY], "https://news.example.net/", LANDING, ANY, "news.example.net"),
    ([GOOGLE, ANY_GCLID], "https://www.bing.com/", LANDING + "?gclid=2", ANY_GCLID, "Bing"),  # first that matches
    ([], "https://www.google.com/", LANDING + "?gclid=1", None, "Google"),
    # A page of the site itself is no new source.
    ([PARTNER], "https://www.example.com/home", LANDING, None, "Direct"),
]


@pytest.mark.parametrize(("sources", "referrer", "landing", "expected", "label"), CASES)
def test_match_source(sources, referrer, landing, expected, label):
    visit = rules.read_visit(referrer, landing, ["example.com"])
    assert rules.match_source(sources, visit) == expected
    assert visit.source == label


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Any", "Any"), ("any", "Any"), ("google", "Google"), ("BING", "Bing"), ("https://www.Shop.com/x", "shop.com")],
)
def test_referrer_domain_is_normalised(text, expected):
    assert rules.normalise_referrer_domain(text) == expected


@pytest.mark.parametrize("text", ["", "not a domain", "http://", "localhost"])
def test_bad_referrer_domain_is_refused(text):
    with pytest.raises(rules.RuleError):
        rules.normalise_referrer_domain(text)


@pytest.mark.parametrize(
    ("area_code", "country", "expected"),
    [("024", "GB", "24"), ("24", "GB", "24"), ("0117", "GB", "117"), ("212", "US", "212")],
)
def test_area_code_loses_the_trunk_prefix(area_code, country, expected):
    assert rules.normalise_area_code(area_code, country) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("+441274792823", "+441274792823"), ("441274792823", "+441274792823"), ("+44 1274 792823", "+441274792823")],
)
def test_termination_number(text, expected):
    assert rules.parse_termination_number(text) == expected


@pytest.mark.parametrize("text", ["", "+44123", "call me", "+999123456789"])
def test_bad_termination_number(text):
    with pytest.raises(rules.RuleError):
        rules.parse_termination_number(text)


@pytest.mark.parametrize(
    ("number", "country", "expected"),
    [
        ("01011231234", "GB", ["01011231234", "441011231234"]),
        ("4402078395555", "GB", ["4402078395555", "442078395555", "02078395555"]),
        ("0117 409 0100", "GB", ["01174090100", "441174090100"]),
        ("905219CARS", "US", ["905219CARS"]),
    ],
)
def test_number_variants(number, country, expected):
    assert rules.number_variants(number, country) == expected
