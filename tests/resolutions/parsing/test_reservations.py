from resolutions.parsing.reservations import parse_reservations


def as_pairs(text):
    return [(r.who, r.on) for r in parse_reservations(text)]


def test_ipu_list_of_delegations_with_entire_and_opposition():
    text = (
        "A number of delegations took the floor to express their reservations:\n"
        "Czech Republic on operative paragraph 3, Kazakhstan on preambular paragraphs 9 and 10 and operative "
        "paragraph 9, Qatar on the reference to labour mobility in operative paragraph 5 and Türkiye on "
        "preambular paragraph 19\n"
        "Hungary and Indonesia on the entire resolution.\n"
        "The Russian Federation expressed its opposition to the resolution."
    )
    reservations = parse_reservations(text)
    assert [(r.who, r.on) for r in reservations] == [
        ("Czech Republic", "operative paragraph 3"),
        ("Kazakhstan", "preambular paragraphs 9 and 10 and operative paragraph 9"),
        ("Qatar", "the reference to labour mobility in operative paragraph 5"),
        ("Türkiye", "preambular paragraph 19"),
        ("Hungary", "the entire resolution"),
        ("Indonesia", "the entire resolution"),
        ("Russian Federation", "opposition to the resolution"),
    ]
    kazakhstan = reservations[1]
    assert kazakhstan.preambular_paragraphs == [9, 10]
    assert kazakhstan.operative_paragraphs == [9]
    assert reservations[4].entire and not reservations[4].opposition
    assert reservations[6].opposition


def test_single_delegation_sentence_drops_the_commentary_after_the_paragraph():
    text = (
        "The delegation of Iran (Islamic Rep. of) expressed a reservation on operative paragraph 8 in relation to "
        'the concept of "gender equality".'
    )
    assert as_pairs(text) == [("Iran (Islamic Rep. of)", "operative paragraph 8")]


def test_reservation_after_adoption_clause():
    text = "Following the adoption of the resolution, Australia expressed a reservation in respect of operative paragraph 25"
    reservation = parse_reservations(text)[0]
    assert (reservation.who, reservation.on, reservation.operative_paragraphs) == (
        "Australia",
        "operative paragraph 25",
        [25],
    )


def test_compound_country_names_are_not_split_and_ranges_expand():
    reservations = parse_reservations("Reservations: Trinidad and Tobago on operative paragraphs 3 to 5.")
    assert [(r.who, r.operative_paragraphs) for r in reservations] == [("Trinidad and Tobago", [3, 4, 5])]


def test_text_without_reservations_gives_none():
    assert parse_reservations("Note: the resolution was adopted by consensus.") == []
