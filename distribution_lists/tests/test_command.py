import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from distribution_lists.models import Contact, DistributionList
from distribution_lists.tests.factories import ENGINE_DATA

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    out = StringIO()
    call_command("import_distribution_list", *args, stdout=out)
    return out.getvalue()


def test_import_with_json_output(customer):
    output = run(
        str(ENGINE_DATA / "utf8_comma.csv"),
        "--customer",
        customer.slug,
        "--name",
        "From the shell",
        "--phone-column",
        "phone",
        "--default-region",
        "GB",
        "--json",
    )
    result = json.loads(output.strip().splitlines()[-1])
    distribution_list = DistributionList.objects.get(name="From the shell")
    assert result == {"list_id": distribution_list.pk, "rows": 8, "correct": 5, "incorrect": 2, "duplicates": 1}
    assert distribution_list.status == DistributionList.Status.READY
    assert distribution_list.variables == ["name", "city"]


def test_column_by_number_without_header(customer):
    output = run(
        str(ENGINE_DATA / "no_header.csv"),
        "--customer",
        customer.slug,
        "--name",
        "No header",
        "--phone-column",
        "1",
        "--default-region",
        "gb",
        "--no-header",
    )
    assert "4 rows, 4 correct, 0 incorrect, 0 duplicates" in output
    assert Contact.objects.filter(distribution_list__name="No header").count() == 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--customer", "nobody"], "No customer with slug 'nobody'."),
        (["--phone-column", "mobile"], "--phone-column 'mobile' is not a column of the header"),
        (["--phone-column", "9"], "--phone-column 9: the file has 3 column(s)."),
        (["--default-region", "XX"], "'XX' is not a country code"),
        (["--file", "report.pdf.xls"], "report.pdf.xls is a PDF document"),
        (["--file", "header_only.csv"], "has a header row (phone, name, city) and no contacts below it"),
        (["--file", "missing.csv"], "no such file"),
    ],
)
def test_bad_arguments_and_files_leave_nothing(customer, args, message):
    options = {"--customer": customer.slug, "--phone-column": "1", "--default-region": "GB", "--file": "utf8_comma.csv"}
    options.update(dict(zip(args[::2], args[1::2], strict=True)))
    path = str(ENGINE_DATA / options.pop("--file"))
    flat = [item for pair in options.items() for item in pair]
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run(path, "--name", "Bad", *flat)
    assert not DistributionList.objects.exists()


def test_error_is_one_line_on_stderr_without_traceback(tmp_path):
    # A real process: what a shell script sees.
    env = {"VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    completed = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "import_distribution_list",
            str(ENGINE_DATA / "random_bytes.csv"),
            "--customer",
            "nobody",
            "--name",
            "x",
            "--phone-column",
            "1",
            "--default-region",
            "GB",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert completed.returncode != 0
    assert completed.stderr.strip() == "CommandError: No customer with slug 'nobody'."
    assert "Traceback" not in completed.stderr
