"""Turns resolution texts as they really arrive into typed structures.

Pure Python: nothing here imports Django or the project's apps, so the rules can be
read, tested and reused on their own. See ``README.md`` in this package for the rules.
"""

from .decode import decode_bytes
from .document import parse_text
from .types import (
    ParsedDeadline,
    ParsedDocument,
    ParsedParagraph,
    ParsedReference,
    ParsedReservation,
    ParsedSubparagraph,
    ParseError,
)

IMPORTER_VERSION = "1.0"

__all__ = [
    "IMPORTER_VERSION",
    "ParseError",
    "ParsedDeadline",
    "ParsedDocument",
    "ParsedParagraph",
    "ParsedReference",
    "ParsedReservation",
    "ParsedSubparagraph",
    "decode_bytes",
    "parse_text",
]
