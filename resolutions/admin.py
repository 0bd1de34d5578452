"""Admin where the Secretariat corrects what the importer read: verbs, addressees, themes, the report flag."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Field, Model, Prefetch, QuerySet
from django.db.models.fields.related import ManyToManyField
from django.forms import ModelMultipleChoiceField, Select
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tracker.admin import PolicyAdminMixin, PolicyInlineMixin
from tracker.permissions import Action

from .models import Addressee, Commitment, Document, DocumentReference, Paragraph, Reservation, Theme
from .selectors import STRENGTH_LABELS

_PARENT_DOCUMENT_ATTR = "_admin_parent_document"
_PARAGRAPH_CHOICES_ATTR = "_admin_paragraph_choices"
DOCUMENT_TITLE_CHARS = 60


@admin.register(Addressee)
class AddresseeAdmin(PolicyAdminMixin, admin.ModelAdmin):
    view_action = Action.EDIT_COMMITMENTS
    edit_action = Action.EDIT_DOCUMENTS
    list_display = ("label", "code")
    search_fields = ("label", "code")


@admin.register(Theme)
class ThemeAdmin(PolicyAdminMixin, admin.ModelAdmin):
    view_action = Action.EDIT_COMMITMENTS
    edit_action = Action.EDIT_DOCUMENTS
    list_display = ("label", "code")
    search_fields = ("label", "code")


class ParagraphInline(PolicyInlineMixin, admin.TabularInline):
    """The text as imported, read-only; corrections go through the commitment's own page."""

    model = Paragraph
    edit_action = Action.EDIT_DOCUMENTS
    can_add = False
    can_delete = False
    extra = 0
    fields = ("label", "opening_phrase", "text", "commitment_link")
    readonly_fields = fields
    show_change_link = False
    verbose_name_plural = _("paragraphs (read-only)")

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._may(request, Action.EDIT_COMMITMENTS) or self._may(request, Action.EDIT_DOCUMENTS)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Paragraph]:
        return (
            super()
            .get_queryset(request)
            .select_related("parent", "commitment")
            .order_by("-kind", "parent__position", "position", "letter")
        )

    @admin.display(description=_("paragraph"))
    def label(self, obj: Paragraph) -> str:
        return obj.label

    @admin.display(description=_("commitment"))
    def commitment_link(self, obj: Paragraph) -> str:
        commitment = getattr(obj, "commitment", None)
        if commitment is None:
            return "-"
        url = reverse("admin:resolutions_commitment_change", args=[commitment.pk])
        return format_html('<a href="{}">{}</a>', url, commitment.verb)


class ReservationInline(PolicyInlineMixin, admin.StackedInline):
    model = Reservation
    edit_action = Action.EDIT_DOCUMENTS
    extra = 0
    fields = (("delegation", "parliament"), "on", ("entire", "opposition"), "paragraphs", "position")
    autocomplete_fields = ("parliament",)
    filter_horizontal = ("paragraphs",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Reservation]:
        named = Prefetch("paragraphs", queryset=Paragraph.objects.only("pk").order_by())
        return super().get_queryset(request).select_related("parliament").prefetch_related(named)

    def formfield_for_manytomany(self, db_field: ManyToManyField, request: HttpRequest, **kwargs: Any) -> Any:
        # Offer only this document's paragraphs, with labels that need no extra query.
        field: ModelMultipleChoiceField = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "paragraphs":
            document = getattr(request, _PARENT_DOCUMENT_ATTR, None)
            paragraphs = Paragraph.objects.select_related("parent").order_by("-kind", "parent__position", "position")
            field.queryset = paragraphs.filter(document=document) if document else paragraphs.none()
            # Every reservation form offers the same paragraphs: read them once per request.
            if not hasattr(request, _PARAGRAPH_CHOICES_ATTR):
                setattr(request, _PARAGRAPH_CHOICES_ATTR, [(p.pk, p.label) for p in field.queryset])
            field.choices = getattr(request, _PARAGRAPH_CHOICES_ATTR)
        return field


class DocumentReferenceInline(PolicyInlineMixin, admin.TabularInline):
    model = DocumentReference
    fk_name = "document"
    edit_action = Action.EDIT_DOCUMENTS
    extra = 0
    fields = ("phrase", "title", "assembly_number", "target")
    raw_id_fields = ("target",)


@admin.register(Document)
class DocumentAdmin(PolicyAdminMixin, admin.ModelAdmin):
    view_action = Action.EDIT_COMMITMENTS
    edit_action = Action.EDIT_DOCUMENTS
    can_add = False  # texts arrive through the importer, which keeps the source and its checksum
    list_display = ("display_title", "kind", "body", "symbol", "assembly_number", "adopted", "imported_at")
    list_filter = ("kind", "body", "assembly")
    list_select_related = ("assembly",)
    search_fields = ("title", "symbol", "source_name")
    date_hierarchy = "imported_at"
    raw_id_fields = ("related_to",)
    autocomplete_fields = ("assembly", "deadline_assembly")
    readonly_fields = (
        "source_name",
        "checksum",
        "importer_version",
        "imported_at",
        "imported_by",
        "deadline_paragraph",
        "source_text",
        "view_on_site_link",
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "kind",
                    "status",
                    "title",
                    ("body", "symbol"),
                    ("assembly", "assembly_number"),
                    ("session", "place"),
                    ("adopted", "issued"),
                    "sponsors",
                    "view_on_site_link",
                )
            },
        ),
        (
            _("Reporting deadline"),
            {"fields": ("deadline_phrase", ("deadline_assembly", "deadline_date"), "deadline_paragraph")},
        ),
        (_("Background note"), {"fields": ("related_to", "related_title", "guiding_questions")}),
        (
            _("Source"),
            {
                "classes": ("collapse",),
                "fields": (
                    ("source_name", "checksum"),
                    ("importer_version", "imported_at", "imported_by"),
                    "source_text",
                ),
            },
        ),
    )
    inlines = [ReservationInline, DocumentReferenceInline, ParagraphInline]

    @admin.display(description=_("title"), ordering="title")
    def display_title(self, obj: Document) -> str:
        return obj.display_title

    @admin.display(description=_("public page"))
    def view_on_site_link(self, obj: Document) -> str:
        if obj.pk is None:
            return "-"
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.get_absolute_url())

    def get_inline_instances(self, request: HttpRequest, obj: Document | None = None) -> list:
        setattr(request, _PARENT_DOCUMENT_ATTR, obj)
        return super().get_inline_instances(request, obj)


class ParliamentsReportFilter(admin.SimpleListFilter):
    """Spelled-out choices; a bare yes/no reads ambiguously next to "asks parliaments"."""

    title = _("parliaments report on this")
    parameter_name = "parliaments_report"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("1", _("Reported on")), ("0", _("Not reported on"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Commitment]) -> QuerySet[Commitment]:
        if self.value() in {"0", "1"}:
            return queryset.filter(parliaments_report=self.value() == "1")
        return queryset


@admin.register(Commitment)
class CommitmentAdmin(PolicyAdminMixin, admin.ModelAdmin):
    edit_action = Action.EDIT_COMMITMENTS
    can_add = False  # commitments come from the importer, one per operative (sub-)paragraph
    can_delete = False
    list_display = (
        "paragraph_label",
        "document_title",
        "verb",
        "strength",
        "addresses_parliaments",
        "parliaments_report",
    )
    list_display_links = ("paragraph_label",)
    list_editable = ("verb", "strength", "parliaments_report")
    list_filter = (ParliamentsReportFilter, "addresses_parliaments", "document", "themes", "addressees")
    list_select_related = ("document", "paragraph", "paragraph__parent")
    list_per_page = 50
    search_fields = ("verb", "paragraph__text", "document__title", "document__symbol")
    filter_horizontal = ("addressees", "themes")
    fields = (
        "document",
        "paragraph_label",
        "paragraph_text",
        "verb",
        "strength",
        "addressees",
        "themes",
        "addresses_parliaments",
        "parliaments_report",
    )
    readonly_fields = ("document", "paragraph_label", "paragraph_text", "addresses_parliaments")
    actions = ["mark_parliaments_report", "unmark_parliaments_report"]
    ordering = ("document", "paragraph__kind", "paragraph__position", "paragraph__letter")

    @admin.display(description=_("document"), ordering="document__title")
    def document_title(self, obj: Commitment) -> str:
        return Truncator(obj.document.display_title).chars(DOCUMENT_TITLE_CHARS)

    @admin.display(description=_("paragraph"), ordering="paragraph__position")
    def paragraph_label(self, obj: Commitment) -> str:
        return obj.paragraph.label

    @admin.display(description=_("text"))
    def paragraph_text(self, obj: Commitment) -> str:
        return obj.paragraph.text

    def get_queryset(self, request: HttpRequest) -> QuerySet[Commitment]:
        return super().get_queryset(request).select_related("document", "paragraph", "paragraph__parent")

    def formfield_for_dbfield(self, db_field: Field, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "strength":
            choices = [(value, f"{value} · {label}") for value, label in STRENGTH_LABELS.items()]
            kwargs["widget"] = Select(choices=choices)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def _set_parliaments_report(self, request: HttpRequest, queryset: QuerySet[Commitment], value: bool) -> None:
        count = queryset.update(parliaments_report=value)
        if value:
            message = ngettext(
                "Parliaments now report on %(count)d commitment.",
                "Parliaments now report on %(count)d commitments.",
                count,
            )
        else:
            message = ngettext(
                "Parliaments no longer report on %(count)d commitment.",
                "Parliaments no longer report on %(count)d commitments.",
                count,
            )
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Parliaments report on these"), permissions=["change"])
    def mark_parliaments_report(self, request: HttpRequest, queryset: QuerySet[Commitment]) -> None:
        self._set_parliaments_report(request, queryset, True)

    @admin.action(description=_("Parliaments do not report on these"), permissions=["change"])
    def unmark_parliaments_report(self, request: HttpRequest, queryset: QuerySet[Commitment]) -> None:
        self._set_parliaments_report(request, queryset, False)
