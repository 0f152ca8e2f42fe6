"""The whole path with real components: dispatcher → call task → Redis → call engine → SIPp carrier.

SIPp (Debian sip-tester) plays the carrier with telephony/sip/testing/carrier.xml: the digit
after the called number's first six picks what happens (answer and press 1, answer silently,
hang up first, 486, 603, 480 after ringing, 404, 503, ring until our CANCEL).
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
from campaigns.models import CallAttempt, CallJob, JobStatus
from campaigns.tests.dialer.helpers import dialer_campaign, play_calls
from campaigns.tests.dialer.test_integration_workers import drive, max_overlap

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
            "20900",
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
def engines(settings, tmp_path):
    """Start `manage.py call_engine` subprocesses on the test database; all killed at the end."""
    import redis

    redis.Redis.from_url(django_settings.REDIS_URL).delete("dialer:sip:calls", "dialer:sip:engines")
    settings.DIALER_GATEWAY = "sip"
    settings.DIALER_LEASE_SECONDS = 6
    started: list[subprocess.Popen] = []
    db = connection.settings_dict

    def start(n: int = 0) -> subprocess.Popen:
        env = dict(os.environ)
        env.update(
            DATABASE_URL=f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            DJANGO_SETTINGS_MODULE="telephony.settings",
            DIALER_LEASE_SECONDS="6",
            SIP_TRUNK=f"sip:127.0.0.1:{CARRIER_PORT}",
            SIP_LISTEN=f"127.0.0.1:{ENGINE_PORT + 2 + n}",
            SIP_RTP_PORTS=f"{20000 + 200 * n}-{20199 + 200 * n}",
            SIP_RING_TIMEOUT="3",
            SIP_TTS_CACHE_DIR=str(tmp_path / "tts"),
        )
        log = open(tmp_path / f"engine{n}.log", "w")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "manage.py", "call_engine"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        process.log_path = tmp_path / f"engine{n}.log"
        started.append(process)
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


def campaign_over(customer, kinds: list[str], scenario: list[dict] = SCENARIO, **fields):
    campaign = dialer_campaign(customer, contacts=len(kinds), launch=False, **fields)
    contacts = list(campaign.distribution_list.contacts.order_by("row_number"))
    for n, (contact, kind) in enumerate(zip(contacts, kinds, strict=True)):
        contact.phone = f"+447911{kind}{n:05d}"
    type(contacts[0]).objects.bulk_update(contacts, ["phone"])
    campaign.app.scenario = scenario
    campaign.app.save()
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
