"""Create or update the periodic tasks that Celery beat runs, in the database.

Run at every deployment (the beat container does it before it starts): entries are
matched by name and brought in line with ``SCHEDULE``; a second run changes nothing.
Whether an entry is enabled is left as the admin set it, so a paused entry stays paused.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask


@dataclass(frozen=True)
class Entry:
    name: str
    task: str
    description: str
    crontab: dict[str, str] | None = None  # minute, hour, day_of_week, day_of_month, month_of_year (UTC)
    every_minutes: int | None = None
    expire_seconds: int | None = None


SCHEDULE: tuple[Entry, ...] = (
    Entry(
        name="Send due reminders",
        task="reporting.tasks.send_due_reminders",
        description="Plans and sends the deadline reminders due today.",
        crontab={"minute": "0", "hour": "6"},
    ),
    Entry(
        name="Dispatch the outbox",
        task="reporting.tasks.dispatch_outbox",
        description="Hands background work recorded while the broker was down to the workers.",
        every_minutes=1,
        # A run not started within the minute is dropped: the next one does the same work.
        expire_seconds=50,
    ),
    Entry(
        name="Rebuild all summaries",
        task="reporting.tasks.build_all_summaries",
        description="Rebuilds the summary of every open reporting cycle.",
        crontab={"minute": "30", "hour": "2"},
    ),
)

_CRON_FIELDS = ("minute", "hour", "day_of_week", "day_of_month", "month_of_year")


def _crontab(fields: dict[str, str]) -> CrontabSchedule:
    values = {name: fields.get(name, "*") for name in _CRON_FIELDS}
    # The admin may have created duplicates; any identical row will do.
    existing = CrontabSchedule.objects.filter(**values, timezone="UTC").order_by("pk").first()
    return existing or CrontabSchedule.objects.create(**values, timezone="UTC")


def _interval(minutes: int) -> IntervalSchedule:
    values = {"every": minutes, "period": IntervalSchedule.MINUTES}
    existing = IntervalSchedule.objects.filter(**values).order_by("pk").first()
    return existing or IntervalSchedule.objects.create(**values)


def _wanted(entry: Entry) -> dict[str, Any]:
    return {
        "task": entry.task,
        "description": entry.description,
        "crontab": _crontab(entry.crontab) if entry.crontab is not None else None,
        "interval": _interval(entry.every_minutes) if entry.every_minutes is not None else None,
        "solar": None,
        "clocked": None,
        "one_off": False,
        "args": json.dumps([]),
        "kwargs": json.dumps({}),
        "expire_seconds": entry.expire_seconds,
        "expires": None,
    }


def schedule_apply(entries: tuple[Entry, ...] = SCHEDULE) -> dict[str, list[str]]:
    """Bring the periodic tasks in line with ``entries``; returns names created, updated, unchanged."""
    outcome: dict[str, list[str]] = {"created": [], "updated": [], "unchanged": []}
    with transaction.atomic():
        for entry in entries:
            wanted = _wanted(entry)
            task = PeriodicTask.objects.select_for_update().filter(name=entry.name).first()
            if task is None:
                PeriodicTask.objects.create(name=entry.name, enabled=True, **wanted)
                outcome["created"].append(entry.name)
                continue
            changed = [field for field, value in wanted.items() if getattr(task, field) != value]
            if not changed:
                outcome["unchanged"].append(entry.name)
                continue
            for field in changed:
                setattr(task, field, wanted[field])
            # Saving also tells a running beat to reload its schedule; only when something changed.
            task.save()
            outcome["updated"].append(entry.name)
    return outcome


class Command(BaseCommand):
    help = "Create or update the periodic tasks (reminders, outbox, nightly summaries) in the database."

    def handle(self, *args: Any, **options: Any) -> None:
        outcome = schedule_apply()
        for state in ("created", "updated", "unchanged"):
            for name in outcome[state]:
                self.stdout.write(f"{state:9} {name}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Schedule: {len(outcome['created'])} created, {len(outcome['updated'])} updated, "
                f"{len(outcome['unchanged'])} unchanged."
            )
        )
