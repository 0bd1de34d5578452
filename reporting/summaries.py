"""Compliance summaries per cycle (interface; the aggregation is being written)."""

from __future__ import annotations


def summary_build(*, cycle_id: int) -> None:
    raise NotImplementedError


def summary_rebuild_schedule(*, cycle_id: int) -> None:
    """Debounced: at most one rebuild per cycle per window."""
