"""``manage.py call_engine``: the SIP call engine (telephony/sip/engine.py); ``--status`` lists the engines."""

from __future__ import annotations

import asyncio
import logging

import redis
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from telephony.sip.config import SipConfigError, sip_config
from telephony.sip.engine import CallEngine
from telephony.sip.processes import engine_shares, run_engines
from telephony.sip.stack import TrunkNotFound
from telephony.sip.status import engines_status


class Command(BaseCommand):
    help = "Run the SIP call engine (DIALER_GATEWAY=sip): places the dialer's calls, one asyncio task per call."

    def add_arguments(self, parser):
        parser.add_argument("--status", action="store_true", help="Print each engine's calls in progress and exit.")
        parser.add_argument(
            "--processes",
            type=int,
            default=1,
            help="Run this many engines, on SIP_LISTEN's port and the next ones, each with an equal part of"
            " SIP_RTP_PORTS (an engine is one asyncio loop and uses at most one core: one engine per core).",
        )

    def handle(self, *args, status=False, processes=1, **options):
        if not settings.REDIS_URL:
            raise CommandError("REDIS_URL: the call engine takes its calls from Redis; set it")
        if status:
            return self.status()
        try:
            config = sip_config()
            shares = engine_shares(config, processes)
        except SipConfigError as exc:
            raise CommandError(str(exc)) from None
        logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
        logging.getLogger("telephony.sip").setLevel(logging.INFO)
        if processes > 1:
            code = run_engines(shares)
            if code:
                raise CommandError(f"a call engine exited with code {code}; the others were stopped", returncode=code)
            return

        try:
            asyncio.run(CallEngine(config).run())
        except TrunkNotFound as exc:
            raise CommandError(f"SIP_TRUNK: {exc}") from None
        except OSError as exc:
            raise CommandError(f"SIP_LISTEN: cannot start the SIP stack on {settings.SIP_LISTEN}: {exc}") from None

    def status(self):
        engines = engines_status(redis.Redis.from_url(settings.REDIS_URL))
        if not engines:
            self.stdout.write("No call engine is running.")
        for engine_id, state in engines.items():
            self.stdout.write(
                f"{engine_id}: {state['calls']} calls in progress, {state['placed']} placed,"
                f" {state['withdrawn']} withdrawn{', draining' if state['draining'] else ''}"
                f" (seen {state['seen_seconds_ago']} s ago{', stale: stopped or killed' if state['stale'] else ''})"
            )
