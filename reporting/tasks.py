"""Celery tasks: thin wrappers that take ids, reload rows and call the reporting services.

Every task is safe to run twice: notices are claimed through their unique row and a
summary rebuild replaces the previous figures. Transient faults (mail server, database,
broker) are retried with exponential backoff; ``acks_late`` returns a message to the
queue if a worker dies mid-task.
"""

from __future__ import annotations

import math
import random
import smtplib
from datetime import date

from celery import shared_task
from celery.utils.log import get_task_logger
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from .models import Notice, ReportingCycle
from .outbox import BROKER_ERRORS, handles, outbox_dispatch

logger = get_task_logger(__name__)

# Errors sending mail can raise; ``mail_error_is_transient`` tells which are worth a retry.
TRANSIENT_MAIL_ERRORS: tuple[type[BaseException], ...] = (smtplib.SMTPException, OSError)
# The database restarting or failing over, a deadlock or a serialization failure.
TRANSIENT_DB_ERRORS: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)
# Tasks that only touch the database, the cache and the broker: a few retries, 5 s to 5 min apart.
_BACKOFF, _BACKOFF_MAX = 5, 300
_RETRY_TRANSIENT = {
    "autoretry_for": TRANSIENT_DB_ERRORS + BROKER_ERRORS,
    "retry_backoff": _BACKOFF,
    "retry_backoff_max": _BACKOFF_MAX,
    "retry_jitter": True,
    "max_retries": 5,
}
# A notice published by a transaction that has not committed yet: look again this many times.
_MISSING_NOTICE_RETRIES = 3
# How many times a task may come back for its notice (refusals, and waits chained by longest_countdown).
_NOTICE_MAX_WAKEUPS = 200


def mail_error_is_transient(error: BaseException) -> bool:
    """4xx replies and lost connections may pass later; a 5xx refusal will not, so it is not retried."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    return isinstance(error, OSError)  # refused or lost connection, timeout, disconnect


def longest_countdown() -> int:
    """The longest a retry may wait in the broker: half the visibility timeout.

    A message held by a worker for longer than the visibility timeout is handed to
    another worker as well, so longer waits are made of several shorter ones.
    """
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    return max(int(visibility) // 2, 1)


def notice_retry_countdown(notice_id: int) -> int | None:
    """Seconds until the notice's next attempt as ``notice_deliver`` recorded it; None if it waits for none.

    The backoff itself (doubling delays, how many attempts) is the notice's, in
    ``reporting.reminders``; a little jitter spreads notices refused together.
    """
    next_attempt_at = (
        Notice.objects.filter(pk=notice_id, state=Notice.State.FAILED)
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    if next_attempt_at is None:
        return None
    seconds = (next_attempt_at - timezone.now()).total_seconds()
    if seconds <= 0:
        return None  # due already: this call's attempt was the one, or the notice gave up
    wait = math.ceil(seconds)
    jitter = random.randint(0, min(60, wait // 10))  # noqa: S311 - spreading load, not a secret
    return min(wait + jitter, longest_countdown())


@shared_task(acks_late=True, **_RETRY_TRANSIENT)
def send_due_reminders(today: str | None = None) -> dict[str, int]:
    """Daily: plan and send every notice due ``today`` (ISO date; default: the local date)."""
    from .reminders import reminders_run

    return reminders_run(today=date.fromisoformat(today) if today else None)


@shared_task(bind=True, acks_late=True, soft_time_limit=60, time_limit=90, max_retries=_NOTICE_MAX_WAKEUPS)
def send_notice(self, notice_id: int) -> bool:
    """Send one recorded notice; True if this call sent it.

    A transient refusal (recorded on the notice by ``notice_deliver``) is retried when
    the notice's next attempt is due. Run in-process (eager) nothing is retried: the
    notice waits, failed, for the daily run.
    """
    from .reminders import notice_deliver

    eager = bool(self.request.is_eager)
    if not Notice.objects.filter(pk=notice_id).exists():
        if not eager and self.request.retries < _MISSING_NOTICE_RETRIES:
            raise self.retry(countdown=1 + self.request.retries)
        logger.warning("Notice %s does not exist; nothing to send", notice_id)
        return False
    try:
        delivered = notice_deliver(notice_id=notice_id)
    except TRANSIENT_DB_ERRORS as error:
        if eager:
            raise
        countdown = get_exponential_backoff_interval(_BACKOFF, self.request.retries, _BACKOFF_MAX)
        raise self.retry(exc=error, countdown=countdown) from error
    except TRANSIENT_MAIL_ERRORS as error:
        if not mail_error_is_transient(error):
            logger.warning("Notice %s refused for good, not retried: %s", notice_id, error)
            return False
        delivered = False
    if delivered or eager:
        return delivered
    # Refused now, or woken before its next attempt was due: wait for that attempt.
    countdown = notice_retry_countdown(notice_id)
    if countdown is not None:
        raise self.retry(countdown=countdown)
    return False


@shared_task(acks_late=True, **_RETRY_TRANSIENT)
def build_cycle_summary(cycle_id: int) -> None:
    """Recompute one cycle's figures; a later run replaces them, so running twice is harmless."""
    from .summaries import summary_build

    try:
        summary_build(cycle_id=cycle_id)
    except ReportingCycle.DoesNotExist:
        logger.info("Cycle %s was deleted before its summary was built", cycle_id)


@shared_task(acks_late=True, soft_time_limit=25 * 60, time_limit=30 * 60, **_RETRY_TRANSIENT)
def build_all_summaries() -> int:
    """Nightly: rebuild every open cycle, so no summary drifts from the answers for long."""
    from .summaries import summaries_build_all

    cycle_ids = ReportingCycle.objects.filter(state=ReportingCycle.State.OPEN).values_list("pk", flat=True)
    return len(summaries_build_all(cycle_ids=list(cycle_ids)))


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60)
def dispatch_outbox() -> int:
    """Every minute: hand pending outbox messages to Celery (catches up after a broker outage)."""
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


from . import export_tasks  # noqa: E402, F401 - registers the export task
