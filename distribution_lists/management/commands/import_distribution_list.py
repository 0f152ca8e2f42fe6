"""``manage.py import_distribution_list FILE --customer SLUG --name NAME --phone-column COLUMN --default-region GB``."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from customers.models import Customer
from distribution_lists import services
from distribution_lists.models import DistributionList
from telephony.imports import ImportFileError, open_table, preview, suggest_column_names


class Command(BaseCommand):
    help = (
        "Import a CSV/TXT/XLS/XLSX/ODS file as a distribution list of a customer, the same way as the dashboard. "
        "Prints the counts of correct, incorrect and duplicate rows (as JSON on the last line with --json)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--customer", required=True, metavar="SLUG")
        parser.add_argument("--name", required=True)
        parser.add_argument(
            "--phone-column", required=True, metavar="COLUMN", help="a header name or a 1-based column number"
        )
        parser.add_argument("--default-region", required=True, metavar="REGION", help="e.g. GB")
        parser.add_argument("--no-header", action="store_true", help="the first row is data, not a header")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="print the result as JSON on the last line"
        )

    def handle(self, *args, file, customer, name, phone_column, default_region, no_header, as_json, **options):
        customer_obj = Customer.objects.filter(slug=customer).first()
        if customer_obj is None:
            raise CommandError(f"No customer with slug {customer!r}.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file.")
        has_header = not no_header
        try:
            first_rows = preview(open_table(path, preview_rows=1), 1)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        width = max((len(row) for row in first_rows), default=1)
        header = first_rows[0] if first_rows and has_header else None
        column = self._column_index(phone_column, header, width)
        with path.open("rb") as upload:
            try:
                distribution_list = services.distribution_list_upload(
                    customer=customer_obj, name=name, upload=upload, filename=path.name
                )
            except services.DistributionListError as exc:
                raise CommandError(str(exc)) from None
        try:
            services.distribution_list_mark_up(
                distribution_list=distribution_list,
                has_header=has_header,
                phone_column=column,
                column_names=suggest_column_names(header, width),
                default_region=default_region,
                enqueue=False,
            )
            report = services.distribution_list_import(list_id=distribution_list.pk)
        except services.DistributionListError as exc:
            services.distribution_list_delete(distribution_list=distribution_list)
            raise CommandError(str(exc)) from None
        if report is None:
            failed = DistributionList.objects.select_related("job").get(pk=distribution_list.pk)
            reason = failed.failure_reason
            services.distribution_list_delete(distribution_list=failed)
            raise CommandError(reason or "The import failed.")
        result = {"list_id": distribution_list.pk, **report.as_dict()}
        self.stdout.write(
            f"Imported “{name}” (list {distribution_list.pk}) for {customer_obj.slug}: {report.rows} rows, "
            f"{report.correct} correct, {report.incorrect} incorrect, {report.duplicates} duplicates."
        )
        if as_json:
            self.stdout.write(json.dumps(result))

    def _column_index(self, column: str, header: list[str] | None, width: int) -> int:
        column = column.strip()
        if column.isdigit():
            index = int(column) - 1
            if not 0 <= index < width:
                raise CommandError(f"--phone-column {column}: the file has {width} column(s).")
            return index
        if header is None:
            raise CommandError("--phone-column must be a column number with --no-header.")
        for index, title in enumerate(header):
            if title.strip().lower() == column.lower():
                return index
        names = ", ".join(repr(title) for title in header)
        raise CommandError(f"--phone-column {column!r} is not a column of the header ({names}).")
