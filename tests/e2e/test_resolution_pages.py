"""The public resolution pages in a browser, and the login wall around the reports."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from resolutions.models import Paragraph, Reservation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_resolution_list_and_page_show_the_operative_paragraphs_and_reservations(page: Page, kigali_resolution):
    document = kigali_resolution
    operative = list(
        Paragraph.objects.filter(document=document, kind=Paragraph.Kind.OPERATIVE, parent=None).order_by("position")
    )
    reservation = Reservation.objects.get(document=document, delegation="Czech Republic")
    (reserved,) = reservation.paragraphs.all()
    assert len(operative) > 5

    page.goto("/")
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Resolutions").click()
    expect(page).to_have_url(re.compile(r"/resolutions/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Resolutions")
    row = page.get_by_role("row").filter(has_text=document.display_title[:40])
    expect(row).to_have_count(1)
    expect(row.get_by_role("cell").nth(5)).to_have_text(str(len(operative)))
    row.get_by_role("link").first.click()

    expect(page).to_have_url(re.compile(rf"/resolutions/{document.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(document.display_title)
    section = page.get_by_role("region", name="Operative paragraphs")
    paragraphs = section.locator("article.operative-paragraph")
    expect(paragraphs).to_have_count(len(operative))
    first = section.get_by_role("article", name=operative[0].label, exact=True)
    expect(first).to_contain_text(operative[0].text[:60])

    # The reservation stands beside the paragraph it is about, and beside no other.
    reserved_article = section.get_by_role("article", name=reserved.label, exact=True)
    note = reserved_article.get_by_role("complementary", name="Reservations on this paragraph")
    expect(note).to_contain_text("Czech Republic")
    expect(note).to_contain_text(reservation.on)
    expect(first.get_by_role("complementary", name="Reservations on this paragraph")).to_have_count(0)
    expect(section.get_by_role("complementary").filter(has_text="Czech Republic")).to_have_count(1)

    # Reservations on the whole text are listed once, above the paragraphs.
    whole = page.get_by_role("region", name="Reservations and oppositions on the text")
    expect(whole).to_contain_text("Hungary")
    expect(whole).to_contain_text("reservation on the entire resolution")


def test_a_visitor_asking_for_the_reports_is_sent_to_login_and_back(page: Page, kigali, log_in):
    page.goto("/reports/")

    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/reports/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(page.get_by_role("link", name="My reports")).to_have_count(0)

    log_in(kigali.reporter.username)
    expect(page).to_have_url(re.compile(r"/reports/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My reports")
    expect(page.get_by_role("row").filter(has_text=kigali.cycle.title)).to_have_count(1)
