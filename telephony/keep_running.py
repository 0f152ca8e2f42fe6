"""Run one process of the embedded set-up and start it again whenever it exits.

``python -m telephony.keep_running NAME -- COMMAND ...`` is what each line of
Procfile.embedded runs, so a crashed worker is restarted (after a pause that
grows while it keeps crashing at once) instead of honcho stopping the whole
product. SIGTERM or SIGINT (Ctrl-C, honcho stopping) is passed to the process
and ends the loop. Every exit is printed, and appended as one JSON line to
the file named by ``KEEP_RUNNING_LOG`` when set (bench/embedded_soak.py counts them).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

FIRST_PAUSE, MAX_PAUSE, STABLE_AFTER = 1.0, 30.0, 60.0


def _record(name: str, code: int, ran: float) -> None:
    print(f"keep_running: {name} exited with code {code} after {ran:.0f} s; starting it again", flush=True)
    path = os.environ.get("KEEP_RUNNING_LOG")
    if path:
        with open(path, "a") as f:
            f.write(json.dumps({"process": name, "code": code, "ran_seconds": round(ran, 1), "at": time.time()}) + "\n")


def keep_running(name: str, command: list[str]) -> int:
    stopping = False
    child: subprocess.Popen | None = None

    def stop(signum, _frame):
        nonlocal stopping
        stopping = True
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    pause = FIRST_PAUSE
    while not stopping:
        started = time.monotonic()
        child = subprocess.Popen(command)
        code = child.wait()
        if stopping:
            break
        ran = time.monotonic() - started
        _record(name, code, ran)
        pause = FIRST_PAUSE if ran >= STABLE_AFTER else min(pause * 2, MAX_PAUSE)
        deadline = time.monotonic() + pause
        while not stopping and time.monotonic() < deadline:
            time.sleep(0.1)
    return 0


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        print("usage: python -m telephony.keep_running NAME -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    return keep_running(argv[0], argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
