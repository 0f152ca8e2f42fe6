from django.http import QueryDict

from campaigns import selectors, services
from campaigns.blocks import bind_blocks, block_report, blocks_input, blocks_valid
from campaigns.models import App, Campaign, RepeatOutcome
from distribution_lists.models import DistributionList
from telephony.demo import DemoContext

DEMO_CAMPAIGN_NAME = "Delivery reminders (demo)"

DELIVERY_REMINDER = [
    # Variables the demo list has ({balance} by name, {name} its first column): a {parcel} the list
    # lacks was mapped to its "last_name" column, so the demo said "Your parcel Smith arrives".
    {"id": "greet", "type": "say", "text": "Hello {name}. Your parcel arrives tomorrow, {balance} to pay on delivery."},
    {
        "id": "menu",
        "type": "gather",
        "prompt": "Press 1 to speak to the courier, 2 to rebook.",
        "digits": 1,
        "timeout": 5,
        "branches": {"1": "courier", "2": "rebook"},
        "default": "bye",
    },
    {"id": "courier", "type": "transfer", "number": "+441174960000"},
    {"id": "rebook", "type": "say", "text": "We will send you a text message with a new slot."},
    {"id": "bye", "type": "say", "text": "Thank you, goodbye."},
    {"id": "end", "type": "hangup"},
]

SURVEY = [
    {"id": "ask", "type": "gather", "prompt": "How happy are you with us, from 1 to 5?", "digits": 1, "timeout": 8},
    {"id": "thanks", "type": "say", "text": "Thank you for your answer."},
    {"id": "end", "type": "hangup"},
]


def seed(context: DemoContext) -> None:
    customer = context.objects["customer"]
    reminder, _ = App.objects.get_or_create(
        customer=customer, name="Delivery reminder", defaults={"scenario": DELIVERY_REMINDER}
    )
    survey, _ = App.objects.get_or_create(is_global=True, name="Satisfaction survey", defaults={"scenario": SURVEY})
    context.objects.update(app=reminder, global_app=survey)
    _seed_draft_campaign(context, reminder)


def _seed_draft_campaign(context: DemoContext, app: App) -> None:
    """A draft ready to launch, made through the wizard's blocks and the create service."""
    customer = context.objects["customer"]
    campaign = Campaign.objects.filter(customer=customer, name=DEMO_CAMPAIGN_NAME).first()
    if campaign is None:
        distribution_list = context.objects.get("distribution_list")
        did = selectors.a_number_dids_for(customer).first()
        pool = selectors.a_number_pools_for(customer).first()
        a_number = f"did:{did.pk}" if did is not None else f"pool:{pool.pk}" if pool is not None else None
        if distribution_list is None or distribution_list.status != DistributionList.Status.READY or a_number is None:
            context.report.append("Campaign: no demo draft (the demo list or an A-number is missing).")
            return
        columns = distribution_list.variables
        data = QueryDict(mutable=True)
        data.update(
            {
                "main-name": DEMO_CAMPAIGN_NAME,
                "main-comment": "The demo list called with the Delivery reminder app, launched by the demo.",
                "main-a_number": a_number,
                "app-app": str(app.pk),
                "list-distribution_list": str(distribution_list.pk),
                "settings-all_day": "on",
                "settings-lines": "2",
                "settings-short_call_seconds": "10",
                "settings-time_zone": customer.time_zone,
                "settings-repeat_no_answer": "on",
            }
        )
        data.setlist("settings-work_days", [str(day) for day in range(7)])
        for outcome in RepeatOutcome:
            data[f"settings-repeat_{outcome}_count"] = "2" if outcome == RepeatOutcome.NO_ANSWER else "1"
            data[f"settings-repeat_{outcome}_period"] = "30" if outcome == RepeatOutcome.NO_ANSWER else "60"
        # Each variable of the app gets a column of the list: the same name, else the columns in order.
        for index, variable in enumerate(app.variables):
            column = variable if variable in columns else (columns[index % len(columns)] if columns else "")
            data[f"list-var_{variable}"] = column
        blocks = bind_blocks(customer=customer, data=data)
        if not blocks_valid(blocks):
            raise RuntimeError(f"The demo campaign does not validate: {block_report(blocks)}")
        campaign = services.campaign_create(
            customer=customer, data=blocks_input(blocks), user=context.objects.get("user")
        )
    context.objects["campaign"] = campaign
    context.report.append(
        f"Campaign: “{campaign.name}” ({campaign.get_status_display().lower()})  (/campaigns/{campaign.pk}/)"
    )
