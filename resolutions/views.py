"""Resolution pages: home, the public list and detail, and the Secretariat's two-step import."""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tracker.permissions import Action, require_permission

from . import selectors
from .forms import DocumentFilterForm, DocumentUploadForm
from .services import ImportRejected, ImportResult, document_import

PAGE_SIZE = 25
HOME_LATEST_COUNT = 5
STAGING_DIR = "import-staging"
STAGING_SESSION_KEY = "resolution_import"
STAGING_MAX_AGE_SECONDS = 24 * 60 * 60
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


@require_permission(Action.VIEW_DOCUMENTS)
def home(request: HttpRequest) -> HttpResponse:
    """The site's front page: a short introduction and the latest resolutions."""
    documents = selectors.latest_documents(user=request.user, limit=HOME_LATEST_COUNT)
    return render(request, "home.html", {"documents": documents})


@require_permission(Action.VIEW_DOCUMENTS)
def document_list(request: HttpRequest) -> HttpResponse:
    form = DocumentFilterForm(request.GET or None, bodies=selectors.document_bodies(user=request.user))
    documents = selectors.document_list(user=request.user, **form.filters())
    page = Paginator(documents, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page_obj": page, "documents": page.object_list, "query": query.urlencode()}
    return render(request, "resolutions/document_list.html", context)


@require_permission(Action.VIEW_DOCUMENTS)
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    display = selectors.document_for_display(pk, user=request.user)
    if display is None:
        raise Http404
    return render(request, "resolutions/document_detail.html", {"display": display, "document": display.document})


@require_permission(Action.IMPORT_DOCUMENTS)
def document_import_upload(request: HttpRequest) -> HttpResponse:
    """Step one: parse the upload without saving, stage its bytes and show what would be imported."""
    form = DocumentUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        source_name = form.source_name()
        try:
            result = document_import(data=data, source_name=source_name, dry_run=True)
        except ImportRejected as exc:
            form.add_error("file", str(exc))
        else:
            _discard_staged(request)
            if result.duplicate_of is None:
                _stage(request, data, source_name)
            return _render_preview(request, result, source_name)
    return render(request, "resolutions/import_form.html", {"form": form})


@require_permission(Action.IMPORT_DOCUMENTS)
@require_POST
def document_import_publish(request: HttpRequest) -> HttpResponse:
    """Step two: import the staged bytes for real, then forget them."""
    staged = _staged(request)
    if staged is None:
        messages.error(request, _("Nothing is waiting to be published; please upload the file again."))
        return redirect("resolutions:import")
    data, source_name = staged
    try:
        result = document_import(data=data, source_name=source_name, user=request.user, dry_run=False)
    except ImportRejected as exc:
        _discard_staged(request)
        messages.error(request, str(exc))
        return redirect("resolutions:import")
    _discard_staged(request)
    if not result.created and result.duplicate_of is not None:
        messages.info(request, _("This text was already imported; here it is."))
        return redirect(result.duplicate_of)
    messages.success(request, _("Imported “%(title)s”.") % {"title": result.document.display_title})
    return redirect(result.document)


@require_permission(Action.IMPORT_DOCUMENTS)
@require_POST
def document_import_cancel(request: HttpRequest) -> HttpResponse:
    _discard_staged(request)
    messages.info(request, _("Import cancelled; nothing was saved."))
    return redirect("resolutions:import")


def _render_preview(request: HttpRequest, result: ImportResult, source_name: str) -> HttpResponse:
    parsed = result.parsed
    context = {
        "result": result,
        "parsed": parsed,
        "source_name": source_name,
        "subparagraph_count": sum(len(p.subparagraphs) for p in parsed.operative),
        "parliament_count": sum(
            p.addresses_parliaments + sum(s.addresses_parliaments for s in p.subparagraphs) for p in parsed.operative
        ),
    }
    return render(request, "resolutions/import_preview.html", context)


# Staging keeps the uploaded bytes on the server between preview and publish; the session
# holds only a random token, so the browser never sends the text back.


def _staging_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / STAGING_DIR


def _staged_path(token: str) -> Path | None:
    if not _TOKEN_RE.match(token or ""):
        return None
    return _staging_dir() / f"{token}.upload"


def _stage(request: HttpRequest, data: bytes, source_name: str) -> None:
    directory = _staging_dir()
    directory.mkdir(parents=True, exist_ok=True)
    _sweep_stale(directory)
    token = secrets.token_urlsafe(32)
    path = _staged_path(token)
    path.write_bytes(data)
    request.session[STAGING_SESSION_KEY] = {"token": token, "source_name": source_name}


def _staged(request: HttpRequest) -> tuple[bytes, str] | None:
    entry = request.session.get(STAGING_SESSION_KEY) or {}
    path = _staged_path(entry.get("token", ""))
    if path is None or not path.is_file():
        return None
    return path.read_bytes(), entry.get("source_name", "")


def _discard_staged(request: HttpRequest) -> None:
    entry = request.session.pop(STAGING_SESSION_KEY, None) or {}
    path = _staged_path(entry.get("token", ""))
    if path is not None:
        path.unlink(missing_ok=True)


def _sweep_stale(directory: Path) -> None:
    """Remove uploads that were previewed but never published or cancelled."""
    cutoff = time.time() - STAGING_MAX_AGE_SECONDS
    for path in directory.glob("*.upload"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:
            continue  # removed meanwhile by its own publish or cancel
