"""Published summaries: readable without logging in, and nothing but what was agreed to leaks.

The cycle (conftest) asks parliaments A, B and C. A is accepted and agreed to publication,
with one file open to the public and one private; B is accepted but did not agree; C agreed
but its report is not accepted (draft, submitted or returned). Only A's answers and A's
public file may reach a visitor.
"""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reporting.models import (
    CommitmentResponse,
    CycleSummary,
    Evidence,
    ImplementationReport,
    ReportingCycle,
)
from reporting.services import ResponseChange, publish_consent_set, report_save
from reporting.summaries import summary_build
from tests.factories import GeopoliticalGroupFactory
from tests.reporting.factories import attach_pdf, make_parliaments, make_resolution, open_test_cycle

pytestmark = pytest.mark.django_db
State = ImplementationReport.State

SHOWN = {
    "narrative": "Parliament A passed the follow-up act.",
    "file": "a-public-act.pdf",
}
HIDDEN = {
    "a_private_file": "a-private-memo.pdf",
    "b_narrative": "Parliament B keeps this to itself.",
    "b_file": "b-open-file.pdf",
    "c_narrative": "Parliament C has not been accepted yet.",
    "c_file": "c-open-file.pdf",
}


def fill(report, user, text: str, *, consent: bool, public_file: str, private_file: str | None = None) -> None:
    """Answer the first commitment, attach files and set the consent, as the parliament would."""
    response = report.responses.order_by("commitment__paragraph__position", "pk").first()
    change = ResponseChange(
        response_id=response.pk,
        version=response.version,
        values={"status": "in_progress", "measures": ["legislation"], "narrative": text},
    )
    report_save(report=report, user=user, changes=[change])
    public = attach_pdf(response, user=user, name=public_file)
    Evidence.objects.filter(pk=public.pk).update(is_private=False)
    if private_file:
        attach_pdf(response, user=user, name=private_file)
    publish_consent_set(report=report, user=user, consent=consent)


@pytest.fixture
def published(cycle, report_a, report_b, report_c, reporter_a, reporter_b, approver_c, move_to):
    fill(
        report_a,
        reporter_a,
        SHOWN["narrative"],
        consent=True,
        public_file=SHOWN["file"],
        private_file=HIDDEN["a_private_file"],
    )
    fill(report_b, reporter_b, HIDDEN["b_narrative"], consent=False, public_file=HIDDEN["b_file"])
    fill(report_c, approver_c, HIDDEN["c_narrative"], consent=True, public_file=HIDDEN["c_file"])
    move_to(report_a, State.ACCEPTED)
    move_to(report_b, State.ACCEPTED)
    summary_build(cycle_id=cycle.pk)
    return SimpleNamespace(cycle=cycle, report_a=report_a, report_b=report_b, report_c=report_c)


def public_url(cycle: ReportingCycle) -> str:
    return reverse("reporting:public_cycle", args=[cycle.pk])


def assert_nothing_hidden(html: str) -> None:
    for name, text in HIDDEN.items():
        assert text not in html, name
    assert not re.search(r'href="/reports/\d+/', html)  # no way into a report
    assert not re.search(r'href="/evidence/\d+/', html)  # nor to files behind the login


# The list ----------------------------------------------------------------------------------


def test_index_lists_only_cycles_with_a_summary(client, published, open_cycle, parliament_a):
    unpublished = open_cycle(title="Not summarised yet", selection="list", parliaments=[parliament_a])
    CycleSummary.objects.filter(cycle=unpublished).delete()
    response = client.get(reverse("reporting:public_index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert public_url(published.cycle) in html
    assert public_url(unpublished) not in html and "Not summarised yet" not in html
    summary = published.cycle.summary
    assert f"{summary.response_rate:.0f}% " in html and f"({summary.reported}/{summary.parliaments_asked})" in html
    assert_nothing_hidden(html)


def test_index_says_when_nothing_is_published(client, db):
    html = client.get(reverse("reporting:public_index")).content.decode()
    assert "No summary has been published yet." in html


def test_everyone_finds_the_published_summaries_in_the_menu(client, published, reviewer, reporter_a):
    link = f'href="{reverse("reporting:public_index")}"'
    assert link in client.get(reverse("home")).content.decode()
    for user in (reviewer, reporter_a):
        client.force_login(user)
        assert link in client.get(reverse("home")).content.decode()


# One cycle ---------------------------------------------------------------------------------


def test_public_cycle_shows_figures_groups_and_consenting_accepted_answers(client, published):
    response = client.get(public_url(published.cycle))
    assert response.status_code == 200
    html = response.content.decode()
    summary = CycleSummary.objects.get(cycle=published.cycle)
    assert re.search(rf'kf-response-rate">.*?<data value="{summary.response_rate:.4f}">', html, re.DOTALL)
    assert re.search(rf'kf-implementation">.*?<data value="{summary.implementation:.4f}">', html, re.DOTALL)
    assert html.count('class="summary-group"') == 2
    assert re.findall(r'class="published-parliament" data-parliament="(\w+)"', html) == ["AAA"]
    answers = re.findall(r'class="py-1 public-answer" data-parliament="(\w+)" data-status="(\w+)"', html)
    assert answers == [("AAA", "in_progress")]
    assert SHOWN["narrative"] in html and "Legislation" in html
    public_file = Evidence.objects.get(original_name=SHOWN["file"])
    assert reverse("reporting:public_evidence", args=[public_file.pk]) in html and SHOWN["file"] in html
    assert_nothing_hidden(html)


@pytest.mark.parametrize("state", [State.DRAFT, State.SUBMITTED, State.RETURNED])
def test_answers_of_reports_not_accepted_never_leak(client, published, move_to, state):
    move_to(published.report_c, state)
    summary_build(cycle_id=published.cycle.pk)
    html = client.get(public_url(published.cycle)).content.decode()
    assert_nothing_hidden(html)
    assert "CCC" not in html


def test_withdrawn_consent_hides_the_answers(client, published):
    ImplementationReport.objects.filter(pk=published.report_a.pk).update(publish_consent=False)
    html = client.get(public_url(published.cycle)).content.decode()
    assert SHOWN["narrative"] not in html and SHOWN["file"] not in html
    assert "No parliament has agreed to the publication of its answers in this cycle yet." in html


def test_every_stored_text_that_is_not_published_is_absent(client, published):
    """Whatever is in the database, only the consenting accepted answers reach the page."""
    html = client.get(public_url(published.cycle)).content.decode()
    allowed = set(
        CommitmentResponse.objects.filter(report__state=State.ACCEPTED, report__publish_consent=True).values_list(
            "narrative", flat=True
        )
    )
    for narrative in CommitmentResponse.objects.exclude(narrative="").values_list("narrative", flat=True):
        assert (narrative in html) is (narrative in allowed), narrative
    for name, private in Evidence.objects.values_list("original_name", "is_private"):
        assert (name in html) is (name == SHOWN["file"]), (name, private)


def test_cycle_without_summary_is_not_public(client, published):
    CycleSummary.objects.filter(cycle=published.cycle).delete()
    assert client.get(public_url(published.cycle)).status_code == 404
    assert client.get(reverse("reporting:public_cycle", args=[999999])).status_code == 404
    public_file = Evidence.objects.get(original_name=SHOWN["file"])
    assert client.get(reverse("reporting:public_evidence", args=[public_file.pk])).status_code == 404


def test_public_pages_read_the_same_for_signed_in_users(client, published, reviewer):
    client.force_login(reviewer)
    html = client.get(public_url(published.cycle)).content.decode()
    assert SHOWN["narrative"] in html
    assert_nothing_hidden(html)


# Files -------------------------------------------------------------------------------------


def test_only_public_files_of_published_answers_download(client, published, reviewer):
    by_name = dict(Evidence.objects.values_list("original_name", "pk"))
    url = reverse("reporting:public_evidence", args=[by_name[SHOWN["file"]]])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("attachment")
    for name in (HIDDEN["a_private_file"], HIDDEN["b_file"], HIDDEN["c_file"]):
        assert client.get(reverse("reporting:public_evidence", args=[by_name[name]])).status_code == 404, name
    client.force_login(reviewer)  # the public route gives the Secretariat nothing more
    assert client.get(reverse("reporting:public_evidence", args=[by_name[HIDDEN["b_file"]]])).status_code == 404


# Cost and language ------------------------------------------------------------------------


def _published_cycle(*, parliaments: int, commitments: int, admin, prefix: str, group) -> ReportingCycle:
    members = make_parliaments(parliaments, prefix=prefix)
    for parliament in members:
        parliament.groups.add(group)
    cycle = open_test_cycle(resolution=make_resolution(commitments=commitments), parliaments=members, admin=admin)
    ImplementationReport.objects.filter(cycle=cycle).update(
        state=State.ACCEPTED, publish_consent=True, submitted_at=timezone.now()
    )
    CommitmentResponse.objects.filter(report__cycle=cycle).update(status="planned", narrative="Planned.")
    summary_build(cycle_id=cycle.pk)
    return cycle


def test_public_cycle_costs_a_fixed_number_of_queries(client, admin, django_assert_max_num_queries):
    group = GeopoliticalGroupFactory(name="Everyone", slug="everyone")
    small = _published_cycle(parliaments=3, commitments=3, admin=admin, prefix="S", group=group)
    large = _published_cycle(parliaments=60, commitments=20, admin=admin, prefix="L", group=group)
    with CaptureQueriesContext(connection) as baseline:
        assert client.get(public_url(small)).status_code == 200
    assert len(baseline) <= 10
    with django_assert_max_num_queries(len(baseline)):
        response = client.get(public_url(large))
    assert response.content.decode().count('class="py-1 public-answer"') == 60 * 20
    with django_assert_max_num_queries(3):
        assert client.get(reverse("reporting:public_index")).status_code == 200


def test_public_cycle_in_french(client, published):
    html = client.get(public_url(published.cycle), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="fr">' in html
    assert "Résumés publiés" in html and "Taux de réponse" in html
    assert "Published summaries" not in html and "Answers published by parliaments" not in html


def test_a_due_date_in_the_past_changes_nothing_public(client, published):
    ReportingCycle.objects.filter(pk=published.cycle.pk).update(due_date=timezone.localdate() - timedelta(days=3))
    html = client.get(public_url(published.cycle)).content.decode()
    assert "overdue" not in html.lower()
    assert_nothing_hidden(html)
