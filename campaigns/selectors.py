from django.apps import apps
from django.db.models import Case, Count, F, FloatField, QuerySet, When

from campaigns.models import App, Campaign
from customers.tenancy import get_scoped_or_404, scoped
from dids.models import DID, DIDStatus


def apps_for(customer) -> QuerySet[App]:
    """The customer's own apps and the global ones."""
    return scoped(App.objects.select_related("customer"), customer, include_global=True).order_by("is_global", "name")


def campaigns_of(customer) -> QuerySet[Campaign]:
    return scoped(Campaign.objects.all(), customer)


def a_number_dids_for(customer) -> QuerySet:
    """DIDs a campaign of ``customer`` may call from: the ones assigned to it."""
    return scoped(DID.objects.filter(status=DIDStatus.ASSIGNED), customer).order_by("number")


def a_number_pools_for(customer) -> QuerySet:
    """Numbers pools a campaign of ``customer`` may call from: its own and the global ones."""
    pool_model = apps.get_model("callerid_pools", "NumberPool")
    return scoped(pool_model.objects.all(), customer, include_global=True).order_by("name")


def campaign_cards(customer) -> QuerySet[Campaign]:
    """Campaigns with what their cards show, in a fixed number of queries."""
    return (
        campaigns_of(customer)
        .select_related("app", "distribution_list", "a_number_did", "a_number_pool")
        .annotate(
            progress=Case(
                When(stat_contacts=0, then=0.0),
                default=F("stat_done") * 1.0 / F("stat_contacts"),
                output_field=FloatField(),
            )
        )
    )


def folder_counts(customer) -> dict[str, int]:
    counts = dict(campaigns_of(customer).values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    counts["all"] = sum(counts.values())
    return counts


def campaign_for(customer, campaign_id: int) -> Campaign:
    queryset = Campaign.objects.select_related("app", "distribution_list", "a_number_did", "a_number_pool")
    return get_scoped_or_404(queryset, customer, pk=campaign_id)
