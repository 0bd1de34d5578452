"""Admin for reporting: mostly read-only, because every change goes through the services.

Reports change state only through the workflow and answers only through the report form,
so their admin pages show but never write. Rows are narrowed by the permission policy: the
Secretariat never sees the content of another party's draft here either.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from tracker.admin import PolicyAdminMixin, PolicyInlineMixin
from tracker.permissions import Action, policy

from .models import (
    CommitmentResponse,
    Evidence,
    Extension,
    ImplementationReport,
    ReportComment,
    ReportEvent,
    ReportingCycle,
)
from .services import cycle_state_set


class ReadOnlyAdminMixin(PolicyAdminMixin):
    """Shown to whoever may read (``view_action``); nobody adds, changes or deletes here."""

    can_add = False
    can_delete = False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.view_action is not None and self._may(request, self.view_action)

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        return [field.name for field in self.model._meta.fields] + list(self.readonly_fields)


class ReadOnlyInline(PolicyInlineMixin, admin.TabularInline):
    edit_action = Action.MANAGE_CYCLES
    view_action = Action.VIEW_REPORT
    can_add = False
    can_delete = False
    extra = 0
    show_change_link = True

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


def _visible_reports(request: HttpRequest) -> QuerySet[ImplementationReport]:
    return policy.instances_user_has_permission_for(
        request.user, Action.VIEW_REPORT, ImplementationReport.objects.all()
    )


@admin.register(ReportingCycle)
class ReportingCycleAdmin(PolicyAdminMixin, admin.ModelAdmin):
    """Cycles open through the "Open a cycle" page, which creates the reports; here the title changes and
    the actions close or reopen a cycle through the service."""

    view_action = Action.VIEW_CYCLES
    edit_action = Action.MANAGE_CYCLES
    can_add = False
    can_delete = False
    list_display = ("title", "resolution_title", "opened_on", "due_date", "due_date_source", "selection", "state")
    list_filter = ("state", "due_date_source", "selection")
    list_select_related = ("resolution",)
    search_fields = ("title", "resolution__title", "resolution__symbol")
    date_hierarchy = "opened_on"
    fields = (
        "title",
        "state",
        "resolution",
        ("opened_on", "due_date", "due_date_source"),
        "selection",
        "groups",
        "created_by",
        "created_at",
        "page_link",
    )
    actions = ("close_cycles", "reopen_cycles")
    readonly_fields = (
        "state",
        "resolution",
        "opened_on",
        "due_date",
        "due_date_source",
        "selection",
        "groups",
        "created_by",
        "created_at",
        "page_link",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReportingCycle]:
        return super().get_queryset(request).defer("resolution__source_text")

    def _set_state(self, request: HttpRequest, queryset: QuerySet[ReportingCycle], state: str) -> None:
        for cycle in queryset:
            cycle_state_set(cycle=cycle, state=state, user=request.user)
        self.message_user(request, _("%(count)s cycle(s) updated.") % {"count": len(queryset)})

    @admin.action(
        permissions=["change"], description=_("Close the selected cycles (parliaments can no longer edit or submit)")
    )
    def close_cycles(self, request: HttpRequest, queryset: QuerySet[ReportingCycle]) -> None:
        self._set_state(request, queryset, ReportingCycle.State.CLOSED)

    @admin.action(permissions=["change"], description=_("Reopen the selected cycles"))
    def reopen_cycles(self, request: HttpRequest, queryset: QuerySet[ReportingCycle]) -> None:
        self._set_state(request, queryset, ReportingCycle.State.OPEN)

    @admin.display(description=_("resolution"), ordering="resolution__title")
    def resolution_title(self, obj: ReportingCycle) -> str:
        return Truncator(obj.resolution.display_title).chars(60)

    @admin.display(description=_("page"))
    def page_link(self, obj: ReportingCycle) -> str:
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.get_absolute_url())


class CommitmentResponseInline(ReadOnlyInline):
    model = CommitmentResponse
    fields = ("commitment", "status", "measures", "position", "version", "updated_at", "updated_by")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[CommitmentResponse]:
        return (
            super()
            .get_queryset(request)
            .select_related("commitment", "commitment__paragraph", "commitment__paragraph__parent", "updated_by")
        )


class ReportEventInline(ReadOnlyInline):
    model = ReportEvent
    fields = ("created_at", "kind", "actor", "data")
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReportEvent]:
        return super().get_queryset(request).select_related("actor")


@admin.register(ImplementationReport)
class ImplementationReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The state is the workflow's: accept, return and submit from the report page."""

    view_action = Action.VIEW_REPORT
    edit_action = Action.MANAGE_CYCLES
    list_display = ("parliament", "cycle", "state", "submitted_at", "reviewed_at", "publish_consent", "updated_at")
    list_filter = ("state", "cycle", "publish_consent", "parliament__groups")
    list_select_related = ("parliament", "cycle")
    search_fields = ("parliament__name", "parliament__iso3", "cycle__title")
    readonly_fields = ("page_link",)
    inlines = [CommitmentResponseInline, ReportEventInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ImplementationReport]:
        return _visible_reports(request).select_related("parliament", "cycle", "submitted_by")

    @admin.display(description=_("page"))
    def page_link(self, obj: ImplementationReport) -> str:
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.get_absolute_url())


@admin.register(CommitmentResponse)
class CommitmentResponseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    view_action = Action.VIEW_REPORT
    edit_action = Action.MANAGE_CYCLES
    list_display = ("report", "commitment", "status", "position", "version", "updated_at")
    list_filter = ("status", "position", "report__state", "report__cycle")
    list_select_related = (
        "report",
        "report__parliament",
        "report__cycle",
        "commitment",
        "commitment__paragraph",
        "commitment__paragraph__parent",
    )
    search_fields = ("report__parliament__name", "narrative")

    def get_queryset(self, request: HttpRequest) -> QuerySet[CommitmentResponse]:
        return super().get_queryset(request).filter(report__in=_visible_reports(request).values("pk"))


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Files are opened through the policy-checked download link, never their storage URL."""

    view_action = Action.VIEW_EVIDENCE
    edit_action = Action.MANAGE_CYCLES
    list_display = ("original_name", "report", "content_type", "size", "uploaded_by", "uploaded_at", "download")
    list_filter = ("content_type", "response__report__cycle")
    list_select_related = (
        "response",
        "response__report",
        "response__report__parliament",
        "response__report__cycle",
        "uploaded_by",
    )
    search_fields = ("original_name", "response__report__parliament__name")
    exclude = ("file",)
    readonly_fields = ("download",)

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        return [name for name in super().get_readonly_fields(request, obj) if name != "file"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Evidence]:
        return policy.instances_user_has_permission_for(
            request.user, Action.VIEW_EVIDENCE, super().get_queryset(request)
        )

    @admin.display(description=_("report"))
    def report(self, obj: Evidence) -> str:
        return str(obj.response.report)

    @admin.display(description=_("download"))
    def download(self, obj: Evidence) -> str:
        url = reverse("reporting:evidence_download", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download"))


@admin.register(ReportComment)
class ReportCommentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    view_action = Action.VIEW_REPORT
    edit_action = Action.MANAGE_CYCLES
    list_display = ("short_body", "report", "author", "created_at")
    list_filter = ("report__cycle",)
    list_select_related = ("report", "report__parliament", "report__cycle", "author")
    search_fields = ("body", "report__parliament__name")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReportComment]:
        return super().get_queryset(request).filter(report__in=_visible_reports(request).values("pk"))

    @admin.display(description=_("comment"))
    def short_body(self, obj: ReportComment) -> str:
        return Truncator(obj.body).chars(80)


@admin.register(ReportEvent)
class ReportEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    view_action = Action.VIEW_REPORT
    edit_action = Action.MANAGE_CYCLES
    list_display = ("created_at", "kind", "report", "actor")
    list_filter = ("kind", "report__cycle")
    list_select_related = ("report", "report__parliament", "report__cycle", "actor")
    search_fields = ("report__parliament__name",)
    date_hierarchy = "created_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReportEvent]:
        return super().get_queryset(request).filter(report__in=_visible_reports(request).values("pk"))


@admin.register(Extension)
class ExtensionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Granted from the cycle page, which records the change on the report's timeline."""

    view_action = Action.VIEW_CYCLES
    edit_action = Action.MANAGE_CYCLES
    list_display = ("parliament", "cycle", "due_date", "granted_by", "granted_at")
    list_filter = ("cycle",)
    list_select_related = ("parliament", "cycle", "granted_by")
    search_fields = ("parliament__name", "reason")
