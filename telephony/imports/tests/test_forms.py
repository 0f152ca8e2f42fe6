"""The country picker every upload shares."""

import re

from telephony.imports.forms import RegionField, region_choices


def test_every_country_choice_has_a_name_and_its_code():
    bare = [label for code, label in region_choices() if not re.fullmatch(rf".+\S \({code}\)", label)]
    assert bare == []
    names = dict(RegionField().choices)
    assert names["GB"] == "United Kingdom (GB)"
    # Names phonenumbers has but does not give for an example number (a code shared with a neighbour) ...
    assert names["BL"] == "Saint Barthélemy (BL)"
    assert names["EH"] == "Western Sahara (EH)"
    assert names["MF"] == "Saint Martin (MF)"
    # ... and those it has none for.
    assert names["AC"] == "Ascension Island (AC)"
    assert names["TA"] == "Tristan da Cunha (TA)"
    assert names["XK"] == "Kosovo (XK)"
