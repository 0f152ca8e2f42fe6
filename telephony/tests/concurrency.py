"""Running functions at the same moment, for the concurrency tests on PostgreSQL."""

import threading

from django.db import connection


def run_together(functions: list) -> list:
    """Start every function at the same moment in its own thread (own connection); return outcomes,
    an exception raised standing as its function's outcome."""
    barrier = threading.Barrier(len(functions))
    outcomes: list = [None] * len(functions)

    def run(index, function):
        try:
            barrier.wait()
            outcomes[index] = function()
        except Exception as exc:  # the outcome under test
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes
