"""The web process's gunicorn settings, read from the working directory by ``gunicorn telephony.wsgi``.

A process per core with two threads each: a request spends part of its time
waiting for PostgreSQL and Redis, which a second thread fills without
holding the GIL, and keep-alive connections cost a thread nothing while idle
(the sync worker closes every connection). More threads or processes than
that only contend for the cores: on the 2-core bench machine, 4 processes of
4 threads gave the DNI endpoint a p99 of 60–120 ms at 590 requests/s where
2 of 2 gave 20 ms (``make bench BENCH=tracking``).
Environment: ``WEB_CONCURRENCY`` (processes, default the cores),
``GUNICORN_THREADS`` (threads a process, default 2).
"""

import gc
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 2))
keepalive = 30


def post_worker_init(worker):
    # The objects of the loaded application (Django, its models, URL patterns)
    # live as long as the worker: frozen, the oldest-generation collection no
    # longer walks them. It took about 80 ms with them, stalling every request
    # of the process (the DNI bench's p99 spikes).
    gc.freeze()
