"""The dashboard's left-hand menu.

Every section is listed from the start; a section whose page is not built yet
shows as plain text rather than a broken link.
"""

from django.urls import NoReverseMatch, reverse

MENU = [
    ("Overview", "dashboard:home"),
    ("Campaigns", "dashboard:campaigns"),
    ("Distribution lists", "dashboard:distribution_lists"),
    ("Numbers", "dashboard:numbers"),
    ("Number pools", "dashboard:number_pools"),
    ("Caller-ID usage", "dashboard:caller_id_usage"),
    ("Apps", "dashboard:apps"),
    ("Call tracking", "dashboard:call_tracking"),
    ("Do not call", "dashboard:dnc"),
    ("Personal data", "dashboard:personal_data"),
    ("API tokens", "dashboard:api_tokens"),
]


def menu(request) -> dict:
    if not getattr(request, "customer", None):
        return {}
    items = []
    for label, url_name in MENU:
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            url = None
        # The home page is "/", a prefix of every page: it is active only on itself.
        active = bool(url) and (request.path == url if url == "/" else request.path.startswith(url))
        items.append({"label": label, "url": url, "active": active})
    return {"menu_items": items}
