"""The embedded set-up (`make run`): its broker, its process keeper, its error pages."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error
from kombu import Connection

from telephony import embedded_broker

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def channel(tmp_path):
    embedded_broker.register()
    folder = tmp_path / "queue"
    folder.mkdir()
    options = {"data_folder_in": str(folder), "data_folder_out": str(folder), "store_processed": False}
    with Connection("embedded://", transport_options=options) as conn:
        yield conn.default_channel


def test_a_message_being_written_is_not_visible_to_a_consumer(channel, monkeypatch):
    # The upstream race: the consumer lists the folder while the producer is
    # between creating the message file and writing it, and dies on JSONDecodeError.
    seen = []
    real_dumps = embedded_broker.dumps

    def dumps_while_consumer_polls(payload):
        try:
            seen.append(channel._get("calls"))
        except Exception as exc:  # Empty is the right answer; JSONDecodeError the bug
            seen.append(type(exc).__name__)
        return real_dumps(payload)

    monkeypatch.setattr(embedded_broker, "dumps", dumps_while_consumer_polls)
    channel._put("calls", {"body": "one"})
    assert seen == ["Empty"]
    monkeypatch.setattr(embedded_broker, "dumps", real_dumps)
    assert channel._get("calls") == {"body": "one"}


def test_an_unreadable_message_file_is_set_aside_not_raised(channel):
    folder = Path(channel.data_folder_in)
    (folder / "0_half-written.calls.msg").write_bytes(b"")
    channel._put("calls", {"body": "two"})
    assert channel._get("calls") == {"body": "two"}
    assert [p.name for p in (folder.parent / "rejected").iterdir()] == ["0_half-written.calls.msg"]


def test_the_product_uses_the_embedded_broker_without_a_broker_url():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.CELERY_BROKER_URL)",
        ],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "CELERY_BROKER_URL"}
        | {"DJANGO_SETTINGS_MODULE": "telephony.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "embedded://"


def _wait_for(path: Path) -> None:
    for _ in range(600):
        if path.exists():
            return
        time.sleep(0.05)
    raise AssertionError(f"{path} never appeared")


def test_a_crashed_process_is_started_again_and_stop_ends_it(tmp_path):
    first, second, log = tmp_path / "first", tmp_path / "second", tmp_path / "exits.jsonl"
    script = (
        "import pathlib, sys, time\n"
        f"first, second = pathlib.Path({str(first)!r}), pathlib.Path({str(second)!r})\n"
        "if not first.exists():\n    first.touch(); sys.exit(3)\n"
        "second.touch(); time.sleep(60)\n"
    )
    keeper = subprocess.Popen(
        [sys.executable, "-m", "telephony.keep_running", "demo", "--", sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "KEEP_RUNNING_LOG": str(log)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for(second)
        keeper.send_signal(signal.SIGTERM)
        assert keeper.wait(timeout=30) == 0
    finally:
        if keeper.poll() is None:
            keeper.kill()
    assert [json.loads(line)["code"] for line in log.read_text().splitlines()] == [3]
    assert "demo exited with code 3" in keeper.stdout.read()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _keeper(tmp_path: Path, script: str) -> subprocess.Popen:
    # As honcho starts it: a session of its own, which honcho's SIGTERM and SIGKILL go to as a whole.
    return subprocess.Popen(
        [sys.executable, "-m", "telephony.keep_running", "demo", "--", sys.executable, "-c", script],
        cwd=ROOT,
        start_new_session=True,
    )


def test_honchos_stop_reaches_the_main_process_only_and_leaves_nothing_behind(tmp_path):
    # A Celery worker stops its pool's processes itself; signalled directly, each of them
    # died of the signal and the worker logged "ERROR … exited with signal 15" on every Ctrl-C.
    ready, main_term, pool_term, pool_pid = (tmp_path / n for n in ("ready", "main-term", "pool-term", "pool-pid"))
    pool = (
        "import pathlib, signal, sys, time\n"
        f"signal.signal(signal.SIGTERM, lambda *a: (pathlib.Path({str(pool_term)!r}).touch(), sys.exit(0)))\n"
        "time.sleep(60)\n"
    )
    script = (
        "import pathlib, signal, subprocess, sys, time\n"
        f"signal.signal(signal.SIGTERM, lambda *a: (pathlib.Path({str(main_term)!r}).touch(), sys.exit(0)))\n"
        f"child = subprocess.Popen([sys.executable, '-c', {pool!r}])\n"
        f"pathlib.Path({str(pool_pid)!r}).write_text(str(child.pid))\n"
        f"time.sleep(0.5); pathlib.Path({str(ready)!r}).touch(); time.sleep(60)\n"
    )
    keeper = _keeper(tmp_path, script)
    try:
        _wait_for(ready)
        os.killpg(keeper.pid, signal.SIGTERM)
        assert keeper.wait(timeout=30) == 0
    finally:
        if keeper.poll() is None:
            os.killpg(keeper.pid, signal.SIGKILL)
    assert main_term.exists() and not pool_term.exists()
    # The process left its child behind: it was killed with the group, not orphaned.
    pid = int(pool_pid.read_text())
    for _ in range(100):
        if not _alive(pid):
            break
        time.sleep(0.05)
    assert not _alive(pid)


def test_a_process_that_does_not_stop_is_killed_before_honcho_would_kill_the_keeper(tmp_path):
    from telephony.keep_running import STOP_GRACE

    ready = tmp_path / "ready"
    script = (
        "import pathlib, signal, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        f"pathlib.Path({str(ready)!r}).touch(); time.sleep(60)\n"
    )
    keeper = _keeper(tmp_path, script)
    try:
        _wait_for(ready)
        started = time.monotonic()
        os.killpg(keeper.pid, signal.SIGTERM)
        assert keeper.wait(timeout=30) == 0
        assert time.monotonic() - started < 5  # honcho's KILL_WAIT
        assert STOP_GRACE < 5
    finally:
        if keeper.poll() is None:
            os.killpg(keeper.pid, signal.SIGKILL)


@pytest.mark.parametrize(("honcho_status", "make_status"), [(130, 0), (143, 0), (1, 2)])
def test_make_run_stopped_by_a_signal_is_no_error_but_a_failure_still_is(tmp_path, honcho_status, make_status):
    # honcho ends with 130 after Ctrl-C (143 after SIGTERM): make reported "make: *** [run] Error 130".
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    for tool, body in {"python": "exit 0", "honcho": f"exit {honcho_status}"}.items():
        (venv / "bin" / tool).write_text(f"#!/bin/sh\n{body}\n")
        (venv / "bin" / tool).chmod(0o755)
    (venv / ".installed").touch()
    result = subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), "run", f"VENV={venv}", "PORT=8799"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == make_status, result.stderr
    assert ("Error" in result.stderr) == (make_status != 0)


def test_make_run_serves_the_product_pages_not_the_debug_pages():
    run_target = (ROOT / "Makefile").read_text().split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "DEBUG=true" not in run_target
    assert all("keep_running" in line for line in (ROOT / "Procfile.embedded").read_text().splitlines() if line)


@pytest.mark.django_db
def test_a_missing_page_is_the_products_own_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.django_db
def test_a_missing_page_signed_in_keeps_the_menu(client, customer_user):
    client.force_login(customer_user)
    body = client.get("/no-such-page/").content.decode()
    assert "Page not found" in body and "Log out" in body


def test_a_server_error_is_the_products_own_500():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_static_files_are_served_with_debug_off(client, settings):
    settings.DEBUG = False
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
