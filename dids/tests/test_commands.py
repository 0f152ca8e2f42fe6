import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from dids.models import DID, Operator
from dids.tests.factories import DIDFactory, OperatorFactory

pytestmark = pytest.mark.django_db


def _run(*args) -> list[str]:
    out = StringIO()
    call_command("add_dids", *args, stdout=out)
    return out.getvalue().strip().splitlines()


def test_add_dids_creates_numbers_and_ranges_and_the_operator():
    lines = _run("+441174090100-+441174090109", "+442079460000", "--operator", "New Telco", "--tag", "x", "--json")
    assert "Operator 'New Telco' created." in lines
    assert json.loads(lines[-1]) == {"created": 11, "existing": 0, "operator_created": True}
    assert DID.objects.filter(operator__name="New Telco", tag="x", status="in_stock").count() == 11


def test_add_dids_reports_existing_and_reuses_the_operator():
    operator = OperatorFactory(name="Telco")
    DIDFactory(number="+441174090100", operator=operator)
    lines = _run("+441174090100-+441174090101", "--operator", "telco", "--status", "reserved", "--json")
    assert "  exists: +441174090100" in lines
    assert json.loads(lines[-1]) == {"created": 1, "existing": 1, "operator_created": False}
    assert DID.objects.get(number="+441174090101").status == "reserved"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("222-111", "start is greater"),
        ("111-2222", "same number of digits"),
        ("+441174080000-+441174099999", "at most 10000"),
        ("12ab", "not a phone number"),
    ],
)
def test_bad_spec_is_one_error_and_nothing_is_created(spec, message):
    with pytest.raises(CommandError, match=message):
        call_command("add_dids", "+441174090100", spec, "--operator", "Fresh", stdout=StringIO())
    assert DID.objects.count() == 0
    assert not Operator.objects.filter(name="Fresh").exists()


def test_bad_spec_exits_non_zero_with_one_line_on_stderr(capsys):
    from dids.management.commands.add_dids import Command

    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv(["manage.py", "add_dids", "222-111", "--operator", "X"])
    assert exited.value.code != 0
    assert capsys.readouterr().err.strip().splitlines() == [
        "CommandError: Range '222-111': the start is greater than the end."
    ]
