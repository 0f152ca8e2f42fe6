"""Distribution-list imports: file to ready list, against the alternatives.

    DATABASE_URL=postgres://... .venv/bin/python -m bench imports

Generates, in a temporary directory, a 1,000,000-row CSV of phone numbers
written every way real files write them (national, international, ``00``,
lost ``+`` or leading zero, apostrophes, parentheses, dots, floats,
scientific notation; 2% junk) and a 100,000-row XLSX with numeric phone
cells. Each case runs in a fresh child process so that its peak RSS is its
own. Measured in the same run on the same 100k rows:
django-import-export in its fastest insert-only configuration (bulk,
no diff, no instance lookup, no per-row results) with phonenumbers in
``before_import_row``, and bare ``phonenumbers.parse`` + ``is_valid_number``.
Goals: 1M CSV ≤ 45 s and ≤ 400 MB; 100k XLSX ≤ 6 s; ≥ 8× import-export; ≤ 1.5× bare parsing.
Each case reports wall time and CPU time: the child's own and its children's
(the spreadsheet reader) and, for a PostgreSQL server on this machine, its
backend's (read from /proc); on a shared machine wall time also counts waiting
for a core, so the goals are checked against both.
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.table import print_table

BIG_ROWS = int(os.environ.get("BENCH_IMPORTS_BIG_ROWS", 1_000_000))
SMALL_ROWS = int(os.environ.get("BENCH_IMPORTS_SMALL_ROWS", 100_000))
ROOT = Path(__file__).resolve().parent.parent
CUSTOMER_SLUG = "bench-imports"

_FIRST = ["Alice", "Bob", "Carol", "Dan", "Erin", "Frank", "Grace", "Henri", "Ida", "Jon"]
_CITIES = ["London", "Leeds", "York", "Bath", "Bristol", "Manchester", "Glasgow", "Cardiff"]
_JUNK = ["n/a", "", "123", "call later", "+999 1234", "unknown", "0000", "tel"]


def _mobile(rng: random.Random) -> str:
    # A valid UK mobile range: 74[0-46-9]x xxxxxx.
    return f"74{rng.choice('012346789')}{rng.randint(0, 9)}{rng.randint(0, 999_999):06d}"


def phone_variant(rng: random.Random) -> str:
    """One phone number, written one of the ways spreadsheets and people write them."""
    if rng.random() < 0.02:
        return rng.choice(_JUNK)
    national = _mobile(rng)  # 10 digits without the trunk 0
    pick = rng.randrange(14)
    if pick == 0:
        return f"0{national[:4]} {national[4:]}"
    if pick == 1:
        return f"+44 {national[:4]} {national[4:]}"
    if pick == 2:
        return f"44{national}"
    if pick == 3:
        return f"0044 (0){national[:4]}-{national[4:7]}-{national[7:]}"
    if pick == 4:
        return f"'0{national}"
    if pick == 5:
        return national  # lost its leading zero
    if pick == 6:
        return f"(020) {rng.randint(7000, 8999)} {rng.randint(0, 9999):04d}"
    if pick == 7:
        return f"020.{rng.randint(7000, 8999)}.{rng.randint(0, 9999):04d}"
    if pick == 8:
        return f"4.4{national}E+11"
    if pick == 9:
        return f"44{national}.0"
    if pick == 10:
        return f"+1 ({rng.choice(['212', '310', '415', '646'])}) {rng.randint(200, 999)}-{rng.randint(0, 9999):04d}"
    if pick == 11:
        return f"+33 6 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
    if pick == 12:
        return f"+49 151 {rng.randint(10_000_000, 99_999_999)}"
    return f"+44{national}"


def write_csv(path: Path, rows: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("phone;first_name;city\n")
        for n in range(rows):
            out.write(f"{phone_variant(rng)};{rng.choice(_FIRST)} {n};{rng.choice(_CITIES)}\n")


def write_xlsx(path: Path, rows: int, seed: int = 2) -> None:
    from openpyxl import Workbook

    rng = random.Random(seed)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Contacts")
    sheet.append(["phone", "first_name", "city"])
    for n in range(rows):
        text = phone_variant(rng)
        digits = text.replace("'", "")
        # What a spreadsheet does to typed numbers: stores them as numbers.
        phone: object = int(digits) if digits.isdigit() and rng.random() < 0.7 else text
        sheet.append([phone, f"{rng.choice(_FIRST)} {n}", rng.choice(_CITIES)])
    workbook.save(path)


# --- Children: one case each, in a fresh process ----------------------------------


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "telephony.settings")
    import django

    django.setup()


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds() -> float:
    """This process's CPU time and its finished children's (the spreadsheet reader runs in one)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _db_cpu_seconds() -> float | None:
    """CPU time of this connection's PostgreSQL backend (COPY, the insert, the indexes), when it runs here.

    Read from /proc, so only for a server on this machine that this user may read; None otherwise.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _measured(started: float, cpu_started: float, db_started: float | None) -> dict:
    db_now = _db_cpu_seconds()
    return {
        "seconds": time.perf_counter() - started,
        "cpu": _cpu_seconds() - cpu_started,
        "db_cpu": None if db_started is None or db_now is None else db_now - db_started,
    }


def _customer():
    from customers.models import Customer

    customer, _ = Customer.objects.get_or_create(slug=CUSTOMER_SLUG, defaults={"name": "Benchmark"})
    return customer


def child_engine(path: str) -> dict:
    """File → ready list through the same services as the dashboard and the worker."""
    from distribution_lists import services

    customer = _customer()
    started, cpu_started, db_started = time.perf_counter(), _cpu_seconds(), _db_cpu_seconds()
    with open(path, "rb") as upload:
        distribution_list = services.distribution_list_upload(
            customer=customer, name=f"bench {time.time_ns()}", upload=upload, filename=Path(path).name
        )
    services.distribution_list_mark_up(
        distribution_list=distribution_list,
        has_header=True,
        phone_column=0,
        column_names=["phone", "first_name", "city"],
        default_region="GB",
        enqueue=False,
    )
    report = services.distribution_list_import(list_id=distribution_list.pk)
    assert report is not None
    measured = _measured(started, cpu_started, db_started)
    distribution_list.refresh_from_db()
    assert distribution_list.status == "ready", distribution_list.failure_reason
    result = {**measured, "rss": _peak_rss_mb(), **report.as_dict()}
    services.distribution_list_delete(distribution_list=distribution_list)
    return result


def child_import_export(path: str) -> dict:
    """The same rows through django-import-export, configured for speed, with phonenumbers per row."""
    import phonenumbers
    import tablib
    from import_export import fields, resources
    from phonenumbers import timezone as phone_timezone

    from distribution_lists.models import Contact, DistributionList

    customer = _customer()
    distribution_list = DistributionList.objects.create(
        customer=customer,
        name=f"bench ie {time.time_ns()}",
        status="ready",
        column_names=["phone", "first_name", "city"],
    )

    class ContactResource(resources.ModelResource):
        phone = fields.Field(attribute="phone", column_name="phone")
        # The plain id, not a ForeignKeyWidget (which would query the list for every row).
        distribution_list_id = fields.Field(attribute="distribution_list_id", column_name="distribution_list")

        class Meta:
            model = Contact
            fields = ["phone", "time_zone", "variables", "row_number", "distribution_list_id"]
            import_id_fields: list[str] = []
            use_bulk = True
            batch_size = 5000
            skip_diff = True
            skip_html_diff = True
            force_init_instance = True
            report_skipped = False
            clean_model_instances = False
            use_transactions = True

        def before_import(self, dataset, **kwargs):
            self.seen: set[str] = set()

        def before_import_row(self, row, **kwargs):
            row["row_number"] = kwargs.get("row_number", 0)
            row["distribution_list"] = distribution_list.pk
            row["variables"] = json.dumps({"first_name": row["first_name"], "city": row["city"]})
            try:
                number = phonenumbers.parse(str(row["phone"]).lstrip("'"), "GB")
            except phonenumbers.NumberParseException:
                row["phone"] = None
                return
            if not phonenumbers.is_valid_number(number):
                row["phone"] = None
                return
            row["phone"] = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            zones = phone_timezone.time_zones_for_number(number)
            row["time_zone"] = zones[0] if zones else ""

        def skip_row(self, instance, original, row, import_validation_errors=None):
            if not instance.phone or instance.phone in self.seen:
                return True
            self.seen.add(instance.phone)
            return False

    started, cpu_started, db_started = time.perf_counter(), _cpu_seconds(), _db_cpu_seconds()
    with open(path, encoding="utf-8") as source:
        dataset = tablib.Dataset().load(source.read(), format="csv", delimiter=";")
    result = ContactResource().import_data(dataset, dry_run=False, raise_errors=True, collect_failed_rows=False)
    measured = _measured(started, cpu_started, db_started)
    imported = Contact.objects.filter(distribution_list=distribution_list).count()
    from distribution_lists import services

    services.distribution_list_delete(distribution_list=distribution_list)
    return {
        **measured,
        "rss": _peak_rss_mb(),
        "rows": len(dataset),
        "correct": imported,
        "ok": not result.has_errors(),
    }


def child_bare_phonenumbers(path: str) -> dict:
    """Only parsing and validating the phone column with phonenumbers (the file read is not timed)."""
    import phonenumbers

    with open(path, encoding="utf-8") as source:
        next(source)
        raws = [line.split(";", 1)[0] for line in source]
    started, cpu_started = time.perf_counter(), _cpu_seconds()
    valid = 0
    for raw in raws:
        try:
            if phonenumbers.is_valid_number(phonenumbers.parse(raw, "GB")):
                valid += 1
        except phonenumbers.NumberParseException:
            pass
    measured = _measured(started, cpu_started, None)
    return {**measured, "rss": _peak_rss_mb(), "rows": len(raws), "correct": valid}


CHILDREN = {"engine": child_engine, "import_export": child_import_export, "bare": child_bare_phonenumbers}


def child(case: str, path: str) -> None:
    _setup_django()
    print(json.dumps(CHILDREN[case](path)))


def _run_child(case: str, path: Path) -> dict:
    code = f"from bench.bench_imports import child; child({case!r}, {str(path)!r})"
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=os.environ.copy(), capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise SystemExit(f"benchmark child {case} failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        print("Note: DATABASE_URL is not PostgreSQL; the goals are for PostgreSQL (COPY).")
    with tempfile.TemporaryDirectory(prefix="bench-imports-") as tmp:
        directory = Path(tmp)
        big, small, xlsx = directory / "big.csv", directory / "small.csv", directory / "small.xlsx"
        started = time.perf_counter()
        write_csv(big, BIG_ROWS)
        write_csv(small, SMALL_ROWS, seed=3)
        write_xlsx(xlsx, SMALL_ROWS)
        print(
            f"files generated in {time.perf_counter() - started:.1f} s: "
            f"{big.stat().st_size / 1e6:.0f} MB CSV, {xlsx.stat().st_size / 1e6:.1f} MB XLSX"
        )
        engine_big = _run_child("engine", big)
        engine_xlsx = _run_child("engine", xlsx)
        engine_small = _run_child("engine", small)
        import_export = _run_child("import_export", small)
        bare = _run_child("bare", small)

    def total_cpu(result) -> float:
        return result["cpu"] + (result["db_cpu"] or 0)

    def row(case, result, goal="", ratio=""):
        rows = result["rows"]
        db_cpu = result["db_cpu"]
        return [
            case,
            rows,
            result.get("correct", ""),
            round(result["seconds"], 2),
            round(result["cpu"], 2),
            "" if db_cpu is None else round(db_cpu, 2),
            round(total_cpu(result), 2),
            int(rows / result["seconds"]),
            round(result["rss"]),
            goal,
            ratio,
        ]

    def met(ok: bool) -> str:
        return "met" if ok else "MISSED"

    def goal(result, seconds: float, extra: bool = True) -> str:
        return (
            f"≤{seconds:g} s: wall {met(result['seconds'] <= seconds and extra)}, "
            f"CPU {met(total_cpu(result) <= seconds and extra)}"
        )

    ie_ratio = import_export["seconds"] / engine_small["seconds"]
    ie_cpu_ratio = total_cpu(import_export) / total_cpu(engine_small)
    bare_ratio = engine_small["seconds"] / bare["seconds"]
    bare_cpu_ratio = engine_small["cpu"] / bare["cpu"]
    print_table(
        [
            "case",
            "rows",
            "correct",
            "wall s",
            "CPU s",
            "DB CPU s",
            "total CPU s",
            "rows/s",
            "peak RSS MB",
            "goal",
            "ratio (wall; CPU)",
        ],
        [
            row(
                "engine: 1M CSV → ready list",
                engine_big,
                goal(engine_big, 45, engine_big["rss"] <= 400) + f" (≤400 MB: {met(engine_big['rss'] <= 400)})",
            ),
            row("engine: 100k XLSX → ready list", engine_xlsx, goal(engine_xlsx, 6)),
            row("engine: 100k CSV → ready list", engine_small),
            row(
                "django-import-export: 100k CSV",
                import_export,
                f"engine ≥8× faster: {met(ie_ratio >= 8)}",
                f"{ie_ratio:.1f}×; {ie_cpu_ratio:.1f}× the engine's time",
            ),
            row(
                "bare phonenumbers parse+validate: 100k",
                bare,
                f"engine ≤1.5×: {met(bare_ratio <= 1.5)}",
                f"engine takes {bare_ratio:.2f}×; {bare_cpu_ratio:.2f}× its time (without DB CPU)",
            ),
        ],
    )
    print(
        "CPU s: the benchmark process and its children (the spreadsheet reader runs in a child process); "
        "DB CPU s: its PostgreSQL backend's CPU (COPY, the insert, the indexes), read from /proc when the "
        "server runs here; total CPU s is their sum, the work the import costs whatever else the machine runs "
        "(wall time also counts waiting for a core and for the disk). Load average at the end: "
        + ", ".join(f"{load:.1f}" for load in os.getloadavg())
    )
