"""``python manage.py send_reminders [--today YYYY-MM-DD] [--json]``: send the notices due that day.

Safe to run more than once a day: a notice is recorded once and sent once, so a second
run for the same day sends nothing. ``--json`` prints ``{"sent": {"<kind>": n, ...},
"total": n}`` with every kind of notice listed, zeros included, and nothing else on stdout.
"""

from __future__ import annotations

import contextlib
import json
import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from reporting.reminders import reminders_run


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today must be a date written YYYY-MM-DD, not {value!r}") from None


class Command(BaseCommand):
    help = "Send the reminders due on a day (default: today), each notice once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", metavar="YYYY-MM-DD", help="The day to send for (default: today).")
        parser.add_argument("--json", action="store_true", help="Print the counts as one JSON object.")

    def handle(self, *args: object, **options: object) -> None:
        today = _day(str(options["today"])) if options["today"] else timezone.localdate()
        # Stdout carries this command's answer alone: mail printed by the console backend
        # (the default without an SMTP server) goes to stderr.
        with contextlib.redirect_stdout(sys.stderr):
            sent = reminders_run(today=today)
        total = sum(sent.values())
        if options["json"]:
            self.stdout.write(json.dumps({"sent": sent, "total": total}))
            return
        if not total:
            self.stdout.write(f"{today.isoformat()}: no notice to send.")
            return
        details = ", ".join(f"{kind} {count}" for kind, count in sent.items() if count)
        self.stdout.write(f"{today.isoformat()}: sent {total} notice{'s' if total != 1 else ''} ({details}).")
