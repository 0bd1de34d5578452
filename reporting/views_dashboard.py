"""The cycle dashboard, a commitment across parliaments, a parliament across cycles, and the public summaries.

Dashboard pages are included from ``reporting/urls.py`` (names in the "reporting"
namespace) and follow the cycle pages' rules: a visitor goes to the login page, a signed-in
user the policy refuses gets 403, and an object they may not see is 404. The public pages
(``reporting/urls_public.py``) need no login and show only what ``Action.VIEW_PUBLISHED``
allows.
"""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Layout, Row, Submit
from django import forms
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.html import escape
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tracker.permissions import Action, policy, require_permission

from . import selectors_dashboard as selectors
from .heatmap import group_chart, heatmap_table, status_chart, status_css
from .models import ImplementationReport


class DashboardFilterForm(forms.Form):
    """GET filters of the heatmap and the overdue list; the choices are those of the cycle."""

    group = forms.ChoiceField(label=gettext_lazy("Geopolitical group"), required=False)
    theme = forms.ChoiceField(label=gettext_lazy("Theme"), required=False)
    state = forms.ChoiceField(label=gettext_lazy("Report state"), required=False)

    def __init__(self, *args, groups: list[tuple[int, str]], themes: list[tuple[int, str]], reset_url: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", _("All groups")), *groups]
        self.fields["theme"].choices = [("", _("All themes")), *themes]
        self.fields["state"].choices = [("", _("All states")), *ImplementationReport.State.choices]
        reset = escape(_("Reset"))
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_id = "dashboard-filter"
        self.helper.form_class = "dashboard-filter"
        self.helper.disable_csrf = True
        self.helper.attrs = {"aria-label": _("Filter the heatmap and the overdue list")}
        self.helper.layout = Layout(
            Row(
                Column("group", css_class="col-md-4"),
                Column("theme", css_class="col-md-4"),
                Column("state", css_class="col-md-2"),
                Column(
                    Submit("", _("Filter"), css_class="btn-primary btn-sm"),
                    HTML(f'<a class="btn btn-link btn-sm" href="{escape(reset_url)}">{reset}</a>'),
                    css_class="col-md-2 d-flex align-items-end gap-1 mb-3",
                ),
            )
        )


def _dashboard_url(cycle_id: int) -> str:
    return reverse("reporting:cycle_dashboard", args=[cycle_id])


@require_permission(Action.VIEW_CYCLES)
@require_GET
def cycle_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    language = get_language()
    dashboard = selectors.cycle_dashboard(
        pk, user=request.user, filters=selectors.DashboardFilter.from_query(request.GET), language=language
    )
    if dashboard is None:
        raise Http404
    filters = dashboard.filters
    form = DashboardFilterForm(
        initial={"group": filters.group or "", "theme": filters.theme or "", "state": filters.state or ""},
        groups=dashboard.groups,
        themes=dashboard.themes,
        reset_url=_dashboard_url(pk),
    )
    heatmap = heatmap_table(
        columns=dashboard.columns,
        rows=dashboard.rows,
        column_url=lambda commitment_pk: reverse("reporting:cycle_commitment", args=[pk, commitment_pk]),
        row_url=lambda row: reverse("reporting:report_detail", args=[row.report_id]) if row.may_view else None,
        parliament_url=(lambda row: reverse("reporting:parliament_detail", args=[row.iso3]))
        if policy.user_has_permission(request.user, Action.VIEW_PARLIAMENT)
        else (lambda row: None),
    )
    context = {
        "dashboard": dashboard,
        "cycle": dashboard.cycle,
        "summary": dashboard.summary,
        "figures": dashboard.figures,
        "filter_form": form,
        "heatmap": heatmap,
        "status_css": status_css(),
        "status_svg": status_chart(
            dashboard.figures.statuses, prefix="status-chart", title=_("Answers by implementation status")
        )
        if dashboard.counted_statuses
        else None,
        "group_svg": group_chart(dashboard.figures.groups, prefix="group-chart") if dashboard.figures.groups else None,
    }
    return render(request, "reporting/dashboard/cycle.html", context)


@require_permission(Action.VIEW_CYCLES)
@require_GET
def cycle_commitment(request: HttpRequest, pk: int, commitment_pk: int) -> HttpResponse:
    page = selectors.cycle_commitment(pk, commitment_pk, user=request.user, language=get_language())
    if page is None:
        raise Http404
    context = {
        "page": page,
        "cycle": page.cycle,
        "status_css": status_css(),
        "status_svg": status_chart(
            page.statuses, prefix="commitment-chart", title=_("Answers by implementation status")
        )
        if page.counted
        else None,
    }
    return render(request, "reporting/dashboard/commitment.html", context)


@require_permission(Action.VIEW_PARLIAMENT)
@require_GET
def parliament_detail(request: HttpRequest, iso3: str) -> HttpResponse:
    page = selectors.parliament_page(iso3, user=request.user)
    if page is None:
        raise Http404
    context = {"page": page, "parliament": page.parliament, "status_css": status_css()}
    return render(request, "reporting/dashboard/parliament.html", context)


urlpatterns = [
    path("cycles/<int:pk>/dashboard/", cycle_dashboard, name="cycle_dashboard"),
    path("cycles/<int:pk>/commitments/<int:commitment_pk>/", cycle_commitment, name="cycle_commitment"),
    path("parliaments/<str:iso3>/", parliament_detail, name="parliament_detail"),
]


# Public pages ------------------------------------------------------------------------------


@require_permission(Action.VIEW_PUBLISHED)
@require_GET
def public_index(request: HttpRequest) -> HttpResponse:
    cycles = selectors.published_cycles(user=request.user)
    return render(request, "reporting/public/index.html", {"cycles": cycles})


@require_permission(Action.VIEW_PUBLISHED)
@require_GET
def public_cycle(request: HttpRequest, pk: int) -> HttpResponse:
    published = selectors.published_cycle(pk, user=request.user, language=get_language())
    if published is None:
        raise Http404
    context = {
        "published": published,
        "cycle": published.cycle,
        "summary": published.summary,
        "figures": published.figures,
        "status_css": status_css(),
        "status_svg": status_chart(
            published.figures.statuses, prefix="public-status-chart", title=_("Answers by implementation status")
        )
        if published.counted_statuses
        else None,
    }
    return render(request, "reporting/public/cycle.html", context)


@require_permission(Action.VIEW_PUBLISHED)
@require_GET
def public_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """A file of a published answer, unless it is marked private; streamed, never from MEDIA_URL."""
    evidence = selectors.published_evidence(pk, user=request.user)
    if evidence is None:
        raise Http404
    try:
        handle = evidence.file.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
