"""The call job's state machine: the one table of allowed status moves.

Every statement of the store that writes a job's status names the move it
makes through :func:`job_move`, and guards it by compare-and-set on the
status it moves from, so no path can write a move this table does not hold.
``None`` as the source is the job's creation (the launch's snapshot).
"""

from __future__ import annotations

from campaigns.models import JobStatus

PENDING, IN_PROGRESS, DONE = JobStatus.PENDING, JobStatus.IN_PROGRESS, JobStatus.DONE
CANCELLED, SUPPRESSED = JobStatus.CANCELLED, JobStatus.SUPPRESSED

JOB_MOVES: dict[JobStatus | None, frozenset[JobStatus]] = {
    # The launch: due at once, or suppressed by a do-not-call entry.
    None: frozenset({PENDING, SUPPRESSED}),
    # The claim takes it; the campaign's finish cancels it.
    PENDING: frozenset({IN_PROGRESS, CANCELLED}),
    # The call's end: called again later, done, or cancelled when the campaign finished meanwhile;
    # a withdrawn claim waits again (cancelled once finished); a do-not-call entry added since
    # launch suppresses it at claim.
    IN_PROGRESS: frozenset({PENDING, DONE, CANCELLED, SUPPRESSED}),
    DONE: frozenset(),
    CANCELLED: frozenset(),
    SUPPRESSED: frozenset(),
}


class JobMoveRefused(ValueError):
    """A call job status move the state machine does not allow."""


def job_move(from_status: JobStatus | None, to_status: JobStatus) -> str:
    """The target status as a value for SQL, once the move is known to be allowed; raises otherwise."""
    if to_status not in JOB_MOVES.get(from_status, frozenset()):
        raise JobMoveRefused(f"A call job cannot move from {from_status or 'nothing'} to {to_status}.")
    return JobStatus(to_status).value
