"""Who may open or use each reporting URL, for every role and report state.

Reading a row: the status code each person gets. 302 for a visitor is the login page; 302
for a signed-in person on a POST is the redirect after success (the effect is checked too).
404 means the report or file is hidden from that person; 403 that they see it but may not
do this. Parliament A is in the chair's group, parliament B is not.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reporting.models import Evidence, ImplementationReport, ReportComment
from reporting.services import ResponseChange, report_save

from .factories import (
    PDF_BYTES,
    World,
    advance_report,
    attach_pdf,
    build_world,
    edit_form_data,
    ordered_responses,
)

pytestmark = pytest.mark.django_db
State = ImplementationReport.State

USERS = ("anonymous", "reporter_a", "reporter_b", "approver_a", "reviewer", "admin", "chair")


def row(*codes: int) -> dict[str, int]:
    assert len(codes) == len(USERS)
    return dict(zip(USERS, codes, strict=True))


#                                      anon  rep A rep B appr A review admin chair
REPORT_MATRIX: dict[tuple[str, str], dict[str, int]] = {
    ("report_detail", State.DRAFT): row(302, 200, 404, 200, 404, 404, 404),
    ("report_detail", State.SUBMITTED): row(302, 200, 404, 200, 200, 200, 200),
    ("report_detail", State.RETURNED): row(302, 200, 404, 200, 200, 200, 404),
    ("report_detail", State.ACCEPTED): row(302, 200, 404, 200, 200, 200, 200),
    ("report_edit", State.DRAFT): row(302, 200, 404, 200, 404, 404, 404),
    ("report_edit", State.SUBMITTED): row(302, 403, 404, 403, 403, 403, 403),
    ("report_edit", State.RETURNED): row(302, 200, 404, 200, 403, 403, 404),
    ("report_edit", State.ACCEPTED): row(302, 403, 404, 403, 403, 403, 403),
    ("report_save", State.DRAFT): row(302, 302, 404, 302, 404, 404, 404),
    ("report_save", State.SUBMITTED): row(302, 403, 404, 403, 403, 403, 403),
    ("report_save", State.RETURNED): row(302, 302, 404, 302, 403, 403, 404),
    ("report_save", State.ACCEPTED): row(302, 403, 404, 403, 403, 403, 403),
    ("submit", State.DRAFT): row(302, 403, 404, 302, 404, 404, 404),
    ("submit", State.SUBMITTED): row(302, 403, 404, 403, 403, 403, 403),
    ("submit", State.RETURNED): row(302, 403, 404, 302, 403, 403, 404),
    ("submit", State.ACCEPTED): row(302, 403, 404, 403, 403, 403, 403),
    ("accept", State.DRAFT): row(302, 403, 404, 403, 404, 404, 404),
    ("accept", State.SUBMITTED): row(302, 403, 404, 403, 302, 302, 403),
    ("accept", State.RETURNED): row(302, 403, 404, 403, 403, 403, 404),
    ("accept", State.ACCEPTED): row(302, 403, 404, 403, 403, 403, 403),
    ("return", State.DRAFT): row(302, 403, 404, 403, 404, 404, 404),
    ("return", State.SUBMITTED): row(302, 403, 404, 403, 302, 302, 403),
    ("return", State.RETURNED): row(302, 403, 404, 403, 403, 403, 404),
    ("return", State.ACCEPTED): row(302, 403, 404, 403, 403, 403, 403),
    ("comment", State.DRAFT): row(302, 302, 404, 302, 404, 404, 404),
    ("comment", State.SUBMITTED): row(302, 302, 404, 302, 302, 302, 403),
    ("comment", State.RETURNED): row(302, 302, 404, 302, 302, 302, 404),
    ("comment", State.ACCEPTED): row(302, 302, 404, 302, 302, 302, 403),
    ("evidence_upload", State.DRAFT): row(302, 302, 404, 302, 404, 404, 404),
    ("evidence_upload", State.SUBMITTED): row(302, 403, 404, 403, 403, 403, 403),
    ("evidence_upload", State.RETURNED): row(302, 302, 404, 302, 403, 403, 404),
    ("evidence_upload", State.ACCEPTED): row(302, 403, 404, 403, 403, 403, 403),
    ("evidence_download", State.DRAFT): row(302, 200, 404, 200, 404, 404, 404),
    ("evidence_download", State.SUBMITTED): row(302, 200, 404, 200, 200, 200, 200),
    ("evidence_download", State.RETURNED): row(302, 200, 404, 200, 200, 200, 404),
    ("evidence_download", State.ACCEPTED): row(302, 200, 404, 200, 200, 200, 200),
    ("evidence_delete", State.DRAFT): row(302, 302, 404, 302, 404, 404, 404),
    ("evidence_delete", State.SUBMITTED): row(302, 403, 404, 403, 403, 403, 403),
    ("evidence_delete", State.RETURNED): row(302, 302, 404, 302, 403, 403, 404),
    ("evidence_delete", State.ACCEPTED): row(302, 403, 404, 403, 403, 403, 403),
}

#                                      anon  rep A rep B appr A review admin chair
PAGE_MATRIX: dict[tuple[str, str], dict[str, int]] = {
    ("my_reports", "get"): row(302, 200, 200, 200, 302, 302, 403),
    ("review_queue", "get"): row(302, 403, 403, 403, 200, 200, 403),
    ("cycle_list", "get"): row(302, 403, 403, 403, 200, 200, 200),
    ("cycle_detail", "get"): row(302, 403, 403, 403, 200, 200, 200),
    ("cycle_create", "get"): row(302, 403, 403, 403, 403, 200, 403),
    ("cycle_create", "post"): row(302, 403, 403, 403, 403, 200, 403),
    ("extension_create", "get"): row(302, 403, 403, 403, 403, 200, 403),
    ("extension_create", "post"): row(302, 403, 403, 403, 403, 200, 403),
}

POST_ENDPOINTS = {"report_save", "submit", "accept", "return", "comment", "evidence_upload", "evidence_delete"}
MATRIX_NARRATIVE = "Typed in the matrix."
MATRIX_COMMENT = "A comment from the matrix."


@pytest.fixture
def world() -> World:
    return build_world()


def _prepare(world: World, state: str) -> Evidence:
    """Report A in ``state``, with one evidence file attached while it was a draft."""
    evidence = attach_pdf(ordered_responses(world.report_a)[0], user=world.reporter_a, name="annex.pdf")
    advance_report(world.report_a, state, approver=world.approver_a, reviewer=world.reviewer)
    return evidence


def _perform(client, world: World, endpoint: str, evidence: Evidence):
    report = world.report_a
    first = ordered_responses(report)[0]
    if endpoint == "report_detail":
        return client.get(reverse("reporting:report_detail", args=[report.pk]))
    if endpoint == "report_edit":
        return client.get(reverse("reporting:report_edit", args=[report.pk]))
    if endpoint == "report_save":
        data = edit_form_data(report, {first.pk: {"narrative": MATRIX_NARRATIVE}})
        return client.post(reverse("reporting:report_edit", args=[report.pk]), data)
    if endpoint in {"submit", "accept", "return"}:
        url = reverse("reporting:report_transition", args=[report.pk, endpoint])
        return client.post(url, {"comment": "Please say more about the budget."})
    if endpoint == "comment":
        return client.post(reverse("reporting:comment_add", args=[report.pk]), {"body": MATRIX_COMMENT})
    if endpoint == "evidence_upload":
        upload = SimpleUploadedFile("more.pdf", PDF_BYTES, content_type="application/pdf")
        return client.post(reverse("reporting:evidence_upload", args=[report.pk, first.pk]), {"file": upload})
    if endpoint == "evidence_download":
        return client.get(reverse("reporting:evidence_download", args=[evidence.pk]))
    if endpoint == "evidence_delete":
        return client.post(reverse("reporting:evidence_delete", args=[evidence.pk]))
    raise AssertionError(endpoint)


def _changed(world: World, endpoint: str, state: str, evidence: Evidence) -> bool:
    report = ImplementationReport.objects.get(pk=world.report_a.pk)
    if endpoint == "report_save":
        return ordered_responses(report)[0].narrative == MATRIX_NARRATIVE
    if endpoint in {"submit", "accept", "return"}:
        return report.state != state
    if endpoint == "comment":
        return ReportComment.objects.filter(report=report, body=MATRIX_COMMENT).exists()
    if endpoint == "evidence_upload":
        return Evidence.objects.filter(response__report=report).count() != 1
    if endpoint == "evidence_delete":
        return not Evidence.objects.filter(pk=evidence.pk).exists()
    return False


REPORT_CASES = [
    pytest.param(endpoint, state, who, expected, id=f"{endpoint}-{state}-{who}")
    for (endpoint, state), codes in REPORT_MATRIX.items()
    for who, expected in codes.items()
]


@pytest.mark.parametrize(("endpoint", "state", "who", "expected"), REPORT_CASES)
def test_report_urls(client, world, endpoint, state, who, expected):
    evidence = _prepare(world, state)
    user = world.users()[who]
    if user is not None:
        client.force_login(user)
    response = _perform(client, world, endpoint, evidence)
    assert response.status_code == expected
    if user is None:
        assert response["Location"].startswith(reverse("login"))
    succeeded = user is not None and expected == 302 and endpoint in POST_ENDPOINTS
    assert _changed(world, endpoint, state, evidence) is succeeded


PAGE_CASES = [
    pytest.param(name, method, who, expected, id=f"{name}-{method}-{who}")
    for (name, method), codes in PAGE_MATRIX.items()
    for who, expected in codes.items()
]


@pytest.mark.parametrize(("name", "method", "who", "expected"), PAGE_CASES)
def test_pages(client, world, name, method, who, expected):
    user = world.users()[who]
    if user is not None:
        client.force_login(user)
    args = [world.cycle.pk] if name in {"cycle_detail", "extension_create"} else []
    url = reverse(f"reporting:{name}", args=args)
    response = client.get(url) if method == "get" else client.post(url, {})
    assert response.status_code == expected
    if user is None:
        assert response["Location"].startswith(reverse("login"))


def test_secretariat_home_goes_to_the_review_queue(client, world):
    client.force_login(world.reviewer)
    assert client.get(reverse("reporting:my_reports"))["Location"] == reverse("reporting:review_queue")


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("report_transition", {"name": "submit"}),
        ("comment_add", {}),
        ("evidence_upload", {"response_pk": 0}),
    ],
)
def test_post_only_urls_refuse_get(client, world, name, kwargs):
    client.force_login(world.approver_a)
    if "response_pk" in kwargs:
        kwargs["response_pk"] = ordered_responses(world.report_a)[0].pk
    url = reverse(f"reporting:{name}", kwargs={"pk": world.report_a.pk, **kwargs})
    assert client.get(url).status_code == 405


def test_missing_objects_are_not_found(client, world):
    client.force_login(world.admin)
    for name in ("report_detail", "report_edit", "evidence_download", "cycle_detail", "extension_create"):
        assert client.get(reverse(f"reporting:{name}", args=[999_999])).status_code == 404, name


# Nobody reads or changes another parliament's draft ----------------------------------------

SECRET = "Confidential draft wording of parliament A"
SECRET_FILE = "confidential-annex-of-a.pdf"


@pytest.mark.parametrize("who", ["reporter_b", "approver_b", "reviewer", "admin", "chair"])
def test_nobody_else_reads_or_changes_a_draft(client, world, who):
    first = ordered_responses(world.report_a)[0]
    report_save(
        report=world.report_a,
        user=world.reporter_a,
        changes=[ResponseChange(first.pk, first.version, {"narrative": SECRET, "status": "planned"})],
    )
    evidence = attach_pdf(first, user=world.reporter_a, name=SECRET_FILE)
    user = getattr(world, who)
    user.is_staff = who in {"reviewer", "admin"}
    user.save()
    client.force_login(user)

    pages = [
        world.report_a.get_absolute_url(),
        reverse("reporting:report_edit", args=[world.report_a.pk]),
        reverse("reporting:evidence_download", args=[evidence.pk]),
        reverse("reporting:my_reports"),
        reverse("reporting:review_queue"),
        reverse("reporting:cycle_list"),
        world.cycle.get_absolute_url(),
        reverse("admin:reporting_implementationreport_changelist"),
        reverse("admin:reporting_commitmentresponse_changelist") + "?q=Confidential",
        reverse("admin:reporting_evidence_changelist"),
        reverse("admin:reporting_reportevent_changelist"),
        reverse("admin:reporting_implementationreport_change", args=[world.report_a.pk]),
        reverse("admin:reporting_commitmentresponse_change", args=[first.pk]),
        reverse("admin:reporting_evidence_change", args=[evidence.pk]),
    ]
    for url in pages:
        response = client.get(url, follow=True)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert SECRET.encode() not in body, url
        assert SECRET_FILE.encode() not in body, url
        assert PDF_BYTES not in body, url
    for url in pages[:3]:
        assert client.get(url).status_code == 404, url

    attempts = [
        (
            reverse("reporting:report_edit", args=[world.report_a.pk]),
            edit_form_data(world.report_a, {first.pk: {"narrative": "Overwritten"}}),
        ),
        (reverse("reporting:report_transition", args=[world.report_a.pk, "submit"]), {}),
        (reverse("reporting:comment_add", args=[world.report_a.pk]), {"body": "Sneaky"}),
        (
            reverse("reporting:evidence_upload", args=[world.report_a.pk, first.pk]),
            {"file": SimpleUploadedFile("x.pdf", PDF_BYTES)},
        ),
        (reverse("reporting:evidence_delete", args=[evidence.pk]), {}),
    ]
    for url, data in attempts:
        assert client.post(url, data).status_code == 404, url
    first.refresh_from_db()
    world.report_a.refresh_from_db()
    assert first.narrative == SECRET and first.version == 1
    assert world.report_a.state == State.DRAFT
    assert not ReportComment.objects.filter(report=world.report_a).exists()
    assert list(Evidence.objects.filter(response__report=world.report_a)) == [evidence]


def test_a_parliament_cannot_reach_another_parliaments_answers_through_its_own_report(client, world):
    """Response ids of B's report posted to A's form or upload URL are ignored or not found."""
    theirs = ordered_responses(world.report_b)[0]
    client.force_login(world.reporter_a)
    data = edit_form_data(world.report_a)
    data.update({f"response-{theirs.pk}-narrative": "Injected", f"response-{theirs.pk}-version": 0})
    assert client.post(reverse("reporting:report_edit", args=[world.report_a.pk]), data).status_code == 302
    upload = SimpleUploadedFile("x.pdf", PDF_BYTES)
    url = reverse("reporting:evidence_upload", args=[world.report_a.pk, theirs.pk])
    assert client.post(url, {"file": upload}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.narrative == "" and theirs.version == 0
    assert not Evidence.objects.exists()
