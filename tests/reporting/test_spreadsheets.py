"""The report as a spreadsheet: download, fill in offline, upload; all or nothing, with optimistic locking."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from reporting import spreadsheets
from reporting.models import CommitmentResponse, ImplementationReport, ReportEvent
from reporting.services import ResponseChange, report_save
from reporting.spreadsheets import COLUMN_INDEX, CONTENT_TYPE, FIRST_ROW, HEADER_ROW, list_formula

from .factories import ResponseFactory

pytestmark = pytest.mark.django_db
State = ImplementationReport.State
FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr"}
STATUS_LABELS = ["Not started", "Planned", "In progress", "Implemented", "Not applicable"]


# Helpers -------------------------------------------------------------------------------------


def download_url(report: ImplementationReport) -> str:
    return reverse("reporting:report_spreadsheet", args=[report.pk])


def upload_url(report: ImplementationReport) -> str:
    return reverse("reporting:report_spreadsheet_upload", args=[report.pk])


def download(client, report: ImplementationReport, **extra) -> Workbook:
    response = client.get(download_url(report), **extra)
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def as_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, report: ImplementationReport, content: Workbook | bytes, *, name: str = "report.xlsx", **extra):
    data = as_bytes(content) if isinstance(content, Workbook) else content
    return client.post(
        upload_url(report), {"file": SimpleUploadedFile(name, data, content_type=CONTENT_TYPE)}, **extra
    )


def letter(key: str) -> str:
    return get_column_letter(COLUMN_INDEX[key] + 1)


def cell(sheet, row: int, key: str):
    return sheet[f"{letter(key)}{row}"]


def rows_by_answer(sheet) -> dict[int, int]:
    """Answer id → row of the answers sheet."""
    found = {}
    for row in range(FIRST_ROW, sheet.max_row + 1):
        value = cell(sheet, row, "id").value
        if value is not None:
            found[value] = row
    return found


def ordered(report: ImplementationReport) -> list[CommitmentResponse]:
    return list(report.responses.order_by("commitment__paragraph__position", "commitment__paragraph__letter", "pk"))


def messages_of(response) -> list[str]:
    """The messages, with French non-breaking spaces as plain ones."""
    return [str(message).replace("\u00a0", " ") for message in get_messages(response.wsgi_request)]


def versions(report: ImplementationReport) -> dict[int, int]:
    return dict(report.responses.values_list("pk", "version"))


def events(report: ImplementationReport) -> int:
    return ReportEvent.objects.filter(report=report).count()


@pytest.fixture
def answered(report_a, reporter_a) -> list[CommitmentResponse]:
    """Report A with its first answer filled in on the website."""
    first = ordered(report_a)[0]
    report_save(
        report=report_a,
        user=reporter_a,
        changes=[
            ResponseChange(
                first.pk,
                first.version,
                {
                    "status": "in_progress",
                    "measures": ["legislation", "budget"],
                    "narrative": "A bill was tabled.\nFirst reading in May.",
                    "links": ["https://example.org/bill", "https://example.org/debate"],
                },
            )
        ],
    )
    return ordered(report_a)


# Download ------------------------------------------------------------------------------------


def test_download_is_an_xlsx_named_after_the_parliament_and_cycle(client, report_a, reporter_a):
    client.force_login(reporter_a)
    response = client.get(download_url(report_a))
    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPE
    assert response["Content-Disposition"] == f'attachment; filename="report-AAA-{report_a.cycle_id}.xlsx"'
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.startswith(b"PK")


def test_download_has_one_prefilled_row_per_commitment(client, report_a, reporter_a, answered):
    client.force_login(reporter_a)
    workbook = download(client, report_a)
    assert workbook.sheetnames == ["Answers", "Help"]
    sheet = workbook["Answers"]
    assert sheet["A1"].value == report_a.pk
    assert [cell(sheet, HEADER_ROW, key).value for key in ("id", "version", "status", "links", "position")] == [
        "Answer ID",
        "Answer version",
        "Implementation status",
        "Links",
        "Position on the commitment",
    ]
    assert rows_by_answer(sheet) == {response.pk: FIRST_ROW + i for i, response in enumerate(answered)}
    assert sheet.max_row == FIRST_ROW + len(answered) - 1

    first, second = FIRST_ROW, FIRST_ROW + 1
    assert cell(sheet, first, "label").value == "OP 1"
    assert cell(sheet, first, "verb").value == "Calls upon"
    assert cell(sheet, first, "text").value == "Operative text 1."
    assert cell(sheet, first, "text").alignment.wrap_text
    assert cell(sheet, first, "version").value == 1
    assert cell(sheet, first, "status").value == "In progress"
    assert cell(sheet, first, "measures").value == "Legislation, Budget"
    assert cell(sheet, first, "narrative").value == "A bill was tabled.\nFirst reading in May."
    assert cell(sheet, first, "links").value == "https://example.org/bill\nhttps://example.org/debate"
    assert cell(sheet, first, "position").value is None
    # Parliament A's reservation on OP 2, printed under the text, reaches its sub-paragraphs.
    assert cell(sheet, second, "label").value == "OP 2 (a)"
    assert cell(sheet, second, "status").value is None
    assert cell(sheet, second, "version").value == 0
    assert cell(sheet, second, "position").value == "Reservation expressed"


def test_download_has_drop_downs_frozen_headings_hidden_keys_and_protection(client, report_a, reporter_a):
    client.force_login(reporter_a)
    sheet = download(client, report_a)["Answers"]
    last = FIRST_ROW + report_a.responses.count() - 1

    validations = {str(dv.sqref): dv for dv in sheet.data_validations.dataValidation}
    status = validations[f"{letter('status')}{FIRST_ROW}:{letter('status')}{last}"]
    assert status.type == "list" and status.allow_blank
    assert status.formula1 == '"' + ",".join(STATUS_LABELS) + '"'
    position = validations[f"{letter('position')}{FIRST_ROW}:{letter('position')}{last}"]
    assert position.formula1 == '"No position expressed,Reservation expressed,Opposition expressed"'

    assert sheet.freeze_panes == f"E{FIRST_ROW}"
    assert all(sheet.column_dimensions[letter(key)].hidden for key in ("id", "version", "check"))
    assert not sheet.column_dimensions[letter("status")].hidden
    assert sheet.protection.sheet and not sheet.protection.password
    for key in ("status", "measures", "narrative", "links", "position", "position_note"):
        assert not cell(sheet, FIRST_ROW, key).protection.locked, key
    for key in ("id", "version", "check", "label", "verb", "text"):
        assert cell(sheet, FIRST_ROW, key).protection.locked, key
    assert "Legislation" in cell(sheet, HEADER_ROW, "measures").comment.text


def test_help_sheet_lists_the_allowed_values(client, report_a, reporter_a):
    client.force_login(reporter_a)
    help_sheet = download(client, report_a)["Help"]
    values = {value for row in help_sheet.iter_rows(values_only=True) for value in row if value}
    assert set(STATUS_LABELS) <= values
    assert {"Legislation", "Oversight", "Budget", "Awareness raising", "International cooperation", "Other"} <= values
    assert {"Reservation expressed", "Opposition expressed"} <= values
    assert help_sheet.protection.sheet


def test_download_in_french_has_french_labels(client, report_a, reporter_a, answered):
    client.force_login(reporter_a)
    workbook = download(client, report_a, **FRENCH)
    assert workbook.sheetnames == ["Réponses", "Aide"]
    sheet = workbook["Réponses"]
    assert cell(sheet, HEADER_ROW, "status").value == "État de mise en œuvre"
    assert cell(sheet, FIRST_ROW, "label").value == "Disp. 1"
    assert cell(sheet, FIRST_ROW, "status").value == "En cours"
    assert cell(sheet, FIRST_ROW, "measures").value == "Législation, Budget"
    assert cell(sheet, FIRST_ROW + 1, "position").value == "Réserve exprimée"
    status = next(dv for dv in sheet.data_validations.dataValidation if letter("status") in str(dv.sqref))
    assert status.formula1 == '"Non commencé,Prévu,En cours,Mis en œuvre,Sans objet"'


def test_download_queries_do_not_grow_with_the_commitments(client, report_a, reporter_a):
    client.force_login(reporter_a)
    with CaptureQueriesContext(connection) as few:
        assert client.get(download_url(report_a)).status_code == 200
    ResponseFactory.create_batch(6, report=report_a)
    with CaptureQueriesContext(connection) as many:
        sheet = download(client, report_a)["Answers"]
    assert len(rows_by_answer(sheet)) == 10
    assert len(many) == len(few) <= 6


def test_text_starting_with_equals_is_written_as_text_and_round_trips(client, report_a, reporter_a):
    first = ordered(report_a)[0]
    report_save(report=report_a, user=reporter_a, changes=[ResponseChange(first.pk, 0, {"narrative": "=1+1 laws"})])
    client.force_login(reporter_a)
    workbook = download(client, report_a)
    narrative = cell(workbook["Answers"], FIRST_ROW, "narrative")
    assert narrative.value == "=1+1 laws" and narrative.data_type == "s"
    response = upload(client, report_a, workbook)
    assert messages_of(response) == ["Spreadsheet uploaded: 0 answers changed."]


# Upload --------------------------------------------------------------------------------------


def test_upload_saves_the_changed_rows_once(client, report_a, reporter_a):
    client.force_login(reporter_a)
    workbook = download(client, report_a)
    sheet = workbook["Answers"]
    first, second, third, fourth = ordered(report_a)
    cell(sheet, FIRST_ROW, "status").value = "Implemented"
    cell(sheet, FIRST_ROW, "measures").value = "legislation; Oversight"
    cell(sheet, FIRST_ROW, "links").value = "https://example.org/act\n\nhttp://example.org/record "
    cell(sheet, FIRST_ROW + 2, "narrative").value = "Hearings were held."
    cell(sheet, FIRST_ROW + 3, "position").value = "No position expressed"
    before = events(report_a)

    response = upload(client, report_a, workbook)
    assert response.status_code == 302 and response["Location"] == report_a.get_absolute_url()
    assert messages_of(response) == ["Spreadsheet uploaded: 3 answers changed."]
    first.refresh_from_db()
    assert (first.status, first.measures, first.links, first.version) == (
        "implemented",
        ["legislation", "oversight"],
        ["https://example.org/act", "http://example.org/record"],
        1,
    )
    assert first.updated_by == reporter_a
    third.refresh_from_db()
    assert (third.narrative, third.version) == ("Hearings were held.", 1)
    fourth.refresh_from_db()
    assert (fourth.position, fourth.version) == ("", 1)
    second.refresh_from_db()
    assert (second.position, second.version) == ("reservation", 0)  # left as it was
    assert events(report_a) == before + 3
    client.get(response["Location"])  # shows (and so clears) the message

    # The same file again: everything already matches, nothing is sent.
    saved = versions(report_a)
    response = upload(client, report_a, workbook)
    assert response.status_code == 302
    assert messages_of(response) == ["Spreadsheet uploaded: 0 answers changed."]
    assert versions(report_a) == saved
    assert events(report_a) == before + 3


def test_every_error_is_listed_with_its_cell_and_nothing_is_saved(client, report_a, reporter_a):
    client.force_login(reporter_a)
    workbook = download(client, report_a)
    sheet = workbook["Answers"]
    cell(sheet, 3, "status").value = "Done"
    cell(sheet, 4, "links").value = "https://example.org/ok\nwww.example.org/no-scheme"
    cell(sheet, 5, "narrative").value = "A valid change on another row."
    cell(sheet, 6, "measures").value = "Legislation, Laws"
    saved, before = versions(report_a), events(report_a)

    response = upload(client, report_a, workbook)
    assert response.status_code == 200
    assert [str(error) for error in response.context["errors"]] == [
        "Row 3, column G (Implementation status): “Done” is not one of: "
        "Not started, Planned, In progress, Implemented, Not applicable; or leave the cell empty.",
        "Row 4, column J (Links): These lines are not web addresses (start them with https://): "
        "“www.example.org/no-scheme”",
        "Row 6, column H (Kinds of measures): “Laws”: not a kind of measure. Use Legislation, Oversight, "
        "Budget, Awareness raising, International cooperation, Other, separated by commas.",
    ]
    assert messages_of(response) == [
        "The spreadsheet has 3 errors; nothing was saved. Correct them and upload the file again."
    ]
    html = response.content.decode()
    assert html.count('class="spreadsheet-error"') == 3
    assert "<td>G (Implementation status)</td>" in html and "<td>J (Links)</td>" in html
    assert versions(report_a) == saved
    assert events(report_a) == before


def test_a_stale_file_is_refused_and_nothing_is_saved(client, report_a, reporter_a, approver_a):
    client.force_login(reporter_a)
    workbook = download(client, report_a)
    first, second, *_ = ordered(report_a)
    # Someone saves the first answer on the website after the download.
    report_save(report=report_a, user=approver_a, changes=[ResponseChange(first.pk, 0, {"status": "planned"})])
    sheet = workbook["Answers"]
    cell(sheet, FIRST_ROW, "status").value = "Implemented"
    cell(sheet, FIRST_ROW + 1, "narrative").value = "Changed in the file."
    saved, before = versions(report_a), events(report_a)

    response = upload(client, report_a, workbook)
    assert response.status_code == 200
    (message,) = messages_of(response)
    assert message.startswith("Someone else saved 1 of these answers while you were editing. Nothing was saved")
    assert "Download a new copy of the spreadsheet" in message
    assert [str(error) for error in response.context["errors"]] == [
        f"Row {FIRST_ROW}: Someone else saved this answer after the spreadsheet was downloaded."
    ]
    assert versions(report_a) == saved
    assert events(report_a) == before
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "planned" and second.narrative == ""


def test_rows_left_as_downloaded_keep_what_others_saved_meanwhile(client, report_a, reporter_a, approver_a):
    client.force_login(reporter_a)
    workbook = download(client, report_a)
    first, second, *_ = ordered(report_a)
    report_save(report=report_a, user=approver_a, changes=[ResponseChange(first.pk, 0, {"status": "planned"})])
    cell(workbook["Answers"], FIRST_ROW + 1, "status").value = "Planned"

    response = upload(client, report_a, workbook)
    assert response.status_code == 302
    assert messages_of(response) == [
        "Spreadsheet uploaded: 1 answer changed.",
        "1 answer was changed on the website after the download and left unchanged in the file; "
        "the website's version was kept.",
    ]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.version) == ("planned", 1)
    assert (second.status, second.version) == ("planned", 1)


def test_a_text_file_named_xlsx_is_refused(client, report_a, reporter_a):
    client.force_login(reporter_a)
    saved = versions(report_a)
    for content in (b"Status,Narrative\nDone,Everything\n", b"PK\x03\x04 not really a zip"):
        response = upload(client, report_a, content, name="answers.xlsx")
        assert response.status_code == 200
        assert messages_of(response) == [
            "This file is not an Excel workbook (.xlsx). Upload the spreadsheet downloaded from this report, "
            "saved in the .xlsx format."
        ]
    assert versions(report_a) == saved


def test_a_zip_that_is_not_a_workbook_is_refused(client, report_a, reporter_a):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    client.force_login(reporter_a)
    response = upload(client, report_a, buffer.getvalue())
    assert messages_of(response)[0].startswith("This file is not an Excel workbook (.xlsx).")


def test_an_oversized_file_is_refused(client, report_a, reporter_a, monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_UPLOAD_BYTES", 1024)
    client.force_login(reporter_a)
    response = upload(client, report_a, download(client, report_a))
    assert response.status_code == 200
    assert messages_of(response)[0].startswith("The file is larger than")


def test_a_spreadsheet_of_another_report_is_refused(client, report_a, report_b, reporter_a, reporter_b):
    client.force_login(reporter_b)
    workbook = download(client, report_b)
    cell(workbook["Answers"], FIRST_ROW, "status").value = "Planned"
    client.force_login(reporter_a)
    response = upload(client, report_a, workbook)
    assert response.status_code == 200
    assert messages_of(response) == [
        "This spreadsheet was not downloaded from this report. Download this report's spreadsheet and write "
        "the answers in it."
    ]
    assert set(versions(report_a).values()) == {0} and set(versions(report_b).values()) == {0}


def test_rows_of_another_report_added_rows_and_duplicates_are_errors(client, report_a, report_b, reporter_a):
    client.force_login(reporter_a)
    workbook = download(client, report_a)
    sheet = workbook["Answers"]
    last = sheet.max_row
    cell(sheet, FIRST_ROW, "id").value = ordered(report_b)[0].pk
    cell(sheet, FIRST_ROW + 1, "id").value = cell(sheet, FIRST_ROW + 2, "id").value
    cell(sheet, last + 2, "narrative").value = "A row of my own."
    response = upload(client, report_a, workbook)
    errors = [str(error) for error in response.context["errors"]]
    assert errors == [
        f"Row {FIRST_ROW}, column A (Answer ID): Answer {ordered(report_b)[0].pk} is not part of this report.",
        f"Row {FIRST_ROW + 2}, column A (Answer ID): This answer is also on row {FIRST_ROW + 1}; "
        "keep one row per answer.",
        f"Row {last + 2}, column A (Answer ID): This row has no answer ID: rows cannot be added; "
        "write on the row of the commitment.",
    ]


def test_missing_or_renamed_columns_are_refused(client, report_a, reporter_a):
    client.force_login(reporter_a)
    workbook = download(client, report_a)
    sheet = workbook["Answers"]
    cell(sheet, HEADER_ROW, "status").value = "State"
    cell(sheet, HEADER_ROW, "links").value = None
    cell(sheet, FIRST_ROW, "narrative").value = "Would change."
    response = upload(client, report_a, workbook)
    assert response.status_code == 200
    assert messages_of(response) == [
        "The columns of this spreadsheet were changed; download a new copy and write the answers in it."
    ]
    assert [str(error) for error in response.context["errors"]] == [
        f"Row {HEADER_ROW}: The column “Implementation status” is missing or was renamed.",
        f"Row {HEADER_ROW}: The column “Links” is missing or was renamed.",
    ]
    assert set(versions(report_a).values()) == {0}


def test_french_file_uploads_in_either_language(client, report_a, reporter_a):
    client.force_login(reporter_a)
    workbook = download(client, report_a, **FRENCH)
    sheet = workbook["Réponses"]
    first, second, third, _fourth = ordered(report_a)
    cell(sheet, FIRST_ROW, "status").value = "Mis en œuvre"
    cell(sheet, FIRST_ROW, "measures").value = "Législation, Contrôle parlementaire"
    cell(sheet, FIRST_ROW + 1, "position").value = "Opposition exprimée"
    response = upload(client, report_a, workbook, **FRENCH)
    assert response.status_code == 302
    assert messages_of(response) == ["Tableur importé : 2 réponses modifiées."]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.measures) == ("implemented", ["legislation", "oversight"])
    assert second.position == "opposition"
    client.get(response["Location"])

    # English labels typed into the French file, uploaded from the English interface.
    cell(sheet, FIRST_ROW + 2, "status").value = "In progress"
    response = upload(client, report_a, workbook)
    assert messages_of(response) == ["Spreadsheet uploaded: 1 answer changed."]
    third.refresh_from_db()
    assert third.status == "in_progress"


def test_errors_are_listed_in_french(client, report_a, reporter_a):
    client.force_login(reporter_a)
    workbook = download(client, report_a, **FRENCH)
    cell(workbook["Réponses"], FIRST_ROW, "status").value = "Fini"
    response = upload(client, report_a, workbook, **FRENCH)
    (error,) = response.context["errors"]
    with translation.override("fr"):
        assert str(error).replace("\u00a0", " ") == (
            "Ligne 3, colonne G (État de mise en œuvre) : « Fini » ne fait pas partie des valeurs permises : "
            "Non commencé, Prévu, En cours, Mis en œuvre, Sans objet ; ou laissez la cellule vide."
        )
    assert "<td>G (État de mise en œuvre)</td>" in response.content.decode()
    assert messages_of(response) == [
        "Le tableur contient 1 erreur ; rien n'a été enregistré. Corrigez-la et envoyez de nouveau le fichier."
    ]


# Who may --------------------------------------------------------------------------------------


def test_another_parliament_gets_404(client, report_a, reporter_b):
    client.force_login(reporter_b)
    assert client.get(download_url(report_a)).status_code == 404
    assert client.get(upload_url(report_a)).status_code == 404
    assert upload(client, report_a, b"anything").status_code == 404


def test_visitors_are_sent_to_the_login_page(client, report_a):
    response = client.get(download_url(report_a))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert client.post(upload_url(report_a)).status_code == 302


def test_a_submitted_report_downloads_but_refuses_uploads(client, report_a, reporter_a, move_to):
    client.force_login(reporter_a)
    workbook = download(client, report_a)
    cell(workbook["Answers"], FIRST_ROW, "status").value = "Planned"
    move_to(report_a, State.SUBMITTED)
    saved = versions(report_a)
    assert client.get(download_url(report_a)).status_code == 200
    assert client.get(upload_url(report_a)).status_code == 403
    assert upload(client, report_a, workbook).status_code == 403
    assert versions(report_a) == saved


def test_the_secretariat_downloads_a_submitted_report_but_cannot_upload(client, report_a, reviewer, move_to):
    client.force_login(reviewer)
    assert client.get(download_url(report_a)).status_code == 404  # a draft stays the parliament's
    move_to(report_a, State.SUBMITTED)
    assert client.get(download_url(report_a)).status_code == 200
    assert client.get(upload_url(report_a)).status_code == 403


def test_report_pages_link_to_the_spreadsheet(client, report_a, reporter_a, reviewer, move_to):
    client.force_login(reporter_a)
    html = client.get(report_a.get_absolute_url()).content.decode()
    assert download_url(report_a) in html and upload_url(report_a) in html
    html = client.get(reverse("reporting:report_edit", args=[report_a.pk])).content.decode()
    assert download_url(report_a) in html and upload_url(report_a) in html
    html = client.get(upload_url(report_a)).content.decode()
    assert 'enctype="multipart/form-data"' in html and download_url(report_a) in html

    move_to(report_a, State.SUBMITTED)
    client.force_login(reviewer)
    html = client.get(report_a.get_absolute_url()).content.decode()
    assert download_url(report_a) in html and upload_url(report_a) not in html


# Building blocks --------------------------------------------------------------------------------


def test_drop_down_lists_fall_back_to_cells_when_inline_would_break():
    assert list_formula(["Yes", "No"], "Help!$B$1:$B$2") == '"Yes,No"'
    assert list_formula(["Yes, partly", "No"], "Help!$B$1:$B$2") == "Help!$B$1:$B$2"
    assert list_formula(["x" * 200, "y" * 60], "Help!$B$1:$B$2") == "Help!$B$1:$B$2"
