"""A report as a spreadsheet: download the template, upload it filled in.

Included from ``reporting/urls.py`` (names in the "reporting" namespace). Whoever may see
the report downloads it; whoever may edit it uploads. A signed-in user who may not see the
report gets 404, one who may see but not edit it gets 403, a visitor the login page.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from tracker.permissions import Action, policy

from . import selectors
from .models import ImplementationReport
from .spreadsheets import (
    CONTENT_TYPE,
    SheetError,
    SpreadsheetRejected,
    report_spreadsheet_import,
    report_workbook,
    spreadsheet_filename,
)
from .views import signed_in


class SpreadsheetUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Filled spreadsheet (.xlsx)"))


def _report(request: HttpRequest, pk: int, action: Action | None = None) -> ImplementationReport:
    """The report if the user may see it (else 404), and may do ``action`` to it (else 403)."""
    report = selectors.report_for_user(pk, user=request.user)
    if report is None:
        raise Http404
    if action is not None and not policy.user_has_permission_for_instance(request.user, action, report):
        raise PermissionDenied
    return report


@signed_in
@require_GET
def report_spreadsheet(request: HttpRequest, pk: int) -> HttpResponse:
    """The report's answers as an .xlsx to fill in, in the language of the page."""
    report = _report(request, pk)
    response = HttpResponse(report_workbook(report), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, spreadsheet_filename(report))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@signed_in
@require_http_methods(["GET", "POST"])
def report_spreadsheet_upload(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk, Action.EDIT_REPORT)
    posted = request.method == "POST"
    form = SpreadsheetUploadForm(request.POST if posted else None, request.FILES if posted else None)
    errors: list[SheetError] = []
    if posted and form.is_valid():
        try:
            result = report_spreadsheet_import(report=report, user=request.user, uploaded=form.cleaned_data["file"])
        except SpreadsheetRejected as rejected:
            messages.error(request, str(rejected))
            errors = rejected.errors
        else:
            messages.success(
                request,
                ngettext(
                    "Spreadsheet uploaded: %(count)d answer changed.",
                    "Spreadsheet uploaded: %(count)d answers changed.",
                    result.changed,
                )
                % {"count": result.changed},
            )
            if result.kept:
                messages.info(
                    request,
                    ngettext(
                        "%(count)d answer was changed on the website after the download and left unchanged in "
                        "the file; the website's version was kept.",
                        "%(count)d answers were changed on the website after the download and left unchanged in "
                        "the file; the website's versions were kept.",
                        result.kept,
                    )
                    % {"count": result.kept},
                )
            return redirect(report)
    return render(request, "reporting/spreadsheet_upload.html", {"report": report, "form": form, "errors": errors})


urlpatterns = [
    path("reports/<int:pk>/spreadsheet/", report_spreadsheet, name="report_spreadsheet"),
    path("reports/<int:pk>/spreadsheet/upload/", report_spreadsheet_upload, name="report_spreadsheet_upload"),
]
