"""Evidence files: the type is read from the content, never from the name."""

from __future__ import annotations

import io
import zipfile
import zlib

from django.utils.translation import gettext as _

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
PNG, JPEG, GIF, WEBP = "image/png", "image/jpeg", "image/gif", "image/webp"
ALLOWED_TYPES = {PDF: "PDF", DOCX: "DOCX", ODT: "ODT", PNG: "PNG", JPEG: "JPEG", GIF: "GIF", WEBP: "WebP"}


class EvidenceRejected(Exception):
    """A file that is not an accepted kind of evidence, or too large."""


def sniff_content_type(head: bytes, read_all: callable) -> str | None:
    """The evidence type of a file from its first bytes (zip containers are opened)."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(read_all())) as archive:
                names = set(archive.namelist())
                if "word/document.xml" in names:
                    return DOCX
                if "mimetype" in names:
                    # Read a few bytes only: a crafted entry could inflate to gigabytes.
                    with archive.open("mimetype") as entry:
                        if entry.read(len(ODT) + 8).strip() == ODT.encode():
                            return ODT
        # A damaged, encrypted or oddly compressed archive is simply not accepted evidence.
        except (
            zipfile.BadZipFile,
            zipfile.LargeZipFile,
            KeyError,
            OSError,
            EOFError,
            RuntimeError,
            NotImplementedError,
            ValueError,
            zlib.error,
        ):
            return None
    return None


def check_evidence_file(uploaded, *, max_bytes: int) -> str:
    """Return the sniffed content type, or raise EvidenceRejected with a clear message."""
    if uploaded.size > max_bytes:
        raise EvidenceRejected(
            _("The file is too large (%(size)s MB; the limit is %(limit)s MB).")
            % {"size": round(uploaded.size / 1_048_576, 1), "limit": round(max_bytes / 1_048_576, 1)}
        )
    if uploaded.size == 0:
        raise EvidenceRejected(_("The file is empty."))
    uploaded.seek(0)
    head = uploaded.read(16)

    def read_all() -> bytes:
        uploaded.seek(0)
        return uploaded.read()

    content_type = sniff_content_type(head, read_all)
    uploaded.seek(0)
    if content_type is None:
        raise EvidenceRejected(
            _("This kind of file is not accepted. Upload a PDF, DOCX, ODT or an image (PNG, JPEG, GIF, WebP).")
        )
    return content_type
