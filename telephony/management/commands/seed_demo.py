import importlib
import importlib.util

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from telephony.demo import DemoContext


class Command(BaseCommand):
    help = "Create the demo data (idempotent). For local use only: the passwords are public."

    def handle(self, *args, **options):
        context = DemoContext()
        with transaction.atomic():
            # Each app that has demo data seeds it in its `demo.seed(context)`,
            # in INSTALLED_APPS order, so later apps can use what earlier made.
            for config in apps.get_app_configs():
                module_name = f"{config.name}.demo"
                if config.name != "telephony" and importlib.util.find_spec(module_name):
                    importlib.import_module(module_name).seed(context)
        for line in context.report_lines():
            self.stdout.write(line)
