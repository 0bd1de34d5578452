"""The Assembly document as DOCX (python-docx), for the Secretariat to edit before printing.

Same content and order as the PDF. The heatmap gets a landscape section of its own and a
table with small fixed cells, each shaded with its status colour and carrying the status
code; the header rows of long tables repeat on every page. Charts are PNG images with
their values as alternative text.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import BinaryIO

from django.utils import translation
from django.utils.translation import gettext as _
from docx import Document as new_document
from docx.document import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Cell

from . import Progress
from .charts import group_response_rates, status_distribution
from .document import AssemblyDocument, assembly_document
from .pdf_export import chart_texts

STEPS = 4
HEADING_COLOUR = RGBColor(0x0B, 0x3D, 0x6B)
PORTRAIT_WIDTH_CM = 16.0
LANDSCAPE_WIDTH_CM = 27.7
NAME_CM = 4.6
CELL_MAX_CM = 1.0


def _shade(cell: _Cell, fill: str) -> None:
    properties = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill.lstrip("#"))
    properties.append(shading)


def _repeat_header(table: Table) -> None:
    row_properties = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row_properties.append(header)


def _fixed_layout(table: Table, widths_cm: Sequence[float]) -> None:
    """Fixed column widths, honoured by Word and LibreOffice alike."""
    table.autofit = False
    properties = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    properties.append(layout)
    for column, width in zip(table._tbl.tblGrid.gridCol_lst, widths_cm, strict=False):
        column.w = Cm(width)
    for tr in table._tbl.tr_lst:
        column = 0
        for tc in tr.tc_lst:
            span = tc.grid_span
            tc.width = Cm(sum(widths_cm[column : column + span]))
            column += span


def _cell_text(cell: _Cell, text: str, *, bold: bool = False, size: float | None = None, align=None) -> None:
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(text)
    run.bold = bold or None
    if size:
        run.font.size = Pt(size)
    if align is not None:
        paragraph.alignment = align


def _table(
    doc: Document,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    numeric: Iterable[int] = (),
    widths_cm: Sequence[float] | None = None,
    caption: str = "",
) -> Table:
    rows = list(rows)
    numeric = set(numeric)
    if caption:
        heading = doc.add_paragraph()
        heading.add_run(caption).bold = True
        heading.paragraph_format.keep_with_next = True
    table = doc.add_table(rows=1 + len(rows), cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    for index, (cell, label) in enumerate(zip(table.rows[0].cells, header, strict=True)):
        _cell_text(cell, label, bold=True, size=8.5, align=WD_ALIGN_PARAGRAPH.RIGHT if index in numeric else None)
        _shade(cell, "#E8EEF4")
    for row, values in zip(table.rows[1:], rows, strict=True):
        for index, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
            _cell_text(cell, str(value), size=9, align=WD_ALIGN_PARAGRAPH.RIGHT if index in numeric else None)
    _repeat_header(table)
    if widths_cm:
        _fixed_layout(table, widths_cm)
    doc.add_paragraph()
    return table


def _heading(doc: Document, text: str, level: int = 1) -> None:
    heading = doc.add_heading(text, level=level)
    for run in heading.runs:
        run.font.color.rgb = HEADING_COLOUR


def _picture(doc: Document, png: bytes, alt: str) -> None:
    shape = doc.add_picture(io.BytesIO(png), width=Cm(PORTRAIT_WIDTH_CM))
    shape._inline.docPr.set("descr", alt)


def _page_break(doc: Document) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _section(doc: Document, *, landscape: bool) -> None:
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    width, height = section.page_width, section.page_height
    if landscape != (width > height):
        section.page_width, section.page_height = height, width
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    margin = Cm(1.0) if landscape else Cm(2.0)
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = margin


def _title_page(doc: Document, assembly: AssemblyDocument) -> None:
    organisation = doc.add_paragraph()
    run = organisation.add_run(_("Inter-Parliamentary Union").upper())
    run.font.size = Pt(11)
    run.font.color.rgb = HEADING_COLOUR
    organisation.paragraph_format.space_before = Pt(72)
    organisation.paragraph_format.space_after = Pt(36)
    title = doc.add_heading(assembly.title, level=0)
    for run in title.runs:
        run.font.color.rgb = HEADING_COLOUR
    resolution = doc.add_paragraph()
    resolution.add_run(assembly.resolution_title).font.size = Pt(14)
    resolution.paragraph_format.space_after = Pt(24)
    dates = assembly.dates
    facts = [
        (_("Adopted by"), assembly.body),
        (_("Session"), assembly.session),
        (_("Symbol"), assembly.symbol),
        (_("Adoption date"), dates["adopted"] if assembly.adopted else ""),
        (_("Reporting cycle"), assembly.cycle_title),
        (_("Opened on"), dates["opened_on"]),
        (_("Due date"), dates["due_date"]),
        (_("Generated on"), dates["generated_on"]),
        (_("Figures computed at"), dates["computed_at"]),
    ]
    for label, value in facts:
        if not value:
            continue
        line = doc.add_paragraph()
        line.add_run(f"{label}: ").font.color.rgb = RGBColor(0x44, 0x44, 0x44)
        line.add_run(value).bold = True
        line.paragraph_format.space_after = Pt(2)


def _key_figures(doc: Document, assembly: AssemblyDocument) -> None:
    _page_break(doc)
    _heading(doc, _("Key figures"))
    _table(doc, [_("Figure"), _("Value")], assembly.key_figures, numeric=[1], widths_cm=[9, 4], caption=_("Reporting"))
    _table(
        doc,
        [_("State"), _("Reports")],
        [(label, count) for _value, label, count in assembly.figures.by_state],
        numeric=[1],
        widths_cm=[9, 4],
        caption=_("Reports by state"),
    )
    doc.add_paragraph(
        _(
            "Response rate: accepted reports out of the parliaments asked. "
            "Reports submitted but not yet reviewed are counted as pending review."
        )
    )
    texts = chart_texts(assembly)
    _picture(
        doc,
        status_distribution(
            assembly.figures.statuses, title=texts["statuses_title"], xlabel=texts["statuses_axis"], fmt="png"
        ),
        texts["statuses_alt"],
    )
    _picture(
        doc,
        group_response_rates(
            assembly.figures.groups, title=texts["groups_title"], xlabel=texts["groups_axis"], fmt="png"
        ),
        texts["groups_alt"],
    )
    if assembly.figures.themes:
        _table(
            doc,
            [_("Theme"), _("Commitments"), _("Answers"), _("Implemented"), _("Weighted implementation")],
            [
                (theme.label, theme.commitments, theme.answers, theme.implemented, theme.implementation_text)
                for theme in assembly.figures.themes
            ],
            numeric=[1, 2, 3, 4],
            caption=_("By theme"),
        )


def _heatmap(doc: Document, assembly: AssemblyDocument) -> None:
    _section(doc, landscape=True)
    _heading(doc, _("Implementation by parliament and commitment"))
    legend = doc.add_paragraph()
    for status in assembly.legend:
        code = legend.add_run(f" {status.code} ")
        code.bold = True
        code.font.size = Pt(8)
        code.font.color.rgb = RGBColor.from_string(status.ink.lstrip("#"))
        shading = OxmlElement("w:shd")
        shading.set(qn("w:val"), "clear")
        shading.set(qn("w:fill"), status.fill.lstrip("#"))
        code._r.get_or_add_rPr().append(shading)
        legend.add_run(f" {status.label}    ").font.size = Pt(8)
    note = doc.add_paragraph(
        _(
            "Answers of accepted reports. Columns are the operative paragraphs reported on; a parliament "
            "whose report is not accepted shows the state of its report instead."
        )
    )
    note.runs[0].font.size = Pt(8)
    commitments = assembly.commitments
    if not (commitments and assembly.heatmap):
        doc.add_paragraph(_("No parliament or commitment to show."))
        return
    columns = len(commitments)
    cell_cm = min(CELL_MAX_CM, (LANDSCAPE_WIDTH_CM - NAME_CM) / columns)
    table = doc.add_table(rows=1 + len(assembly.heatmap), cols=1 + columns)
    table.style = "Table Grid"
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), "20")
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    table._tbl.tblPr.append(margins)
    styles = {status.key: status for status in assembly.legend}
    rows = table.rows
    header = rows[0].cells
    _cell_text(header[0], _("Parliament"), bold=True, size=6)
    for cell, commitment in zip(header[1:], commitments, strict=True):
        _cell_text(cell, commitment.short, bold=True, size=5.5, align=WD_ALIGN_PARAGRAPH.CENTER)
        _shade(cell, "#F0F0F0")
    for row, line in zip(rows[1:], assembly.heatmap, strict=True):
        cells = row.cells
        _cell_text(cells[0], f"{line.name[:34]} ({line.iso3})", size=5.5)
        if line.cells is None:
            merged = cells[1].merge(cells[-1])
            _cell_text(merged, line.state_label, size=5.5)
            merged.paragraphs[0].runs[0].italic = True
            _shade(merged, "#F7F7F7")
            continue
        for cell, heat in zip(cells[1:], line.cells, strict=True):
            style = styles[heat.key]
            _cell_text(cell, heat.code, bold=True, size=5.5, align=WD_ALIGN_PARAGRAPH.CENTER)
            cell.paragraphs[0].runs[0].font.color.rgb = RGBColor.from_string(style.ink.lstrip("#"))
            _shade(cell, style.fill)
    _repeat_header(table)
    _fixed_layout(table, [NAME_CM] + [cell_cm] * columns)
    keys = doc.add_paragraph()
    for commitment in commitments:
        key = keys.add_run(f"{commitment.short}: ")
        key.bold = True
        key.font.size = Pt(7)
        keys.add_run(f"{commitment.label} · {commitment.verb}    ").font.size = Pt(7)


def _groups(doc: Document, assembly: AssemblyDocument) -> None:
    _section(doc, landscape=False)
    _heading(doc, _("By geopolitical group"))
    _table(
        doc,
        [
            _("Geopolitical group"),
            _("Parliaments asked"),
            _("Accepted reports"),
            _("Response rate"),
            _("Average completeness"),
            _("Weighted implementation"),
        ],
        [
            (
                group.name,
                group.asked,
                group.reported,
                group.response_rate_text,
                group.completeness_text,
                group.implementation_text,
            )
            for group in assembly.figures.groups
        ],
        numeric=[1, 2, 3, 4, 5],
    )
    for section in assembly.groups:
        _table(
            doc,
            [
                _("Parliament"),
                _("Report state"),
                _("Answered"),
                _("Completeness"),
                _("Weighted implementation"),
                _("On time"),
            ],
            [
                (
                    line.name,
                    line.state_label,
                    f"{line.answered}/{line.total}",
                    line.completeness_text,
                    line.implementation_text,
                    line.on_time_text,
                )
                for line in section.parliaments
            ],
            numeric=[2, 3, 4],
            caption=section.figures.name,
        )


def _overdue(doc: Document, assembly: AssemblyDocument) -> None:
    _page_break(doc)
    _heading(doc, _("Reports overdue"))
    doc.add_paragraph(
        _("Parliaments that had not submitted their report by their due date (extensions included), as of %(date)s.")
        % {"date": assembly.dates["generated_on"]}
    )
    if not assembly.overdue:
        doc.add_paragraph(_("No report is overdue."))
        return
    _table(
        doc,
        [_("Parliament"), _("Report state"), _("Due date"), _("Days late")],
        [
            (
                f"{line.name} ({line.iso3})",
                line.state_label,
                f"{line.due_text} ({_('extended')})" if line.extended else line.due_text,
                line.days_late,
            )
            for line in assembly.overdue
        ],
        numeric=[3],
    )


def _annex(doc: Document, assembly: AssemblyDocument) -> None:
    _page_break(doc)
    _heading(doc, _("Annex: measures reported per commitment"))
    doc.add_paragraph(_("Measures and narratives of the accepted reports, as the parliaments wrote them."))
    if not assembly.annex:
        doc.add_paragraph(_("No accepted report describes measures yet."))
    styles = {status.key: status for status in assembly.legend}
    for section in assembly.annex:
        _heading(doc, f"{section.commitment.label} · {section.commitment.verb}", level=2)
        text = doc.add_paragraph(section.commitment.text)
        text.runs[0].font.size = Pt(8.5)
        for entry in section.entries:
            line = doc.add_paragraph()
            line.paragraph_format.keep_with_next = bool(entry.narrative)
            code = line.add_run(f" {entry.code} ")
            code.bold = True
            code.font.color.rgb = RGBColor.from_string(styles[entry.status_key].ink.lstrip("#"))
            shading = OxmlElement("w:shd")
            shading.set(qn("w:val"), "clear")
            shading.set(qn("w:fill"), styles[entry.status_key].fill.lstrip("#"))
            code._r.get_or_add_rPr().append(shading)
            line.add_run(f" {entry.parliament}").bold = True
            line.add_run(f" · {entry.status_label}")
            if entry.measures:
                line.add_run(f" · {entry.measures}").italic = True
            if entry.narrative:
                narrative = doc.add_paragraph(entry.narrative)
                narrative.paragraph_format.left_indent = Cm(0.5)
                narrative.runs[0].font.size = Pt(9)


def build(assembly: AssemblyDocument) -> Document:
    """The python-docx document for ``assembly``, in its language."""
    with translation.override(assembly.language):
        doc = new_document()
        properties = doc.core_properties
        properties.title = f"{assembly.title}: {assembly.cycle_title}"[:255]
        properties.author = _("Inter-Parliamentary Union")
        properties.language = assembly.language
        properties.subject = assembly.resolution_title[:255]
        first = doc.sections[0]
        first.left_margin = first.right_margin = first.top_margin = first.bottom_margin = Cm(2.0)
        doc.styles["Normal"].font.size = Pt(10)
        _title_page(doc, assembly)
        _key_figures(doc, assembly)
        _heatmap(doc, assembly)
        _groups(doc, assembly)
        _overdue(doc, assembly)
        _annex(doc, assembly)
        return doc


def write(cycle_id: int, out: BinaryIO, *, language: str, progress: Progress | None = None) -> None:
    assembly = assembly_document(cycle_id, language=language)
    if progress:
        progress(1, STEPS)
    doc = build(assembly)
    if progress:
        progress(3, STEPS)
    doc.save(out)
    if progress:
        progress(STEPS, STEPS)
