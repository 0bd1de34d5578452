"""The rows as CSV: UTF-8 with a byte order mark, so Excel opens accents correctly."""

from __future__ import annotations

import csv
import io
from typing import BinaryIO

from . import Progress, Ticker
from .rows import DATE_COLUMNS, NAME_COLUMNS, TEXT_COLUMNS, cycle_table

# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def guard_formula(text: str) -> str:
    """Text a spreadsheet shows as written: a leading apostrophe stops formula evaluation."""
    return f"'{text}" if text and text.startswith(FORMULA_START) else text


def write(cycle_id: int, out: BinaryIO, *, language: str, progress: Progress | None = None) -> None:
    table = cycle_table(cycle_id, language=language)
    ticker = Ticker(table.total, progress)
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    try:
        writer = csv.writer(text)
        writer.writerow(table.header)
        done = 0
        for row in table.rows:
            values = list(row)
            for index in DATE_COLUMNS:
                values[index] = values[index].isoformat() if values[index] else ""
            for index in TEXT_COLUMNS + NAME_COLUMNS:
                values[index] = guard_formula(values[index])
            writer.writerow(values)
            done += 1
            ticker.tick(done)
        text.flush()
    finally:
        text.detach()  # the caller owns ``out`` and closes it
    ticker.finish()
