"""Theme taxonomy: each theme is a list of keyword patterns, matched case-insensitively
on a commitment's text. A commitment may carry several themes or none; the
Secretariat corrects them in the admin. Codes are stable identifiers stored in the
database; keep them when you change keywords.
"""

from __future__ import annotations

import re

THEME_KEYWORDS: dict[str, tuple[str, ...]] = {
    "trafficking": (r"traffick\w*", r"smuggl\w*", r"slavery", r"forced labou?r"),
    "migration": (r"migra\w*", r"immigra\w*", r"emigra\w*", r"diaspora\w*", r"remittance\w*", r"people on the move"),
    "refugees": (r"refugee\w*", r"asylum", r"displace\w*", r"non-refoulement", r"statelessness"),
    "gender": (r"gender\w*", r"women", r"\bgirls?\b", r"sex-disaggregated", r"\bsexis\w*", r"female"),
    "children": (r"\bchild\w*", r"\bminors?\b", r"unaccompanied", r"adolescen\w*", r"\byouth\b"),
    "labour": (r"labou?r\b", r"\bworkers?\b", r"employment", r"decent work", r"\bILO\b", r"recruitment", r"\bjobs?\b"),
    "data": (r"\bdata\b", r"statistic\w*", r"indicators?", r"disaggregated", r"evidence base"),
    "cooperation": (r"co-?operation", r"partnerships?", r"solidarity", r"bilateral", r"multilateral", r"dialogue"),
    "human-rights": (r"human rights", r"fundamental freedoms", r"dignity"),
    "racism": (r"racis\w*", r"xenophob\w*", r"racial discrimination", r"intolerance", r"hate crimes?"),
    "crime": (
        r"organi[sz]ed crime",
        r"criminal\w*",
        r"prosecut\w*",
        r"law enforcement",
        r"money laundering",
        r"impunity",
    ),
    "terrorism": (r"terroris\w*",),
    "corruption": (r"corrupt\w*", r"\bUNCAC\b"),
    "drugs": (r"\bdrugs?\b", r"narcotic\w*", r"psychotropic", r"illicit crops?"),
    "health": (r"health", r"medical", r"\bHIV\b", r"COVID", r"pandemic"),
    "education": (r"educat\w*", r"\btraining\b", r"schools?", r"literacy", r"awareness"),
    "climate": (r"climate", r"natural disasters?", r"environment\w*"),
    "development": (r"sustainable development", r"2030 Agenda", r"poverty", r"development programmes?"),
    "legislation": (r"legislat\w*", r"\blaws?\b", r"\benact\w*", r"ratif\w*", r"accede|accession", r"legal framework"),
    "budget": (
        r"budget\w*",
        r"funding",
        r"financial support",
        r"allocat\w* (?:funds|resources|funding)",
        r"financing",
    ),
}

_THEME_PATTERNS = {
    code: re.compile("|".join(f"(?:{p})" for p in patterns), re.I) for code, patterns in THEME_KEYWORDS.items()
}


def themes_for(text: str) -> list[str]:
    return [code for code, pattern in _THEME_PATTERNS.items() if pattern.search(text)]
