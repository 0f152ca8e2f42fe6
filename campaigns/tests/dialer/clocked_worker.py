"""`celery` with its clock shifted (time-machine), for real-worker tests whose dispatcher runs at a travelled time.

Usage: ``python -m campaigns.tests.dialer.clocked_worker <offset seconds> -A telephony worker ...``

The worker re-checks each claim when it takes it (lease running, work period
and legal hours open, ``campaigns.dialer.calls``) on its own clock; a test
that claims under time-machine must give the worker the same clock, or every
claim looks expired or out of hours to it and is withdrawn. The clock runs
(``tick=True``) at the real pace, shifted by the offset the test travels by.
"""

import datetime as dt
import sys

import time_machine


def main() -> None:
    offset = dt.timedelta(seconds=float(sys.argv.pop(1)))
    time_machine.travel(dt.datetime.now(dt.UTC) + offset, tick=True).start()
    from celery.__main__ import main as celery_main

    sys.argv[0] = "celery"
    celery_main()


if __name__ == "__main__":
    main()
