import pytest

from resolutions.parsing.commitments import addressees_of, verb_phrase
from resolutions.parsing.lexicon import verb_strength


@pytest.mark.parametrize(
    ("text", "verb"),
    [
        ("Calls upon States to promote", "Calls upon"),
        ("Calls on parliaments to act", "Calls on"),
        ("Calls for the development of data", "Calls for"),
        ("Also calls upon all governments", "Also calls upon"),
        ("Fully affirms the strong determination", "Fully affirms"),
        ("Reaffirms its commitment to preserve lives", "Reaffirms"),
        ("Reaffirms emphatically the duty of States", "Reaffirms emphatically"),
        ("Takes note of the report of the Secretary-General", "Takes note"),
        ("Also takes note of the reports", "Also takes note"),
        ("Expresses its concern about the impacts", "Expresses"),
        ("Strongly condemns acts of racism", "Strongly condemns"),
        ("Urges early ratification", "Urges"),
        ("Decides to remain seized of the matter.", "Decides"),
    ],
)
def test_verb_phrase(text, verb):
    assert verb_phrase(text)[0] == verb


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Calls on States and their respective parliaments to consider ratifying", {"states", "parliaments"}),
        ("Urges parliaments, in cooperation with their governments, to secure pathways", {"parliaments"}),
        ("Urges parliaments to ensure that their governments comply", {"parliaments"}),
        (
            "Requests that the IPU Secretary General transmit the present resolution to the IPU Member Parliaments",
            {"ipu"},
        ),
        ("Requests that the United Nations makes the topic a point of focus", {"un"}),
        ("Calls for universal ratification of the Convention, and invites parliaments to support it", {"parliaments"}),
        ("Invites IPU Member States to undertake an evaluation", {"states"}),
        ("Invites parliamentarians to use the Handbook", {"parliaments"}),
        ("Requests the Secretary-General to submit a report", {"secretary-general"}),
        ("Urges the strengthening of alliances between national parliaments and civil society", set()),
        (
            "Calls on parliaments as well as regional and sub-regional inter-parliamentary organizations to engage",
            {"parliaments", "international-organizations"},
        ),
        (
            "Encourages States, relevant international organizations, civil society and the private sector to act",
            {"states", "international-organizations", "civil-society", "private-sector"},
        ),
        ("Urges the governments of developed countries to recognize", {"governments"}),
    ],
)
def test_addressees_come_from_the_object_not_from_any_mention(text, expected):
    verb, offset = verb_phrase(text)
    assert set(addressees_of(text, offset)) == expected


def test_strength_scale_orders_verbs():
    assert verb_strength("Decides") > verb_strength("Urges") > verb_strength("Calls upon")
    assert verb_strength("Calls upon") > verb_strength("Encourages") > verb_strength("Invites")
    assert verb_strength("Invites") > verb_strength("Takes note") == 0
    assert verb_strength("Also urges") == verb_strength("Urges")
