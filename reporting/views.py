"""Reporting pages: a parliament's reports, the report form, review, cycles and evidence files.

Who sees what is the permission policy's answer. A signed-in user who may not see a report
or a file gets 404, so its existence is not revealed; one who may see it but not do what
was asked gets 403; a visitor is sent to the login page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tracker.permissions import Action, deny, is_active, policy, require_permission

from . import selectors
from .evidence import ALLOWED_TYPES, EvidenceRejected
from .forms import (
    CommentForm,
    CycleOpenForm,
    EvidenceUploadForm,
    ExtensionForm,
    ReportOptionsForm,
    ResolutionPickForm,
    ResponseForm,
    TransitionForm,
    answer_fingerprint,
    response_values,
)
from .models import ImplementationReport
from .services import (
    ReportingError,
    StaleResponse,
    comment_add,
    cycle_open,
    evidence_add,
    evidence_remove,
    extension_grant,
    publish_consent_set,
    report_save,
)
from .workflow import TRANSITIONS, TransitionNotAllowed, report_transition

ViewFunc = Callable[..., HttpResponse]

TRANSITION_DONE = {
    "submit": gettext_lazy("The report was submitted to the IPU."),
    "return": gettext_lazy("The report was returned to the parliament for changes."),
    "accept": gettext_lazy("The report was accepted."),
}


def signed_in(view: ViewFunc) -> ViewFunc:
    """Send visitors to the login page; what signed-in users may see is decided per object."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_active(request.user):
            return deny(request)
        return view(request, *args, **kwargs)

    return wrapped


def _visible_report(request: HttpRequest, pk: int, action: Action | None = None) -> ImplementationReport:
    """The report if the user may see it (else 404), and may do ``action`` to it (else 403)."""
    report = selectors.report_for_user(pk, user=request.user)
    if report is None:
        raise Http404
    if action is not None and not policy.user_has_permission_for_instance(request.user, action, report):
        raise PermissionDenied
    return report


# Parliament home and review queue ------------------------------------------------------


@signed_in
@require_GET
def my_reports(request: HttpRequest) -> HttpResponse:
    """A parliament's open reports; the Secretariat's work starts from the review queue instead."""
    if policy.user_has_permission(request.user, Action.EDIT_REPORT):
        rows = selectors.parliament_reports(user=request.user)
        return render(request, "reporting/my_reports.html", {"rows": rows, "parliament": request.user.parliament})
    if policy.user_has_permission(request.user, Action.REVIEW_REPORT):
        return redirect("reporting:review_queue")
    raise PermissionDenied


@require_permission(Action.REVIEW_REPORT)
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    return render(request, "reporting/review_queue.html", {"rows": selectors.review_queue(user=request.user)})


# One report ------------------------------------------------------------------------------


@signed_in
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _visible_report(request, pk)
    display = selectors.report_display(report, user=request.user)
    context = {
        "display": display,
        "report": report,
        "may_edit": policy.user_has_permission_for_instance(request.user, Action.EDIT_REPORT, report),
        "may_comment": policy.user_has_permission_for_instance(request.user, Action.COMMENT_REPORT, report),
        "comment_form": CommentForm(),
    }
    return render(request, "reporting/report_detail.html", context)


def _response_forms(display: selectors.ReportDisplay, data: QueryDict | None) -> list[ResponseForm]:
    return [ResponseForm(data, response=response) for response in display.responses]


def _save_report(
    request: HttpRequest, report: ImplementationReport, forms: list[ResponseForm], options: ReportOptionsForm
) -> int:
    """Save the changed answers, then the consent; StaleResponse leaves everything unsaved."""
    changes = [form.change() for form in forms if form.is_changed_by_user()]
    changed = report_save(report=report, user=request.user, changes=changes) if changes else 0
    consent = options.cleaned_data["publish_consent"]
    if consent != report.publish_consent:
        publish_consent_set(report=report, user=request.user, consent=consent)
    return changed


def _after_stale(
    request: HttpRequest, display: selectors.ReportDisplay, error: StaleResponse
) -> tuple[list[ResponseForm], dict[int, Any]]:
    """Forms that keep what the user typed, now based on the answers saved meanwhile.

    The next save then overwrites those answers knowingly; the page shows them beside the fields.
    """
    current = selectors.responses_by_pk(display.report, error.response_ids)
    data = request.POST.copy()
    for pk, response in current.items():
        prefix = f"response-{pk}"
        data[f"{prefix}-version"] = str(response.version)
        data[f"{prefix}-loaded"] = answer_fingerprint(response_values(response))
    return _response_forms(display, data), current


@signed_in
@require_http_methods(["GET", "POST"])
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = _visible_report(request, pk, Action.EDIT_REPORT)
    display = selectors.report_display(report, user=request.user, with_history=False)
    may_submit = policy.user_has_permission_for_instance(request.user, Action.SUBMIT_REPORT, report)
    data = request.POST if request.method == "POST" else None
    forms = _response_forms(display, data)
    options = ReportOptionsForm(data, initial={"publish_consent": report.publish_consent})
    theirs: dict[int, Any] = {}
    if request.method == "POST":
        if all([form.is_valid() for form in forms]) and options.is_valid():
            try:
                changed = _save_report(request, report, forms, options)
            except StaleResponse as error:
                messages.error(request, str(error))
                forms, theirs = _after_stale(request, display, error)
            except ReportingError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    ngettext("Saved %(count)d answer.", "Saved %(count)d answers.", changed) % {"count": changed}
                    if changed
                    else _("Saved; no answer had changed."),
                )
                if "submit" in request.POST and may_submit:
                    return _submit_after_save(request, report)
                return redirect("reporting:report_edit", pk=report.pk)
        else:
            messages.error(request, _("Some answers need correcting; nothing was saved. See the marked fields."))
    sections = [{"response": form.response, "form": form, "theirs": theirs.get(form.response.pk)} for form in forms]
    context = {
        "display": display,
        "report": report,
        "sections": sections,
        "options": options,
        "may_submit": may_submit,
        "evidence_form": EvidenceUploadForm(),
        "evidence_types": ", ".join(ALLOWED_TYPES.values()),
    }
    return render(request, "reporting/report_form.html", context)


def _submit_after_save(request: HttpRequest, report: ImplementationReport) -> HttpResponse:
    try:
        report_transition(report=report, name="submit", user=request.user)
    except TransitionNotAllowed as error:
        messages.error(request, str(error))
        return redirect("reporting:report_edit", pk=report.pk)
    messages.success(request, TRANSITION_DONE["submit"])
    return redirect(report)


@signed_in
@require_POST
def report_transition_view(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    report = _visible_report(request, pk)
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise Http404
    if not policy.user_has_permission_for_instance(request.user, transition.action, report):
        raise PermissionDenied
    form = TransitionForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        report_transition(report=report, name=name, user=request.user, comment=comment)
    except TransitionNotAllowed as error:
        messages.error(request, str(error))
        return redirect(report)
    messages.success(request, TRANSITION_DONE[name])
    if transition.action == Action.REVIEW_REPORT:
        return redirect("reporting:review_queue")
    return redirect(report)


@signed_in
@require_POST
def comment_create(request: HttpRequest, pk: int) -> HttpResponse:
    report = _visible_report(request, pk, Action.COMMENT_REPORT)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The comment is empty or too long; nothing was posted."))
    else:
        try:
            comment_add(report=report, user=request.user, body=form.cleaned_data["body"])
        except ReportingError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Your comment was added."))
    return redirect(f"{report.get_absolute_url()}#comments")


# Evidence files --------------------------------------------------------------------------


@signed_in
@require_POST
def evidence_upload(request: HttpRequest, pk: int, response_pk: int) -> HttpResponse:
    report = _visible_report(request, pk, Action.EDIT_REPORT)
    response = selectors.response_in_report(report, response_pk)
    if response is None:
        raise Http404
    form = EvidenceUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to upload."))
    else:
        try:
            evidence = evidence_add(response=response, user=request.user, uploaded=form.cleaned_data["file"])
        except (EvidenceRejected, ReportingError) as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("“%(name)s” was attached.") % {"name": evidence.original_name})
    return redirect(f"{reverse('reporting:report_edit', args=[report.pk])}#response-{response.pk}")


@signed_in
@require_POST
def evidence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = selectors.evidence_for_user(pk, user=request.user)
    if evidence is None:
        raise Http404
    report = evidence.response.report
    if not policy.user_has_permission_for_instance(request.user, Action.EDIT_REPORT, report):
        raise PermissionDenied
    response_pk, name = evidence.response_id, evidence.original_name
    try:
        evidence_remove(evidence=evidence, user=request.user)
    except ReportingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("“%(name)s” was removed.") % {"name": name})
    return redirect(f"{reverse('reporting:report_edit', args=[report.pk])}#response-{response_pk}")


@signed_in
@require_GET
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    """Stream a file through the policy; files are never exposed under MEDIA_URL."""
    evidence = selectors.evidence_for_user(pk, user=request.user)
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
    response["Cache-Control"] = "private, no-store"
    return response


# Cycles ----------------------------------------------------------------------------------


@require_permission(Action.VIEW_CYCLES)
@require_GET
def cycle_list(request: HttpRequest) -> HttpResponse:
    return render(request, "reporting/cycle_list.html", {"cycles": selectors.cycle_list(user=request.user)})


@require_permission(Action.VIEW_CYCLES)
@require_GET
def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    display = selectors.cycle_for_display(pk, user=request.user)
    if display is None:
        raise Http404
    context = {
        "display": display,
        "cycle": display.cycle,
        "may_manage": policy.user_has_permission(request.user, Action.MANAGE_CYCLES),
    }
    return render(request, "reporting/cycle_detail.html", context)


@require_permission(Action.MANAGE_CYCLES)
@require_http_methods(["GET", "POST"])
def cycle_create(request: HttpRequest) -> HttpResponse:
    """Two steps on one page: pick the resolution, then dates, parliaments and commitments."""
    resolutions = selectors.cycle_resolutions()
    pick = ResolutionPickForm(request.GET or None, resolutions=resolutions)
    if not pick.is_bound or not pick.is_valid():
        return render(request, "reporting/cycle_form.html", {"pick": pick})
    resolution = pick.cleaned_data["resolution"]
    form = CycleOpenForm(
        request.POST if request.method == "POST" else None,
        resolution=resolution,
        commitments=selectors.resolution_commitments(resolution),
        groups=selectors.geopolitical_groups(),
        parliaments=selectors.all_parliaments(),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cycle = cycle_open(
                resolution=resolution,
                user=request.user,
                title=data["title"],
                opened_on=data["opened_on"],
                due_date=data["due_date"],
                selection=data["selection"],
                groups=data["groups"],
                parliaments=data["parliaments"],
                commitments=data["commitments"],
            )
        except ReportingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The reporting cycle is open."))
            return redirect(cycle)
    return render(request, "reporting/cycle_form.html", {"pick": pick, "form": form, "resolution": resolution})


@require_permission(Action.MANAGE_CYCLES)
@require_http_methods(["GET", "POST"])
def extension_create(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = selectors.cycle_for_user(pk, user=request.user)
    if cycle is None:
        raise Http404
    form = ExtensionForm(
        request.POST if request.method == "POST" else None,
        parliaments=selectors.cycle_parliaments(cycle),
        initial={"parliament": request.GET.get("parliament")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            extension_grant(
                cycle=cycle,
                parliament=data["parliament"],
                due_date=data["due_date"],
                reason=data["reason"],
                user=request.user,
            )
        except ReportingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("%(parliament)s now has until %(date)s.")
                % {"parliament": data["parliament"], "date": data["due_date"].isoformat()},
            )
            return redirect(cycle)
    return render(request, "reporting/extension_form.html", {"cycle": cycle, "form": form})
