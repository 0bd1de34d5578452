"""The cycle dashboard, the commitment page and the parliament page: figures, heatmap, filters, access, cost.

The cycle (conftest) asks parliaments A (group A), B and C (group B) about OP 1, OP 2,
OP 2 (a) and OP 2 (b). In ``known``, A and B are accepted with known answers and C is a
draft whose answers only C may read.
"""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reporting.heatmap import inline_svg
from reporting.models import (
    CommitmentResponse,
    CycleSummary,
    Extension,
    ImplementationReport,
    Notice,
    ReportingCycle,
)
from reporting.selectors_dashboard import DashboardFilter
from reporting.services import ResponseChange, cycle_open, extension_grant, report_save
from reporting.summaries import summary_build
from resolutions.models import DocumentReference, Theme
from tests.factories import GeopoliticalGroupFactory, UserFactory
from tests.reporting.factories import make_parliaments, make_resolution, open_test_cycle
from tracker.models import Parliament, User

pytestmark = pytest.mark.django_db
State = ImplementationReport.State
CELL = re.compile(
    r'<td class="hm hm-s-(?P<key>\w+)" title="(?P<title>[^"]*)">'
    r'<span aria-hidden="true">(?P<code>[^<]*)</span><span class="visually-hidden">(?P<label>[^<]*)</span></td>'
)
ROW = re.compile(r'<tr class="hm-row" data-parliament="(\w+)" data-state="(\w+)">')


def answer(report: ImplementationReport, user: User, answers: dict) -> None:
    responses = {response.commitment_id: response for response in report.responses.all()}
    changes = [
        ResponseChange(response_id=responses[c.pk].pk, version=responses[c.pk].version, values=values)
        for c, values in answers.items()
    ]
    report_save(report=report, user=user, changes=changes)


@pytest.fixture
def known(cycle, resolution, report_a, report_b, report_c, reporter_a, reporter_b, approver_c, move_to, reviewer):
    op1, op2, op2a, op2b = resolution.reported
    answer(
        report_a,
        reporter_a,
        {
            op1: {"status": "implemented", "measures": ["legislation"], "narrative": "Adopted the 2029 act."},
            op2: {"status": "in_progress", "narrative": "Hearings under way."},
            op2a: {"status": "not_applicable"},
            op2b: {"status": "planned"},
        },
    )
    answer(report_b, reporter_b, {op1: {"status": "not_started"}, op2: {"status": "implemented"}})
    answer(report_c, approver_c, {op1: {"status": "implemented", "narrative": "Secret draft text."}})
    move_to(report_a, State.ACCEPTED)
    move_to(report_b, State.ACCEPTED)
    summary = summary_build(cycle_id=cycle.pk)
    return SimpleNamespace(cycle=cycle, resolution=resolution, reviewer=reviewer, summary=summary)


def dashboard_url(cycle: ReportingCycle, **query: object) -> str:
    url = reverse("reporting:cycle_dashboard", args=[cycle.pk])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def page(client, user, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def key_figure(html: str, name: str) -> str:
    found = re.search(rf'kf-{name}">.*?<data value="([^"]*)">', html, re.DOTALL)
    assert found, name
    return found.group(1)


def heatmap_rows(html: str) -> list[str]:
    return [iso3 for iso3, _state in ROW.findall(html)]


def cells(html: str) -> dict[str, dict]:
    """Cell title → its status class, letter code and status in words."""
    return {
        unescape(m["title"]): {"key": m["key"], "code": m["code"], "label": m["label"]} for m in CELL.finditer(html)
    }


# Figures ----------------------------------------------------------------------------------


def test_dashboard_figures_equal_the_stored_summary(client, known):
    html = page(client, known.reviewer, dashboard_url(known.cycle))
    summary = CycleSummary.objects.get(cycle=known.cycle)
    assert key_figure(html, "response-rate") == f"{summary.response_rate:.4f}" == "66.6667"
    assert key_figure(html, "on-time-rate") == f"{summary.on_time_rate:.4f}"
    assert key_figure(html, "pending-review") == str(summary.pending_review) == "0"
    assert key_figure(html, "completeness") == f"{summary.completeness:.4f}"
    assert key_figure(html, "implementation") == f"{summary.implementation:.4f}"
    for state, count in summary.reports_by_state.items():
        assert re.search(rf'kf-state-{state}">[^<]*: <strong><data value="{count}">', html), state
    # The charts are the exports' SVG, inlined with ids of their own.
    assert html.count('<svg role="img"') == 2
    assert "<?xml" not in html and 'id="status-chart-' in html and 'id="group-chart-' in html


def test_dashboard_builds_a_missing_summary(client, cycle, reviewer):
    assert not CycleSummary.objects.filter(cycle=cycle).exists()
    html = page(client, reviewer, dashboard_url(cycle))
    summary = CycleSummary.objects.get(cycle=cycle)
    assert summary.parliaments_asked == 3
    assert key_figure(html, "response-rate") == "0.0000"
    assert "No answer of an accepted report yet." in html


def test_group_table_and_chart_match_the_group_rows(client, known):
    html = page(client, known.reviewer, dashboard_url(known.cycle))
    rows = re.findall(
        r'<tr class="summary-group" data-group="\d+">\s*<th[^>]*>([^<]+)</th>\s*<td[^>]*>(\d+)</td>\s*<td[^>]*>(\d+)</td>',
        html,
    )
    assert rows == [("Group A", "1", "1"), ("Group B", "2", "1")]


# Heatmap ----------------------------------------------------------------------------------


def test_heatmap_cells_show_each_status_with_its_colour_code_and_words(client, known):
    html = page(client, known.reviewer, dashboard_url(known.cycle))
    found = cells(html)
    assert found["Parliament A – OP 1: Implemented"] == {"key": "implemented", "code": "I", "label": "Implemented"}
    assert found["Parliament A – OP 2: In progress"] == {"key": "in_progress", "code": "P", "label": "In progress"}
    assert found["Parliament A – OP 2 (a): Not applicable"]["code"] == "NA"
    assert found["Parliament A – OP 2 (b): Planned"]["code"] == "PL"
    assert found["Parliament B – OP 1: Not started"]["code"] == "N"
    assert found["Parliament B – OP 2 (a): Not answered"] == {
        "key": "unanswered",
        "code": "?",
        "label": "Not answered",
    }
    assert len(found) == 8  # A and B; C's draft is not shown
    # Each status class has its colour-blind safe fill, from the same palette as the documents.
    assert ".hm-s-implemented{background:#2C7BB6;color:#FFFFFF}" in html
    assert ".hm-s-not_started{background:#D7191C;color:#FFFFFF}" in html
    # Legend with codes and words.
    legend = html.split('class="list-inline small mb-2 heatmap-legend"')[1].split("</ul>")[0]
    assert 'hm-s-in_progress" aria-hidden="true">P</span> In progress' in legend


def test_a_draft_row_shows_no_answer(client, known):
    html = page(client, known.reviewer, dashboard_url(known.cycle))
    assert heatmap_rows(html) == ["AAA", "BBB", "CCC"]
    row_c = html.split('data-parliament="CCC" data-state="draft">')[1].split("</tr>")[0]
    assert "Not submitted: the answers stay with the parliament until then." in row_c
    assert 'class="hm hm-s-' not in row_c
    assert "Secret draft text." not in html


def test_heatmap_columns_link_to_the_commitment_pages(client, known):
    html = page(client, known.reviewer, dashboard_url(known.cycle))
    for commitment in known.resolution.reported:
        assert reverse("reporting:cycle_commitment", args=[known.cycle.pk, commitment.pk]) in html


def test_heatmap_escapes_names(client, known):
    Parliament.objects.filter(iso3="AAA").update(name='<script>alert("x")</script>')
    html = page(client, known.reviewer, dashboard_url(known.cycle))
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; – OP 1: Implemented" in html


# Filters ----------------------------------------------------------------------------------


def test_group_filter_narrows_the_rows(client, known, group_b):
    html = page(client, known.reviewer, dashboard_url(known.cycle, group=group_b.pk))
    assert heatmap_rows(html) == ["BBB", "CCC"]
    assert f'<option value="{group_b.pk}" selected>Group B</option>' in html
    # The key figures stay those of the whole cycle.
    assert key_figure(html, "response-rate") == "66.6667"


def test_state_filter_narrows_the_rows(client, known):
    assert heatmap_rows(page(client, known.reviewer, dashboard_url(known.cycle, state="accepted"))) == ["AAA", "BBB"]
    assert heatmap_rows(page(client, known.reviewer, dashboard_url(known.cycle, state="draft"))) == ["CCC"]
    html = page(client, known.reviewer, dashboard_url(known.cycle, state="submitted"))
    assert heatmap_rows(html) == [] and "No parliament matches these filters." in html


def test_theme_filter_narrows_the_columns(client, known):
    theme = Theme.objects.create(code="dashboard-test-theme", label="Dashboard test theme")
    known.resolution.op2.themes.add(theme)
    html = page(client, known.reviewer, dashboard_url(known.cycle, theme=theme.pk))
    found = cells(html)
    assert set(found) == {"Parliament A – OP 2: In progress", "Parliament B – OP 2: Implemented"}
    assert "1 of 4 commitments" in html


def test_unknown_filter_values_are_ignored(client, known):
    html = page(client, known.reviewer, dashboard_url(known.cycle, group=999999, theme="x", state="lost"))
    assert heatmap_rows(html) == ["AAA", "BBB", "CCC"]


def test_filter_values_are_checked_against_the_cycle():
    assert DashboardFilter.from_query({"group": "3", "theme": "", "state": "accepted"}) == DashboardFilter(
        3, None, "accepted"
    )
    assert DashboardFilter.from_query({"group": "-1", "state": "nope"}) == DashboardFilter()


# Overdue ----------------------------------------------------------------------------------


def test_overdue_list_counts_days_late_extensions_and_notices(
    client, known, report_c, parliament_b, parliament_c, admin
):
    today = timezone.localdate()
    ReportingCycle.objects.filter(pk=known.cycle.pk).update(due_date=today - timedelta(days=12))
    known.cycle.refresh_from_db()
    extension_grant(
        cycle=known.cycle, parliament=parliament_c, due_date=today - timedelta(days=3), reason="r", user=admin
    )
    for index, state in enumerate([Notice.State.SENT, Notice.State.SENT, Notice.State.FAILED]):
        Notice.objects.create(
            cycle=known.cycle,
            parliament=parliament_c,
            kind=Notice.Kind.OVERDUE,
            period=str(index),
            state=state,
            due_on=today,
        )
    html = page(client, known.reviewer, dashboard_url(known.cycle))
    rows = re.findall(r'<tr class="overdue-row" data-parliament="(\w+)">(.*?)</tr>', html, re.DOTALL)
    assert [iso3 for iso3, _ in rows] == ["CCC"]  # A and B were accepted
    row = rows[0][1]
    assert re.search(r'days-late">3<', row)
    assert "extended" in row
    assert re.search(r'notices-sent"><a href="/parliaments/CCC/notices/"[^>]*>2</a>', row)


def test_a_returned_report_past_its_due_date_is_overdue(client, cycle, report_b, move_to, reviewer):
    move_to(report_b, State.RETURNED)
    ReportingCycle.objects.filter(pk=cycle.pk).update(due_date=timezone.localdate() - timedelta(days=1))
    html = page(client, reviewer, dashboard_url(cycle))
    assert re.findall(r'<tr class="overdue-row" data-parliament="(\w+)">', html) == ["AAA", "BBB", "CCC"]


# Trend ------------------------------------------------------------------------------------


def test_trend_shows_the_cycle_of_a_recalled_resolution(client, known, admin, parliament_a):
    later = make_resolution(commitments=2)
    DocumentReference.objects.create(
        document=later, phrase="Recalling its resolution", target=known.resolution.document
    )
    DocumentReference.objects.create(document=later, phrase="Recalling another, not imported")
    new_cycle = cycle_open(
        resolution=later, user=admin, title="Second round", selection="list", parliaments=[parliament_a]
    )
    html = page(client, known.reviewer, dashboard_url(new_cycle))
    rows = re.findall(r'<tr class="(?:current )?trend-row" data-cycle="(\d+)">(.*?)</tr>', html, re.DOTALL)
    assert [int(pk) for pk, _ in rows] == [new_cycle.pk, known.cycle.pk]
    earlier = rows[1][1]
    assert "Recalled resolution: Parliaments and the follow-up of commitments" in earlier
    assert "67%" in earlier and ">3</td>" in earlier and ">2</td>" in earlier


def test_no_trend_without_an_earlier_cycle(client, known):
    assert "trend-row" not in page(client, known.reviewer, dashboard_url(known.cycle))


def test_trend_builds_the_earlier_summary_when_missing(client, known, admin, parliament_a):
    CycleSummary.objects.all().delete()
    later = make_resolution(commitments=1)
    DocumentReference.objects.create(document=later, phrase="Recalling", target=known.resolution.document)
    new_cycle = cycle_open(resolution=later, user=admin, selection="list", parliaments=[parliament_a])
    html = page(client, known.reviewer, dashboard_url(new_cycle))
    assert CycleSummary.objects.filter(cycle=known.cycle).exists()
    assert f'trend-row" data-cycle="{known.cycle.pk}"' in html


# Access -----------------------------------------------------------------------------------


def test_visitors_are_sent_to_the_login_page(client, known, parliament_a):
    for url in (
        dashboard_url(known.cycle),
        reverse("reporting:cycle_commitment", args=[known.cycle.pk, known.resolution.op1.pk]),
        reverse("reporting:parliament_detail", args=[parliament_a.iso3]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url


def test_parliament_users_may_not_open_the_dashboard(client, known, reporter_a, approver_a):
    for user in (reporter_a, approver_a):
        client.force_login(user)
        assert client.get(dashboard_url(known.cycle)).status_code == 403
        url = reverse("reporting:cycle_commitment", args=[known.cycle.pk, known.resolution.op1.pk])
        assert client.get(url).status_code == 403


def test_unknown_cycle_or_commitment_is_not_found(client, known):
    client.force_login(known.reviewer)
    assert client.get(reverse("reporting:cycle_dashboard", args=[999999])).status_code == 404
    # OP 3 is not reported on in this cycle.
    url = reverse("reporting:cycle_commitment", args=[known.cycle.pk, known.resolution.op3.pk])
    assert client.get(url).status_code == 404


def test_chair_sees_only_the_group_parliaments(client, known, chair_a, group_b):
    html = page(client, chair_a, dashboard_url(known.cycle))
    assert heatmap_rows(html) == ["AAA"]
    assert "Parliament A – OP 1: Implemented" in cells(html)
    assert "Parliament B" not in html and "Parliament C" not in html
    assert "show the parliaments of the Group A group only" in html
    # Filtering by the other group shows nothing of it.
    assert heatmap_rows(page(client, chair_a, dashboard_url(known.cycle, group=group_b.pk))) == []


def test_chair_overdue_list_is_the_group_only(client, cycle, chair_a, reviewer):
    ReportingCycle.objects.filter(pk=cycle.pk).update(due_date=timezone.localdate() - timedelta(days=5))
    html = page(client, chair_a, dashboard_url(cycle))
    assert re.findall(r'<tr class="overdue-row" data-parliament="(\w+)">', html) == ["AAA"]


def test_dashboard_offers_the_pdf_export_to_the_secretariat_only(client, known, chair_a):
    export_url = reverse("reporting:export_create", args=[known.cycle.pk])
    assert export_url in page(client, known.reviewer, dashboard_url(known.cycle))
    assert export_url not in page(client, chair_a, dashboard_url(known.cycle))


def test_cycle_page_links_to_the_dashboard(client, known):
    assert dashboard_url(known.cycle) in page(client, known.reviewer, known.cycle.get_absolute_url())


# Query counts -----------------------------------------------------------------------------


def _cycle_of_size(*, parliaments: int, commitments: int, admin: User, prefix: str, groups: list) -> ReportingCycle:
    members = make_parliaments(parliaments, prefix=prefix)
    for index, parliament in enumerate(members):
        parliament.groups.add(groups[index % len(groups)])
    cycle = open_test_cycle(resolution=make_resolution(commitments=commitments), parliaments=members, admin=admin)
    reports = list(cycle.reports.order_by("pk"))
    accepted = [report.pk for report in reports[::2]]
    ImplementationReport.objects.filter(pk__in=accepted).update(state=State.ACCEPTED, submitted_at=timezone.now())
    ImplementationReport.objects.filter(pk__in=[report.pk for report in reports[1::4]]).update(state=State.SUBMITTED)
    CommitmentResponse.objects.filter(report__cycle=cycle).update(status="in_progress", narrative="Measures.")
    for report in reports[1::3]:
        Notice.objects.create(
            cycle=cycle,
            parliament_id=report.parliament_id,
            kind="overdue",
            period="1",
            state="sent",
            due_on=cycle.due_date,
        )
        Extension.objects.create(cycle=cycle, parliament_id=report.parliament_id, due_date=cycle.due_date, reason="r")
    ReportingCycle.objects.filter(pk=cycle.pk).update(due_date=timezone.localdate() - timedelta(days=2))
    summary_build(cycle_id=cycle.pk)
    return cycle


@pytest.mark.parametrize("role", [User.Role.REVIEWER, User.Role.GROUP_CHAIR])
def test_dashboard_costs_the_same_queries_for_60_x_20_as_for_3_x_3(client, admin, role, django_assert_max_num_queries):
    groups = [GeopoliticalGroupFactory(name=f"Group {n}", slug=f"g-{n}") for n in range(3)]
    small = _cycle_of_size(parliaments=3, commitments=3, admin=admin, prefix="S", groups=groups)
    large = _cycle_of_size(parliaments=60, commitments=20, admin=admin, prefix="L", groups=groups)
    user = UserFactory(
        username=f"viewer-{role}", role=role, geopolitical_group=groups[0] if role == "group_chair" else None
    )
    client.force_login(user)
    with CaptureQueriesContext(connection) as baseline:
        small_html = client.get(dashboard_url(small)).content.decode()
    assert len(baseline) <= 16
    with django_assert_max_num_queries(len(baseline)):
        response = client.get(dashboard_url(large))
    html = response.content.decode()
    assert response.status_code == 200
    expected_rows = 60 if role == User.Role.REVIEWER else 20
    assert len(heatmap_rows(html)) == expected_rows and len(heatmap_rows(small_html)) in {1, 3}
    assert html.count('class="overdue-row"') > 0
    # With a filter too.
    with django_assert_max_num_queries(len(baseline)):
        assert client.get(dashboard_url(large, group=groups[0].pk, state="accepted")).status_code == 200


def test_commitment_and_parliament_pages_cost_a_fixed_number_of_queries(client, admin, django_assert_max_num_queries):
    groups = [GeopoliticalGroupFactory(name="Only group", slug="only")]
    small = _cycle_of_size(parliaments=3, commitments=3, admin=admin, prefix="S", groups=groups)
    large = _cycle_of_size(parliaments=60, commitments=20, admin=admin, prefix="L", groups=groups)
    client.force_login(UserFactory(username="reviewer-q", role=User.Role.REVIEWER))
    small_url = reverse("reporting:cycle_commitment", args=[small.pk, small.commitments.first().pk])
    with CaptureQueriesContext(connection) as baseline:
        assert client.get(small_url).status_code == 200
    large_url = reverse("reporting:cycle_commitment", args=[large.pk, large.commitments.first().pk])
    with django_assert_max_num_queries(len(baseline)):
        response = client.get(large_url)
    assert response.status_code == 200 and response.content.decode().count("measure-entry") == 30

    # A parliament asked in two cycles on the same resolution costs no more than one asked once.
    once = small.reports.first().parliament
    twice = large.reports.filter(state=State.ACCEPTED).first().parliament
    again = open_test_cycle(resolution=large.resolution, parliaments=[twice], admin=admin)
    ImplementationReport.objects.filter(cycle=again).update(state=State.ACCEPTED)
    with CaptureQueriesContext(connection) as baseline:
        assert client.get(reverse("reporting:parliament_detail", args=[once.iso3])).status_code == 200
    with django_assert_max_num_queries(len(baseline) + 2):  # the answers and the commitments of the history
        html = client.get(reverse("reporting:parliament_detail", args=[twice.iso3])).content.decode()
    assert html.count('class="answer-change"') == 20


# The commitment page ------------------------------------------------------------------------


def commitment_url(known, commitment) -> str:
    return reverse("reporting:cycle_commitment", args=[known.cycle.pk, commitment.pk])


def test_commitment_page_shows_text_distribution_measures_and_reservations(client, known):
    op2 = known.resolution.op2
    html = page(client, known.reviewer, commitment_url(known, op2))
    assert "Operative text 2." in html
    counts = dict(re.findall(r'data-status="(\w+)">.*?<data value="(\d+)">', html, re.DOTALL))
    assert counts == {
        "not_started": "0",
        "planned": "0",
        "in_progress": "1",
        "implemented": "1",
        "not_applicable": "0",
        "unanswered": "0",
    }
    assert html.count('<svg role="img"') == 1
    entries = re.findall(r'class="border-bottom py-2 measure-entry" data-parliament="(\w+)"', html)
    assert entries == ["AAA", "BBB"]
    assert "Hearings under way." in html
    # A's reservation on OP 2, C's on the entire resolution.
    delegations = re.findall(r'<span class="delegation">([^<]+)</span>', html)
    assert delegations == ["Parliament A", "Parliament C"]


def test_commitment_page_of_a_sub_paragraph_shows_the_parent_and_its_reservations(client, known):
    html = page(client, known.reviewer, commitment_url(known, known.resolution.op2a))
    assert "Operative text 2a." in html and "Operative text 2." in html
    assert re.findall(r'<span class="delegation">([^<]+)</span>', html) == ["Parliament A", "Parliament C"]
    html = page(client, known.reviewer, commitment_url(known, known.resolution.op1))
    assert re.findall(r'<span class="delegation">([^<]+)</span>', html) == ["Parliament C"]


def test_commitment_page_never_shows_draft_answers(client, known):
    html = page(client, known.reviewer, commitment_url(known, known.resolution.op1))
    assert "Secret draft text." not in html
    assert re.findall(r'measure-entry" data-parliament="(\w+)"', html) == ["AAA", "BBB"]


def test_chair_reads_the_group_answers_only_on_the_commitment_page(client, known, chair_a):
    html = page(client, chair_a, commitment_url(known, known.resolution.op2))
    assert re.findall(r'measure-entry" data-parliament="(\w+)"', html) == ["AAA"]


# The parliament page -----------------------------------------------------------------------


def test_parliament_page_lists_reports_and_changes_between_cycles(
    client, known, open_cycle, parliament_a, reporter_a, move_to, reviewer
):
    op1, op2, op2a, op2b = known.resolution.reported
    second = open_cycle(
        title="Second cycle",
        selection="list",
        parliaments=[parliament_a],
        opened_on=known.cycle.opened_on + timedelta(days=400),
        due_date=known.cycle.due_date + timedelta(days=600),
    )
    report = second.reports.get()
    answer(
        report,
        reporter_a,
        {op1: {"status": "implemented"}, op2: {"status": "implemented"}, op2b: {"status": "not_started"}},
    )
    move_to(report, State.SUBMITTED)
    html = page(client, reviewer, reverse("reporting:parliament_detail", args=["aaa"]))
    assert re.findall(r'class="parliament-report" data-cycle="(\d+)"', html) == [str(second.pk), str(known.cycle.pk)]
    changes = re.findall(r'<tr class="answer-change" data-direction="(\w*)">\s*<th[^>]*>([^<]+)</th>', html)
    assert changes == [
        ("same", "OP 1 · Calls upon"),
        ("up", "OP 2 · Calls upon"),
        ("", "OP 2 (a) · Calls upon"),
        ("down", "OP 2 (b) · Calls upon"),
    ]
    assert "Further along" in html and "Less far along" in html


def test_parliament_page_hides_what_a_draft_says_from_the_secretariat(client, known, parliament_c, reviewer):
    html = page(client, reviewer, reverse("reporting:parliament_detail", args=[parliament_c.iso3]))
    row = html.split('class="parliament-report"')[1].split("</tr>")[0]
    assert 'class="text-end implementation"><span title' in row  # no implementation figure
    assert reverse("reporting:report_detail", args=[known.cycle.reports.get(parliament=parliament_c).pk]) not in row


def test_parliament_page_access(
    client, known, parliament_a, parliament_b, reporter_a, approver_a, chair_a, reviewer, admin
):
    url_a = reverse("reporting:parliament_detail", args=[parliament_a.iso3])
    url_b = reverse("reporting:parliament_detail", args=[parliament_b.iso3])
    for user in (reviewer, admin, reporter_a, approver_a):
        client.force_login(user)
        assert client.get(url_a).status_code == 200, user
    client.force_login(reporter_a)
    assert client.get(url_b).status_code == 404
    assert client.get(reverse("reporting:parliament_detail", args=["ZZZ"])).status_code == 404
    client.force_login(chair_a)
    assert client.get(url_a).status_code == 403


def test_parliament_users_see_their_own_draft_figures(client, known, parliament_c, approver_c):
    html = page(client, approver_c, reverse("reporting:parliament_detail", args=[parliament_c.iso3]))
    assert '<data value="100.0000">100%</data>' in html  # C's own draft: one answer, implemented


# Pieces ---------------------------------------------------------------------------------


def test_inline_svg_is_scalable_and_namespaced():
    svg = (
        b'<?xml version="1.0"?>\n<!DOCTYPE svg>\n<svg width="10pt" height="5pt" viewBox="0 0 10 5" xmlns="x">'
        b'<metadata>m</metadata><defs><path id="a1"/><path id="a"/></defs><use xlink:href="#a1"/><use href="#a"/>'
        b'<rect style="fill: #ffffff" clip-path="url(#a)"/></svg>'
    )
    html = str(inline_svg(svg, prefix="c", label="A <chart>"))
    assert html.startswith('<svg role="img" aria-label="A &lt;chart&gt;"')
    assert "width=" not in html and "<metadata>" not in html and "<?xml" not in html
    assert 'id="c-a1"' in html and 'id="c-a"' in html and 'href="#c-a1"' in html and 'href="#c-a"' in html
    assert "url(#c-a)" in html and "fill: #ffffff" in html


def test_dashboard_in_french(client, known):
    client.force_login(known.reviewer)
    html = client.get(dashboard_url(known.cycle), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="fr">' in html
    assert "Tableau de bord" in html and "Chiffres clés" in html
    assert "Parliament A – Disp. 1 : Mis en œuvre" in unescape(html)
    assert "Key figures" not in html and "Overdue reports" not in html
