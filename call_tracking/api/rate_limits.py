"""The DNI endpoint's rate limits per visitor (of a pool) and per IP address, counted in the Django cache.

The same fixed-window limits a DRF throttle would apply, as a plain function:
the endpoint (``call_tracking.api.dni``) is served without DRF.

Fixed windows with one counter per key, where DRF's ``SimpleRateThrottle``
stores every timestamp of the window — a list of thousands of entries read
and written on each request at the rates a busy site reaches from one proxy
address. A refused request is not counted.

On Redis the check and the count are one Lua script: one round trip, and
atomic (two web processes cannot both take the last request of a window),
on a connection kept by each thread — Django's cache builds a new
``redis.Redis`` for every call, which cost more CPU than the DNI statement
itself. Any other cache (the embedded set-up's local memory) gets
``get_many`` and ``set_many``.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import threading
import time

import redis
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import NoScriptError
from rest_framework.settings import api_settings

# KEYS: the counters; ARGV: their limits, then their windows in seconds.
# Returns 0 when every counter was under its limit (each then counted), else
# the 1-based index of the first counter at its limit (nothing counted).
_CHECK_AND_COUNT = """
local n = #KEYS
for i = 1, n do
  if tonumber(redis.call('GET', KEYS[i]) or '0') >= tonumber(ARGV[i]) then return i end
end
for i = 1, n do
  if redis.call('INCR', KEYS[i]) == 1 then redis.call('EXPIRE', KEYS[i], ARGV[n + i]) end
end
return 0
"""

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
_SHA = hashlib.sha1(_CHECK_AND_COUNT.encode()).hexdigest()
_local = threading.local()


def _check_and_count(cache: RedisCache, keys: list[str], args: list[int]) -> int:
    """The script on this thread's own connection to the cache's Redis, kept for the thread's life.

    redis-py's client takes a connection from its pool and wraps every command
    in retries and health checks: three times the CPU of the command itself
    here. A dropped connection is reconnected once; a Redis that lost its
    scripts (a restart) is sent the script again.
    """
    connection = _connection(cache)
    try:
        return _run(connection, keys, args)
    except (redis.ConnectionError, redis.TimeoutError):
        connection.disconnect()
        return _run(connection, keys, args)


def _run(connection, keys: list[str], args: list[int]) -> int:
    try:
        connection.send_command("EVALSHA", _SHA, len(keys), *keys, *args)
        return int(connection.read_response())
    except NoScriptError:
        connection.send_command("EVAL", _CHECK_AND_COUNT, len(keys), *keys, *args)
        return int(connection.read_response())


def _connection(cache: RedisCache):
    # Django's cache objects are per thread and built per request: the
    # connection is keyed by the servers (and the process: no connection
    # crosses a fork).
    # The stubs leave out the client's server list, which Django keeps private.
    key = (os.getpid(), tuple(cache._cache._servers))  # type: ignore[attr-defined]
    connections = _local.__dict__.setdefault("connections", {})
    connection = connections.get(key)
    if connection is None:
        pool = cache._cache.get_client(write=True).connection_pool
        connection = connections[key] = pool.make_connection()
    return connection


def _limits(public_key: str, visitor: str, ident: str) -> list[tuple[str, int, int]]:
    visitor = _UNSAFE.sub("", visitor)[:64]
    limits = []
    for name, rate, key in (
        ("ip", settings.TRACKING_DNI_IP_RATE, ident),
        ("visitor", settings.TRACKING_DNI_VISITOR_RATE, f"{public_key}_{visitor or ident}"),
    ):
        if rate:
            count, period = rate.split("/")
            duration = {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]
            window = int(time.time() // duration)
            limits.append((f"throttle_dni_{name}_{key}_{window}", int(count), duration))
    return limits


def refused(*, public_key: str, visitor: str, ident: str) -> int | None:
    """Seconds until the page view would be allowed (a limit is reached), or None: allowed and counted.

    ``ident`` is the client's address as DRF's throttles name it (``client_ident``).
    """
    limits = _limits(public_key, visitor, ident)
    if not limits:
        return None
    cache = caches["default"]  # the object, not the proxy: isinstance must see its class
    refusal = _count_on_redis(cache, limits) if isinstance(cache, RedisCache) else _count(cache, limits)
    if refusal is None:
        return None
    duration = refusal[2]
    return math.ceil(duration - time.time() % duration)


def client_ident(meta: dict) -> str:
    """The client's address as DRF's throttles name it (``BaseThrottle.get_ident``, which needs a DRF request).

    Only the last ``TRUSTED_PROXIES`` (DRF's ``NUM_PROXIES``) entries of
    ``X-Forwarded-For`` were added by our own proxies; anything before them is
    whatever the client wrote. With 0 (the default) the header is ignored and
    the peer's address counts: a spoofed header cannot buy a fresh limit.
    """
    xff, remote_addr = meta.get("HTTP_X_FORWARDED_FOR"), meta.get("REMOTE_ADDR") or ""
    num_proxies = api_settings.NUM_PROXIES or 0
    if num_proxies == 0 or not xff:
        return remote_addr
    addrs = [addr.strip() for addr in xff.split(",")]
    return addrs[-min(num_proxies, len(addrs))]


def _count_on_redis(cache: RedisCache, limits):
    # make_key: the keys are ours, made of safe characters; validating them is a loop over every character.
    keys = [cache.make_key(key) for key, _, _ in limits]
    args = [allowed for _, allowed, _ in limits] + [duration for _, _, duration in limits]
    index = _check_and_count(cache, keys, args)
    return limits[index - 1] if index else None


def _count(cache, limits):
    counts = cache.get_many([key for key, _, _ in limits])
    for limit in limits:
        if counts.get(limit[0], 0) >= limit[1]:
            return limit
    # The window is in the key: a longer expiry than a key's own window is harmless.
    cache.set_many({key: counts.get(key, 0) + 1 for key, _, _ in limits}, max(d for _, _, d in limits))
    return None
