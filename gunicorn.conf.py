"""The web process's gunicorn settings, read from the working directory by ``gunicorn telephony.wsgi``.

One process more than the cores, each with one thread: a request spends part
of its time waiting for PostgreSQL and Redis, which the extra process fills,
and no two threads of a process contend for its GIL. The gthread worker
still keeps idle keep-alive connections at no cost (the sync worker closes
every connection). Chosen by the DNI endpoint's p99 under ``make bench
BENCH=tracking`` against 2 processes of 2 threads and 4 of 4 (figures in
README.md, "Call tracking").
Environment: ``WEB_CONCURRENCY`` (processes, default the cores plus one),
``GUNICORN_THREADS`` (threads a process, default 1).
"""

import gc
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 1))
keepalive = 30


def post_worker_init(worker):
    # The objects of the loaded application (Django, its models, URL patterns)
    # live as long as the worker: frozen, the oldest-generation collection no
    # longer walks them. Walking them stalled every request of the process
    # (the DNI bench's p99 spikes; README.md, "Call tracking").
    gc.freeze()
