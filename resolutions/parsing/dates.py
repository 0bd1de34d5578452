"""Dates as printed in resolutions ("15 October 2022", "1 April 2010")."""

from __future__ import annotations

import re
from datetime import date

MONTHS = {
    name: index
    for index, name in enumerate(
        "january february march april may june july august september october november december".split(), 1
    )
}
DATE_RE = re.compile(
    r"(?<![\d\-–])\b(\d{1,2})(?:st|nd|rd|th)?\s+(January|February|March|April|May|June|July|August|September"
    r"|October|November|December)\s+(\d{4})\b",
    re.I,
)


def parse_date(text: str) -> date | None:
    """The first full date in ``text`` (a range like "11-15 October 2022" is skipped)."""
    for match in DATE_RE.finditer(text):
        day, month, year = int(match.group(1)), MONTHS[match.group(2).lower()], int(match.group(3))
        try:
            return date(year, month, day)
        except ValueError:
            continue
    return None
