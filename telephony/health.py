"""`/healthz`: is the database reachable, is the broker reachable; in SIP mode, the call engines' calls."""

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from telephony.celery import app as celery_app
from telephony.gateways import GATEWAYS
from telephony.sip.status import engines_status


def _database_ok() -> bool:
    try:
        connection.ensure_connection()
        return connection.is_usable()  # a round trip on PostgreSQL (SELECT 1), a file check on SQLite
    except Exception:
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


def _sip_mode() -> bool:
    return GATEWAYS.get(settings.DIALER_GATEWAY, settings.DIALER_GATEWAY) == GATEWAYS["sip"]


def _call_engines() -> dict | str:
    """Each call engine's calls in progress, from their registration in Redis (telephony/sip/status.py)."""
    try:
        return engines_status(redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2))
    except Exception:
        return "unreachable"


@never_cache
@require_GET
def healthz(request):
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    body: dict[str, object] = {name: "ok" if ok else "unreachable" for name, ok in checks.items()}
    body["status"] = "ok" if all(checks.values()) else "degraded"
    if _sip_mode():
        # Shown, not judged: a web process stays in rotation while engines restart.
        body["call_engines"] = _call_engines()
    return JsonResponse(body, status=200 if all(checks.values()) else 503)
