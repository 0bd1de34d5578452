"""Admin for the shared ground; what each person may change comes from the permission policy."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Count, Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import Assembly, FocalPoint, GeopoliticalGroup, Parliament, ParliamentAlias, User
from .permissions import Action, policy

admin.site.site_header = _("IPU Resolution Tracker")
admin.site.site_title = _("IPU Resolution Tracker")
admin.site.index_title = _("Administration")
admin.site.site_url = "/"


def _admin_site_has_permission(request: HttpRequest) -> bool:
    return policy.user_has_permission(request.user, Action.ACCESS_ADMIN)


# Who may enter the admin at all is the policy's answer too, not the bare staff flag.
admin.site.has_permission = _admin_site_has_permission


class PolicyAdminMixin:
    """Model admin permissions from the policy: ``view_action`` to read, ``edit_action`` to change."""

    view_action: Action | None = None  # None: whoever may edit may also read
    edit_action: Action
    can_add = True
    can_delete = True

    def _may(self, request: HttpRequest, action: Action) -> bool:
        return policy.user_has_permission(request.user, action)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if self.view_action is not None and self._may(request, self.view_action):
            return True
        return self.has_change_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._may(request, self.edit_action)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self.can_add and self._may(request, self.edit_action)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.can_delete and self._may(request, self.edit_action)


class PolicyInlineMixin(PolicyAdminMixin):
    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.can_add and self._may(request, self.edit_action)


@admin.register(Assembly)
class AssemblyAdmin(PolicyAdminMixin, admin.ModelAdmin):
    edit_action = Action.MANAGE_PARLIAMENTS
    list_display = ("number", "city", "country", "start_date", "end_date", "verified")
    list_display_links = ("number",)
    list_editable = ("verified",)
    list_filter = ("verified",)
    search_fields = ("=number", "city", "country")
    ordering = ("-number",)


class ParliamentAliasInline(PolicyInlineMixin, admin.TabularInline):
    edit_action = Action.MANAGE_PARLIAMENTS
    model = ParliamentAlias
    extra = 1


class FocalPointInline(PolicyInlineMixin, admin.TabularInline):
    edit_action = Action.MANAGE_PARLIAMENTS
    model = FocalPoint
    fields = ("name", "email", "position", "receives_reminders")
    extra = 0


@admin.register(Parliament)
class ParliamentAdmin(PolicyAdminMixin, admin.ModelAdmin):
    edit_action = Action.MANAGE_PARLIAMENTS
    list_display = ("name", "iso3", "status", "group_names", "preferred_language", "verified")
    list_filter = ("groups", "status", "preferred_language", "verified")
    search_fields = ("name", "iso3", "aliases__name")
    filter_horizontal = ("groups",)
    inlines = [ParliamentAliasInline, FocalPointInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Parliament]:
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("geopolitical groups"))
    def group_names(self, obj: Parliament) -> str:
        return ", ".join(group.name for group in obj.groups.all())


@admin.register(GeopoliticalGroup)
class GeopoliticalGroupAdmin(PolicyAdminMixin, admin.ModelAdmin):
    edit_action = Action.MANAGE_PARLIAMENTS
    list_display = ("name", "slug", "parliament_count")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request: HttpRequest) -> QuerySet[GeopoliticalGroup]:
        return super().get_queryset(request).annotate(parliament_count=Count("parliaments"))

    @admin.display(description=_("parliaments"), ordering="parliament_count")
    def parliament_count(self, obj: GeopoliticalGroup) -> int:
        return obj.parliament_count


ROLE_FIELDSET = (_("Role in the tracker"), {"fields": ("role", "parliament", "geopolitical_group")})
# Only a superuser hands out superuser status or raw Django permissions.
SUPERUSER_ONLY_FIELDS = ("is_superuser", "groups", "user_permissions")


@admin.register(User)
class UserAdmin(PolicyAdminMixin, BaseUserAdmin):
    edit_action = Action.MANAGE_USERS
    fieldsets = (*BaseUserAdmin.fieldsets, ROLE_FIELDSET)
    add_fieldsets = (*BaseUserAdmin.add_fieldsets, ROLE_FIELDSET)
    list_display = (
        "username",
        "email",
        "first_name",
        "last_name",
        "role",
        "parliament",
        "is_staff",
        "is_active",
    )
    list_filter = ("role", "is_staff", "is_superuser", "is_active", "parliament__groups")
    list_select_related = ("parliament", "geopolitical_group")
    search_fields = ("username", "first_name", "last_name", "email", "parliament__name", "parliament__iso3")
    autocomplete_fields = ("parliament",)

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> tuple[str, ...]:
        readonly = tuple(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return readonly
        return readonly + SUPERUSER_ONLY_FIELDS

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)
