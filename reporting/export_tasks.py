"""The background build of a summary export (see ``reporting.exports.jobs``).

Registered by ``reporting.tasks``, which imports this module. The task is idempotent: a
finished export is left alone and a redelivered one is rebuilt from the start. Transient
database faults are retried with backoff; every other failure is recorded on the export.
"""

from __future__ import annotations

from celery import shared_task
from celery.utils.log import get_task_logger

from .exports.jobs import TRANSIENT_ERRORS, export_run

logger = get_task_logger(__name__)


@shared_task(
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=25 * 60,
    time_limit=30 * 60,
)
def export_build(export_id: int) -> str:
    """Write the export's file; returns its final state ("missing" when the row was deleted)."""
    export = export_run(export_id)
    return export.state if export is not None else "missing"
