"""Reporting cycles, parliaments' implementation reports and their review."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from resolutions.models import Commitment, Document
from tracker.models import GeopoliticalGroup, Parliament


def default_reminder_days() -> list[int]:
    return [60, 30, 7]


class ReportingCycle(models.Model):
    """One resolution opened for reporting, with the parliaments asked and the due date."""

    class DueDateSource(models.TextChoices):
        TEXT = "text", _("From the resolution's own deadline")
        MANUAL = "manual", _("Set by the Secretariat")

    class Selection(models.TextChoices):
        ALL = "all", _("All member parliaments")
        GROUPS = "groups", _("One or more geopolitical groups")
        LIST = "list", _("A chosen list of parliaments")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    resolution = models.ForeignKey(
        Document, on_delete=models.PROTECT, related_name="reporting_cycles", verbose_name=_("resolution")
    )
    title = models.CharField(_("title"), max_length=300)
    opened_on = models.DateField(_("opened on"))
    due_date = models.DateField(_("due date"))
    due_date_source = models.CharField(
        _("due date source"), max_length=10, choices=DueDateSource.choices, default=DueDateSource.TEXT
    )
    selection = models.CharField(
        _("parliaments asked"), max_length=10, choices=Selection.choices, default=Selection.ALL
    )
    groups = models.ManyToManyField(
        GeopoliticalGroup, blank=True, related_name="reporting_cycles", verbose_name=_("geopolitical groups")
    )
    commitments = models.ManyToManyField(
        Commitment, related_name="reporting_cycles", verbose_name=_("commitments reported on")
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    # Reminder schedule; defaults suit most cycles and the Secretariat edits them per cycle.
    reminders_enabled = models.BooleanField(_("send reminders"), default=True)
    reminder_days_before = models.JSONField(
        _("reminders before the due date (days)"), default=default_reminder_days, blank=True
    )
    overdue_every_days = models.PositiveSmallIntegerField(_("repeat overdue notices every (days)"), default=14)
    idle_draft_days = models.PositiveSmallIntegerField(_("remind about a draft untouched for (days)"), default=21)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-opened_on", "-pk"]
        verbose_name = _("reporting cycle")
        verbose_name_plural = _("reporting cycles")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reporting:cycle_detail", args=[self.pk])


class Extension(models.Model):
    """More time for one parliament in one cycle, with the reason it was granted."""

    cycle = models.ForeignKey(ReportingCycle, on_delete=models.CASCADE, related_name="extensions")
    parliament = models.ForeignKey(Parliament, on_delete=models.CASCADE, related_name="extensions")
    due_date = models.DateField(_("extended due date"))
    reason = models.TextField(_("reason"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        ordering = ["cycle", "parliament"]
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        constraints = [models.UniqueConstraint(fields=["cycle", "parliament"], name="extension_unique_per_cycle")]

    def __str__(self) -> str:
        return f"{self.parliament} → {self.due_date}"


class ImplementationReport(models.Model):
    """One parliament's report in one cycle.

    ``state`` changes only through ``reporting.workflow`` (draft → submitted → returned →
    submitted → accepted); never assign it directly.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned for changes")
        ACCEPTED = "accepted", _("Accepted")

    cycle = models.ForeignKey(ReportingCycle, on_delete=models.CASCADE, related_name="reports")
    parliament = models.ForeignKey(Parliament, on_delete=models.PROTECT, related_name="reports")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT, db_index=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    publish_consent = models.BooleanField(_("the parliament agrees to publication of accepted answers"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["cycle", "parliament__name"]
        verbose_name = _("implementation report")
        verbose_name_plural = _("implementation reports")
        constraints = [models.UniqueConstraint(fields=["cycle", "parliament"], name="report_unique_per_cycle")]

    def __str__(self) -> str:
        return f"{self.parliament} – {self.cycle}"

    def get_absolute_url(self) -> str:
        return reverse("reporting:report_detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.state in {self.State.DRAFT, self.State.RETURNED}

    # The transitions, as methods with guards; see reporting/workflow.py.
    def submit(self, *, by) -> ImplementationReport:
        from .workflow import report_transition

        return report_transition(report=self, name="submit", user=by)

    def return_for_changes(self, *, by, comment: str) -> ImplementationReport:
        from .workflow import report_transition

        return report_transition(report=self, name="return", user=by, comment=comment)

    def accept(self, *, by) -> ImplementationReport:
        from .workflow import report_transition

        return report_transition(report=self, name="accept", user=by)


class ImplementationStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    IMPLEMENTED = "implemented", _("Implemented")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


# Weight of each status in roll-ups; "not applicable" is left out of averages.
STATUS_PERCENT: dict[str, int | None] = {
    ImplementationStatus.NOT_STARTED: 0,
    ImplementationStatus.PLANNED: 25,
    ImplementationStatus.IN_PROGRESS: 50,
    ImplementationStatus.IMPLEMENTED: 100,
    ImplementationStatus.NOT_APPLICABLE: None,
}


class MeasureKind(models.TextChoices):
    LEGISLATION = "legislation", _("Legislation")
    OVERSIGHT = "oversight", _("Oversight")
    BUDGET = "budget", _("Budget")
    AWARENESS = "awareness", _("Awareness raising")
    COOPERATION = "cooperation", _("International cooperation")
    OTHER = "other", _("Other")


class Position(models.TextChoices):
    NONE = "", _("No position expressed")
    RESERVATION = "reservation", _("Reservation expressed")
    OPPOSITION = "opposition", _("Opposition expressed")


class CommitmentResponse(models.Model):
    """A parliament's answer on one commitment; ``version`` guards against lost updates."""

    report = models.ForeignKey(ImplementationReport, on_delete=models.CASCADE, related_name="responses")
    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="responses")
    status = models.CharField(
        _("implementation status"), max_length=20, choices=ImplementationStatus.choices, blank=True
    )
    measures = models.JSONField(_("kinds of measures"), default=list, blank=True)
    narrative = models.TextField(_("measures taken"), blank=True)
    links = models.JSONField(_("links"), default=list, blank=True)
    position = models.CharField(_("position on the commitment"), max_length=20, choices=Position.choices, blank=True)
    position_note = models.TextField(_("position note"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["report", "commitment__paragraph__position", "commitment__paragraph__letter"]
        verbose_name = _("commitment response")
        verbose_name_plural = _("commitment responses")
        constraints = [
            models.UniqueConstraint(fields=["report", "commitment"], name="response_unique_per_report"),
        ]

    def __str__(self) -> str:
        return f"{self.report} / {self.commitment}"

    @property
    def is_answered(self) -> bool:
        return bool(self.status)

    @property
    def percent(self) -> int | None:
        return STATUS_PERCENT.get(self.status) if self.status else None


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    # Stored under a random name: the original name is kept in the row, never trusted on disk.
    import uuid

    return f"evidence/{instance.response.report.cycle_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    """A file attached to a response, served only through the permission policy."""

    response = models.ForeignKey(CommitmentResponse, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to=evidence_upload_to, max_length=300)
    original_name = models.CharField(_("original name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    is_private = models.BooleanField(_("private"), default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["response", "uploaded_at"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.original_name


class ReportComment(models.Model):
    """The conversation between a parliament and the Secretariat about one report."""

    report = models.ForeignKey(ImplementationReport, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["report", "created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.body[:60]


class ReportEvent(models.Model):
    """One row per change to a report: the audit trail and the timeline on the report page."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Report created")
        PREFILLED = "prefilled", _("Answers prefilled")
        EDITED = "edited", _("Answer edited")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned for changes")
        ACCEPTED = "accepted", _("Accepted")
        COMMENTED = "commented", _("Comment added")
        FILE_ADDED = "file_added", _("File added")
        FILE_REMOVED = "file_removed", _("File removed")
        EXTENDED = "extended", _("Deadline extended")

    report = models.ForeignKey(ImplementationReport, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["report", "created_at", "pk"]
        verbose_name = _("report event")
        verbose_name_plural = _("report events")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d %H:%M})"


class Notice(models.Model):
    """One reminder to one parliament, recorded before it is sent so it is never sent twice.

    The unique (cycle, parliament, kind, period) row is the guarantee: retries, a second
    worker or a second run the same day find the row and send nothing. ``state`` becomes
    ``sent`` only after the mail server accepted the message.
    """

    class Kind(models.TextChoices):
        OPENING = "opening", _("Cycle opened")
        DUE_SOON = "due_soon", _("Due soon")
        OVERDUE = "overdue", _("Overdue")
        RETURNED = "returned", _("Returned for changes")
        IDLE_DRAFT = "idle_draft", _("Draft untouched")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed, will be retried")
        SKIPPED = "skipped", _("Not needed any more")

    cycle = models.ForeignKey(ReportingCycle, on_delete=models.CASCADE, related_name="notices")
    parliament = models.ForeignKey(Parliament, on_delete=models.CASCADE, related_name="notices")
    report = models.ForeignKey(
        ImplementationReport, on_delete=models.CASCADE, null=True, blank=True, related_name="notices"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    period = models.CharField(
        _("period"), max_length=40, help_text=_("Which occurrence: days before the due date, overdue round, event...")
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    language = models.CharField(_("language"), max_length=5, default="en")
    recipients = models.JSONField(_("recipients"), default=list, blank=True)
    copied = models.JSONField(_("copied to"), default=list, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    due_on = models.DateField(_("due on"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "parliament", "kind", "period"], name="notice_once_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period} → {self.parliament}"


class OutboxMessage(models.Model):
    """Work to hand to Celery once the transaction that asked for it has committed.

    Written in the same transaction as the change (a submission, a return), so nothing
    is lost when the broker is down: a dispatcher enqueues pending rows when it can.
    """

    topic = models.CharField(_("topic"), max_length=50)
    payload = models.JSONField(_("payload"), default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            models.Index(
                fields=["created_at"], condition=models.Q(dispatched_at__isnull=True), name="outbox_pending_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.topic} {self.payload}"


class CycleSummary(models.Model):
    """Figures for one cycle, rebuilt from the responses by ``reporting.summaries``.

    "Reported" counts accepted reports only; submitted ones are pending review.
    """

    cycle = models.OneToOneField(ReportingCycle, on_delete=models.CASCADE, related_name="summary")
    computed_at = models.DateTimeField(_("computed at"))
    parliaments_asked = models.PositiveIntegerField(_("parliaments asked"), default=0)
    reports_by_state = models.JSONField(_("reports by state"), default=dict)
    reported = models.PositiveIntegerField(_("accepted reports"), default=0)
    pending_review = models.PositiveIntegerField(_("reports pending review"), default=0)
    on_time = models.PositiveIntegerField(_("accepted reports submitted on time"), default=0)
    response_rate = models.FloatField(_("response rate (%)"), default=0)
    on_time_rate = models.FloatField(_("on-time rate (%)"), default=0)
    completeness = models.FloatField(_("average completeness (%)"), null=True, blank=True)
    implementation = models.FloatField(_("weighted implementation (%)"), null=True, blank=True)

    class Meta:
        verbose_name = _("cycle summary")
        verbose_name_plural = _("cycle summaries")

    def __str__(self) -> str:
        return f"{self.cycle} ({self.computed_at:%Y-%m-%d %H:%M})"


class ParliamentSummary(models.Model):
    cycle = models.ForeignKey(ReportingCycle, on_delete=models.CASCADE, related_name="parliament_summaries")
    parliament = models.ForeignKey(Parliament, on_delete=models.CASCADE, related_name="summaries")
    state = models.CharField(_("report state"), max_length=10, choices=ImplementationReport.State.choices)
    answered = models.PositiveIntegerField(_("commitments answered"), default=0)
    total = models.PositiveIntegerField(_("commitments asked"), default=0)
    completeness = models.FloatField(_("completeness (%)"), default=0)
    implementation = models.FloatField(_("weighted implementation (%)"), null=True, blank=True)
    on_time = models.BooleanField(_("submitted on time"), null=True)

    class Meta:
        ordering = ["cycle", "parliament__name"]
        verbose_name = _("parliament summary")
        verbose_name_plural = _("parliament summaries")
        constraints = [models.UniqueConstraint(fields=["cycle", "parliament"], name="parliament_summary_unique")]

    def __str__(self) -> str:
        return f"{self.parliament}: {self.completeness:.0f}%"


class CommitmentSummary(models.Model):
    """Status distribution of one commitment across the accepted reports of a cycle."""

    cycle = models.ForeignKey(ReportingCycle, on_delete=models.CASCADE, related_name="commitment_summaries")
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="summaries")
    not_started = models.PositiveIntegerField(default=0)
    planned = models.PositiveIntegerField(default=0)
    in_progress = models.PositiveIntegerField(default=0)
    implemented = models.PositiveIntegerField(default=0)
    not_applicable = models.PositiveIntegerField(default=0)
    unanswered = models.PositiveIntegerField(default=0)
    implementation = models.FloatField(_("weighted implementation (%)"), null=True, blank=True)

    class Meta:
        ordering = ["cycle", "commitment"]
        verbose_name = _("commitment summary")
        verbose_name_plural = _("commitment summaries")
        constraints = [models.UniqueConstraint(fields=["cycle", "commitment"], name="commitment_summary_unique")]

    def __str__(self) -> str:
        return f"{self.commitment}"


class GroupSummary(models.Model):
    cycle = models.ForeignKey(ReportingCycle, on_delete=models.CASCADE, related_name="group_summaries")
    group = models.ForeignKey(GeopoliticalGroup, on_delete=models.CASCADE, related_name="summaries")
    parliaments_asked = models.PositiveIntegerField(default=0)
    reported = models.PositiveIntegerField(default=0)
    response_rate = models.FloatField(default=0)
    completeness = models.FloatField(null=True, blank=True)
    implementation = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["cycle", "group__name"]
        verbose_name = _("group summary")
        verbose_name_plural = _("group summaries")
        constraints = [models.UniqueConstraint(fields=["cycle", "group"], name="group_summary_unique")]

    def __str__(self) -> str:
        return f"{self.group}: {self.response_rate:.0f}%"


class ThemeSummary(models.Model):
    cycle = models.ForeignKey(ReportingCycle, on_delete=models.CASCADE, related_name="theme_summaries")
    theme = models.ForeignKey("resolutions.Theme", on_delete=models.CASCADE, related_name="summaries")
    commitments = models.PositiveIntegerField(default=0)
    answers = models.PositiveIntegerField(default=0)
    implemented = models.PositiveIntegerField(default=0)
    implementation = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["cycle", "theme__label"]
        verbose_name = _("theme summary")
        verbose_name_plural = _("theme summaries")
        constraints = [models.UniqueConstraint(fields=["cycle", "theme"], name="theme_summary_unique")]

    def __str__(self) -> str:
        return f"{self.theme}"


def export_upload_to(instance: SummaryExport, filename: str) -> str:
    # A random name under MEDIA_ROOT/exports: served only through the download view.
    import uuid

    return f"exports/{instance.cycle_id}/{uuid.uuid4().hex}.{instance.format}"


class SummaryExport(models.Model):
    """One requested export of a cycle's compliance summary, built in the background."""

    class Format(models.TextChoices):
        CSV = "csv", _("CSV (spreadsheet text)")
        XLSX = "xlsx", _("Excel workbook (XLSX)")
        PDF = "pdf", _("PDF document")
        DOCX = "docx", _("Word document (DOCX)")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    cycle = models.ForeignKey(
        ReportingCycle, on_delete=models.CASCADE, related_name="exports", verbose_name=_("reporting cycle")
    )
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, default="en")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file = models.FileField(_("file"), upload_to=export_upload_to, max_length=300, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("summary export")
        verbose_name_plural = _("summary exports")

    def __str__(self) -> str:
        return f"{self.cycle} ({self.format}, {self.language})"

    def get_absolute_url(self) -> str:
        return reverse("reporting:export_detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.state in {self.State.DONE, self.State.FAILED}
