"""document_import and its JSON, with the parser replaced by hand-built results."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from docx import Document as WordDocument

from resolutions import extract
from resolutions.models import (
    Addressee,
    Commitment,
    Document,
    DocumentReference,
    Paragraph,
    Reservation,
    Theme,
)
from resolutions.parsing import IMPORTER_VERSION, ParsedReference, ParseError
from resolutions.services import (
    ImportRejected,
    document_import,
    import_result_as_json,
    titles_match,
)
from tests.factories import UserFactory
from tracker.models import Assembly

pytestmark = pytest.mark.django_db

CONTRACT_KEYS = {
    "kind",
    "title",
    "body",
    "symbol",
    "assembly_number",
    "place",
    "adopted",
    "preambular_count",
    "operative",
    "reservations",
    "reporting_deadline",
    "status",
    "date",
    "sponsors",
    "relates_to",
    "document_id",
    "created",
    "duplicate",
}


def row_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Document, Paragraph, Commitment, Reservation, DocumentReference, Addressee, Theme)
    }


def test_import_saves_document_paragraphs_and_commitments(reference_data, fake_parser, make_parsed):
    fake_parser(make_parsed(preambular=3, operative=4, subparagraphs=2))
    user = UserFactory()
    result = document_import(data=b"resolution text one", source_name="one.txt", user=user)

    document = result.document
    assert result.created is True
    assert result.duplicate_of is None
    assert document.pk is not None
    assert document.source_text == "resolution text one"
    assert document.source_name == "one.txt"
    assert document.importer_version == IMPORTER_VERSION
    assert document.imported_by == user
    assert document.assembly == Assembly.objects.get(number=145)
    assert len(document.checksum) == 64

    top = Paragraph.objects.filter(document=document, parent__isnull=True)
    assert top.filter(kind=Paragraph.Kind.PREAMBULAR).count() == 3
    assert list(top.filter(kind=Paragraph.Kind.OPERATIVE).values_list("position", "number")) == [
        (1, 1),
        (2, 2),
        (3, 3),
        (4, 4),
    ]
    subs = list(Paragraph.objects.filter(document=document, parent__isnull=False).order_by("position"))
    assert [(s.letter, s.position, s.parent.number) for s in subs] == [("a", 1, 1), ("b", 2, 1)]
    assert subs[1].opening_phrase == "Encourages"
    # one commitment per operative paragraph and per sub-paragraph
    assert Commitment.objects.filter(document=document).count() == 6


def test_commitments_carry_verb_strength_addressees_and_themes(reference_data, fake_parser, make_parsed):
    fake_parser(make_parsed())
    document = document_import(data=b"text", source_name="t.txt").document

    first = Commitment.objects.get(document=document, paragraph__parent__isnull=True, paragraph__position=1)
    assert (first.verb, first.strength, first.addresses_parliaments, first.parliaments_report) == (
        "Calls upon",
        3,
        True,
        True,
    )
    assert set(first.addressees.values_list("code", flat=True)) == {"parliaments", "governments"}
    assert set(first.themes.values_list("code", flat=True)) == {"trafficking", "labour"}

    second = Commitment.objects.get(document=document, paragraph__parent__isnull=True, paragraph__position=2)
    assert (second.verb, second.addresses_parliaments, second.parliaments_report) == (
        "Requests",
        False,
        False,
    )
    assert list(second.addressees.values_list("code", flat=True)) == ["ipu"]

    # sub-paragraph (a) has no verb or addressee of its own: it carries its paragraph's
    sub_a = Commitment.objects.get(document=document, paragraph__letter="a")
    assert (sub_a.verb, sub_a.strength, sub_a.addresses_parliaments) == ("Calls upon", 3, True)
    assert set(sub_a.addressees.values_list("code", flat=True)) == {"parliaments", "governments"}
    # sub-paragraph (b) has its own
    sub_b = Commitment.objects.get(document=document, paragraph__letter="b")
    assert (sub_b.verb, sub_b.strength, sub_b.addresses_parliaments) == ("Encourages", 1, False)
    assert list(sub_b.addressees.values_list("code", flat=True)) == ["civil-society"]
    assert list(sub_b.themes.values_list("code", flat=True)) == ["data"]


def test_unknown_addressee_and_theme_codes_are_created(reference_data, fake_parser, make_parsed):
    assert Addressee.objects.filter(code="parliaments").exists(), "seeded by migration"
    parsed = make_parsed(themes=("outer-space",))
    parsed.operative[1].addressees = ["regional-bodies"]
    fake_parser(parsed)
    document_import(data=b"text", source_name="t.txt")

    assert Theme.objects.get(code="outer-space").label == "Outer Space"
    assert Addressee.objects.get(code="regional-bodies").label == "Regional Bodies"
    assert Theme.objects.filter(code="outer-space").count() == 1


def test_reservations_link_parliaments_and_paragraphs(reference_data, fake_parser, make_parsed):
    fake_parser(make_parsed())
    document = document_import(data=b"text", source_name="t.txt").document

    rows = list(Reservation.objects.filter(document=document).order_by("position"))
    assert [r.delegation for r in rows] == [
        "Czech Republic",
        "Iran (Islamic Rep. of)",
        "Hungary",
        "Russian Federation",
        "Atlantis",
    ]
    assert [r.parliament.iso3 if r.parliament else None for r in rows] == ["CZE", "IRN", "HUN", "RUS", None]
    assert [p.label for p in rows[0].paragraphs.all()] == ["OP 2"]
    assert sorted(p.label for p in rows[1].paragraphs.all()) == ["OP 1", "PP 1", "PP 2"]
    assert rows[2].entire and not rows[2].opposition and not rows[2].paragraphs.exists()
    assert rows[3].opposition


def test_reservation_on_unnumbered_text_matches_position(reference_data, fake_parser, make_parsed):
    parsed = make_parsed(operative=5)
    for paragraph in parsed.operative:
        paragraph.number = None
    fake_parser(parsed)
    document = document_import(data=b"text", source_name="t.txt").document

    reservation = Reservation.objects.get(document=document, delegation="Czech Republic")
    paragraph = reservation.paragraphs.get()
    assert (paragraph.position, paragraph.number) == (2, None)


def test_deadline_resolves_to_the_assembly_opening_date(reference_data, fake_parser, make_parsed):
    fake_parser(make_parsed(operative=4, deadline_assembly=149))
    result = document_import(data=b"text", source_name="t.txt")
    document = Document.objects.get(pk=result.document.pk)

    opening = Assembly.objects.get(number=149).start_date
    assert opening == date(2024, 10, 13)
    assert result.deadline_date == opening
    assert document.deadline_date == opening
    assert document.deadline_assembly.number == 149
    assert document.deadline_phrase == "by the 149th Assembly"
    assert document.deadline_paragraph.number == 4
    assert import_result_as_json(result)["reporting_deadline"] == {
        "phrase": "by the 149th Assembly",
        "assembly_number": 149,
        "date": "2024-10-13",
        "paragraph": 4,
    }


def test_deadline_for_an_unknown_assembly_has_no_date(db, fake_parser, make_parsed):
    fake_parser(make_parsed(deadline_assembly=999))
    result = document_import(data=b"text", source_name="t.txt")
    assert result.deadline_date is None
    assert result.document.deadline_assembly is None
    assert import_result_as_json(result)["reporting_deadline"]["date"] is None


def test_reimporting_the_same_bytes_changes_nothing(reference_data, fake_parser, make_parsed):
    fake_parser(make_parsed())
    first = document_import(data=b"same bytes", source_name="a.txt")
    before = row_counts()

    again = document_import(data=b"same bytes", source_name="renamed.txt")

    assert row_counts() == before
    assert again.created is False
    assert again.duplicate_of == first.document
    assert again.document == first.document
    payload = import_result_as_json(again)
    assert (payload["created"], payload["duplicate"], payload["document_id"]) == (
        False,
        True,
        first.document.pk,
    )
    assert Document.objects.get().source_name == "a.txt"


def test_dry_run_writes_nothing(reference_data, fake_parser, make_parsed):
    fake_parser(make_parsed())
    before = row_counts()

    result = document_import(data=b"text", source_name="t.txt", dry_run=True)

    assert row_counts() == before
    assert result.document is None
    assert result.deadline_date == date(2024, 10, 13)
    payload = import_result_as_json(result)
    assert payload["document_id"] is None
    assert payload["created"] is True
    assert payload["duplicate"] is False
    assert len(payload["operative"]) == 4


def test_database_failure_leaves_no_rows(reference_data, fake_parser, make_parsed, monkeypatch):
    fake_parser(make_parsed())
    before = row_counts()

    def broken_bulk_create(*args, **kwargs):
        raise IntegrityError("simulated failure")

    monkeypatch.setattr(Commitment.objects, "bulk_create", broken_bulk_create)
    with pytest.raises(IntegrityError):
        document_import(data=b"text", source_name="t.txt")

    assert row_counts() == before


def test_size_cap_names_the_size(db, settings, fake_parser, make_parsed):
    fake_parser(make_parsed())
    settings.RESOLUTION_UPLOAD_MAX_BYTES = 2048
    with pytest.raises(ImportRejected) as caught:
        document_import(data=b"x" * 3072, source_name="big.txt")
    assert "3.0 KB" in caught.value.message
    assert "2.0 KB" in caught.value.message
    assert Document.objects.count() == 0


def test_empty_input_is_rejected(db, fake_parser, make_parsed):
    fake_parser(make_parsed())
    with pytest.raises(ImportRejected, match="empty"):
        document_import(data=b"  \n\t ", source_name="blank.txt")


def test_parse_error_becomes_one_line_rejection(db, monkeypatch):
    def failing_parse(text: str):
        raise ParseError("no resolution found:\n the text has no operative paragraphs")

    monkeypatch.setattr("resolutions.services.decode_bytes", lambda data: data.decode())
    monkeypatch.setattr("resolutions.services.parse_text", failing_parse)
    with pytest.raises(ImportRejected) as caught:
        document_import(data=b"some text", source_name="t.txt")
    assert caught.value.message == "no resolution found: the text has no operative paragraphs"
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("kind", ["resolution", "draft resolution"])
def test_resolution_without_operative_paragraphs_is_rejected(db, fake_parser, make_parsed, kind):
    fake_parser(make_parsed(kind=kind, operative=0))
    with pytest.raises(ImportRejected, match="No operative paragraphs"):
        document_import(data=b"text", source_name="t.txt")
    assert Document.objects.count() == 0


def test_unknown_kind_is_rejected(db, fake_parser, make_parsed):
    fake_parser(make_parsed(kind="press release"))
    with pytest.raises(ImportRejected, match="press release"):
        document_import(data=b"text", source_name="t.txt")


def test_nul_characters_are_rejected(db, monkeypatch, fake_parser, make_parsed):
    fake_parser(make_parsed())
    with pytest.raises(ImportRejected, match="NUL"):
        document_import(data=b"text\x00more", source_name="t.txt")


def test_import_takes_a_fixed_number_of_queries(reference_data, fake_parser, make_parsed):
    counts = []
    for index, (operative, subparagraphs) in enumerate([(2, 2), (30, 12)]):
        fake_parser(make_parsed(operative=operative, subparagraphs=subparagraphs, preambular=operative))
        with CaptureQueriesContext(connection) as queries:
            document_import(data=f"document {index}".encode(), source_name="t.txt")
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[0] <= 30


def test_reference_links_to_an_earlier_resolution(reference_data, fake_parser, make_parsed):
    fake_parser(
        make_parsed(title="Migrant workers, people trafficking, xenophobia and human rights", assembly_number=118)
    )
    cited = document_import(data=b"cape town", source_name="118.txt").document
    reference = ParsedReference(
        phrase="adopted at the 118th Assembly, Cape Town, April 2008",
        title="Migrant workers, people trafficking, xenophobia and human rights",
        assembly_number=118,
    )
    other = ParsedReference(
        phrase="adopted at the 118th Assembly", title="Something else entirely, and long", assembly_number=118
    )
    fake_parser(make_parsed(references=[reference, other]))
    citing = document_import(data=b"kigali", source_name="145.txt").document

    rows = list(DocumentReference.objects.filter(document=citing).order_by("pk"))
    assert [row.target for row in rows] == [cited, None]
    assert rows[0].phrase == reference.phrase
    assert rows[0].assembly_number == 118


def test_reference_is_relinked_when_the_cited_resolution_arrives_later(reference_data, fake_parser, make_parsed):
    title = "Migrant workers, people trafficking, xenophobia and human rights"
    fake_parser(make_parsed(references=[ParsedReference(phrase="118th", title=title.upper(), assembly_number=118)]))
    citing = document_import(data=b"kigali", source_name="145.txt").document
    assert DocumentReference.objects.get(document=citing).target is None

    fake_parser(make_parsed(title=title, assembly_number=118))
    cited = document_import(data=b"cape town", source_name="118.txt").document

    assert DocumentReference.objects.get(document=citing).target == cited


def test_untitled_reference_links_only_to_a_sole_resolution(reference_data, fake_parser, make_parsed):
    fake_parser(make_parsed(references=[ParsedReference(phrase="the 122nd Assembly", assembly_number=122)]))
    citing = document_import(data=b"citing", source_name="c.txt").document
    fake_parser(make_parsed(title=None, assembly_number=122))
    cited = document_import(data=b"bangkok", source_name="122.txt").document
    assert DocumentReference.objects.get(document=citing).target == cited


def test_background_note_links_to_the_resolution_it_discusses(reference_data, fake_parser, make_parsed):
    title = "Parliamentary impetus to local and regional development of countries with high migration"
    fake_parser(make_parsed(title=title))
    resolution = document_import(data=b"resolution", source_name="r.txt").document

    fake_parser(
        make_parsed(kind="background note", title=None, operative=0, relates_to_title=f"*{title}*", reservations=[])
    )
    result = document_import(data=b"note", source_name="n.txt")
    note = result.document

    assert note.related_to == resolution
    assert note.related_title == f"*{title}*"
    assert note.guiding_questions == ["What can parliaments do?"]
    assert Commitment.objects.filter(document=note).count() == 0
    assert import_result_as_json(result)["relates_to"] == title


def test_background_note_is_linked_when_the_resolution_arrives_later(reference_data, fake_parser, make_parsed):
    title = "Parliamentary impetus to local and regional development of countries with high migration"
    fake_parser(make_parsed(kind="background note", title=None, operative=0, relates_to_title=title, reservations=[]))
    result = document_import(data=b"note", source_name="n.txt")
    assert result.document.related_to is None
    assert import_result_as_json(result)["relates_to"] == title

    fake_parser(make_parsed(title=title + " and to stopping all forms of human trafficking"))
    resolution = document_import(data=b"resolution", source_name="r.txt").document

    result.document.refresh_from_db()
    assert result.document.related_to == resolution


@pytest.mark.parametrize(
    ("cited", "title", "expected"),
    [
        ("Migrant workers, people trafficking", "MIGRANT WORKERS, PEOPLE TRAFFICKING, XENOPHOBIA", True),
        ("*Protection of migrants*", "Protection of migrants", True),
        ("The role", "The role of parliaments in striking a balance", False),
        ("Peaceful resolution of the war", "Migrant workers, people trafficking", False),
        ("", "Anything", False),
    ],
)
def test_titles_match(cited, title, expected):
    assert titles_match(cited, title) is expected


def test_json_follows_the_contract(reference_data, fake_parser, make_parsed):
    parsed = make_parsed(operative=3)
    parsed.operative[2].number = None  # printed without a number: its position stands in
    parsed.date = date(2022, 10, 15)
    parsed.adopted = date(2022, 10, 15)
    parsed.sponsors = ["Argentina", "Mexico"]
    fake_parser(parsed)
    result = document_import(data=b"text", source_name="t.txt")
    payload = import_result_as_json(result)

    assert set(payload) == CONTRACT_KEYS
    assert payload["kind"] == "resolution"
    assert payload["adopted"] == "2022-10-15"
    assert payload["date"] == "2022-10-15"
    assert payload["symbol"] is None
    assert payload["sponsors"] == ["Argentina", "Mexico"]
    assert payload["preambular_count"] == 3
    assert payload["document_id"] == result.document.pk
    assert [item["number"] for item in payload["operative"]] == [1, 2, 3]
    first = payload["operative"][0]
    assert set(first) == {
        "number",
        "verb",
        "strength",
        "addresses_parliaments",
        "addressees",
        "themes",
        "text",
        "subparagraphs",
    }
    assert first["subparagraphs"][0] == {"letter": "a", "verb": None, "text": "item a;"}
    assert set(payload["reservations"][0]) == {
        "who",
        "on",
        "operative_paragraphs",
        "preambular_paragraphs",
        "entire",
        "opposition",
    }
    assert payload["reservations"][3]["opposition"] is True


def test_pdf_bytes_are_read_as_text(db, fake_parser, make_parsed, minimal_pdf):
    fake_parser(make_parsed())
    result = document_import(data=minimal_pdf(["Resolution adopted", "1. Calls upon parliaments"]), source_name="x")
    assert "Calls upon parliaments" in result.document.source_text


def test_docx_bytes_are_read_as_text(db, fake_parser, make_parsed):
    word = WordDocument()
    word.add_paragraph("The 145th Assembly of the Inter-Parliamentary Union,")
    word.add_paragraph("1. Calls upon parliaments to act;")
    buffer = io.BytesIO()
    word.save(buffer)
    fake_parser(make_parsed())

    result = document_import(data=buffer.getvalue(), source_name="resolution.bin")

    assert extract.format_detect(buffer.getvalue()) == extract.DOCX
    assert result.document.source_text.splitlines()[0] == "The 145th Assembly of the Inter-Parliamentary Union,"
    assert "1. Calls upon parliaments to act;" in result.document.source_text


def test_broken_pdf_is_rejected_in_one_line(db, fake_parser, make_parsed):
    fake_parser(make_parsed())
    with pytest.raises(ImportRejected) as caught:
        document_import(data=b"%PDF-1.7\n this is not really a PDF \x00\x01\x02", source_name="x.pdf")
    assert "PDF" in caught.value.message
    assert "\n" not in caught.value.message
    assert Document.objects.count() == 0


def test_zip_that_is_not_docx_goes_to_the_decoder(db):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert extract.format_detect(buffer.getvalue()) is None
    assert extract.document_text_extract(data=buffer.getvalue()) is None
