"""`make bench`: run every `bench/bench_*.py` (or the ones named) and print their tables.

Each benchmark module has a ``main() -> None`` that measures the product and
the alternative in the same run and prints a table with their ratio. The
database is migrated first, so a new one (``make bench`` creates it) needs nothing else.
"""

import importlib
import pkgutil
import sys
import time

import django


def main(names: list[str]) -> None:
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "telephony.settings")
    django.setup()
    from django.core.management import call_command

    import bench

    call_command("migrate", verbosity=0)

    modules = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_"))
    chosen = [m for m in modules if not names or m in names or m.removeprefix("bench_") in names]
    for name in chosen:
        print(f"\n== {name} ==", flush=True)
        started = time.perf_counter()
        importlib.import_module(f"bench.{name}").main()
        print(f"({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main(sys.argv[1:])
