"""The importer's output: plain dataclasses, independent of Django."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date


class ParseError(ValueError):
    """Raised for any input the importer cannot use; the message is one clear line."""


@dataclass
class ParsedSubparagraph:
    letter: str  # without brackets: "a"
    text: str
    verb: str | None = None
    strength: int = 0
    addressees: list[str] = field(default_factory=list)
    addresses_parliaments: bool = False
    themes: list[str] = field(default_factory=list)


@dataclass
class ParsedParagraph:
    kind: str  # "preambular" | "operative"
    position: int  # 1-based among paragraphs of the same kind
    text: str
    number: int | None = None  # the printed number, when there is one
    opening_phrase: str = ""
    verb: str | None = None  # operative only
    strength: int = 0
    addressees: list[str] = field(default_factory=list)
    addresses_parliaments: bool = False
    themes: list[str] = field(default_factory=list)
    subparagraphs: list[ParsedSubparagraph] = field(default_factory=list)


@dataclass
class ParsedReservation:
    who: str
    on: str
    operative_paragraphs: list[int] = field(default_factory=list)
    preambular_paragraphs: list[int] = field(default_factory=list)
    entire: bool = False
    opposition: bool = False


@dataclass
class ParsedDeadline:
    phrase: str  # "by the 149th Assembly"
    assembly_number: int | None
    paragraph: int  # operative paragraph number that carries it
    date: date | None = None  # when the text names a calendar date instead of an Assembly


@dataclass
class ParsedReference:
    phrase: str
    title: str = ""
    assembly_number: int | None = None
    place: str = ""
    year: int | None = None


@dataclass
class ParsedDocument:
    kind: str  # "resolution" | "draft resolution" | "background note"
    status: str = ""  # as printed: "revised draft resolution"
    title: str | None = None
    body: str | None = None  # "IPU Assembly", "UN General Assembly, Third Committee"
    symbol: str | None = None
    session: str | None = None
    assembly_number: int | None = None
    place: str | None = None
    adopted: date | None = None
    date: date | None = None  # date printed on the document (adoption, issue or distribution)
    sponsors: list[str] = field(default_factory=list)
    preamble: list[ParsedParagraph] = field(default_factory=list)
    operative: list[ParsedParagraph] = field(default_factory=list)
    reservations: list[ParsedReservation] = field(default_factory=list)
    deadline: ParsedDeadline | None = None
    references: list[ParsedReference] = field(default_factory=list)
    relates_to_title: str | None = None  # background notes: the resolution discussed
    guiding_questions: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)
