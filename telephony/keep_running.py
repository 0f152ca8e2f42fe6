"""Run one process of the embedded set-up and start it again whenever it exits.

``python -m telephony.keep_running NAME -- COMMAND ...`` is what each line of
Procfile.embedded runs, so a crashed worker is restarted (after a pause that
grows while it keeps crashing at once) instead of honcho stopping the whole
product. SIGTERM or SIGINT (Ctrl-C, honcho stopping) is passed to the process
and ends the loop. Every exit is printed, and appended as one JSON line to
the file named by ``KEEP_RUNNING_LOG`` when set (bench/embedded_soak.py counts them).

Stopping. honcho signals a process's whole process group. The process runs in a
group of its own, so the signal reaches its main process only: a Celery worker
then stops its pool's processes itself (a pool process killed by the signal
directly made the worker log "ERROR … exited with signal 15"). A process still
running ``STOP_GRACE`` seconds later (below honcho's 5 s before SIGKILL, which
would reach this process only) is killed with its group, and so is whatever it
left behind: nothing outlives ``make run``.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time

FIRST_PAUSE, MAX_PAUSE, STABLE_AFTER = 1.0, 30.0, 60.0
STOP_GRACE = 4.0


def _kill_group(child: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, signal.SIGKILL)


def _record(name: str, code: int, ran: float) -> None:
    print(f"keep_running: {name} exited with code {code} after {ran:.0f} s; starting it again", flush=True)
    path = os.environ.get("KEEP_RUNNING_LOG")
    if path:
        with open(path, "a") as f:
            f.write(json.dumps({"process": name, "code": code, "ran_seconds": round(ran, 1), "at": time.time()}) + "\n")


def keep_running(name: str, command: list[str]) -> int:
    stopping = False
    stopped_at = 0.0
    child: subprocess.Popen | None = None

    def stop(signum, _frame):
        nonlocal stopping, stopped_at
        if not stopping:
            stopping, stopped_at = True, time.monotonic()
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    def wait(child: subprocess.Popen) -> int:
        while True:
            try:
                return child.wait(timeout=0.1)
            except subprocess.TimeoutExpired:
                if stopping and time.monotonic() - stopped_at > STOP_GRACE:
                    _kill_group(child)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    pause = FIRST_PAUSE
    while not stopping:
        started = time.monotonic()
        child = subprocess.Popen(command, process_group=0)
        if stopping:  # the signal came while it was starting
            child.send_signal(signal.SIGTERM)
        code = wait(child)
        if stopping:
            break
        ran = time.monotonic() - started
        _record(name, code, ran)
        pause = FIRST_PAUSE if ran >= STABLE_AFTER else min(pause * 2, MAX_PAUSE)
        deadline = time.monotonic() + pause
        while not stopping and time.monotonic() < deadline:
            time.sleep(0.1)
    if child is not None:
        _kill_group(child)  # what it left behind
    return 0


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        print("usage: python -m telephony.keep_running NAME -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    return keep_running(argv[0], argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
