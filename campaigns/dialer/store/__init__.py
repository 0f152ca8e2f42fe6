"""The dialer's fast paths: every statement the dialer runs against its tables, on both databases.

The services (``campaigns/dialer/*.py``) keep the rules — what may be
claimed, called, repeated, counted — and call these functions; all the
dialer's SQL and its per-database branches live here, with named parameters,
one frozen dataclass for each kind of row read, and the call job's state
machine (``moves.JOB_MOVES``) that every status write names its move in.

- ``claim``: the dispatcher (single-flight lock, calls in progress, due jobs, the claim, new attempts);
- ``calls``: a claimed call's life (take-time check and take, engine dial, withdrawal, answer,
  lease renewal, the reaper's reads);
- ``outcome``: the end of a call (read, then one write of attempt, job, counters and tally);
- ``launch``: the snapshot of the list into jobs, their zones, the finish's cancel;
- ``tallies``: rebuilding the quarter-hour tallies;
- ``moves``: the call job's allowed status moves.

Behaviour is the same on SQLite and PostgreSQL:
``campaigns/tests/dialer/test_store_parity.py`` runs one suite on both.
"""
