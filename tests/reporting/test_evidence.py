"""Evidence files: the type read from the content, storage, removal and who may see them."""

from __future__ import annotations

import base64
import io
import struct
import zipfile
import zlib
from pathlib import Path

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from reporting.evidence import DOCX, GIF, JPEG, ODT, PDF, PNG, WEBP, EvidenceRejected, check_evidence_file
from reporting.models import CommitmentResponse, Evidence, ImplementationReport, ReportEvent
from reporting.services import ReportingError, evidence_add, evidence_remove
from tracker.permissions import Action, policy

State = ImplementationReport.State
LIMIT = 10 * 1024 * 1024

# Real, minimal files of each accepted kind ------------------------------------------------------


def _pdf() -> bytes:
    """A one-page PDF with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png() -> bytes:
    """One grey pixel."""
    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00\x80"))
        + _png_chunk(b"IEND", b"")
    )


def _jpeg() -> bytes:
    """A baseline greyscale JPEG of one pixel: one DC and one AC Huffman code of one bit each."""

    def segment(marker: int, payload: bytes) -> bytes:
        return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload

    one_code = bytes([1] + [0] * 15) + b"\x00"  # one code of length 1, for symbol 0
    return (
        b"\xff\xd8"
        + segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
        + segment(0xDB, b"\x00" + bytes([1] * 64))
        + segment(0xC0, struct.pack(">BHHB", 8, 1, 1, 1) + b"\x01\x11\x00")
        + segment(0xC4, b"\x00" + one_code)
        + segment(0xC4, b"\x10" + one_code)
        + segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
        + b"\x3f"  # DC difference 0, then end of block, padded with ones
        + b"\xff\xd9"
    )


GIF_BYTES = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
WEBP_BYTES = base64.b64decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")


def _docx() -> bytes:
    document = docx.Document()
    document.add_heading("Implementation of the resolution", level=1)
    document.add_paragraph("Law No. 12 was adopted on 3 March.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _opendocument(mimetype: str = ODT) -> bytes:
    """An OpenDocument package: the uncompressed ``mimetype`` entry first, then the parts."""
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{mimetype}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        "<office:body><office:text><text:p>Law No. 12 was adopted.</text:p></office:text></office:body>"
        "</office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _zip(**members: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _damaged_opendocument() -> bytes:
    """An OpenDocument whose compressed ``mimetype`` entry does not inflate."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), ODT * 4, compress_type=zipfile.ZIP_DEFLATED)
    data = bytearray(buffer.getvalue())
    start = 30 + len("mimetype")  # after the local file header
    data[start : start + 8] = bytes(b ^ 0xFF for b in data[start : start + 8])
    return bytes(data)


def _encrypted_opendocument() -> bytes:
    """An OpenDocument whose entries say they are encrypted (bit 0 of the flags)."""
    data = bytearray(_opendocument())
    data[6] |= 1
    central = data.index(b"PK\x01\x02")
    data[central + 8] |= 1
    return bytes(data)


def _upload(name: str, content: bytes, claimed: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=claimed)


def _stored_files(settings) -> list[Path]:
    return [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


# Sniffing ----------------------------------------------------------------------------------


def test_the_opendocument_helper_puts_mimetype_first():
    with zipfile.ZipFile(io.BytesIO(_opendocument())) as archive:
        assert archive.namelist()[0] == "mimetype"
        assert archive.getinfo("mimetype").compress_type == zipfile.ZIP_STORED


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("report.pdf", _pdf(), PDF),
        ("scan.png", _png(), PNG),
        ("photo.jpg", _jpeg(), JPEG),
        ("chart.gif", GIF_BYTES, GIF),
        ("photo.webp", WEBP_BYTES, WEBP),
        ("law.docx", _docx(), DOCX),
        ("law.odt", _opendocument(), ODT),
        # The name does not matter, in either direction.
        ("scan.pdf", _png(), PNG),
        ("no extension", _docx(), DOCX),
    ],
)
def test_accepted_kinds_are_read_from_the_content(name, content, expected):
    upload = _upload(name, content, claimed="text/plain")
    assert check_evidence_file(upload, max_bytes=LIMIT) == expected
    assert upload.tell() == 0  # left ready to be stored


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("x.pdf", b"This is plain text pretending to be a PDF.\n"),
        ("x.png", b"<html><body>not an image</body></html>"),
        ("notes.docx", _zip(**{"notes.txt": b"a zip, not a document"})),
        ("sheet.odt", _opendocument("application/vnd.oasis.opendocument.spreadsheet")),
        ("broken.odt", _damaged_opendocument()),
        ("locked.odt", _encrypted_opendocument()),
        ("truncated.docx", _docx()[:200]),
        ("x.pdf", b"%PD"),
    ],
)
def test_other_content_is_refused(name, content):
    with pytest.raises(EvidenceRejected, match="not accepted"):
        check_evidence_file(_upload(name, content, claimed="application/pdf"), max_bytes=LIMIT)


def test_an_empty_file_is_refused():
    with pytest.raises(EvidenceRejected, match="empty"):
        check_evidence_file(_upload("report.pdf", b""), max_bytes=LIMIT)


def test_the_size_limit_is_inclusive():
    content = _pdf()
    assert check_evidence_file(_upload("report.pdf", content), max_bytes=len(content)) == PDF
    with pytest.raises(EvidenceRejected, match="too large"):
        check_evidence_file(_upload("report.pdf", content), max_bytes=len(content) - 1)


# Adding evidence ----------------------------------------------------------------------------


@pytest.fixture
def response_a(report_a, resolution) -> CommitmentResponse:
    return CommitmentResponse.objects.get(report=report_a, commitment=resolution.op1)


@pytest.mark.django_db
def test_evidence_is_stored_under_media_root_with_a_random_name(settings, response_a, reporter_a, resolution):
    content = _pdf()

    evidence = evidence_add(response=response_a, user=reporter_a, uploaded=_upload("Budget law 2030.pdf", content))
    again = evidence_add(response=response_a, user=reporter_a, uploaded=_upload("Budget law 2030.pdf", content))

    path = Path(evidence.file.path)
    assert path.is_relative_to(Path(settings.MEDIA_ROOT))
    assert path.read_bytes() == content
    assert "Budget" not in evidence.file.name
    assert not evidence.file.name.endswith(".pdf")
    assert evidence.file.name != again.file.name
    stored = Evidence.objects.get(pk=evidence.pk)
    assert (stored.original_name, stored.content_type, stored.size, stored.uploaded_by, stored.is_private) == (
        "Budget law 2030.pdf",
        PDF,
        len(content),
        reporter_a,
        True,
    )
    events = response_a.report.events.filter(kind=ReportEvent.Kind.FILE_ADDED)
    assert [(e.actor, e.data) for e in events] == [
        (reporter_a, {"commitment": resolution.op1.pk, "file": "Budget law 2030.pdf"})
    ] * 2


@pytest.mark.django_db
def test_the_content_type_stored_is_the_sniffed_one(response_a, approver_a):
    evidence = evidence_add(
        response=response_a, user=approver_a, uploaded=_upload("scan.pdf", _png(), "application/pdf")
    )
    assert evidence.content_type == PNG


@pytest.mark.django_db
def test_folders_in_the_uploaded_name_are_dropped(response_a, reporter_a):
    upload = _upload("report.pdf", _pdf())
    upload.name = "C:\\Users\\clerk\\Documents\\report.pdf"
    evidence = evidence_add(response=response_a, user=reporter_a, uploaded=upload)
    assert evidence.original_name == "report.pdf"


@pytest.mark.django_db
def test_a_refused_file_leaves_nothing_behind(settings, response_a, reporter_a):
    with pytest.raises(ReportingError, match="not accepted") as caught:
        evidence_add(response=response_a, user=reporter_a, uploaded=_upload("x.pdf", b"plain text", PDF))
    assert isinstance(caught.value, EvidenceRejected)  # callers may catch either kind
    assert not Evidence.objects.exists()
    assert not response_a.report.events.filter(kind=ReportEvent.Kind.FILE_ADDED).exists()
    assert _stored_files(settings) == []


@pytest.mark.django_db
def test_the_size_limit_comes_from_the_settings(settings, response_a, reporter_a):
    settings.EVIDENCE_MAX_BYTES = 64
    with pytest.raises(ReportingError, match="too large"):
        evidence_add(response=response_a, user=reporter_a, uploaded=_upload("report.pdf", _pdf()))
    assert not Evidence.objects.exists()
    assert _stored_files(settings) == []

    settings.EVIDENCE_MAX_BYTES = len(_png())
    assert evidence_add(response=response_a, user=reporter_a, uploaded=_upload("scan.png", _png())).pk


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["approver_b", "reviewer", "admin", "chair_a"])
def test_only_the_parliament_adds_evidence(request, settings, response_a, who):
    with pytest.raises(ReportingError, match="not allowed"):
        evidence_add(response=response_a, user=request.getfixturevalue(who), uploaded=_upload("r.pdf", _pdf()))
    assert not Evidence.objects.exists()
    assert _stored_files(settings) == []


@pytest.mark.django_db
def test_no_evidence_is_added_to_a_submitted_report(settings, response_a, approver_a):
    loaded_before = CommitmentResponse.objects.select_related("report").get(pk=response_a.pk)
    assert loaded_before.report.state == State.DRAFT
    ImplementationReport.objects.get(pk=response_a.report_id).submit(by=approver_a)

    with pytest.raises(ReportingError, match="not allowed"):
        evidence_add(response=loaded_before, user=approver_a, uploaded=_upload("r.pdf", _pdf()))
    assert not Evidence.objects.exists()
    assert _stored_files(settings) == []


# Removing evidence ----------------------------------------------------------------------------


@pytest.fixture
def evidence(response_a, reporter_a) -> Evidence:
    return evidence_add(response=response_a, user=reporter_a, uploaded=_upload("Budget law.pdf", _pdf()))


@pytest.mark.django_db
def test_removing_deletes_the_row_and_after_the_commit_the_file(
    evidence, approver_a, resolution, django_capture_on_commit_callbacks
):
    path, pk = Path(evidence.file.path), evidence.pk
    report = evidence.response.report

    with django_capture_on_commit_callbacks(execute=True):
        evidence_remove(evidence=evidence, user=approver_a)
        assert not Evidence.objects.filter(pk=pk).exists()
        assert path.exists()  # until the transaction commits

    assert not path.exists()
    event = report.events.get(kind=ReportEvent.Kind.FILE_REMOVED)
    assert (event.actor, event.data) == (approver_a, {"commitment": resolution.op1.pk, "file": "Budget law.pdf"})


@pytest.mark.django_db
def test_a_rolled_back_removal_keeps_row_and_file(evidence, approver_a, django_capture_on_commit_callbacks):
    path, pk = Path(evidence.file.path), evidence.pk
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            evidence_remove(evidence=evidence, user=approver_a)
            raise RuntimeError("the request failed")
    assert callbacks == []
    assert Evidence.objects.filter(pk=pk).exists()
    assert path.read_bytes() == _pdf()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["approver_b", "reviewer", "chair_a"])
def test_only_the_parliament_removes_evidence(request, evidence, who, django_capture_on_commit_callbacks):
    path = Path(evidence.file.path)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ReportingError, match="not allowed"):
        evidence_remove(evidence=evidence, user=request.getfixturevalue(who))
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    assert path.exists()


@pytest.mark.django_db
def test_no_evidence_is_removed_from_a_submitted_report(evidence, approver_a, django_capture_on_commit_callbacks):
    path = Path(evidence.file.path)
    loaded_before = Evidence.objects.select_related("response__report").get(pk=evidence.pk)
    evidence.response.report.submit(by=approver_a)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ReportingError, match="not allowed"):
        evidence_remove(evidence=loaded_before, user=approver_a)
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    assert path.exists()


# Who may see evidence ----------------------------------------------------------------------------

SEES_EVIDENCE = {
    "reporter_a": set(State.values),
    "approver_b": set(),
    "reviewer": {State.SUBMITTED, State.RETURNED, State.ACCEPTED},
    "chair_a": {State.SUBMITTED, State.ACCEPTED},
}


@pytest.mark.django_db
@pytest.mark.parametrize("state", State.values)
@pytest.mark.parametrize("who", list(SEES_EVIDENCE))
def test_evidence_is_visible_exactly_when_its_report_is(request, evidence, move_to, state, who):
    user = request.getfixturevalue(who)
    report = move_to(evidence.response.report, state)
    expected = state in SEES_EVIDENCE[who]

    assert policy.user_has_permission_for_instance(user, Action.VIEW_REPORT, report) is expected
    fresh = Evidence.objects.get(pk=evidence.pk)
    assert policy.user_has_permission_for_instance(user, Action.VIEW_EVIDENCE, fresh) is expected
    visible = policy.instances_user_has_permission_for(user, Action.VIEW_EVIDENCE, Evidence.objects.all())
    assert list(visible) == ([fresh] if expected else [])
