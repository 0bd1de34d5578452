"""Reservations printed under a text.

IPU texts print them as an asterisk note: "Czech Republic on operative paragraph 3,
India on preambular paragraph 21, ... Hungary and Indonesia on the entire resolution.
The Russian Federation expressed its opposition to the resolution." or "The delegation
of Iran (Islamic Rep. of) expressed a reservation on operative paragraph 8 in relation
to ...". Each delegation becomes one entry; "Hungary and Indonesia" gives two (but
"Trinidad and Tobago" stays one). The scope ("on") runs to the last paragraph it
names; what follows is commentary.
"""

from __future__ import annotations

import re

from .lexicon import split_names
from .types import ParsedReservation

_INTRO = re.compile(r"^[^:]{0,200}\b(?:reservations?|dissociat\w*|objections?)\b[^:]{0,120}:\s*", re.I)
_ITEM = re.compile(
    r"(?:(?<=^)|(?<=, )|(?<=; )|(?<= and ))"
    r"(?:[Tt]he\s+)?(?:[Dd]elegations?\s+of\s+(?:the\s+)?)?"
    r"(?P<who>[A-Z][^,;:]{0,120}?)\s+"
    r"(?P<rel>on|in respect of|with regard to|regarding|concerning|expressed|entered|dissociated|"
    r"registered|voiced|placed|has expressed|have expressed|wished)\b"
)
_SCOPE_PREFIX = re.compile(
    r"^(?:(?:a|its|their)\s+)?(?:reservations?|objections?)\s+(?:on|in respect of|with regard to|"
    r"regarding|concerning|to|about)\s+|^(?:itself|themselves)\s+from\s+",
    re.I,
)
_PARAGRAPH_REF = re.compile(
    r"\b(?P<kind>operative|preambular|OP|PP)\s*(?:paragraphs?|paras?\.?)?\s*"
    r"(?P<nums>\d{1,3}(?:\s*\([a-z]\))?(?:\s*(?:,|and|to|-|–)\s*\d{1,3}(?:\s*\([a-z]\))?)*)",
    re.I,
)
_BARE_PARAGRAPH_REF = re.compile(r"\bparagraphs?\s+(?P<nums>\d{1,3}(?:\s*(?:,|and|to|-|–)\s*\d{1,3})*)", re.I)
_ENTIRE = re.compile(r"\b(?:entire|whole)\s+(?:resolution|text|document)|resolution as a whole", re.I)
_OPPOSITION = re.compile(r"\boppos\w*|\bobject\w* to the (?:resolution|text)|dissociat\w*", re.I)


def _numbers(spec: str) -> list[int]:
    spec = re.sub(r"\([a-z]\)", "", spec)
    numbers: list[int] = []
    for part in re.split(r"\s*(?:,|and)\s*", spec):
        bounds = re.split(r"\s*(?:to|-|–)\s*", part.strip())
        if len(bounds) == 2 and bounds[0].isdigit() and bounds[1].isdigit():
            low, high = int(bounds[0]), int(bounds[1])
            if 0 < low <= high and high - low < 100:
                numbers.extend(range(low, high + 1))
        elif part.strip().isdigit():
            numbers.append(int(part.strip()))
    return numbers


def _scope(text: str) -> tuple[str, list[int], list[int], bool, bool]:
    scope = _SCOPE_PREFIX.sub("", text.strip())
    scope = scope.strip().rstrip(".;, ")
    opposition = bool(_OPPOSITION.search(scope)) and not _PARAGRAPH_REF.search(scope)
    operative: list[int] = []
    preambular: list[int] = []
    last_end = 0
    for match in _PARAGRAPH_REF.finditer(scope):
        target = preambular if match.group("kind").lower() in {"preambular", "pp"} else operative
        target.extend(n for n in _numbers(match.group("nums")) if n not in target)
        last_end = match.end()
    if not operative and not preambular:
        for match in _BARE_PARAGRAPH_REF.finditer(scope):
            operative.extend(n for n in _numbers(match.group("nums")) if n not in operative)
            last_end = match.end()
    entire = bool(_ENTIRE.search(scope)) or opposition
    if last_end and not entire:
        scope = scope[:last_end].rstrip()
    if opposition:
        scope = re.sub(r"^(?:its|their)\s+", "", scope)
    return scope, operative, preambular, entire, opposition


def parse_reservations(tail_text: str) -> list[ParsedReservation]:
    """Reservations found in the notes printed after the operative part."""
    text = re.sub(r"[ \t]+", " ", tail_text[:20000]).strip()
    if not re.search(r"reserv|oppos|dissociat|object", text, re.I):
        return []
    reservations: list[ParsedReservation] = []
    for sentence in re.split(r"(?<=[.;])\s+(?=[A-Z*])|\n", text):
        body = _INTRO.sub("", sentence.strip())
        matches = list(_ITEM.finditer(body))
        for position, match in enumerate(matches):
            end = matches[position + 1].start() if position + 1 < len(matches) else len(body)
            raw_scope = body[match.start("rel") : end]
            raw_scope = re.sub(r"^(?:on|in respect of|with regard to|regarding|concerning)\s+", "", raw_scope)
            raw_scope = re.sub(
                r"^(?:has |have )?(?:expressed|entered|registered|voiced|placed|wished to express)\s+", "", raw_scope
            )
            raw_scope = re.sub(r"^dissociated\s+", "dissociation ", raw_scope)
            raw_scope = re.sub(r"(?:,|\s+and)\s*$", "", raw_scope.strip())
            scope, operative, preambular, entire, opposition = _scope(raw_scope)
            if not (operative or preambular or entire or opposition or re.search(r"reserv", raw_scope, re.I)):
                continue
            for who in split_names(match.group("who").strip()):
                reservations.append(
                    ParsedReservation(
                        who=who,
                        on=scope,
                        operative_paragraphs=list(operative),
                        preambular_paragraphs=list(preambular),
                        entire=entire,
                        opposition=opposition,
                    )
                )
    return reservations
