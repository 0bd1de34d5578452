"""Deadline reminders (interface; planning and sending are being written)."""

from __future__ import annotations

from datetime import date


def reminders_run(*, today: date | None = None) -> dict[str, int]:
    raise NotImplementedError


def notice_deliver(*, notice_id: int) -> bool:
    raise NotImplementedError


def notice_for_return(*, report_id: int, event_id: int) -> int | None:
    return None
