"""Celery tasks: thin wrappers that take ids, reload rows and call the reporting services.

Every task is safe to run twice: notices are claimed through their unique row and a
summary rebuild replaces the previous figures. Transient faults (mail server, broker)
are retried with exponential backoff; ``acks_late`` returns a message to the queue if
a worker dies mid-task.
"""

from __future__ import annotations

import smtplib
from datetime import date

from celery import shared_task

from .outbox import BROKER_ERRORS, handles, outbox_dispatch

TRANSIENT_MAIL_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError, OSError)


@shared_task(acks_late=True, ignore_result=True)
def send_due_reminders(today: str | None = None) -> dict[str, int]:
    """Daily: plan and send every notice due ``today`` (ISO date; default: the local date)."""
    from .reminders import reminders_run

    return reminders_run(today=date.fromisoformat(today) if today else None)


@shared_task(
    bind=True,
    acks_late=True,
    ignore_result=True,
    autoretry_for=TRANSIENT_MAIL_ERRORS,
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=10,
)
def send_notice(self, notice_id: int) -> bool:
    """Send one recorded notice; a refusal by the mail server raises, and Celery retries later."""
    from .reminders import notice_deliver

    return notice_deliver(notice_id=notice_id)


@shared_task(acks_late=True, ignore_result=True)
def build_cycle_summary(cycle_id: int) -> None:
    from .summaries import summary_build

    summary_build(cycle_id=cycle_id)


@shared_task(acks_late=True, ignore_result=True, autoretry_for=BROKER_ERRORS, retry_backoff=10, max_retries=None)
def dispatch_outbox() -> int:
    """Periodic: hand pending outbox messages to Celery (catches up after a broker outage)."""
    return outbox_dispatch()


@handles("report.transition")
def _after_transition(payload: dict) -> None:
    """A report was submitted, returned or accepted: rebuild the summary, and notify on return."""
    from .reminders import notice_for_return
    from .summaries import summary_rebuild_schedule

    summary_rebuild_schedule(cycle_id=payload["cycle"])
    if payload["transition"] == "return":
        notice_id = notice_for_return(report_id=payload["report"], event_id=payload["event"])
        if notice_id is not None:
            send_notice.delay(notice_id)
