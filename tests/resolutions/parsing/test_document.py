"""The importer end to end, on the seed documents and on fragments of other kinds of text."""

import json
from datetime import date
from pathlib import Path

import pytest

from resolutions.parsing import ParseError, parse_text

SEEDS = Path(__file__).resolve().parents[3] / "resolutions" / "fixtures" / "seeds"
EXPECTED = json.loads((SEEDS / "expected.json").read_text(encoding="utf-8"))["documents"]


@pytest.fixture(scope="module")
def parsed():
    return {entry["file"]: parse_text((SEEDS / entry["file"]).read_text(encoding="utf-8")) for entry in EXPECTED}


@pytest.mark.parametrize("entry", EXPECTED, ids=[e["file"] for e in EXPECTED])
def test_seed_matches_every_hand_counted_fact(entry, parsed):
    doc = parsed[entry["file"]]
    assert doc.kind == entry["kind"]
    assert doc.body == entry["body"]
    if "assembly_number" in entry:
        assert doc.assembly_number == entry["assembly_number"]
    if "place" in entry:
        assert doc.place == entry["place"]
    if "adopted" in entry:
        assert doc.adopted == date.fromisoformat(entry["adopted"])
    if "date" in entry:
        assert doc.date == date.fromisoformat(entry["date"])
    if "symbol" in entry:
        assert doc.symbol == entry["symbol"]
    if "status" in entry:
        assert doc.status == entry["status"]
    if "sponsors" in entry:
        assert doc.sponsors == entry["sponsors"]
    if "title_starts" in entry:
        if entry["title_starts"] is None:
            assert doc.title is None
        else:
            assert doc.title.startswith(entry["title_starts"])
    if "preambular_count" in entry:
        assert len(doc.preamble) == entry["preambular_count"]
    assert len(doc.operative) == entry["operative_count"]
    if "subparagraph_count" in entry:
        assert sum(len(p.subparagraphs) for p in doc.operative) == entry["subparagraph_count"]
    for number, count in entry.get("subparagraphs_per_operative", {}).items():
        assert len(doc.operative[int(number) - 1].subparagraphs) == count
    if "first_operative_verb" in entry:
        assert doc.operative[0].verb == entry["first_operative_verb"]
        assert doc.operative[-1].verb == entry["last_operative_verb"]
    for number in entry.get("operative_addressing_parliaments_include", []):
        assert doc.operative[number - 1].addresses_parliaments, number
    if "reporting_deadline" in entry:
        expected_deadline = entry["reporting_deadline"]
        if expected_deadline is None:
            assert doc.deadline is None
        else:
            assert doc.deadline.phrase == expected_deadline["phrase"]
            assert doc.deadline.assembly_number == expected_deadline["assembly_number"]
            assert doc.deadline.paragraph == expected_deadline["paragraph"]
    if "reservations" in entry:
        assert [{"who": r.who, "on": r.on} for r in doc.reservations] == entry["reservations"]
    if "relates_to_title_starts" in entry:
        assert doc.relates_to_title.startswith(entry["relates_to_title_starts"])


def test_kigali_does_not_ask_parliaments_where_the_object_is_someone_else(parsed):
    doc = parsed["ipu-145-kigali-2022-migration-trafficking.md"]
    asked = [p.number for p in doc.operative if p.addresses_parliaments]
    assert asked == [2, 3, 4, 5, 6, 8, 11, 12, 13, 15, 16, 18, 19, 22, 25, 28, 29, 31]
    assert doc.operative[29].addressees == ["ipu"]  # "Requests that the IPU Secretary General transmit ..."


def test_unnumbered_text_numbers_paragraphs_by_position(parsed):
    doc = parsed["ipu-118-cape-town-2008-migrant-workers.txt"]
    assert all(p.number is None for p in doc.operative)
    assert [p.position for p in doc.operative] == list(range(1, 41))
    assert doc.preamble[4].text.startswith("Recalling that Article 6 of the Declaration on the Right to Development")
    assert doc.operative[-1].text.endswith("Global Forum on Migration and Development.")


def test_background_note_keeps_questions_and_the_resolution_it_discusses(parsed):
    note = parsed["ipu-145-fem-gender-note.md"]
    assert note.operative == []
    assert len(note.guiding_questions) == 5
    assert all(question.endswith("?") for question in note.guiding_questions)


def test_un_text_has_no_footnote_debris(parsed):
    doc = parsed["un-a-c3-78-l52-rev1-protection-of-migrants.md"]
    texts = [p.text for p in doc.preamble + doc.operative] + [s.text for p in doc.operative for s in p.subparagraphs]
    for text in texts:
        assert "<sup" not in text and "Ibid." not in text and "23-21882" not in text
    assert doc.preamble[0].text.endswith("53/24 of 13 July 2023,")
    assert doc.operative[4].subparagraphs[11].text.endswith("his or her rights under the Convention;")


HRC_TEXT = """
United Nations A/HRC/RES/52/20

General Assembly

Distr.: General
13 April 2023

Human Rights Council
Fifty-second session
27 February–4 April 2023
Agenda item 3

Resolution adopted by the Human Rights Council on 3 April 2023

52/20. Human rights of migrants

The Human Rights Council,

Guided by the purposes and principles of the Charter of the United Nations,

Reaffirming the Universal Declaration of Human Rights,1 and recalling the International Covenants,

1 Resolution 217 A (III).

1. Calls upon States to promote and protect effectively the human rights of all migrants;

2. Encourages States, in cooperation with civil society, to develop policies:

(a) To ensure access to justice;

(b) To ensure access to health care;

3. Requests the Office of the High Commissioner to submit a report to the Council at its fifty-sixth session;

4. Decides to continue its consideration of this question.

GE.23-06978(E)
"""


def test_human_rights_council_resolution():
    doc = parse_text(HRC_TEXT)
    assert doc.body == "UN Human Rights Council"
    assert doc.adopted == date(2023, 4, 3)
    assert doc.title == "Human rights of migrants"
    assert doc.symbol == "A/HRC/RES/52/20"
    assert len(doc.preamble) == 2
    assert [p.verb for p in doc.operative] == ["Calls upon", "Encourages", "Requests", "Decides"]
    second = doc.operative[1]
    assert [s.letter for s in second.subparagraphs] == ["a", "b"]
    assert second.subparagraphs[0].verb is None  # "To ensure ..." continues the parent's verb
    assert second.subparagraphs[0].addressees == ["states"]
    assert (
        doc.preamble[1].text
        == "Reaffirming the Universal Declaration of Human Rights, and recalling the International Covenants,"
    )


HARD_WRAPPED = """The General Assembly,
Recalling its resolution 76/172 of 16 December 2021 on the protection of
migrants and all previous resolutions on the subject,
Deeply concerned at the large and growing number of migrants in vulnerable
situations,
1. Calls upon States to promote and protect effectively the human rights of
all migrants, regardless of their migration status;
2. Also calls upon parliaments to review national legislation in line with
international obligations;
3. Decides to continue its consideration of the question at its next session.
"""


def test_hard_wrapped_pdf_text_is_rejoined():
    doc = parse_text(HARD_WRAPPED)
    assert [p.opening_phrase for p in doc.preamble] == ["Recalling", "Deeply concerned"]
    assert doc.preamble[0].text.endswith("protection of migrants and all previous resolutions on the subject,")
    assert [p.number for p in doc.operative] == [1, 2, 3]
    assert doc.operative[1].addresses_parliaments
    assert doc.operative[1].verb == "Also calls upon"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   \n\n", "empty"),
        ("1 2 3\n4 5 6\n", "no words"),
        ('{"kind": "resolution", "operative": []}', "does not look like a resolution"),
        ("<html><script>alert(1)</script><p>Welcome to our site</p></html>", "does not look like a resolution"),
        (
            "The 145th Assembly of the Inter-Parliamentary Union,\n\nNoting the rise of trafficking,\n\n"
            "Recalling the Global Compact,\n",
            "no operative paragraphs",
        ),
        (
            "The General Assembly,\n\nRecalling its resolutions,\n\n1. Urges States to act;\n\n2. Calls upon States to",
            "truncated",
        ),
    ],
)
def test_unusable_text_is_refused_with_one_clear_line(text, message):
    with pytest.raises(ParseError, match=message) as error:
        parse_text(text)
    assert "\n" not in str(error.value)


ADOPTED_GA_PDF_TEXT = """United Nations A/RES/78/195

General Assembly Distr.: General
22 December 2023

Seventy-eighth session
Agenda item 71 (b)

Resolution adopted by the General Assembly on 19 December 2023
[on the report of the Third Committee (A/78/481/Add.2, para. 95)]

78/195. Protection of migrants

The General Assembly,
Recalling all its previous resolutions on the protection of migrants, the most recent
of which is resolution 76/172 of 16 December 2021,
Reaffirming the Universal Declaration of Human Rights,1
1 Resolution 217 A (III).
23-26087 (E) 030124
*2326087*
A/RES/78/195 Protection of migrants
2/10 23-26087
which proclaims that all human beings are born free and equal in dignity and rights,
1.
Calls upon States to promote and protect effectively the human rights of all
migrants;
2. Encourages parliaments to review their legislation;
3. Decides to remain seized of the matter.
"""


def test_adopted_general_assembly_resolution_from_pdf_with_running_headers():
    doc = parse_text(ADOPTED_GA_PDF_TEXT)
    assert (doc.body, doc.symbol, doc.title, doc.adopted) == (
        "UN General Assembly",
        "A/RES/78/195",
        "Protection of migrants",
        date(2023, 12, 19),
    )
    assert [p.opening_phrase for p in doc.preamble] == ["Recalling", "Reaffirming"]
    assert doc.preamble[1].text == (
        "Reaffirming the Universal Declaration of Human Rights, which proclaims that all human beings are born "
        "free and equal in dignity and rights,"
    )
    assert [(p.number, p.verb) for p in doc.operative] == [(1, "Calls upon"), (2, "Encourages"), (3, "Decides")]
    assert (
        doc.operative[0].text
        == "Calls upon States to promote and protect effectively the human rights of all migrants;"
    )
    assert doc.operative[1].addresses_parliaments
