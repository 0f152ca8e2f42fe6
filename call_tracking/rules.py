"""Pure rules of call tracking: reading phone-number requests, matching tracking
sources against a visit, and the variants under which a site number is written.

No database access here, so every rule is tested table-driven.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

import phonenumbers

MATCH_TYPES = ("geographic", "tollfree", "national")
NUMBER_TYPES = ("international",)
ANY = "any"

# Search engines by the names the seed's clients use, and how their hosts look:
# a label that must appear in the host ("google" in www.google.co.uk) or a domain.
SEARCH_ENGINES: dict[str, tuple[str, tuple[str, ...]]] = {
    "google": ("Google", ("google",)),
    "bing": ("Bing", ("bing.com",)),
    "yahoo": ("Yahoo", ("yahoo",)),
    "duckduckgo": ("DuckDuckGo", ("duckduckgo.com",)),
    "yandex": ("Yandex", ("yandex",)),
    "baidu": ("Baidu", ("baidu.com",)),
    "ecosia": ("Ecosia", ("ecosia.org",)),
    "ask": ("Ask", ("ask.com",)),
    "aol": ("AOL", ("aol.com",)),
}
# URL parameters that make a search-engine visit a paid (not organic) one.
PAID_PARAMETERS = frozenset({"gclid", "gbraid", "wbraid", "dclid", "msclkid", "yclid", "fbclid"})
PAID_MEDIUMS = frozenset({"cpc", "ppc", "paid", "paidsearch", "paid_search", "cpm"})

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_TRIGGER = re.compile(r"^[^=\s]+(=[^\s]*)?$")


class RuleError(ValueError):
    """A configuration value that cannot be used; the message says why."""


# --- configuration --------------------------------------------------------------


def normalise_domain(text: str) -> str:
    """``https://www.Example.com/x`` → ``example.com``; RuleError when it is not a domain."""
    value = (text or "").strip().lower()
    if "//" in value:
        value = urlsplit(value).hostname or ""
    value = value.split("/")[0].split(":")[0].rstrip(".")
    if value.startswith("www.") and "." in value[4:]:
        value = value[4:]  # www.example.com is example.com; www.co stays a domain of its own
    if not _DOMAIN.match(value):
        raise RuleError(f"{text!r} is not a domain name such as example.com.")
    return value


def normalise_referrer_domain(text: str) -> str:
    """``Any``, a search engine's name (``Google``) or a domain."""
    value = (text or "").strip()
    if not value:
        raise RuleError("A referrer domain is required: Any, a search engine such as Google or Bing, or a domain.")
    if value.lower() == ANY:
        return "Any"
    if value.lower() in SEARCH_ENGINES:
        return SEARCH_ENGINES[value.lower()][0]
    try:
        return normalise_domain(value)
    except RuleError:
        names = ", ".join(label for label, _ in SEARCH_ENGINES.values())
        raise RuleError(f"{value!r} is not Any, a search engine ({names}) or a domain name.") from None


def check_url_trigger(text: str) -> str:
    value = (text or "").strip()
    if not value or not _TRIGGER.match(value):
        raise RuleError(f"{text!r} is not a URL trigger such as gclid=* or utm_campaign=wintertires.")
    return value


def national_prefix(iso_country: str) -> str:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(iso_country.upper())
    return (metadata.national_prefix or "") if metadata else ""


def normalise_area_code(area_code: str, iso_country: str) -> str:
    """The national destination code: ``"024"`` in GB is ``"24"`` (the trunk prefix dropped)."""
    digits = re.sub(r"[\s()-]", "", area_code or "")
    if not digits.isdigit():
        raise RuleError(f"{area_code!r} is not an area code: digits only.")
    prefix = national_prefix(iso_country)
    if prefix and digits.startswith(prefix) and len(digits) > len(prefix):
        digits = digits[len(prefix) :]
    if not digits.strip("0"):
        raise RuleError(f"{area_code!r} is not an area code: no area code is only zeros (or the trunk prefix).")
    return digits


def parse_termination_number(text: str) -> str:
    """An E.164 number to forward calls to, or RuleError."""
    value = (text or "").strip()
    try:
        parsed = phonenumbers.parse(value if value.startswith("+") else "+" + value.lstrip("0"), None)
    except phonenumbers.NumberParseException:
        raise RuleError(f"{text!r} is not a phone number: write it internationally, e.g. +441274792823.") from None
    if not phonenumbers.is_valid_number(parsed):
        raise RuleError(f"{text!r} is not a valid phone number.")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


# --- visits ---------------------------------------------------------------------


@dataclass(frozen=True)
class Visit:
    """What a page view tells about where the visitor came from."""

    referrer_host: str  # "" for a direct visit
    engine: str  # key of SEARCH_ENGINES, or ""
    params: dict[str, list[str]] = field(default_factory=dict)

    @property
    def organic(self) -> bool:
        """A search engine's unpaid result: no ad click id, no paid medium, no campaign tag."""
        if not self.engine:
            return False
        if PAID_PARAMETERS & set(self.params):
            return False
        mediums = {m.lower() for m in self.params.get("utm_medium", [])}
        if mediums & PAID_MEDIUMS:
            return False
        return "organic" in mediums or "utm_campaign" not in self.params

    @property
    def source(self) -> str:
        if self.engine:
            return SEARCH_ENGINES[self.engine][0]
        return self.referrer_host or "Direct"

    def first_params(self) -> dict[str, str]:
        return {name: values[0] for name, values in self.params.items()}


def _host(url: str) -> str:
    try:
        host = urlsplit((url or "").strip()).hostname or ""
    except ValueError:
        return ""
    return host.lower().removeprefix("www.")


def engine_of(host: str) -> str:
    labels = host.split(".")
    for key, (_, needles) in SEARCH_ENGINES.items():
        for needle in needles:
            if ("." in needle and (host == needle or host.endswith("." + needle))) or needle in labels:
                return key
    return ""


def read_visit(referrer: str, landing_url: str, site_domains: list[str] | tuple[str, ...] = ()) -> Visit:
    host = _host(referrer)
    if host and any(host == d or host.endswith("." + d) for d in site_domains):
        host = ""  # a page of the site itself: the visit's source is not known anew
    params: dict[str, list[str]] = {}
    try:
        query = urlsplit((landing_url or "").strip()).query
    except ValueError:
        query = ""
    for name, value in parse_qsl(query, keep_blank_values=True):
        params.setdefault(name.lower(), []).append(value)
    return Visit(referrer_host=host, engine=engine_of(host) if host else "", params=params)


@functools.lru_cache(maxsize=512)
def _trigger_regex(pattern: str) -> re.Pattern:
    # `*` (and `%`, as the seed's clients write it) stand for any text.
    parts = re.split(r"[*%]", pattern)
    return re.compile(".*".join(re.escape(p) for p in parts), re.IGNORECASE | re.DOTALL)


def trigger_matches(trigger: str, params: dict[str, list[str]]) -> bool:
    name, has_value, wanted = trigger.partition("=")
    values = params.get(name.strip().lower())
    if values is None:
        return False
    if not has_value:
        return True
    regex = _trigger_regex(wanted)
    return any(regex.fullmatch(value) for value in values)


def referrer_matches(referrer_domain: str, visit: Visit) -> bool:
    wanted = referrer_domain.strip().lower()
    if wanted == ANY:
        return True
    if wanted in SEARCH_ENGINES:
        return visit.engine == wanted
    host = visit.referrer_host
    return bool(host) and (host == wanted or host.endswith("." + wanted))


def match_source(sources: list[dict], visit: Visit) -> dict | None:
    """The first tracking source the visit meets (referrer, every trigger, organic rule), or None."""
    for source in sources:
        if not referrer_matches(source.get("referrer_domain", ""), visit):
            continue
        if visit.organic and not source.get("track_organic", False):
            continue
        if all(trigger_matches(t, visit.params) for t in source.get("url_triggers") or []):
            return source
    return None


# --- site numbers -----------------------------------------------------------------


def number_variants(text: str, iso_country: str) -> list[str]:
    return list(_number_variants(text, iso_country))


@functools.lru_cache(maxsize=4096)
def _number_variants(text: str, iso_country: str) -> tuple[str, ...]:
    """The digit strings under which a site number may be written on a page.

    ``01011231234`` in GB is also ``441011231234`` (written +44 …, 0044 …);
    vanity numbers (``905219CARS``) are matched as written, letters and all.
    """
    raw = re.sub(r"[^0-9A-Za-z]", "", text or "").upper()
    variants = [raw] if raw else []
    if not raw or not raw.isdigit():
        return tuple(variants)
    for candidate in (raw, "+" + raw):
        try:
            parsed = phonenumbers.parse(candidate, iso_country.upper() or None)
        except phonenumbers.NumberParseException:
            continue
        nsn = phonenumbers.national_significant_number(parsed)
        prefix = phonenumbers.PhoneMetadata.metadata_for_region(
            phonenumbers.region_code_for_country_code(parsed.country_code)
        )
        trunk = (prefix.national_prefix or "") if prefix else ""
        for variant in (f"{parsed.country_code}{nsn}", f"{trunk}{nsn}"):
            if variant not in variants and len(variant) >= 5:
                variants.append(variant)
        break
    return tuple(variants)


@functools.lru_cache(maxsize=4096)
def number_formats(e164: str) -> dict[str, str]:
    parsed = phonenumbers.parse(e164, None)
    fmt = phonenumbers.PhoneNumberFormat
    return {
        "e164": e164,
        "national": phonenumbers.format_number(parsed, fmt.NATIONAL),
        "international": phonenumbers.format_number(parsed, fmt.INTERNATIONAL),
    }
