"""The transactional outbox between the database and Celery.

A change that needs background work (a submission needs a summary rebuild, a return
needs a notice) writes an OutboxMessage in the same transaction. After the commit the
dispatcher hands pending messages to their handlers, which enqueue Celery tasks. When
the broker is down the message stays pending and the periodic dispatcher (or
``manage.py dispatch_outbox``) delivers it later: the user's change is never lost and
the work is never forgotten.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

import kombu.exceptions
import redis.exceptions
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
    transaction.on_commit(lambda: outbox_dispatch(ids=[message.pk]))
    return message


def outbox_dispatch(*, ids: Iterable[int] | None = None, limit: int = 500) -> int:
    """Hand pending messages to their handlers; returns how many were dispatched.

    Stops at the first broker error, leaving that message and the rest pending.
    """
    dispatched = 0
    with transaction.atomic():
        pending = OutboxMessage.objects.select_for_update(skip_locked=True).filter(dispatched_at__isnull=True)
        if ids is not None:
            pending = pending.filter(pk__in=list(ids))
        for message in pending.order_by("created_at", "pk")[:limit]:
            handler = _handlers.get(message.topic)
            if handler is None:
                logger.error("No outbox handler for topic %r (message %s)", message.topic, message.pk)
                continue
            try:
                handler(message.payload)
            except BROKER_ERRORS as error:
                OutboxMessage.objects.filter(pk=message.pk).update(
                    attempts=message.attempts + 1, last_error=str(error)[:1000]
                )
                logger.warning("Broker unavailable; outbox message %s stays pending: %s", message.pk, error)
                break
            OutboxMessage.objects.filter(pk=message.pk).update(
                dispatched_at=timezone.now(), attempts=message.attempts + 1, last_error=""
            )
            dispatched += 1
    return dispatched


def outbox_pending_count() -> int:
    return OutboxMessage.objects.filter(dispatched_at__isnull=True).count()
