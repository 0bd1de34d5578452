"""Template access to the permission policy, so menus show only what the user may use."""

from __future__ import annotations

from django import template

from tracker.permissions import AnyUser, policy

register = template.Library()


@register.filter
def may(user: AnyUser | None, action: str) -> bool:
    """``{% if request.user|may:"import_documents" %}``: same answer the views give."""
    return policy.user_has_permission(user, action)
