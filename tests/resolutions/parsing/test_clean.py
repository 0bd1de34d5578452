from resolutions.parsing.clean import clean_lines, remove_inline_note_numbers


def texts(raw: str) -> list[str]:
    return [line.text for line in clean_lines(raw)[0]]


def test_un_page_footers_and_footnote_lines_are_dropped():
    raw = (
        "Recognizing that migration has been part of history, underscoring that all migrants, regardless of their\n\n"
        "<sup>&</sup><sup>6</sup> Resolution 217 A (III).\n\n"
        "23-21882 **3/14** \n\n"
        "<sup>&</sup>lt;sup>32</sup> Ibid., vol. 320, No. 4648.\n"
        "35 Resolution 76/266, annex.\n"
        "2/14 23-21882\n"
        "migration status, are human rights holders,\n"
    )
    assert texts(raw) == [
        "Recognizing that migration has been part of history, underscoring that all migrants, regardless of their",
        "migration status, are human rights holders,",
    ]


def test_inline_footnote_markers_are_removed_when_the_text_has_footnotes():
    lines, has_footnotes = clean_lines(
        "Reaffirming the Universal Declaration of Human Rights,<sup>6</sup> which proclaims,\n"
        "<sup>7</sup> See resolution 2200 A (XXI), annex.\n"
    )
    assert has_footnotes
    assert lines[0].text == "Reaffirming the Universal Declaration of Human Rights, which proclaims,"
    assert remove_inline_note_numbers("Economic, Social and Cultural Rights, 8 the Convention") == (
        "Economic, Social and Cultural Rights, the Convention"
    )
    assert remove_inline_note_numbers("Rev.1") == "Rev.1"


def test_markdown_emphasis_bullets_and_escapes():
    lines, _ = clean_lines(
        "## **Protection of migrants**\n"
        "*Recalling also* the IPU resolutions,\n"
        "- 1. *Requests* that the United Nations act;\n"
        "\\* A number of delegations took the floor:\n"
        "- **Czech Republic** on operative paragraph 3\n"
        "---\n"
    )
    assert [line.text for line in lines] == [
        "Protection of migrants",
        "Recalling also the IPU resolutions,",
        "1. Requests that the United Nations act;",
        "A number of delegations took the floor:",
        "Czech Republic on operative paragraph 3",
    ]
    assert lines[0].heading
    assert lines[1].emphasis == "Recalling also"
    assert lines[2].emphasis == "Requests"
    assert lines[3].starred


def test_html_scripts_tags_and_entities():
    raw = (
        "<html><head><title>x</title><script>alert('x')</script></head><body>"
        "<p><em>Noting</em> the report &amp; its annex,</p><p>1. <i>Urges</i> States&nbsp;to act.</p>"
        "</body></html>"
    )
    lines, _ = clean_lines(raw)
    assert [line.text for line in lines] == ["Noting the report & its annex,", "1. Urges States to act."]
    assert lines[0].emphasis == "Noting"


def test_site_furniture_is_dropped_or_flagged():
    raw = (
        "IPU Logo-middleInter-Parliamentary Union\n"
        "| MIGRANT WORKERS Resolution adopted by consensus* by the 118th Assembly\n"
        "Note: you can download a complete electronic version of the brochure in PDF format. Get Acrobat Reader\n"
        "HOME PAGE\n"
        " IPU ASSEMBLY  MAIN AREAS OF ACTIVITY |\n"
    )
    lines, _ = clean_lines(raw)
    assert [line.text for line in lines] == [
        "MIGRANT WORKERS Resolution adopted by consensus by the 118th Assembly",
        "IPU ASSEMBLY MAIN AREAS OF ACTIVITY",
    ]
    assert lines[-1].caps


def test_semicolon_and_emphasised_participle_starts_a_new_line():
    lines, _ = clean_lines("*Stressing* that war drives migration; and *recalling* the subsequent resolution,\n")
    assert [line.text for line in lines] == [
        "Stressing that war drives migration;",
        "recalling the subsequent resolution,",
    ]
    assert lines[1].forced_break
    assert lines[1].emphasis == "recalling"
