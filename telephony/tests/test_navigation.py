from types import SimpleNamespace

from django.test import RequestFactory

from telephony.navigation import menu


def active_labels(path: str) -> list[str]:
    request = RequestFactory().get(path)
    request.customer = SimpleNamespace(pk=1)  # type: ignore[attr-defined]  # set by the middleware on real requests
    return [item["label"] for item in menu(request)["menu_items"] if item["active"]]


def test_overview_is_in_the_menu_and_active_only_on_the_home_page():
    assert active_labels("/") == ["Overview"]
    assert active_labels("/campaigns/1/") == ["Campaigns"]
    assert active_labels("/numbers/") == ["Numbers"]
