"""The whole path with real components: dispatcher → call task → Redis → call engine → SIPp carrier.

SIPp (Debian sip-tester) plays the carrier with telephony/sip/testing/carrier.xml: the digit
after the called number's first six picks what happens (answer and press 1, answer silently,
hang up first, 486, 603, 480 after ringing, 404, 503, ring until our CANCEL, answer and take
our REFER).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from campaigns.causes import ANSWERED_END_LOST, LOST_BY_WORKER
from campaigns.dialer import dialer_reap, dialer_tick
from campaigns.models import AttemptStatus, CallAttempt, CallJob, Campaign, CampaignStatus, JobStatus
from campaigns.services import campaign_finish, campaign_pause, campaign_resume
from campaigns.tests.dialer.helpers import dialer_campaign, legal_hours_off_for_subprocesses, play_calls
from campaigns.tests.dialer.test_integration_workers import drive, max_overlap
from telephony.sip.engine import QUEUE
from telephony.sip.status import STATUS

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[3]
CARRIER = ROOT / "telephony" / "sip" / "testing" / "carrier.xml"
ENGINE_PORT, CARRIER_PORT = 5100, 5101
EXPECTED = {"0": "200", "1": "200", "2": "200", "3": "486", "4": "603", "5": "480", "6": "404", "7": "503", "8": "408"}
SCENARIO = [
    {"id": "hello", "type": "say", "text": "Hello {name}"},
    {
        "id": "menu",
        "type": "gather",
        "prompt": "Press one",
        "digits": 1,
        "timeout": 4,
        "branches": {"1": "yes"},
        "default": "no",
    },
    {"id": "yes", "type": "say", "text": "Thank you"},
    {"id": "done", "type": "hangup"},
    {"id": "no", "type": "say", "text": "Goodbye"},
]


def need(binary: str) -> None:
    if shutil.which(binary) is None:
        message = f"{binary} is not installed (Debian: sip-tester, espeak-ng, sox)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def carrier(tmp_path):
    """A SIPp UAS on CARRIER_PORT; yields the path of its message trace."""
    for binary in ("sipp", "espeak-ng", "sox"):
        need(binary)
    trace = tmp_path / "sipp_messages.log"
    process = subprocess.Popen(
        [
            "sipp",
            "-sf",
            str(CARRIER),
            "-i",
            "127.0.0.1",
            "-p",
            str(CARRIER_PORT),
            "-mi",
            "127.0.0.1",
            "-mp",
            "23900",  # media: clear of the engines' RTP and of the default SIP_RTP_PORTS (20000-20999)
            "-cp",
            str(CARRIER_PORT + 8),  # its control port: not SIPp's default 8888, which another SIPp may hold
            "-trace_msg",
            "-message_file",
            str(trace),
            "-nostdin",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    time.sleep(0.5)
    assert process.poll() is None, "SIPp did not start"
    yield trace
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


@pytest.fixture
def engines(settings, tmp_path, request):
    """Start `manage.py call_engine` subprocesses on the test database; all killed at the end."""
    import redis

    legal_hours_off_for_subprocesses(request)
    redis.Redis.from_url(django_settings.REDIS_URL).delete(QUEUE, STATUS)
    settings.DIALER_GATEWAY = "sip"
    settings.DIALER_LEASE_SECONDS = 6
    settings.MEDIA_ROOT = tmp_path / "media"  # uploads made by a test are what its engines play
    started: list[subprocess.Popen] = []
    db = connection.settings_dict

    def start(n: int = 0, processes: int = 1) -> subprocess.Popen:
        env = dict(os.environ)
        env.update(
            DATABASE_URL=f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            DJANGO_SETTINGS_MODULE="telephony.settings",
            DIALER_LEASE_SECONDS="6",
            SIP_TRUNK=f"sip:127.0.0.1:{CARRIER_PORT}",
            SIP_LISTEN=f"127.0.0.1:{ENGINE_PORT + 2 + n}",
            SIP_RTP_PORTS=f"{22000 + 200 * n}-{22199 + 200 * n + 200 * (processes - 1)}",
            SIP_RING_TIMEOUT="3",
            SIP_TTS_CACHE_DIR=str(tmp_path / "tts"),
            MEDIA_ROOT=str(tmp_path / "media"),
        )
        log = open(tmp_path / f"engine{n}.log", "w")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "manage.py", "call_engine", "--processes", str(processes)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        # Where the test finds each engine's log and port, carried on the process itself.
        log_path, sip_port = tmp_path / f"engine{n}.log", ENGINE_PORT + 2 + n
        process.log_path = log_path  # type: ignore[attr-defined]
        process.sip_port = sip_port  # type: ignore[attr-defined]
        started.append(process)
        # Ready once registered: a claim queued before would wait out its lease on a slow machine and be
        # withdrawn (a pool's position spent), which is not what a test of placing calls means to test.
        client, deadline = redis.Redis.from_url(django_settings.REDIS_URL), time.monotonic() + 90
        # Each engine's id ends with its pid and port; with --processes the pids are the children's.
        suffixes = {f":{process.pid}:{sip_port}"} if processes == 1 else {f":{sip_port + i}" for i in range(processes)}
        while not all(
            any((key.decode() if isinstance(key, bytes) else key).endswith(suffix) for key in client.hkeys(STATUS))
            for suffix in suffixes
        ):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"call engine {n} did not start: {log_path.read_text()[-2000:]}")
            time.sleep(0.1)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def invites(trace: Path) -> list[dict]:
    """Every INVITE SIPp received: its From user and our attempt id."""
    text = trace.read_text(errors="replace") if trace.exists() else ""
    found = []
    for message in re.split(r"-{10,}", text):
        if re.search(r"^INVITE sip:", message, re.M):
            user = re.search(r"^From:\s*<sip:([^@>]+)@", message, re.M | re.I)
            attempt = re.search(r"^X-Dialtone-Attempt:\s*(\d+)", message, re.M | re.I)
            found.append({"from": user and user[1], "attempt": attempt and int(attempt[1])})
    return found


def refers(trace: Path) -> list[str]:
    """The Refer-To user of every REFER SIPp received."""
    text = trace.read_text(errors="replace") if trace.exists() else ""
    return re.findall(r"^Refer-To:\s*<?sip:([^@>]+)@", text, re.M | re.I)


def queued() -> int:
    import redis

    return redis.Redis.from_url(django_settings.REDIS_URL).llen("dialer:sip:calls")


def run_until(done, *, timeout: float = 120, what: str = "") -> None:
    """The dispatcher, the call tasks and the reaper, in turn, until ``done()`` (no time is asserted)."""
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached in {timeout} s: {what}")
        dialer_tick()
        play_calls()
        dialer_reap()
        time.sleep(0.1)


def status_of(engine) -> dict:
    import redis

    from telephony.sip.status import engines_status

    states = engines_status(redis.Redis.from_url(django_settings.REDIS_URL))
    return next((state for key, state in states.items() if key.endswith(f":{engine.sip_port}")), {})


def campaign_over(customer, kinds: list[str], scenario=SCENARIO, launch: bool = True, **fields):
    campaign = dialer_campaign(customer, contacts=len(kinds), launch=False, **fields)
    contacts = list(campaign.distribution_list.contacts.order_by("row_number"))
    for n, (contact, kind) in enumerate(zip(contacts, kinds, strict=True)):
        contact.phone = f"+447911{kind}{n:05d}"
    type(contacts[0]).objects.bulk_update(contacts, ["phone"])
    campaign.app.scenario = scenario
    campaign.app.save()
    if not launch:
        return campaign
    from campaigns.services import campaign_launch

    return campaign_launch(campaign=campaign)


def test_a_mixed_list_ends_with_the_carriers_causes_digits_and_the_a_number_as_from(customer, carrier, engines):
    engine = engines()
    kinds = list("012345678")
    campaign = campaign_over(customer, kinds, lines=4, repeat_busy=True, repeat_busy_count=1, repeat_busy_period=1)
    drive(campaign, timeout=240, on_tick=lambda _: play_calls(campaign), reap=True)
    attempts = list(CallAttempt.objects.filter(campaign=campaign).order_by("pk"))
    by_kind: dict[str, list[CallAttempt]] = {}
    for attempt in attempts:
        by_kind.setdefault(attempt.b_number[7], []).append(attempt)
    assert {kind: [a.cause for a in rows] for kind, rows in by_kind.items()} == {
        kind: [cause] * (2 if cause in ("486", "603") else 1) for kind, cause in EXPECTED.items()
    }
    pressed = by_kind["0"][0]
    assert pressed.digits == "1" and pressed.answered_at and pressed.ended_at >= pressed.answered_at
    assert pressed.duration >= 2
    assert by_kind["1"][0].digits == "" and by_kind["1"][0].answered_at
    assert all(a.answered_at is None and a.duration == 0 for k in "345678" for a in by_kind[k])
    assert not CallAttempt.objects.filter(campaign=campaign, cause=LOST_BY_WORKER).exists()
    assert CallJob.objects.filter(campaign=campaign).exclude(status=JobStatus.DONE).count() == 0
    assert max_overlap(attempts) <= campaign.lines
    seen = invites(carrier)
    assert sorted(i["attempt"] for i in seen) == sorted(a.pk for a in attempts)  # each placed once
    numbers = {a.pk: a.a_number for a in attempts}
    assert all(i["from"] == numbers[i["attempt"]] for i in seen)
    log = engine.log_path.read_text()
    assert f"attempt {pressed.pk}: steps hello,menu,yes,done, digits '1'" in log
    assert f"attempt {by_kind['1'][0].pk}: steps hello,menu,no, digits ''" in log


def test_a_killed_engine_loses_nobody_and_places_no_attempt_twice(customer, carrier, engines):
    first = engines(0)
    campaign = campaign_over(
        customer, ["1"] * 6, lines=3, repeat_failed=True, repeat_failed_count=1, repeat_failed_period=1
    )
    killed = []

    def tick(_):
        play_calls(campaign)
        if not killed and CallAttempt.objects.filter(campaign=campaign, answered_at__isnull=False).exists():
            os.killpg(first.pid, signal.SIGKILL)
            killed.append(True)
            engines(1)

    drive(campaign, timeout=300, on_tick=tick, reap=True)
    attempts = list(CallAttempt.objects.filter(campaign=campaign))
    assert killed and any(a.cause in (LOST_BY_WORKER, ANSWERED_END_LOST) for a in attempts)
    assert CallJob.objects.filter(campaign=campaign).exclude(status=JobStatus.DONE).count() == 0
    placed = [i["attempt"] for i in invites(carrier)]
    assert len(placed) == len(set(placed))


def test_a_sequential_pools_rotation_is_the_from_user_of_each_invite(customer, carrier, engines):
    from callerid_pools.services import pool_members_add
    from callerid_pools.tests.factories import NumberPoolFactory
    from dids.tests.factories import AssignedDIDFactory

    pool = NumberPoolFactory(customer=customer)
    dids = [AssignedDIDFactory(client_package__customer=customer) for _ in range(3)]
    pool_members_add(pool=pool, dids=dids)
    engines()
    campaign = campaign_over(customer, ["3"] * 7, lines=2, launch=False)  # 486: short calls, no repeats
    campaign.a_number_did, campaign.a_number_pool = None, pool
    campaign.save()
    from campaigns.services import campaign_launch

    campaign = campaign_launch(campaign=campaign)
    drive(campaign, timeout=180, on_tick=lambda _: play_calls(campaign), reap=True)
    attempts = {a.pk: a for a in CallAttempt.objects.filter(campaign=campaign)}
    seen = sorted(invites(carrier), key=lambda i: i["attempt"])
    assert [i["attempt"] for i in seen] == sorted(attempts)  # each placed once
    rotation = [did.number for did in dids]
    assert [i["from"] for i in seen] == (rotation * 3)[:7]  # the pool's order, wrapping, as SIPp saw it
    assert all(attempts[i["attempt"]].a_number == i["from"] and attempts[i["attempt"]].cause == "486" for i in seen)


def test_a_transfer_is_a_refer_and_the_attempt_keeps_what_the_peer_answered(customer, carrier, engines):
    engine = engines()
    results = {}
    for target, name in (("+441174090100", "Transfer taken"), ("+441174090106", "Transfer refused")):
        scenario = [
            {"id": "hello", "type": "say", "text": "Putting you through"},
            {"id": "agent", "type": "transfer", "number": target},
            {"id": "sorry", "type": "say", "text": "Nobody is free: reached only when the transfer is refused"},
        ]
        campaign = campaign_over(customer, ["9"], scenario=scenario, lines=1, name=name)
        drive(campaign, timeout=120, on_tick=lambda _, c=campaign: play_calls(c), reap=True)
        results[target] = CallAttempt.objects.get(campaign=campaign)
    taken, refused = results["+441174090100"], results["+441174090106"]
    assert (taken.cause, taken.transfer) == ("200", "transferred") and taken.answered_at
    assert (refused.cause, refused.transfer) == ("200", "failed: 486 Busy Here") and refused.answered_at
    assert refers(carrier) == ["+441174090100", "+441174090106"]
    log = engine.log_path.read_text()
    assert f"attempt {taken.pk}: steps hello,agent, digits '', transfer 'transferred'" in log
    assert f"attempt {refused.pk}: steps hello,agent,sorry, digits '', transfer 'failed: 486 Busy Here'" in log


def test_sigterm_drains_the_engine_takes_no_new_call_and_its_calls_finish(customer, carrier, engines):
    first = engines(0)
    campaign = campaign_over(customer, ["1"] * 4, lines=2)
    answered = CallAttempt.objects.filter(campaign=campaign, answered_at__isnull=False)
    run_until(lambda: answered.count() == 2, what="two calls answered")
    in_progress = list(answered.values_list("pk", flat=True))
    first.send_signal(signal.SIGTERM)
    # Its two calls run their scenario to the end; the lines they free are claimed, and queued.
    run_until(lambda: first.poll() is not None, what="the draining engine exits when its calls have ended")
    assert first.returncode == 0
    ended = {a.pk: a for a in CallAttempt.objects.filter(pk__in=in_progress)}
    assert all(a.cause == "200" and a.duration >= 4 for a in ended.values())
    log = first.log_path.read_text()
    assert all(f"attempt {pk}: steps hello,menu,no, digits ''" in log for pk in in_progress)
    assert "draining: 2 calls in progress, no new calls" in log and "drained: every call ended" in log
    run_until(lambda: queued() >= 1, what="calls claimed after the drain wait in the queue")
    placed = {i["attempt"] for i in invites(carrier)}
    assert placed == set(in_progress)  # nothing new was dialled by the draining engine
    assert status_of(first) == {}  # it removed its registration on the way out
    engines(1)  # another engine takes what waits
    drive(campaign, timeout=180, on_tick=lambda _: play_calls(campaign), reap=True)
    attempts = list(CallAttempt.objects.filter(campaign=campaign))
    assert sorted(i["attempt"] for i in invites(carrier)) == sorted(a.pk for a in attempts)  # each placed once
    assert CallJob.objects.filter(campaign=campaign).exclude(status=JobStatus.DONE).count() == 0


def test_processes_run_engines_on_successive_ports_that_share_the_calls_and_drain_together(customer, carrier, engines):
    pair = engines(0, processes=2)
    ports = {pair.sip_port, pair.sip_port + 1}
    assert {int(engine_id.rsplit(":", 1)[1]) for engine_id in engines_status_ids()} == ports
    campaign = campaign_over(customer, ["2"] * 16, lines=8)
    drive(campaign, timeout=180, on_tick=lambda _: play_calls(campaign), reap=True)
    attempts = list(CallAttempt.objects.filter(campaign=campaign))
    assert len(attempts) == 16 and {a.cause for a in attempts} == {"200"}
    # Both engines placed calls: each attempt names the engine (host:pid:port) that dialled it.
    assert {int(a.worker.rsplit(":", 1)[1]) for a in attempts} == ports
    assert sorted(i["attempt"] for i in invites(carrier)) == sorted(a.pk for a in attempts)  # each placed once
    pair.send_signal(signal.SIGTERM)
    run_until(lambda: pair.poll() is not None, what="the engines drain and their supervisor exits")
    assert pair.returncode == 0
    assert engines_status_ids() == set()


def test_when_one_engine_of_a_set_dies_the_others_stop_and_the_set_exits_with_an_error(customer, carrier, engines):
    pair = engines(0, processes=2)
    children = Path(f"/proc/{pair.pid}/task/{pair.pid}/children").read_text().split()
    assert len(children) == 2
    os.kill(int(children[-1]), signal.SIGKILL)  # the last: the supervisor must watch every engine, not the first
    run_until(lambda: pair.poll() is not None, what="the supervisor stops the other engine and exits")
    assert pair.returncode != 0
    log = pair.log_path.read_text()
    assert "exited with code -9: stopping the others" in log and "drained: every call ended" in log


def engines_status_ids() -> set[str]:
    import redis

    keys = redis.Redis.from_url(django_settings.REDIS_URL).hkeys(STATUS)
    return {key.decode() if isinstance(key, bytes) else key for key in keys}


def test_pause_and_finish_withdraw_the_calls_queued_for_the_engines(customer, carrier, engines, settings):
    settings.DIALER_LEASE_SECONDS = 60  # the engine, not the lease running out, withdraws them
    paused = campaign_over(customer, ["1"] * 3, lines=3, name="Paused")
    finished = campaign_over(customer, ["1"] * 3, lines=3, name="Finished")
    dialer_tick()
    play_calls()
    assert queued() == 6  # handed over; no engine runs yet
    campaign_pause(campaign=Campaign.objects.get(pk=paused.pk))
    campaign_finish(campaign=Campaign.objects.get(pk=finished.pk))
    engine = engines()
    dialing = CallAttempt.objects.filter(status=AttemptStatus.DIALING)
    deadline = time.monotonic() + 120
    while queued() or dialing.exists():  # no reaper here: only the engine's check withdraws them
        assert time.monotonic() < deadline, "the queued calls were not withdrawn"
        time.sleep(0.1)
    assert invites(carrier) == []  # not one dialled
    assert not CallAttempt.objects.filter(campaign__in=[paused, finished]).exists()
    assert set(CallJob.objects.filter(campaign=paused).values_list("status", "attempts_made")) == {
        (JobStatus.PENDING, 0)
    }
    assert set(CallJob.objects.filter(campaign=finished).values_list("status", flat=True)) == {JobStatus.CANCELLED}
    run_until(lambda: status_of(engine).get("withdrawn") == 6, what="the engine counts what it withdrew")
    # Resumed, the paused campaign calls everyone, each once.
    campaign_resume(campaign=Campaign.objects.get(pk=paused.pk))
    drive(paused, timeout=180, on_tick=lambda _: play_calls(paused), reap=True)
    attempts = list(CallAttempt.objects.filter(campaign=paused))
    assert sorted(i["attempt"] for i in invites(carrier)) == sorted(a.pk for a in attempts)
    assert [a.number for a in attempts] == [1, 1, 1] and {a.cause for a in attempts} == {"200"}


def test_calls_in_progress_end_normally_when_the_campaign_is_paused_or_finished(customer, carrier, engines):
    engine = engines()
    campaign = campaign_over(customer, ["1"] * 6, lines=2)
    answered = CallAttempt.objects.filter(campaign=campaign, answered_at__isnull=False)
    for stop, resume in ((campaign_pause, True), (campaign_finish, False)):
        before = set(answered.values_list("pk", flat=True))
        run_until(lambda b=before: answered.exclude(pk__in=b).count() == 2, what="two calls in progress")
        live = set(answered.exclude(pk__in=before).values_list("pk", flat=True))
        assert CallAttempt.objects.filter(pk__in=live, status=AttemptStatus.DIALING).count() == 2
        stop(campaign=Campaign.objects.get(pk=campaign.pk))
        run_until(
            lambda live=live: not CallAttempt.objects.filter(pk__in=live, status=AttemptStatus.DIALING).exists(),
            what="the calls in progress end",
        )
        for attempt in CallAttempt.objects.filter(pk__in=live):
            # Not hung up: each ran its whole scenario (hello, a 4 s gather, goodbye) and ended answered.
            assert attempt.cause == "200" and attempt.duration >= 4
            assert f"attempt {attempt.pk}: steps hello,menu,no, digits ''" in engine.log_path.read_text()
        for _ in range(10):  # while stopped, the dispatcher starts nothing
            dialer_tick()
            play_calls()
        assert CallAttempt.objects.filter(campaign=campaign).count() == len(before) + 2
        if resume:
            campaign_resume(campaign=Campaign.objects.get(pk=campaign.pk))
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.FINISHED
    jobs = list(CallJob.objects.filter(campaign=campaign).values_list("status", flat=True))
    # The two ended before the finish are done; the two whose calls ended after it are closed as
    # cancelled (no repeat after a finish), their attempts answered; the two never called, cancelled.
    assert sorted(jobs) == sorted([JobStatus.DONE] * 2 + [JobStatus.CANCELLED] * 4)
    assert CallAttempt.objects.filter(campaign=campaign, cause="200").count() == 4
    assert len(invites(carrier)) == 4


def test_a_play_step_plays_the_recording_converted_at_upload(customer, carrier, engines, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from campaigns.services import audio_file_create

    engine = engines()
    tone = tmp_path / "jingle.mp3"
    subprocess.run(["sox", "-n", "-r", "44100", "-c", "2", str(tone), "synth", "3", "sine", "440"], check=True)
    audio = audio_file_create(
        name="Jingle", uploaded=SimpleUploadedFile("jingle.mp3", tone.read_bytes()), customer=customer
    )
    scenario = [
        {"id": "hello", "type": "say", "text": "Listen"},
        {"id": "jingle", "type": "play", "audio": audio.pk},
        {"id": "end", "type": "hangup"},
    ]
    campaign = campaign_over(customer, ["1"], scenario=scenario, lines=1)
    drive(campaign, timeout=120, on_tick=lambda _: play_calls(campaign), reap=True)
    attempt = CallAttempt.objects.get(campaign=campaign)
    assert attempt.cause == "200" and attempt.duration >= 3  # the 3 s recording was sent at the call's pace
    log = engine.log_path.read_text()
    assert f"attempt {attempt.pk}: steps hello,jingle,end, digits ''" in log and "skipped" not in log


def test_the_opt_out_digit_pressed_on_a_real_call_lands_in_the_customers_dnc_list(customer, carrier, engines):
    from dnc.models import DncEntry, DncSource

    engine = engines()
    opt_out = [{**SCENARIO[0]}, {**SCENARIO[1], "branches": {}, "opt_out": "1", "opt_out_confirmation": "Noted."}]
    campaign = campaign_over(customer, ["0"], opt_out, lines=1)  # the carrier answers "0" numbers and presses 1
    drive(campaign, timeout=120, on_tick=lambda _: play_calls(campaign), reap=True)
    attempt = CallAttempt.objects.get(campaign=campaign)
    entry = DncEntry.objects.get(customer=customer, number=attempt.b_number)
    assert (entry.source, entry.campaign_id, entry.attempt_id) == (DncSource.OPT_OUT, campaign.pk, attempt.pk)
    assert attempt.digits == "1" and attempt.answered_at
    assert f"attempt {attempt.pk}: steps hello,menu, digits '1'" in engine.log_path.read_text()
