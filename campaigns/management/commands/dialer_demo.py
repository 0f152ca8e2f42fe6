"""`manage.py dialer_demo`: launch the demo customer's demo campaign so `make run` shows calls at once.

Run after `seed_demo` (the Makefile does). It works only on the demo's own
campaigns: the draft `seed_demo` made ("Delivery reminders (demo)"), the one
this command makes when that is missing ("Demo calls": the demo list, the
first usable A-number, the "Delivery reminder" app, 3 lines, repeats for no
answer and busy after a minute) and their copies "… (again N)"; campaigns the
user made are never launched, finished or reported as the demo's. It launches
the newest demo draft. A demo campaign already launched or finished is left
alone, so the command is idempotent. Its messages name the dialer's gateway
(``DIALER_GATEWAY``: simulator, or sip under `make run-sip`). With ``--again`` (long demos and bench/embedded_soak.py)
a new copy of the newest demo campaign is made and launched when every demo
campaign has finished, so calls keep flowing; ``--finish-idle SECONDS`` first
finishes (as a user would) a launched demo campaign with no call in progress
and none started for that long: its remaining calls wait for a repeat period
(minutes) or for legal hours elsewhere (the demo list's contacts live in
zones from Honolulu to Vladivostok, so some are always inside legal hours).
"""

import datetime as dt
import re

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import QuerySet

from campaigns import demo
from campaigns.models import App, Campaign, CampaignStatus
from campaigns.selectors import a_number_dids_for
from campaigns.services import campaign_launch
from customers.models import Customer
from telephony.demo import DEMO_CUSTOMER_SLUG
from telephony.gateways import GATEWAYS

DEMO_CAMPAIGN_NAME = "Demo calls"
# The demo's own campaigns: seed_demo's draft, this command's, and their copies (``_copy``).
DEMO_NAMES = (demo.DEMO_CAMPAIGN_NAME, DEMO_CAMPAIGN_NAME)
_DEMO_NAME_PATTERN = r"^({})( \(again [0-9]+\))?$".format("|".join(re.escape(name) for name in DEMO_NAMES))


def demo_campaigns(customer: Customer) -> QuerySet[Campaign]:
    return Campaign.objects.filter(customer=customer, name__regex=_DEMO_NAME_PATTERN)


def gateway_name() -> str:
    """The dialer's gateway as DIALER_GATEWAY names it: "simulator", "sip" or a class path."""
    path = settings.DIALER_GATEWAY
    return next((short for short, full in GATEWAYS.items() if path in (short, full)), path)


class Command(BaseCommand):
    help = "Launch the demo campaign on the dialer (creating it if the demo data has none)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--again",
            action="store_true",
            help="When every demo campaign has finished, launch a new copy of the newest one.",
        )
        parser.add_argument(
            "--finish-idle",
            type=int,
            default=0,
            metavar="SECONDS",
            help="First finish a launched demo campaign that has placed no call for SECONDS (none in progress).",
        )

    def handle(self, *args, **options):
        customer = Customer.objects.filter(slug=DEMO_CUSTOMER_SLUG).first()
        if customer is None:
            raise CommandError("No demo customer: run `manage.py seed_demo` first.")
        campaigns = demo_campaigns(customer)
        if options["finish_idle"]:
            self._finish_idle(campaigns, options["finish_idle"])
        running = campaigns.filter(status__in=[CampaignStatus.LAUNCHED, CampaignStatus.PAUSED]).first()
        if running:
            self.stdout.write(
                f"Demo campaign “{running.name}” is already {running.get_status_display().lower()} "
                f"({gateway_name()}): /campaigns/{running.pk}/"
            )
            return
        draft = campaigns.filter(status=CampaignStatus.DRAFT).order_by("-created_at").first()
        if draft is None and not campaigns.exists():
            draft = self._create(customer)
        elif draft is None and options["again"]:
            latest = campaigns.order_by("-created_at", "-pk").first()
            draft = self._copy(latest) if latest is not None else None
        if draft is None:
            self.stdout.write("The demo campaigns have all finished; nothing to launch.")
            return
        campaign = campaign_launch(campaign=draft)
        self.stdout.write(
            f"Launched demo campaign “{campaign.name}” ({campaign.stat_contacts} contacts, {gateway_name()}): "
            f"/campaigns/{campaign.pk}/"
        )

    def _finish_idle(self, campaigns, seconds: int) -> None:
        from django.db.models import Max
        from django.utils import timezone

        from campaigns.services import campaign_finish

        since = timezone.now() - dt.timedelta(seconds=seconds)
        for campaign in campaigns.filter(status=CampaignStatus.LAUNCHED, launched_at__lt=since):
            attempts = campaign.attempts.all()
            if attempts.filter(ended_at=None).exists():
                continue
            last = attempts.aggregate(last=Max("started_at"))["last"]
            if last is None or last < since:
                campaign_finish(campaign=campaign)
                self.stdout.write(f"Finished demo campaign “{campaign.name}”: no call for {seconds} s.")

    # What a copy does not take over: its identity, its state and what the dialer kept.
    _NOT_COPIED = re.compile(
        r"^(id|name|status|stat_.*|dialer_zones|scheduled_at|created_.*|updated_at|launched_at|finished_at)$"
    )

    def _copy(self, campaign: Campaign) -> Campaign:
        """A new draft with the settings of ``campaign``, named "<base name> (again N)"."""
        base = re.sub(r" \(again \d+\)$", "", campaign.name)
        names = set(Campaign.objects.filter(customer=campaign.customer).values_list("name", flat=True))
        number = 1
        while f"{base} (again {number})" in names:
            number += 1
        copy = Campaign(name=f"{base} (again {number})")
        for field in Campaign._meta.concrete_fields:
            if not self._NOT_COPIED.match(field.name):
                setattr(copy, field.attname, getattr(campaign, field.attname))
        copy.full_clean()
        copy.save()
        return copy

    def _create(self, customer: Customer) -> Campaign | None:
        from distribution_lists.models import DistributionList

        did = a_number_dids_for(customer).first()
        app = App.objects.filter(customer=customer).order_by("pk").first()
        lst = (
            DistributionList.objects.filter(customer=customer, status=DistributionList.Status.READY)
            .order_by("pk")
            .first()
        )
        if not (did and app and lst):
            self.stdout.write("The demo data has no DID, app or ready list: no demo campaign.")
            return None
        columns = lst.variables or ["phone"]
        mapping = {variable: columns[n % len(columns)] for n, variable in enumerate(app.variables)}
        campaign = Campaign(
            customer=customer,
            name=DEMO_CAMPAIGN_NAME,
            comment="Calls the demo list with the Delivery reminder app.",
            a_number_did=did,
            app=app,
            distribution_list=lst,
            variable_mapping=mapping,
            lines=3,
            repeat_no_answer=True,
            repeat_no_answer_count=2,
            repeat_no_answer_period=1,
            repeat_busy=True,
            repeat_busy_count=2,
            repeat_busy_period=1,
            time_zone=customer.time_zone or "UTC",
        )
        campaign.full_clean()
        campaign.save()
        return campaign
