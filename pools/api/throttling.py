"""The DNI endpoint's rate limits per visitor (of a pool) and per IP address, counted in the Django cache.

Fixed windows with one counter per key, where DRF's ``SimpleRateThrottle``
stores every timestamp of the window — a list of thousands of entries read
and written on each request at the rates a busy site reaches from one proxy
address. A refused request is not counted.

On Redis the check and the count are one Lua script: one round trip, and
atomic (two web processes cannot both take the last request of a window),
on a client made once per process — Django's cache builds a new
``redis.Redis`` for every call, which cost more CPU than the DNI statement
itself. Any other cache (the embedded set-up's local memory) gets
``get_many`` and ``set_many``.
"""

from __future__ import annotations

import re
import threading
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.throttling import BaseThrottle

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

_script_lock = threading.Lock()
_scripts: dict[tuple, object] = {}


def _redis_script(cache: RedisCache):
    """The registered script on a client kept for the life of the process (one per Redis server).

    A ``redis.Redis`` client and its connection pool are thread-safe; Django's
    cache objects are per thread, so the script is keyed by the servers.
    """
    servers = tuple(cache._cache._servers)
    script = _scripts.get(servers)
    if script is None:
        with _script_lock:
            script = _scripts.get(servers)
            if script is None:
                client = cache._cache.get_client(write=True)
                script = _scripts[servers] = client.register_script(_CHECK_AND_COUNT)
    return script


class DNIThrottle(BaseThrottle):
    def _limits(self, request, view) -> list[tuple[str, int, int]]:
        visitor = re.sub(r"[^A-Za-z0-9_-]", "", str(request.data.get("visitor", "")))[:64]
        ident = self.get_ident(request)
        limits = []
        for name, setting, key in (
            ("ip", "TRACKING_DNI_IP_RATE", ident),
            ("visitor", "TRACKING_DNI_VISITOR_RATE", f"{view.kwargs.get('public_key', '')}_{visitor or ident}"),
        ):
            rate = getattr(settings, setting)
            if rate:
                count, period = rate.split("/")
                duration = {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]
                window = int(time.time() // duration)
                limits.append((f"throttle_dni_{name}_{key}_{window}", int(count), duration))
        return limits

    def allow_request(self, request, view) -> bool:
        limits = self._limits(request, view)
        self._wait = 0.0
        if not limits:
            return True
        cache = caches["default"]  # the object, not the proxy: isinstance must see its class
        refused = self._count_on_redis(cache, limits) if isinstance(cache, RedisCache) else self._count(cache, limits)
        if refused is not None:
            duration = refused[2]
            self._wait = duration - time.time() % duration
            return False
        return True

    @staticmethod
    def _count_on_redis(cache: RedisCache, limits):
        keys = [cache.make_and_validate_key(key) for key, _, _ in limits]
        args = [allowed for _, allowed, _ in limits] + [duration for _, _, duration in limits]
        index = int(_redis_script(cache)(keys=keys, args=args))
        return limits[index - 1] if index else None

    @staticmethod
    def _count(cache, limits):
        counts = cache.get_many([key for key, _, _ in limits])
        for limit in limits:
            if counts.get(limit[0], 0) >= limit[1]:
                return limit
        # The window is in the key: a longer expiry than a key's own window is harmless.
        cache.set_many({key: counts.get(key, 0) + 1 for key, _, _ in limits}, max(d for _, _, d in limits))
        return None

    def wait(self) -> float:
        return getattr(self, "_wait", None)
