"""A parliament's report in a browser: drafting, submission, review, return and acceptance."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from reporting.models import CommitmentResponse, ImplementationReport, ReportComment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

State = ImplementationReport.State

FIRST = {
    "status": "In progress",
    "measures": ["Legislation", "Oversight"],
    "narrative": "A bill on trafficking in persons passed its first reading in March.",
}
SECOND = {
    "status": "Implemented",
    "measures": ["Budget"],
    "narrative": "Funds for victim shelters were voted in the 2024 budget.",
}
CORRECTION = "The law on trafficking in persons was adopted on 12 June and is in force."
RETURN_COMMENT = "Please say whether the bill on trafficking was adopted, and when."


def section(page: Page, label: str) -> Locator:
    """One commitment's fieldset on the report form, found by its paragraph label."""
    return page.get_by_role("group", name=label, exact=True)


def answer(page: Page, label: str, values: dict) -> None:
    part = section(page, label)
    part.get_by_role("radio", name=values["status"], exact=True).check()
    for measure in values["measures"]:
        part.get_by_role("checkbox", name=measure, exact=True).check()
    part.get_by_role("textbox", name="Measures taken").fill(values["narrative"])


def expect_answer(page: Page, label: str, values: dict) -> None:
    part = section(page, label)
    expect(part.get_by_role("radio", name=values["status"], exact=True)).to_be_checked()
    for measure in ["Legislation", "Oversight", "Budget"]:
        box = part.get_by_role("checkbox", name=measure, exact=True)
        if measure in values["measures"]:
            expect(box).to_be_checked()
        else:
            expect(box).not_to_be_checked()
    expect(part.get_by_role("textbox", name="Measures taken")).to_have_value(values["narrative"])


def expect_message(page: Page, text: str) -> None:
    expect(page.get_by_role("alert").filter(has_text=text)).to_be_visible()


def my_reports_row(page: Page, cycle_title: str) -> Locator:
    """From any page: "My reports" in the menu, then the report's row."""
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="My reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My reports")
    row = page.get_by_role("row").filter(has_text=cycle_title)
    expect(row).to_have_count(1)
    return row


def open_my_report(page: Page, cycle_title: str, link: str) -> None:
    """From any page: "My reports", then the report's "Edit" or "View" link."""
    my_reports_row(page, cycle_title).get_by_role("link", name=link, exact=True).click()


def open_from_review_queue(page: Page, parliament: str) -> None:
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Review queue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review queue")
    row = page.get_by_role("row").filter(has_text=parliament)
    expect(row).to_have_count(1)
    row.get_by_role("link", name="Review").click()


def expect_state(page: Page, label: str) -> None:
    expect(page.locator(".report-header .report-state")).to_have_text(label)


def test_report_goes_from_draft_through_return_to_accepted(page: Page, kigali, log_in, log_out):
    report = kigali.report
    first, second, _third = (c.paragraph.label for c in kigali.commitments)

    # The reporter drafts two answers.
    log_in(kigali.reporter.username)
    open_my_report(page, kigali.cycle.title, "Edit")
    expect(page).to_have_url(re.compile(rf"/reports/{report.pk}/edit/$"))
    expect(page.get_by_role("button", name="Save and submit to the IPU")).to_have_count(0)
    answer(page, first, FIRST)
    answer(page, second, SECOND)
    page.get_by_role("button", name="Save draft").click()
    expect_message(page, "Saved 2 answers.")
    assert CommitmentResponse.objects.filter(report=report, updated_by=kigali.reporter).count() == 2
    # A new navigation, not page.reload(): a reload may restore typed values from the browser.
    page.goto(f"/reports/{report.pk}/edit/")
    expect_answer(page, first, FIRST)
    expect_answer(page, second, SECOND)
    expect(page.get_by_role("alert")).to_have_count(0)
    log_out()

    # The approver saves and submits it to the IPU.
    log_in(kigali.approver.username)
    open_my_report(page, kigali.cycle.title, "Edit")
    expect_answer(page, first, FIRST)
    page.get_by_role("button", name="Save and submit to the IPU").click()
    expect(page).to_have_url(re.compile(rf"/reports/{report.pk}/$"))
    expect_message(page, "The report was submitted to the IPU.")
    expect_state(page, "Submitted")
    expect(page.get_by_role("link", name="Edit the answers")).to_have_count(0)
    expect(page.get_by_role("button", name="Submit to the IPU")).to_have_count(0)
    answers = page.get_by_role("region", name="Answers")
    expect(answers.get_by_role("article", name=first, exact=True)).to_contain_text(FIRST["narrative"])
    expect(answers.get_by_role("article", name=second, exact=True)).to_contain_text("Implemented")
    row = my_reports_row(page, kigali.cycle.title)
    expect(row.locator(".report-state")).to_have_text("Submitted")
    expect(row.get_by_role("link", name="View", exact=True)).to_have_count(1)
    expect(row.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
    log_out()

    # The reviewer returns it with a comment.
    log_in(kigali.reviewer.username)
    open_from_review_queue(page, kigali.parliament.name)
    expect_state(page, "Submitted")
    page.get_by_label("What must change (sent to the parliament)").fill(RETURN_COMMENT)
    page.get_by_role("button", name="Return for changes").click()
    expect(page).to_have_url(re.compile(r"/review/$"))
    expect_message(page, "The report was returned to the parliament for changes.")
    expect(page.get_by_text("No report is waiting for review.")).to_be_visible()
    log_out()

    # The reporter sees why, and corrects the first answer.
    log_in(kigali.reporter.username)
    row = my_reports_row(page, kigali.cycle.title)
    expect(row.locator(".report-state")).to_have_text("Returned for changes")
    row.get_by_role("link", name="View", exact=True).click()
    expect_state(page, "Returned for changes")
    expect(page.get_by_role("region", name="Comments")).to_contain_text(RETURN_COMMENT)
    page.get_by_role("link", name="Edit the answers").click()
    section(page, first).get_by_role("textbox", name="Measures taken").fill(CORRECTION)
    page.get_by_role("button", name="Save draft").click()
    expect_message(page, "Saved 1 answer.")
    log_out()

    # The approver submits again, from the report page.
    log_in(kigali.approver.username)
    open_my_report(page, kigali.cycle.title, "View")
    expect_state(page, "Returned for changes")
    page.get_by_role("button", name="Submit to the IPU").click()
    expect_message(page, "The report was submitted to the IPU.")
    expect_state(page, "Submitted")
    log_out()

    # The reviewer accepts it.
    log_in(kigali.reviewer.username)
    open_from_review_queue(page, kigali.parliament.name)
    expect(page.get_by_role("article", name=first, exact=True)).to_contain_text(CORRECTION)
    page.get_by_role("button", name="Accept", exact=True).click()
    expect_message(page, "The report was accepted.")
    page.goto(report.get_absolute_url())
    expect_state(page, "Accepted")
    expect(page.get_by_role("button", name="Accept", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Return for changes")).to_have_count(0)

    report.refresh_from_db()
    assert report.state == State.ACCEPTED
    assert report.submitted_by == kigali.approver
    assert report.reviewed_at is not None
    saved = {r.commitment_id: r for r in CommitmentResponse.objects.filter(report=report).select_related("updated_by")}
    one, two, three = (saved[c.pk] for c in kigali.commitments)
    assert (one.status, one.measures, one.narrative) == ("in_progress", ["legislation", "oversight"], CORRECTION)
    assert (two.status, two.measures, two.narrative) == ("implemented", ["budget"], SECOND["narrative"])
    assert (three.status, three.narrative) == ("", "")
    assert one.updated_by == kigali.reporter
    assert list(ReportComment.objects.filter(report=report).values_list("author__username", "body")) == [
        (kigali.reviewer.username, RETURN_COMMENT)
    ]
    assert list(report.events.order_by("pk").values_list("kind", flat=True)).count("submitted") == 2


def test_a_rejected_link_keeps_what_was_typed_in_the_other_fields(page: Page, kigali, log_in):
    first, second, _third = (c.paragraph.label for c in kigali.commitments)
    log_in(kigali.reporter.username)
    page.goto(f"/reports/{kigali.report.pk}/edit/")

    answer(page, first, FIRST)
    section(page, first).get_by_role("textbox", name="Links").fill("https://example.org/law\nparliament gazette")
    answer(page, second, SECOND)
    page.get_by_role("button", name="Save draft").click()

    expect_message(page, "Some answers need correcting; nothing was saved.")
    links = section(page, first).get_by_role("textbox", name="Links")
    expect(links).to_have_value("https://example.org/law\nparliament gazette")
    expect(links).to_have_attribute("aria-invalid", "true")
    expect(section(page, first)).to_contain_text("These lines are not web addresses")
    expect(section(page, first)).to_contain_text("parliament gazette")
    expect_answer(page, first, FIRST)
    expect_answer(page, second, SECOND)
    expect(section(page, second)).not_to_contain_text("These lines are not web addresses")

    assert not CommitmentResponse.objects.filter(report=kigali.report).exclude(narrative="").exists()

    # Corrected, the same form saves everything at once.
    links.fill("https://example.org/law")
    page.get_by_role("button", name="Save draft").click()
    expect_message(page, "Saved 2 answers.")
    response = CommitmentResponse.objects.get(report=kigali.report, commitment=kigali.commitments[0])
    assert response.links == ["https://example.org/law"]
    assert response.narrative == FIRST["narrative"]
