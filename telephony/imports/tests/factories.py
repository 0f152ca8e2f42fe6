"""Factories of import jobs."""

from __future__ import annotations

import factory

from telephony.imports.models import ImportJob


class ImportJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportJob

    kind = ImportJob.Kind.DISTRIBUTION_LIST
    status = ImportJob.Status.DONE
    source_file = factory.django.FileField(filename="list.csv", data=b"phone,name\n07400123456,Alice\n")
    original_filename = "list.csv"
    file_kind = "csv"
    markup = factory.LazyFunction(
        lambda: {"has_header": True, "phone_column": 0, "default_region": "GB", "column_names": ["phone", "name"]}
    )
