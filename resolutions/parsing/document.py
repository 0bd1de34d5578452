"""Entry point: raw text in, ParsedDocument out (placeholder until the full parser lands)."""

from __future__ import annotations

from .types import ParsedDocument, ParseError


def parse_text(text: str) -> ParsedDocument:
    raise ParseError("parser not available yet")
