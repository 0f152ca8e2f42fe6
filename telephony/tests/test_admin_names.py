"""The admin's model names and list-filter titles read as words, not as field names."""

import re

import pytest
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db

# Third-party admins we do not own; pools/ is being split into two apps (its names change there).
NOT_OURS = {"auth", "axes", "pools", "callerid_pools", "call_tracking"}
# Written in capitals wherever the product names them.
ACRONYMS = re.compile(r"\b(api|dnc|did|dni|tts|sip|dids)s?\b")


def our_admins():
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label not in NOT_OURS
    ]


def test_model_names_are_words():
    for model, _ in our_admins():
        for name in (str(model._meta.verbose_name), str(model._meta.verbose_name_plural)):
            assert not ACRONYMS.search(name), f"{model._meta.label}: {name!r} (an acronym in lower case)"
            assert not re.match(r"^[a-z] ", name), f"{model._meta.label}: {name!r} (a letter cut off its word)"


def test_the_admin_index_names_the_models_the_walk_through_found(client, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("admin:index")).content.decode()
    for name in ["Calls per A-number per day", "API tokens", "Do-not-call uploads", "Calls per pool per day"]:
        assert f">{name}</a>" in page
    for ugly in ["A number days", "Api tokens", "Dnc uploads"]:
        assert ugly not in page


def test_list_filter_titles_are_words(client, admin_user):
    client.force_login(admin_user)
    for model, model_admin in our_admins():
        if not model_admin.list_filter or not model_admin.has_view_permission(_request(admin_user)):
            continue
        opts = model._meta
        page = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        assert page.status_code == 200, opts.label
        titles = re.findall(r'data-filter-title="([^"]+)"', page.content.decode())
        for title in titles:
            assert not title.startswith(("is ", "has ", "history ")), f"{opts.label}: By {title}"
            assert title not in {"unverified", "is prefix", "global", "active"}, f"{opts.label}: By {title}"


def _request(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_the_yes_no_filters_filter(client, admin_user):
    from dnc.models import DncEntry, DncSource

    DncEntry.objects.create(number="+44117", is_prefix=True, source=DncSource.ADMIN)
    DncEntry.objects.create(number="+441174960000", is_prefix=False, source=DncSource.ADMIN)
    client.force_login(admin_user)
    url = reverse("admin:dnc_dncentry_changelist")
    prefixes = client.get(url, {"is_prefix__exact": "1"}).context["cl"].queryset
    numbers = client.get(url, {"is_prefix__exact": "0"}).context["cl"].queryset
    assert [e.number for e in prefixes] == ["+44117"] and [e.number for e in numbers] == ["+441174960000"]
    assert client.get(url, {"customer__isnull": "1"}).context["cl"].queryset.count() == 2
