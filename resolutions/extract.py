"""Text out of PDF and DOCX files, recognised by their content rather than their name.

Resolutions arrive as plain text, Markdown, PDF or Word files. The parser reads text only,
so a PDF or DOCX is turned into text here first; anything else is left to the decoder.
"""

from __future__ import annotations

import io
import logging
import zipfile

from django.utils.translation import gettext as _
from docx import Document as DocxDocument
from docx.opc.exceptions import OpcError
from docx.table import Table
from pypdf import PdfReader
from pypdf.errors import PyPdfError

logger = logging.getLogger(__name__)

PDF = "pdf"
DOCX = "docx"

# A DOCX is a ZIP archive; its main part must stay a reasonable size once inflated, so a
# small archive cannot expand into gigabytes of XML.
MAX_DOCX_XML_BYTES = 50 * 1024 * 1024

# Malformed files make the two libraries raise more than their own error classes.
_PDF_ERRORS = (PyPdfError, ValueError, KeyError, TypeError, IndexError, AttributeError, OSError)
_DOCX_ERRORS = (OpcError, zipfile.BadZipFile, KeyError, ValueError, TypeError, AttributeError, OSError)


class ExtractionError(ValueError):
    """The file looks like a PDF or DOCX but no text can be read from it (one clear line)."""


def format_detect(data: bytes) -> str | None:
    """``"pdf"`` or ``"docx"`` when the bytes are one, by magic bytes; ``None`` otherwise."""
    if data[:1024].lstrip(b"\x00\t\r\n ").startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if "word/document.xml" in archive.namelist():
                    return DOCX
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
    return None


def pdf_text_extract(data: bytes) -> str:
    """The text layer of a PDF, one page after another."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractionError(_("The PDF is password-protected; upload an unprotected copy."))
        pages = [page.extract_text() or "" for page in reader.pages]
    except ExtractionError:
        raise
    except _PDF_ERRORS as error:
        raise ExtractionError(_("The PDF cannot be read (%(error)s).") % {"error": _describe(error)}) from error
    text = "\n\n".join(page.strip("\n") for page in pages)
    if not text.strip():
        raise ExtractionError(_("The PDF has no text layer (a scanned image?); upload a text or Word version."))
    return text


def docx_text_extract(data: bytes) -> str:
    """The paragraphs (and table cells) of a Word document, in reading order."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            size = archive.getinfo("word/document.xml").file_size
        if size > MAX_DOCX_XML_BYTES:
            raise ExtractionError(_("The Word document is too large once uncompressed."))
        document = DocxDocument(io.BytesIO(data))
        lines: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                for row in block.rows:
                    for cell in row.cells:
                        lines.extend(paragraph.text for paragraph in cell.paragraphs)
            else:
                lines.append(block.text)
    except ExtractionError:
        raise
    except _DOCX_ERRORS as error:
        raise ExtractionError(
            _("The Word document cannot be read (%(error)s).") % {"error": _describe(error)}
        ) from error
    text = "\n\n".join(line for line in lines if line.strip())
    if not text.strip():
        raise ExtractionError(_("The Word document contains no text."))
    return text


def document_text_extract(*, data: bytes) -> str | None:
    """The text of a PDF or DOCX file; ``None`` when the bytes are neither (plain text, probably)."""
    kind = format_detect(data)
    if kind == PDF:
        return pdf_text_extract(data)
    if kind == DOCX:
        return docx_text_extract(data)
    return None


def _describe(error: BaseException) -> str:
    message = " ".join(str(error).split())
    name = type(error).__name__
    if not message:
        return name
    return message if len(message) <= 120 else message[:117] + "..."
