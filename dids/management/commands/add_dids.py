"""Scripted provisioning: ``manage.py add_dids SPEC [SPEC ...] --operator NAME``."""

import json as jsonlib

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from dids import services
from dids.models import CREATION_STATUSES, DIDStatus
from dids.numbers import NumberError


class Command(BaseCommand):
    help = "Create DIDs from numbers and ranges (111-222, +441174090100-+441174090199)."

    def add_arguments(self, parser):
        parser.add_argument("specs", nargs="+", metavar="SPEC", help="a number or a range START-END")
        parser.add_argument("--operator", required=True, help="operator name; created when missing")
        parser.add_argument("--status", default=DIDStatus.IN_STOCK.value, choices=[s.value for s in CREATION_STATUSES])
        parser.add_argument("--tag", default="")
        parser.add_argument("--json", action="store_true", help="end with a JSON line of the counts")

    def handle(self, *args, specs, operator, status, tag, json: bool, **options):
        try:
            with transaction.atomic():
                operator_obj, operator_created = services.operator_get_or_create(name=operator)
                result = services.did_create_many(
                    specs=specs, operator=operator_obj, status=status, tag=tag, reason="created (add_dids)"
                )
        except (NumberError, services.DIDError) as exc:
            # One line, nothing created (the operator too is rolled back).
            raise CommandError(str(exc)) from None
        if operator_created:
            self.stdout.write(f"Operator {operator_obj.name!r} created.")
        self.stdout.write(f"{len(result.created)} DID(s) created, {len(result.existing)} already existed.")
        for number in result.existing[:50]:
            self.stdout.write(f"  exists: {number}")
        if len(result.existing) > 50:
            self.stdout.write(f"  … and {len(result.existing) - 50} more")
        if json:
            self.stdout.write(
                jsonlib.dumps(
                    {
                        "created": len(result.created),
                        "existing": len(result.existing),
                        "operator_created": operator_created,
                    }
                )
            )
