from campaigns.models import App
from telephony.demo import DemoContext

DELIVERY_REMINDER = [
    {"id": "greet", "type": "say", "text": "Hello {name}. Your parcel {parcel} arrives tomorrow."},
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
