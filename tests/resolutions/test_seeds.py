"""The five sample documents, imported through the command, reproduce every hand-counted fact.

The facts live in ``resolutions/fixtures/seeds/expected.json``; each test reads them from
there, so a new fact added to that file is checked without touching this module.
"""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

import resolutions
from resolutions.models import Commitment, Document, Reservation
from resolutions.parsing import decode_bytes
from tracker.models import Assembly

pytestmark = pytest.mark.django_db

SEEDS_DIR = Path(resolutions.__file__).resolve().parent / "fixtures" / "seeds"

EXPECTED: list[dict[str, Any]] = json.loads((SEEDS_DIR / "expected.json").read_text(encoding="utf-8"))["documents"]
KIGALI = "ipu-145-kigali-2022-migration-trafficking.md"
NOTE = "ipu-145-fem-gender-note.md"


def import_json(name: str, *extra: str) -> dict[str, Any]:
    out = StringIO()
    call_command("import_resolution", str(SEEDS_DIR / name), "--json", *extra, stdout=out)
    return json.loads(out.getvalue())


def simplified(text: str | None) -> str | None:
    """Runs of spaces and line breaks read as one space."""
    return " ".join(text.split()) if text is not None else None


def operative_numbered(payload: dict[str, Any], number: int) -> dict[str, Any]:
    matches = [item for item in payload["operative"] if item["number"] == number]
    assert len(matches) == 1, f"operative paragraph {number}: {len(matches)} found"
    return matches[0]


@pytest.fixture(params=EXPECTED, ids=[entry["file"] for entry in EXPECTED])
def seed(request, reference_data) -> tuple[dict[str, Any], dict[str, Any]]:
    expected = request.param
    return expected, import_json(expected["file"])


def test_kind_and_provenance(seed):
    expected, payload = seed
    assert payload["kind"] == expected["kind"]
    assert payload["body"] == expected["body"]
    for key in ("assembly_number", "place", "adopted", "date", "symbol", "status", "sponsors"):
        if key in expected:
            assert payload[key] == expected[key], key


def test_title(seed):
    expected, payload = seed
    if "title_starts" not in expected:
        pytest.skip("no title fact for this document")
    if expected["title_starts"] is None:
        assert payload["title"] is None
    else:
        assert payload["title"] is not None
        assert simplified(payload["title"]).startswith(simplified(expected["title_starts"]))


def test_paragraph_counts(seed):
    expected, payload = seed
    if "preambular_count" in expected:
        assert payload["preambular_count"] == expected["preambular_count"]
    assert len(payload["operative"]) == expected["operative_count"]
    if "subparagraph_count" in expected:
        assert sum(len(item["subparagraphs"]) for item in payload["operative"]) == expected["subparagraph_count"]
    for number, count in expected.get("subparagraphs_per_operative", {}).items():
        assert len(operative_numbered(payload, int(number))["subparagraphs"]) == count, number


def test_operative_numbers_run_in_order(seed):
    expected, payload = seed
    numbers = [item["number"] for item in payload["operative"]]
    assert numbers == list(range(1, expected["operative_count"] + 1))
    for item in payload["operative"]:
        assert item["text"].strip()
        letters = [sub["letter"] for sub in item["subparagraphs"]]
        assert letters == [chr(ord("a") + i) for i in range(len(letters))]


def test_operative_verbs(seed):
    expected, payload = seed
    if "first_operative_verb" not in expected:
        assert payload["operative"] == []
        return
    assert payload["operative"][0]["verb"] == expected["first_operative_verb"]
    assert payload["operative"][-1]["verb"] == expected["last_operative_verb"]
    assert all(item["verb"] for item in payload["operative"])


def test_paragraphs_addressing_parliaments(seed):
    expected, payload = seed
    for number in expected.get("operative_addressing_parliaments_include", []):
        assert operative_numbered(payload, number)["addresses_parliaments"] is True, number


def test_reporting_deadline(seed):
    expected, payload = seed
    if "reporting_deadline" not in expected:
        pytest.skip("no deadline fact for this document")
    deadline = expected["reporting_deadline"]
    if deadline is None:
        assert payload["reporting_deadline"] is None
        return
    got = payload["reporting_deadline"]
    assert got is not None
    for key in ("phrase", "assembly_number", "paragraph"):
        assert got[key] == deadline[key], key
    opening = Assembly.objects.get(number=deadline["assembly_number"]).start_date
    assert got["date"] == opening.isoformat() == "2024-10-13"


def test_reservations(seed):
    expected, payload = seed
    if "reservations" not in expected:
        pytest.skip("no reservation fact for this document")
    got = [(item["who"], item["on"]) for item in payload["reservations"]]
    assert got == [(item["who"], item["on"]) for item in expected["reservations"]]


def test_relates_to(seed):
    expected, payload = seed
    if "relates_to_title_starts" not in expected:
        pytest.skip("not a background note")
    assert payload["relates_to"] is not None
    assert simplified(payload["relates_to"]).startswith(simplified(expected["relates_to_title_starts"]))


def test_saved_rows_match_the_json(seed):
    expected, payload = seed
    document = Document.objects.get(pk=payload["document_id"])
    assert document.kind == expected["kind"]
    subparagraphs = sum(len(item["subparagraphs"]) for item in payload["operative"])
    assert Commitment.objects.filter(document=document).count() == len(payload["operative"]) + subparagraphs
    assert Reservation.objects.filter(document=document).count() == len(payload["reservations"])
    assert document.source_text == decode_bytes((SEEDS_DIR / expected["file"]).read_bytes())


def test_reimport_changes_nothing(seed):
    expected, payload = seed
    counts = (Document.objects.count(), Commitment.objects.count(), Reservation.objects.count())
    again = import_json(expected["file"])
    assert (again["created"], again["duplicate"], again["document_id"]) == (
        False,
        True,
        payload["document_id"],
    )
    assert (Document.objects.count(), Commitment.objects.count(), Reservation.objects.count()) == counts


def test_kigali_reservations_name_parliaments_and_paragraphs(reference_data):
    payload = import_json(KIGALI)
    rows = {r.delegation: r for r in Reservation.objects.filter(document_id=payload["document_id"])}
    assert all(row.parliament is not None for row in rows.values()), [
        name for name, row in rows.items() if row.parliament is None
    ]
    assert rows["Czech Republic"].parliament.iso3 == "CZE"
    assert rows["Türkiye"].parliament.iso3 == "TUR"
    kazakhstan = sorted(p.label for p in rows["Kazakhstan"].paragraphs.all())
    assert kazakhstan == ["OP 9", "PP 10", "PP 9"]
    assert rows["Hungary"].entire and rows["Indonesia"].entire
    assert rows["Russian Federation"].opposition

    document = Document.objects.get(pk=payload["document_id"])
    assert document.deadline_paragraph.number == 31
    assert document.deadline_date.isoformat() == "2024-10-13"


def test_bangkok_reservation_names_iran(reference_data):
    payload = import_json("ipu-122-bangkok-2010-organized-crime.txt")
    reservation = Reservation.objects.get(document_id=payload["document_id"])
    assert reservation.parliament.iso3 == "IRN"
    assert [p.label for p in reservation.paragraphs.all()] == ["OP 8"]


@pytest.mark.parametrize("order", ["note first", "resolution first"])
def test_background_note_is_linked_to_the_kigali_resolution(reference_data, order):
    names = [NOTE, KIGALI] if order == "note first" else [KIGALI, NOTE]
    ids = {name: import_json(name)["document_id"] for name in names}
    note = Document.objects.get(pk=ids[NOTE])

    assert note.kind == Document.Kind.BACKGROUND_NOTE
    assert note.related_to_id == ids[KIGALI]
    assert note.guiding_questions
    assert not Commitment.objects.filter(document=note).exists()


def test_dry_run_of_every_seed_saves_nothing(reference_data):
    for entry in EXPECTED:
        payload = import_json(entry["file"], "--dry-run")
        assert payload["document_id"] is None
        assert len(payload["operative"]) == entry["operative_count"]
    assert Document.objects.count() == 0
