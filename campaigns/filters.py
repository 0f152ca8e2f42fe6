import django_filters
from django import forms

from campaigns.models import Campaign, CampaignStatus
from distribution_lists.selectors import distribution_lists_of

SORTS = {
    "newest": ("-created_at", "-pk"),
    "oldest": ("created_at", "pk"),
    "name": ("name", "pk"),
    "progress": ("-progress", "-created_at"),
}


class CampaignFilter(django_filters.FilterSet):
    """The campaigns page's filters; the folder (status) is a filter too."""

    status = django_filters.ChoiceFilter(choices=CampaignStatus.choices, empty_label="All")
    name = django_filters.CharFilter(lookup_expr="icontains", label="Name")
    created_from = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label="Created from", widget=forms.DateInput({"type": "date"})
    )
    created_to = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label="to", widget=forms.DateInput({"type": "date"})
    )
    distribution_list = django_filters.ModelChoiceFilter(queryset=None, label="Distribution list")
    app = django_filters.ModelChoiceFilter(queryset=None, label="App")
    sort = django_filters.ChoiceFilter(
        choices=[(key, key.capitalize()) for key in SORTS], method="sort_by", empty_label=None, label="Sort"
    )

    class Meta:
        model = Campaign
        fields = ["status", "name", "created_from", "created_to", "distribution_list", "app"]

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        from campaigns import selectors

        self.filters["distribution_list"].queryset = distribution_lists_of(customer).order_by("name")
        self.filters["app"].queryset = selectors.apps_for(customer)

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*SORTS.get(value, SORTS["newest"]))
