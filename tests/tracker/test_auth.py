"""Logging in, login throttling, password reset by email and password change."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from tracker.models import User

pytestmark = pytest.mark.django_db

LIMIT = 5  # AXES_FAILURE_LIMIT's default, asserted below so the tests follow the settings


@pytest.fixture
def axes(settings: Any) -> None:
    """Throttling on, as in production (the test profile turns it off for client.login)."""
    settings.AXES_ENABLED = True
    assert settings.AXES_FAILURE_LIMIT == LIMIT


def log_in(client: Client, username: str, password: str, **extra: str) -> HttpResponse:
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def is_logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# --- Logging in --------------------------------------------------------------------


def test_login_page_renders_with_a_reset_link(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="username"' in html and 'name="password"' in html
    assert reverse("password_reset") in html
    assert "Forgot your password?" in html


def test_correct_login_redirects(client, axes):
    UserFactory(username="ana", password="pass")
    response = log_in(client, "ana", "pass")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert is_logged_in(client)


def test_login_follows_a_safe_next(client, axes):
    UserFactory(username="ana", password="pass")
    target = reverse("resolutions:list")
    response = client.post(reverse("login"), {"username": "ana", "password": "pass", "next": target})
    assert response["Location"] == target


def test_client_login_and_force_login_still_work(client):
    """The test profile keeps the test client's shortcuts usable."""
    user = UserFactory(username="ana", password="pass")
    assert client.login(username="ana", password="pass")
    assert is_logged_in(client)
    client.logout()
    client.force_login(user)
    assert is_logged_in(client)


def test_logout_takes_a_post(client):
    client.force_login(UserFactory())
    assert client.get(reverse("logout")).status_code == 405
    assert is_logged_in(client)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert not is_logged_in(client)


# --- Throttling --------------------------------------------------------------------


def test_lockout_after_repeated_wrong_passwords(client, axes):
    UserFactory(username="ana", password="pass")
    for _ in range(LIMIT - 1):
        response = log_in(client, "ana", "wrong")
        assert response.status_code == 200  # the form again, with its error
    response = log_in(client, "ana", "wrong")
    assert response.status_code == 429

    response = log_in(client, "ana", "pass")
    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert "Too many login attempts" in html
    assert "15 minutes" in html
    assert reverse("password_reset") in html
    assert not is_logged_in(client)


def test_lockout_is_per_username_and_address(client, axes):
    UserFactory(username="ana", password="pass")
    UserFactory(username="ben", password="pass")
    for _ in range(LIMIT):
        log_in(client, "ana", "wrong")
    assert log_in(client, "ana", "pass").status_code == 429

    response = log_in(client, "ben", "pass")  # another user, same address
    assert response.status_code == 302
    assert is_logged_in(client)

    elsewhere = Client()
    response = log_in(elsewhere, "ana", "pass", REMOTE_ADDR="192.0.2.7")  # same user, another address
    assert response.status_code == 302
    assert "_auth_user_id" in elsewhere.session


def test_a_successful_login_resets_the_count(client, axes):
    UserFactory(username="ana", password="pass")
    for _ in range(LIMIT - 1):
        log_in(client, "ana", "wrong")
    assert log_in(client, "ana", "pass").status_code == 302
    client.post(reverse("logout"))
    for _ in range(LIMIT - 1):
        assert log_in(client, "ana", "wrong").status_code == 200
    assert log_in(client, "ana", "pass").status_code == 302


def test_unknown_usernames_are_throttled_too(client, axes):
    for _ in range(LIMIT):
        log_in(client, "nobody", "guess")
    assert log_in(client, "nobody", "guess").status_code == 429


def test_throttling_defaults():
    assert django_settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert django_settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert django_settings.AXES_RESET_ON_SUCCESS is True
    assert django_settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert django_settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"


# --- Password reset ----------------------------------------------------------------


def reset_link(message: mail.EmailMessage) -> str:
    match = re.search(r"https?://testserver(/accounts/reset/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_password_reset_form_renders(client):
    response = client.get(reverse("password_reset"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="email"' in html and "form-control" in html


def test_password_reset_sends_one_email_with_a_working_link(client, axes):
    UserFactory(username="ana", email="ana@example.org", password="old-pass")
    response = client.post(reverse("password_reset"), {"email": "ana@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ana@example.org"]
    assert message.from_email == django_settings.DEFAULT_FROM_EMAIL
    assert message.subject == "Reset your password for the IPU Resolution Tracker"
    assert "ana" in message.body
    assert not message.alternatives  # plain text only

    # The emailed link stores the token in the session and redirects to the form.
    response = client.get(reset_link(message), follow=True)
    assert response.status_code == 200
    assert response.context["validlink"] is True
    form_url = response.redirect_chain[-1][0]

    new_password = "Brand-new-passphrase-42"
    response = client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_complete")
    assert "Password set" in client.get(response["Location"]).content.decode()

    fresh = Client()
    assert log_in(fresh, "ana", "old-pass").status_code == 200
    assert log_in(fresh, "ana", new_password).status_code == 302
    assert "_auth_user_id" in fresh.session

    # The link works once.
    response = Client().get(reset_link(message), follow=True)
    assert response.context["validlink"] is False
    assert "This link no longer works" in response.content.decode()


def test_password_reset_for_an_unknown_email_sends_nothing(client):
    UserFactory(username="ana", email="ana@example.org")
    response = client.post(reverse("password_reset"), {"email": "stranger@example.org"}, follow=True)
    assert mail.outbox == []
    # The same page as for a known address: no way to learn who has an account.
    assert response.redirect_chain == [(reverse("password_reset_done"), 302)]
    assert "Check your email" in response.content.decode()


def test_password_reset_skips_inactive_accounts(client):
    UserFactory(username="ana", email="ana@example.org", is_active=False)
    client.post(reverse("password_reset"), {"email": "ana@example.org"})
    assert mail.outbox == []


def test_password_reset_rejects_a_forged_link(client):
    response = client.get(
        reverse("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "forged-token"}), follow=True
    )
    assert response.status_code == 200
    assert response.context["validlink"] is False
    assert reverse("password_reset") in response.content.decode()


# --- Password change ---------------------------------------------------------------


def test_password_change_needs_a_login(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_password_change(client):
    user = UserFactory(username="ana", password="old-pass")
    client.force_login(user)
    response = client.get(reverse("password_change"))
    assert response.status_code == 200
    assert 'name="old_password"' in response.content.decode()

    new_password = "Another-long-passphrase-7"
    response = client.post(
        reverse("password_change"),
        {"old_password": "old-pass", "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    assert is_logged_in(client)  # the session survives the change
    assert "Password changed" in client.get(response["Location"]).content.decode()
    user.refresh_from_db()
    assert user.check_password(new_password)


def test_password_change_refuses_a_wrong_old_password(client):
    user = UserFactory(username="ana", password="old-pass")
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": "nope", "new_password1": "Xx-long-pass-99", "new_password2": "Xx-long-pass-99"},
    )
    assert response.status_code == 200
    assert User.objects.get(pk=user.pk).check_password("old-pass")
