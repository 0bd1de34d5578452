"""Metadata from the lines above the body: body, Assembly, place, date, symbol,
sponsors, title.

IPU resolutions carry "Resolution adopted [by consensus] by the 145th IPU Assembly
(Kigali, 15 October 2022)" next to the title. UN documents carry the symbol
("A/C.3/78/L.52/Rev.1"), "Distr.: ... 9 November 2023", the session, the committee,
the sponsors before ": draft resolution" and the title just above the opening formula;
adopted UN resolutions say "Resolution adopted by the General Assembly on ...".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from .clean import Line
from .dates import DATE_RE, parse_date
from .lexicon import split_names

_IPU_ADOPTION = re.compile(
    r"\bResolution\s+adopted\b[^()]{0,80}?\bby\s+the\s+(\d{1,3})(?:st|nd|rd|th)\s+(?:IPU\s+)?Assembly", re.I
)
_PLACE_DATE = re.compile(r"\(\s*([A-Z][^(),]{1,60}?)\s*,\s*(\d{1,2}(?:st|nd|rd|th)?\s+[A-Za-z]+\s+\d{4})\s*\)")
_UN_ADOPTION = re.compile(
    r"\b(?:Resolution\s+)?adopted\s+by\s+the\s+(General Assembly|Human Rights Council|Security Council|"
    r"Economic and Social Council)\b[^.]{0,60}?\bon\s+(\d{1,2}\s+[A-Za-z]+\s+\d{4})",
    re.I,
)
_ASSEMBLY_IN_FORMULA = re.compile(r"^The\s+(\d{1,3})(?:st|nd|rd|th)\s+(?:IPU\s+)?Assembly", re.I)
_ASSEMBLY_HEADING = re.compile(r"\b(\d{1,3})(?:st|nd|rd|th)\s+(?:IPU\s+)?Assembly\b", re.I)
_SYMBOL = re.compile(r"(?<![\w/])([A-Z]{1,5}(?:/[A-Za-z0-9.\-]+){2,})(?![\w/])")
_SESSION = re.compile(r"^([A-Z][a-z]+(?:-[a-z]+)?)\s+(?:regular\s+|special\s+)?session\b", re.I)
_COMMITTEE = re.compile(
    r"^(First|Second|Third|Fourth|Fifth|Sixth|Special Political and Decolonization)\s+Committee$", re.I
)
_COMMITTEE_BY_SYMBOL = {
    "1": "First",
    "2": "Second",
    "3": "Third",
    "4": "Fourth",
    "5": "Fifth",
    "6": "Sixth",
}
_SPONSORS = re.compile(
    r"^(?P<sponsors>[A-Z][^:]{1,2000}?)\s*:\s*(?P<status>(?:revised\s+)?draft\s+(?:resolution|decision)"
    r"(?:\s+submitted\s+by\s+[^\n]+)?)\s*$",
    re.I,
)
_IPU_ORGANS = re.compile(
    r"\b(Forum of Women Parliamentarians|Forum of Young Parliamentarians|Governing Council|"
    r"Standing Committee on [A-Z][\w ,]+|Committee on the Human Rights of Parliamentarians|Executive Committee)\b"
)
_NOT_TITLE = re.compile(
    r"^(?:Inter-Parliamentary Union|For democracy\. For everyone\.|United Nations|Distr\.|Original:|Agenda item|Item \d"
    r"|General Assembly|Human Rights Council|Security Council)\b"
    r"|^\d{1,3}(?:st|nd|rd|th)\s+(?:IPU\s+)?Assembly$"
    r"|^\d{4}\s*\|"
    r"|^[A-Z][\w .'\-]+,\s*[A-Z][\w .'\-]+$"  # "Kigali, Rwanda"
    r"|^(?:\d{1,2}(?:\s*[-–]\s*\d{1,2})?\s+)?[A-Z][a-z]+\s+\d{4}$",  # dates, date ranges
    re.I,
)
_RESOLUTION_NUMBER_PREFIX = re.compile(r"^\d{1,3}/\d{1,4}\.\s+")
_KEEP_UPPER = {"IPU", "UN", "UNESCO", "ILO", "HIV", "AIDS", "SDG", "SDGS", "COVID-19", "UNICEF", "UNODC", "UNHCR"}


@dataclass
class Header:
    body: str | None = None
    assembly_number: int | None = None
    place: str | None = None
    adopted: date | None = None
    date: date | None = None
    symbol: str | None = None
    session: str | None = None
    status: str = ""
    sponsors: list[str] = field(default_factory=list)
    title: str | None = None
    adoption_line: int | None = None


def sentence_case(text: str) -> str:
    """Titles printed in capitals become sentence case; acronyms stay."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters or any(ch.islower() for ch in letters):
        return text
    words = []
    for index, word in enumerate(text.split()):
        bare = re.sub(r"[^\w\-]", "", word)
        if bare.upper() in _KEEP_UPPER:
            words.append(word)
        elif index == 0:
            words.append(word[:1] + word[1:].lower())
        else:
            words.append(word.lower())
    return " ".join(words)


def _title_candidate(text: str) -> str | None:
    text = _RESOLUTION_NUMBER_PREFIX.sub("", text).strip(" *")
    if len(text) < 8 or _NOT_TITLE.search(text) or _SYMBOL.fullmatch(text) or _SPONSORS.match(text):
        return None
    if DATE_RE.fullmatch(text.strip()):
        return None
    return sentence_case(text)


def read_header(lines: list[Line], formula: str | None) -> Header:
    """Metadata from ``lines`` (everything above the body) and the opening formula."""
    header = Header()
    un_body: str | None = None
    committee: str | None = None
    for index, line in enumerate(lines):
        text = line.text
        adoption = _IPU_ADOPTION.search(text)
        if adoption and header.adoption_line is None:
            header.adoption_line = index
            header.assembly_number = int(adoption.group(1))
            header.body = "IPU Assembly"
            header.status = "adopted"
            before = text[: adoption.start()].strip(" ,;:-*")
            if len(before) >= 8:
                header.title = sentence_case(before)
            window = " ".join(item.text for item in lines[index : index + 3])
            place_date = _PLACE_DATE.search(window)
            if place_date:
                header.place = place_date.group(1).strip()
                header.adopted = parse_date(place_date.group(2))
            continue
        un_adoption = _UN_ADOPTION.search(text)
        if un_adoption and header.adoption_line is None:
            header.adoption_line = index
            un_body = un_adoption.group(1).title().replace(" And ", " and ")
            header.adopted = parse_date(un_adoption.group(2))
            header.status = "adopted"
            continue
        if header.symbol is None:
            symbol = _SYMBOL.search(text)
            if symbol and len(text) < 120:
                header.symbol = symbol.group(1).rstrip(".")
        if header.date is None and text.lower().startswith("distr"):
            header.date = parse_date(text)
        session = _SESSION.match(text)
        if session and header.session is None and len(text) < 60:
            header.session = text
        committee_match = _COMMITTEE.match(text.strip(" *"))
        if committee_match:
            committee = committee_match.group(1).title().replace(" And ", " and ")
        sponsors = _SPONSORS.match(text)
        if sponsors:
            header.sponsors = split_names(sponsors.group("sponsors"))
            header.status = sponsors.group("status").lower().split(" submitted")[0]
    if formula:
        assembly = _ASSEMBLY_IN_FORMULA.match(formula)
        if assembly:
            header.assembly_number = header.assembly_number or int(assembly.group(1))
            header.body = header.body or "IPU Assembly"
        elif re.search(r"Inter-Parliamentary|IPU", formula):
            header.body = header.body or re.sub(r"^The\s+|\s*,\s*$", "", formula).replace(
                " of the Inter-Parliamentary Union", ""
            )
            header.body = header.body if header.body.startswith("IPU") else f"IPU {header.body}"
        else:
            un_body = un_body or re.sub(r"^The\s+|\s*,\s*$", "", formula)
    if un_body and not header.body:
        if committee is None and header.symbol:
            by_symbol = re.match(r"A/C\.(\d)/", header.symbol)
            if by_symbol:
                committee = _COMMITTEE_BY_SYMBOL.get(by_symbol.group(1))
        header.body = f"UN {un_body}" + (f", {committee} Committee" if committee else "")
    if header.date is None:
        header.date = header.adopted
    if header.title is None:
        # IPU prints the title above the adoption line; the UN prints it below
        # ("Resolution adopted by the General Assembly on ...", then "78/195. Title").
        if header.adoption_line is None:
            candidates = lines
        elif un_body:
            candidates = lines[header.adoption_line + 1 :]
        else:
            candidates = lines[: header.adoption_line]
        for line in reversed(candidates):
            candidate = _title_candidate(line.text)
            if candidate:
                header.title = candidate
                break
    return header


def read_note_header(lines: list[Line]) -> Header:
    """Metadata of a document that is not a resolution (a background note)."""
    header = Header()
    symbol_index: int | None = None
    for index, line in enumerate(lines[:40]):
        text = line.text
        if header.symbol is None:
            symbol = _SYMBOL.search(text)
            if symbol and len(text) < 80:
                header.symbol = symbol.group(1).rstrip(".")
                symbol_index = index
                continue
        if header.date is None and symbol_index is not None and index <= symbol_index + 2:
            header.date = parse_date(text) if len(text) < 40 else None
            if header.date:
                continue
        organ = _IPU_ORGANS.search(text)
        if organ and header.body is None and len(text) < 120:
            header.body = f"IPU {organ.group(1)}"
        assembly = _ASSEMBLY_HEADING.search(text)
        if assembly and header.assembly_number is None and len(text) < 60:
            header.assembly_number = int(assembly.group(1))
        if header.place is None and re.fullmatch(r"[A-Z][\w .'\-]+,\s*[A-Z][\w .'\-]+", text):
            header.place = text.split(",")[0].strip()
        if symbol_index is not None and header.title is None and index > symbol_index:
            if len(text) >= 15 and not parse_date(text) and not _NOT_TITLE.search(text):
                header.title = sentence_case(text)
    if header.date is None:
        for line in lines[:40]:
            if len(line.text) < 40 and parse_date(line.text):
                header.date = parse_date(line.text)
                break
    return header
