"""Reporting pages: the parliament's home, the report form, review, evidence, cycles and their query counts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reporting.forms import answer_fingerprint, response_values
from reporting.models import (
    CommitmentResponse,
    Evidence,
    Extension,
    ImplementationReport,
    ImplementationStatus,
    MeasureKind,
    ReportComment,
    ReportingCycle,
)
from reporting.services import ResponseChange, comment_add, extension_grant, report_save
from reporting.workflow import report_transition
from tests.factories import GeopoliticalGroupFactory
from tracker.models import User

from .factories import (
    PDF_BYTES,
    CycleFactory,
    ReportFactory,
    ResponseFactory,
    World,
    advance_report,
    attach_pdf,
    build_world,
    edit_form_data,
    make_parliaments,
    make_resolution,
    make_user,
    open_test_cycle,
    ordered_responses,
)

pytestmark = pytest.mark.django_db
State = ImplementationReport.State


@pytest.fixture
def world() -> World:
    return build_world()


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# Parliament home ---------------------------------------------------------------------------


def test_parliament_home_lists_open_reports_with_progress(client, world):
    first, *_ = ordered_responses(world.report_a)
    report_save(
        report=world.report_a,
        user=world.reporter_a,
        changes=[ResponseChange(first.pk, first.version, {"status": ImplementationStatus.PLANNED})],
    )
    client.force_login(world.reporter_a)
    response = client.get(reverse("reporting:my_reports"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 of 3 answered" in html
    assert 'style="width: 33%"' in html
    assert reverse("reporting:report_edit", args=[world.report_a.pk]) in html
    assert world.report_a.get_absolute_url() in html
    assert world.report_b.get_absolute_url() not in html
    assert "Draft" in html
    assert "days left" in html


def test_parliament_home_shows_overdue_in_red_and_extensions(client, world):
    today = timezone.localdate()
    late = open_test_cycle(
        resolution=make_resolution(commitments=2), parliaments=[world.parliament_a], admin=world.admin
    )
    ReportingCycle.objects.filter(pk=late.pk).update(
        opened_on=today - timedelta(days=40), due_date=today - timedelta(days=3)
    )
    client.force_login(world.approver_a)
    html = client.get(reverse("reporting:my_reports")).content.decode()
    assert re.search(r'class="text-danger[^"]*overdue">\s*3 days overdue', html)

    extension_grant(
        cycle=ReportingCycle.objects.get(pk=late.pk),
        parliament=world.parliament_a,
        due_date=today + timedelta(days=9),
        reason="Elections",
        user=world.admin,
    )
    html = client.get(reverse("reporting:my_reports")).content.decode()
    assert "3 days overdue" not in html
    assert "9 days left" in html
    assert "extended" in html


def test_home_sends_the_secretariat_to_the_queue_and_refuses_others(client, world):
    client.force_login(world.reviewer)
    response = client.get(reverse("reporting:my_reports"))
    assert response.status_code == 302 and response["Location"] == reverse("reporting:review_queue")
    client.force_login(world.chair)
    assert client.get(reverse("reporting:my_reports")).status_code == 403


def test_closed_cycles_are_not_on_the_home_page(client, world):
    ReportingCycle.objects.filter(pk=world.cycle.pk).update(state=ReportingCycle.State.CLOSED)
    client.force_login(world.reporter_a)
    html = client.get(reverse("reporting:my_reports")).content.decode()
    assert world.report_a.get_absolute_url() not in html
    assert "No reporting cycle is open" in html


@pytest.mark.parametrize(
    ("who", "links"),
    [
        ("reporter_a", {"my_reports"}),
        ("approver_a", {"my_reports"}),
        ("reviewer", {"review_queue", "cycle_list"}),
        ("admin", {"review_queue", "cycle_list"}),
        ("chair", {"cycle_list"}),
        ("anonymous", set()),
    ],
)
def test_navigation_links_follow_the_policy(client, world, who, links):
    user = world.users()[who]
    if user:
        client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    for name in ("my_reports", "review_queue", "cycle_list"):
        assert (f'href="{reverse(f"reporting:{name}")}"' in html) is (name in links), name


# The report form ---------------------------------------------------------------------------


def test_edit_form_shows_each_commitment_with_versions(client, world):
    client.force_login(world.reporter_a)
    response = client.get(reverse("reporting:report_edit", args=[world.report_a.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for item in ordered_responses(world.report_a):
        prefix = f"response-{item.pk}"
        assert f'id="{prefix}"' in html
        assert f'name="{prefix}-version" value="{item.version}"' in html
        assert f'value="{answer_fingerprint(response_values(item))}"' in html
        assert item.commitment.paragraph.text in html
        assert reverse("reporting:evidence_upload", args=[world.report_a.pk, item.pk]) in html
    assert "Calls upon" in html and "Parliaments" in html  # verb and addressee
    assert "Not answered yet" in html
    assert "Save draft" in html
    assert "Save and submit" not in html  # reporters do not submit


def test_edit_form_saves_answers_and_consent(client, world):
    first, second, _third = ordered_responses(world.report_a)
    client.force_login(world.reporter_a)
    data = edit_form_data(
        world.report_a,
        {
            first.pk: {
                "status": ImplementationStatus.IN_PROGRESS,
                "measures": [MeasureKind.LEGISLATION, MeasureKind.BUDGET],
                "narrative": "Bill 12/2024 adopted\r\nat first reading.",
                "links": "https://parliament.example/bill-12\n\nhttp://gazette.example/2024/12",
            },
            second.pk: {"position": "reservation", "position_note": "See our statement."},
        },
        **{"report-publish_consent": "on"},
    )
    response = client.post(reverse("reporting:report_edit", args=[world.report_a.pk]), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:report_edit", args=[world.report_a.pk])
    assert "Saved 2 answers." in messages_of(response)
    first.refresh_from_db()
    assert first.status == ImplementationStatus.IN_PROGRESS
    assert first.measures == [MeasureKind.LEGISLATION, MeasureKind.BUDGET]
    assert first.narrative == "Bill 12/2024 adopted\nat first reading."
    assert first.links == ["https://parliament.example/bill-12", "http://gazette.example/2024/12"]
    assert first.version == 1 and first.updated_by == world.reporter_a
    second.refresh_from_db()
    assert second.position == "reservation" and second.position_note == "See our statement."
    world.report_a.refresh_from_db()
    assert world.report_a.publish_consent is True

    # The page shows what was saved.
    html = client.get(world.report_a.get_absolute_url()).content.decode()
    assert "Bill 12/2024 adopted<br>at first reading." in html
    assert 'href="https://parliament.example/bill-12"' in html
    assert "Legislation, Budget" in html
    assert "Answer edited" in html  # the timeline


def test_saving_again_without_changes_changes_nothing(client, world):
    client.force_login(world.reporter_a)
    response = client.post(reverse("reporting:report_edit", args=[world.report_a.pk]), edit_form_data(world.report_a))
    assert response.status_code == 302
    assert "Saved; no answer had changed." in messages_of(response)
    assert all(item.version == 0 for item in ordered_responses(world.report_a))


def test_validation_error_keeps_what_was_typed(client, world):
    first, second, _ = ordered_responses(world.report_a)
    client.force_login(world.reporter_a)
    data = edit_form_data(
        world.report_a,
        {
            first.pk: {
                "narrative": "A long account typed with care.",
                "links": "not a web address\nhttps://ok.example",
            },
            second.pk: {"narrative": "Second answer kept too."},
        },
    )
    response = client.post(reverse("reporting:report_edit", args=[world.report_a.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "A long account typed with care." in html
    assert "Second answer kept too." in html
    assert "not a web address" in html
    assert "These lines are not web addresses" in html
    assert "nothing was saved" in html
    assert all(item.version == 0 and item.narrative == "" for item in ordered_responses(world.report_a))


def test_stale_save_shows_the_message_keeps_the_text_and_the_other_answer(client, world):
    first, second, _ = ordered_responses(world.report_a)
    client.force_login(world.reporter_a)
    loaded = edit_form_data(
        world.report_a,
        {first.pk: {"narrative": "My version of the answer."}, second.pk: {"narrative": "Untouched by others."}},
    )
    # Meanwhile the approver saves the same answer.
    report_save(
        report=world.report_a,
        user=world.approver_a,
        changes=[ResponseChange(first.pk, 0, {"narrative": "Their version, saved first.", "status": "planned"})],
    )
    response = client.post(reverse("reporting:report_edit", args=[world.report_a.pk]), loaded)
    assert response.status_code == 200
    html = response.content.decode()
    assert any("Someone else saved 1 of these answers" in text for text in messages_of(response))
    assert "Someone else saved 1 of these answers" in html
    assert "My version of the answer." in html
    assert "Untouched by others." in html
    assert "Their version, saved first." in html
    assert "approver-a saved this answer meanwhile" in html
    # The form now starts from their version: saving again replaces it knowingly.
    assert f'name="response-{first.pk}-version" value="1"' in html
    second.refresh_from_db()
    assert second.narrative == ""  # nothing of the conflicting save went through

    again = dict(loaded)
    again[f"response-{first.pk}-version"] = 1
    first.refresh_from_db()
    again[f"response-{first.pk}-loaded"] = answer_fingerprint(response_values(first))
    response = client.post(reverse("reporting:report_edit", args=[world.report_a.pk]), again)
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.narrative == "My version of the answer." and first.version == 2
    assert second.narrative == "Untouched by others."


def test_saving_leaves_answers_changed_meanwhile_by_others_alone(client, world):
    first, second, _ = ordered_responses(world.report_a)
    client.force_login(world.reporter_a)
    loaded = edit_form_data(world.report_a, {second.pk: {"narrative": "Only this one is mine."}})
    report_save(
        report=world.report_a,
        user=world.approver_a,
        changes=[ResponseChange(first.pk, 0, {"narrative": "The approver's text."})],
    )
    response = client.post(reverse("reporting:report_edit", args=[world.report_a.pk]), loaded)
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.narrative == "The approver's text."
    assert second.narrative == "Only this one is mine."


def test_reservation_printed_under_the_text_is_pointed_out(client, world):
    from resolutions.models import Reservation

    first = ordered_responses(world.report_a)[0]
    reservation = Reservation.objects.create(
        document=world.cycle.resolution,
        delegation="Rwanda",
        parliament=world.parliament_a,
        on="operative paragraph 1",
        position=1,
    )
    reservation.paragraphs.add(first.commitment.paragraph)
    CommitmentResponse.objects.filter(pk=first.pk).update(position="reservation")
    client.force_login(world.reporter_a)
    html = client.get(reverse("reporting:report_edit", args=[world.report_a.pk])).content.decode()
    assert "position is printed under the text (operative paragraph 1)" in html
    assert html.count("prefilled-position") == 1


# Submission and review ------------------------------------------------------------------


def test_approver_saves_and_submits_then_the_report_is_read_only(client, world):
    first = ordered_responses(world.report_a)[0]
    client.force_login(world.approver_a)
    edit_url = reverse("reporting:report_edit", args=[world.report_a.pk])
    assert "Save and submit" in client.get(edit_url).content.decode()
    data = edit_form_data(world.report_a, {first.pk: {"status": "implemented"}}, submit="1")
    response = client.post(edit_url, data)
    assert response.status_code == 302
    assert response["Location"] == world.report_a.get_absolute_url()
    world.report_a.refresh_from_db()
    assert world.report_a.state == State.SUBMITTED
    assert world.report_a.submitted_by == world.approver_a
    first.refresh_from_db()
    assert first.status == "implemented"

    assert client.get(edit_url).status_code == 403
    assert client.post(edit_url, edit_form_data(world.report_a)).status_code == 403
    html = client.get(world.report_a.get_absolute_url()).content.decode()
    assert 'id="report-form"' not in html
    assert edit_url not in html
    assert reverse("reporting:report_transition", args=[world.report_a.pk, "submit"]) not in html
    client.force_login(world.reporter_a)
    assert client.get(edit_url).status_code == 403


def test_reporter_cannot_submit(client, world):
    client.force_login(world.reporter_a)
    data = edit_form_data(world.report_a, submit="1")
    response = client.post(reverse("reporting:report_edit", args=[world.report_a.pk]), data)
    assert response.status_code == 302
    world.report_a.refresh_from_db()
    assert world.report_a.state == State.DRAFT
    url = reverse("reporting:report_transition", args=[world.report_a.pk, "submit"])
    assert client.post(url).status_code == 403


def test_submit_button_on_the_report_page(client, world):
    client.force_login(world.approver_a)
    url = reverse("reporting:report_transition", args=[world.report_a.pk, "submit"])
    assert url in client.get(world.report_a.get_absolute_url()).content.decode()
    response = client.post(url)
    assert response.status_code == 302
    world.report_a.refresh_from_db()
    assert world.report_a.state == State.SUBMITTED


def test_review_queue_lists_submitted_reports_oldest_first(client, world):
    advance_report(world.report_b, State.SUBMITTED, approver=world.approver_b, reviewer=world.reviewer)
    advance_report(world.report_a, State.SUBMITTED, approver=world.approver_a, reviewer=world.reviewer)
    ImplementationReport.objects.filter(pk=world.report_b.pk).update(submitted_at=timezone.now() - timedelta(days=12))
    client.force_login(world.reviewer)
    response = client.get(reverse("reporting:review_queue"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("France") < html.index("Rwanda")
    assert "12 days" in html
    assert world.report_a.get_absolute_url() in html


def test_reviewer_returns_with_a_comment_and_the_parliament_edits_again(client, world):
    advance_report(world.report_a, State.SUBMITTED, approver=world.approver_a, reviewer=world.reviewer)
    client.force_login(world.reviewer)
    page = client.get(world.report_a.get_absolute_url()).content.decode()
    return_url = reverse("reporting:report_transition", args=[world.report_a.pk, "return"])
    accept_url = reverse("reporting:report_transition", args=[world.report_a.pk, "accept"])
    assert return_url in page and accept_url in page
    assert 'name="comment"' in page

    response = client.post(return_url, {"comment": "   "})
    assert response.status_code == 302
    assert any("a comment is required" in text for text in messages_of(response))
    world.report_a.refresh_from_db()
    assert world.report_a.state == State.SUBMITTED

    response = client.post(return_url, {"comment": "Please describe the 2023 budget law."})
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:review_queue")
    world.report_a.refresh_from_db()
    assert world.report_a.state == State.RETURNED

    client.force_login(world.reporter_a)
    assert client.get(reverse("reporting:report_edit", args=[world.report_a.pk])).status_code == 200
    html = client.get(world.report_a.get_absolute_url()).content.decode()
    assert "Please describe the 2023 budget law." in html
    assert "Returned for changes" in html
    assert reverse("reporting:report_edit", args=[world.report_a.pk]) in html


def test_reviewer_accepts(client, world):
    advance_report(world.report_a, State.SUBMITTED, approver=world.approver_a, reviewer=world.reviewer)
    client.force_login(world.admin)
    response = client.post(reverse("reporting:report_transition", args=[world.report_a.pk, "accept"]))
    assert response.status_code == 302
    world.report_a.refresh_from_db()
    assert world.report_a.state == State.ACCEPTED and world.report_a.reviewed_at is not None
    html = client.get(world.report_a.get_absolute_url()).content.decode()
    assert "Accepted" in html
    assert "transition-form" not in html
    assert client.post(reverse("reporting:report_transition", args=[world.report_a.pk, "accept"])).status_code == 403


def test_unknown_transition_is_not_found(client, world):
    client.force_login(world.approver_a)
    url = reverse("reporting:report_transition", args=[world.report_a.pk, "publish"])
    assert client.post(url).status_code == 404


def test_comments_are_added_and_shown(client, world):
    client.force_login(world.reporter_a)
    url = reverse("reporting:comment_add", args=[world.report_a.pk])
    response = client.post(url, {"body": "We will send the annex next week."})
    assert response.status_code == 302
    assert ReportComment.objects.filter(report=world.report_a, author=world.reporter_a).count() == 1
    html = client.get(world.report_a.get_absolute_url()).content.decode()
    assert "We will send the annex next week." in html
    assert "Comment added" in html  # the timeline
    response = client.post(url, {"body": "  "})
    assert ReportComment.objects.filter(report=world.report_a).count() == 1


# Evidence ----------------------------------------------------------------------------------


def test_evidence_upload_accepts_a_real_pdf(client, world):
    first = ordered_responses(world.report_a)[0]
    client.force_login(world.reporter_a)
    upload = SimpleUploadedFile("Budget law 2023.pdf", PDF_BYTES, content_type="application/octet-stream")
    url = reverse("reporting:evidence_upload", args=[world.report_a.pk, first.pk])
    response = client.post(url, {"file": upload})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#response-{first.pk}")
    evidence = Evidence.objects.get(response=first)
    assert evidence.original_name == "Budget law 2023.pdf"
    assert evidence.content_type == "application/pdf"
    assert evidence.uploaded_by == world.reporter_a
    html = client.get(reverse("reporting:report_edit", args=[world.report_a.pk])).content.decode()
    assert reverse("reporting:evidence_download", args=[evidence.pk]) in html
    assert "/media/" not in html and evidence.file.name not in html


def test_evidence_upload_refuses_a_text_file_named_pdf(client, world):
    first = ordered_responses(world.report_a)[0]
    client.force_login(world.reporter_a)
    upload = SimpleUploadedFile(
        "report.pdf", b"Just some text pretending to be a PDF.\n", content_type="application/pdf"
    )
    response = client.post(reverse("reporting:evidence_upload", args=[world.report_a.pk, first.pk]), {"file": upload})
    assert response.status_code == 302
    assert any("This kind of file is not accepted" in text for text in messages_of(response))
    assert not Evidence.objects.exists()


def test_evidence_upload_to_a_response_of_another_report_is_not_found(client, world):
    other = ordered_responses(world.report_b)[0]
    client.force_login(world.reporter_a)
    upload = SimpleUploadedFile("law.pdf", PDF_BYTES)
    url = reverse("reporting:evidence_upload", args=[world.report_a.pk, other.pk])
    assert client.post(url, {"file": upload}).status_code == 404
    assert not Evidence.objects.exists()


def test_evidence_download_streams_the_file_through_the_policy(client, world):
    evidence = attach_pdf(ordered_responses(world.report_a)[0], user=world.reporter_a, name="law.pdf")
    url = reverse("reporting:evidence_download", args=[evidence.pk])
    client.force_login(world.reporter_a)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="law.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF_BYTES

    client.force_login(world.reporter_b)
    assert client.get(url).status_code == 404
    client.force_login(world.reviewer)
    assert client.get(url).status_code == 404  # a draft's file stays with its parliament
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_evidence_is_removed(client, world):
    first = ordered_responses(world.report_a)[0]
    evidence = attach_pdf(first, user=world.reporter_a)
    client.force_login(world.approver_a)
    response = client.post(reverse("reporting:evidence_delete", args=[evidence.pk]))
    assert response.status_code == 302
    assert not Evidence.objects.exists()
    assert "File removed" in client.get(world.report_a.get_absolute_url()).content.decode()


# Cycles ------------------------------------------------------------------------------------


def test_cycle_list_counts_reports_per_state(client, world):
    advance_report(world.report_a, State.ACCEPTED, approver=world.approver_a, reviewer=world.reviewer)
    client.force_login(world.reviewer)
    response = client.get(reverse("reporting:cycle_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert world.cycle.get_absolute_url() in html
    assert re.search(r'count-draft">1<', html)
    assert re.search(r'count-accepted">1<', html)
    assert re.search(r'count-total">2<', html)
    assert reverse("reporting:cycle_create") not in html  # reviewers do not open cycles


def test_cycle_page_lists_every_parliament_asked(client, world):
    advance_report(world.report_b, State.SUBMITTED, approver=world.approver_b, reviewer=world.reviewer)
    extension_grant(
        cycle=world.cycle,
        parliament=world.parliament_a,
        due_date=world.cycle.due_date + timedelta(days=30),
        reason="Parliament dissolved",
        user=world.admin,
    )
    client.force_login(world.admin)
    response = client.get(world.cycle.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-parliament="RWA"' in html and 'data-parliament="FRA"' in html
    assert "0 of 3 answered" in html
    assert "extended" in html and "Parliament dissolved" in html
    assert world.report_b.get_absolute_url() in html  # submitted: the Secretariat may open it
    assert world.report_a.get_absolute_url() not in html  # a draft stays with its parliament
    assert reverse("reporting:extension_create", args=[world.cycle.pk]) in html


def test_group_chair_sees_only_the_group_parliaments(client, world):
    advance_report(world.report_a, State.SUBMITTED, approver=world.approver_a, reviewer=world.reviewer)
    advance_report(world.report_b, State.SUBMITTED, approver=world.approver_b, reviewer=world.reviewer)
    client.force_login(world.chair)
    html = client.get(world.cycle.get_absolute_url()).content.decode()
    assert 'data-parliament="RWA"' in html
    assert 'data-parliament="FRA"' not in html
    assert world.report_a.get_absolute_url() in html
    assert world.report_b.get_absolute_url() not in html
    assert reverse("reporting:extension_create", args=[world.cycle.pk]) not in html
    cycle_list = client.get(reverse("reporting:cycle_list")).content.decode()
    assert re.search(r'count-total">1<', cycle_list)


def test_open_a_cycle_in_two_steps(client, world):
    group = GeopoliticalGroupFactory(name="Asia-Pacific Group", slug="asia-pacific")
    world.parliament_b.groups.add(group)
    resolution = make_resolution(commitments=3)
    off, *_ = list(resolution.commitments.order_by("paragraph__position"))
    off.parliaments_report = False
    off.save()
    client.force_login(world.admin)
    url = reverse("reporting:cycle_create")
    first = client.get(url)
    assert first.status_code == 200
    assert resolution.title in first.content.decode()

    step_two = f"{url}?resolution={resolution.pk}"
    html = client.get(step_two).content.decode()
    assert resolution.deadline_date.isoformat() in html  # the text's own deadline is shown
    checked = re.findall(r'name="commitments" value="(\d+)"[^>]*checked', html)
    assert sorted(map(int, checked)) == sorted(c.pk for c in resolution.commitments.exclude(pk=off.pk))

    data = {
        "title": "",
        "opened_on": timezone.localdate().isoformat(),
        "due_date": "",
        "selection": ReportingCycle.Selection.GROUPS,
        "groups": [group.pk],
        "commitments": checked,
    }
    response = client.post(step_two, data)
    assert response.status_code == 302
    cycle = ReportingCycle.objects.exclude(pk=world.cycle.pk).get()
    assert response["Location"] == cycle.get_absolute_url()
    assert cycle.due_date == resolution.deadline_date
    assert cycle.due_date_source == ReportingCycle.DueDateSource.TEXT
    assert list(cycle.reports.values_list("parliament__iso3", flat=True)) == ["FRA"]
    assert cycle.commitments.count() == 2


def test_cycle_form_shows_service_errors_as_form_errors(client, world):
    resolution = make_resolution(commitments=2)
    client.force_login(world.admin)
    step_two = f"{reverse('reporting:cycle_create')}?resolution={resolution.pk}"
    today = timezone.localdate()
    data = {
        "opened_on": today.isoformat(),
        "due_date": (today - timedelta(days=1)).isoformat(),
        "selection": ReportingCycle.Selection.ALL,
        "commitments": list(resolution.commitments.values_list("pk", flat=True)),
    }
    response = client.post(step_two, data)
    assert response.status_code == 200
    assert "The due date must be after the opening date." in response.content.decode()
    response = client.post(step_two, {**data, "due_date": "", "selection": ReportingCycle.Selection.LIST})
    assert "Choose at least one parliament." in response.content.decode()
    assert ReportingCycle.objects.count() == 1


def test_grant_an_extension(client, world):
    client.force_login(world.admin)
    url = reverse("reporting:extension_create", args=[world.cycle.pk])
    assert client.get(url).status_code == 200
    too_early = {"parliament": world.parliament_a.pk, "due_date": world.cycle.due_date.isoformat(), "reason": "x"}
    response = client.post(url, too_early)
    assert response.status_code == 200
    assert "An extension must end after the cycle&#x27;s due date" in response.content.decode()
    later = world.cycle.due_date + timedelta(days=45)
    response = client.post(
        url, {"parliament": world.parliament_a.pk, "due_date": later.isoformat(), "reason": "Floods"}
    )
    assert response.status_code == 302
    assert Extension.objects.get(cycle=world.cycle, parliament=world.parliament_a).due_date == later
    client.force_login(world.reporter_a)
    assert later.strftime("%-d %b %Y") in client.get(world.report_a.get_absolute_url()).content.decode()


# Factories -------------------------------------------------------------------------------


def test_factories_build_a_consistent_report():
    response = ResponseFactory()
    assert response.commitment.document == response.report.cycle.resolution
    assert response.commitment in response.report.cycle.commitments.all()
    report = ReportFactory(cycle=CycleFactory())
    assert report.state == State.DRAFT and report.is_editable


# Query counts ----------------------------------------------------------------------------


def _report_with(world: World, commitments: int) -> ImplementationReport:
    cycle = open_test_cycle(
        resolution=make_resolution(commitments=commitments), parliaments=[world.parliament_a], admin=world.admin
    )
    report = cycle.reports.get()
    items = list(report.responses.all())
    report_save(
        report=report,
        user=world.reporter_a,
        changes=[
            ResponseChange(item.pk, item.version, {"status": "planned", "links": ["https://a.example"]})
            for item in items
        ],
    )
    for item in items[:2]:
        attach_pdf(item, user=world.reporter_a)
    comment_add(report=report, user=world.reporter_a, body="A note.")
    return report


@pytest.mark.parametrize("page", ["report_detail", "report_edit"])
def test_report_pages_cost_the_same_queries_for_40_commitments_as_for_3(
    client, world, page, django_assert_max_num_queries
):
    small = _report_with(world, 3)
    large = _report_with(world, 40)
    client.force_login(world.reporter_a)
    with CaptureQueriesContext(connection) as baseline:
        assert client.get(reverse(f"reporting:{page}", args=[small.pk])).status_code == 200
    assert len(baseline) <= 16
    with django_assert_max_num_queries(len(baseline)):
        response = client.get(reverse(f"reporting:{page}", args=[large.pk]))
    assert response.status_code == 200


def test_report_page_for_the_secretariat_and_a_chair_costs_no_more(client, world, django_assert_max_num_queries):
    small = _report_with(world, 3)
    large = _report_with(world, 40)
    for report in (small, large):
        report_transition(report=report, name="submit", user=world.approver_a)
    for user in (world.reviewer, world.chair):
        client.force_login(user)
        with CaptureQueriesContext(connection) as baseline:
            assert client.get(small.get_absolute_url()).status_code == 200
        with django_assert_max_num_queries(len(baseline)):
            assert client.get(large.get_absolute_url()).status_code == 200


def test_cycle_page_costs_the_same_queries_for_180_parliaments_as_for_3(client, world, django_assert_max_num_queries):
    resolution = make_resolution(commitments=3)
    small = open_test_cycle(resolution=resolution, parliaments=make_parliaments(3, prefix="S"), admin=world.admin)
    many = make_parliaments(180, prefix="L")
    large = open_test_cycle(resolution=resolution, parliaments=many, admin=world.admin)
    for parliament in many[:5]:
        extension_grant(
            cycle=large,
            parliament=parliament,
            due_date=large.due_date + timedelta(days=10),
            reason="r",
            user=world.admin,
        )
    for parliament in many[5:8]:
        approver = make_user(f"approver-{parliament.iso3}", User.Role.APPROVER, parliament=parliament)
        report_transition(report=large.reports.get(parliament=parliament), name="submit", user=approver)
    client.force_login(world.admin)
    with CaptureQueriesContext(connection) as baseline:
        assert client.get(small.get_absolute_url()).status_code == 200
    assert len(baseline) <= 12
    with django_assert_max_num_queries(len(baseline)):
        response = client.get(large.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="parliament-row"') == 180
    assert html.count("extended") >= 5


def test_lists_cost_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    many = make_parliaments(30, prefix="M")
    for _ in range(4):
        open_test_cycle(
            resolution=make_resolution(commitments=2), parliaments=[world.parliament_a, *many], admin=world.admin
        )
    for report in ImplementationReport.objects.filter(parliament=world.parliament_a):
        report_transition(report=report, name="submit", user=world.approver_a)
    client.force_login(world.reviewer)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("reporting:review_queue")).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("reporting:cycle_list")).status_code == 200
    client.force_login(world.reporter_a)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("reporting:my_reports")).status_code == 200


# Admin -------------------------------------------------------------------------------------


def test_admin_shows_reports_read_only_and_hides_drafts(client, world):
    advance_report(world.report_b, State.SUBMITTED, approver=world.approver_b, reviewer=world.reviewer)
    evidence = attach_pdf(ordered_responses(world.report_a)[0], user=world.reporter_a)
    client.force_login(world.admin)
    changelist = client.get(reverse("admin:reporting_implementationreport_changelist"))
    assert changelist.status_code == 200
    html = changelist.content.decode()
    assert "France" in html and "Rwanda" not in html
    assert client.get(
        reverse("admin:reporting_implementationreport_change", args=[world.report_a.pk])
    ).status_code in {302, 404}
    change = client.get(reverse("admin:reporting_implementationreport_change", args=[world.report_b.pk]))
    assert change.status_code == 200
    assert 'name="state"' not in change.content.decode()
    assert (
        client.post(
            reverse("admin:reporting_implementationreport_change", args=[world.report_b.pk]), {"state": "accepted"}
        ).status_code
        == 403
    )
    world.report_b.refresh_from_db()
    assert world.report_b.state == State.SUBMITTED
    assert client.get(reverse("admin:reporting_implementationreport_add")).status_code == 403
    evidence_list = client.get(reverse("admin:reporting_evidence_changelist")).content.decode()
    assert evidence.original_name not in evidence_list  # the file of a draft
    for name in ("reportingcycle", "commitmentresponse", "evidence", "reportcomment", "reportevent", "extension"):
        assert client.get(reverse(f"admin:reporting_{name}_changelist")).status_code == 200, name


def test_admin_evidence_links_go_through_the_download_view(client, world):
    evidence = attach_pdf(ordered_responses(world.report_b)[0], user=world.reporter_b)
    advance_report(world.report_b, State.SUBMITTED, approver=world.approver_b, reviewer=world.reviewer)
    client.force_login(world.reviewer)
    html = client.get(reverse("admin:reporting_evidence_change", args=[evidence.pk])).content.decode()
    assert reverse("reporting:evidence_download", args=[evidence.pk]) in html
    assert evidence.file.name not in html


def test_parliament_admin_has_focal_points(client, world):
    client.force_login(world.admin)
    html = client.get(reverse("admin:tracker_parliament_change", args=[world.parliament_a.pk])).content.decode()
    assert "focal_points-TOTAL_FORMS" in html


def test_admin_change_pages_open_read_only(client, world):
    advance_report(world.report_b, State.SUBMITTED, approver=world.approver_b, reviewer=world.reviewer)
    first = ordered_responses(world.report_b)[0]
    comment_add(report=world.report_b, user=world.reviewer, body="Thanks.")
    extension = extension_grant(
        cycle=world.cycle,
        parliament=world.parliament_b,
        due_date=world.cycle.due_date + timedelta(days=5),
        reason="Recess",
        user=world.admin,
    )
    objects = {
        "reportingcycle": world.cycle.pk,
        "implementationreport": world.report_b.pk,
        "commitmentresponse": first.pk,
        "reportcomment": ReportComment.objects.get(report=world.report_b).pk,
        "reportevent": world.report_b.events.first().pk,
        "extension": extension.pk,
    }
    for user in (world.admin, world.reviewer):
        client.force_login(user)
        for name, pk in objects.items():
            response = client.get(reverse(f"admin:reporting_{name}_change", args=[pk]))
            assert response.status_code == 200, (user, name)
    client.force_login(world.admin)
    cycle_page = client.get(reverse("admin:reporting_reportingcycle_change", args=[world.cycle.pk])).content.decode()
    # Only the title is a form field; the state changes through the close/reopen actions.
    assert 'name="title"' in cycle_page and 'name="state"' not in cycle_page and 'name="due_date"' not in cycle_page
    assert client.get(reverse("admin:reporting_reportingcycle_add")).status_code == 403
    assert client.get(reverse("admin:reporting_extension_add")).status_code == 403


def test_admin_action_closes_a_cycle_through_the_service(client, world):
    client.force_login(world.admin)
    response = client.post(
        reverse("admin:reporting_reportingcycle_changelist"),
        {"action": "close_cycles", "_selected_action": [world.cycle.pk]},
    )
    assert response.status_code == 302
    world.cycle.refresh_from_db()
    assert world.cycle.state == ReportingCycle.State.CLOSED
    client.force_login(world.reviewer)  # reviewers may look but not close
    client.post(
        reverse("admin:reporting_reportingcycle_changelist"),
        {"action": "reopen_cycles", "_selected_action": [world.cycle.pk]},
    )
    world.cycle.refresh_from_db()
    assert world.cycle.state == ReportingCycle.State.CLOSED
