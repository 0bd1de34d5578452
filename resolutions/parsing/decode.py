"""Bytes to text: detects BOMs, UTF-8, UTF-16 and Latin-1; refuses binary data."""

from __future__ import annotations

from .types import ParseError


def decode_bytes(data: bytes) -> str:
    raise ParseError("decoder not available yet")
