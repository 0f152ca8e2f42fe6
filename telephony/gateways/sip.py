"""The SIP backend of the dialer (``DIALER_GATEWAY=sip``): hands each call to a call engine.

``place_call`` runs in the dialer's call task: it pushes the request onto a
Redis list and returns at once. A call engine (``manage.py call_engine``,
telephony/sip/engine.py) takes it, places it and reports ``answered`` and
``ended`` through the dialer's idempotent reporter. Several engines share
one list; a request no engine takes before the attempt's lease runs out is
withdrawn by the reaper (never dialled: the job waits again), and an engine
taking it later finds it gone and does not dial. An engine re-checks each
request when it takes it (``attempt_dial``): a paused or finished campaign's
queued requests are withdrawn, not dialled.
"""

from __future__ import annotations

import redis
from django.conf import settings

from telephony.gateways.base import CallRequest, Gateway, Reporter
from telephony.sip.engine import QUEUE, request_payload


class SipGateway(Gateway):
    name = "sip"
    holds_call_thread = False  # the engine holds the call; the call task returns at once

    def __init__(self) -> None:
        if not settings.REDIS_URL:
            raise RuntimeError("REDIS_URL: the SIP gateway hands calls to the call engine through Redis; set it")
        self.redis = redis.Redis.from_url(settings.REDIS_URL)

    def place_call(self, request: CallRequest, report: Reporter) -> None:
        self.redis.rpush(QUEUE, request_payload(request))
