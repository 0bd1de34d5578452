"""Site-wide pages: home, the base layout's navigation, and signing in and out."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import DocumentFactory, UserFactory
from tracker.models import User

pytestmark = pytest.mark.django_db


def test_home_is_public_and_lists_latest_resolutions(client):
    DocumentFactory(title="Migrant workers and human rights")
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "IPU Resolution Tracker" in html
    assert "Migrant workers and human rights" in html
    assert '<html lang="en">' in html
    assert 'href="#main"' in html and 'id="main"' in html  # skip link and its target
    assert "cdn" not in html.lower()


def test_home_query_count_does_not_grow(client, django_assert_max_num_queries):
    DocumentFactory.create_batch(2)
    with django_assert_max_num_queries(3):
        client.get(reverse("home"))
    DocumentFactory.create_batch(10)
    with django_assert_max_num_queries(3):
        client.get(reverse("home"))


def test_visitor_navigation(client):
    html = client.get(reverse("home")).content.decode()
    assert reverse("resolutions:list") in html
    assert reverse("resolutions:import") not in html
    assert reverse("admin:index") not in html
    assert reverse("login") in html


@pytest.mark.parametrize(
    ("role", "is_staff", "sees_import", "sees_admin"),
    [
        (User.Role.REPORTER, False, False, False),
        (User.Role.APPROVER, False, False, False),
        (User.Role.GROUP_CHAIR, False, False, False),
        (User.Role.REVIEWER, False, False, True),
        (User.Role.SECRETARIAT_ADMIN, False, True, True),
        (User.Role.REPORTER, True, False, True),
    ],
)
def test_navigation_follows_the_policy(client, role, is_staff, sees_import, sees_admin):
    user = UserFactory(username=f"nav-{role}", role=role, is_staff=is_staff)
    client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    assert (reverse("resolutions:import") in html) is sees_import
    assert (reverse("admin:index") in html) is sees_admin
    assert f"nav-{role}" in html  # the username beside the logout button
    assert reverse("logout") in html


def test_login_page_uses_crispy_form(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="username"' in html and "form-control" in html


def test_login_and_post_logout(client):
    UserFactory(username="ana", password="pass")
    response = client.post(reverse("login"), {"username": "ana", "password": "pass"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert "ana" in client.get(reverse("home")).content.decode()

    assert client.get(reverse("logout")).status_code == 405  # logging out takes a POST
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_wrong_password_shows_an_error(client):
    UserFactory(username="ana", password="pass")
    response = client.post(reverse("login"), {"username": "ana", "password": "nope"})
    assert response.status_code == 200
    assert "alert" in response.content.decode()


def test_forbidden_page_uses_the_site_layout(client):
    client.force_login(UserFactory(role=User.Role.REPORTER))
    response = client.get(reverse("resolutions:import"))
    assert response.status_code == 403
    assert "IPU Resolution Tracker" in response.content.decode()
