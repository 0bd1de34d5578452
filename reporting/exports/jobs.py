"""Exports requested from the web: recorded as ``SummaryExport`` rows and built in the background.

A request records the row and enqueues ``export_build`` once the transaction commits (eager
Celery, with no ``REDIS_URL``, builds it inline). The build is safe to run twice: a finished
export is left alone, and a build that is redelivered after a worker died starts again and
replaces its file. Any failure is written on the row, so the page waiting for it stops.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tracker.permissions import Action, AnyUser, policy

from ..models import ReportingCycle, SummaryExport
from . import export_write

logger = logging.getLogger(__name__)
State = SummaryExport.State
LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)
# Errors worth a retry of the whole task rather than a failed export.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)


class ExportRefused(Exception):
    """A request the rules refuse; the message is shown to the user as it is."""


def export_request(*, cycle: ReportingCycle, user: AnyUser, fmt: str, language: str) -> SummaryExport:
    """Record an export of ``cycle`` and have it built once the current transaction commits."""
    if not policy.user_has_permission(user, Action.EXPORT_SUMMARIES):
        raise ExportRefused(_("You are not allowed to do this."))
    if fmt not in SummaryExport.Format.values:
        raise ExportRefused(_("Unknown export format."))
    if language not in LANGUAGES:
        raise ExportRefused(_("Unknown language."))
    with transaction.atomic():
        export = SummaryExport.objects.create(cycle=cycle, format=fmt, language=language, created_by=user)
        transaction.on_commit(lambda: export_enqueue(export.pk))
    return export


def export_enqueue(export_id: int) -> None:
    """Hand the build to Celery; when the broker cannot take it, the export fails with a clear reason."""
    from ..export_tasks import export_build
    from ..outbox import BROKER_ERRORS

    try:
        export_build.delay(export_id)
    except BROKER_ERRORS as error:
        logger.warning("Export %s could not be queued: %s", export_id, error)
        _finish(export_id, State.FAILED, error=_("The export could not be queued. Please try again later."))


def _finish(export_id: int, state: str, **fields: object) -> None:
    SummaryExport.objects.filter(pk=export_id).update(state=state, finished_at=timezone.now(), **fields)


class _ProgressWriter:
    """Stores the percentage on the row when it changes (at most about a hundred small updates)."""

    def __init__(self, export_id: int) -> None:
        self.export_id = export_id
        self.last = -1

    def __call__(self, done: int, total: int) -> None:
        percent = min(99, int(100 * done / total)) if total else 99  # 100 only once the file is stored
        if percent != self.last:
            self.last = percent
            SummaryExport.objects.filter(pk=self.export_id, state=State.RUNNING).update(progress=percent)


def export_run(export_id: int) -> SummaryExport | None:
    """Build one export's file; None when the row is gone. Transient database errors propagate."""
    export = SummaryExport.objects.filter(pk=export_id).first()
    if export is None:
        logger.info("Export %s was deleted before it was built", export_id)
        return None
    if export.state == State.DONE:
        return export
    SummaryExport.objects.filter(pk=export_id).update(state=State.RUNNING, progress=0, error="", finished_at=None)
    previous = export.file.name
    try:
        exports_dir = Path(settings.MEDIA_ROOT) / "exports"
        exports_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=exports_dir) as handle:
            export_write(
                export.cycle_id,
                export.format,
                handle,
                language=export.language,
                progress=_ProgressWriter(export_id),
            )
            handle.seek(0)
            export.file.save(f"{export.format}", File(handle), save=False)
    except TRANSIENT_ERRORS:
        raise
    except ReportingCycle.DoesNotExist:
        with translation.override(export.language):
            _finish(export_id, State.FAILED, error=_("The reporting cycle no longer exists."))
        return SummaryExport.objects.filter(pk=export_id).first()
    except Exception as error:  # noqa: BLE001 - whatever went wrong is recorded, so the page stops waiting
        logger.exception("Export %s failed", export_id)
        with translation.override(export.language):
            _finish(export_id, State.FAILED, error=_("The export failed: %(reason)s") % {"reason": error})
        return SummaryExport.objects.filter(pk=export_id).first()
    _finish(export_id, State.DONE, progress=100, file=export.file.name)
    if previous and previous != export.file.name:
        export.file.storage.delete(previous)  # an earlier, interrupted build of the same export
    export.refresh_from_db()
    return export


def export_for_user(pk: int, *, user: AnyUser) -> SummaryExport | None:
    """The export if the policy lets the user have it, else None (the caller answers 404)."""
    if not policy.user_has_permission(user, Action.EXPORT_SUMMARIES):
        return None
    return SummaryExport.objects.select_related("cycle", "created_by").filter(pk=pk).first()


def recent_exports(cycle: ReportingCycle, *, limit: int = 10) -> list[SummaryExport]:
    return list(SummaryExport.objects.filter(cycle=cycle).select_related("created_by").order_by("-created_at")[:limit])
