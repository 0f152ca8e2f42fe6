"""The web process's gunicorn settings, read from the working directory by ``gunicorn telephony.wsgi``.

Threads in a few processes: a request spends much of its time waiting for
PostgreSQL and Redis, which a thread does without holding the GIL, and
keep-alive connections cost a thread nothing while idle (the sync worker
closes every connection and serves one request at a time per process).
Environment: ``WEB_CONCURRENCY`` (processes, default twice the cores),
``GUNICORN_THREADS`` (threads a process, default 4).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))
keepalive = 30
