"""Compliance summary exports of one reporting cycle: CSV, XLSX, PDF and DOCX.

``export_write`` writes one format to a binary file object; the ``export_summary`` command,
the background task (``reporting.export_tasks``) and the benchmark all go through it. The
tabular formats stream the parliament x commitment rows (``rows``); the documents for the
Assembly are built from one model (``document``) rendered by ``pdf_export`` and
``docx_export``. Writers are imported when used, so a CSV export never loads WeasyPrint
or matplotlib.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import BinaryIO

# progress(done, total): called as the work advances, at most about a hundred times.
Progress = Callable[[int, int], None]

FORMATS: tuple[str, ...] = ("csv", "xlsx", "pdf", "docx")
CONTENT_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
_WRITERS: dict[str, str] = {
    "csv": "csv_export",
    "xlsx": "xlsx_export",
    "pdf": "pdf_export",
    "docx": "docx_export",
}


class Ticker:
    """Calls ``progress`` each time another hundredth of ``total`` is done, and at the end."""

    def __init__(self, total: int, progress: Progress | None) -> None:
        self.total = total
        self.progress = progress
        self.step = max(1, total // 100)
        self.next = self.step

    def tick(self, done: int) -> None:
        if self.progress is not None and done >= self.next:
            self.next = done + self.step
            self.progress(done, self.total)

    def finish(self) -> None:
        if self.progress is not None:
            self.progress(self.total, self.total)


def export_write(
    cycle_id: int, fmt: str, out: BinaryIO, *, language: str = "en", progress: Progress | None = None
) -> None:
    """Write the cycle's export in ``fmt`` to ``out``; raises ReportingCycle.DoesNotExist, ValueError."""
    if fmt not in _WRITERS:
        raise ValueError(f"Unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}.")
    writer = import_module(f"{__name__}.{_WRITERS[fmt]}")
    writer.write(cycle_id, out, language=language, progress=progress)
