"""What django-axes counts a failed login against: the email as typed (case aside) and the client address.

The address is read as the DNI rate limit and the API throttles read it
(``TRUSTED_PROXIES``): with no trusted proxy a spoofed ``X-Forwarded-For``
cannot buy a fresh count.
"""

from __future__ import annotations

import math
from datetime import timedelta

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from call_tracking.api.rate_limits import client_ident


def username(request: HttpRequest, credentials: dict | None) -> str | None:
    value = (credentials or {}).get("username")
    if value is None:
        value = request.POST.get("username") if request is not None else None
    if value is None:
        return None
    return get_user_model().objects.normalize_email(value.strip()).lower()


def client_address(request: HttpRequest) -> str:
    return client_ident(request.META)


def lockout_response(request: HttpRequest, original_response=None, credentials: dict | None = None) -> HttpResponse:
    """The page a locked-out login gets (429): how long until the next try, or whom to ask.

    Every refused try during the lock starts the cool-off again (axes'
    default), so the wait is the whole cool-off from now.
    """
    cool_off = get_cool_off(request)
    context = {
        "email": username(request, credentials) or "",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "wait": _in_words(cool_off) if cool_off else "",
        "login_url": request.path,
    }
    response = render(request, "registration/locked_out.html", context, status=429)
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response


def _in_words(delta: timedelta) -> str:
    minutes = max(1, math.ceil(delta.total_seconds() / 60))
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
