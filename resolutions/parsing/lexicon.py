"""Words that open resolution paragraphs, and how strongly an operative verb asks.

Resolutions follow a fixed drafting style (UN Editorial Manual; IPU drafting rules):
preambular paragraphs open with a participle or adjective ("Recalling", "Deeply
concerned") and end with a comma; operative paragraphs open with a verb in the third
person present ("Urges", "Calls upon"), possibly after an adverb ("Also", "Further"),
and end with a semicolon, the last one with a full stop.
"""

from __future__ import annotations

import re

# Adverbs that may precede the verb of an opening phrase ("Also calls upon").
LEADING_ADVERBS = frozenset(
    """also further again once equally likewise therefore furthermore moreover hereby
    strongly fully firmly deeply gravely seriously profoundly earnestly solemnly
    emphatically warmly sincerely urgently respectfully particularly especially
    most highly greatly keenly duly fervently vigorously repeatedly additionally
    resolutely unreservedly""".split()
)

# Adverbs that may follow the verb and still belong to the opening phrase
# ("Reaffirms emphatically", "Requests also").
TRAILING_ADVERBS = frozenset("also further again once".split())
_NOT_ADVERBS_ENDING_LY = frozenset(
    "early only family daily likely timely friendly elderly assembly supply apply rely italy "
    "july reply monthly weekly yearly quarterly costly orderly holy ally rally belly".split()
)

# Particles kept with the verb that takes them ("Calls upon", "Takes note").
PARTICLES: dict[str, tuple[str, ...]] = {
    "calls": ("upon", "on", "for"),
    "call": ("upon", "on", "for"),
    "takes": ("note", "into account"),
    "looks": ("forward",),
    "appeals": ("to",),
    "pays": ("tribute",),
    "draws": ("attention",),
    "bears": ("in mind",),
    "places": ("on record",),
}

# Operative verbs (third person present), in both English spellings.
OPERATIVE_VERBS = frozenset(
    """accepts acknowledges adopts affirms agrees appeals applauds appreciates approves asks
    assures authorizes authorises believes calls cautions commends commits concludes condemns
    confirms congratulates considers continues declares decides demands denounces deplores
    designates determines directs draws emphasizes emphasises encourages endorses ensures
    entrusts envisages establishes exhorts expresses extends favours highlights hopes
    insists instructs invites joins looks mandates notes observes pays places pledges praises
    proclaims promises proposes reaffirms reasserts recalls recognizes recognises recommends
    regrets reiterates rejects reminds renews repeats requests requires resolves salutes seeks
    stresses strongly submits suggests supports takes thanks transmits trusts undertakes
    underlines underscores urges views warns welcomes wishes""".split()
)

# Explicit preambular openers. A capitalised word ending in "-ing" also opens one.
PREAMBULAR_OPENERS = frozenset(
    """aware alarmed appalled cognizant cognisant concerned conscious convinced determined
    desirous disturbed dismayed emphasizing encouraged fully gravely guided having keen
    mindful noting observing persuaded pleased reaffirming recalling recognizing recognising
    regretting reiterating seized shocked taking underlining welcoming bearing believing
    stressing acknowledging affirming considering deploring expressing highlighting
    appreciating condemning underscoring viewing looking seeking wishing committed
    troubled deeply seriously profoundly sharing mindful""".split()
)

# Opening words that start the body of a resolution after its heading.
OPENING_FORMULA_RE = re.compile(
    r"^(?:The\s+)(?:(?:\d{1,3}(?:st|nd|rd|th)\s+)?(?:IPU\s+)?Assembly\s+of\s+the\s+Inter-Parliamentary\s+Union"
    r"|General\s+Assembly|Human\s+Rights\s+Council|Security\s+Council|Economic\s+and\s+Social\s+Council"
    r"|Governing\s+Council(?:\s+of\s+the\s+Inter-Parliamentary\s+Union)?"
    r"|(?:\d{1,3}(?:st|nd|rd|th)\s+)?(?:IPU\s+)?Assembly"
    r"|Inter-Parliamentary\s+(?:Council|Conference|Union)"
    r"|[A-Z][\w\- ]{0,60}?(?:Conference|Commission|Committee|Council|Assembly|Forum))\s*,\s*$"
)

# Strength of what an operative verb asks: 5 decides > 4 urges > 3 calls upon >
# 2 encourages > 1 invites > 0 declaratory (notes, recalls, welcomes...).
STRENGTH_LABELS = {
    5: "decides",
    4: "urges",
    3: "calls upon",
    2: "encourages",
    1: "invites",
    0: "declaratory",
}
_STRENGTH_BY_VERB = {
    "decides": 5,
    "demands": 5,
    "resolves": 5,
    "requires": 5,
    "instructs": 5,
    "mandates": 5,
    "directs": 5,
    "urges": 4,
    "exhorts": 4,
    "appeals": 4,
    "insists": 4,
    "calls": 3,
    "requests": 3,
    "asks": 3,
    "commits": 3,
    "pledges": 3,
    "undertakes": 3,
    "agrees": 3,
    "entrusts": 3,
    "recommends": 2,
    "encourages": 2,
    "reminds": 2,
    "supports": 2,
    "endorses": 2,
    "invites": 1,
    "suggests": 1,
    "proposes": 1,
    "hopes": 1,
    "trusts": 1,
    "wishes": 1,
}


def verb_strength(verb_phrase: str | None) -> int:
    """Strength of an opening phrase on the 0-5 scale (adverbs: "Strongly urges" stays 4)."""
    if not verb_phrase:
        return 0
    for word in verb_phrase.lower().split():
        if word in _STRENGTH_BY_VERB:
            return _STRENGTH_BY_VERB[word]
        if word not in LEADING_ADVERBS:
            break
    return 0


def is_adverb(word: str) -> bool:
    w = word.lower().strip(",")
    if w in LEADING_ADVERBS:
        return True
    return len(w) > 6 and w.endswith("ly") and w not in _NOT_ADVERBS_ENDING_LY


# Country names that contain "and", so "Hungary and Indonesia" splits but
# "Trinidad and Tobago" does not.
COMPOUND_NAMES = (
    "Antigua and Barbuda",
    "Bosnia and Herzegovina",
    "Saint Kitts and Nevis",
    "Saint Vincent and the Grenadines",
    "Sao Tome and Principe",
    "São Tomé and Príncipe",
    "Trinidad and Tobago",
    "Turks and Caicos Islands",
    "Heard Island and McDonald Islands",
    "United Kingdom of Great Britain and Northern Ireland",
    "Wallis and Futuna",
    "Economic and Social Council",
)


def split_names(text: str) -> list[str]:
    """Split "A, B and C" into names, keeping "Trinidad and Tobago" whole and dropping a leading "the"."""
    protected = text
    for index, name in enumerate(COMPOUND_NAMES):
        protected = protected.replace(name, f"\x00{index}\x00")
    names = []
    for name in re.split(r",\s*|\s+and\s+", protected):
        name = name.strip()
        if not name:
            continue
        for index, compound in enumerate(COMPOUND_NAMES):
            name = name.replace(f"\x00{index}\x00", compound)
        names.append(re.sub(r"^(?:the|The)\s+", "", name))
    return names
