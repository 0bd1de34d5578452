"""Reporting deadlines and references to earlier resolutions.

- A deadline is a phrase in an operative paragraph such as "by the 149th Assembly"
  (resolved later to that Assembly's opening date) or "by 31 December 2025".
  Paragraphs that ask for a report ("communicate", "report", "inform", "submit")
  win over others.
- A reference is a mention of a resolution adopted at an earlier Assembly:
  "Migrant workers, ... (adopted at the 118th Assembly, Cape Town, April 2008)" or
  "the resolution of the 118th IPU Assembly (Cape Town, 2008), on The role of ...".
"""

from __future__ import annotations

import re

from .dates import parse_date
from .types import ParsedDeadline, ParsedParagraph, ParsedReference

_DEADLINE_ASSEMBLY = re.compile(
    r"\b(?:by|before|no later than|not later than|in time for|prior to|ahead of)\s+(?:the\s+)?"
    r"(\d{1,3})(?:st|nd|rd|th)\s+(?:IPU\s+)?Assembly\b",
    re.I,
)
_DEADLINE_DATE = re.compile(
    r"\b(?:by|before|no later than|not later than)\s+(\d{1,2}\s+(?:January|February|March|April|May|June|July|"
    r"August|September|October|November|December)\s+\d{4})\b"
)
_REPORTING = re.compile(r"\b(?:communicat|report|inform|submit|provide information|measures taken)\w*", re.I)

_REFERENCE_ADOPTED = re.compile(
    r"\(\s*adopted\s+(?:at|by)\s+the\s+(\d{1,3})(?:st|nd|rd|th)\s+(?:IPU\s+)?Assembly"
    r"(?:\s*,\s*([A-Z][\w .'\-]+?))?(?:\s*,\s*(?:[A-Z][a-z]+\s+)?(\d{4}))?\s*\)"
)
_REFERENCE_OF = re.compile(
    r"\bresolutions?\s+(?:of|adopted\s+(?:at|by))\s+the\s+(\d{1,3})(?:st|nd|rd|th)\s+(?:IPU\s+)?Assembly"
    r"(?:\s*\(\s*([A-Z][\w .'\-]+?)\s*,\s*(\d{4})\s*\))?(?:\s*,?\s+on\s+(.+?)[,;]?\s*$)?"
)


def find_deadline(operative: list[ParsedParagraph]) -> ParsedDeadline | None:
    candidates: list[tuple[bool, ParsedDeadline]] = []
    for paragraph in operative:
        texts = [paragraph.text] + [sub.text for sub in paragraph.subparagraphs]
        for text in texts:
            number = paragraph.number or paragraph.position
            match = _DEADLINE_ASSEMBLY.search(text)
            if match:
                deadline = ParsedDeadline(phrase=match.group(0), assembly_number=int(match.group(1)), paragraph=number)
                candidates.append((bool(_REPORTING.search(text)), deadline))
                continue
            date_match = _DEADLINE_DATE.search(text)
            if date_match and _REPORTING.search(text):
                deadline = ParsedDeadline(
                    phrase=date_match.group(0),
                    assembly_number=None,
                    paragraph=number,
                    date=parse_date(date_match.group(1)),
                )
                candidates.append((True, deadline))
    if not candidates:
        return None
    reporting = [deadline for is_reporting, deadline in candidates if is_reporting]
    return (reporting or [deadline for _, deadline in candidates])[0]


def find_references(
    paragraphs: list[ParsedParagraph], titles_by_assembly: dict[int, str], own_assembly: int | None
) -> list[ParsedReference]:
    """Earlier resolutions cited in the text; ``titles_by_assembly`` comes from emphasis."""
    references: list[ParsedReference] = []
    seen: set[tuple[int, str]] = set()
    for paragraph in paragraphs:
        for pattern in (_REFERENCE_ADOPTED, _REFERENCE_OF):
            for match in pattern.finditer(paragraph.text):
                number = int(match.group(1))
                if number == own_assembly:
                    continue
                title = titles_by_assembly.get(number, "")
                if pattern is _REFERENCE_OF and match.group(4):
                    title = title or match.group(4).strip()
                key = (number, title)
                if key in seen:
                    continue
                seen.add(key)
                year = match.group(3)
                references.append(
                    ParsedReference(
                        phrase=match.group(0).strip(" ()"),
                        title=title,
                        assembly_number=number,
                        place=(match.group(2) or "").strip(),
                        year=int(year) if year else None,
                    )
                )
    return references


_ADOPTED_AT = re.compile(r"\(\s*adopted\s+(?:at|by)\s+the\s+(\d{1,3})(?:st|nd|rd|th)", re.I)
_EMPHASIS_ENDING_HERE = re.compile(r"(?:\*{1,2}|_|<(?:em|i)>)([^*_<>\n]{8,400}?)(?:\*{1,2}|_|</(?:em|i)>)\s*$", re.I)


def emphasised_titles(raw_text: str) -> dict[int, str]:
    """Titles printed in italics right before "(adopted at the Nth Assembly".

    Read from the raw text because emphasis is the only thing that delimits a title
    containing commas.
    """
    titles: dict[int, str] = {}
    for match in _ADOPTED_AT.finditer(raw_text):
        before = _EMPHASIS_ENDING_HERE.search(raw_text, max(0, match.start() - 420), match.start())
        if before:
            titles.setdefault(int(match.group(1)), re.sub(r"\s+", " ", before.group(1)).strip())
    return titles
