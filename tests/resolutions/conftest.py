"""Fixtures for the importer tests: seed files, reference data and a stand-in parser."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import resolutions
from resolutions.parsing import (
    ParsedDeadline,
    ParsedDocument,
    ParsedParagraph,
    ParsedReference,
    ParsedReservation,
    ParsedSubparagraph,
    ParseError,
)
from tracker.reference_data import reference_data_load

SEEDS_DIR = Path(resolutions.__file__).resolve().parent / "fixtures" / "seeds"


@pytest.fixture
def seeds_dir() -> Path:
    return SEEDS_DIR


@pytest.fixture
def expected_seeds() -> list[dict[str, Any]]:
    return json.loads((SEEDS_DIR / "expected.json").read_text(encoding="utf-8"))["documents"]


@pytest.fixture
def reference_data(db) -> dict[str, int]:
    """Assemblies, parliaments, groups and aliases loaded from data/*.csv."""
    return reference_data_load()


def parsed_resolution(
    *,
    kind: str = "resolution",
    title: str | None = "Parliamentary action against trafficking in persons and forced labour",
    assembly_number: int | None = 145,
    preambular: int = 3,
    operative: int = 4,
    subparagraphs: int = 2,
    deadline_assembly: int | None = 149,
    reservations: list[ParsedReservation] | None = None,
    references: list[ParsedReference] | None = None,
    relates_to_title: str | None = None,
    themes: tuple[str, ...] = ("trafficking", "labour"),
) -> ParsedDocument:
    """A parser result built by hand, so the saving logic is tested apart from the parser.

    Operative paragraph 1 has ``subparagraphs`` lettered items (the first without a verb of
    its own); odd-numbered operative paragraphs ask parliaments to act.
    """
    preamble = [
        ParsedParagraph(
            kind="preambular",
            position=i,
            number=None,
            opening_phrase="Recalling",
            text=f"Recalling instrument number {i},",
        )
        for i in range(1, preambular + 1)
    ]
    paragraphs = []
    for i in range(1, operative + 1):
        asks_parliaments = i % 2 == 1
        paragraphs.append(
            ParsedParagraph(
                kind="operative",
                position=i,
                number=i,
                opening_phrase="Calls upon" if asks_parliaments else "Requests",
                verb="Calls upon" if asks_parliaments else "Requests",
                strength=3 if asks_parliaments else 2,
                addressees=["parliaments", "governments"] if asks_parliaments else ["ipu"],
                addresses_parliaments=asks_parliaments,
                themes=list(themes),
                text=f"Operative paragraph {i} text;",
            )
        )
    if paragraphs and subparagraphs:
        paragraphs[0].subparagraphs = [
            ParsedSubparagraph(
                letter=chr(ord("a") + j),
                text=f"item {chr(ord('a') + j)};",
                verb=None if j == 0 else "Encourages",
                strength=0 if j == 0 else 1,
                addressees=[] if j == 0 else ["civil-society"],
                themes=[] if j == 0 else ["data"],
            )
            for j in range(subparagraphs)
        ]
    deadline = None
    if deadline_assembly and paragraphs:
        deadline = ParsedDeadline(
            phrase=f"by the {deadline_assembly}th Assembly",
            assembly_number=deadline_assembly,
            paragraph=operative,
        )
    if reservations is None:
        reservations = [
            ParsedReservation(who="Czech Republic", on="operative paragraph 2", operative_paragraphs=[2]),
            ParsedReservation(
                who="Iran (Islamic Rep. of)",
                on="preambular paragraphs 1 and 2 and operative paragraph 1",
                operative_paragraphs=[1],
                preambular_paragraphs=[1, 2],
            ),
            ParsedReservation(who="Hungary", on="the entire resolution", entire=True),
            ParsedReservation(
                who="Russian Federation", on="opposition to the resolution", entire=True, opposition=True
            ),
            ParsedReservation(who="Atlantis", on="operative paragraph 1", operative_paragraphs=[1]),
        ]
    return ParsedDocument(
        kind=kind,
        status="resolution" if kind == "resolution" else "",
        title=title,
        body="IPU Assembly",
        assembly_number=assembly_number,
        place="Kigali",
        date=None,
        preamble=preamble,
        operative=paragraphs,
        reservations=reservations,
        deadline=deadline,
        references=references or [],
        relates_to_title=relates_to_title,
        guiding_questions=["What can parliaments do?"] if kind == "background note" else [],
    )


@pytest.fixture
def make_parsed() -> Callable[..., ParsedDocument]:
    return parsed_resolution


@pytest.fixture
def fake_parser(monkeypatch) -> Callable[[ParsedDocument], None]:
    """Makes ``document_import`` read UTF-8 and return the given parser result.

    Call the returned function with a ParsedDocument before each import.
    """

    def decode(data: bytes) -> str:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ParseError("not UTF-8") from error

    def use(parsed: ParsedDocument) -> None:
        monkeypatch.setattr("resolutions.services.decode_bytes", decode)
        monkeypatch.setattr("resolutions.services.parse_text", lambda text: copy.deepcopy(parsed))

    return use


def pdf_with_lines(lines: list[str]) -> bytes:
    """A small valid one-page PDF whose text layer holds ``lines`` (ASCII), one per line."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    stream = "BT /F1 12 Tf 14 TL 72 720 Td " + " ".join(f"({escape(line)}) Tj T*" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


@pytest.fixture
def minimal_pdf() -> Callable[[list[str]], bytes]:
    return pdf_with_lines
