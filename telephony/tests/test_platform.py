import io
import os
import subprocess
import sys

import pytest
from django.core.management import call_command

from customers.models import Customer, User
from telephony.celery import app as celery_app


def test_healthz_reports_database_and_broker(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok", "status": "ok"}


def test_healthz_says_which_part_is_down(client, db, monkeypatch):
    from telephony import health

    monkeypatch.setattr(health, "_broker_ok", lambda: False)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "unreachable"
    assert response.json()["database"] == "ok"


def test_healthz_says_when_the_database_is_unreachable(client, db, monkeypatch):
    from django.db import connection

    monkeypatch.setattr(connection, "is_usable", lambda: False)  # the connection answers no more
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_celery_speaks_only_json_with_time_limits():
    conf = celery_app.conf
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_time_limit and conf.task_soft_time_limit < conf.task_time_limit


def test_production_settings_pass_check_deploy(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "false",
        "HTTPS": "true",
        "SECRET_KEY": "q8Vw-2mZ!r4Lp9xT_c6Hn0bY#e3Kd7Sj1fUa5Gi8Oz-w2Xv-Lk3Pq9Rt5Ym",
        "ALLOWED_HOSTS": "telephony.example.com",
        "VAR_DIR": str(tmp_path),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser fixture for e2e tests only
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_seed_demo_is_idempotent():
    call_command("seed_demo", stdout=io.StringIO())
    counts = (Customer.objects.count(), User.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (Customer.objects.count(), User.objects.count()) == counts
    assert User.objects.get(email="admin@example.com").is_superuser
    assert User.objects.get(email="demo@example.com").customer.slug == "demo"


@pytest.mark.django_db
def test_ops_group_can_upload_dids_and_pools():
    from django.contrib.auth.models import Group

    group = Group.objects.get(name="Ops")
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"add_did", "change_did", "add_numberpool", "add_numberpoolmember", "view_customer"} <= codenames
    assert "delete_did" not in codenames and "change_customer" not in codenames


@pytest.mark.integration
def test_healthz_on_postgresql_and_redis(client, db):
    from django.db import connection

    response = client.get("/healthz")
    assert connection.vendor == "postgresql"
    assert celery_app.conf.broker_url.startswith("redis://")
    assert response.json() == {"database": "ok", "broker": "ok", "status": "ok"}


def test_openapi_schema_and_docs_are_served_without_a_cdn(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    assert "/api/account/" in schema.json()["paths"]
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "cdn" not in docs.lower() and "https://" not in docs
