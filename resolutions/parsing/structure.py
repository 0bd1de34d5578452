"""Segmentation of a resolution body into preambular and operative paragraphs.

General rules (UN Editorial Manual and IPU practice), not fitted to any one text:
- The body starts after the opening formula ("The General Assembly,", "The 145th
  Assembly of the Inter-Parliamentary Union,").
- A paragraph ends with a comma (preamble), a semicolon or a colon (operative), or a
  full stop (the last one). A line that does not follow such an ending, or that starts
  in lower case, continues the paragraph before it: this rejoins paragraphs broken by
  page breaks, footnote blocks and hard line wraps.
- Operative paragraphs are numbered ("1.", "- 1.", "  1.") or, in older texts, not
  numbered: then each starts with a verb in the third person present ("Urges",
  "Also calls upon") after a paragraph that ended.
- Lettered sub-paragraphs "(a)" ... follow an operative paragraph; "(i)", "(v)", "(x)"
  are letters only where the alphabet is due, otherwise roman sub-items of the
  current sub-paragraph.
- Two paragraphs run together on one line ("...Human Rights,Recalling that...") are
  split where a comma or semicolon is followed by a capitalised opening word.
- After the last operative paragraph (a full stop, then an unnumbered line, an
  asterisk note or a line in capitals) comes the tail: notes and reservations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .clean import Line
from .lexicon import LEADING_ADVERBS, OPERATIVE_VERBS, PREAMBULAR_OPENERS

_NUMBERED = re.compile(r"^\(?(\d{1,3})[.)]\s+(?=\S)")
_LETTERED = re.compile(r"^\(([a-z]{1,4})\)\s+(?=\S)")
_BARE_LABEL = re.compile(r"^(?:\(?\d{1,3}[.)]|\([a-z]{1,4}\))$")
_ROMAN = re.compile(r"^(?=[ivxlc]+$)m*(c[md]|d?c{0,3})(x[cl]|l?x{0,3})(i[xv]|v?i{0,3})$")
_TRAILING_NOISE = re.compile(r"[\s\"”’')\]*\u204e]+$")
_OPENER_WORD = re.compile(r"[A-Z][a-z]+")


@dataclass
class RawSub:
    letter: str
    text: str


@dataclass
class RawParagraph:
    kind: str
    text: str
    number: int | None = None
    emphasis: str = ""
    subs: list[RawSub] = field(default_factory=list)


@dataclass
class Segmented:
    preamble: list[RawParagraph]
    operative: list[RawParagraph]
    tail: list[Line]
    numbered: bool


def opener_kind(text: str) -> str | None:
    """'operative', 'preambular' or None, from the opening words of a paragraph."""
    words = text.split(None, 5)
    if not words or not words[0][:1].isupper():
        return None
    for index, word in enumerate(words):
        bare = word.strip(",;:").lower()
        if index < 3 and bare in LEADING_ADVERBS and index + 1 < len(words):
            continue
        original = word.strip(",;:")
        if index > 0 and not original[:1].islower():
            return None
        if bare in OPERATIVE_VERBS:
            return "operative"
        if bare in PREAMBULAR_OPENERS or (bare.endswith("ing") and len(bare) > 4 and bare.isalpha()):
            return "preambular"
        return None
    return None


def ends_paragraph(text: str) -> bool:
    tail = _TRAILING_NOISE.sub("", text)
    return bool(tail) and tail[-1] in ",;:."


def ends_document(text: str) -> bool:
    return _TRAILING_NOISE.sub("", text).endswith(".")


_INLINE_SPLIT = re.compile(r"[,;]\s*(?=[A-Z][a-z])")
_BEFORE_INLINE_SPLIT = set('abcdefghijklmnopqrstuvwxyz)"”’')


def split_run_together(line: Line) -> list[Line]:
    """Split "...Human Rights,Recalling that..." into two lines."""
    text = line.text
    if len(text) < 80:
        return [line]
    pieces: list[str] = []
    start = 0
    for match in _INLINE_SPLIT.finditer(text):
        if not match.start() or text[match.start() - 1] not in _BEFORE_INLINE_SPLIT:
            continue
        after = text[match.end() :]
        kind = opener_kind(after)
        if kind is None:
            continue
        head = after.split(None, 1)[0].lower().strip(",")
        if kind == "preambular" and head not in PREAMBULAR_OPENERS and head not in LEADING_ADVERBS:
            continue  # only explicit openers split a line; a bare -ing word may be a title
        if match.start() - start < 40:
            continue
        pieces.append(text[start : match.start() + 1].strip())
        start = match.end()
    if not pieces:
        return [line]
    pieces.append(text[start:].strip())
    out = [Line(text=pieces[0], emphasis=line.emphasis, blank_before=line.blank_before)]
    out.extend(Line(text=piece, blank_before=True) for piece in pieces[1:])
    return out


def _next_letter(subs: list[RawSub]) -> str:
    if not subs:
        return "a"
    last = subs[-1].letter
    if len(last) == 1 and last < "z":
        return chr(ord(last) + 1)
    if len(last) == 1:
        return "aa"
    return last[0] + chr(ord(last[-1]) + 1) if last[-1] < "z" else last + "a"


def segment(lines: list[Line]) -> Segmented:
    """Group body lines into paragraphs; see the module docstring for the rules."""
    preamble: list[RawParagraph] = []
    operative: list[RawParagraph] = []
    tail: list[Line] = []
    section = "preamble"
    numbered = False
    current: RawParagraph | None = None
    current_sub: RawSub | None = None

    def current_text() -> str:
        if current_sub is not None:
            return current_sub.text
        return current.text if current is not None else ""

    def append(text: str) -> None:
        nonlocal current
        if current_sub is not None:
            current_sub.text = f"{current_sub.text} {text}"
        elif current is not None:
            current.text = f"{current.text} {text}"
        else:
            current = RawParagraph(kind="preambular", text=text)
            preamble.append(current)

    expanded: list[Line] = []
    pending_label = ""
    for line in lines:
        if _BARE_LABEL.match(line.text):
            pending_label = f"{pending_label} {line.text}".strip()  # "1." alone, text on the next line
            continue
        if pending_label:
            line = Line(
                text=f"{pending_label} {line.text}",
                emphasis=line.emphasis,
                blank_before=True,
                starred=line.starred,
            )
            pending_label = ""
        expanded.extend(split_run_together(line))

    for index, line in enumerate(expanded):
        text = line.text
        if line.caps and len(text) < 200:
            if section == "operative" and current is not None and ends_document(current_text()):
                tail.extend(expanded[index:])
                break
            continue
        number_match = _NUMBERED.match(text)
        if number_match:
            number = int(number_match.group(1))
            last = operative[-1].number if operative and numbered else 0
            if (last or 0) < number <= (last or 0) + 2 and (operative == [] or numbered):
                section, numbered = "operative", True
                body = text[number_match.end() :]
                current = RawParagraph(kind="operative", text=body, number=number, emphasis=line.emphasis)
                current_sub = None
                operative.append(current)
                continue
        letter_match = _LETTERED.match(text)
        if letter_match and section == "operative" and current is not None:
            letter = letter_match.group(1)
            expected = _next_letter(current.subs)
            if letter == expected or (letter == "a" and not current.subs):
                current_sub = RawSub(letter=letter, text=text[letter_match.end() :])
                current.subs.append(current_sub)
                continue
            if current_sub is not None and _ROMAN.match(letter):
                append(text)
                continue
        if line.starred and (section == "operative" or current is None):
            if section == "operative":
                tail.extend(expanded[index:])
                break
        previous = current_text()
        if current is None:
            kind = opener_kind(text)
            if kind == "operative":
                section = "operative"
                current = RawParagraph(kind="operative", text=text, emphasis=line.emphasis)
                operative.append(current)
            else:
                current = RawParagraph(kind="preambular", text=text, emphasis=line.emphasis)
                preamble.append(current)
            continue
        if line.forced_break and section == "preamble":
            current = RawParagraph(kind="preambular", text=text, emphasis=line.emphasis)
            preamble.append(current)
            continue
        if not ends_paragraph(previous) or text[:1].islower() or not text[:1].isalnum():
            append(text)
            continue
        kind = opener_kind(text)
        if section == "preamble":
            if kind == "operative":
                section = "operative"
                current = RawParagraph(kind="operative", text=text, emphasis=line.emphasis)
                current_sub = None
                operative.append(current)
            elif kind == "preambular" or line.blank_before or line.emphasis:
                current = RawParagraph(kind="preambular", text=text, emphasis=line.emphasis)
                preamble.append(current)
            else:
                append(text)
            continue
        # Operative section, previous paragraph ended, capitalised line without a number.
        if not numbered and kind == "operative":
            current = RawParagraph(kind="operative", text=text, emphasis=line.emphasis)
            current_sub = None
            operative.append(current)
            continue
        if ends_document(previous):
            tail.extend(expanded[index:])
            break
        append(text)
    return Segmented(preamble=preamble, operative=operative, tail=tail, numbered=numbered)
