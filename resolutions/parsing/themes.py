"""Theme taxonomy: each theme has keywords matched, case-insensitively, at the start of
a word of a commitment's text. ``stem*`` matches any word that starts with the stem
(``child*``: child, children, childhood); a keyword without ``*`` matches that word or
phrase exactly. A commitment may carry several themes or none; the Secretariat corrects
them in the admin. Codes are stable identifiers stored in the database.
"""

from __future__ import annotations

import re

THEME_KEYWORDS: dict[str, tuple[str, ...]] = {
    "trafficking": ("traffick*", "smuggl*", "slavery", "forced labour", "forced labor"),
    "migration": ("migra*", "immigra*", "emigra*", "diaspora*", "remittance*", "people on the move"),
    "refugees": ("refugee*", "asylum", "displace*", "non-refoulement", "statelessness"),
    "gender": ("gender*", "women", "girl", "girls", "sex-disaggregated", "sexism", "sexist", "female"),
    "children": ("child*", "minor", "minors", "unaccompanied", "adolescen*", "youth"),
    "labour": (
        "labour",
        "labor",
        "worker",
        "workers",
        "employment",
        "decent work",
        "ilo",
        "recruitment",
        "job",
        "jobs",
    ),
    "data": ("data", "statistic*", "indicator", "indicators", "disaggregated", "evidence base"),
    "cooperation": (
        "cooperation",
        "co-operation",
        "partnership*",
        "solidarity",
        "bilateral",
        "multilateral",
        "dialogue",
    ),
    "human-rights": ("human rights", "fundamental freedoms", "dignity"),
    "racism": ("racis*", "xenophob*", "racial discrimination", "intolerance", "hate crime*"),
    "crime": (
        "organized crime",
        "organised crime",
        "criminal*",
        "prosecut*",
        "law enforcement",
        "money laundering",
        "impunity",
    ),
    "terrorism": ("terroris*",),
    "corruption": ("corrupt*", "uncac"),
    "drugs": ("drug", "drugs", "narcotic*", "psychotropic", "illicit crop*"),
    "health": ("health*", "medical", "hiv", "covid*", "pandemic*"),
    "education": ("educat*", "training", "school", "schools", "literacy", "awareness"),
    "climate": ("climate", "natural disaster*", "environment*"),
    "development": ("sustainable development", "2030 agenda", "poverty", "development programme*"),
    "legislation": ("legislat*", "law", "laws", "enact*", "ratif*", "accede", "accession", "legal framework*"),
    "budget": ("budget*", "funding", "financial support", "financing"),
}

_THEME_OF: dict[str, str] = {}
_IS_PREFIX: dict[str, bool] = {}
for _code, _keywords in THEME_KEYWORDS.items():
    for _keyword in _keywords:
        _word = _keyword.rstrip("*")
        _THEME_OF[_word] = _code
        _IS_PREFIX[_word] = _keyword.endswith("*")
_ORDER = {code: index for index, code in enumerate(THEME_KEYWORDS)}


def _trie_pattern(words: list[str]) -> str:
    """A regex alternation shaped like a trie, so each position tries one branch per letter."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [re.escape(char) + build(child) for char, child in sorted(node.items()) if char]
        optional = "" in node
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if optional else body

    return build(trie)


# Keyword, then the rest of the word it starts; one pass over the lower-cased text.
_KEYWORDS_RE = re.compile(r"(?<![\w-])(" + _trie_pattern(list(_THEME_OF)) + r")([\w-]*)")


def themes_for(text: str) -> list[str]:
    found: set[str] = set()
    for match in _KEYWORDS_RE.finditer(text.lower()):
        keyword, rest = match.group(1), match.group(2)
        if keyword in _THEME_OF and (not rest or _IS_PREFIX[keyword]):
            found.add(_THEME_OF[keyword])
    return sorted(found, key=_ORDER.__getitem__)
