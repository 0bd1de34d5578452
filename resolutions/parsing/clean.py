"""Noise removal: from text as received to clean logical lines.

What is removed, and why it is safe to remove in any resolution text:
- HTML: scripts, styles and comments with their content; other tags, keeping the text;
  entities decoded. Italic and bold tags become Markdown emphasis so one rule set
  handles both.
- Markdown: headings, emphasis, escapes, links (the text is kept), list bullets,
  horizontal rules, leading/trailing table pipes.
- Footnotes: lines that start with a footnote number (``<sup>6</sup> Resolution 217 A
  (III).``, ``¹ UNODC, ...``, ``35 Resolution 76/266, annex.``) and the markers left in
  the running text (``Rights,<sup>6</sup>``, ``Rights, 8 the``).
- Page furniture of PDF extractions: job-number footers (``23-21882 **3/14**``,
  ``2/14 23-21882``), bare page numbers, ``Page 3 of 14``.
- Site furniture of scraped pages: logo lines, download notices ("Get Acrobat Reader"),
  short navigation lines in capitals (flagged, dropped once the resolution body starts).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

LITERAL_STAR = "\u204e"  # stands for an escaped asterisk until markup is gone


@dataclass
class Line:
    text: str
    emphasis: str = ""  # leading italic/bold span, e.g. "Recalling also"
    blank_before: bool = False
    starred: bool = False  # starts with an asterisk note ("* The delegation of ...")
    heading: bool = False
    caps: bool = False  # written in capitals only (navigation menus, banner titles)
    forced_break: bool = False  # starts a paragraph even though it starts in lower case


_HTML_HINT = re.compile(
    r"<(?:p|div|br|span|sup|sub|em|strong|html|body|head|h[1-6]|li|ul|ol|table|tr|td|script|style|a|i|b)\b[^>]*>",
    re.I,
)
_DROP_BLOCKS = re.compile(r"<(script|style|head|noscript|template)\b.*?</\1\s*>|<!--.*?-->", re.I | re.S)
_BLOCK_TAGS = re.compile(
    r"<\s*(?:br|/p|p|/div|div|/li|li|/h[1-6]|h[1-6]|/tr|tr|/table|table|/section|section|"
    r"/article|article|/blockquote|blockquote|/ul|ul|/ol|ol|/header|header|/footer|footer|hr)\b[^>]*>",
    re.I,
)
_ITALIC_TAGS = re.compile(r"</?\s*(?:em|i)\s*>", re.I)
_BOLD_TAGS = re.compile(r"</?\s*(?:strong|b)\s*>", re.I)
_SUP = re.compile(r"<sup\b[^>]*>.*?</sup\s*>", re.I | re.S)
_ANY_TAG = re.compile(r"</?[A-Za-z][^<>]{0,500}>")

# A line opening with a superscript number; converters sometimes garble the opening into
# "<sup>&</sup>lt;sup>32</sup>", so anything short may stand between.
_FOOTNOTE_SUP_LINE = re.compile(r"^<sup\b[^>]*>[^\n]{0,24}?\b\d{1,3}\s*</sup>", re.I)
_FOOTNOTE_UNICODE_LINE = re.compile(r"^[¹²³⁴⁵⁶⁷⁸⁹⁰]+\s*\S")
_FOOTNOTE_PLAIN_LINE = re.compile(
    r"^\d{1,3}\s+(?:Ibid|See\b|Resolutions?\b|Official Records|United Nations|Decision\b|"
    r"[A-Z]{1,3}/[A-Z0-9.]+/|E/\d|A/\d|S/\d|CEDAW|UN Doc|Available at|https?://|www\.|Treaty Series|Report of|"
    r"General Assembly resolution|Human Rights Council resolution|Security Council resolution)"
)
_PAGE_FOOTER = re.compile(
    r"^(?:\**\d{1,4}/\d{1,4}\**\s+)?(?:GE\.)?\d{2}-\d{5}\s*(?:\([A-Z]\))?(?:\s+\d{6})?(?:\s+\**\d{1,4}/\d{1,4}\**)?\s*$"
    r"|^please recycle$"
    r"|^\**\d{1,4}/\d{1,4}\**$"
    r"|^(?:page\s+)?\d{1,4}\s+(?:of|/)\s+\d{1,4}$"
    r"|^-\s*\d{1,4}\s*-$"
    r"|^\d{1,8}$",  # page numbers, bar codes
    re.I,
)
_DOWNLOAD_NOTICE = re.compile(
    r"get (?:adobe )?acrobat|acrobat reader|you can download|download (?:the )?(?:pdf|document)", re.I
)
_FURNITURE = re.compile(
    r"\blogo\b"
    r"|^(?:home(?: page)?|back to top|top of page|print(?: this page)?|share|menu|search|skip to (?:main )?content)$"
    r"|copyright\s|©|all rights reserved|cookie",
    re.I,
)
_HR = re.compile(r"^(?:[-*_]\s*){3,}$")
_HEADING = re.compile(r"^#{1,6}\s+")
_BULLET = re.compile(r"^(?:[-+•●▪◦‣–]\s+)+")
_STAR_NOTE = re.compile(r"^(?:\\\*|\*|" + LITERAL_STAR + r")\s*(?=\S)")
_LEAD_EMPHASIS = re.compile(r"^(?:\(?\d{1,3}[.)]\s+|\([a-z]{1,5}\)\s+)?(\*{1,3}|_{1,2})(?=\S)(.+?)(?<=\S)\1(?![*_\w])")
_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_ITALIC_STAR = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])")
_ITALIC_UNDERSCORE = re.compile(r"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!$&|<>~])")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_SUPERSCRIPT_DIGITS = re.compile(r"[¹²³⁴⁵⁶⁷⁸⁹⁰]+")
_DIGITS = re.compile(r"\d+")
_NOTE_FOLLOWED_BY_WORD = re.compile(r"\s+(?:the|and|as|which|in|of|on|to|with|for|or|but|is|are|that|who)\b|\s*$")
_NOTE_GLUED_END = re.compile(r"[,;:]?\s|[,;:.]$")
_PUNCT_BEFORE_NOTE = ',;)]"”’'
# "...; and *recalling* the subsequent resolution": a semicolon followed by an emphasised
# participle is a second preambular paragraph run into the first.
_EMPHASISED_CLAUSE = re.compile(r"(?<=;)\s+(?:and\s+)?(?=(?:\*{1,2}|_)([a-z][a-z]+ing)\b[^*_]{0,40}(?:\*{1,2}|_))")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_LETTERS = re.compile(r"[^\W\d_]")


def looks_like_html(text: str) -> bool:
    return _HTML_HINT.search(text[:200000]) is not None


def _html_to_text(text: str) -> str:
    text = _DROP_BLOCKS.sub("\n", text)
    text = _BLOCK_TAGS.sub("\n", text)
    text = _ITALIC_TAGS.sub("*", text)
    return _BOLD_TAGS.sub("**", text)


def is_footnote_line(raw: str) -> bool:
    return bool(
        _FOOTNOTE_SUP_LINE.match(raw)
        or _FOOTNOTE_UNICODE_LINE.match(raw)
        or (len(raw) < 400 and _FOOTNOTE_PLAIN_LINE.match(raw))
    )


def is_page_furniture(text: str) -> bool:
    return bool(_PAGE_FOOTER.match(text))


def is_site_furniture(text: str) -> bool:
    lower = text.lower()
    if ("download" in lower or "acrobat" in lower) and _DOWNLOAD_NOTICE.search(text):
        return not text.rstrip().endswith((";", ","))
    return len(text) < 300 and _FURNITURE.search(text) is not None


def _is_caps(text: str) -> bool:
    return " " in text and text.upper() == text and len(_LETTERS.findall(text)) >= 4


def strip_markup(text: str) -> str:
    """Markdown emphasis, escapes and links removed; literal asterisks dropped."""
    if "\\" in text:
        text = text.replace("\\*", LITERAL_STAR)
    if "*" in text or "__" in text:
        text = _BOLD.sub(r"\2", text)
    if "*" in text:
        text = _ITALIC_STAR.sub(r"\1", text)
    if "_" in text:
        text = _ITALIC_UNDERSCORE.sub(r"\1", text)
    if "](" in text:
        text = _LINK.sub(r"\1", _IMAGE.sub("", text))
    if "\\" in text:
        text = _MD_ESCAPE.sub(r"\1", text)
    return text.replace("*", "").replace(LITERAL_STAR, "")


def normalize_spaces(text: str) -> str:
    if "\u2010" in text or "\u2011" in text or "\u00ad" in text:
        text = text.replace("\u2010", "-").replace("\u2011", "-").replace("\u00ad", "")
    return _SPACES.sub(" ", text).strip()


def clean_lines(text: str) -> tuple[list[Line], bool]:
    """Return clean lines and whether the text carried footnotes."""
    if looks_like_html(text):
        text = _html_to_text(text)
    lines: list[Line] = []
    has_footnotes = False
    blank = False
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped.startswith("|"):
            stripped = stripped[1:].strip()
        if stripped.endswith("|"):
            stripped = stripped[:-1].strip()
        if not stripped:
            blank = True
            continue
        if is_footnote_line(stripped):
            has_footnotes = True
            blank = True
            continue
        if "<sup" in stripped.lower():
            stripped = _SUP.sub("", stripped)
            has_footnotes = True
        if _SUPERSCRIPT_DIGITS.search(stripped):
            stripped = _SUPERSCRIPT_DIGITS.sub("", stripped)
            has_footnotes = True
        if "<" in stripped:
            stripped = _ANY_TAG.sub("", stripped)
        if "&" in stripped:
            stripped = html.unescape(stripped)
        stripped = stripped.strip()
        if not stripped or _HR.match(stripped):
            blank = True
            continue
        heading = bool(_HEADING.match(stripped))
        if heading:
            stripped = _HEADING.sub("", stripped)
        starred = False
        for _ in range(3):
            bullet = _BULLET.match(stripped)
            if bullet:
                stripped = stripped[bullet.end() :]
            note = _STAR_NOTE.match(stripped)
            if note and not _LEAD_EMPHASIS.match(stripped):
                starred = True
                stripped = stripped[note.end() :]
            if not bullet and not note:
                break
        pieces = _EMPHASISED_CLAUSE.split(stripped) if ";" in stripped else [stripped]
        # re.split returns the captured participle between pieces; keep only the text.
        parts = [(pieces[0], False)] + [(pieces[i], True) for i in range(2, len(pieces), 2)]
        for part, forced in parts:
            emphasis_match = _LEAD_EMPHASIS.match(part)
            emphasis = normalize_spaces(strip_markup(emphasis_match.group(2))) if emphasis_match else ""
            cleaned = normalize_spaces(strip_markup(part))
            if not cleaned or is_page_furniture(cleaned) or is_site_furniture(cleaned):
                blank = True
                continue
            if forced:
                cleaned = cleaned.rstrip()
            lines.append(
                Line(
                    text=cleaned,
                    emphasis=emphasis,
                    blank_before=blank or forced,
                    starred=starred and not forced,
                    heading=heading,
                    caps=_is_caps(cleaned),
                    forced_break=forced,
                )
            )
            blank = False
    if has_footnotes:
        for line in lines:
            line.text = remove_inline_note_numbers(line.text)
    return lines, has_footnotes


def remove_inline_note_numbers(text: str) -> str:
    """Drop footnote numbers left in running text ("Rights, 8 the Convention", "Punishment,9 the").

    A one- or two-digit number is a note marker when it follows punctuation (",8 the",
    ", 8 the", ". 8 The") and precedes a function word or the end of the line, or when
    it is glued to a lower-case word ("Rights6 which").
    """
    pieces: list[str] = []
    last = 0
    for match in _DIGITS.finditer(text):
        start, end = match.span()
        if end - start > 2:
            continue
        cut = None
        before = text[start - 1] if start else ""
        if before in _PUNCT_BEFORE_NOTE and _NOTE_FOLLOWED_BY_WORD.match(text, end):
            cut = start
        elif (
            before == " "
            and start >= 2
            and text[start - 2] in _PUNCT_BEFORE_NOTE + "."
            and _NOTE_FOLLOWED_BY_WORD.match(text, end)
        ):
            cut = start - 1
        elif (
            start >= 3
            and text[start - 3 : start].isalpha()
            and text[start - 3 : start].islower()
            and _NOTE_GLUED_END.match(text, end)
        ):
            cut = start
        if cut is not None:
            pieces.append(text[last:cut])
            last = end
    if not pieces:
        return text
    pieces.append(text[last:])
    return _SPACES.sub(" ", "".join(pieces)).strip()
