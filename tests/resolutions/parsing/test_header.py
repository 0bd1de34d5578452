from datetime import date

from resolutions.parsing.clean import clean_lines
from resolutions.parsing.header import read_header, read_note_header, sentence_case
from resolutions.parsing.lexicon import split_names


def header_of(raw: str, formula: str):
    return read_header(clean_lines(raw)[0], formula)


def test_ipu_adoption_line_gives_assembly_place_and_date():
    header = header_of(
        "## Parliamentary impetus to local development\n"
        "*Resolution adopted by consensus\\* by the 145th IPU Assembly  \n(Kigali, 15 October 2022)*\n",
        "The 145th Assembly of the Inter-Parliamentary Union,",
    )
    assert header.body == "IPU Assembly"
    assert header.assembly_number == 145
    assert header.place == "Kigali"
    assert header.adopted == date(2022, 10, 15)
    assert header.title == "Parliamentary impetus to local development"


def test_title_in_capitals_on_the_adoption_line():
    header = header_of(
        "| MIGRANT WORKERS, PEOPLE TRAFFICKING AND HUMAN RIGHTS Resolution adopted by consensus* by the 118th "
        "Assembly\n (Cape Town, 18 April 2008)\n",
        "The 118th Assembly of the Inter-Parliamentary Union,",
    )
    assert header.title == "Migrant workers, people trafficking and human rights"
    assert header.place == "Cape Town"


def test_missing_title_stays_missing():
    header = header_of(
        "IPU Logo-middleInter-Parliamentary Union\nResolution adopted unanimously by the 122nd IPU Assembly\n"
        "(Bangkok, 1 April 2010)\n",
        "The 122nd Assembly of the Inter-Parliamentary Union,",
    )
    assert header.title is None
    assert header.adopted == date(2010, 4, 1)


def test_un_committee_draft():
    header = header_of(
        "United Nations A/C.3/78/L.52/Rev.1\n\nDistr.: Limited 9 November 2023\n\nOriginal: English\n\n"
        "Seventy-eighth session\n\n## **Third Committee**\n\nAgenda item 71 (b)\n\n"
        "Promotion and protection of human rights: human rights questions\n\n"
        "Argentina, Armenia, Trinidad and Tobago and Venezuela (Bolivarian Republic of): revised draft resolution\n\n"
        "## **Protection of migrants**\n",
        "The General Assembly,",
    )
    assert header.body == "UN General Assembly, Third Committee"
    assert header.symbol == "A/C.3/78/L.52/Rev.1"
    assert header.date == date(2023, 11, 9)
    assert header.adopted is None
    assert header.status == "revised draft resolution"
    assert header.session == "Seventy-eighth session"
    assert header.title == "Protection of migrants"
    assert header.sponsors[-1] == "Venezuela (Bolivarian Republic of)"


def test_adopted_un_and_hrc_resolutions():
    ga = header_of(
        "United Nations A/RES/78/195\n\nResolution adopted by the General Assembly on 19 December 2023\n\n"
        "[on the report of the Third Committee (A/78/481/Add.2)]\n\n78/195. Protection of migrants\n",
        "The General Assembly,",
    )
    assert (ga.body, ga.adopted, ga.title, ga.symbol) == (
        "UN General Assembly",
        date(2023, 12, 19),
        "Protection of migrants",
        "A/RES/78/195",
    )
    hrc = header_of(
        "A/HRC/RES/52/1\n\nHuman Rights Council\nFifty-second session\n"
        "Resolution adopted by the Human Rights Council on 3 April 2023\n\n52/1. Human rights of migrants\n",
        "The Human Rights Council,",
    )
    assert (hrc.body, hrc.adopted, hrc.title) == (
        "UN Human Rights Council",
        date(2023, 4, 3),
        "Human rights of migrants",
    )


def test_note_header():
    lines = clean_lines(
        "145th IPU Assembly\n\nKigali, Rwanda\n11-15 October 2022\n\nForum of Women Parliamentarians\nItem 4\n\n"
        "FEM/34/4.Inf-1\n10 September 2022\n\nContributing to the work of the Assembly from a gender perspective\n"
    )[0]
    header = read_note_header(lines)
    assert header.body == "IPU Forum of Women Parliamentarians"
    assert header.symbol == "FEM/34/4.Inf-1"
    assert header.date == date(2022, 9, 10)
    assert header.title == "Contributing to the work of the Assembly from a gender perspective"


def test_helpers():
    assert sentence_case("THE ROLE OF THE IPU IN MIGRATION") == "The role of the IPU in migration"
    assert sentence_case("Already mixed Case") == "Already mixed Case"
    assert split_names("Mexico, Portugal and Bosnia and Herzegovina") == [
        "Mexico",
        "Portugal",
        "Bosnia and Herzegovina",
    ]
    assert split_names("The Russian Federation") == ["Russian Federation"]
