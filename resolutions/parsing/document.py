"""Entry point: raw text in, ParsedDocument out.

Steps: clean the text (``clean``), find the opening formula, read the header
(``header``), segment the body (``structure``), analyse each operative paragraph
(``commitments``, ``themes``), read the notes under the text (``reservations``), find
the deadline and references (``links``). Any input this cannot use raises ParseError
with one line that says why.
"""

from __future__ import annotations

import re

from .clean import Line, clean_lines
from .commitments import addressees_of, verb_phrase
from .header import Header, read_header, read_note_header
from .lexicon import OPENING_FORMULA_RE, is_adverb, verb_strength
from .links import emphasised_titles, find_deadline, find_references
from .reservations import parse_reservations
from .structure import RawParagraph, ends_document, ends_paragraph, opener_kind, segment
from .themes import themes_for
from .types import ParsedDocument, ParsedParagraph, ParsedSubparagraph, ParseError

MAX_CHARS = 20_000_000
_PREAMBLE_FOLLOWERS = {"bearing": "in mind", "taking": "note"}
_NOTE_HINTS = re.compile(
    r"\b(?:background|concept|information|explanatory)\s+(?:note|paper)\b|\.Inf\b|\bInf[.\-]\d|"
    r"\bdraft resolution\b|\bguiding questions\b|\bdebate\b",
    re.I,
)
_RELATES_EMPHASIS = re.compile(
    r"\bentitled\s+(?:\*{1,2}|_|<(?:em|i)>)([^*_<>\n]{8,500}?)(?:\*{1,2}|_|</(?:em|i)>)", re.I
)
_RELATES_QUOTED = re.compile(r"\bentitled\s+[\"“]([^\"”\n]{8,500})[\"”]")
_QUESTION = re.compile(r"\?\s*$")


def _find_formula(lines: list[Line]) -> int | None:
    for index, line in enumerate(lines):
        if len(line.text) < 160 and OPENING_FORMULA_RE.match(line.text):
            return index
    return None


def _first_body_line(lines: list[Line]) -> int | None:
    for index, line in enumerate(lines):
        kind = opener_kind(re.sub(r"^\(?\d{1,3}[.)]\s+", "", line.text))
        if kind == "operative" or (kind == "preambular" and ends_paragraph(line.text)):
            return index
    return None


def _is_running_header(text: str, header: Header) -> bool:
    """PDF pages repeat the symbol, often with the title: "A/RES/78/195 Protection of migrants"."""
    if not header.symbol or header.symbol not in text or len(text) > 250:
        return False
    rest = text.replace(header.symbol, "").strip(" -–|")
    return not rest or (header.title is not None and rest.lower() == header.title.lower())


def preamble_opening(paragraph: RawParagraph) -> str:
    """The opening phrase: the emphasised words when the text marks them, else adverbs + participle."""
    if paragraph.emphasis and paragraph.text.lower().startswith(paragraph.emphasis.lower()):
        return paragraph.text[: len(paragraph.emphasis)]
    words = [word.strip(",;:") for word in paragraph.text.split(None, 8)]
    if not words:
        return ""
    index = 0
    while index < min(3, len(words) - 1) and is_adverb(words[index]):
        index += 1
    head = words[index].lower()
    index += 1
    follower = _PREAMBLE_FOLLOWERS.get(head)
    if follower and " ".join(words[index : index + 2]).lower().startswith(follower):
        index += len(follower.split())
    if index < len(words) and words[index].lower() in {"also", "further", "again"}:
        index += 1
    return " ".join(words[:index])


def _operative(raw: RawParagraph, position: int) -> ParsedParagraph:
    verb, offset = verb_phrase(raw.text)
    addressees = addressees_of(raw.text, offset) if verb else []
    paragraph = ParsedParagraph(
        kind="operative",
        position=position,
        number=raw.number,
        text=raw.text.strip(),
        opening_phrase=verb or "",
        verb=verb,
        strength=verb_strength(verb),
        addressees=addressees,
        addresses_parliaments="parliaments" in addressees,
        themes=themes_for(raw.text),
    )
    for sub in raw.subs:
        sub_verb, sub_offset = verb_phrase(sub.text) if sub.text[:1].isupper() else (None, 0)
        if sub_verb and sub_verb.split()[0].lower() in {"to", "the", "a", "an"}:
            sub_verb = None
        if sub_verb:
            sub_addressees = addressees_of(sub.text, sub_offset)
            strength = verb_strength(sub_verb)
        else:
            sub_addressees, strength = list(addressees), paragraph.strength
        paragraph.subparagraphs.append(
            ParsedSubparagraph(
                letter=sub.letter,
                text=sub.text.strip(),
                verb=sub_verb,
                strength=strength,
                addressees=sub_addressees,
                addresses_parliaments="parliaments" in sub_addressees,
                themes=themes_for(sub.text),
            )
        )
    return paragraph


def _guiding_questions(lines: list[Line]) -> list[str]:
    questions: list[str] = []
    collecting = False
    for line in lines:
        if re.search(r"\bguiding questions\b|\bquestions for (?:the )?debate\b", line.text, re.I):
            collecting = True
            continue
        if collecting:
            if _QUESTION.search(line.text):
                questions.append(line.text)
            elif questions:
                break
    return questions


def _relates_to(raw_text: str) -> str | None:
    for pattern in (_RELATES_EMPHASIS, _RELATES_QUOTED):
        match = pattern.search(raw_text)
        if match:
            return re.sub(r"\s+", " ", match.group(1)).strip()
    return None


def _background_note(raw_text: str, lines: list[Line]) -> ParsedDocument:
    header: Header = read_note_header(lines)
    return ParsedDocument(
        kind="background note",
        status="background note",
        title=header.title,
        body=header.body,
        symbol=header.symbol,
        assembly_number=header.assembly_number,
        place=header.place,
        date=header.date,
        relates_to_title=_relates_to(raw_text),
        guiding_questions=_guiding_questions(lines),
    )


def parse_text(text: str) -> ParsedDocument:
    """Parse one document; raise ParseError for anything that is not a usable text."""
    if not isinstance(text, str):
        raise ParseError(f"Expected text, got {type(text).__name__}.")
    if len(text) > MAX_CHARS:
        raise ParseError(f"The text is too long ({len(text):,} characters; the limit is {MAX_CHARS:,}).")
    if not text.strip():
        raise ParseError("The text is empty.")
    lines, _ = clean_lines(text)
    if not any(any(ch.isalpha() for ch in line.text) for line in lines):
        raise ParseError("The text contains no words: nothing to import.")

    formula_index = _find_formula(lines)
    if formula_index is not None:
        header_lines, body_lines = lines[:formula_index], lines[formula_index + 1 :]
        formula = lines[formula_index].text
    else:
        start = _first_body_line(lines)
        header_lines = lines[:start] if start is not None else lines
        body_lines = lines[start:] if start is not None else []
        formula = None
    header = read_header(header_lines, formula)
    body_lines = [line for line in body_lines if not _is_running_header(line.text, header)]
    segmented = segment(body_lines) if body_lines else None

    if segmented is None or not segmented.operative:
        looks_like_resolution = formula is not None or header.adoption_line is not None
        if looks_like_resolution:
            raise ParseError("The text looks like a resolution but has no operative paragraphs; it may be truncated.")
        if len(lines) >= 5 and _NOTE_HINTS.search(text):
            return _background_note(text, lines)
        raise ParseError(
            "This does not look like a resolution: no opening formula (e.g. 'The General Assembly,') "
            "and no operative paragraphs were found."
        )

    warnings: list[str] = []
    operative = [_operative(raw, position) for position, raw in enumerate(segmented.operative, 1)]
    last = segmented.operative[-1]
    last_text = last.subs[-1].text if last.subs else last.text
    if not segmented.tail and not ends_paragraph(last_text):
        label = last.number or len(segmented.operative)
        raise ParseError(f"The text stops in the middle of operative paragraph {label}; it looks truncated.")
    if not ends_document(last_text):
        warnings.append("The last operative paragraph does not end with a full stop; the text may be incomplete.")
    if segmented.numbered:
        numbers = [p.number for p in operative]
        if numbers != list(range(1, len(numbers) + 1)):
            warnings.append("Operative paragraph numbers are not consecutive from 1.")

    preamble = [
        ParsedParagraph(
            kind="preambular",
            position=position,
            text=raw.text.strip(),
            opening_phrase=preamble_opening(raw),
            themes=themes_for(raw.text),
        )
        for position, raw in enumerate(segmented.preamble, 1)
    ]
    tail_text = "\n".join(line.text for line in segmented.tail)
    return ParsedDocument(
        kind="resolution",
        status=header.status,
        title=header.title,
        body=header.body,
        symbol=header.symbol,
        session=header.session,
        assembly_number=header.assembly_number,
        place=header.place,
        adopted=header.adopted,
        date=header.date,
        sponsors=header.sponsors,
        preamble=preamble,
        operative=operative,
        reservations=parse_reservations(tail_text),
        deadline=find_deadline(operative),
        references=find_references(preamble + operative, emphasised_titles(text), header.assembly_number),
        warnings=warnings,
    )
