"""Charts for the Assembly documents, drawn by matplotlib's Agg and SVG canvases.

SVG goes into the PDF (sharp at any zoom, text drawn as outlines so no font is needed at
render time) and PNG into the DOCX. Figures are made with ``matplotlib.figure.Figure``
rather than pyplot, so no global state is shared between exports running in one process.
Colours are the colour-blind safe status palette; every bar is labelled with its value, so
no information rests on colour alone.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .document import GroupFigures, StatusCount, percent_text

INK = "#222222"
GRID = "#DDDDDD"
BAR = "#2C7BB6"
RC = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "svg.fonttype": "path",
    "svg.hashsalt": "ipu-tracker",  # stable ids: the same data draws the same file
    "axes.edgecolor": GRID,
}


def _render(figure: Figure, fmt: str) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasAgg(figure)  # the Agg canvas, whatever backend the process chose for pyplot
    metadata = {"Date": None} if fmt == "svg" else None
    figure.savefig(buffer, format=fmt, dpi=200, bbox_inches="tight", metadata=metadata)
    return buffer.getvalue()


def _clean_axes(axes) -> None:
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    axes.tick_params(axis="y", length=0, colors=INK)
    axes.tick_params(axis="x", colors=INK)
    axes.xaxis.grid(True, color=GRID, linewidth=0.6)
    axes.set_axisbelow(True)


def status_distribution(statuses: Sequence[StatusCount], *, title: str, xlabel: str, fmt: str = "svg") -> bytes:
    """One horizontal bar per status (code and label), with the count and share printed on it."""
    with matplotlib.rc_context(RC):
        figure = Figure(figsize=(7.0, 0.45 * len(statuses) + 1.0))
        axes = figure.add_subplot()
        labels = [f"{status.code} · {status.label}" for status in statuses]
        counts = [status.count for status in statuses]
        positions = list(range(len(statuses)))[::-1]
        bars = axes.barh(
            positions,
            counts,
            color=[status.fill for status in statuses],
            edgecolor="#555555",
            linewidth=0.6,
        )
        axes.set_yticks(positions, labels)
        top = max(counts, default=0) or 1
        axes.set_xlim(0, top * 1.25)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        for bar, status in zip(bars, statuses, strict=True):
            axes.text(
                bar.get_width() + top * 0.01,
                bar.get_y() + bar.get_height() / 2,
                f"{status.count} ({percent_text(status.share)})",
                va="center",
                color=INK,
            )
        axes.set_xlabel(xlabel, color=INK)
        axes.set_title(title, loc="left", color=INK, fontweight="bold")
        _clean_axes(axes)
        return _render(figure, fmt)


def group_response_rates(groups: Sequence[GroupFigures], *, title: str, xlabel: str, fmt: str = "svg") -> bytes:
    """Response rate (accepted reports / parliaments asked) per geopolitical group, 0-100%."""
    with matplotlib.rc_context(RC):
        figure = Figure(figsize=(7.0, 0.4 * max(len(groups), 1) + 1.0))
        axes = figure.add_subplot()
        positions = list(range(len(groups)))[::-1]
        bars = axes.barh(positions, [group.response_rate for group in groups], color=BAR, height=0.6)
        axes.set_yticks(positions, [group.name for group in groups])
        axes.set_xlim(0, 118)
        axes.set_xticks([0, 25, 50, 75, 100])
        for bar, group in zip(bars, groups, strict=True):
            axes.text(
                bar.get_width() + 1.5,
                bar.get_y() + bar.get_height() / 2,
                f"{percent_text(group.response_rate)} ({group.reported}/{group.asked})",
                va="center",
                color=INK,
            )
        axes.set_xlabel(xlabel, color=INK)
        axes.set_title(title, loc="left", color=INK, fontweight="bold")
        _clean_axes(axes)
        return _render(figure, fmt)
