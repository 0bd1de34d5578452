"""The cycle dashboard in a browser: a reviewer filters the heatmap by group and downloads the PDF export."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from reporting.models import ImplementationReport, ReportingCycle
from reporting.services import ResponseChange, cycle_open, report_save
from reporting.summaries import summary_build
from reporting.workflow import report_transition
from tests.celery_worker import _drop_connection_pools
from tracker.celery import app as celery_app
from tracker.models import GeopoliticalGroup, Parliament, User

from .conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

State = ImplementationReport.State
# Two African parliaments, two of Twelve Plus, one of Latin America and the Caribbean.
ASKED = ["RWA", "KEN", "FRA", "DEU", "MEX"]
ACCEPTED = {"RWA": "implemented", "FRA": "in_progress", "MEX": "planned"}
CYCLE_TITLE = "Dashboard round on the Kigali resolution"
# Building a PDF inline (eager Celery) takes a few seconds.
EXPORT_TIMEOUT_MS = 120_000


@pytest.fixture
def eager() -> Iterator[None]:
    """The export is built inline, as it is without REDIS_URL, even when the suite has Redis.

    Broker connections left behind by earlier tests are dropped first: even an eager task
    takes a producer from the app's pool, and a pool closed by another test refuses it.
    """
    before = celery_app.conf.task_always_eager
    _drop_connection_pools()
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def _user(username: str, role: str, parliament: Parliament | None = None) -> User:
    return User.objects.create_user(
        username=username, email=f"{username}@example.org", password=PASSWORD, role=role, parliament=parliament
    )


@pytest.fixture
def dashboard_cycle(kigali_resolution, eager) -> ReportingCycle:
    """Five parliaments asked about three commitments; three accepted reports, two drafts."""
    admin = _user("secretariat-admin", User.Role.SECRETARIAT_ADMIN)
    reviewer = _user("reviewer", User.Role.REVIEWER)
    commitments = list(
        kigali_resolution.commitments.filter(parliaments_report=True).order_by(
            "paragraph__position", "paragraph__letter"
        )[:3]
    )
    today = timezone.localdate()
    cycle = cycle_open(
        resolution=kigali_resolution,
        user=admin,
        title=CYCLE_TITLE,
        opened_on=today - timedelta(days=5),
        due_date=today + timedelta(days=60),
        selection=ReportingCycle.Selection.LIST,
        parliaments=Parliament.objects.filter(iso3__in=ASKED),
        commitments=commitments,
    )
    for report in cycle.reports.select_related("parliament").filter(parliament__iso3__in=list(ACCEPTED)):
        iso3 = report.parliament.iso3
        approver = _user(f"approver-{iso3.lower()}", User.Role.APPROVER, report.parliament)
        changes = [
            ResponseChange(response.pk, response.version, {"status": ACCEPTED[iso3], "narrative": f"{iso3} acted."})
            for response in report.responses.all()
        ]
        report_save(report=report, user=approver, changes=changes)
        report_transition(report=report, name="submit", user=approver)
        report_transition(report=report, name="accept", user=reviewer)
    summary_build(cycle_id=cycle.pk)
    return cycle


def heatmap_rows(page: Page):
    return page.locator("#heatmap tbody tr.hm-row")


def test_reviewer_filters_the_heatmap_and_downloads_the_pdf(
    page: Page, dashboard_cycle, log_in, eager, tmp_path: Path
):
    african = GeopoliticalGroup.objects.get(name="African")
    log_in("reviewer")

    # From the menu to the cycle, then to its dashboard.
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Cycles").click()
    page.get_by_role("link", name=CYCLE_TITLE).click()
    page.get_by_role("link", name="Dashboard").click()
    expect(page).to_have_url(re.compile(rf"/cycles/{dashboard_cycle.pk}/dashboard/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dashboard")
    expect(page.locator(".kf-response-rate data")).to_have_text("60%")
    expect(heatmap_rows(page)).to_have_count(5)
    rwanda = page.locator('#heatmap tr[data-parliament="RWA"] td.hm').first
    expect(rwanda).to_have_class(re.compile(r"\bhm-s-implemented\b"))
    expect(rwanda).to_have_attribute("title", re.compile(r"^Rwanda – OP \d+.*: Implemented$"))
    expect(rwanda).to_contain_text("I")

    # Filter by the African group: Kenya and Rwanda only.
    page.get_by_label("Geopolitical group", exact=True).select_option(label="African")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(rf"group={african.pk}"))
    expect(heatmap_rows(page)).to_have_count(2)
    expect(heatmap_rows(page).nth(0)).to_have_attribute("data-parliament", "KEN")
    expect(heatmap_rows(page).nth(1)).to_have_attribute("data-parliament", "RWA")
    expect(page.locator('#heatmap tr[data-parliament="KEN"] td.hm-hidden')).to_contain_text("Not submitted")

    # The PDF export, from the dashboard itself.
    export_form = page.get_by_role("form", name="Export the compliance summary")
    export_form.get_by_label("Language").select_option("en")
    export_form.get_by_role("button", name="PDF").click(timeout=EXPORT_TIMEOUT_MS)
    expect(page).to_have_url(re.compile(r"/exports/\d+/$"), timeout=EXPORT_TIMEOUT_MS)
    download_link = page.get_by_role("link", name="Download")
    expect(download_link).to_be_visible(timeout=EXPORT_TIMEOUT_MS)
    with page.expect_download(timeout=EXPORT_TIMEOUT_MS) as info:
        download_link.click()
    download = info.value
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    assert target.suffix == ".pdf"
    assert target.read_bytes().startswith(b"%PDF")
