"""The transactional outbox between the database and Celery.

A change that needs background work (a submission needs a summary rebuild, a return
needs a notice) writes an OutboxMessage in the same transaction. After the commit the
dispatcher hands pending messages to their handlers, which enqueue Celery tasks. When
the broker is down the message stays pending and the periodic dispatcher (or
``manage.py dispatch_outbox``) delivers it later: the user's change is never lost and
the work is never forgotten.

Guarantees: every message is handed to its handler until one call succeeds (at least
once; a handler may run again after a crash between publishing and recording, so the
tasks it enqueues must be safe to run twice). Each message is locked while its handler
runs, so two dispatchers never handle the same message at the same time.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Iterable

import kombu.exceptions
import redis.exceptions
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils import timezone

from .models import OutboxMessage

logger = logging.getLogger(__name__)

# What a broker (or the Redis cache) raises when it cannot be reached.
BROKER_ERRORS: tuple[type[BaseException], ...] = (
    kombu.exceptions.OperationalError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    ConnectionError,
    TimeoutError,
)
# What a handler raises for a message it cannot use (a row deleted since, a malformed
# payload): recorded on that message, which stays pending, and the others go on.
MESSAGE_ERRORS: tuple[type[BaseException], ...] = (ObjectDoesNotExist, LookupError, ValueError)

Handler = Callable[[dict], None]
_handlers: dict[str, Handler] = {}


def handles(topic: str) -> Callable[[Handler], Handler]:
    """Register the function that turns a message of ``topic`` into enqueued work."""

    def register(handler: Handler) -> Handler:
        _handlers[topic] = handler
        return handler

    return register


def outbox_add(*, topic: str, payload: dict) -> OutboxMessage:
    """Record work to do once the current transaction commits (and even if the broker is down)."""
    message = OutboxMessage.objects.create(topic=topic, payload=payload)
    # Robust: the change is committed by then, so an error while dispatching must not turn
    # the user's successful request into an error page; the message simply stays pending.
    transaction.on_commit(lambda: outbox_dispatch(ids=[message.pk]), robust=True)
    return message


def outbox_dispatch(*, ids: Iterable[int] | None = None, limit: int = 500) -> int:
    """Hand pending messages to their handlers, oldest first; returns how many were dispatched.

    Each message is handled in its own transaction, so a failure never undoes the record
    of messages already published. Stops at the first broker error, leaving that message
    and the rest pending.
    """
    pending = OutboxMessage.objects.filter(dispatched_at__isnull=True)
    if ids is not None:
        pending = pending.filter(pk__in=list(ids))
    candidates = list(pending.order_by("created_at", "pk").values_list("pk", flat=True)[:limit])
    dispatched = 0
    for pk in candidates:
        outcome = _dispatch_one(pk)
        if outcome is _Outcome.BROKER_DOWN:
            break
        if outcome is _Outcome.DISPATCHED:
            dispatched += 1
    return dispatched


class _Outcome(enum.Enum):
    DISPATCHED = enum.auto()
    SKIPPED = enum.auto()
    BROKER_DOWN = enum.auto()


def _dispatch_one(pk: int) -> _Outcome:
    with transaction.atomic():
        # Skip a message another dispatcher holds, or one it finished meanwhile.
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True).filter(pk=pk, dispatched_at__isnull=True).first()
        )
        if message is None:
            return _Outcome.SKIPPED
        handler = _handlers.get(message.topic)
        if handler is None:
            logger.error("No outbox handler for topic %r (message %s)", message.topic, message.pk)
            _record_failure(message, f"no handler for topic {message.topic!r}")
            return _Outcome.SKIPPED
        try:
            # A savepoint: what the handler wrote is undone if it could not enqueue its work,
            # so the next attempt starts from the same state.
            with transaction.atomic():
                handler(message.payload)
        except BROKER_ERRORS as error:
            _record_failure(message, error)
            logger.warning("Broker unavailable; outbox message %s stays pending: %s", message.pk, error)
            return _Outcome.BROKER_DOWN
        except MESSAGE_ERRORS as error:
            _record_failure(message, error)
            logger.error("Outbox message %s (%s) cannot be handled: %r", message.pk, message.topic, error)
            return _Outcome.SKIPPED
        OutboxMessage.objects.filter(pk=message.pk).update(
            dispatched_at=timezone.now(), attempts=_next_attempt(message), last_error=""
        )
    return _Outcome.DISPATCHED


def _next_attempt(message: OutboxMessage) -> int:
    # The counter is a small integer column; a very long outage must not overflow it.
    return min(message.attempts + 1, 32767)


def _record_failure(message: OutboxMessage, error: BaseException | str) -> None:
    text = str(error) or type(error).__name__
    OutboxMessage.objects.filter(pk=message.pk).update(attempts=_next_attempt(message), last_error=text[:1000])


def outbox_pending_count() -> int:
    return OutboxMessage.objects.filter(dispatched_at__isnull=True).count()
