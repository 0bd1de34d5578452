"""Resolution pages: who may open them, what they show, how many queries they cost, the import."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from resolutions.models import Addressee, Document, DocumentReference, Paragraph, Reservation, Theme
from resolutions.views import STAGING_DIR, STAGING_SESSION_KEY
from tests.factories import AssemblyFactory, CommitmentFactory, DocumentFactory, ParagraphFactory, UserFactory
from tracker.models import User

pytestmark = pytest.mark.django_db

SEEDS = Path(__file__).resolve().parents[2] / "resolutions" / "fixtures" / "seeds"

# ---------------------------------------------------------------- builders


def _lookup(model: type[Addressee] | type[Theme], code: str, label: str) -> Addressee | Theme:
    return model.objects.get_or_create(code=code, defaults={"label": label})[0]


def build_document(
    operative: int, *, preamble: int = 2, subparagraphs: int = 0, extra_reservations: bool = False, **fields
) -> Document:
    """A resolution with commitments, addressees, themes, reservations, a deadline and references."""
    fields.setdefault("assembly_number", 145)
    fields.setdefault("place", "Kigali")
    fields.setdefault("adopted", date(2022, 10, 15))
    document = DocumentFactory(
        deadline_phrase="by the 149th Assembly",
        deadline_assembly=AssemblyFactory(number=149, start_date=date(2024, 10, 13)),
        deadline_date=date(2024, 10, 13),
        **fields,
    )
    parliaments = _lookup(Addressee, "parliaments", "Parliaments")
    governments = _lookup(Addressee, "governments", "Governments")
    migration = _lookup(Theme, "migration", "Migration")
    gender = _lookup(Theme, "gender", "Gender")

    preambular = [
        ParagraphFactory(
            document=document,
            kind=Paragraph.Kind.PREAMBULAR,
            position=i,
            number=None,
            opening_phrase="Recalling",
            text=f"Recalling preambular text {i},",
        )
        for i in range(1, preamble + 1)
    ]
    ops = []
    for i in range(1, operative + 1):
        paragraph = ParagraphFactory(
            document=document,
            position=i,
            number=i,
            opening_phrase="Calls upon",
            text=f"Calls upon parliaments to act on operative matter {i};",
        )
        ops.append(paragraph)
        commitment = CommitmentFactory(paragraph=paragraph, strength=i % 6)
        commitment.addressees.add(parliaments, governments)
        commitment.themes.add(migration, gender)
        for j in range(subparagraphs):
            letter = chr(ord("a") + j)
            sub = ParagraphFactory(
                document=document,
                position=j + 1,
                number=None,
                parent=paragraph,
                letter=letter,
                opening_phrase="",
                text=f"sub-item {i}{letter};",
            )
            sub_commitment = CommitmentFactory(paragraph=sub, addresses_parliaments=False, parliaments_report=False)
            sub_commitment.addressees.add(governments)
            sub_commitment.themes.add(migration)

    def reserve(who: str, on: str, *paragraphs: Paragraph, **flags: bool) -> None:
        reservation = Reservation.objects.create(
            document=document, delegation=who, on=on, position=Reservation.objects.count(), **flags
        )
        reservation.paragraphs.add(*paragraphs)

    if len(ops) >= 2:
        reserve("Czech Republic", "operative paragraph 2", ops[1])
    if preambular:
        reserve("India", "preambular paragraph 1", preambular[0])
    reserve("Hungary", "the entire resolution", entire=True)
    reserve("Russian Federation", "opposition to the resolution", entire=True, opposition=True)
    if extra_reservations:
        for paragraph in ops[4::5]:
            reserve(f"Delegation {paragraph.position}", f"operative paragraph {paragraph.position}", paragraph)
            subs = list(paragraph.subparagraphs.all())
            if subs:
                reserve(f"Sub delegation {paragraph.position}", "sub-paragraph (a)", subs[0])

    if ops:
        document.deadline_paragraph = ops[-1]
        document.save(update_fields=["deadline_paragraph"])
    earlier = DocumentFactory(title="Migrant workers, people trafficking", assembly_number=118)
    DocumentReference.objects.create(
        document=document,
        phrase="adopted at the 118th Assembly",
        title=earlier.title,
        assembly_number=118,
        target=earlier,
    )
    DocumentReference.objects.create(
        document=document,
        phrase="adopted at the 139th Assembly",
        title="Inter-parliamentary cooperation",
        assembly_number=139,
    )
    DocumentFactory(kind=Document.Kind.BACKGROUND_NOTE, title=f"Note on {document.title}", related_to=document)
    return document


def _between(html: str, start_marker: str, end_marker: str | None) -> str:
    start = html.index(start_marker)
    end = html.index(end_marker, start + 1) if end_marker else len(html)
    return html[start:end]


def _user(kind: str) -> User | None:
    if kind == "anonymous":
        return None
    if kind == "superuser":
        return UserFactory(username="root", is_superuser=True, is_staff=True)
    # Staff flags as load_demo sets them: the Secretariat has it, parliaments do not.
    return UserFactory(username=f"u-{kind}", role=kind, is_staff=kind in {"reviewer", "secretariat_admin"})


# ---------------------------------------------------------------- permission matrix

KINDS = ["anonymous", "reporter", "approver", "reviewer", "secretariat_admin", "group_chair", "superuser"]
MATRIX = {
    #                   list  detail import admin
    "anonymous": (200, 200, 302, 302),
    "reporter": (200, 200, 403, 302),
    "approver": (200, 200, 403, 302),
    "reviewer": (200, 200, 403, 200),
    "secretariat_admin": (200, 200, 200, 200),
    "group_chair": (200, 200, 403, 302),
    "superuser": (200, 200, 200, 200),
}


@pytest.mark.parametrize("kind", KINDS)
def test_permission_matrix(client, kind):
    document = build_document(2)
    user = _user(kind)
    if user is not None:
        client.force_login(user)
    urls = [
        reverse("resolutions:list"),
        reverse("resolutions:detail", args=[document.pk]),
        reverse("resolutions:import"),
        reverse("admin:resolutions_commitment_changelist"),
    ]
    assert tuple(client.get(url).status_code for url in urls) == MATRIX[kind]


def test_visitors_go_to_login_for_import(client):
    response = client.get(reverse("resolutions:import"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('resolutions:import')}"


@pytest.mark.parametrize("kind", ["anonymous", "reviewer", "reporter"])
def test_publish_and_cancel_are_guarded(client, kind):
    user = _user(kind)
    if user is not None:
        client.force_login(user)
    expected = 302 if user is None else 403
    assert client.post(reverse("resolutions:import_publish")).status_code == expected
    assert client.post(reverse("resolutions:import_cancel")).status_code == expected


def test_missing_document_is_404(client):
    assert client.get(reverse("resolutions:detail", args=[999999])).status_code == 404


# ---------------------------------------------------------------- detail page


def test_detail_shows_paragraphs_reservations_and_deadline(client):
    document = build_document(3, subparagraphs=2, title="Parliamentary impetus to local development")
    html = client.get(reverse("resolutions:detail", args=[document.pk])).content.decode()

    assert "Parliamentary impetus to local development" in html
    assert "145th Assembly" in html and "Kigali" in html and "15 October 2022" in html
    for i in (1, 2, 3):
        assert f"parliaments to act on operative matter {i};" in html
    assert "sub-item 1a;" in html and "sub-item 3b;" in html
    assert '<em class="opening">Recalling</em> preambular text 1,' in html
    assert '<em class="opening">Calls upon</em> parliaments to act' in html

    # A reservation sits beside the paragraph it names, and only there.
    assert "Czech Republic" in _between(html, 'id="op-2"', 'id="op-3"')
    assert "Czech Republic" not in _between(html, 'id="op-1"', 'id="op-2"')
    assert "Czech Republic" not in _between(html, 'id="op-3"', 'id="references-title"')
    assert "India" in _between(html, 'id="pp-1"', 'id="pp-2"')
    # Reservations on the whole text are in the box at the top.
    top = _between(html, "document-reservations", 'id="preamble-title"')
    assert "Hungary" in top and "entire resolution" in top
    assert "Russian Federation" in top and "opposition to the resolution" in top
    assert "Czech Republic" not in top

    deadline = _between(html, 'id="deadline-title"', "</section>")
    assert "13 October 2024" in deadline
    assert "by the 149th Assembly" in deadline
    assert "149th Assembly" in deadline
    assert 'href="#op-3"' in deadline

    assert "addressee-parliament" in html and "Governments" in html
    assert "#Migration" in html
    assert "Parliaments report on this" in html
    assert "strength-3" in html

    # Earlier resolutions: linked when imported, plain text otherwise.
    earlier = DocumentReference.objects.get(document=document, target__isnull=False).target
    assert f'href="{earlier.get_absolute_url()}"' in html
    assert "Inter-parliamentary cooperation" in html
    note = document.background_documents.get()
    assert f'href="{note.get_absolute_url()}"' in html


def test_untitled_document_uses_fallback_title(client):
    document = build_document(1, title="", assembly_number=122)
    html = client.get(reverse("resolutions:detail", args=[document.pk])).content.decode()
    assert document.display_title in html
    assert "122" in document.display_title


def test_background_note_shows_questions_and_its_resolution(client):
    resolution = DocumentFactory(title="Protection of migrants")
    note = DocumentFactory(
        kind=Document.Kind.BACKGROUND_NOTE,
        title="Gender and migration",
        symbol="FEM/34/4.Inf-1",
        related_to=resolution,
        guiding_questions=["How can parliaments protect migrant women?", "What data is missing?"],
    )
    html = client.get(reverse("resolutions:detail", args=[note.pk])).content.decode()
    assert "How can parliaments protect migrant women?" in html
    assert "What data is missing?" in html
    assert f'href="{resolution.get_absolute_url()}"' in html
    resolution_html = client.get(reverse("resolutions:detail", args=[resolution.pk])).content.decode()
    assert f'href="{note.get_absolute_url()}"' in resolution_html


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


DETAIL_MAX_QUERIES = 10


@pytest.mark.parametrize("signed_in", [False, True])
def test_detail_query_count_does_not_grow_with_paragraphs(client, django_assert_max_num_queries, signed_in):
    if signed_in:
        client.force_login(_user("reviewer"))
    small = build_document(3)
    large = build_document(40, preamble=25, subparagraphs=3, extra_reservations=True, title="Large")
    assert Paragraph.objects.filter(document=large).count() == 40 + 25 + 120

    with django_assert_max_num_queries(DETAIL_MAX_QUERIES):
        client.get(reverse("resolutions:detail", args=[small.pk]))
    with django_assert_max_num_queries(DETAIL_MAX_QUERIES):
        response = client.get(reverse("resolutions:detail", args=[large.pk]))
    assert "sub-item 40c;" in response.content.decode()
    assert _queries(client, reverse("resolutions:detail", args=[small.pk])) == _queries(
        client, reverse("resolutions:detail", args=[large.pk])
    )


# ---------------------------------------------------------------- list page

LIST_MAX_QUERIES = 5


def test_list_shows_counts_and_metadata(client):
    document = build_document(3, subparagraphs=2, title="Trafficking and migration")
    html = client.get(reverse("resolutions:list")).content.decode()
    row = _between(html, f'href="{document.get_absolute_url()}"', "</tr>")
    assert "Trafficking and migration" in row
    # 3 operative paragraphs (sub-paragraphs are not counted); 3 commitments ask parliaments.
    assert re.findall(r'<td class="text-end">(\d+)</td>', row) == ["3", "3"]
    assert "145th Assembly" in row and "Kigali" in row
    assert "13 Oct 2024" in row


def test_list_query_count_does_not_grow(client, django_assert_max_num_queries):
    build_document(3)
    with django_assert_max_num_queries(LIST_MAX_QUERIES):
        client.get(reverse("resolutions:list"))
    small = _queries(client, reverse("resolutions:list"))
    for n in range(30):
        build_document(4, preamble=1, subparagraphs=1, title=f"Extra {n}", body=f"Body {n % 3}")
    with django_assert_max_num_queries(LIST_MAX_QUERIES):
        client.get(reverse("resolutions:list"))
    assert _queries(client, reverse("resolutions:list")) == small


def test_list_filters_and_search(client):
    DocumentFactory(title="Migrant workers", body="IPU Assembly")
    DocumentFactory(title="Protection of migrants", body="UN General Assembly, Third Committee")
    DocumentFactory(title="Gender note", body="IPU Assembly", kind=Document.Kind.BACKGROUND_NOTE)

    def titles(**params) -> set[str]:
        response = client.get(reverse("resolutions:list"), params)
        return {d.title for d in response.context["documents"]}

    assert titles() == {"Migrant workers", "Protection of migrants", "Gender note"}
    assert titles(kind="background note") == {"Gender note"}
    assert titles(body="IPU Assembly") == {"Migrant workers", "Gender note"}
    assert titles(q="MIGRANT") == {"Migrant workers", "Protection of migrants"}
    assert titles(q="migrant", body="IPU Assembly", kind="resolution") == {"Migrant workers"}
    # An unknown choice is a form error, not a crash; the list is then unfiltered.
    assert client.get(reverse("resolutions:list"), {"kind": "nonsense"}).status_code == 200


def test_list_is_paginated_by_25(client):
    DocumentFactory.create_batch(30, body="IPU Assembly")
    first = client.get(reverse("resolutions:list"), {"body": "IPU Assembly"})
    assert len(first.context["documents"]) == 25
    html = first.content.decode()
    assert "body=IPU+Assembly&amp;page=2" in html
    second = client.get(reverse("resolutions:list"), {"body": "IPU Assembly", "page": 2})
    assert len(second.context["documents"]) == 5
    assert client.get(reverse("resolutions:list"), {"page": "999"}).status_code == 200


# ---------------------------------------------------------------- import


@pytest.fixture
def secretariat_client(client):
    client.force_login(_user("secretariat_admin"))
    return client


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def _staged_files(settings) -> list[Path]:
    directory = Path(settings.MEDIA_ROOT) / STAGING_DIR
    return sorted(directory.glob("*")) if directory.exists() else []


def test_import_form_renders(secretariat_client):
    response = secretariat_client.get(reverse("resolutions:import"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'type="file"' in html


def test_preview_then_publish_creates_the_document(secretariat_client, settings, fake_parser, make_parsed):
    fake_parser(make_parsed(operative=4, subparagraphs=2))
    response = secretariat_client.post(
        reverse("resolutions:import"), {"file": _upload("kigali.md", b"The 145th Assembly ...")}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Import preview" in html
    assert "Parliamentary action against trafficking" in html
    assert "Czech Republic" in html
    assert "by the 149th Assembly" in html
    assert "Operative paragraph 3 text;" in html
    assert reverse("resolutions:import_publish") in html
    assert Document.objects.count() == 0  # a preview saves nothing

    staged = _staged_files(settings)
    assert len(staged) == 1
    assert staged[0].read_bytes() == b"The 145th Assembly ..."
    token = secretariat_client.session[STAGING_SESSION_KEY]["token"]
    assert token in staged[0].name
    assert token not in html  # the bytes stay on the server; the page never carries the token

    response = secretariat_client.post(reverse("resolutions:import_publish"))
    document = Document.objects.get()
    assert response.status_code == 302
    assert response["Location"] == document.get_absolute_url()
    assert document.source_name == "kigali.md"
    assert document.imported_by.username == "u-secretariat_admin"
    assert document.paragraphs.filter(kind="operative", parent__isnull=True).count() == 4
    assert _staged_files(settings) == []
    assert STAGING_SESSION_KEY not in secretariat_client.session
    assert any("Imported" in str(m) for m in get_messages(response.wsgi_request))

    # Publishing again has nothing to publish.
    response = secretariat_client.post(reverse("resolutions:import_publish"))
    assert response.status_code == 302
    assert response["Location"] == reverse("resolutions:import")
    assert Document.objects.count() == 1


def test_duplicate_upload_says_already_imported(secretariat_client, settings, fake_parser, make_parsed):
    fake_parser(make_parsed())
    secretariat_client.post(reverse("resolutions:import"), {"file": _upload("a.md", b"same bytes")})
    secretariat_client.post(reverse("resolutions:import_publish"))
    document = Document.objects.get()

    response = secretariat_client.post(reverse("resolutions:import"), {"file": _upload("b.md", b"same bytes")})
    html = response.content.decode()
    assert "already imported" in html
    assert f'href="{document.get_absolute_url()}"' in html
    assert reverse("resolutions:import_publish") not in html
    assert _staged_files(settings) == []
    assert Document.objects.count() == 1


def test_cancel_discards_the_staged_file(secretariat_client, settings, fake_parser, make_parsed):
    fake_parser(make_parsed())
    secretariat_client.post(reverse("resolutions:import"), {"file": _upload("a.md", b"text")})
    assert len(_staged_files(settings)) == 1
    response = secretariat_client.post(reverse("resolutions:import_cancel"))
    assert response.status_code == 302
    assert _staged_files(settings) == []
    assert Document.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("resolution.exe", b"MZ binary", "File extension"),
        ("resolution.txt", b"\xff\xfe\x00\x00\x81 not text", "not UTF-8"),
        ("empty.txt", b"", "empty"),
    ],
)
def test_bad_file_shows_a_form_error_and_saves_nothing(
    secretariat_client, settings, fake_parser, make_parsed, name, data, message
):
    fake_parser(make_parsed())
    response = secretariat_client.post(reverse("resolutions:import"), {"file": _upload(name, data)})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["form"].errors["file"]
    assert Document.objects.count() == 0
    assert _staged_files(settings) == []


def test_oversized_file_is_refused_by_the_form(secretariat_client, settings):
    settings.RESOLUTION_UPLOAD_MAX_BYTES = 100
    response = secretariat_client.post(reverse("resolutions:import"), {"file": _upload("big.txt", b"x" * 101)})
    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert "largest accepted is 100" in errors[0]
    assert Document.objects.count() == 0


def test_rejected_text_shows_the_importer_message(secretariat_client, settings):
    """A text with no operative paragraphs is refused with the importer's one-line reason."""
    response = secretariat_client.post(
        reverse("resolutions:import"), {"file": _upload("notes.txt", b"\x00\x01\x02 binary junk \x00")}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert len(errors) == 1 and errors[0]
    assert Document.objects.count() == 0
    assert _staged_files(settings) == []


def test_seed_file_preview_and_publish_with_the_real_parser(secretariat_client, settings):
    data = (SEEDS / "ipu-145-kigali-2022-migration-trafficking.md").read_bytes()
    response = secretariat_client.post(
        reverse("resolutions:import"), {"file": _upload("ipu-145-kigali-2022-migration-trafficking.md", data)}
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    assert "form" not in response.context or not response.context["form"].errors
    html = response.content.decode()
    assert "Parliamentary impetus to local and regional development" in html
    assert "Czech Republic" in html
    assert "by the 149th Assembly" in html
    assert Document.objects.count() == 0

    response = secretariat_client.post(reverse("resolutions:import_publish"))
    document = Document.objects.get()
    assert response["Location"] == document.get_absolute_url()
    assert document.paragraphs.filter(kind="operative", parent__isnull=True).count() == 31
    assert document.reservations.count() == 9

    html = secretariat_client.get(document.get_absolute_url()).content.decode()
    assert "Czech Republic" in _between(html, 'id="op-3"', 'id="op-4"')


def test_text_takes_the_full_width_when_no_paragraph_has_a_reservation(client):
    document = build_document(2)
    Reservation.objects.filter(document=document, entire=False).delete()
    html = client.get(reverse("resolutions:detail", args=[document.pk])).content.decode()
    assert 'class="col-lg-4"' not in html
    assert "Hungary" in html
