"""Demo inventory: an operator, numbers in a few countries and types, a package,
and the demo customer's client package with assigned DIDs (and two in Hold)."""

from dids import services
from dids.models import DID, ClientPackage, DIDStatus, Package
from telephony.demo import DemoContext

STOCK = [
    # (spec, tag)
    ("+441174090000-+441174090199", "local"),  # Bristol, geographic
    ("+442079460000-+442079460099", "local"),  # London, geographic
    ("+448001234500-+448001234549", "freephone"),  # GB toll-free
    ("+443001234500-+443001234549", ""),  # GB national (03)
    ("+447400123400-+447400123419", "mobile"),  # GB mobile
    ("+12125550100-+12125550149", "local"),  # New York
    ("+18005550100-+18005550119", "freephone"),  # US toll-free
    ("+493012345600-+493012345649", "local"),  # Berlin
]


def seed(context: DemoContext) -> None:
    customer = context.objects["customer"]
    admin = context.objects.get("admin")
    operator, _ = services.operator_get_or_create(name="Demo Telecom")
    created = 0
    for spec, tag in STOCK:
        created += len(services.did_create_many(specs=spec, operator=operator, tag=tag, user=admin).created)
    package, _ = Package.objects.get_or_create(name="Starter", defaults={"did_limit": 100, "hold_days": 30})
    trial, _ = Package.objects.get_or_create(
        name="Campaign trial", defaults={"did_limit": 5, "hold_days": 14, "allowed_tags": ["local"]}
    )
    client_package = ClientPackage.objects.filter(customer=customer, package=package).first()
    if client_package is None:
        client_package = services.client_package_create(customer=customer, package=package)
        picks = (
            list(DID.objects.filter(status=DIDStatus.IN_STOCK, number__startswith="+44117409").order_by("number")[:8])
            + list(
                DID.objects.filter(status=DIDStatus.IN_STOCK, number__startswith="+4420794600").order_by("number")[:2]
            )
            + list(
                DID.objects.filter(status=DIDStatus.IN_STOCK, number__startswith="+44800123450").order_by("number")[:1]
            )
        )
        services.did_assign_many(dids=picks, client_package=client_package, user=admin)
    if not ClientPackage.objects.filter(customer=customer, package=trial).exists():
        # A deactivated package shows Hold ("unreachable") on the Numbers page.
        trial_cp = services.client_package_create(customer=customer, package=trial)
        trial_picks = DID.objects.filter(status=DIDStatus.IN_STOCK, number__startswith="+4411740901").order_by(
            "number"
        )[:2]
        services.did_assign_many(dids=list(trial_picks), client_package=trial_cp, user=admin)
        services.client_package_deactivate(client_package=trial_cp, user=admin)
    context.objects.update(operator=operator, package=package, client_package=client_package)

    def summary() -> str:
        # Counted when the report is printed: later apps' demo data (call tracking) take DIDs too.
        in_stock = DID.objects.filter(status=DIDStatus.IN_STOCK).count()
        assigned = DID.objects.filter(customer=customer).count()
        return (
            f"DIDs: {created} created now; {in_stock} In Stock, {assigned} of {customer.name}'s "
            "(/numbers/, admin /admin/dids/did/)"
        )

    context.report.append(summary)
