"""The one permission policy: who may do what, to which objects, and which objects they see.

Every page, admin class, API view and file download asks this module instead of looking at
roles itself, so a rule changes in one place. The shape follows Wagtail's permission
policies: ``user_has_permission`` answers for an action in general,
``user_has_permission_for_instance`` for one object, and ``instances_user_has_permission_for``
narrows a queryset to the objects the user may act on.

Rules are registered per action. An app that needs per-object rules (for example, a report
visible only to its own parliament) registers a :class:`Rule` with ``instance`` and ``scope``
callables from its ``AppConfig.ready``::

    policy.register(
        Action.VIEW_REPORTS,  # added to Action with the reports
        Rule(
            allows=lambda user: is_active(user),
            instance=lambda user, report: user.is_secretariat or report.parliament_id == user.parliament_id,
            scope=lambda user, qs: qs if user.is_secretariat else qs.filter(parliament=user.parliament_id),
        ),
    )
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse

from tracker.models import User

AnyUser = User | AnonymousUser
M = TypeVar("M", bound=Model)
Role = User.Role


class Action(enum.StrEnum):
    """Everything the policy can be asked about; a typo fails loudly instead of denying quietly."""

    VIEW_DOCUMENTS = "view_documents"
    IMPORT_DOCUMENTS = "import_documents"
    EDIT_DOCUMENTS = "edit_documents"
    EDIT_COMMITMENTS = "edit_commitments"
    MANAGE_PARLIAMENTS = "manage_parliaments"
    MANAGE_USERS = "manage_users"
    ACCESS_ADMIN = "access_admin"
    # Reporting; the rules are registered by the reporting app (reporting/permissions.py).
    VIEW_CYCLES = "view_cycles"
    MANAGE_CYCLES = "manage_cycles"
    VIEW_REPORT = "view_report"
    EDIT_REPORT = "edit_report"
    SUBMIT_REPORT = "submit_report"
    REVIEW_REPORT = "review_report"
    COMMENT_REPORT = "comment_report"
    VIEW_EVIDENCE = "view_evidence"
    EXPORT_SUMMARIES = "export_summaries"
    VIEW_PARLIAMENT = "view_parliament"
    VIEW_PUBLISHED = "view_published"


def is_active(user: AnyUser | None) -> bool:
    """Anonymous and deactivated accounts count as visitors."""
    return bool(user is not None and user.is_authenticated and user.is_active)


def has_role(user: AnyUser | None, *roles: str) -> bool:
    """Superusers hold every role; everyone else holds the one on their account."""
    if not is_active(user):
        return False
    return user.is_superuser or user.role in roles


def _everyone(user: AnyUser | None) -> bool:
    return True


def _roles(*roles: str) -> Callable[[AnyUser | None], bool]:
    def check(user: AnyUser | None) -> bool:
        return has_role(user, *roles)

    return check


def _admin_site_user(user: AnyUser | None) -> bool:
    return is_active(user) and (user.is_staff or user.is_secretariat)


@dataclass(frozen=True)
class Rule:
    """Who may perform one action, and on which objects.

    ``allows`` answers for the action in general. ``instance`` (optional) refines the answer
    for one object and is only consulted when ``allows`` is true; ``scope`` (optional) does
    the same for a queryset. Without them, a user allowed the action may act on every object.
    """

    allows: Callable[[AnyUser | None], bool]
    instance: Callable[[AnyUser, Any], bool] | None = None
    scope: Callable[[AnyUser, QuerySet], QuerySet] | None = None


class PermissionPolicy:
    """Answers "may this user do X (to this object)" and "which objects may they see"."""

    def __init__(self) -> None:
        self._rules: dict[Action, Rule] = {}

    def register(self, action: Action | str, rule: Rule) -> None:
        """Set (or replace) the rule for an action."""
        self._rules[Action(action)] = rule

    def rule_for(self, action: Action | str) -> Rule:
        """The rule for an action; unknown or unregistered actions raise rather than deny."""
        action = Action(action)
        try:
            return self._rules[action]
        except KeyError:
            raise LookupError(f"No permission rule registered for {action!r}.") from None

    def user_has_permission(self, user: AnyUser | None, action: Action | str) -> bool:
        return bool(self.rule_for(action).allows(user))

    def user_has_any_permission(self, user: AnyUser | None, actions: Iterable[Action | str]) -> bool:
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user: AnyUser | None, action: Action | str, instance: Any) -> bool:
        rule = self.rule_for(action)
        if not rule.allows(user):
            return False
        return rule.instance is None or bool(rule.instance(user, instance))

    def instances_user_has_permission_for(
        self, user: AnyUser | None, action: Action | str, queryset: QuerySet[M]
    ) -> QuerySet[M]:
        """The part of ``queryset`` the user may act on; never evaluates it."""
        rule = self.rule_for(action)
        if not rule.allows(user):
            return queryset.none()
        return queryset if rule.scope is None else rule.scope(user, queryset)


policy = PermissionPolicy()
# Resolutions are public texts: everyone reads them, visitors included.
policy.register(Action.VIEW_DOCUMENTS, Rule(allows=_everyone))
policy.register(Action.IMPORT_DOCUMENTS, Rule(allows=_roles(Role.SECRETARIAT_ADMIN)))
policy.register(Action.EDIT_DOCUMENTS, Rule(allows=_roles(Role.SECRETARIAT_ADMIN)))
policy.register(Action.EDIT_COMMITMENTS, Rule(allows=_roles(Role.SECRETARIAT_ADMIN, Role.REVIEWER)))
policy.register(Action.MANAGE_PARLIAMENTS, Rule(allows=_roles(Role.SECRETARIAT_ADMIN)))
policy.register(Action.MANAGE_USERS, Rule(allows=_roles(Role.SECRETARIAT_ADMIN)))
# The admin site admits staff and the Secretariat; each model admin then asks for its own action.
policy.register(Action.ACCESS_ADMIN, Rule(allows=_admin_site_user))


ViewFunc = Callable[..., HttpResponse]


def deny(request: HttpRequest) -> HttpResponse:
    """Send a visitor to the login page; refuse a signed-in user with 403."""
    if not is_active(request.user):
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied


def require_permission(action: Action | str) -> Callable[[ViewFunc], ViewFunc]:
    """Guard a function view with the policy; for objects, call ``user_has_permission_for_instance``."""
    action = Action(action)

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not policy.user_has_permission(request.user, action):
                return deny(request)
            return view(request, *args, **kwargs)

        wrapped.permission_action = action  # type: ignore[attr-defined]
        return wrapped

    return decorator


class PermissionRequiredMixin:
    """The class-based twin of :func:`require_permission`: set ``permission_action``."""

    permission_action: Action | str

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not policy.user_has_permission(request.user, self.permission_action):
            return deny(request)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
