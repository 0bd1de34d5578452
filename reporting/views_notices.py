"""The notice log: every reminder recorded for a cycle or a parliament, with its delivery state.

Included from ``reporting/urls.py`` (names in the "reporting" namespace). The Secretariat
sees every notice; a group chair those of the group's parliaments; anyone else gets 404
for a signed-in user and the login page for a visitor, as on the cycle pages.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from tracker.permissions import Action, require_permission

from .models import Notice
from .reminders import notices_for_cycle, notices_for_parliament

PAGE_SIZE = 100


def _filtered(request: HttpRequest, notices: QuerySet[Notice]) -> tuple[QuerySet[Notice], str, str]:
    """Narrow the log to one state or kind when the page asks (unknown values are ignored)."""
    state = request.GET.get("state", "")
    kind = request.GET.get("kind", "")
    if state in Notice.State.values:
        notices = notices.filter(state=state)
    if kind in Notice.Kind.values:
        notices = notices.filter(kind=kind)
    return notices, state if state in Notice.State.values else "", kind if kind in Notice.Kind.values else ""


def _render(request: HttpRequest, notices: QuerySet[Notice], context: dict) -> HttpResponse:
    notices, state, kind = _filtered(request, notices)
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    context.update(
        page=page,
        notices=page.object_list,
        state=state,
        kind=kind,
        states=Notice.State.choices,
        kinds=Notice.Kind.choices,
    )
    return render(request, "reporting/notice_log.html", context)


@require_permission(Action.VIEW_CYCLES)
@require_GET
def cycle_notices(request: HttpRequest, pk: int) -> HttpResponse:
    found = notices_for_cycle(pk, user=request.user)
    if found is None:
        raise Http404
    cycle, notices = found
    return _render(request, notices, {"cycle": cycle, "parliament": None})


@require_permission(Action.VIEW_CYCLES)
@require_GET
def parliament_notices(request: HttpRequest, iso3: str) -> HttpResponse:
    found = notices_for_parliament(iso3, user=request.user)
    if found is None:
        raise Http404
    parliament, notices = found
    return _render(request, notices, {"cycle": None, "parliament": parliament})


urlpatterns = [
    path("cycles/<int:pk>/notices/", cycle_notices, name="cycle_notices"),
    path("parliaments/<str:iso3>/notices/", parliament_notices, name="parliament_notices"),
]
