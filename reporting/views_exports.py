"""Summary exports from the cycle page: request one, watch it being built, download it.

Included from ``reporting/urls.py`` (names in the "reporting" namespace). Exports hold every
parliament's answers, so they are the Secretariat's alone (``Action.EXPORT_SUMMARIES``):
a visitor is sent to the login page and any other signed-in user gets 404, so an export's
existence is not revealed. Files are streamed through ``export_download``, never from
MEDIA_URL.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from tracker.permissions import Action, deny, is_active, policy

from . import selectors
from .exports import CONTENT_TYPES
from .exports.jobs import ExportRefused, export_for_user, export_request, recent_exports
from .models import SummaryExport

ViewFunc = Callable[..., HttpResponse]
# While an export is being built the page reloads itself this often without JavaScript (seconds).
REFRESH_SECONDS = 3


def secretariat_only(view: ViewFunc) -> ViewFunc:
    """Visitors go to the login page; signed-in users who may not export get 404."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_active(request.user):
            return deny(request)
        if not policy.user_has_permission(request.user, Action.EXPORT_SUMMARIES):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


class ExportForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=SummaryExport.Format.choices)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


def _visible_export(request: HttpRequest, pk: int) -> SummaryExport:
    export = export_for_user(pk, user=request.user)
    if export is None:
        raise Http404
    return export


@secretariat_only
@require_POST
def export_create(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = selectors.cycle_for_user(pk, user=request.user, action=Action.EXPORT_SUMMARIES)
    if cycle is None:
        raise Http404
    form = ExportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a format and a language for the export."))
        return redirect(cycle)
    try:
        export = export_request(
            cycle=cycle, user=request.user, fmt=form.cleaned_data["format"], language=form.cleaned_data["language"]
        )
    except ExportRefused as error:
        messages.error(request, str(error))
        return redirect(cycle)
    return redirect(export)


@secretariat_only
@require_GET
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    export = _visible_export(request, pk)
    context = {
        "export": export,
        "cycle": export.cycle,
        "earlier": [other for other in recent_exports(export.cycle) if other.pk != export.pk],
        "refresh_seconds": REFRESH_SECONDS,
        "export_form": ExportForm(initial={"format": export.format, "language": export.language}),
    }
    return render(request, "reporting/export/detail.html", context)


def _download_url(export: SummaryExport) -> str | None:
    if export.state == SummaryExport.State.DONE and export.file:
        return reverse("reporting:export_download", args=[export.pk])
    return None


@secretariat_only
@require_GET
def export_status(request: HttpRequest, pk: int) -> JsonResponse:
    """What the progress bar polls: the state, the percentage and, once done, the download link."""
    export = _visible_export(request, pk)
    response = JsonResponse(
        {
            "state": export.state,
            "state_label": export.get_state_display(),
            "progress": export.progress,
            "finished": export.is_finished,
            "download_url": _download_url(export),
            "error": export.error,
        }
    )
    response["Cache-Control"] = "no-store"
    return response


def download_name(export: SummaryExport) -> str:
    stem = slugify(export.cycle.title)[:60] or f"cycle-{export.cycle_id}"
    return f"{stem}-{export.language}.{export.format}"


@secretariat_only
@require_GET
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    """Stream the file through the policy; exports are never exposed under MEDIA_URL."""
    export = _visible_export(request, pk)
    if _download_url(export) is None:
        raise Http404
    try:
        handle = export.file.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=download_name(export), content_type=CONTENT_TYPES[export.format]
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("cycles/<int:pk>/exports/", export_create, name="export_create"),
    path("exports/<int:pk>/", export_detail, name="export_detail"),
    path("exports/<int:pk>/status.json", export_status, name="export_status"),
    path("exports/<int:pk>/download/", export_download, name="export_download"),
]
