"""List filters titled and labelled for people: the admin's defaults read "By is prefix: Yes / No".

``yes_no_filter`` replaces a filter on a boolean field (or an ``…__isnull``
lookup) by one with a real title and a label for each side; ``titled`` keeps
Django's own filter for a field and only renames it.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.safestring import mark_safe


def yes_no_filter(lookup: str, title: str, *, yes: str, no: str) -> type[admin.SimpleListFilter]:
    """A filter on ``lookup`` (true or false) titled ``title``, its two choices labelled ``yes`` and ``no``."""

    class YesNoFilter(admin.SimpleListFilter):
        # Django's own boolean filter's parameter ("is_prefix__exact=1"), so bookmarked lists still work.
        parameter_name = lookup if lookup.endswith("__isnull") else f"{lookup}__exact"

        def lookups(self, request, model_admin):
            return [("1", yes), ("0", no)]

        def queryset(self, request, queryset):
            if self.value() in ("1", "0"):
                return queryset.filter(**{lookup: self.value() == "1"})
            return queryset

    YesNoFilter.title = title
    YesNoFilter.__name__ = YesNoFilter.__qualname__ = f"{lookup.title().replace('_', '')}Filter"
    return YesNoFilter


def titled(title: str, base: type[admin.FieldListFilter] | None = None) -> type[admin.FieldListFilter]:
    """Django's filter for a field (``base``, else the one it picks), under the title ``title``."""

    class TitledFilter(admin.FieldListFilter):
        def __new__(cls, field, request, params, model, model_admin, field_path):
            if base is None:
                instance = admin.FieldListFilter.create(field, request, params, model, model_admin, field_path)
            else:
                instance = base(field, request, params, model, model_admin, field_path)
            instance.title = title
            return instance

    return TitledFilter


class CustomerOrGlobalFilter(admin.RelatedFieldListFilter):
    """The "customer" filter of a model shared with every customer when it has none: its empty
    choice reads "Global (every customer)" rather than the admin's bare "-"."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.empty_value_display = mark_safe("Global (every customer)")  # a constant, no markup
