from resolutions.parsing.clean import clean_lines
from resolutions.parsing.structure import ends_paragraph, opener_kind, segment


def seg(raw: str):
    return segment(clean_lines(raw)[0])


def test_opener_kind_reads_adverbs_participles_and_verbs():
    assert opener_kind("Recalling also the Global Compact") == "preambular"
    assert opener_kind("Deeply concerned at the number") == "preambular"
    assert opener_kind("Bearing in mind the instruments") == "preambular"
    assert opener_kind("Also calls upon all governments") == "operative"
    assert opener_kind("Fully affirms the determination") == "operative"
    assert opener_kind("States parties to the Convention") is None
    assert opener_kind("migration status, are holders") is None


def test_ends_paragraph_ignores_closing_quotes_and_markers():
    assert ends_paragraph('protect trafficked persons", ')
    assert ends_paragraph("the Convention;")
    assert not ends_paragraph("regardless of their")


def test_numbered_paragraphs_with_bullets_and_indentation():
    result = seg(
        "Recalling its resolutions,\n\n- 1. Calls upon States to act;\n\n  2. Urges parliaments to legislate;\n"
        "- 3. Decides to remain seized of the matter.\n"
    )
    assert [p.number for p in result.operative] == [1, 2, 3]
    assert result.numbered
    assert len(result.preamble) == 1


def test_paragraph_broken_by_page_break_and_footnotes_is_rejoined():
    result = seg(
        "Recognizing that all migrants, regardless of their\n\n"
        "<sup>6</sup> Resolution 217 A (III).\n\n23-21882 **3/14**\n\n"
        "migration status, are human rights holders,\n\n"
        "Deeply concerned at the number of migrants, including those unaccompanied,\n\n"
        "<sup>28</sup> Ibid.\n\n"
        "who find themselves in a vulnerable situation,\n\n"
        "1. Urges States to act.\n"
    )
    assert [p.text for p in result.preamble] == [
        "Recognizing that all migrants, regardless of their migration status, are human rights holders,",
        "Deeply concerned at the number of migrants, including those unaccompanied, who find themselves in a "
        "vulnerable situation,",
    ]


def test_unnumbered_operative_paragraphs_start_with_a_verb_after_an_ending():
    result = seg(
        "Believing that human rights matter,\n"
        "Calls upon IPU Member Parliaments effectively to promote rights;\n"
        "Recommends that migration be on the agenda;\n"
        "Urges the strengthening of alliances between national parliaments and civil society;\n"
        "Invites the IPU to promote input.\n"
        " * Following the adoption, Australia expressed a reservation in respect of operative paragraph 2\n"
    )
    assert len(result.preamble) == 1
    assert [p.text.split()[0] for p in result.operative] == ["Calls", "Recommends", "Urges", "Invites"]
    assert [p.number for p in result.operative] == [None] * 4
    assert "Australia" in result.tail[0].text


def test_two_preambular_paragraphs_on_one_line_are_split():
    result = seg(
        "Bearing in mind the relevant non-binding international instruments on Human Rights,Recalling that "
        "Article 6 of the Declaration on the Right to Development requires action,\n"
        "Urges States to act.\n"
    )
    assert [p.text[:20] for p in result.preamble] == ["Bearing in mind the ", "Recalling that Artic"]


def test_lettered_subparagraphs_and_roman_items():
    result = seg(
        "1. Reaffirms the rights, and in this regard:\n"
        "(a) Calls upon States to act;\n(b) Urges States:\n(i) to legislate;\n(ii) to report;\n"
        "(c) Encourages States to cooperate;\n(d) Invites States;\n(e) Notes;\n(f) Notes;\n(g) Notes;\n(h) Notes;\n"
        "(i) Welcomes the report;\n"
        "2. Decides to remain seized of the matter.\n"
    )
    first = result.operative[0]
    assert [sub.letter for sub in first.subs] == ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
    assert first.subs[1].text == "Urges States: (i) to legislate; (ii) to report;"
    assert result.operative[1].number == 2


def test_tail_starts_after_the_final_full_stop():
    result = seg(
        "1. Urges States to act;\n2. Decides to remain seized of the matter.\n"
        "The delegation of Iran (Islamic Rep. of) expressed a reservation on operative paragraph 1.\n"
    )
    assert len(result.operative) == 2
    assert result.tail[0].text.startswith("The delegation of Iran")
