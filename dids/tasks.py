"""Periodic DID jobs: thin, the work is in dids.services.

DID file imports run as the engine's ``imports.run_job`` task; ``dids_import``
only drains messages queued under its old name before the move.
"""

from celery import shared_task

from dids import imports, services


@shared_task(name="dids.tasks.dids_expire_holds", time_limit=600, soft_time_limit=570)
def dids_expire_holds() -> int:
    """Held DIDs whose hold period ended go to their after-hold status. Idempotent."""
    return services.did_expire_holds()


@shared_task(name="dids.tasks.dids_import", time_limit=1800, soft_time_limit=1740)
def dids_import(import_id: int) -> None:
    """Run a marked-up DID file import. Idempotent: a second delivery finds it claimed."""
    imports.did_import_run(import_id=import_id)
