"""The Assembly document as PDF: the HTML template with print CSS, laid out by WeasyPrint.

Nothing is fetched from the network or the disk while rendering: the styles are in the
template, the charts are inline ``data:`` SVG images, the fonts are the system's, and the
URL fetcher refuses every scheme but ``data:``. The base URL is the template directory, so
a stray relative link can never resolve elsewhere. The annex is laid out in parts joined
by pypdf (see ``write``).
"""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from pypdf import PdfWriter
from pypdf.generic import NameObject, TextStringObject

from . import Progress
from .charts import group_response_rates, status_distribution
from .document import AnnexSection, AssemblyDocument, assembly_document, percent_text

TEMPLATE = "reporting/export/summary.html"
BASE_DIR = Path(settings.BASE_DIR) / "templates" / "reporting" / "export"
# Landscape A4 less its margins, in millimetres; the heatmap's name column is fixed.
WIDE_PAGE_MM = 277
NAME_MM = 46
CELL_MAX_MM = 10.0
ANNEX_CHUNK = 300  # annex entries laid out at a time (about 12 pages)


def _data_uri(svg: bytes) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def chart_texts(doc: AssemblyDocument) -> dict[str, str]:
    """Titles and alternative texts of the two charts (the alt texts carry every value)."""
    return {
        "statuses_title": _("Answers by implementation status (accepted reports)"),
        "statuses_axis": _("Answers"),
        "statuses_alt": "; ".join(
            f"{status.label}: {status.count} ({percent_text(status.share)})" for status in doc.figures.statuses
        ),
        "groups_title": _("Response rate by geopolitical group"),
        "groups_axis": _("Accepted reports out of parliaments asked (%)"),
        "groups_alt": "; ".join(f"{group.name}: {percent_text(group.response_rate)}" for group in doc.figures.groups),
    }


def heat_layout(columns: int) -> dict[str, str | int]:
    """Heatmap sizes as CSS lengths (written here: the template would localise the decimal point)."""
    cell = int(10 * min(CELL_MAX_MM, (WIDE_PAGE_MM - NAME_MM) / max(columns, 1))) / 10
    return {
        "name_mm": f"{NAME_MM:.1f}",
        "cell_mm": f"{cell:.1f}",
        "table_mm": f"{NAME_MM + cell * columns:.1f}",
        "name_chars": 30,
    }


def css_string(text: str) -> str:
    """Text for a quoted CSS string in the template's <style> (marked safe: escaped here, not as HTML)."""
    escaped = "".join(f"\\{ord(char):X} " if char in '"\\<>&\n\r' or ord(char) < 32 else char for char in text)
    return mark_safe(escaped)  # noqa: S308 - every character that could end the string or the tag is escaped


def annex_chunks(sections: list[AnnexSection], size: int | None = None) -> list[list[AnnexSection]]:
    """Whole commitments grouped until a chunk holds at least ``size`` entries; one empty chunk if none."""
    size = size or ANNEX_CHUNK
    chunks: list[list[AnnexSection]] = [[]]
    count = 0
    for section in sections:
        if count >= size:
            chunks.append([])
            count = 0
        chunks[-1].append(section)
        count += len(section.entries)
    return chunks


def render_html(
    doc: AssemblyDocument,
    *,
    main: bool = True,
    annex: list[AnnexSection] | None = None,
    annex_heading: bool = True,
    first_page: int = 1,
) -> str:
    """The document (or a part of it) as HTML in its own language; also handy to preview in a browser.

    ``main``: the title page to the overdue list; ``annex``: these sections of the annex.
    """
    with translation.override(doc.language):
        context = {
            "doc": doc,
            "show_main": main,
            "show_annex": annex is not None,
            "annex_sections": annex or [],
            "annex_heading": annex_heading,
            "first_page": first_page,
            "running_title": css_string(doc.cycle_title),
            "heat": heat_layout(len(doc.commitments)),
        }
        if main:
            texts = chart_texts(doc)
            context["charts"] = {
                "statuses": _data_uri(
                    status_distribution(
                        doc.figures.statuses, title=texts["statuses_title"], xlabel=texts["statuses_axis"]
                    )
                ),
                "groups": _data_uri(
                    group_response_rates(doc.figures.groups, title=texts["groups_title"], xlabel=texts["groups_axis"])
                ),
                "statuses_alt": texts["statuses_alt"],
                "groups_alt": texts["groups_alt"],
            }
        return render_to_string(TEMPLATE, context)


def _pdf(html: str) -> tuple[io.BytesIO, list]:
    """One part laid out and written by WeasyPrint (which may fetch nothing but ``data:`` URLs), and its bookmarks."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"}, allow_redirects=False)
    document = HTML(string=html, base_url=BASE_DIR.as_uri() + "/", url_fetcher=fetcher).render()
    bookmarks = document.make_bookmark_tree()
    buffer = io.BytesIO()
    document.write_pdf(buffer)
    buffer.seek(0)
    return buffer, bookmarks


def _outline(writer: PdfWriter, bookmarks: list, offset: int, parent: object = None) -> object:
    """Add WeasyPrint's bookmark tree (label, (page, x, y), children, state) to the joined outline."""
    last = None
    for label, (page, _x, _y), children, _state in bookmarks:
        last = writer.add_outline_item(title=label, page_number=offset + page, parent=parent)
        _outline(writer, children, offset, last)
    return last


def write(cycle_id: int, out: BinaryIO, *, language: str, progress: Progress | None = None) -> None:
    """Lay the document out in parts and join them, so memory stays bounded by the largest part.

    WeasyPrint keeps every page of a document in memory until it is written (about 4 MB a
    page here); a full cycle's annex runs to hundreds of pages. The main part and then the
    annex, a few hundred entries at a time, are each written to PDF and joined by pypdf;
    page numbers carry on from one part to the next and the bookmarks are rebuilt as one tree.
    """
    doc = assembly_document(cycle_id, language=language)
    chunks = annex_chunks(doc.annex)
    steps = len(chunks) + 3
    tick = progress or (lambda done, total: None)
    tick(1, steps)
    writer = PdfWriter()
    pdf, bookmarks = _pdf(render_html(doc))
    writer.append(pdf, import_outline=False)
    _outline(writer, bookmarks, 0)
    tick(2, steps)
    annex = None
    for index, chunk in enumerate(chunks):
        offset = len(writer.pages)
        html = render_html(doc, main=False, annex=chunk, annex_heading=index == 0, first_page=offset + 1)
        pdf, bookmarks = _pdf(html)
        writer.append(pdf, import_outline=False)
        if index == 0:
            annex = _outline(writer, bookmarks, offset)  # the annex heading holds the commitments
        else:
            _outline(writer, bookmarks, offset, annex)
        tick(3 + index, steps)
    with translation.override(doc.language):
        writer.add_metadata(
            {
                "/Title": f"{doc.title}: {doc.cycle_title}",
                "/Subject": doc.resolution_title,
                "/Author": _("Inter-Parliamentary Union"),
                "/Creator": _("IPU Resolution Tracker"),
            }
        )
    writer._root_object[NameObject("/Lang")] = TextStringObject(doc.language)
    writer.write(out)
    tick(steps, steps)
