"""A report as a spreadsheet: a template to fill in offline, and reading the filled file back.

The download holds one row per commitment. Hidden, locked columns carry each answer's id,
its version and a fingerprint of the answer as written, and a hidden cell carries the report
id, so an upload is matched answer by answer and saved with the web form's optimistic
locking. An upload is checked in full before anything is saved: one error anywhere and
nothing changes. Rows left as downloaded are never sent, so an answer someone changed on the
site meanwhile is kept, and uploading the same file twice changes nothing the second time.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook as LoadedWorkbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from tracker.models import User

from .forms import MAX_LINKS, answer_fingerprint, response_values
from .models import CommitmentResponse, ImplementationReport, ImplementationStatus, MeasureKind, Position
from .services import EDITABLE_FIELDS, ReportingError, ResponseChange, StaleResponse, report_save

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What [Content_Types].xml declares for a plain workbook (not a template, not macro-enabled).
_WORKBOOK_PART_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# A small zip may unpack to gigabytes; a real report's workbook stays far below this.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
# The sheet is protected to guide people, not to keep a secret: there is no password.

REPORT_ID_CELL = "A1"
TITLE_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 3
MEASURE_SEPARATORS = re.compile(r"[,;\n]+")
_EXCEL_LIST_LIMIT = 255  # characters of an inline drop-down list
_EDITABLE_FILL = PatternFill("solid", start_color="FFF2CC")
_LOCKED_FILL = PatternFill("solid", start_color="E7E6E6")


@dataclass(frozen=True)
class Column:
    """One column of the answers sheet; ``required`` columns must be found by their heading on upload."""

    key: str
    header: Any  # a lazy translation, read in the language active when the file is built
    width: float
    editable: bool = False
    hidden: bool = False
    wrap: bool = False
    required: bool = True


COLUMNS: tuple[Column, ...] = (
    Column("id", gettext_lazy("Answer ID"), 10, hidden=True),
    Column("version", gettext_lazy("Answer version"), 10, hidden=True),
    Column("check", gettext_lazy("Answer as downloaded"), 12, hidden=True, required=False),
    Column("label", gettext_lazy("Commitment"), 14, required=False),
    Column("verb", gettext_lazy("Operative verb"), 16, required=False),
    Column("text", gettext_lazy("Text of the paragraph"), 60, wrap=True, required=False),
    Column("status", gettext_lazy("Implementation status"), 22, editable=True),
    Column("measures", gettext_lazy("Kinds of measures"), 28, editable=True, wrap=True),
    Column("narrative", gettext_lazy("Measures taken"), 60, editable=True, wrap=True),
    Column("links", gettext_lazy("Links"), 40, editable=True, wrap=True),
    Column("position", gettext_lazy("Position on the commitment"), 26, editable=True),
    Column("position_note", gettext_lazy("Position note"), 40, editable=True, wrap=True),
)
COLUMN_INDEX = {column.key: index for index, column in enumerate(COLUMNS)}
FREEZE_AT = f"{get_column_letter(COLUMN_INDEX['verb'] + 1)}{FIRST_ROW}"  # headings and commitment labels stay
ANSWERS_SHEET = gettext_lazy("Answers")
HELP_SHEET = gettext_lazy("Help")


def _languages() -> list[str]:
    """The active language first, then every language of the site."""
    return list(dict.fromkeys([translation.get_language() or settings.LANGUAGE_CODE, *dict(settings.LANGUAGES)]))


def _normal(text: Any) -> str:
    return " ".join(str(text).split()).casefold()


def _in_every_language(texts: Callable[[], Iterable[tuple[str, Any]]]) -> dict[str, str]:
    """Normalized text → key, for the texts in every language of the site (the active one wins)."""
    found: dict[str, str] = {}
    for language in _languages():
        with translation.override(language):
            for key, text in texts():
                found.setdefault(_normal(text), key)
    return found


def spreadsheet_filename(report: ImplementationReport) -> str:
    iso3 = re.sub(r"[^A-Za-z0-9]", "", report.parliament.iso3) or "parliament"
    return f"report-{iso3}-{report.cycle_id}.xlsx"


def spreadsheet_responses(report: ImplementationReport) -> list[CommitmentResponse]:
    """The report's answers in the order of the text, with what the context columns show."""
    return list(
        CommitmentResponse.objects.filter(report=report)
        .select_related("commitment", "commitment__paragraph", "commitment__paragraph__parent")
        .order_by("commitment__paragraph__position", "commitment__paragraph__letter", "pk")
    )


# Building the file ---------------------------------------------------------------------------


def _sheet_title(text: Any) -> str:
    return re.sub(r"[\[\]:*?/\\]", " ", str(text))[:31]


def _excel_text(text: str) -> str:
    """Text without the control characters a workbook cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _put(sheet: Worksheet, row: int, column: int, value: Any) -> Any:
    cell = sheet.cell(row=row, column=column, value=value)
    if cell.data_type == "f":
        cell.data_type = "s"  # text typed by people is never a formula in the file
    return cell


def _written_values(response: CommitmentResponse) -> dict[str, Any]:
    """The answer as the file shows it: known codes only, text the workbook can hold."""
    values = response_values(response)
    return {
        "status": values["status"] if values["status"] in ImplementationStatus.values else "",
        "measures": [code for code in values["measures"] or () if code in MeasureKind.values],
        "narrative": _excel_text(values["narrative"] or ""),
        "links": [_excel_text(link) for link in values["links"] or () if link],
        "position": values["position"] if values["position"] in Position.values else "",
        "position_note": _excel_text(values["position_note"] or ""),
    }


def list_formula(labels: Sequence[str], cells: str) -> str:
    """A drop-down list: inline when Excel can take it (255 characters, no commas), else ``cells``."""
    inline = ",".join(labels)
    if len(inline) <= _EXCEL_LIST_LIMIT and not any("," in label or '"' in label for label in labels):
        return f'"{inline}"'
    return cells


def _drop_down(labels: Sequence[str], cells: str, what: str) -> DataValidation:
    return DataValidation(
        type="list",
        formula1=list_formula(labels, cells),
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle=_("Value not in the list"),
        error=_("Choose a value from the list, or leave the cell empty."),
        showInputMessage=True,
        promptTitle=what[:32],
        prompt=_("Choose from the list."),
    )


@dataclass
class _Lists:
    """The allowed labels in the active language, and where the help sheet lists them."""

    statuses: list[str]
    measures: list[str]
    positions: list[str]
    cells: dict[str, str] = field(default_factory=dict)

    @classmethod
    def active(cls) -> _Lists:
        return cls(
            statuses=[str(label) for _code, label in ImplementationStatus.choices],
            measures=[str(label) for _code, label in MeasureKind.choices],
            positions=[str(label) for _code, label in Position.choices],
        )


def _help_sheet(sheet: Worksheet, report: ImplementationReport, answers_title: str, lists: _Lists) -> None:
    """How to fill the file in, and every allowed value (the drop-downs may point here)."""
    sheet.column_dimensions["A"].width = 32
    sheet.column_dimensions["B"].width = 100
    wrap = Alignment(wrap_text=True, vertical="top")
    bold = Font(bold=True)
    _put(sheet, 1, 1, _("How to fill in this spreadsheet")).font = Font(bold=True, size=14)
    _put(sheet, 2, 1, f"{report.parliament.name} — {report.cycle.title}")
    _put(sheet, 3, 1, _("Downloaded on %(date)s.") % {"date": date_format(timezone.localtime(), "DATETIME_FORMAT")})
    steps = [
        _(
            "Write the answers in the columns with a yellow heading of the “%(sheet)s” sheet, one row per "
            "commitment. The other columns are locked."
        )
        % {"sheet": answers_title},
        _(
            "Do not add, delete or rename columns and do not change the hidden columns: they tell the tracker "
            "which answer each row belongs to."
        ),
        _(
            "Upload the file on the report's page (“Upload a filled spreadsheet”). Every row is checked first: "
            "if one has an error, nothing is saved and the page lists every error with its row and column."
        ),
        _(
            "Rows you leave as they are change nothing. If someone changes an answer on the website after this "
            "file was downloaded, the upload of a different answer for it is refused: download a new copy."
        ),
    ]
    row = 5
    for number, step in enumerate(steps, start=1):
        _put(sheet, row, 1, f"{number}.").alignment = Alignment(horizontal="right", vertical="top")
        _put(sheet, row, 2, step).alignment = wrap
        row += 1
    row += 1
    _put(sheet, row, 1, _("Column")).font = bold
    _put(sheet, row, 2, _("What to write")).font = bold
    guidance = {
        "status": _("Choose from the list; leave empty while there is no answer yet."),
        "measures": _("One or more of the kinds listed below, separated by commas."),
        "narrative": _("What the parliament has done on this commitment: laws, debates, budget, hearings..."),
        "links": _("One web address per line, each starting with https:// (Alt+Enter starts a new line in a cell)."),
        "position": _("Choose from the list; leave empty when no position was expressed."),
        "position_note": _("Free text explaining the position, if any."),
    }
    for key, text in guidance.items():
        row += 1
        _put(sheet, row, 1, str(COLUMNS[COLUMN_INDEX[key]].header)).alignment = wrap
        _put(sheet, row, 2, text).alignment = wrap
    for key, labels in (("status", lists.statuses), ("measures", lists.measures), ("position", lists.positions)):
        row += 2
        heading = _("Allowed values: %(column)s") % {"column": COLUMNS[COLUMN_INDEX[key]].header}
        _put(sheet, row, 1, heading).font = bold
        first = row + 1
        for label in labels:
            row += 1
            _put(sheet, row, 2, label)
        lists.cells[key] = f"{quote_sheetname(sheet.title)}!$B${first}:$B${row}"
    sheet.protection.sheet = True


def _answers_sheet(
    sheet: Worksheet, report: ImplementationReport, responses: Sequence[CommitmentResponse], lists: _Lists
) -> None:
    """One row per answer; hidden keys on the left, context locked, answers editable."""
    status_labels = dict(zip(ImplementationStatus.values, lists.statuses, strict=True))
    measure_labels = dict(zip(MeasureKind.values, lists.measures, strict=True))
    position_labels = dict(zip(Position.values, lists.positions, strict=True))

    sheet[REPORT_ID_CELL] = report.pk
    title = _put(sheet, TITLE_ROW, COLUMN_INDEX["label"] + 1, f"{report.parliament.name} — {report.cycle.title}")
    title.font = Font(bold=True, size=13)
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        cell = _put(sheet, HEADER_ROW, index, str(column.header))
        cell.font = Font(bold=True)
        cell.fill = _EDITABLE_FILL if column.editable else _LOCKED_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[letter].width = column.width
        sheet.column_dimensions[letter].hidden = column.hidden
    notes = {
        "status": _("Choose from the list."),
        "measures": _("Separate several kinds with commas. Allowed: %(values)s.")
        % {"values": ", ".join(lists.measures)},
        "links": _("One web address per line, each starting with https://."),
        "position": _("Choose from the list."),
    }
    for key, note in notes.items():
        comment = Comment(note, _("IPU"))
        comment.width, comment.height = 300, 120
        sheet.cell(row=HEADER_ROW, column=COLUMN_INDEX[key] + 1).comment = comment

    top = Alignment(vertical="top")
    wrapped = Alignment(wrap_text=True, vertical="top")
    unlocked = Protection(locked=False)
    for row, response in enumerate(responses, start=FIRST_ROW):
        values = _written_values(response)
        paragraph = response.commitment.paragraph
        cells = {
            "id": response.pk,
            "version": response.version,
            "check": answer_fingerprint(values),
            "label": paragraph.label,
            "verb": _excel_text(response.commitment.verb),
            "text": _excel_text(paragraph.text),
            "status": status_labels.get(values["status"], ""),
            "measures": ", ".join(measure_labels[code] for code in values["measures"]),
            "narrative": values["narrative"],
            "links": "\n".join(values["links"]),
            "position": position_labels.get(values["position"], "") if values["position"] else "",
            "position_note": values["position_note"],
        }
        for index, column in enumerate(COLUMNS, start=1):
            cell = _put(sheet, row, index, cells[column.key] if cells[column.key] != "" else None)
            cell.alignment = wrapped if column.wrap else top
            if column.editable:
                cell.protection = unlocked

    if responses:
        last = FIRST_ROW + len(responses) - 1
        for key, labels in (("status", lists.statuses), ("position", lists.positions)):
            letter = get_column_letter(COLUMN_INDEX[key] + 1)
            validation = _drop_down(labels, lists.cells[key], str(COLUMNS[COLUMN_INDEX[key]].header))
            validation.add(f"{letter}{FIRST_ROW}:{letter}{last}")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = FREEZE_AT
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False  # widths and heights stay adjustable
    sheet.protection.formatRows = False


def report_workbook(report: ImplementationReport) -> bytes:
    """The report's spreadsheet in the active language, as the bytes of an .xlsx file."""
    workbook = Workbook()
    answers = workbook.active
    answers.title = _sheet_title(ANSWERS_SHEET)
    lists = _Lists.active()
    _help_sheet(workbook.create_sheet(_sheet_title(HELP_SHEET)), report, answers.title, lists)
    _answers_sheet(answers, report, spreadsheet_responses(report), lists)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# Reading it back -----------------------------------------------------------------------------


@dataclass
class SheetError:
    """One problem in an uploaded file; ``row`` and ``column`` are as the spreadsheet shows them."""

    message: str
    row: int | None = None
    column: str = ""
    header: str = ""

    @property
    def place(self) -> str:
        return f"{self.column} ({self.header})" if self.header else self.column

    def __str__(self) -> str:
        if self.row and self.column:
            return _("Row %(row)s, column %(column)s: %(message)s") % {
                "row": self.row,
                "column": self.place,
                "message": self.message,
            }
        if self.row:
            return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}
        return self.message


class SpreadsheetRejected(ReportingError):
    """Nothing of the upload was saved; ``errors`` lists every problem found, with its row and column."""

    def __init__(self, message: str, errors: Sequence[SheetError] = ()) -> None:
        super().__init__(message)
        self.errors = list(errors)


@dataclass
class ImportResult:
    changed: int
    # Answers changed on the site since the download, on rows the file left as they were: kept.
    kept: int = 0


@dataclass
class _Plan:
    changes: list[ResponseChange] = field(default_factory=list)
    rows: dict[int, int] = field(default_factory=dict)  # answer id → row
    kept: int = 0
    errors: list[SheetError] = field(default_factory=list)


def _not_a_workbook() -> SpreadsheetRejected:
    return SpreadsheetRejected(
        _(
            "This file is not an Excel workbook (.xlsx). Upload the spreadsheet downloaded from this report, "
            "saved in the .xlsx format."
        )
    )


# What a damaged or foreign file may raise while it is unpacked and parsed (XML errors are SyntaxErrors).
_UNREADABLE = (
    zipfile.BadZipFile,
    InvalidFileException,
    KeyError,
    ValueError,
    TypeError,
    OSError,
    SyntaxError,
    EOFError,
)


def _read_upload(uploaded: Any) -> bytes:
    if uploaded.size > MAX_UPLOAD_BYTES:
        raise SpreadsheetRejected(
            _("The file is larger than %(size)s MB; a report's spreadsheet is much smaller.")
            % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    uploaded.seek(0)
    return uploaded.read(MAX_UPLOAD_BYTES + 1)


def _open_workbook(data: bytes) -> LoadedWorkbook:
    """The workbook, after checking the content (not the name) is an .xlsx that unpacks to a sane size."""
    if not data.startswith(b"PK\x03\x04"):
        raise _not_a_workbook()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if not {"[Content_Types].xml", "xl/workbook.xml"} <= names:
                raise _not_a_workbook()
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise SpreadsheetRejected(
                    _("The workbook is too large once unpacked; upload the report's spreadsheet.")
                )
            if _WORKBOOK_PART_TYPE not in archive.read("[Content_Types].xml"):
                raise _not_a_workbook()
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _UNREADABLE as error:
        raise _not_a_workbook() from error


def _find_answers_sheet(workbook: LoadedWorkbook) -> Any:
    """The sheet named as downloaded (in any language), else the first one."""
    titles = _in_every_language(lambda: [("answers", _sheet_title(ANSWERS_SHEET))])
    for sheet in workbook.worksheets:
        if _normal(sheet.title) in titles:
            return sheet
    if not workbook.worksheets:
        raise _not_a_workbook()
    return workbook.worksheets[0]


def _read_rows(data: bytes) -> list[tuple[Any, ...]]:
    """Every row of the answers sheet as values (the unpacked size is capped, so this stays small)."""
    workbook = _open_workbook(data)
    try:
        return list(_find_answers_sheet(workbook).iter_rows(values_only=True))
    except _UNREADABLE as error:
        raise _not_a_workbook() from error
    finally:
        workbook.close()


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _as_text(value: Any) -> str:
    """A cell as text; numbers and dates typed in a text column are kept as written."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\r", "\n")


def _quoted(values: Iterable[str]) -> str:
    return ", ".join(_("“%(value)s”") % {"value": Truncator(value).chars(60)} for value in values)


@dataclass
class _Headings:
    """Where each column was found, and the heading it has in the file."""

    index: dict[str, int]
    text: dict[str, str]

    def error(self, row: int, key: str, message: str) -> SheetError:
        return SheetError(
            message=message, row=row, column=get_column_letter(self.index[key] + 1), header=self.text[key]
        )


def _headings(cells: Sequence[Any]) -> _Headings:
    known = _in_every_language(lambda: [(column.key, column.header) for column in COLUMNS])
    index: dict[str, int] = {}
    text: dict[str, str] = {}
    errors: list[SheetError] = []
    for position, value in enumerate(cells):
        key = known.get(_normal(value)) if value is not None else None
        if key is None:
            continue
        if key in index:
            errors.append(
                SheetError(
                    _("The column “%(name)s” appears twice.") % {"name": value},
                    row=HEADER_ROW,
                    column=get_column_letter(position + 1),
                )
            )
            continue
        index[key] = position
        text[key] = " ".join(str(value).split())
    for column in COLUMNS:
        if column.required and column.key not in index:
            errors.append(
                SheetError(
                    _("The column “%(name)s” is missing or was renamed.") % {"name": column.header}, row=HEADER_ROW
                )
            )
    if errors:
        raise SpreadsheetRejected(
            _("The columns of this spreadsheet were changed; download a new copy and write the answers in it."),
            errors,
        )
    return _Headings(index=index, text=text)


class _Choices:
    """Labels → codes in every language of the site, and the active language's labels for messages."""

    def __init__(self) -> None:
        self.status = _in_every_language(lambda: ImplementationStatus.choices)
        self.measures = _in_every_language(lambda: MeasureKind.choices)
        self.position = _in_every_language(lambda: Position.choices)
        self.active = _Lists.active()


class _RowReader:
    """Checks one row and turns it into the answer's values; problems go to ``errors``."""

    def __init__(self, number: int, cells: Sequence[Any], headings: _Headings, choices: _Choices) -> None:
        self.number = number
        self.cells = cells
        self.headings = headings
        self.choices = choices
        self.errors: list[SheetError] = []

    def cell(self, key: str) -> Any:
        position = self.headings.index.get(key)
        return self.cells[position] if position is not None and position < len(self.cells) else None

    def text(self, key: str) -> str:
        return _as_text(self.cell(key)).strip()

    def fail(self, key: str, message: str) -> None:
        self.errors.append(self.headings.error(self.number, key, message))

    def choice(self, key: str, codes: dict[str, str], labels: list[str]) -> str:
        value = self.text(key)
        if not value:
            return ""
        code = codes.get(_normal(value))
        if code is None:
            self.fail(
                key,
                _("“%(value)s” is not one of: %(allowed)s; or leave the cell empty.")
                % {"value": Truncator(value).chars(60), "allowed": ", ".join(labels)},
            )
            return ""
        return code

    def measures(self) -> list[str]:
        codes, unknown = [], []
        for part in MEASURE_SEPARATORS.split(self.text("measures")):
            label = part.strip()
            if not label:
                continue
            code = self.choices.measures.get(_normal(label))
            if code is None:
                unknown.append(label)
            elif code not in codes:
                codes.append(code)
        if unknown:
            self.fail(
                "measures",
                _("%(values)s: not a kind of measure. Use %(allowed)s, separated by commas.")
                % {"values": _quoted(unknown), "allowed": ", ".join(self.choices.active.measures)},
            )
        return codes

    def links(self) -> list[str]:
        links = [line.strip() for line in self.text("links").split("\n") if line.strip()]
        check = URLValidator(schemes=["http", "https"])
        bad = []
        for link in links:
            try:
                check(link)
            except ValidationError:
                bad.append(link)
        if bad:
            self.fail(
                "links",
                _("These lines are not web addresses (start them with https://): %(lines)s") % {"lines": _quoted(bad)},
            )
        elif len(links) > MAX_LINKS:
            self.fail("links", _("Give at most %(limit)s links.") % {"limit": MAX_LINKS})
        return links

    def values(self) -> dict[str, Any]:
        active = self.choices.active
        values = {
            "status": self.choice("status", self.choices.status, active.statuses),
            "measures": self.measures(),
            "narrative": self.text("narrative"),
            "links": self.links(),
            "position": self.choice("position", self.choices.position, active.positions),
            "position_note": self.text("position_note"),
        }
        return {name: values[name] for name in EDITABLE_FIELDS}


def _plan(report: ImplementationReport, sheet_rows: Sequence[tuple[Any, ...]]) -> _Plan:
    """Every row checked against the report's answers now, and the changes to send."""
    rows = iter(sheet_rows)
    title = next(rows, ())
    if _as_int(title[0] if title else None) != report.pk:
        raise SpreadsheetRejected(
            _(
                "This spreadsheet was not downloaded from this report. Download this report's spreadsheet and "
                "write the answers in it."
            )
        )
    headings = _headings(next(rows, ()))
    responses = {response.pk: response for response in CommitmentResponse.objects.filter(report=report)}
    choices = _Choices()
    plan = _Plan()
    seen: dict[int, int] = {}
    for number, cells in enumerate(rows, start=FIRST_ROW):
        if all(value is None or (isinstance(value, str) and not value.strip()) for value in cells):
            continue
        reader = _RowReader(number, cells, headings, choices)
        response = _row_response(reader, responses, seen)
        if response is not None:
            seen[response.pk] = number
        version = _as_int(reader.cell("version"))
        if response is not None and (version is None or version < 0):
            reader.fail("version", _("The hidden version of this answer was changed; download a new copy."))
        values = reader.values()
        plan.errors.extend(reader.errors)
        if reader.errors or response is None or version is None:
            continue
        plan.rows[response.pk] = number
        sent = answer_fingerprint(values)
        if sent == answer_fingerprint(response_values(response)):
            continue  # as saved now
        if sent == _as_text(reader.cell("check")).strip():
            plan.kept += 1  # left as downloaded; someone changed it on the site since
            continue
        plan.changes.append(ResponseChange(response_id=response.pk, version=version, values=values))
    return plan


def _row_response(
    reader: _RowReader, responses: dict[int, CommitmentResponse], seen: dict[int, int]
) -> CommitmentResponse | None:
    value = reader.cell("id")
    if value is None or (isinstance(value, str) and not value.strip()):
        reader.fail("id", _("This row has no answer ID: rows cannot be added; write on the row of the commitment."))
        return None
    pk = _as_int(value)
    if pk is None:
        reader.fail("id", _("The hidden answer ID was changed; download a new copy."))
        return None
    response = responses.get(pk)
    if response is None:
        reader.fail("id", _("Answer %(id)s is not part of this report.") % {"id": pk})
        return None
    if pk in seen:
        reader.fail("id", _("This answer is also on row %(row)s; keep one row per answer.") % {"row": seen[pk]})
        return None
    return response


def report_spreadsheet_import(*, report: ImplementationReport, user: User, uploaded: Any) -> ImportResult:
    """Save the answers an uploaded spreadsheet changed, all or none.

    Raises SpreadsheetRejected, with every error found, when the file or any row is wrong or
    when someone saved one of the changed answers after the file was downloaded.
    """
    plan = _plan(report, _read_rows(_read_upload(uploaded)))
    if plan.errors:
        count = len(plan.errors)
        raise SpreadsheetRejected(
            ngettext(
                "The spreadsheet has %(count)d error; nothing was saved. Correct it and upload the file again.",
                "The spreadsheet has %(count)d errors; nothing was saved. Correct them and upload the file again.",
                count,
            )
            % {"count": count},
            plan.errors,
        )
    if not plan.changes:
        return ImportResult(changed=0, kept=plan.kept)
    try:
        changed = report_save(report=report, user=user, changes=plan.changes)
    except StaleResponse as stale:
        errors = [
            SheetError(_("Someone else saved this answer after the spreadsheet was downloaded."), row=plan.rows[pk])
            for pk in sorted(stale.response_ids, key=lambda pk: plan.rows.get(pk, 0))
            if pk in plan.rows
        ]
        advice = _("Download a new copy of the spreadsheet, write your changes in it and upload it again.")
        raise SpreadsheetRejected(f"{stale} {advice}", errors) from stale
    except ReportingError as error:
        raise SpreadsheetRejected(str(error)) from error
    return ImportResult(changed=changed, kept=plan.kept)
