"""Admin: the Secretariat corrects commitments; pages stay within a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from resolutions.models import Addressee, Commitment, Reservation, Theme
from tests.factories import (
    AssemblyFactory,
    CommitmentFactory,
    DocumentFactory,
    ParagraphFactory,
    ParliamentFactory,
    UserFactory,
)
from tracker.models import Assembly, User

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:resolutions_commitment_changelist"


def _commitments(document_count: int, per_document: int) -> list[Commitment]:
    addressee = Addressee.objects.get_or_create(code="parliaments", defaults={"label": "Parliaments"})[0]
    theme = Theme.objects.get_or_create(code="migration", defaults={"label": "Migration"})[0]
    created = []
    for _ in range(document_count):
        document = DocumentFactory()
        for position in range(1, per_document + 1):
            paragraph = ParagraphFactory(document=document, position=position)
            commitment = CommitmentFactory(paragraph=paragraph)
            commitment.addressees.add(addressee)
            commitment.themes.add(theme)
            created.append(commitment)
            sub = ParagraphFactory(document=document, position=1, parent=paragraph, letter="a", number=None)
            created.append(CommitmentFactory(paragraph=sub))
    return created


@pytest.fixture
def reviewer_client(client):
    client.force_login(UserFactory(username="reviewer", role=User.Role.REVIEWER, is_staff=True))
    return client


@pytest.fixture
def secretariat_client(client):
    client.force_login(UserFactory(username="sec-admin", role=User.Role.SECRETARIAT_ADMIN, is_staff=True))
    return client


def _count(client, url: str, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(context.captured_queries)


def test_commitment_changelist_queries_are_bounded(reviewer_client, django_assert_max_num_queries):
    _commitments(1, 3)
    small = _count(reviewer_client, reverse(CHANGELIST))
    _commitments(4, 10)
    with django_assert_max_num_queries(small):
        response = reviewer_client.get(reverse(CHANGELIST))
    assert "OP 3 (a)" in response.content.decode()
    # Filters keep the count fixed too.
    assert _count(reviewer_client, reverse(CHANGELIST), {"parliaments_report": "1"}) <= small + 1


def test_list_editable_switches_parliaments_report(reviewer_client):
    commitment = _commitments(1, 1)[0]
    assert commitment.parliaments_report
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "form-0-id": str(commitment.pk),
        "form-0-verb": "Urges",
        "form-0-strength": "4",
        # An unticked checkbox is simply absent.
        "_save": "Save",
    }
    response = reviewer_client.post(f"{reverse(CHANGELIST)}?document__id__exact={commitment.document_id}", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    commitment.refresh_from_db()
    assert commitment.verb == "Urges"
    assert commitment.strength == 4
    assert not commitment.parliaments_report


def test_actions_switch_parliaments_report(reviewer_client):
    commitments = _commitments(1, 2)
    pks = [str(c.pk) for c in commitments]
    response = reviewer_client.post(
        reverse(CHANGELIST), {"action": "unmark_parliaments_report", "_selected_action": pks}
    )
    assert response.status_code == 302
    assert not Commitment.objects.filter(parliaments_report=True).exists()
    reviewer_client.post(reverse(CHANGELIST), {"action": "mark_parliaments_report", "_selected_action": pks[:1]})
    assert list(Commitment.objects.filter(parliaments_report=True).values_list("pk", flat=True)) == [commitments[0].pk]


def test_change_form_corrects_verb_addressees_and_themes(reviewer_client):
    commitment = _commitments(1, 1)[0]
    governments = Addressee.objects.get_or_create(code="governments", defaults={"label": "Governments"})[0]
    gender = Theme.objects.get_or_create(code="gender", defaults={"label": "Gender"})[0]
    url = reverse("admin:resolutions_commitment_change", args=[commitment.pk])
    assert reviewer_client.get(url).status_code == 200
    response = reviewer_client.post(
        url,
        {
            "verb": "Encourages",
            "strength": "2",
            "addressees": [str(governments.pk)],
            "themes": [str(gender.pk)],
            "parliaments_report": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    commitment.refresh_from_db()
    assert commitment.verb == "Encourages"
    assert list(commitment.addressees.all()) == [governments]
    assert list(commitment.themes.all()) == [gender]


def test_staff_without_the_right_cannot_edit_commitments(client):
    _commitments(1, 1)
    client.force_login(UserFactory(role=User.Role.REPORTER, is_staff=True))
    assert client.get(reverse(CHANGELIST)).status_code == 403
    assert client.get(reverse("admin:index")).status_code == 200


def test_secretariat_without_staff_flag_enters_the_admin(client):
    client.force_login(UserFactory(role=User.Role.REVIEWER, is_staff=False))
    assert client.get(reverse(CHANGELIST)).status_code == 200


def _reserve(document, count: int) -> None:
    paragraphs = list(document.paragraphs.all())
    for position in range(count):
        reservation = Reservation.objects.create(
            document=document,
            delegation=f"Delegation {position}",
            on="operative paragraph",
            position=position,
        )
        reservation.paragraphs.add(paragraphs[position])


def test_document_change_page_queries_are_bounded(secretariat_client):
    small = _commitments(1, 2)[0].document
    large = _commitments(1, 30)[0].document
    _reserve(small, 1)
    _reserve(large, 8)
    url = "admin:resolutions_document_change"
    _count(secretariat_client, reverse(url, args=[small.pk]))  # warms the content-type cache
    small_count = _count(secretariat_client, reverse(url, args=[small.pk]))
    large_count = _count(secretariat_client, reverse(url, args=[large.pk]))
    assert large_count == small_count


def test_document_changelist_loads(reviewer_client):
    _commitments(3, 2)
    assert reviewer_client.get(reverse("admin:resolutions_document_changelist")).status_code == 200
    # Reviewers read documents in the admin but only the Secretariat admin changes them.
    document = DocumentFactory()
    response = reviewer_client.get(reverse("admin:resolutions_document_change", args=[document.pk]))
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()


def test_assembly_verified_is_editable_in_the_list(secretariat_client):
    assembly = AssemblyFactory(number=150, verified=False)
    url = reverse("admin:tracker_assembly_changelist")
    assert secretariat_client.get(url, {"verified__exact": "0"}).status_code == 200
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "form-0-id": str(assembly.pk),
        "form-0-verified": "on",
        "_save": "Save",
    }
    response = secretariat_client.post(f"{url}?verified__exact=0", data)
    assert response.status_code == 302
    assert Assembly.objects.get(pk=assembly.pk).verified


def test_parliament_admin_search_and_group_filter(secretariat_client):
    ParliamentFactory(name="Rwanda", iso3="RWA")
    url = reverse("admin:tracker_parliament_changelist")
    response = secretariat_client.get(url, {"q": "RWA"})
    assert response.status_code == 200
    assert "Rwanda" in response.content.decode()


def test_secretariat_admin_cannot_grant_superuser(secretariat_client):
    target = UserFactory(username="someone", role=User.Role.REPORTER)
    url = reverse("admin:tracker_user_change", args=[target.pk])
    html = secretariat_client.get(url).content.decode()
    assert 'name="is_superuser"' not in html
    assert 'name="role"' in html and 'name="parliament"' in html
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    assert secretariat_client.get(reverse("admin:tracker_user_change", args=[root.pk])).status_code in {
        302,
        403,
    }


def test_reviewer_cannot_manage_users(reviewer_client):
    assert reviewer_client.get(reverse("admin:tracker_user_changelist")).status_code == 403
