"""The interface in French: a complete catalogue, the language switch, and no English left on the pages.

The French catalogue is ``locale/fr/LC_MESSAGES/django.po``, compiled to ``django.mo`` beside it
(both are kept in the repository). Templates may show no words outside the translation tags.
The page checks render the main pages in French and look for any catalogue source text still
shown in English, so a string left out of ``{% translate %}`` or ``gettext`` (or a catalogue not
recompiled) fails here.
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import dateformat, timezone, translation

from reporting.models import ReportingCycle
from resolutions.models import Addressee, Commitment
from tests.factories import AssemblyFactory, CommitmentFactory, DocumentFactory, ParagraphFactory, UserFactory
from tests.reporting.factories import advance_report, build_world

PO_PATH = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr"}


# A tiny .po reader ---------------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0


_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")\s*$")


def read_po(path: Path) -> list[Entry]:
    """Every entry of a .po file, the header (empty msgid) included; obsolete (#~) entries left out."""
    entries: list[Entry] = []
    fields: dict[str, str] = {}
    flags: set[str] = set()
    current: str | None = None
    start = 0

    def close() -> None:
        nonlocal fields, flags, current
        if "msgid" in fields:
            entry = Entry(
                msgid=fields["msgid"],
                msgctxt=fields.get("msgctxt"),
                msgid_plural=fields.get("msgid_plural"),
                flags=flags,
                line=start,
            )
            for key, value in fields.items():
                if key == "msgstr":
                    entry.msgstr[0] = value
                elif key.startswith("msgstr["):
                    entry.msgstr[int(key[7:-1])] = value
            entries.append(entry)
        fields, flags, current = {}, set(), None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            close()
        elif line.startswith("#,"):
            flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            assert current is not None, f"{path}:{number}: continuation line without a keyword"
            fields[current] += ast.literal_eval(line)
        else:
            match = _KEYWORD.match(line)
            assert match, f"{path}:{number}: cannot read {raw!r}"
            if match.group(1) in ("msgctxt", "msgid") and "msgstr" in fields and match.group(1) in fields:
                close()
            if not fields:
                start = number
            current = match.group(1)
            fields[current] = ast.literal_eval(match.group(3))
    close()
    return entries


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    return read_po(PO_PATH)


def test_french_catalogue_has_no_untranslated_or_fuzzy_entry(catalogue):
    assert len(catalogue) > 100
    fuzzy = [f"line {e.line}: {e.msgid or '(header)'}" for e in catalogue if "fuzzy" in e.flags]
    assert not fuzzy, "fuzzy entries (check the translation, then remove the flag):\n" + "\n".join(fuzzy)
    untranslated = [
        f"line {e.line}: {e.msgid}"
        for e in catalogue
        if e.msgid and (not e.msgstr or any(not text for text in e.msgstr.values()))
    ]
    assert not untranslated, "untranslated entries:\n" + "\n".join(untranslated)
    plurals = [e for e in catalogue if e.msgid_plural]
    assert plurals and all(set(e.msgstr) == {0, 1} for e in plurals)


def test_french_catalogue_keeps_the_placeholders(catalogue):
    placeholder = re.compile(r"%\([a-z_]+\)[-#0 +]*\d*(?:\.\d+)?[sdfr]|%%")
    for entry in catalogue:
        if not entry.msgid or "python-format" not in entry.flags:
            continue
        wanted = sorted(set(placeholder.findall(entry.msgid)))
        for text in entry.msgstr.values():
            assert sorted(set(placeholder.findall(text))) == wanted, entry.msgid


def test_compiled_catalogue_matches_the_po_file(catalogue):
    """The committed .mo is the .po compiled: nobody needs a build step, and nothing is stale."""
    assert MO_PATH.is_file(), "run: python manage.py compilemessages --ignore=.venv"
    with MO_PATH.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in catalogue:
        if not entry.msgid:
            continue
        ctx = entry.msgctxt
        if entry.msgid_plural:
            # French: singular for 0 and 1, plural from 2.
            for count, index in ((1, 0), (2, 1)):
                compiled_text = (
                    compiled.npgettext(ctx, entry.msgid, entry.msgid_plural, count)
                    if ctx is not None
                    else compiled.ngettext(entry.msgid, entry.msgid_plural, count)
                )
                assert compiled_text == entry.msgstr[index], f"{entry.msgid!r}: recompile the catalogue"
        else:
            compiled_text = compiled.pgettext(ctx, entry.msgid) if ctx is not None else compiled.gettext(entry.msgid)
            assert compiled_text == entry.msgstr[0], f"{entry.msgid!r}: recompile the catalogue"


# Templates: no text outside the translation tags ----------------------------------------------

TEMPLATES_DIR = Path(settings.BASE_DIR) / "templates"
_BLOCKTRANSLATE = re.compile(r"{%\s*blocktrans(?:late)?\b.*?{%\s*endblocktrans(?:late)?\s*%}", re.DOTALL)
_COMMENT = re.compile(r"{#.*?#}|{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.DOTALL)
_TEMPLATE_CODE = re.compile(r"{%.*?%}|{{.*?}}", re.DOTALL)
_SCRIPT = re.compile(r"<(script|style)\b.*?</\1>", re.DOTALL)
_HTML_TAG = re.compile(r"<[^>]*>", re.DOTALL)
_READ_ATTRIBUTE = re.compile(r'\b(?:title|aria-label|placeholder|alt)="([^"]*)"')
_WORD = re.compile(r"[A-Za-z][A-Za-z']+")


def unmarked_words(source: str) -> list[str]:
    """Words a template shows (text, or attributes people read or hear) outside translation tags."""
    source = _BLOCKTRANSLATE.sub(" ", _COMMENT.sub(" ", source))
    attributes = [_TEMPLATE_CODE.sub(" ", value) for value in _READ_ATTRIBUTE.findall(source)]
    text = _HTML_TAG.sub(" ", _SCRIPT.sub(" ", _TEMPLATE_CODE.sub(" ", source)))
    return _WORD.findall(text) + [word for value in attributes for word in _WORD.findall(value)]


def test_unmarked_words_are_found():
    assert unmarked_words('<p title="Due">Hello {% translate "Hi" %} {{ name }}</p>') == ["Hello", "Due"]
    assert unmarked_words("{% blocktranslate %}Hello {{ x }}{% endblocktranslate %} <b>·</b>") == []


@pytest.mark.parametrize(
    "template",
    sorted(str(p.relative_to(TEMPLATES_DIR)) for p in TEMPLATES_DIR.rglob("*") if p.suffix in {".html", ".txt"}),
)
def test_template_text_is_marked_for_translation(template):
    assert unmarked_words((TEMPLATES_DIR / template).read_text(encoding="utf-8")) == []


# Pages in French ---------------------------------------------------------------------------


@pytest.fixture
def resolution():
    assembly = AssemblyFactory(number=149, city="Geneva")
    document = DocumentFactory(
        title="Parliamentary action on climate change",
        assembly_number=147,
        deadline_phrase="by the 149th Assembly",
        deadline_assembly=assembly,
        deadline_date=timezone.localdate() + timedelta(days=200),
    )
    ParagraphFactory(document=document, kind="preambular", position=1, opening_phrase="Recalling", text="Recalling X.")
    paragraph = ParagraphFactory(document=document, position=1, opening_phrase="Requests", text="Requests Y.")
    # Imported data keeps the wording of the text; a neutral verb keeps it apart from interface words.
    CommitmentFactory(paragraph=paragraph, verb="Requests")
    return document


@pytest.mark.django_db
def test_home_page_in_french_from_the_browser_language(client, resolution):
    html = client.get(reverse("home"), **FRENCH).content.decode()
    assert '<html lang="fr">' in html
    assert "Suivi des résolutions de l'UIP" in html
    assert "Parcourir les résolutions" in html
    assert "Dernières résolutions" in html
    assert "1 engagement pour les parlements" in html
    assert "Browse resolutions" not in html and "Latest resolutions" not in html


@pytest.mark.django_db
def test_english_stays_the_default(client, resolution):
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in html
    assert "Browse resolutions" in html
    assert "Parcourir les résolutions" not in html


@pytest.mark.django_db
def test_resolution_list_and_detail_in_french(client, resolution):
    html = client.get(reverse("resolutions:list"), **FRENCH).content.decode()
    assert "Échéance de présentation des rapports" in html
    assert "Filtrer les résolutions" in html
    assert "147e Assemblée" in html.replace("<sup>", "").replace("</sup>", "")
    with translation.override("fr"):  # short dates spell the month the French way ("juin", "juil.")
        assert dateformat.format(resolution.deadline_date, "j N Y") in html
    assert "Reporting deadline" not in html and "Title contains" not in html

    html = client.get(resolution.get_absolute_url(), **FRENCH).content.decode()
    assert "Paragraphes du dispositif" in html
    assert "1 alinéa du préambule" in html
    assert "149e Assemblée, Geneva" in html  # the Assembly's own name, in French
    assert "Operative paragraphs" not in html and "149th Assembly, Geneva" not in html


@pytest.mark.django_db
def test_login_page_in_french(client):
    html = client.get(reverse("login"), **FRENCH).content.decode()
    assert "Se connecter" in html
    assert "Mot de passe oublié" in html
    assert "Mot de passe" in html  # Django's own form labels follow the same language
    assert "Forgot your password?" not in html and ">Log in<" not in html


@pytest.mark.django_db
def test_password_reset_email_in_french(client):
    UserFactory(username="focal", email="focal@example.org")
    client.post(reverse("password_reset"), {"email": "focal@example.org"}, **FRENCH)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Réinitialisation de votre mot de passe pour l'outil de suivi des résolutions de l'UIP"
    assert "Votre nom d'utilisateur" in message.body and "focal" in message.body


@pytest.mark.django_db
def test_language_switcher_posts_to_set_language_and_sticks(client, resolution):
    home = client.get(reverse("home")).content.decode()
    assert f'action="{reverse("set_language")}"' in home
    assert 'value="fr" lang="fr"' in home and ">Français</button>" in home and ">English</button>" in home

    target = reverse("resolutions:list")
    response = client.post(reverse("set_language"), {"language": "fr", "next": target})
    assert response.status_code == 302 and response["Location"] == target
    html = client.get(target).content.decode()  # no Accept-Language: the cookie decides
    assert '<html lang="fr">' in html and "Résolutions" in html

    client.post(reverse("set_language"), {"language": "en", "next": target})
    assert '<html lang="en">' in client.get(target).content.decode()


@pytest.mark.django_db
def test_report_page_in_french(client):
    world = build_world(commitments=2)
    client.force_login(world.reporter_a)
    html = client.get(world.report_a.get_absolute_url(), **FRENCH).content.decode()
    assert "Brouillon" in html
    assert "Modifier les réponses" in html
    assert "Date d'échéance" in html or "Date d&#x27;échéance" in html
    assert "0 sur 2 avec réponse" in html
    assert "Pas encore de réponse" in html
    assert "Edit the answers" not in html and "Not answered yet" not in html

    advance_report(world.report_a, "returned", approver=world.approver_a, reviewer=world.reviewer)
    html = client.get(world.report_a.get_absolute_url(), **FRENCH).content.decode()
    assert "Renvoyé pour modification" in html
    assert "Returned for changes" not in html


# No English left: every catalogue source text that reads differently in French -----------------

# Inline elements do not break a sentence; block elements and line breaks do.
_INLINE = {"a", "abbr", "b", "code", "em", "i", "small", "span", "strong", "sup", "time"}
_SHOWN_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}


class _VisibleText(HTMLParser):
    """Runs of visible text (split at block boundaries) and the attribute values people read or hear."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.runs: list[str] = []
        self._run: list[str] = []
        self._hidden = 0

    def _flush(self) -> None:
        text = " ".join("".join(self._run).split())
        if text:
            self.runs.append(text)
        self._run = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        if tag not in _INLINE:
            self._flush()
        for name, value in attrs:
            if name in _SHOWN_ATTRIBUTES and value and value.strip():
                self.runs.append(" ".join(value.split()))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden -= 1
        if tag not in _INLINE:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self._run.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def visible_text(html: str) -> list[str]:
    # The switcher names each language in that language, on purpose.
    html = re.sub(r'<form[^>]*class="language-switcher.*?</form>', "", html, flags=re.DOTALL)
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return parser.runs


@dataclass
class EnglishLeft:
    exact: set[str]
    patterns: list[re.Pattern[str]]

    def find(self, runs: list[str]) -> list[str]:
        found = []
        for run in runs:
            if run in self.exact or any(pattern.search(run) for pattern in self.patterns):
                found.append(run)
        return found


@pytest.fixture(scope="module")
def english_left(catalogue) -> EnglishLeft:
    """Source texts whose French differs, as exact runs and, for long sentences, as patterns."""
    exact: set[str] = set()
    patterns: list[re.Pattern[str]] = []
    for entry in catalogue:
        if not entry.msgid or "<" in entry.msgid:
            continue
        for english, french in ((entry.msgid, entry.msgstr.get(0)), (entry.msgid_plural, entry.msgstr.get(1))):
            if not english or english == french:
                continue
            pieces = re.split(r"%\([a-z_]+\)[-#0 +]*\d*(?:\.\d+)?[sdfr]", english)
            if len(pieces) == 1:
                exact.add(" ".join(english.split()))
                continue
            literal_words = sum(len(piece.split()) for piece in pieces)
            if literal_words >= 3:
                regex = r"\S*?.*?".join(re.escape(" ".join(piece.split())) for piece in pieces)
                patterns.append(re.compile(regex))
    return EnglishLeft(exact=exact, patterns=patterns)


@pytest.fixture
def french_pages(client, resolution) -> dict[str, str]:
    """The main pages as each kind of user sees them, rendered in French."""
    world = build_world(commitments=2)
    # Imported and generated data keep the language they were written in; keep them neutral here.
    Commitment.objects.update(verb="Requests")
    Addressee.objects.filter(code="parliaments").update(label="Parlements")
    ReportingCycle.objects.filter(pk=world.cycle.pk).update(title="Cycle 2030")
    advance_report(world.report_b, "submitted", approver=world.approver_b, reviewer=world.reviewer)

    pages: dict[str, str] = {}

    def grab(name: str, url: str, user=None, status: int = 200) -> None:
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.get(url, **FRENCH)
        assert response.status_code == status, f"{name}: {response.status_code}"
        pages[name] = response.content.decode()

    grab("home", reverse("home"))
    grab("resolution list", reverse("resolutions:list"))
    grab("resolution detail", resolution.get_absolute_url())
    grab("login", reverse("login"))
    grab("password reset", reverse("password_reset"))
    grab("not found", "/no-such-page/", status=404)
    grab("my reports", reverse("reporting:my_reports"), world.reporter_a)
    grab("report (parliament)", world.report_a.get_absolute_url(), world.approver_a)
    grab("report form", reverse("reporting:report_edit", args=[world.report_a.pk]), world.approver_a)
    grab("review queue", reverse("reporting:review_queue"), world.reviewer)
    grab("report (review)", world.report_b.get_absolute_url(), world.reviewer)
    grab("cycle list", reverse("reporting:cycle_list"), world.admin)
    grab("cycle detail", world.cycle.get_absolute_url(), world.admin)
    grab("cycle form", reverse("reporting:cycle_create"), world.admin)
    grab("cycle form, step 2", f"{reverse('reporting:cycle_create')}?resolution={resolution.pk}", world.admin)
    grab("extension form", reverse("reporting:extension_create", args=[world.cycle.pk]), world.admin)
    grab("import form", reverse("resolutions:import"), world.admin)
    return pages


@pytest.mark.django_db
def test_pages_in_french_show_no_english_interface_text(french_pages, english_left):
    problems = []
    for name, html in french_pages.items():
        assert '<html lang="fr">' in html, name
        problems += [f"{name}: {run!r}" for run in english_left.find(visible_text(html))]
    assert not problems, "English text on French pages:\n" + "\n".join(problems)


# Phrases of the pages that must not reach a French reader, whatever the catalogue says.
ENGLISH_ONLY = [
    "Log in",
    "Log out",
    "Skip to main content",
    "Resolutions",
    "My reports",
    "Review queue",
    "Reporting deadline",
    "Due date",
    "Progress",
    "Answers",
    "History",
    "Save draft",
    "Submit to the IPU",
    "Accept",
    "Return for changes",
    "Parliaments asked",
    "Grant an extension",
    "Open a reporting cycle",
    "Import a resolution",
    "Page not found",
    "Username",
    "Password",
]


@pytest.mark.django_db
def test_known_english_phrases_are_absent_in_french(french_pages):
    for name, html in french_pages.items():
        runs = visible_text(html)
        for phrase in ENGLISH_ONLY:
            assert phrase not in runs, f"{name}: {phrase!r}"
