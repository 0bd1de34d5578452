from datetime import date

from resolutions.parsing.links import emphasised_titles, find_deadline, find_references
from resolutions.parsing.types import ParsedParagraph


def op(number: int, text: str) -> ParsedParagraph:
    return ParsedParagraph(kind="operative", position=number, number=number, text=text)


def test_deadline_prefers_the_paragraph_that_asks_for_a_report():
    paragraphs = [
        op(1, "Decides to hold a debate before the 150th Assembly;"),
        op(
            2,
            "Invites the IPU Member Parliaments to communicate to the IPU Secretariat by the 149th Assembly the measures taken.",
        ),
    ]
    deadline = find_deadline(paragraphs)
    assert (deadline.phrase, deadline.assembly_number, deadline.paragraph) == ("by the 149th Assembly", 149, 2)


def test_deadline_as_a_calendar_date():
    deadline = find_deadline([op(7, "Requests parliaments to report on progress by 31 December 2025.")])
    assert deadline.date == date(2025, 12, 31)
    assert deadline.assembly_number is None


def test_no_deadline():
    assert find_deadline([op(1, "Decides to remain seized of the matter.")]) is None


def test_references_with_titles_from_emphasis_and_from_on_clauses():
    raw = (
        "*Recalling also* the IPU resolutions *Migrant workers, people trafficking, xenophobia and human rights* "
        "(adopted at the 118th Assembly, Cape Town, April 2008),"
    )
    titles = emphasised_titles(raw)
    assert titles == {118: "Migrant workers, people trafficking, xenophobia and human rights"}
    paragraphs = [
        ParsedParagraph(
            kind="preambular",
            position=1,
            text="Recalling also the IPU resolutions Migrant workers, people trafficking, xenophobia and human rights "
            "(adopted at the 118th Assembly, Cape Town, April 2008),",
        ),
        ParsedParagraph(
            kind="preambular",
            position=2,
            text="Also recalling the resolution of the 121st IPU Assembly (Geneva, 2009), on The role of parliaments,",
        ),
    ]
    references = find_references(paragraphs, titles, own_assembly=145)
    assert [(r.assembly_number, r.place, r.year, r.title) for r in references] == [
        (118, "Cape Town", 2008, "Migrant workers, people trafficking, xenophobia and human rights"),
        (121, "Geneva", 2009, "The role of parliaments"),
    ]


def test_own_assembly_is_not_a_reference():
    paragraph = ParsedParagraph(
        kind="preambular", position=1, text="Recalling the resolution of the 145th IPU Assembly,"
    )
    assert find_references([paragraph], {}, own_assembly=145) == []
