"""Summary exports: rows, CSV, XLSX, PDF and DOCX read back with real readers, the command and the web flow.

The cycle asks parliaments A (group A), B and C (group B) about four commitments (OP 1,
OP 2, OP 2 (a), OP 2 (b)). A and B are accepted with known answers; C is a draft whose
answers the Secretariat must never see in an export.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import docx
import openpyxl
import pypdf
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from reporting.export_tasks import export_build
from reporting.exports import export_write
from reporting.exports.document import assembly_document
from reporting.exports.jobs import export_run
from reporting.exports.rows import cycle_table
from reporting.models import CycleSummary, Extension, ImplementationReport, ReportingCycle, SummaryExport
from reporting.services import ResponseChange, report_save
from reporting.summaries import summary_build
from tests.factories import UserFactory
from tracker.celery import app as celery_app
from tracker.models import User

from .conftest import DEADLINE

pytestmark = pytest.mark.django_db
State = ImplementationReport.State
FORMULA = '=HYPERLINK("http://example.org","click")'


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def answer(report: ImplementationReport, user: User, answers: dict) -> None:
    responses = {response.commitment_id: response for response in report.responses.all()}
    changes = [
        ResponseChange(response_id=responses[c.pk].pk, version=responses[c.pk].version, values=values)
        for c, values in answers.items()
    ]
    report_save(report=report, user=user, changes=changes)


@pytest.fixture
def known(cycle, resolution, report_a, report_b, report_c, reporter_a, reporter_b, approver_c, move_to, reviewer):
    op1, op2, op2a, op2b = resolution.reported
    answer(
        report_a,
        reporter_a,
        {
            op1: {
                "status": "implemented",
                "measures": ["legislation", "budget"],
                "narrative": "Adopted the 2029 act.",
            },
            op2: {"status": "in_progress", "measures": ["oversight"], "narrative": "Hearings under way."},
            op2a: {"status": "not_applicable"},
            op2b: {"status": "planned", "narrative": "A bill is planned."},
        },
    )
    answer(
        report_b,
        reporter_b,
        {
            op1: {"status": "not_started"},
            op2: {"status": "implemented", "narrative": FORMULA},
            op2b: {"status": "in_progress", "measures": ["awareness"]},
        },
    )
    answer(report_c, approver_c, {op1: {"status": "implemented", "narrative": "Secret draft text."}})
    move_to(report_a, State.ACCEPTED)
    move_to(report_b, State.ACCEPTED)
    return SimpleNamespace(cycle=cycle, resolution=resolution, reviewer=reviewer)


def export_bytes(cycle: ReportingCycle, fmt: str, language: str = "en") -> bytes:
    buffer = io.BytesIO()
    export_write(cycle.pk, fmt, buffer, language=language)
    return buffer.getvalue()


# Rows --------------------------------------------------------------------------------------


def test_rows_are_parliaments_times_commitments_in_order(known):
    table = cycle_table(known.cycle.pk, language="en")
    rows = list(table.rows)
    assert table.total == len(rows) == 3 * 4
    assert [(row[0], row[5]) for row in rows[:4]] == [
        ("Parliament A", "OP 1"),
        ("Parliament A", "OP 2"),
        ("Parliament A", "OP 2 (a)"),
        ("Parliament A", "OP 2 (b)"),
    ]
    first = rows[0]
    assert first[1:4] == ("AAA", "Group A", "Accepted")
    assert first[7:10] == ("Implemented", 100, "Legislation; Budget")
    assert first[10] == "Adopted the 2029 act."
    assert isinstance(first[4], date) and isinstance(first[11], date)
    assert rows[6][7:9] == ("", None)  # B left OP 2 (a) unanswered


def test_a_draft_shows_no_answer(known):
    rows = [row for row in cycle_table(known.cycle.pk, language="en").rows if row[0] == "Parliament C"]
    assert len(rows) == 4
    assert all(row[3] == "Draft" and row[7:] == ("", None, "", "", None) for row in rows)


def test_unknown_cycle_raises(db):
    with pytest.raises(ReportingCycle.DoesNotExist):
        cycle_table(999_999, language="en")


# CSV ---------------------------------------------------------------------------------------


def test_csv_reads_back(known):
    data = export_bytes(known.cycle, "csv")
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Parliament", "ISO code", "Geopolitical groups"]
    assert len(rows) == 1 + 12
    assert rows[1][7:10] == ["Implemented", "100", "Legislation; Budget"]
    b_op2 = next(row for row in rows if row[0] == "Parliament B" and row[5] == "OP 2")
    assert b_op2[10] == "'" + FORMULA  # shown as text, never run as a formula
    assert "Secret draft text." not in data.decode("utf-8-sig")


def test_french_csv_has_french_labels(known):
    rows = list(csv.reader(io.StringIO(export_bytes(known.cycle, "csv", "fr").decode("utf-8-sig"))))
    assert rows[0][0] == "Parlement"
    assert rows[1][3] == "Accepté"
    assert rows[1][5] == "Disp. 1"
    assert rows[1][7] == "Mis en œuvre"
    assert rows[1][9] == "Législation; Budget"


# XLSX --------------------------------------------------------------------------------------


def summary_values(sheet) -> dict[str, list]:
    """First-column label → the rest of its row, for the Summary sheet."""
    return {row[0]: list(row[1:]) for row in sheet.iter_rows(values_only=True) if row and row[0]}


def test_xlsx_reads_back(known):
    book = openpyxl.load_workbook(io.BytesIO(export_bytes(known.cycle, "xlsx")))
    assert book.sheetnames == ["Summary", "Responses"]
    sheet = book["Responses"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:L13"
    assert sheet.max_row == 1 + 3 * 4
    header = [cell.value for cell in sheet[1]]
    assert header[0] == "Parliament" and header[-1] == "Last change"
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.column_dimensions["K"].width >= 40  # the narrative column is wide
    a_op1 = [cell.value for cell in sheet[2]]
    assert a_op1[7:10] == ["Implemented", 100, "Legislation; Budget"]
    formula_cell = next(
        row[10] for row in sheet.iter_rows(min_row=2) if row[0].value == "Parliament B" and row[5].value == "OP 2"
    )
    assert formula_cell.value == FORMULA and formula_cell.data_type == "s"

    summary = CycleSummary.objects.get(cycle=known.cycle)  # built by the export itself
    figures = summary_values(book["Summary"])
    assert figures["Parliaments asked"][0] == summary.parliaments_asked == 3
    assert figures["Accepted reports"][0] == summary.reported == 2
    assert figures["Response rate (%)"][0] == pytest.approx(summary.response_rate)
    assert figures["On-time rate (%)"][0] == pytest.approx(summary.on_time_rate)
    assert figures["Average completeness (%)"][0] == pytest.approx(summary.completeness)
    assert figures["Weighted implementation (%)"][0] == pytest.approx(summary.implementation)
    assert figures["Group A"][:3] == [1, 1, pytest.approx(100.0)]
    assert figures["Group B"][:3] == [2, 1, pytest.approx(50.0)]


def test_xlsx_uses_the_stored_summary(known):
    summary = summary_build(cycle_id=known.cycle.pk)
    CycleSummary.objects.filter(pk=summary.pk).update(response_rate=12.5)  # what the summary pages show
    book = openpyxl.load_workbook(io.BytesIO(export_bytes(known.cycle, "xlsx")))
    assert summary_values(book["Summary"])["Response rate (%)"][0] == 12.5


# PDF ---------------------------------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_pdf_reads_back(known):
    data = export_bytes(known.cycle, "pdf")
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    for name in ("Parliament A", "Parliament B", "Parliament C"):
        assert name in text
    assert "66.7%" in text  # the response rate: 2 of 3 accepted
    assert "Adopted the 2029 act." in text  # the annex of measures
    assert "Secret draft text." not in text
    assert "Group B" in text and "50.0%" in text
    reader = pypdf.PdfReader(io.BytesIO(data))
    first, heatmap = reader.pages[0].mediabox, reader.pages[2].mediabox
    assert first.width < first.height and heatmap.width > heatmap.height  # the heatmap is landscape


def test_pdf_annex_laid_out_in_parts_reads_as_one_document(known, monkeypatch):
    monkeypatch.setattr("reporting.exports.pdf_export.ANNEX_CHUNK", 1)  # one part per commitment
    reader = pypdf.PdfReader(io.BytesIO(export_bytes(known.cycle, "pdf")))
    numbers = [page.extract_text().split()[-1] for page in reader.pages[1:]]
    assert numbers == [str(number) for number in range(2, len(reader.pages) + 1)]  # numbering carries on
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert titles[-1] == "Annex: measures reported per commitment"
    assert [item.title for item in reader.outline[-1]] == [
        "OP 1 · Calls upon",
        "OP 2 · Calls upon",
        "OP 2 (b) · Calls upon",
    ]
    assert reader.metadata.title.startswith("Implementation of the resolution")
    assert reader.trailer["/Root"]["/Lang"] == "en"


def test_french_pdf(known):
    text = pdf_text(export_bytes(known.cycle, "pdf", "fr"))
    assert "66,7" in text and "Taux de réponse" in text and "Chiffres clés" in text
    assert "Key figures" not in text
    assert "Parliament A" in text


# DOCX --------------------------------------------------------------------------------------


def docx_tables(data: bytes) -> list[list[list[str]]]:
    document = docx.Document(io.BytesIO(data))
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]


def test_docx_reads_back(known):
    tables = docx_tables(export_bytes(known.cycle, "docx"))
    groups = next(table for table in tables if table[0][0] == "Geopolitical group")
    assert groups[0][1:4] == ["Parliaments asked", "Accepted reports", "Response rate"]
    assert groups[1][:4] == ["Group A", "1", "1", "100.0%"]
    assert groups[2][:4] == ["Group B", "2", "1", "50.0%"]
    heatmap = next(table for table in tables if table[0][0] == "Parliament" and table[0][1] == "1")
    assert heatmap[0][1:] == ["1", "2", "2a", "2b"]
    assert heatmap[1][1:] == ["I", "P", "NA", "PL"]  # A, in text codes beside the colours
    assert heatmap[2][1:] == ["N", "I", "?", "P"]
    assert heatmap[3][1] == "Draft"  # C: not accepted, its state instead of cells
    figures = next(table for table in tables if table[0] == ["Figure", "Value"])
    assert ["Response rate", "66.7%"] in figures


def test_french_docx(known):
    tables = docx_tables(export_bytes(known.cycle, "docx", "fr"))
    groups = next(table for table in tables if table[0][0] == "Groupe géopolitique")
    assert groups[2][:4] == ["Group B", "2", "1", "50,0\xa0%"]
    heatmap = next(table for table in tables if table[0][0] == "Parlement" and table[0][1] == "1")
    assert heatmap[1][1:] == ["MO", "EC", "SO", "PR"]  # French codes: mis en œuvre, en cours, sans objet, prévu
    assert heatmap[3][1] == "Brouillon"


# The document model ------------------------------------------------------------------------


def test_overdue_list_counts_extensions(known, parliament_c, admin):
    # C is still a draft; after the due date it is overdue, counted from its extension.
    Extension.objects.create(
        cycle=known.cycle, parliament=parliament_c, due_date=DEADLINE + timedelta(days=5), reason="Elections"
    )
    doc = assembly_document(known.cycle.pk, language="en", today=DEADLINE + timedelta(days=12))
    assert [(line.name, line.days_late, line.extended) for line in doc.overdue] == [("Parliament C", 7, True)]
    assert assembly_document(known.cycle.pk, language="en", today=DEADLINE).overdue == []


def test_annex_has_accepted_narratives_per_commitment(known):
    doc = assembly_document(known.cycle.pk, language="en")
    annex = {section.commitment.label: section.entries for section in doc.annex}
    assert [(entry.parliament, entry.code, entry.measures) for entry in annex["OP 1"]] == [
        ("Parliament A", "I", "Legislation; Budget")
    ]
    assert "OP 2 (a)" not in annex  # nothing reported beyond the status
    assert all("Secret" not in entry.narrative for entries in annex.values() for entry in entries)


# The command -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf", "docx"])
def test_command_writes_each_format(known, tmp_path, fmt, capsys):
    target = tmp_path / f"summary.{fmt}"
    call_command("export_summary", str(known.cycle.pk), "--format", fmt, "-o", str(target))
    assert target.stat().st_size > 0
    err = capsys.readouterr().err
    if fmt in ("csv", "xlsx"):
        assert "rows written: 12/12" in err
    else:
        assert re.search(r"^steps done: (\d+)/\1$", err, re.MULTILINE)
    assert not list(tmp_path.glob(".*.part"))  # no temporary file left behind


def test_command_takes_the_format_from_the_extension_and_the_language(known, tmp_path):
    target = tmp_path / "résumé.csv"
    call_command("export_summary", str(known.cycle.pk), "-o", str(target), "--language", "fr")
    assert "Mis en œuvre" in target.read_text(encoding="utf-8-sig")


def run_command(*args: str, capsys) -> tuple[int, str]:
    """Run as from the shell: the exit status and stderr. The test's connection is kept open."""
    from django.core.management import ManagementUtility

    with mock.patch("django.core.management.base.connections.close_all"), pytest.raises(SystemExit) as exit_info:
        ManagementUtility(["manage.py", "export_summary", *args]).execute()
    return exit_info.value.code, capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["999999", "--format", "csv"], "No reporting cycle with id 999999."),
        (["abc", "--format", "csv"], "CYCLE_ID must be a number"),
        (["{cycle}", "--format", "odt"], "Unknown format 'odt'"),
        (["{cycle}", "--format", "csv", "--language", "de"], "Unknown language 'de'"),
    ],
)
def test_command_refuses_bad_input_in_one_line(known, tmp_path, capsys, args, message):
    target = tmp_path / "out.csv"
    code, err = run_command(*[arg.format(cycle=known.cycle.pk) for arg in args], "-o", str(target), capsys=capsys)
    assert code == 1
    assert err.strip().count("\n") == 0 and message in err
    assert not target.exists()


def test_command_refuses_an_unwritable_path(known, tmp_path, capsys):
    code, err = run_command(str(known.cycle.pk), "-o", str(tmp_path / "missing" / "out.xlsx"), capsys=capsys)
    assert code == 1 and "Cannot write" in err and err.strip().count("\n") == 0
    code, err = run_command(str(known.cycle.pk), "--format", "csv", "-o", str(tmp_path), capsys=capsys)
    assert code == 1 and "is a directory" in err


def test_command_error_for_unknown_cycle_via_call_command(db, tmp_path):
    with pytest.raises(CommandError, match="No reporting cycle"):
        call_command("export_summary", "4242", "--format", "pdf", "-o", str(tmp_path / "x.pdf"))


# The task ----------------------------------------------------------------------------------


def test_task_is_idempotent_and_records_failures(known, reviewer, monkeypatch):
    export = SummaryExport.objects.create(cycle=known.cycle, format="csv", language="en", created_by=reviewer)
    assert export_build(export.pk) == "done"
    export.refresh_from_db()
    name = export.file.name
    assert export.progress == 100 and export.finished_at and name.startswith(f"exports/{known.cycle.pk}/")
    assert export_build(export.pk) == "done"  # a second delivery leaves the finished export alone
    export.refresh_from_db()
    assert export.file.name == name
    assert export_build(987654) == "missing"

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("reporting.exports.jobs.export_write", broken)
    failing = SummaryExport.objects.create(cycle=known.cycle, format="pdf", language="en", created_by=reviewer)
    assert export_run(failing.pk).state == SummaryExport.State.FAILED
    failing.refresh_from_db()
    assert "disk full" in failing.error and not failing.file


# The web flow ------------------------------------------------------------------------------


@pytest.fixture
def eager():
    """Celery runs the task inline, as it does without REDIS_URL (even when the suite has Redis)."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def test_web_export_runs_and_downloads(known, client, eager, django_capture_on_commit_callbacks):
    client.force_login(known.reviewer)
    page = client.get(known.cycle.get_absolute_url()).content.decode()
    assert reverse("reporting:export_create", args=[known.cycle.pk]) in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reporting:export_create", args=[known.cycle.pk]), {"format": "xlsx", "language": "en"}
        )
    export = SummaryExport.objects.get()
    assert response.status_code == 302 and response["Location"] == export.get_absolute_url()
    assert (export.state, export.progress, export.created_by) == ("done", 100, known.reviewer)

    status = client.get(reverse("reporting:export_status", args=[export.pk])).json()
    assert status["state"] == "done" and status["progress"] == 100 and status["finished"] is True
    assert status["download_url"] == reverse("reporting:export_download", args=[export.pk])

    page = client.get(export.get_absolute_url()).content.decode()
    assert status["download_url"] in page and 'http-equiv="refresh"' not in page

    download = client.get(status["download_url"])
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in download["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert book["Responses"].max_row == 13


def test_waiting_export_page_polls_and_refreshes(known, client):
    export = SummaryExport.objects.create(cycle=known.cycle, format="pdf", language="fr", created_by=known.reviewer)
    client.force_login(known.reviewer)
    page = client.get(export.get_absolute_url()).content.decode()
    assert "reporting/export.js" in page and 'http-equiv="refresh"' in page
    assert 'aria-valuenow="0"' in page
    status = client.get(reverse("reporting:export_status", args=[export.pk])).json()
    assert status == {
        "state": "queued",
        "state_label": "Queued",
        "progress": 0,
        "finished": False,
        "download_url": None,
        "error": "",
    }
    assert client.get(reverse("reporting:export_download", args=[export.pk])).status_code == 404


def test_bad_export_request_goes_back_to_the_cycle(known, client):
    client.force_login(known.reviewer)
    response = client.post(reverse("reporting:export_create", args=[known.cycle.pk]), {"format": "odt"})
    assert response.status_code == 302 and response["Location"] == known.cycle.get_absolute_url()
    assert not SummaryExport.objects.exists()


def test_only_the_secretariat_reaches_exports(
    known, client, reporter_a, chair_a, eager, django_capture_on_commit_callbacks
):
    export = SummaryExport.objects.create(cycle=known.cycle, format="csv", language="en", created_by=known.reviewer)
    export_run(export.pk)
    urls = [
        reverse("reporting:export_detail", args=[export.pk]),
        reverse("reporting:export_status", args=[export.pk]),
        reverse("reporting:export_download", args=[export.pk]),
    ]
    create = reverse("reporting:export_create", args=[known.cycle.pk])
    for user in (reporter_a, chair_a):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user.username, url)
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(create, {"format": "csv", "language": "en"}).status_code == 404
    client.force_login(chair_a)
    assert (
        reverse("reporting:export_create", args=[known.cycle.pk])
        not in client.get(known.cycle.get_absolute_url()).content.decode()
    )
    client.logout()
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]
    assert SummaryExport.objects.count() == 1

    admin = UserFactory(username="secretariat-admin-2", role=User.Role.SECRETARIAT_ADMIN)
    client.force_login(admin)
    assert client.get(urls[2]).status_code == 200
    assert client.get(reverse("reporting:export_download", args=[export.pk + 100])).status_code == 404
