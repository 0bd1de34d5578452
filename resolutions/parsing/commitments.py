"""What an operative paragraph asks, and of whom.

- The verb phrase is the opening of the paragraph as printed: leading adverbs
  ("Also", "Further", "Strongly"), the verb, trailing adverbs ("Reaffirms
  emphatically") and the particle the verb takes ("Calls upon", "Takes note");
  the object is dropped ("Reaffirms its commitment to ..." gives "Reaffirms").
- Addressees are read from the object of each action verb in the paragraph (the
  opening verb and any later "and urges ...", "; invites ..."), not from every
  mention: in "Requests that the IPU Secretary General transmit the present resolution
  to the IPU Member Parliaments" the object is the Secretary General, so parliaments
  are not asked to act.
- The object is the noun phrase right after the verb (or after "that"), up to the
  first word that cannot belong to it: "to" of an infinitive, a verb, "that", a comma
  opening an aside ("parliaments, in cooperation with their governments, to ...").
"""

from __future__ import annotations

import re

from .lexicon import PARTICLES, TRAILING_ADVERBS, is_adverb

_WORD = re.compile(r"[\w'’\-]+|[,;:()]")

_NP_FUNCTION_WORDS = frozenset(
    """the a an all any each every its their his her our those these such both other others
    relevant respective concerned competent national international regional sub-regional
    local member members developed developing donor destination origin transit key
    interested individual appropriate whole entire and or as well of in around within
    world concerned various further also""".split()
)
_NP_NOUNS = frozenset(
    """parliaments parliament parliamentarians legislatures legislature governments government
    states state countries country organizations organisations organization organisation
    institutions institution society sector agencies agency entities entity authorities
    bodies body system partners stakeholders community communities donors assemblies
    ministries actors groups officials secretariat leaders speakers presidents committees
    ngos networks media""".split()
)
_ADJECTIVE_SUFFIXES = ("al", "ary", "ic", "ian", "ed")
_NP_ADJECTIVES = frozenset({"civil", "private", "public", "non-governmental", "inter-parliamentary", "multilateral"})
_NP_STOP_WORDS = frozenset({"to", "that", "which", "who", "whose", "for", "from"})

_ADDRESSEE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("parliaments", re.compile(r"\bparliament(?:s|arians)?\b|\blegislatures?\b|\bnational assemblies\b", re.I)),
    ("governments", re.compile(r"\bgovernments?\b", re.I)),
    ("states", re.compile(r"\bStates?\b|\bcountries\b|\bcountry\b")),
    ("ipu", re.compile(r"\bIPU\b(?!\s+Member\s+(?:Parliaments|States))|Inter-Parliamentary Union")),
    ("secretary-general", re.compile(r"(?<!IPU )Secretary-General")),
    ("un", re.compile(r"\bUnited Nations\b(?!\s+Member\s+States)|\bUN\b(?!\s+Member\s+States)")),
    (
        "international-organizations",
        re.compile(
            r"international organi[sz]ations|inter-parliamentary organi[sz]ations|multilateral institutions"
            r"|regional organi[sz]ations|international community|agencies",
            re.I,
        ),
    ),
    ("civil-society", re.compile(r"civil society|non-governmental|\bNGOs?\b", re.I)),
    ("private-sector", re.compile(r"private sector|business", re.I)),
)
_OTHER_HINT = re.compile(
    r"\b(?:entities|authorities|bodies|actors|stakeholders|officials|Rapporteur|Chair|Committee|Council|"
    r"Commission|Office|High Commissioner|Special)\b"
)

_SECONDARY_VERB = re.compile(
    r"\b(?:urges|calls\s+(?:upon|on)|invites|encourages|requests|asks|appeals\s+to|exhorts|recommends|reminds)\s+"
)


def verb_phrase(text: str) -> tuple[str | None, int]:
    """The opening phrase and the character offset where its object starts."""
    matches = list(_WORD.finditer(text[:160]))
    words = [m.group(0) for m in matches]
    if not words or not words[0][:1].isalpha():
        return None, 0
    index = 0
    while index < min(3, len(words) - 1) and is_adverb(words[index]) and words[index + 1][:1].isalpha():
        index += 1
    verb = words[index].lower()
    if not words[index][:1].isalpha():
        return None, 0
    end = index + 1
    while end < len(words) and (words[end].lower() in TRAILING_ADVERBS or is_adverb(words[end])):
        end += 1
    for particle in PARTICLES.get(verb, ()):
        parts = particle.split()
        if [w.lower() for w in words[end : end + len(parts)]] == parts:
            end += len(parts)
            break
    phrase = " ".join(words[:end])
    offset = matches[end - 1].end()
    return phrase, offset


def _np_word(token: str) -> bool:
    lower = token.lower()
    return (
        token[:1].isupper()
        or lower in _NP_FUNCTION_WORDS
        or lower in _NP_NOUNS
        or (lower.endswith(_ADJECTIVE_SUFFIXES) and "-" in lower)
        or lower in _NP_ADJECTIVES
    )


def _list_continues(tokens: list[str], start: int) -> bool:
    """After a comma: does a further addressee follow ("States, relevant organizations and ...")?"""
    seen_noun = False
    for token in tokens[start : start + 8]:
        lower = token.lower()
        if token in {",", ";", ":", "(", ")"} or lower in _NP_STOP_WORDS:
            break
        if not _np_word(token):
            return False
        seen_noun = seen_noun or lower in _NP_NOUNS or token[:1].isupper()
    return seen_noun


def _noun_phrase(text: str) -> str:
    """Words of the object noun phrase at the start of ``text``."""
    tokens = _WORD.findall(text[:250])
    kept: list[str] = []
    i = 1 if tokens and tokens[0].lower() == "that" else 0
    while i < len(tokens):
        token = tokens[i]
        lower = token.lower()
        if token in {","}:
            if kept and _list_continues(tokens, i + 1):
                kept.append(token)
                i += 1
                continue
            break
        if token in {";", ":", "(", ")"} or lower in _NP_STOP_WORDS:
            break
        if lower == "as" and [t.lower() for t in tokens[i : i + 3]] == ["as", "well", "as"]:
            kept.extend(tokens[i : i + 3])
            i += 3
            continue
        if _np_word(token):
            kept.append(token)
            i += 1
            continue
        break
    return " ".join(kept)


def _heads(noun_phrase: str) -> str:
    """Drop modifiers introduced by "of" ("the governments of developed countries")."""
    pieces = re.split(r"\b(and|or|,)\b", noun_phrase)
    heads = []
    for piece in pieces:
        heads.append(re.split(r"\bof\b", piece, maxsplit=1)[0])
    return " ".join(heads)


def classify_addressees(noun_phrase: str) -> list[str]:
    if not noun_phrase.strip():
        return []
    heads = _heads(noun_phrase)
    codes = [code for code, pattern in _ADDRESSEE_PATTERNS if pattern.search(heads)]
    if not codes and _OTHER_HINT.search(noun_phrase):
        codes.append("other")
    return codes


def addressees_of(text: str, object_offset: int) -> list[str]:
    """Addressees of the opening verb and of any later action verb in the paragraph."""
    found: list[str] = []
    for code in classify_addressees(_noun_phrase(text[object_offset:])):
        if code not in found:
            found.append(code)
    for match in _SECONDARY_VERB.finditer(text, object_offset):
        for code in classify_addressees(_noun_phrase(text[match.end() :])):
            if code not in found:
                found.append(code)
    return found
