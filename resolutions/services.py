"""Importing a resolution: raw bytes in, a Document with its paragraphs and commitments out.

The parser (``resolutions.parsing``) knows nothing of the database; this module turns its
output into rows, links what can be linked (Assemblies, parliaments, earlier resolutions)
and guarantees that an import either saves everything or nothing.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from resolutions.extract import ExtractionError, document_text_extract
from resolutions.models import (
    Addressee,
    Commitment,
    Document,
    DocumentReference,
    Paragraph,
    Reservation,
    Theme,
)
from resolutions.parsing import (
    IMPORTER_VERSION,
    ParsedDocument,
    ParsedParagraph,
    ParsedReference,
    ParseError,
    decode_bytes,
    parse_text,
)
from tracker.models import Assembly
from tracker.reference_data import delegation_index, parliament_for_delegation

if TYPE_CHECKING:
    from tracker.models import User

# Kinds whose operative paragraphs are the point of the import: without any there is nothing
# to follow up, which almost always means a truncated or wrong file.
KINDS_WITH_COMMITMENTS = frozenset({Document.Kind.RESOLUTION, Document.Kind.DRAFT_RESOLUTION})

# Documents a citation such as "adopted at the 118th Assembly" or a background note can point at.
LINKABLE_KINDS = (Document.Kind.RESOLUTION, Document.Kind.DRAFT_RESOLUTION)

# Shortest title prefix (normalised characters) accepted as naming a resolution.
MIN_TITLE_PREFIX = 20


class ImportRejected(Exception):
    """Input the importer cannot use; the message is one line a person can act on."""

    def __init__(self, message: str) -> None:
        self.message = " ".join(str(message).split()) or _("The file cannot be imported.")
        super().__init__(self.message)


@dataclass
class ImportResult:
    """What an import did: the document (saved, or already there), and what was read."""

    document: Document | None
    parsed: ParsedDocument
    created: bool
    duplicate_of: Document | None
    deadline_date: date | None
    related_to: Document | None = None


def document_import(
    *,
    data: bytes,
    source_name: str,
    user: User | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Reads, checks and saves one document; raises :class:`ImportRejected` for unusable input.

    The same bytes imported twice give the first document back (``created=False``) and change
    nothing. ``dry_run`` reads and resolves everything but leaves the database as it was. A
    failure while saving rolls the whole import back.
    """
    limit = settings.RESOLUTION_UPLOAD_MAX_BYTES
    if len(data) > limit:
        raise ImportRejected(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": size_format(len(data)), "limit": size_format(limit)}
        )
    if not data.strip():
        raise ImportRejected(_("The file is empty."))

    text = _text_from_bytes(data)
    try:
        parsed = parse_text(text)
    except ParseError as error:
        raise ImportRejected(str(error)) from error
    _usable_check(parsed)

    checksum = hashlib.sha256(data).hexdigest()
    existing = _existing(checksum)
    if existing is not None:
        return _duplicate_result(existing, parsed)

    try:
        with transaction.atomic():
            result = _document_save(parsed=parsed, text=text, source_name=source_name, checksum=checksum, user=user)
            if dry_run:
                transaction.set_rollback(True)
    except IntegrityError:
        # The same file imported at the same moment by someone else: theirs won.
        existing = _existing(checksum)
        if existing is None:
            raise
        return _duplicate_result(existing, parsed)
    if dry_run:
        result.document = None
    return result


def size_format(size: int) -> str:
    """A byte count as people read it: "812 bytes", "48.5 KB", "6.2 MB"."""
    if size < 1024:
        return _("%(size)s bytes") % {"size": size}
    if size < 1024 * 1024:
        return _("%(size).1f KB") % {"size": size / 1024}
    return _("%(size).1f MB") % {"size": size / (1024 * 1024)}


def _text_from_bytes(data: bytes) -> str:
    try:
        text = document_text_extract(data=data)
        if text is None:
            text = decode_bytes(data)
    except (ExtractionError, ParseError) as error:
        raise ImportRejected(str(error)) from error
    if "\x00" in text:
        raise ImportRejected(_("The file contains NUL characters: it is binary data, not a text."))
    return text


def _usable_check(parsed: ParsedDocument) -> None:
    if parsed.kind not in Document.Kind.values:
        raise ImportRejected(_("Unsupported kind of document: %(kind)r.") % {"kind": parsed.kind})
    if parsed.kind in KINDS_WITH_COMMITMENTS and not parsed.operative:
        raise ImportRejected(
            _("No operative paragraphs found: the text is not a complete %(kind)s (is it truncated?).")
            % {"kind": parsed.kind}
        )


def _existing(checksum: str) -> Document | None:
    return Document.objects.filter(checksum=checksum).select_related("related_to").first()


def _duplicate_result(existing: Document, parsed: ParsedDocument) -> ImportResult:
    return ImportResult(
        document=existing,
        parsed=parsed,
        created=False,
        duplicate_of=existing,
        deadline_date=existing.deadline_date,
        related_to=existing.related_to,
    )


def _clip(value: str | None, length: int) -> str:
    value = (value or "").strip()
    return value if len(value) <= length else value[: length - 1] + "\u2026"


def _document_save(
    *, parsed: ParsedDocument, text: str, source_name: str, checksum: str, user: User | None
) -> ImportResult:
    deadline = parsed.deadline
    numbers = {n for n in (parsed.assembly_number, deadline.assembly_number if deadline else None) if n}
    assemblies = {a.number: a for a in Assembly.objects.filter(number__in=numbers)} if numbers else {}
    deadline_assembly = assemblies.get(deadline.assembly_number) if deadline and deadline.assembly_number else None
    deadline_date = deadline_assembly.start_date if deadline_assembly else None
    related = _related_resolution(parsed) if parsed.relates_to_title else None

    document = Document.objects.create(
        kind=parsed.kind,
        status=_clip(parsed.status, 100),
        title=(parsed.title or "").strip(),
        body=_clip(parsed.body, 200),
        symbol=_clip(parsed.symbol, 100),
        assembly=assemblies.get(parsed.assembly_number) if parsed.assembly_number else None,
        assembly_number=parsed.assembly_number,
        session=_clip(parsed.session, 100),
        place=_clip(parsed.place, 100),
        adopted=parsed.adopted,
        issued=parsed.date,
        sponsors=list(parsed.sponsors),
        related_to=related,
        related_title=(parsed.relates_to_title or "").strip(),
        guiding_questions=list(parsed.guiding_questions),
        deadline_phrase=_clip(deadline.phrase if deadline else "", 200),
        deadline_assembly=deadline_assembly,
        deadline_date=deadline_date,
        source_name=_clip(source_name, 255),
        source_text=text,
        checksum=checksum,
        importer_version=IMPORTER_VERSION,
        imported_by=user if user is not None and user.pk else None,
    )

    top = _top_paragraphs_save(document, parsed)
    operative = [row for row in top if row.kind == Paragraph.Kind.OPERATIVE]
    preamble = [row for row in top if row.kind == Paragraph.Kind.PREAMBULAR]
    subparagraphs = _subparagraphs_save(document, parsed.operative, operative)
    _commitments_save(document, parsed.operative, operative, subparagraphs)

    if deadline is not None:
        paragraph = _paragraph_named(operative, deadline.paragraph)
        if paragraph is not None:
            document.deadline_paragraph = paragraph
            Document.objects.filter(pk=document.pk).update(deadline_paragraph=paragraph)

    _reservations_save(document, parsed, operative, preamble)
    _references_save(document, parsed.references)
    if document.kind in LINKABLE_KINDS:
        _references_relink(document)
        _background_notes_relink(document)

    return ImportResult(
        document=document,
        parsed=parsed,
        created=True,
        duplicate_of=None,
        deadline_date=deadline_date,
        related_to=related,
    )


def _bulk_create(model: type[models.Model], rows: list[Any], *, key: Sequence[str], **scope: Any) -> list[Any]:
    """``bulk_create`` that always leaves primary keys set, even where the backend returns none."""
    if not rows:
        return rows
    created = model.objects.bulk_create(rows)
    if any(row.pk is None for row in created):
        pks = {tuple(values[:-1]): values[-1] for values in model.objects.filter(**scope).values_list(*key, "pk")}
        for row in created:
            row.pk = pks[tuple(getattr(row, field) for field in key)]
    return created


def _top_paragraphs_save(document: Document, parsed: ParsedDocument) -> list[Paragraph]:
    rows = []
    for kind, paragraphs in (
        (Paragraph.Kind.PREAMBULAR, parsed.preamble),
        (Paragraph.Kind.OPERATIVE, parsed.operative),
    ):
        for position, paragraph in enumerate(paragraphs, start=1):
            rows.append(
                Paragraph(
                    document=document,
                    kind=kind,
                    position=position,
                    number=paragraph.number if paragraph.number and paragraph.number > 0 else None,
                    opening_phrase=_clip(paragraph.opening_phrase, 200),
                    text=paragraph.text,
                )
            )
    return _bulk_create(Paragraph, rows, key=("kind", "position"), document=document, parent__isnull=True)


def _subparagraphs_save(
    document: Document, parsed_operative: list[ParsedParagraph], operative: list[Paragraph]
) -> list[list[Paragraph]]:
    """Saves lettered sub-paragraphs; returns them grouped by operative paragraph."""
    grouped: list[list[Paragraph]] = []
    rows: list[Paragraph] = []
    for parsed, parent in zip(parsed_operative, operative, strict=True):
        group = []
        letters: set[str] = set()
        for position, sub in enumerate(parsed.subparagraphs, start=1):
            letter = _clip(sub.letter.strip("() ."), 5) or str(position)
            if letter in letters:  # a repeated letter would break (parent, letter) uniqueness
                letter = _clip(f"{letter}{position}", 5)
            letters.add(letter)
            group.append(
                Paragraph(
                    document=document,
                    kind=Paragraph.Kind.OPERATIVE,
                    position=position,
                    parent=parent,
                    letter=letter,
                    opening_phrase=_clip(sub.verb, 200),
                    text=sub.text,
                )
            )
        grouped.append(group)
        rows.extend(group)
    _bulk_create(Paragraph, rows, key=("parent_id", "letter"), document=document, parent__isnull=False)
    return grouped


def _lookup_rows(model: type[Addressee] | type[Theme], codes: Iterable[str]) -> dict[str, Any]:
    """Addressee or Theme rows by code, creating (with a title-cased label) any not seeded yet."""
    wanted = {code: slugify(code)[:50] for code in codes if slugify(code)}
    if not wanted:
        return {}
    rows = {row.code: row for row in model.objects.filter(code__in=set(wanted.values()))}
    missing = set(wanted.values()) - set(rows)
    if missing:
        model.objects.bulk_create(
            [model(code=code, label=code.replace("-", " ").title()) for code in sorted(missing)],
            ignore_conflicts=True,
        )
        rows = {row.code: row for row in model.objects.filter(code__in=set(wanted.values()))}
    return {code: rows[slug] for code, slug in wanted.items()}


def _commitments_save(
    document: Document,
    parsed_operative: list[ParsedParagraph],
    operative: list[Paragraph],
    subparagraphs: list[list[Paragraph]],
) -> list[Commitment]:
    """One commitment per operative paragraph and per sub-paragraph.

    A sub-paragraph that names no verb or no addressee of its own carries those of the
    paragraph that introduces it ("Calls upon States: (a) to ensure ...").
    """
    specs: list[tuple[Commitment, list[str], list[str]]] = []
    for parsed, paragraph, subs in zip(parsed_operative, operative, subparagraphs, strict=True):
        strength = max(0, int(parsed.strength or 0))
        specs.append(
            (
                Commitment(
                    paragraph=paragraph,
                    document=document,
                    verb=_clip(parsed.verb or parsed.opening_phrase, 100),
                    strength=strength,
                    addresses_parliaments=parsed.addresses_parliaments,
                    parliaments_report=parsed.addresses_parliaments,
                ),
                list(parsed.addressees),
                list(parsed.themes),
            )
        )
        for sub, row in zip(parsed.subparagraphs, subs, strict=True):
            addressees = list(sub.addressees) or list(parsed.addressees)
            asks_parliaments = sub.addresses_parliaments or (not sub.addressees and parsed.addresses_parliaments)
            specs.append(
                (
                    Commitment(
                        paragraph=row,
                        document=document,
                        verb=_clip(sub.verb or parsed.verb or parsed.opening_phrase, 100),
                        strength=max(0, int(sub.strength or 0)) if sub.verb else strength,
                        addresses_parliaments=asks_parliaments,
                        parliaments_report=asks_parliaments,
                    ),
                    addressees,
                    list(sub.themes) or list(parsed.themes),
                )
            )
    commitments = _bulk_create(Commitment, [spec[0] for spec in specs], key=("paragraph_id",), document=document)

    addressees = _lookup_rows(Addressee, {code for spec in specs for code in spec[1]})
    themes = _lookup_rows(Theme, {code for spec in specs for code in spec[2]})
    addressee_links = []
    theme_links = []
    for commitment, addressee_codes, theme_codes in specs:
        for addressee_id in dict.fromkeys(addressees[code].pk for code in addressee_codes if code in addressees):
            addressee_links.append(
                Commitment.addressees.through(commitment_id=commitment.pk, addressee_id=addressee_id)
            )
        for theme_id in dict.fromkeys(themes[code].pk for code in theme_codes if code in themes):
            theme_links.append(Commitment.themes.through(commitment_id=commitment.pk, theme_id=theme_id))
    if addressee_links:
        Commitment.addressees.through.objects.bulk_create(addressee_links)
    if theme_links:
        Commitment.themes.through.objects.bulk_create(theme_links)
    return commitments


def _paragraph_named(paragraphs: list[Paragraph], number: int | None) -> Paragraph | None:
    """The paragraph a text names by number: its printed number, else its position."""
    if not number:
        return None
    for paragraph in paragraphs:
        if paragraph.number == number:
            return paragraph
    for paragraph in paragraphs:
        if paragraph.position == number:
            return paragraph
    return None


def _reservations_save(
    document: Document, parsed: ParsedDocument, operative: list[Paragraph], preamble: list[Paragraph]
) -> list[Reservation]:
    if not parsed.reservations:
        return []
    index = delegation_index()
    rows = []
    for position, reservation in enumerate(parsed.reservations, start=1):
        rows.append(
            Reservation(
                document=document,
                delegation=_clip(reservation.who, 200),
                parliament=parliament_for_delegation(reservation.who, index=index),
                on=reservation.on or "",
                entire=reservation.entire,
                opposition=reservation.opposition,
                position=position,
            )
        )
    rows = _bulk_create(Reservation, rows, key=("position",), document=document)
    links = []
    for row, reservation in zip(rows, parsed.reservations, strict=True):
        named = [_paragraph_named(operative, n) for n in reservation.operative_paragraphs]
        named += [_paragraph_named(preamble, n) for n in reservation.preambular_paragraphs]
        for paragraph_id in dict.fromkeys(p.pk for p in named if p is not None):
            links.append(Reservation.paragraphs.through(reservation_id=row.pk, paragraph_id=paragraph_id))
    if links:
        Reservation.paragraphs.through.objects.bulk_create(links)
    return rows


def title_key(title: str | None) -> str:
    """A title reduced for comparison: no accents, case, punctuation or markup."""
    text = unicodedata.normalize("NFKD", title or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def titles_match(cited: str | None, title: str | None) -> bool:
    """Whether a cited title names this one: equal, or one starts the other (long enough to tell)."""
    a, b = title_key(cited), title_key(title)
    if not a or not b:
        return False
    if a == b:
        return True
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    return len(shorter) >= MIN_TITLE_PREFIX and longer.startswith(shorter)


def _reference_target(reference: ParsedReference | DocumentReference, candidates: list[Document]) -> Document | None:
    """The resolution a citation names: same Assembly, and same title when one is cited."""
    same_assembly = [doc for doc in candidates if doc.assembly_number == reference.assembly_number]
    if reference.title:
        matches = [doc for doc in same_assembly if titles_match(reference.title, doc.title)]
        return matches[0] if len(matches) == 1 else None
    return same_assembly[0] if len(same_assembly) == 1 else None


def _references_save(document: Document, references: list[ParsedReference]) -> list[DocumentReference]:
    if not references:
        return []
    numbers = {ref.assembly_number for ref in references if ref.assembly_number}
    candidates = (
        list(
            Document.objects.filter(kind=Document.Kind.RESOLUTION, assembly_number__in=numbers)
            .exclude(pk=document.pk)
            .only("pk", "title", "assembly_number")
        )
        if numbers
        else []
    )
    rows = [
        DocumentReference(
            document=document,
            phrase=ref.phrase,
            title=(ref.title or "").strip(),
            assembly_number=ref.assembly_number,
            target=_reference_target(ref, candidates) if ref.assembly_number else None,
        )
        for ref in references
    ]
    return DocumentReference.objects.bulk_create(rows)


def _references_relink(document: Document) -> int:
    """Points earlier citations of this resolution, saved before it was imported, at it."""
    if document.kind != Document.Kind.RESOLUTION or not document.assembly_number:
        return 0
    pending = list(
        DocumentReference.objects.filter(target__isnull=True, assembly_number=document.assembly_number)
        .exclude(document=document)
        .only("pk", "title", "assembly_number")
    )
    if not pending:
        return 0
    candidates = list(
        Document.objects.filter(kind=Document.Kind.RESOLUTION, assembly_number=document.assembly_number).only(
            "pk", "title", "assembly_number"
        )
    )
    ids = [ref.pk for ref in pending if _reference_target(ref, candidates) == document]
    if ids:
        DocumentReference.objects.filter(pk__in=ids).update(target=document)
    return len(ids)


def _related_resolution(parsed: ParsedDocument) -> Document | None:
    """The resolution a background note discusses, found by the start of its title."""
    key = title_key(parsed.relates_to_title)
    if not key:
        return None
    queryset = Document.objects.filter(kind__in=LINKABLE_KINDS).exclude(title="")
    ascii_words = [word for word in key.split() if word.isascii()]
    if ascii_words:  # narrow the search in SQL; the exact comparison is done below
        queryset = queryset.filter(title__icontains=max(ascii_words, key=len))
    matches = [
        doc
        for doc in queryset.only("pk", "title", "kind", "assembly_number", "adopted")
        if titles_match(key, doc.title)
    ]
    if not matches:
        return None
    matches.sort(
        key=lambda doc: (
            doc.kind != Document.Kind.RESOLUTION,
            doc.assembly_number != parsed.assembly_number,
            -(doc.adopted.toordinal() if doc.adopted else 0),
        )
    )
    return matches[0]


def _background_notes_relink(document: Document) -> int:
    """Links background notes imported earlier that discuss this resolution to it."""
    if not document.title:
        return 0
    notes = Document.objects.filter(kind=Document.Kind.BACKGROUND_NOTE, related_to__isnull=True).exclude(
        related_title=""
    )
    ids = [note.pk for note in notes.only("pk", "related_title") if titles_match(note.related_title, document.title)]
    if ids:
        Document.objects.filter(pk__in=ids).update(related_to=document)
    return len(ids)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def import_result_as_json(result: ImportResult) -> dict[str, Any]:
    """The ``import_resolution --json`` object (see the command contract in the design notes)."""
    parsed = result.parsed
    operative = []
    for position, paragraph in enumerate(parsed.operative, start=1):
        operative.append(
            {
                "number": paragraph.number if paragraph.number else position,
                "verb": paragraph.verb or None,
                "strength": paragraph.strength,
                "addresses_parliaments": paragraph.addresses_parliaments,
                "addressees": list(paragraph.addressees),
                "themes": list(paragraph.themes),
                "text": paragraph.text,
                "subparagraphs": [
                    {"letter": sub.letter, "verb": sub.verb or None, "text": sub.text}
                    for sub in paragraph.subparagraphs
                ],
            }
        )
    deadline = None
    if parsed.deadline is not None:
        deadline = {
            "phrase": parsed.deadline.phrase,
            "assembly_number": parsed.deadline.assembly_number,
            "date": _iso(result.deadline_date),
            "paragraph": parsed.deadline.paragraph,
        }
    if result.related_to is not None:
        relates_to = result.related_to.title or None
    else:
        relates_to = parsed.relates_to_title or None
    return {
        "kind": parsed.kind,
        "status": parsed.status or None,
        "title": parsed.title or None,
        "body": parsed.body or None,
        "symbol": parsed.symbol or None,
        "assembly_number": parsed.assembly_number,
        "place": parsed.place or None,
        "adopted": _iso(parsed.adopted),
        "date": _iso(parsed.date),
        "sponsors": list(parsed.sponsors),
        "preambular_count": len(parsed.preamble),
        "operative": operative,
        "reservations": [
            {
                "who": reservation.who,
                "on": reservation.on,
                "operative_paragraphs": list(reservation.operative_paragraphs),
                "preambular_paragraphs": list(reservation.preambular_paragraphs),
                "entire": reservation.entire,
                "opposition": reservation.opposition,
            }
            for reservation in parsed.reservations
        ],
        "reporting_deadline": deadline,
        "relates_to": relates_to,
        "document_id": result.document.pk if result.document is not None else None,
        "created": result.created,
        "duplicate": result.duplicate_of is not None,
    }
