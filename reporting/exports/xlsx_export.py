"""The rows as an Excel workbook, written by openpyxl in write-only mode so memory stays flat.

Two sheets: "Summary" (key figures, reports by state, answers by status, per group and per
theme, as stored by ``reporting.summaries``) and "Responses" (one row per parliament and
commitment, bold frozen header, auto-filter over every row). Write-only sheets take
their layout (widths, panes) before the first row and their filter after the last.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Sequence
from datetime import date
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from lxml import etree
from openpyxl import LXML, Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from ..models import CycleSummary
from . import Progress, Ticker
from .document import Figures, summary_figures
from .rows import NAME_COLUMNS, TEXT_COLUMNS, clean_text, cycle_table, local_date

EXCEL_CELL_MAX = 32767  # characters; Excel refuses longer cells
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
PERCENT_FORMAT = "0.0"
WRAP = Alignment(wrap_text=True, vertical="top")
LETTERS = [get_column_letter(column) for column in range(1, 16385)]  # every column a sheet can have


def _cell(
    sheet: WriteOnlyWorksheet, value: Any, *, font: Font | None = None, number_format: str = ""
) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if font is not None:
        cell.font = font
    if number_format:
        cell.number_format = number_format
    return cell


def _text(sheet: WriteOnlyWorksheet, value: str) -> Any:
    """Text as written: openpyxl would store "=..." as a formula, and Excel refuses huge cells."""
    if len(value) > EXCEL_CELL_MAX:
        value = value[: EXCEL_CELL_MAX - 1] + "…"
    if value.startswith("="):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def _label(model_field: str) -> str:
    return capfirst(str(CycleSummary._meta.get_field(model_field).verbose_name))


def _summary_sheet(workbook: Workbook, figures: Figures) -> None:
    sheet = workbook.create_sheet(_("Summary"))
    for column, width in zip("ABCDEF", (40, 18, 18, 18, 22, 24), strict=True):
        sheet.column_dimensions[column].width = width
    summary, cycle = figures.summary, figures.cycle

    def heading(text: str) -> None:
        sheet.append([])
        sheet.append([_cell(sheet, text, font=BOLD)])

    def header(*labels: str) -> None:
        sheet.append([_cell(sheet, label, font=BOLD) for label in labels])

    def percent(value: float | None) -> Any:
        return _cell(sheet, value, number_format=PERCENT_FORMAT) if value is not None else None

    sheet.append([_cell(sheet, _("Compliance summary"), font=TITLE)])
    sheet.append([_("Reporting cycle"), cycle.title])
    sheet.append([_("Resolution"), cycle.resolution.display_title])
    sheet.append([_("Due date"), cycle.due_date])
    sheet.append([_("Figures computed at"), local_date(summary.computed_at)])

    heading(_("Key figures"))
    for name in ("parliaments_asked", "reported", "pending_review", "on_time"):
        sheet.append([_label(name), getattr(summary, name)])
    for name in ("response_rate", "on_time_rate", "completeness", "implementation"):
        sheet.append([_label(name), percent(getattr(summary, name))])

    heading(_("Reports by state"))
    header(_("State"), _("Reports"))
    for _value, label, count in figures.by_state:
        sheet.append([label, count])

    heading(_("Answers by status (accepted reports)"))
    header(_("Status"), _("Code"), _("Answers"), _("Share (%)"))
    for status in figures.statuses:
        sheet.append([status.label, status.code, status.count, percent(status.share)])

    heading(_("By geopolitical group"))
    header(
        _("Geopolitical group"),
        _("Parliaments asked"),
        _("Accepted reports"),
        _("Response rate (%)"),
        _("Average completeness (%)"),
        _("Weighted implementation (%)"),
    )
    for group in figures.groups:
        sheet.append(
            [
                group.name,
                group.asked,
                group.reported,
                percent(group.response_rate),
                percent(group.completeness),
                percent(group.implementation),
            ]
        )

    if figures.themes:
        heading(_("By theme"))
        header(_("Theme"), _("Commitments"), _("Answers"), _("Implemented"), _("Weighted implementation (%)"))
        for theme in figures.themes:
            sheet.append(
                [theme.label, theme.commitments, theme.answers, theme.implemented, percent(theme.implementation)]
            )


class StreamedRowsSheet(WriteOnlyWorksheet):
    """A write-only sheet whose plain rows skip openpyxl's per-cell objects.

    openpyxl binds every value to a cell object and writes it element by element: about
    8 µs a cell, so 30 s for 315,000 rows of 12 columns. Rows of plain values are written
    here as the very XML openpyxl produces (inline strings, numbers, dates as serial
    numbers in openpyxl's own date style), built as text and handed to lxml's incremental
    writer in batches. Rows holding cell objects (the bold header, a guarded cell) go
    through openpyxl as usual, in order. Without lxml the sheet is an ordinary one.
    """

    BATCH = 500

    def _write_rows(self) -> Generator[None, Sequence[Any], None]:
        if not LXML:
            yield from super()._write_rows()
            return
        xf = self._writer.xf.send(True)
        date_style = WriteOnlyCell(self, value=date(2000, 1, 1)).style_id  # registers openpyxl's date format
        batch: list[str] = []

        def flush() -> None:
            if batch:
                for element in etree.fromstring(f"<rows>{''.join(batch)}</rows>"):
                    xf.write(element)
                batch.clear()

        with xf.element("sheetData"):
            row_idx = 1
            try:
                while True:
                    row = yield
                    if any(isinstance(value, Cell) for value in row):
                        flush()
                        self._writer.write_row(xf, self._values_to_row(row, row_idx), row_idx)
                    else:
                        batch.append(self._row_xml(row, row_idx, date_style))
                        if len(batch) >= self.BATCH:
                            flush()
                    row_idx += 1
            except GeneratorExit:
                pass
            flush()
        self._writer.xf.send(None)

    def _row_xml(self, row: Sequence[Any], row_idx: int, date_style: int) -> str:
        parts = [f'<row r="{row_idx}">']
        for letter, value in zip(LETTERS, row, strict=False):
            if value is None or value == "":
                continue
            ref = f"{letter}{row_idx}"
            if isinstance(value, bool):
                parts.append(f'<c r="{ref}" t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, int | float):
                parts.append(f'<c r="{ref}" t="n"><v>{value!r}</v></c>')
            elif isinstance(value, date):
                parts.append(f'<c r="{ref}" s="{date_style}" t="n"><v>{to_excel(value, self.parent.epoch)}</v></c>')
            else:
                text = clean_text(str(value))
                space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
                parts.append(f'<c r="{ref}" t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>')
        parts.append("</row>")
        return "".join(parts)


def responses_sheet(
    workbook: Workbook,
    title: str,
    header: Sequence[str],
    widths: Sequence[int],
    rows: Iterable[Sequence[Any]],
    ticker: Ticker,
) -> int:
    """The rows as a sheet with a bold frozen header and an auto-filter; returns the rows written."""
    sheet = StreamedRowsSheet(parent=workbook, title=title)
    workbook._add_sheet(sheet)  # what create_sheet does for a write-only workbook
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append([_cell(sheet, label, font=BOLD) for label in header])
    done = 0
    for row in rows:
        values: list[Any] = list(row)
        for index in TEXT_COLUMNS:
            values[index] = _text(sheet, values[index])
        for index in NAME_COLUMNS:
            if values[index].startswith("="):
                values[index] = _text(sheet, values[index])
        sheet.append(values)
        done += 1
        ticker.tick(done)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{done + 1}"
    return done


def write(cycle_id: int, out: BinaryIO, *, language: str, progress: Progress | None = None) -> None:
    table = cycle_table(cycle_id, language=language)
    figures = summary_figures(table.cycle, language=language)
    ticker = Ticker(table.total, progress)
    workbook = Workbook(write_only=True)
    with translation.override(language):
        _summary_sheet(workbook, figures)
        title = _("Responses")
    responses_sheet(workbook, title, table.header, table.widths, table.rows, ticker)
    workbook.save(out)
    ticker.finish()
