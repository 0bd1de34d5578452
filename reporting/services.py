"""Writes for reporting: opening cycles, saving answers, evidence, comments, extensions.

Every function runs in one transaction and records what it changed as ReportEvent rows;
report state changes live in ``reporting.workflow``.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from resolutions.models import Commitment, Document, Reservation
from tracker.models import GeopoliticalGroup, Parliament, User
from tracker.permissions import Action, policy

from .evidence import EvidenceRejected, check_evidence_file
from .models import (
    CommitmentResponse,
    Evidence,
    Extension,
    ImplementationReport,
    ImplementationStatus,
    MeasureKind,
    Position,
    ReportComment,
    ReportEvent,
    ReportingCycle,
)

EDITABLE_FIELDS = ("status", "measures", "narrative", "links", "position", "position_note")
PREFILLED_FIELDS = ("status", "measures", "narrative", "links")


class ReportingError(Exception):
    """A request the rules refuse; the message is shown to the user as it is."""


class StaleResponse(ReportingError):
    """Someone else saved the same answer first; nothing of theirs or yours is lost."""

    def __init__(self, message: str, *, response_ids: Sequence[int]) -> None:
        super().__init__(message)
        self.response_ids = list(response_ids)


def _require(user: User, action: Action, instance: Any = None) -> None:
    allowed = (
        policy.user_has_permission(user, action)
        if instance is None
        else policy.user_has_permission_for_instance(user, action, instance)
    )
    if not allowed:
        raise ReportingError(_("You are not allowed to do this."))


# Cycles ---------------------------------------------------------------------------------


def parliaments_for_selection(
    *, selection: str, groups: Iterable[GeopoliticalGroup] = (), parliaments: Iterable[Parliament] = ()
) -> QuerySet[Parliament]:
    if selection not in ReportingCycle.Selection.values:
        raise ReportingError(_("Unknown choice of parliaments: “%(selection)s”.") % {"selection": selection})
    if selection == ReportingCycle.Selection.ALL:
        return Parliament.objects.all()
    if selection == ReportingCycle.Selection.GROUPS:
        group_ids = [group.pk for group in groups]
        if not group_ids:
            raise ReportingError(_("Choose at least one geopolitical group."))
        return Parliament.objects.filter(groups__in=group_ids).distinct()
    parliament_ids = [parliament.pk for parliament in parliaments]
    if not parliament_ids:
        raise ReportingError(_("Choose at least one parliament."))
    return Parliament.objects.filter(pk__in=parliament_ids)


def _reservation_positions(resolution: Document, commitments: Sequence[Commitment]) -> dict[tuple[int, int], str]:
    """(parliament, commitment) → position, from the reservations printed under the text."""
    positions: dict[tuple[int, int], str] = {}
    reservations = (
        Reservation.objects.filter(document=resolution, parliament__isnull=False)
        .prefetch_related("paragraphs")
        .order_by("position")
    )
    for reservation in reservations:
        position = Position.OPPOSITION if reservation.opposition else Position.RESERVATION
        named = {paragraph.pk for paragraph in reservation.paragraphs.all()}
        for commitment in commitments:
            paragraph = commitment.paragraph
            if reservation.entire or reservation.opposition or paragraph.pk in named or paragraph.parent_id in named:
                key = (reservation.parliament_id, commitment.pk)
                # An opposition is never weakened by a reservation printed after it.
                if positions.get(key) != Position.OPPOSITION:
                    positions[key] = position
    return positions


def _previous_answers(resolution: Document, parliament_ids: Sequence[int]) -> dict[tuple[int, int], dict]:
    """The latest earlier answers of each parliament on the same resolution."""
    latest: dict[tuple[int, int], dict] = {}
    responses = (
        CommitmentResponse.objects.filter(
            report__cycle__resolution=resolution, report__parliament_id__in=parliament_ids
        )
        .exclude(status="")
        .order_by("report__cycle__opened_on", "report__cycle_id")
        .values("report__parliament_id", "commitment_id", *PREFILLED_FIELDS)
    )
    for row in responses:
        key = (row.pop("report__parliament_id"), row.pop("commitment_id"))
        latest[key] = row
    return latest


def _create_reports(
    cycle: ReportingCycle, parliaments: Sequence[Parliament], commitments: Sequence[Commitment], user: User | None
) -> list[ImplementationReport]:
    reports = ImplementationReport.objects.bulk_create(
        [ImplementationReport(cycle=cycle, parliament=parliament) for parliament in parliaments]
    )
    if not connection.features.can_return_rows_from_bulk_insert:
        reports = list(ImplementationReport.objects.filter(cycle=cycle, parliament__in=parliaments))
    # "Created" comes first on each report's timeline, before any "prefilled".
    ReportEvent.objects.bulk_create(
        [ReportEvent(report=report, kind=ReportEvent.Kind.CREATED, actor=user) for report in reports]
    )
    _create_responses(cycle, reports, commitments)
    return reports


def _create_responses(
    cycle: ReportingCycle,
    reports: Sequence[ImplementationReport],
    commitments: Sequence[Commitment],
    existing: Container[tuple[int, int]] = frozenset(),
) -> None:
    """One response per report and commitment, except the (report, commitment) pairs in ``existing``."""
    parliament_ids = [report.parliament_id for report in reports]
    positions = _reservation_positions(cycle.resolution, commitments)
    previous = _previous_answers(cycle.resolution, parliament_ids)
    rows = []
    prefilled: set[int] = set()
    for report in reports:
        for commitment in commitments:
            if (report.pk, commitment.pk) in existing:
                continue
            key = (report.parliament_id, commitment.pk)
            earlier = previous.get(key, {})
            if earlier:
                prefilled.add(report.pk)
            rows.append(
                CommitmentResponse(
                    report=report,
                    commitment=commitment,
                    position=positions.get(key, Position.NONE),
                    **earlier,
                )
            )
    CommitmentResponse.objects.bulk_create(rows, batch_size=2000)
    ReportEvent.objects.bulk_create(
        [
            ReportEvent(report_id=pk, kind=ReportEvent.Kind.PREFILLED, data={"from": "earlier cycle"})
            for pk in prefilled
        ]
    )


@transaction.atomic
def cycle_open(
    *,
    resolution: Document,
    user: User,
    opened_on: date | None = None,
    due_date: date | None = None,
    selection: str = ReportingCycle.Selection.ALL,
    groups: Iterable[GeopoliticalGroup] = (),
    parliaments: Iterable[Parliament] = (),
    commitments: Iterable[Commitment] | None = None,
    title: str = "",
) -> ReportingCycle:
    """Open a cycle: one report per parliament asked, one response per commitment reported on."""
    _require(user, Action.MANAGE_CYCLES)
    if resolution.kind == Document.Kind.BACKGROUND_NOTE:
        raise ReportingError(_("A background note has no commitments to report on."))
    source = ReportingCycle.DueDateSource.MANUAL
    if due_date is None:
        due_date, source = resolution.deadline_date, ReportingCycle.DueDateSource.TEXT
    if due_date is None:
        raise ReportingError(_("The resolution states no deadline the tracker can date: set the due date by hand."))
    opened_on = opened_on or timezone.localdate()
    if due_date <= opened_on:
        raise ReportingError(_("The due date must be after the opening date."))
    groups = list(groups)
    asked = list(parliaments_for_selection(selection=selection, groups=groups, parliaments=parliaments))
    if not asked:
        raise ReportingError(_("No parliament matches this selection."))
    if commitments is None:
        commitments = resolution.commitments.filter(parliaments_report=True)
    commitments = list(
        Commitment.objects.filter(pk__in=[c.pk for c in commitments], document=resolution)
        .select_related("paragraph")
        .order_by("paragraph__position", "paragraph__letter")
    )
    if not commitments:
        raise ReportingError(_("Choose at least one commitment of this resolution to report on."))
    cycle = ReportingCycle.objects.create(
        resolution=resolution,
        title=title or _("Implementation of “%(title)s”") % {"title": Truncator(resolution.display_title).chars(260)},
        opened_on=opened_on,
        due_date=due_date,
        due_date_source=source,
        selection=selection,
        created_by=user,
    )
    if groups and selection == ReportingCycle.Selection.GROUPS:
        cycle.groups.set(groups)
    cycle.commitments.set(commitments)
    _create_reports(cycle, asked, commitments, user)
    return cycle


@transaction.atomic
def cycle_state_set(*, cycle: ReportingCycle, state: str, user: User) -> ReportingCycle:
    """Close a cycle (parliaments can no longer edit or submit) or open it again."""
    _require(user, Action.MANAGE_CYCLES)
    if state not in ReportingCycle.State.values:
        raise ReportingError(_("Unknown cycle state “%(state)s”.") % {"state": state})
    ReportingCycle.objects.filter(pk=cycle.pk).update(state=state)
    cycle.state = state
    return cycle


@transaction.atomic
def cycle_commitments_set(*, cycle: ReportingCycle, commitments: Iterable[Commitment], user: User) -> None:
    """Add or drop commitments of an open cycle; editable reports follow."""
    _require(user, Action.MANAGE_CYCLES)
    wanted = {c.pk for c in commitments if c.document_id == cycle.resolution_id}
    if not wanted:
        raise ReportingError(_("A cycle needs at least one commitment."))
    current = set(cycle.commitments.values_list("pk", flat=True))
    added, dropped = wanted - current, current - wanted
    editable = list(
        cycle.reports.filter(state__in=(ImplementationReport.State.DRAFT, ImplementationReport.State.RETURNED))
    )
    if dropped:
        CommitmentResponse.objects.filter(report__in=editable, commitment_id__in=dropped).delete()
    if added:
        new = list(Commitment.objects.filter(pk__in=added).select_related("paragraph"))
        # A report submitted while a commitment was dropped kept its answer; when that
        # report is back for changes and the commitment returns, the answer stays as it is.
        existing = set(
            CommitmentResponse.objects.filter(report__in=editable, commitment_id__in=added).values_list(
                "report_id", "commitment_id"
            )
        )
        _create_responses(cycle, editable, new, existing)
    cycle.commitments.set(wanted)


@transaction.atomic
def extension_grant(
    *, cycle: ReportingCycle, parliament: Parliament, due_date: date, reason: str, user: User
) -> Extension:
    _require(user, Action.MANAGE_CYCLES)
    if not reason.strip():
        raise ReportingError(_("Give the reason for the extension."))
    if due_date <= cycle.due_date:
        raise ReportingError(
            _("An extension must end after the cycle's due date (%(date)s).") % {"date": cycle.due_date}
        )
    report = ImplementationReport.objects.filter(cycle=cycle, parliament=parliament).first()
    if report is None:
        raise ReportingError(_("This parliament is not asked to report in this cycle."))
    extension, _created = Extension.objects.update_or_create(
        cycle=cycle,
        parliament=parliament,
        defaults={"due_date": due_date, "reason": reason.strip(), "granted_by": user},
    )
    ReportEvent.objects.create(
        report=report,
        kind=ReportEvent.Kind.EXTENDED,
        actor=user,
        data={"due_date": due_date.isoformat(), "reason": reason.strip()},
    )
    return extension


def due_date_for(report: ImplementationReport) -> date:
    """The report's own due date: the cycle's, or an extension's."""
    extensions = getattr(report, "prefetched_extensions", None)
    if extensions is None:
        extension = Extension.objects.filter(cycle_id=report.cycle_id, parliament_id=report.parliament_id).first()
    else:
        extension = extensions[0] if extensions else None
    return extension.due_date if extension else report.cycle.due_date


# Answers --------------------------------------------------------------------------------


@dataclass
class ResponseChange:
    """What the form submitted for one response, with the version the user started from."""

    response_id: int
    version: int
    values: Mapping[str, Any]


_CHOICES = {"status": ["", *ImplementationStatus.values], "position": Position.values}


def _clean_values(values: Mapping[str, Any]) -> dict[str, Any]:
    cleaned = {field: values[field] for field in EDITABLE_FIELDS if field in values}
    for field, choices in _CHOICES.items():
        if field in cleaned and cleaned[field] not in choices:
            raise ReportingError(_("“%(value)s” is not a valid choice.") % {"value": cleaned[field]})
    for field in ("narrative", "position_note"):
        if field in cleaned and not isinstance(cleaned[field], str):
            raise ReportingError(_("“%(value)s” is not text.") % {"value": cleaned[field]})
    if "measures" in cleaned:
        allowed = set(MeasureKind.values)
        # Known codes only, each once, in the order given.
        cleaned["measures"] = list(
            dict.fromkeys(m for m in cleaned["measures"] or () if isinstance(m, str) and m in allowed)
        )
    if "links" in cleaned:
        cleaned["links"] = [link for link in cleaned["links"] or () if link]
    return cleaned


@transaction.atomic
def report_save(*, report: ImplementationReport, user: User, changes: Sequence[ResponseChange]) -> int:
    """Save a draft: every changed answer or none (optimistic locking on ``version``).

    Returns how many answers changed. Raises StaleResponse naming the answers someone
    else saved since the form was loaded; the caller shows the user's text again.
    """
    locked = ImplementationReport.objects.select_for_update().get(pk=report.pk)
    _require(user, Action.EDIT_REPORT, locked)
    current = {
        row.pk: row
        for row in CommitmentResponse.objects.filter(report=locked, pk__in=[c.response_id for c in changes])
    }
    stale: list[int] = []
    changed = 0
    events = []
    for change in changes:
        response = current.get(change.response_id)
        if response is None:
            raise ReportingError(_("This answer does not belong to this report."))
        values = _clean_values(change.values)
        diff = {field: value for field, value in values.items() if getattr(response, field) != value}
        if not diff:
            continue
        updated = CommitmentResponse.objects.filter(pk=response.pk, version=change.version).update(
            **diff, version=F("version") + 1, updated_by=user, updated_at=timezone.now()
        )
        if not updated:
            stale.append(response.pk)
            continue
        changed += 1
        events.append(
            ReportEvent(
                report=locked,
                kind=ReportEvent.Kind.EDITED,
                actor=user,
                data={"commitment": response.commitment_id, "fields": sorted(diff)},
            )
        )
    if stale:
        transaction.set_rollback(True)
        raise StaleResponse(
            _(
                "Someone else saved %(count)s of these answers while you were editing. Nothing was saved: "
                "your text is still in the form; compare it with theirs and save again."
            )
            % {"count": len(stale)},
            response_ids=stale,
        )
    ReportEvent.objects.bulk_create(events)
    if changed:
        ImplementationReport.objects.filter(pk=locked.pk).update(updated_at=timezone.now())
    return changed


@transaction.atomic
def publish_consent_set(*, report: ImplementationReport, user: User, consent: bool) -> None:
    _require(user, Action.EDIT_REPORT, report)
    ImplementationReport.objects.filter(pk=report.pk).update(publish_consent=consent)
    report.publish_consent = consent


# Evidence and comments ------------------------------------------------------------------


class EvidenceFileRejected(ReportingError, EvidenceRejected):
    """An upload ``reporting.evidence`` refuses; callers may catch either base class."""


def _original_name(name: str | None) -> str:
    """The name the user's computer gave the file, without any folders, for display only."""
    base = PurePosixPath((name or "").replace("\\", "/")).name.strip()
    return (base or "file")[-255:]


@transaction.atomic
def evidence_add(*, response: CommitmentResponse, user: User, uploaded, is_private: bool = True) -> Evidence:
    # The report is locked and read again: a copy loaded before it was submitted must not
    # let files be added to a report under review.
    report = ImplementationReport.objects.select_for_update().get(pk=response.report_id)
    _require(user, Action.EDIT_REPORT, report)
    try:
        content_type = check_evidence_file(uploaded, max_bytes=settings.EVIDENCE_MAX_BYTES)
    except EvidenceRejected as exc:
        raise EvidenceFileRejected(str(exc)) from exc
    evidence = Evidence(
        response=response,
        original_name=_original_name(uploaded.name),
        content_type=content_type,
        size=uploaded.size,
        is_private=is_private,
        uploaded_by=user,
    )
    evidence.file.save("upload", uploaded, save=False)
    try:
        evidence.save()
        ReportEvent.objects.create(
            report=report,
            kind=ReportEvent.Kind.FILE_ADDED,
            actor=user,
            data={"commitment": response.commitment_id, "file": evidence.original_name},
        )
    except DatabaseError:
        evidence.file.delete(save=False)  # no row, no file
        raise
    return evidence


@transaction.atomic
def evidence_remove(*, evidence: Evidence, user: User) -> None:
    response = evidence.response
    report = ImplementationReport.objects.select_for_update().get(pk=response.report_id)
    _require(user, Action.EDIT_REPORT, report)
    name, storage, path = evidence.original_name, evidence.file.storage, evidence.file.name
    ReportEvent.objects.create(
        report=report,
        kind=ReportEvent.Kind.FILE_REMOVED,
        actor=user,
        data={"commitment": response.commitment_id, "file": name},
    )
    evidence.delete()
    transaction.on_commit(lambda: storage.delete(path))


@transaction.atomic
def comment_add(*, report: ImplementationReport, user: User, body: str) -> ReportComment:
    _require(user, Action.COMMENT_REPORT, report)
    body = body.strip()
    if not body:
        raise ReportingError(_("The comment is empty."))
    comment = ReportComment.objects.create(report=report, author=user, body=body)
    ReportEvent.objects.create(
        report=report, kind=ReportEvent.Kind.COMMENTED, actor=user, data={"comment": comment.pk}
    )
    return comment


__all__ = [
    "EDITABLE_FIELDS",
    "EvidenceFileRejected",
    "ReportingError",
    "ResponseChange",
    "StaleResponse",
    "comment_add",
    "cycle_commitments_set",
    "cycle_open",
    "cycle_state_set",
    "due_date_for",
    "evidence_add",
    "evidence_remove",
    "extension_grant",
    "parliaments_for_selection",
    "publish_consent_set",
    "report_save",
]
