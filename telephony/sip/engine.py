"""The call engine: one asyncio process holding the SIP stack and many calls, one task per call.

The dialer's call task hands each attempt over through a Redis list
(``telephony.gateways.sip.SipGateway``) and returns at once. The engine
takes requests off that list, checks the attempt is still its to place,
dials through baresip (``baresip-python``, see docs/decisions/sip-engine.md),
runs the app scenario on an answered call and reports ``answered`` and
``ended`` through the dialer's one idempotent reporter. A heartbeat renews
the lease of every call it holds; an engine that dies stops renewing, and
the reaper ends its calls (P03). SIGTERM drains: no new calls, the calls in
progress finish.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import json
import logging
import os
import signal
import socket
import time
import wave
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass

from asgiref.sync import sync_to_async
from django.conf import settings

from campaigns.audio import phone_audio_path
from telephony.gateways.base import CallEvent, CallRequest
from telephony.sip.causes import ANSWERED, GATEWAY_FAILURE, cause_of_failure
from telephony.sip.config import SipConfig
from telephony.sip.scenario import TRANSFERRED, run_scenario
from telephony.sip.status import STATUS
from telephony.sip.tts import speech

log = logging.getLogger(__name__)
QUEUE = "dialer:sip:calls"
FRAME = 0.02
AHEAD = 1.0  # seconds of speech written ahead of the wire


PR_SET_TIMERSLACK = 29  # linux/prctl.h


@contextlib.contextmanager
def timer_slack(ms: int):
    """Let the threads started inside wake up to ``ms`` late (Linux timer slack, inherited by new threads).

    baresip (>= 4.6, bundled by baresip-python) gives each call an "Audio TX" thread that sleeps 4 ms
    in a loop (src/audio.c, tx_thread: ``sys_msleep(4)``), with no setting to change it; with slack
    the kernel batches those wake-ups, which cuts that thread's CPU (``make bench BENCH=sip_media``;
    README.md, "Real calls: speed"). The SIP thread is started here and every call's media threads are
    started by it, so they inherit the slack; this thread goes back to the default at once."""
    libc = ctypes.CDLL(None, use_errno=True) if ms else None
    if libc is not None and libc.prctl(PR_SET_TIMERSLACK, ms * 1_000_000, 0, 0, 0) != 0:
        log.warning("timer slack not set (errno %s); media threads keep the default", ctypes.get_errno())
        libc = None
    try:
        yield
    finally:
        if libc is not None:
            libc.prctl(PR_SET_TIMERSLACK, 0, 0, 0, 0)  # 0: back to the thread's default slack


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
    with wave.open(path, "rb") as wav:
        return wav.readframes(wav.getnframes())


class CallClosed(Exception):
    """The far end hung up while the scenario ran."""


class SipChannel:
    """One answered call as the scenario runner's channel."""

    def __init__(self, call, closed: asyncio.Event, uri, attempt_id: int = 0):
        self.call = call
        self.uri = uri
        self.attempt_id = attempt_id
        self.closed = closed
        self.digits: asyncio.Queue[str] = asyncio.Queue()
        loop = asyncio.get_running_loop()
        call.on_dtmf(lambda event: loop.call_soon_threadsafe(self.digits.put_nowait, event.digit))

    def _check(self) -> None:
        if self.closed.is_set():
            raise CallClosed

    async def _send(self, pcm: bytes) -> None:
        """Write PCM at the pace the call sends it: up to AHEAD seconds buffered, topped up when half
        has gone out. Waking once a frame per call made the loop's CPU grow with every call-second
        (README.md, "Real calls: speed"); this wakes a few times a second."""
        sent, rate = 0, 16000
        while sent < len(pcm):
            self._check()
            info = self.call.audio.info()
            rate = int(info.tx_sample_rate or 8000) * 2 * (info.tx_channels or 1)  # bytes a second
            ahead = int(min(rate * AHEAD, info.tx_capacity * 3 // 4 or rate * FRAME * 5))
            buffered = info.tx_buffered
            if buffered < ahead:
                buffered += self.call.audio.write(pcm[sent : sent + ahead - buffered])
                sent += buffered - info.tx_buffered
            await asyncio.sleep(max(FRAME, buffered / rate / 2))
        while not self.closed.is_set():
            buffered = self.call.audio.info().tx_buffered
            if not buffered:
                break
            await asyncio.sleep(max(FRAME, buffered / rate))
        self._check()

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
            self._check()
            key = asyncio.ensure_future(self.digits.get())
            hung_up = asyncio.ensure_future(self.closed.wait())
            done, _ = await asyncio.wait({key, hung_up}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            hung_up.cancel()
            if key not in done:
                key.cancel()
                self._check()
                break
            pressed += key.result()
        return pressed

    async def transfer(self, number: str) -> str:
        from baresip import TransferFailed

        self._check()
        try:
            await self.call.transfer(self.uri(number))
        except TransferFailed as exc:
            # The call survives a failed transfer; the scenario goes on with the next step.
            return f"failed: {exc.status or ''} {exc.reason or exc}".replace("  ", " ")[:64]
        return TRANSFERRED  # the peer reported its new call answered (sipfrag 2xx); our leg closed

    async def opt_out(self, step: dict) -> str:
        return await sync_to_async(_opt_out, thread_sensitive=False)(self.attempt_id, step)

    async def hangup(self) -> None:
        if not self.closed.is_set():
            try:
                await self.call.hangup()
            except Exception:  # gone already
                log.debug("hangup of a closed call", exc_info=True)


LINES_PER_AGENT = 250  # baresip's line numbers run 1-255 per user agent; a few kept spare


@dataclass
class AgentLines:
    """A baresip user agent and the calls it has up."""

    ua: object
    calls: int = 0


class CallEngine:
    def __init__(self, config: SipConfig, *, engine_id: str | None = None):
        self.config = config
        self.engine_id = engine_id or f"{socket.gethostname()}:{os.getpid()}:{config.listen_port}"
        self.calls: dict[int, asyncio.Task] = {}
        self.draining = asyncio.Event()
        self.closed_reasons: dict[int, str] = {}
        self.established: set[int] = set()
        self.agents: dict[str, list[AgentLines]] = {}
        self.agent_creation = asyncio.Lock()
        self.placed = 0
        self.withdrawn = 0
        self.dial_slots = asyncio.Semaphore(config.dials_in_flight)

    # -- the stack ---------------------------------------------------------
    async def start(self) -> None:
        # baresip (a native library) is imported only by the engine process, never by the web or the workers.
        from baresip import Config, Event, Runtime

        low, high = self.config.rtp_ports
        self.runtime = Runtime()
        with timer_slack(self.config.media_timer_slack_ms):
            await self.runtime.start(
                Config(
                    net_interface=self.config.listen_host,
                    max_concurrent_calls=None,
                    extra_config_text=(
                        f"sip_listen {self.config.listen_host}:{self.config.listen_port}\nrtp_ports {low}-{high}\n"
                    ),
                )
            )

        def closed(event) -> None:
            # A call refused or answered at once (loopback) can close or be established before
            # dial() returns its handle, so before the call object listens: keep what happened.
            if event.event is Event.CALL_CLOSED and event.call:
                self.closed_reasons[event.call] = event.text or ""
                self.established.discard(event.call)
            elif event.event is Event.CALL_ESTABLISHED and event.call:
                self.established.add(event.call)

        self.runtime.subscribe(closed)

    @contextlib.asynccontextmanager
    async def line(self, a_number: str):
        """A user agent of ``a_number`` (its From user) with a free line, for one call.

        baresip numbers a user agent's calls 1-255 and refuses one more ("could not assign
        linenumber"), so an A-number with that many calls up gets another user agent. User agents
        cannot be freed (docs/decisions/sip-engine.md): they stay for the engine's life."""
        agents = self.agents.setdefault(a_number, [])
        agent = next((a for a in agents if a.calls < LINES_PER_AGENT), None)
        if agent is None:
            async with self.agent_creation:
                agent = next((a for a in agents if a.calls < LINES_PER_AGENT), None)
                if agent is None:
                    agent = AgentLines(await self._user_agent(a_number))
                    agents.append(agent)
        agent.calls += 1
        try:
            yield agent.ua
        finally:
            agent.calls -= 1

    async def _user_agent(self, a_number: str):
        from baresip import Account, UserAgent

        account = Account(
            user=a_number,
            domain=self.config.target,
            password=self.config.password,
            auth_user=self.config.username or None,
            reg_interval=0,
            transport=self.config.transport,
            audio_codecs=self.config.codecs,
            # Packet time offered: 40 ms halves the packets (and the media threads' wake-ups) of
            # 20 ms; a far end whose SDP asks for another ptime gets it (baresip src/audio.c).
            extra_params=(f"ptime={self.config.ptime}",),
        )
        return await UserAgent.create(self.runtime, account)

    # -- one call ----------------------------------------------------------
    async def place(self, request: CallRequest, dialed=lambda: None) -> None:
        from baresip import Event, StackEvent

        ended = CallEvent(request.attempt_id, "ended", cause=GATEWAY_FAILURE)
        call = None
        try:
            async with self.line(request.a_number) as agent:
                call = await agent.dial(
                    self.config.uri(request.b_number),
                    headers={
                        "P-Asserted-Identity": f"<{self.config.uri(request.a_number)}>",
                        "X-Dialtone-Attempt": str(request.attempt_id),
                    },
                )
                dialed()
                closed = asyncio.Event()

                def on_event(event: StackEvent) -> None:
                    if event.event is Event.CALL_CLOSED:
                        closed.set()

                call.on(on_event)
                failure = await self._unanswered_cause(call)
                if failure is not None:
                    ended = CallEvent(request.attempt_id, "ended", cause=failure)
                    return
                ended = await self._play_answered(call, closed, request)
        except Exception:
            log.exception("call of attempt %s failed in the engine", request.attempt_id)
        finally:
            if call is not None:
                self.closed_reasons.pop(call.handle, None)
                self.established.discard(call.handle)
            await sync_to_async(_report, thread_sensitive=False)(ended)

    async def _unanswered_cause(self, call) -> str | None:
        """Wait for the answer: None once answered, else the cause of the failure (no answer in time, a SIP refusal)."""
        from baresip import CallFailed, CallState, CallTimeout

        try:
            if call.handle in self.closed_reasons:
                raise CallFailed.from_close_reason(self.closed_reasons.pop(call.handle))
            if call.handle in self.established:
                call._state = CallState.ESTABLISHED  # answered before the call object existed
            else:
                await call.wait_established(timeout=self.config.ring_timeout)
        except CallTimeout:
            return cause_of_failure(None, ring_timeout=True)
        except CallFailed as failure:
            return cause_of_failure(failure.status)
        return None

    async def _play_answered(self, call, closed: asyncio.Event, request: CallRequest) -> CallEvent:
        """Report the answer, run the scenario, hang up unless the subscriber did: the call's end."""
        from baresip import CallState

        answered_at = time.monotonic()
        await sync_to_async(_report, thread_sensitive=False)(CallEvent(request.attempt_id, "answered"))
        channel = SipChannel(call, closed, self.config.uri, request.attempt_id)
        digits = transfer = ""
        try:
            result = await run_scenario(request.scenario, channel)
            digits, transfer = result.digits, result.transfer
            log.info(
                "attempt %s: steps %s, digits %r%s",
                request.attempt_id,
                ",".join(result.path),
                digits,
                f", transfer {transfer!r}" if transfer else "",
            )
        except CallClosed:
            pass  # the subscriber hung up first: the call is over, answered
        except Exception:
            log.exception("scenario of attempt %s failed; the call ends answered", request.attempt_id)
        if call.state is not CallState.CLOSED:
            await channel.hangup()
        return CallEvent(
            request.attempt_id,
            "ended",
            cause=ANSWERED,
            duration=round(time.monotonic() - answered_at),
            digits=digits,
            transfer=transfer,
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
            await self.runtime.close()


def request_payload(request: CallRequest) -> str:
    return json.dumps(asdict(request))
