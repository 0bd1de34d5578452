"""``python manage.py build_summaries [--cycle ID]``: recompute the compliance summaries now.

Without ``--cycle`` every cycle (open and closed) is rebuilt with one set of queries for
all of them. Useful after a data import, or when the background worker was down.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reporting.models import CycleSummary, ReportingCycle
from reporting.summaries import summaries_build_all, summary_build


def _line(summary: CycleSummary) -> str:
    return (
        f"Cycle {summary.cycle_id}: {summary.reported} of {summary.parliaments_asked} reported "
        f"({summary.response_rate:.1f}%), {summary.pending_review} pending review, "
        f"on time {summary.on_time_rate:.1f}%"
    )


class Command(BaseCommand):
    help = "Recompute the compliance summaries of one reporting cycle, or of all of them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cycle", type=int, metavar="ID", help="only this cycle (default: every cycle)")

    def handle(self, *args: Any, **options: Any) -> None:
        cycle_id = options["cycle"]
        started = time.perf_counter()
        if cycle_id is None:
            summaries = summaries_build_all()
        else:
            try:
                summaries = [summary_build(cycle_id=cycle_id)]
            except ReportingCycle.DoesNotExist:
                raise CommandError(f"No reporting cycle with id {cycle_id}.") from None
        elapsed = time.perf_counter() - started
        if options["verbosity"] >= 1:
            for summary in summaries:
                self.stdout.write(_line(summary))
        self.stdout.write(
            f"Built {len(summaries)} cycle summar{'y' if len(summaries) == 1 else 'ies'} in {elapsed:.2f} s"
        )
