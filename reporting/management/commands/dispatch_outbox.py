"""Hand pending outbox messages to Celery now, instead of waiting for the periodic task.

Useful after a broker outage, or to look at what is waiting: ``--list`` shows the
pending messages with their attempts and last error and dispatches nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from reporting.models import OutboxMessage
from reporting.outbox import outbox_dispatch, outbox_pending_count


class Command(BaseCommand):
    help = "Dispatch pending outbox messages to Celery; prints how many were dispatched and how many remain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=500, help="At most this many messages (default 500).")
        parser.add_argument("--list", action="store_true", dest="list_only", help="Only list the pending messages.")

    def handle(self, *args: Any, limit: int, list_only: bool, **options: Any) -> None:
        if list_only:
            self._list(limit)
            return
        dispatched = outbox_dispatch(limit=limit)
        pending = outbox_pending_count()
        self.stdout.write(f"Dispatched {dispatched} outbox message(s); {pending} pending.")
        if pending:
            last = OutboxMessage.objects.filter(dispatched_at__isnull=True).exclude(last_error="").first()
            if last is not None:
                self.stderr.write(f"Last error: {last.last_error}")

    def _list(self, limit: int) -> None:
        pending = OutboxMessage.objects.filter(dispatched_at__isnull=True).order_by("created_at", "pk")
        for message in pending[:limit]:
            error = f"  last error: {message.last_error}" if message.last_error else ""
            self.stdout.write(
                f"{message.pk}  {message.created_at:%Y-%m-%d %H:%M:%S}  {message.topic}  "
                f"{message.payload}  attempts={message.attempts}{error}"
            )
        self.stdout.write(f"{pending.count()} pending.")
