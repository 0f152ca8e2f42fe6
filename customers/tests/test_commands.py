import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory

from customers import services
from customers.models import Customer


@pytest.mark.django_db
def test_create_customer_with_a_user_who_can_log_in():
    out = io.StringIO()
    call_command(
        "create_customer",
        "acme",
        "--name",
        "Acme Ltd",
        "--user",
        "ops@acme.test",
        "--password",
        "s3cret-Pass",
        stdout=out,
    )
    customer = Customer.objects.get(slug="acme")
    assert "Created customer acme" in out.getvalue()
    user = authenticate(RequestFactory().post("/login/"), username="ops@acme.test", password="s3cret-Pass")
    assert user is not None and user.customer == customer


@pytest.mark.django_db
def test_create_customer_twice_is_one_clear_error():
    call_command("create_customer", "acme", "--name", "Acme")
    with pytest.raises(CommandError, match="slug 'acme' already exists"):
        call_command("create_customer", "acme", "--name", "Acme")


@pytest.mark.django_db
def test_issue_api_token_prints_the_token_last():
    call_command("create_customer", "acme", "--name", "Acme")
    out = io.StringIO()
    call_command("issue_api_token", "acme", stdout=out, stderr=io.StringIO())
    raw = out.getvalue().strip().splitlines()[-1]
    assert services.api_token_authenticate(raw_token=raw).customer.slug == "acme"


@pytest.mark.django_db
def test_issue_api_token_for_an_unknown_slug_fails_clearly():
    with pytest.raises(CommandError, match="No customer with slug 'nope'"):
        call_command("issue_api_token", "nope")


def test_command_errors_are_one_line_with_a_non_zero_exit(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "VAR_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args], capture_output=True, text=True, env=env, check=False
        )

    assert manage("migrate", "--noinput").returncode == 0
    assert manage("create_customer", "acme", "--name", "Acme").returncode == 0
    duplicate = manage("create_customer", "acme", "--name", "Acme")
    unknown = manage("issue_api_token", "nope")
    for result in (duplicate, unknown):
        assert result.returncode != 0
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.stderr
    assert "already exists" in duplicate.stderr
    assert "No customer with slug 'nope'" in unknown.stderr
