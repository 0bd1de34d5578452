"""The permission policy: one answer per role and action, per object, and as a queryset."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory

from resolutions.models import Document
from tests.factories import DocumentFactory, ParliamentFactory, UserFactory
from tracker.models import User
from tracker.permissions import Action, PermissionPolicy, Rule, policy, require_permission

ROLES = [choice.value for choice in User.Role]

# role -> actions allowed in general (objects narrow it further); everything else is refused.
PARLIAMENT = {
    Action.VIEW_DOCUMENTS,
    Action.VIEW_REPORT,
    Action.EDIT_REPORT,
    Action.COMMENT_REPORT,
    Action.VIEW_EVIDENCE,
    Action.VIEW_PARLIAMENT,
    Action.VIEW_PUBLISHED,
}
# The Secretariat never edits or submits a parliament's report.
SECRETARIAT_ALL = set(Action) - {Action.EDIT_REPORT, Action.SUBMIT_REPORT}
EXPECTED = {
    "anonymous": {Action.VIEW_DOCUMENTS, Action.VIEW_PUBLISHED},
    User.Role.REPORTER: PARLIAMENT,
    User.Role.APPROVER: PARLIAMENT | {Action.SUBMIT_REPORT},
    User.Role.GROUP_CHAIR: {
        Action.VIEW_DOCUMENTS,
        Action.VIEW_CYCLES,
        Action.VIEW_REPORT,
        Action.VIEW_EVIDENCE,
        Action.VIEW_PUBLISHED,
    },
    User.Role.REVIEWER: {
        Action.VIEW_DOCUMENTS,
        Action.EDIT_COMMITMENTS,
        Action.ACCESS_ADMIN,
        Action.VIEW_CYCLES,
        Action.VIEW_REPORT,
        Action.REVIEW_REPORT,
        Action.COMMENT_REPORT,
        Action.VIEW_EVIDENCE,
        Action.EXPORT_SUMMARIES,
        Action.VIEW_PARLIAMENT,
        Action.VIEW_PUBLISHED,
    },
    User.Role.SECRETARIAT_ADMIN: SECRETARIAT_ALL,
    "superuser": SECRETARIAT_ALL,
}


def _user(kind: str) -> User | AnonymousUser:
    if kind == "anonymous":
        return AnonymousUser()
    if kind == "superuser":
        return UserFactory(username="root", is_superuser=True, is_staff=True)
    return UserFactory(username=f"u-{kind}", role=kind)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(EXPECTED))
@pytest.mark.parametrize("action", list(Action))
def test_role_matrix(kind, action):
    user = _user(kind)
    assert policy.user_has_permission(user, action) is (action in EXPECTED[kind])


@pytest.mark.django_db
def test_every_action_has_a_rule():
    user = AnonymousUser()
    for action in Action:
        policy.user_has_permission(user, action)  # raises LookupError when a rule is missing


@pytest.mark.django_db
def test_inactive_user_is_a_visitor():
    user = UserFactory(role=User.Role.SECRETARIAT_ADMIN, is_active=False)
    assert policy.user_has_permission(user, Action.VIEW_DOCUMENTS)
    assert not policy.user_has_permission(user, Action.IMPORT_DOCUMENTS)
    assert not policy.user_has_permission(user, Action.ACCESS_ADMIN)


@pytest.mark.django_db
def test_staff_flag_opens_the_admin_site_but_grants_nothing_inside():
    user = UserFactory(role=User.Role.REPORTER, is_staff=True)
    assert policy.user_has_permission(user, Action.ACCESS_ADMIN)
    assert not policy.user_has_permission(user, Action.EDIT_COMMITMENTS)


def test_unknown_action_fails_loudly():
    with pytest.raises(ValueError):
        policy.user_has_permission(AnonymousUser(), "import_everything")
    with pytest.raises(ValueError):
        require_permission("import_everything")


@pytest.mark.django_db
def test_string_and_enum_actions_agree():
    user = _user(User.Role.SECRETARIAT_ADMIN)
    assert policy.user_has_permission(user, "import_documents") == policy.user_has_permission(
        user, Action.IMPORT_DOCUMENTS
    )


@pytest.mark.django_db
def test_any_permission():
    reviewer = _user(User.Role.REVIEWER)
    assert policy.user_has_any_permission(reviewer, [Action.IMPORT_DOCUMENTS, Action.EDIT_COMMITMENTS])
    assert not policy.user_has_any_permission(reviewer, [Action.IMPORT_DOCUMENTS, Action.MANAGE_USERS])


@pytest.mark.django_db
def test_queryset_scopes():
    DocumentFactory.create_batch(3)
    everything = Document.objects.all()
    assert policy.instances_user_has_permission_for(AnonymousUser(), Action.VIEW_DOCUMENTS, everything).count() == 3
    reporter = _user(User.Role.REPORTER)
    assert policy.instances_user_has_permission_for(reporter, Action.EDIT_DOCUMENTS, everything).count() == 0
    admin = _user(User.Role.SECRETARIAT_ADMIN)
    assert policy.instances_user_has_permission_for(admin, Action.EDIT_DOCUMENTS, everything).count() == 3


@pytest.mark.django_db
def test_per_object_rules_by_parliament():
    """The shape reports will take: a parliament's own objects only, Secretariat sees all."""
    own, other = ParliamentFactory(), ParliamentFactory()
    reporter = UserFactory(role=User.Role.REPORTER, parliament=own)
    reviewer = UserFactory(role=User.Role.REVIEWER)
    local = PermissionPolicy()
    local.register(
        Action.VIEW_DOCUMENTS,
        Rule(
            allows=lambda user: user.is_authenticated,
            instance=lambda user, parliament: user.is_secretariat or parliament.pk == user.parliament_id,
            scope=lambda user, qs: qs if user.is_secretariat else qs.filter(pk=user.parliament_id),
        ),
    )
    assert local.user_has_permission_for_instance(reporter, Action.VIEW_DOCUMENTS, own)
    assert not local.user_has_permission_for_instance(reporter, Action.VIEW_DOCUMENTS, other)
    assert local.user_has_permission_for_instance(reviewer, Action.VIEW_DOCUMENTS, other)
    assert not local.user_has_permission_for_instance(AnonymousUser(), Action.VIEW_DOCUMENTS, own)
    parliaments = type(own).objects.all()
    assert list(local.instances_user_has_permission_for(reporter, Action.VIEW_DOCUMENTS, parliaments)) == [own]
    assert local.instances_user_has_permission_for(reviewer, Action.VIEW_DOCUMENTS, parliaments).count() == 2
    assert not local.instances_user_has_permission_for(AnonymousUser(), Action.VIEW_DOCUMENTS, parliaments)


def test_unregistered_action_raises():
    with pytest.raises(LookupError):
        PermissionPolicy().user_has_permission(AnonymousUser(), Action.VIEW_DOCUMENTS)


@require_permission(Action.IMPORT_DOCUMENTS)
def _guarded(request):
    return HttpResponse("ok")


@pytest.mark.django_db
def test_decorator_sends_visitors_to_login():
    request = RequestFactory().get("/resolutions/import/?x=1")
    request.user = AnonymousUser()
    response = _guarded(request)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert response["Location"].endswith("next=/resolutions/import/%3Fx%3D1")


@pytest.mark.django_db
def test_decorator_refuses_signed_in_users_without_the_right():
    request = RequestFactory().get("/resolutions/import/")
    request.user = _user(User.Role.REVIEWER)
    with pytest.raises(PermissionDenied):
        _guarded(request)


@pytest.mark.django_db
def test_decorator_lets_the_right_user_through():
    request = RequestFactory().get("/resolutions/import/")
    request.user = _user(User.Role.SECRETARIAT_ADMIN)
    assert _guarded(request).content == b"ok"
    assert _guarded.permission_action is Action.IMPORT_DOCUMENTS
