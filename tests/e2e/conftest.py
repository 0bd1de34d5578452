"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

The browser is started once per session; every test gets a new context (its own cookies)
and page. Chromium is ``/usr/bin/chromium`` from Debian's ``chromium`` package: Playwright's
own browser downloads are never used (``./scripts/test.sh`` installs the package when it is
missing). Without it a local run skips these tests with the reason; with ``CI=true`` they
fail, so a CI run never passes without having driven the browser.

When a test fails, a screenshot and the page's HTML are saved under pytest's temporary
directory; the paths are listed at the end of the run.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect, sync_playwright

from reporting.models import ImplementationReport, ReportingCycle
from reporting.services import cycle_open
from resolutions.models import Commitment, Document
from resolutions.services import document_import
from tests.conftest import ci_enabled
from tracker.models import Parliament, User
from tracker.reference_data import reference_data_load

# Playwright's sync API keeps an asyncio event loop running in the main thread for as long
# as the browser lives (the whole session), and Django refuses ORM calls from a thread with
# a running loop. The tests and the live server's views are plain synchronous code.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000
PASSWORD = "e2e-correct-horse-7"
SEED = Path(settings.BASE_DIR) / "resolutions" / "fixtures" / "seeds" / "ipu-145-kigali-2022-migration-trafficking.md"
CYCLE_TITLE = "Follow-up of the Kigali resolution"
REPORTED_COMMITMENTS = 3

_screenshots = pytest.StashKey[list[Path]]()


def _unavailable(reason: str) -> None:
    if ci_enabled():
        pytest.fail(f"{reason} (CI=true: browser tests must run)", pytrace=False)
    pytest.skip(reason)


# Browser -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"{CHROMIUM} is missing: apt-get install chromium (./scripts/test.sh does it)")
    expect.set_options(timeout=TIMEOUT_MS)
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    except Exception:
        playwright.stop()
        raise
    yield browser
    browser.close()
    playwright.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    report = yield
    setattr(item, f"e2e_report_{report.when}", report)
    return report


def _test_failed(node: pytest.Item) -> bool:
    return any(getattr(getattr(node, f"e2e_report_{when}", None), "failed", False) for when in ("setup", "call"))


@pytest.fixture
def page(browser: Browser, live_server, request, tmp_path_factory) -> Iterator[Page]:
    """A page in a fresh context on the live server; requests to any other host are refused."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB", timezone_id="UTC")
    context.set_default_timeout(TIMEOUT_MS)
    origin = live_server.url.rstrip("/") + "/"
    context.route(
        re.compile(r"^https?://"),
        lambda route: route.continue_() if route.request.url.startswith(origin) else route.abort(),
    )
    page = context.new_page()
    yield page
    if _test_failed(request.node):
        folder = tmp_path_factory.getbasetemp() / "e2e-screenshots"
        folder.mkdir(exist_ok=True)
        stem = re.sub(r"[^\w.-]+", "_", request.node.name)[:100]
        try:
            page.screenshot(path=folder / f"{stem}.png", full_page=True)
            (folder / f"{stem}.html").write_text(page.content(), encoding="utf-8")
        except Exception as exc:  # noqa: BLE001 - a dead page must not hide the test's own failure
            (folder / f"{stem}.txt").write_text(f"no screenshot: {exc}\nurl: {page.url}\n", encoding="utf-8")
        request.config.stash.setdefault(_screenshots, []).append(folder / f"{stem}.png")
    context.close()


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    paths = config.stash.get(_screenshots, [])
    if paths:
        terminalreporter.write_sep("-", "browser screenshots of failed tests")
        for path in paths:
            terminalreporter.write_line(str(path))


@pytest.fixture
def log_in(page: Page) -> Callable[[str], None]:
    """Log in through the login form; the page is left on wherever the form redirects."""

    def log_in_(username: str, password: str = PASSWORD) -> None:
        if "/accounts/login/" not in page.url:
            page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        expect(page.locator(".navbar .username")).to_have_text(username)

    return log_in_


@pytest.fixture
def log_out(page: Page) -> Callable[[], None]:
    def log_out_() -> None:
        navigation = page.get_by_role("navigation", name="Main navigation")
        navigation.get_by_role("button", name="Log out").click()
        expect(navigation.get_by_role("link", name="Log in")).to_be_visible()

    return log_out_


# Data --------------------------------------------------------------------------------------


@dataclass
class Kigali:
    """The 145th Assembly's resolution as imported, a cycle on it for parliament A, its people."""

    resolution: Document
    parliament: Parliament
    cycle: ReportingCycle
    report: ImplementationReport
    commitments: list[Commitment]
    reporter: User
    approver: User
    reviewer: User
    admin: User


def _user(username: str, role: str, parliament: Parliament | None = None) -> User:
    return User.objects.create_user(
        username=username, email=f"{username}@example.org", password=PASSWORD, role=role, parliament=parliament
    )


@pytest.fixture
def kigali_resolution(transactional_db) -> Document:
    """The sample resolution imported as the Secretariat would, with the reference data it names."""
    reference_data_load()
    result = document_import(data=SEED.read_bytes(), source_name=SEED.name)
    assert result.document is not None
    return result.document


@pytest.fixture
def kigali(kigali_resolution) -> Kigali:
    """Parliament A (Rwanda) asked about the first commitments of the resolution, its report a draft."""
    parliament = Parliament.objects.get(iso3="RWA")
    admin = _user("secretariat-admin", User.Role.SECRETARIAT_ADMIN)
    commitments = list(
        kigali_resolution.commitments.filter(parliaments_report=True)
        .select_related("paragraph__parent")
        .order_by("paragraph__position", "paragraph__letter")[:REPORTED_COMMITMENTS]
    )
    today = timezone.localdate()
    cycle = cycle_open(
        resolution=kigali_resolution,
        user=admin,
        title=CYCLE_TITLE,
        opened_on=today - timedelta(days=5),
        due_date=today + timedelta(days=60),
        selection=ReportingCycle.Selection.LIST,
        parliaments=[parliament],
        commitments=commitments,
    )
    return Kigali(
        resolution=kigali_resolution,
        parliament=parliament,
        cycle=cycle,
        report=cycle.reports.get(parliament=parliament),
        commitments=commitments,
        reporter=_user("reporter-a", User.Role.REPORTER, parliament),
        approver=_user("approver-a", User.Role.APPROVER, parliament),
        reviewer=_user("reviewer", User.Role.REVIEWER),
        admin=admin,
    )
