"""The call engine: one asyncio process holding the SIP stack and many calls, one task per call.

The dialer's call task hands each attempt over through a Redis list
(``telephony.gateways.sip.SipGateway``) and returns at once. The engine
takes requests off that list, checks the attempt is still its to place,
dials through our SIP user agent (``telephony.sip.stack``) with the RTP of
every call on one media clock (``telephony.sip.media``; docs/decisions/sip-engine.md),
runs the app scenario on an answered call and reports ``answered`` and
``ended`` through the dialer's one idempotent reporter. A heartbeat renews
the lease of every call it holds; an engine that dies stops renewing, and
the reaper ends its calls (P03). SIGTERM drains: no new calls, the calls in
progress finish.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import os
import signal
import socket
import time
import wave
from collections.abc import Awaitable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from typing import TypeVar

from asgiref.sync import sync_to_async
from django.conf import settings

from campaigns.audio import phone_audio_path
from dids.numbers import to_e164_digits
from telephony.gateways.base import CallEvent, CallRequest
from telephony.sip.causes import ANSWERED, GATEWAY_FAILURE, cause_of_failure
from telephony.sip.config import SipConfig
from telephony.sip.media import MediaClock, MediaError, RtpSession
from telephony.sip.scenario import TRANSFERRED, ScenarioResult, run_scenario
from telephony.sip.stack import Call, CallFailed, RingTimeout, UserAgent
from telephony.sip.status import STATUS
from telephony.sip.tts import speech

log = logging.getLogger(__name__)
QUEUE = "dialer:sip:calls"
T = TypeVar("T")


def _report(event: CallEvent) -> None:
    # The dialer functions are imported when called: the dialer loads this module through its SIP gateway.
    from campaigns.dialer import attempt_report

    attempt_report(event)


def _renew(attempt_ids: list[int]) -> int:
    from campaigns.dialer import attempt_leases_renew

    return attempt_leases_renew(attempt_ids=attempt_ids)


def _dial(attempt_id: int, engine: str) -> bool:
    from campaigns.dialer import attempt_dial

    return attempt_dial(attempt_id=attempt_id, engine=engine)


def _audio_path(audio_id: int) -> str:
    return phone_audio_path(audio_id)


def _speech(text: str, voice: str) -> str:
    return str(speech(text, voice))


def _opt_out(attempt_id: int, step: dict) -> str:
    from campaigns.dialer.optout import attempt_opt_out

    return attempt_opt_out(attempt_id=attempt_id, step=step)


def _pcm(path: str) -> bytes:
    """The samples of a phone-format WAV (telephony/audio.py), read once while the file is unchanged."""
    return _pcm_of(path, os.stat(path).st_mtime_ns)


@functools.lru_cache(maxsize=256)
def _pcm_of(path: str, mtime_ns: int) -> bytes:
    with wave.open(path, "rb") as wav:
        return wav.readframes(wav.getnframes())


class CallClosed(Exception):
    """The far end hung up while the scenario ran."""


class SipChannel:
    """One answered call as the scenario runner's channel: its SIP dialog and its RTP session."""

    def __init__(self, call: Call, media: RtpSession, attempt_id: int = 0):
        self.call = call
        self.media = media
        self.attempt_id = attempt_id

    async def _until_closed(self, work: Awaitable[T]) -> T:
        """``work``, or CallClosed as soon as the far end hangs up (``work`` is then cancelled)."""
        if self.call.closed.is_set():
            if asyncio.iscoroutine(work):
                work.close()  # never started
            raise CallClosed
        task = asyncio.ensure_future(work)
        hung_up = asyncio.ensure_future(self.call.closed.wait())
        try:
            await asyncio.wait({task, hung_up}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            hung_up.cancel()
            if not task.done():
                task.cancel()
        if task.cancelled() or not task.done():
            raise CallClosed
        return task.result()

    async def _send(self, pcm: bytes) -> None:
        await self._until_closed(self.media.play(pcm))

    async def say(self, text: str, voice: str = "") -> None:
        if text:
            await self._send(_pcm(await asyncio.to_thread(_speech, text, voice)))

    async def play(self, audio_id: int) -> None:
        try:
            path = await sync_to_async(_audio_path, thread_sensitive=False)(audio_id)
        except LookupError as missing:
            # Refused at upload and at app save; one deleted since is skipped, the call goes on.
            log.warning("attempt %s: %s; the play step is skipped", self.attempt_id, missing)
            return
        await self._send(_pcm(path))

    async def gather(self, prompt: str, digits: int, timeout: float, voice: str = "") -> str:
        await self.say(prompt, voice)  # keys pressed during the prompt count (type-ahead)
        pressed = ""
        while len(pressed) < digits:
            try:
                pressed += await self._until_closed(asyncio.wait_for(self.media.digits.get(), timeout))
            except TimeoutError:
                break
        return pressed

    async def transfer(self, number: str) -> str:
        # Not raced against the hang-up: refer() itself answers (481, …) when the call ends first.
        status, reason = await self.call.refer("+" + to_e164_digits(number))
        if 200 <= status < 300:
            return TRANSFERRED  # the peer reported its new call answered (sipfrag 2xx); our leg closed
        # The call survives a failed transfer; the scenario goes on with the next step.
        return f"failed: {status} {reason}".strip()[:64]

    async def opt_out(self, step: dict) -> str:
        return await sync_to_async(_opt_out, thread_sensitive=False)(self.attempt_id, step)

    async def hangup(self) -> None:
        await self.call.hangup()


class CallEngine:
    def __init__(self, config: SipConfig, *, engine_id: str | None = None):
        self.config = config
        self.engine_id = engine_id or f"{socket.gethostname()}:{os.getpid()}:{config.listen_port}"
        self.calls: dict[int, asyncio.Task] = {}
        self.draining = asyncio.Event()
        self.placed = 0
        self.withdrawn = 0
        self.dial_slots = asyncio.Semaphore(config.dials_in_flight)
        self.agent = UserAgent(
            listen_host=config.listen_host,
            listen_port=config.listen_port,
            trunk_host=config.host,
            trunk_port=config.port,
            transport=config.transport,
            username=config.username,
            password=config.password,
        )
        self.media = MediaClock(host=config.listen_host, ports=config.rtp_ports, ptime_ms=config.ptime)

    # -- the stack ---------------------------------------------------------
    async def start(self) -> None:
        await self.agent.start()
        # Bound to a wildcard (SIP_LISTEN=0.0.0.0:…), the SDP names the address the trunk is reached from.
        self.media.sdp_host = self.agent.advertised_host
        await self.media.start()

    async def close(self) -> None:
        await self.agent.close()
        await self.media.close()

    # -- one call ----------------------------------------------------------
    async def place(self, request: CallRequest, dialed=lambda: None) -> None:
        ended = CallEvent(request.attempt_id, "ended", cause=GATEWAY_FAILURE)
        call = media = None
        try:
            media = self.media.session()
            call = self.agent.call(
                to_user=request.b_number,
                from_user=request.a_number,
                headers={
                    "P-Asserted-Identity": f"<{self.config.uri(request.a_number)}>",
                    "X-Dialtone-Attempt": str(request.attempt_id),
                },
                sdp=media.offer(self.config.codecs),
            )
            dialed()
            try:
                media.accept(await call.answer(self.config.ring_timeout))
            except RingTimeout:
                ended = CallEvent(request.attempt_id, "ended", cause=cause_of_failure(None, ring_timeout=True))
                return
            except CallFailed as failure:
                ended = CallEvent(request.attempt_id, "ended", cause=cause_of_failure(failure.status))
                return
            ended = await self._play_answered(call, media, request)
        except MediaError as unusable:
            # No RTP port left, or an answer whose media we cannot use: this call ends, the campaign goes on.
            log.warning("attempt %s: %s", request.attempt_id, unusable)
            if call is not None:
                await call.hangup()
        except Exception:
            log.exception("call of attempt %s failed in the engine", request.attempt_id)
            if call is not None:
                await call.hangup()
        finally:
            if media is not None:
                media.close()
            await sync_to_async(_report, thread_sensitive=False)(ended)

    async def _play_answered(self, call: Call, media: RtpSession, request: CallRequest) -> CallEvent:
        """Report the answer, run the scenario, hang up unless the subscriber did: the call's end."""
        answered_at = time.monotonic()
        await sync_to_async(_report, thread_sensitive=False)(CallEvent(request.attempt_id, "answered"))
        channel = SipChannel(call, media, request.attempt_id)
        result = ScenarioResult()  # filled step by step: what was gathered stays when the callee hangs up
        try:
            await run_scenario(request.scenario, channel, result=result)
            log.info(
                "attempt %s: steps %s, digits %r%s",
                request.attempt_id,
                ",".join(result.path),
                result.digits,
                f", transfer {result.transfer!r}" if result.transfer else "",
            )
        except CallClosed:
            pass  # the subscriber hung up first: the call is over, answered
        except Exception:
            log.exception("scenario of attempt %s failed; the call ends answered", request.attempt_id)
        await call.hangup()
        return CallEvent(
            request.attempt_id,
            "ended",
            cause=ANSWERED,
            duration=round(time.monotonic() - answered_at),
            digits=result.digits,
            transfer=result.transfer,
        )

    async def run_call(self, request: CallRequest, *, holds_slot: bool = False) -> None:
        held = [holds_slot]

        def dialed() -> None:  # once: the dial slot taken in take() is free again
            if held[0]:
                held[0] = False
                self.dial_slots.release()

        try:
            if not await sync_to_async(_dial, thread_sensitive=False)(request.attempt_id, self.engine_id):
                # Campaign paused or finished, work period over, or reaped while queued: withdrawn, never dialled.
                self.withdrawn += 1
                return
            self.placed += 1
            await self.place(request, dialed)
        finally:
            dialed()
            self.calls.pop(request.attempt_id, None)

    # -- the process -------------------------------------------------------
    async def heartbeat(self, redis) -> None:
        every = max(settings.DIALER_LEASE_SECONDS / 3, 1)
        while True:
            ids = list(self.calls)
            if ids:
                await sync_to_async(_renew, thread_sensitive=False)(ids)
            status = {
                "calls": len(ids),
                "placed": self.placed,
                "withdrawn": self.withdrawn,
                "draining": self.draining.is_set(),
                "at": time.time(),
            }
            await redis.hset(STATUS, self.engine_id, json.dumps(status))
            if self.draining.is_set():
                await asyncio.sleep(min(every, 5))
            else:
                # Woken by SIGTERM, so the registration says "draining" at once.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.draining.wait(), timeout=min(every, 5))

    async def take(self, redis) -> None:
        while not self.draining.is_set():
            await self.dial_slots.acquire()
            try:
                item = await redis.blpop([QUEUE], timeout=1)
            except BaseException:
                self.dial_slots.release()
                raise
            if item is None:
                self.dial_slots.release()
                continue
            if self.draining.is_set():
                # SIGTERM came while waiting: not ours to place any more; back at the head for another engine.
                await redis.lpush(QUEUE, item[1])
                self.dial_slots.release()
                break
            request = CallRequest(**json.loads(item[1]))
            self.calls[request.attempt_id] = asyncio.create_task(self.run_call(request, holds_slot=True))

    async def run(self) -> None:
        import redis.asyncio as aioredis

        await self.start()
        redis = aioredis.from_url(settings.REDIS_URL)
        loop = asyncio.get_running_loop()
        # Database work (take-time check, reports, renewals) runs in these threads, each with its own connection.
        loop.set_default_executor(
            ThreadPoolExecutor(max_workers=self.config.database_threads, thread_name_prefix="engine-db")
        )
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.draining.set)
        beat = asyncio.create_task(self.heartbeat(redis))
        log.warning(
            "call engine %s listening on %s:%s, trunk %s",
            self.engine_id,
            self.config.listen_host,
            self.config.listen_port,
            self.config.target,
        )
        try:
            await self.take(redis)
            log.warning("draining: %s calls in progress, no new calls", len(self.calls))
            while self.calls:
                await asyncio.gather(*list(self.calls.values()), return_exceptions=True)
            log.warning("drained: every call ended")
        finally:
            beat.cancel()
            await redis.hdel(STATUS, self.engine_id)
            await redis.aclose()
            await self.close()


def request_payload(request: CallRequest) -> str:
    return json.dumps(asdict(request))
