"""Filters of the customer's Numbers page (django-filter)."""

import django_filters
from django import forms

from dids.models import DID, DIDStatus, NumberType
from dids.selectors import search_digits


class CustomerDIDFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Digits",
        method="filter_digits",
        widget=forms.TextInput(attrs={"placeholder": "Digits anywhere, e.g. 4090"}),
    )
    status = django_filters.ChoiceFilter(
        choices=[(DIDStatus.ASSIGNED.value, "Active"), (DIDStatus.HOLD.value, "Hold (unreachable)")],
        empty_label="Any status",
    )
    number_type = django_filters.ChoiceFilter(choices=NumberType.choices, empty_label="Any type")
    iso_country = django_filters.CharFilter(label="Country", lookup_expr="iexact")
    tag = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = DID
        fields = ["q", "status", "number_type", "iso_country", "tag"]

    def filter_digits(self, queryset, name, value):
        return search_digits(queryset, value)
