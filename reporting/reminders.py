"""Deadline reminders: which notices are due on a day, recording each once, and sending it.

Three steps, each safe to repeat:

1. ``reminders_plan`` works out, from the dates alone, every notice a day calls for;
2. ``reminders_record`` writes them as ``Notice`` rows: the unique (cycle, parliament,
   kind, period) key makes a notice already recorded (by an earlier run, a second worker
   or a retry) a no-op, so nothing is ever sent twice;
3. ``notice_deliver`` claims one recorded notice under a row lock, sends it, and marks it
   sent only once the mail server accepted it; a refusal is recorded with a backoff and
   re-raised so a Celery task retries it.

``reminders_run`` chains the three for the daily beat task and ``manage.py send_reminders``.
The notice log pages of the Secretariat read through ``notices_for_cycle`` and
``notices_for_parliament`` at the end of this module.
"""

from __future__ import annotations

import logging
import re
import smtplib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import DateField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tracker.models import FocalPoint, Parliament, User
from tracker.permissions import Action, AnyUser, has_role, policy

from .models import Extension, ImplementationReport, Notice, ReportEvent, ReportingCycle

logger = logging.getLogger(__name__)

Kind = Notice.Kind
State = ImplementationReport.State

# What a mail server (or the network on the way to it) raises; smtplib's errors are OSErrors.
MAIL_ERRORS: tuple[type[BaseException], ...] = (smtplib.SMTPException, OSError)

# Overdue notices from this round on (the third one: rounds count from 0) are copied to the
# Secretariat and to the parliament's approvers.
COPY_FROM_OVERDUE_ROUND = 2
# A refused notice is tried again after 5, 10, 20... minutes, at most 12 hours apart, and
# given up (left "failed" in the log) after this many attempts.
RETRY_BASE = timedelta(minutes=5)
RETRY_CAP = timedelta(hours=12)
MAX_ATTEMPTS = 10

ACTIVITY_EVENTS = (ReportEvent.Kind.CREATED, ReportEvent.Kind.PREFILLED, ReportEvent.Kind.EDITED)
REMINDED_STATES = (State.DRAFT, State.RETURNED)
DONE_STATES = (State.SUBMITTED, State.ACCEPTED)
# Large text columns no notice needs.
RESOLUTION_DEFERRED = ("resolution__source_text", "resolution__guiding_questions", "resolution__related_title")


@dataclass(frozen=True)
class PlannedNotice:
    """One notice a day calls for, before it is recorded."""

    cycle_id: int
    parliament_id: int
    report_id: int
    kind: str
    period: str
    language: str
    recipients: tuple[str, ...]
    copied: tuple[str, ...]
    due_on: date
    cycle_title: str
    days: int = 0  # days left (due soon) or late (overdue) on the day it was planned

    @property
    def key(self) -> tuple[int, int, str, str]:
        return (self.cycle_id, self.parliament_id, self.kind, self.period)


# Planning ---------------------------------------------------------------------------------


def _extension_due_date() -> Subquery:
    extension = Extension.objects.filter(cycle=OuterRef("cycle_id"), parliament=OuterRef("parliament_id"))
    return Subquery(extension.values("due_date")[:1], output_field=DateField())


def _with_due_dates(reports: QuerySet[ImplementationReport]) -> QuerySet[ImplementationReport]:
    """Annotate the extended due date (if any) and the effective one: the extension's, else the cycle's."""
    return reports.annotate(extension_due_date=_extension_due_date()).annotate(
        effective_due_date=Coalesce("extension_due_date", "cycle__due_date")
    )


def _last_activity() -> Greatest:
    """When the report was last worked on: its latest created/prefilled/edited event or its last save."""
    events = ReportEvent.objects.filter(report=OuterRef("pk"), kind__in=ACTIVITY_EVENTS).order_by("-created_at")
    return Greatest(Coalesce(Subquery(events.values("created_at")[:1]), "updated_at"), "updated_at")


def _reports_to_remind(today: date) -> QuerySet[ImplementationReport]:
    return _with_due_dates(
        ImplementationReport.objects.filter(
            cycle__state=ReportingCycle.State.OPEN,
            cycle__reminders_enabled=True,
            cycle__opened_on__lte=today,
            state__in=REMINDED_STATES,
        )
        .select_related("cycle", "parliament")
        .only(
            "pk",
            "state",
            "updated_at",
            "cycle_id",
            "parliament_id",
            "cycle__title",
            "cycle__opened_on",
            "cycle__due_date",
            "cycle__reminder_days_before",
            "cycle__overdue_every_days",
            "cycle__idle_draft_days",
            "parliament__preferred_language",
        )
        .annotate(last_activity=_last_activity())
        .order_by("cycle_id", "parliament_id")
    )


def _focal_point_emails(parliament_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    """Parliament → the addresses of its focal points who receive reminders (one query)."""
    emails: dict[int, list[str]] = defaultdict(list)
    rows = (
        FocalPoint.objects.filter(parliament_id__in=list(parliament_ids), receives_reminders=True)
        .exclude(email="")
        .order_by("email")
        .values_list("parliament_id", "email")
    )
    for parliament_id, email in rows:
        if email not in emails[parliament_id]:
            emails[parliament_id].append(email)
    return {parliament_id: tuple(found) for parliament_id, found in emails.items()}


def _approver_emails(parliament_ids: Iterable[int]) -> dict[int, list[str]]:
    """Parliament → its active approvers' addresses, copied on repeated overdue notices (one query)."""
    emails: dict[int, list[str]] = defaultdict(list)
    rows = (
        User.objects.filter(parliament_id__in=list(parliament_ids), role=User.Role.APPROVER, is_active=True)
        .exclude(email="")
        .order_by("email")
        .values_list("parliament_id", "email")
    )
    for parliament_id, email in rows:
        emails[parliament_id].append(email)
    return emails


def _reminder_days(value: object) -> list[int]:
    """The cycle's "days before the due date", cleaned: positive whole numbers, smallest first."""
    if not isinstance(value, list | tuple):
        return []
    days = set()
    for item in value:
        try:
            number = int(item)
        except (TypeError, ValueError):
            continue
        if number > 0:
            days.add(number)
    return sorted(days)


def due_soon_window(days_left: int, reminder_days: Sequence[int]) -> int | None:
    """The tightest window ``days_left`` falls in (7 rather than 30 or 60 when 5 days are left)."""
    if days_left <= 0:
        return None
    return next((window for window in sorted(reminder_days) if days_left <= window), None)


def overdue_round(days_late: int, every_days: int) -> int | None:
    """Round 0 from the first day late, round 1 once ``every_days`` days late, and so on."""
    if days_late <= 0:
        return None
    return days_late // max(every_days, 1)


def _copied(
    kind: str, round_: int | None, parliament_id: int, recipients: Sequence[str], approvers: dict[int, list[str]]
) -> tuple[str, ...]:
    if kind != Kind.OVERDUE or round_ is None or round_ < COPY_FROM_OVERDUE_ROUND:
        return ()
    copied = [settings.SECRETARIAT_EMAIL, *approvers.get(parliament_id, [])]
    return tuple(email for email in dict.fromkeys(copied) if email and email not in recipients)


def _plan_report(report: ImplementationReport, today: date) -> list[tuple[str, str, int, int | None]]:
    """(kind, period, days, overdue round) of the notices one report calls for on ``today``."""
    cycle = report.cycle
    due: date = report.effective_due_date
    days_left = (due - today).days
    planned: list[tuple[str, str, int, int | None]] = []
    if report.state == State.DRAFT and days_left > 0:
        planned.append((Kind.OPENING, "opening", days_left, None))
    # Under an extension the countdown starts again: its periods carry the extended date.
    extended = f":{due.isoformat()}" if report.extension_due_date else ""
    window = due_soon_window(days_left, _reminder_days(cycle.reminder_days_before))
    if window is not None:
        planned.append((Kind.DUE_SOON, f"{window}{extended}", days_left, None))
    round_ = overdue_round(-days_left, cycle.overdue_every_days)
    if round_ is not None:
        planned.append((Kind.OVERDUE, f"overdue-{round_}{extended}", -days_left, round_))
    if report.state == State.DRAFT and cycle.idle_draft_days and report.last_activity is not None:
        last_active = timezone.localdate(report.last_activity)
        idle_days = (today - last_active).days
        if idle_days >= cycle.idle_draft_days:
            planned.append((Kind.IDLE_DRAFT, f"idle-{last_active.isoformat()}", idle_days, None))
    return planned


def reminders_plan(*, today: date) -> list[PlannedNotice]:
    """Every notice ``today`` calls for in open cycles with reminders on, in three queries.

    Per report still to be sent in (draft or returned), against its due date (an
    extension's when one was granted):

    - ``opening`` (period "opening"): a draft, from the opening day until the due date;
    - ``due_soon`` ("60", "30", "7"): the tightest of the cycle's windows that the days
      left fall in, so a first run 5 days before sends "7" and never "60" or "30" too;
    - ``overdue`` ("overdue-<k>"): k = days late // the cycle's repeat interval; from
      k = COPY_FROM_OVERDUE_ROUND the Secretariat and the approvers are copied;
    - ``idle_draft`` ("idle-<date of last activity>"): a draft untouched that long,
      once per idle spell.

    Under an extension the due-soon and overdue periods end in ":<extended date>", so the
    countdown to the new date is not taken for the notices sent about the old one. A
    parliament without focal points receiving reminders gets nothing. Notices already
    recorded are planned again and left alone by ``reminders_record``.
    """
    reports = list(_reports_to_remind(today))
    parliament_ids = {report.parliament_id for report in reports}
    recipients_of = _focal_point_emails(parliament_ids)
    approvers = _approver_emails(parliament_ids)
    planned: list[PlannedNotice] = []
    for report in reports:
        recipients = recipients_of.get(report.parliament_id)
        if not recipients:
            continue
        for kind, period, days, round_ in _plan_report(report, today):
            planned.append(
                PlannedNotice(
                    cycle_id=report.cycle_id,
                    parliament_id=report.parliament_id,
                    report_id=report.pk,
                    kind=kind,
                    period=period,
                    language=report.parliament.preferred_language,
                    recipients=recipients,
                    copied=_copied(kind, round_, report.parliament_id, recipients, approvers),
                    due_on=report.effective_due_date,
                    cycle_title=report.cycle.title,
                    days=days,
                )
            )
    return planned


# Recording --------------------------------------------------------------------------------


def notice_subject(*, kind: str, cycle_title: str, days: int = 0) -> str:
    """The subject line in the active language."""
    values = {"cycle": cycle_title, "days": days}
    if kind == Kind.OPENING:
        text = _("Reporting is open: %(cycle)s") % values
    elif kind == Kind.DUE_SOON:
        text = ngettext("Report due in %(days)d day: %(cycle)s", "Report due in %(days)d days: %(cycle)s", days) % (
            values
        )
    elif kind == Kind.OVERDUE:
        text = (
            ngettext("Report overdue by %(days)d day: %(cycle)s", "Report overdue by %(days)d days: %(cycle)s", days)
            % values
        )
    elif kind == Kind.IDLE_DRAFT:
        text = _("Your draft report is waiting: %(cycle)s") % values
    else:
        text = _("Report returned for changes: %(cycle)s") % values
    # One line, within the column: a subject never carries a line break.
    return " ".join(text.split())[:300]


def _notice_row(planned: PlannedNotice) -> Notice:
    with translation.override(planned.language):
        subject = notice_subject(kind=planned.kind, cycle_title=planned.cycle_title, days=planned.days)
    return Notice(
        cycle_id=planned.cycle_id,
        parliament_id=planned.parliament_id,
        report_id=planned.report_id,
        kind=planned.kind,
        period=planned.period,
        state=Notice.State.PENDING,
        language=planned.language,
        recipients=list(planned.recipients),
        copied=list(planned.copied),
        subject=subject,
        due_on=planned.due_on,
    )


def reminders_record(planned: Sequence[PlannedNotice]) -> list[int]:
    """Write the planned notices once each; returns the ids of those of them still pending.

    A notice recorded before (sent, failed or skipped) is left as it is: the unique key
    turns the second insert into nothing, whoever makes it.
    """
    if not planned:
        return []
    Notice.objects.bulk_create([_notice_row(item) for item in planned], ignore_conflicts=True, batch_size=500)
    keys = {item.key for item in planned}
    rows = Notice.objects.filter(
        cycle_id__in={item.cycle_id for item in planned},
        parliament_id__in={item.parliament_id for item in planned},
        kind__in={item.kind for item in planned},
        period__in={item.period for item in planned},
        state=Notice.State.PENDING,
    ).values_list("pk", "cycle_id", "parliament_id", "kind", "period")
    return sorted(pk for pk, *key in rows if tuple(key) in keys)


def notice_for_return(*, report_id: int, event_id: int) -> int | None:
    """Record the "returned for changes" notice of one return; its id, or None if none is needed.

    None when the report is no longer returned, its parliament has no focal point receiving
    reminders, or the notice was already recorded (and sent or being sent) earlier.
    """
    report = (
        _with_due_dates(ImplementationReport.objects.select_related("cycle", "parliament"))
        .filter(pk=report_id)
        .first()
    )
    if report is None or report.state != State.RETURNED:
        return None
    recipients = _focal_point_emails([report.parliament_id]).get(report.parliament_id)
    if not recipients:
        return None
    planned = PlannedNotice(
        cycle_id=report.cycle_id,
        parliament_id=report.parliament_id,
        report_id=report.pk,
        kind=Kind.RETURNED,
        period=f"event-{event_id}",
        language=report.parliament.preferred_language,
        recipients=recipients,
        copied=(),
        due_on=report.effective_due_date,
        cycle_title=report.cycle.title,
    )
    ids = reminders_record([planned])
    return ids[0] if ids else None


# Sending ----------------------------------------------------------------------------------


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th refusal: doubling from RETRY_BASE, capped."""
    return min(RETRY_BASE * 2 ** max(attempts - 1, 0), RETRY_CAP)


def _claimable(now: datetime) -> Q:
    return Q(state__in=(Notice.State.PENDING, Notice.State.FAILED), attempts__lt=MAX_ATTEMPTS) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def _claim(notice_id: int, now: datetime) -> Notice | None:
    """The notice, locked, if it is waiting to be sent and nobody else holds it; else None."""
    return (
        Notice.objects.select_for_update(skip_locked=True, of=("self",)).filter(_claimable(now), pk=notice_id).first()
    )


def _report_for(notice: Notice) -> ImplementationReport | None:
    if notice.report_id is None:
        return None
    reports = ImplementationReport.objects.select_related("cycle", "cycle__resolution", "parliament").defer(
        *(f"cycle__{name}" for name in RESOLUTION_DEFERRED)
    )
    return _with_due_dates(reports).filter(pk=notice.report_id).first()


def _no_longer_needed(notice: Notice, report: ImplementationReport | None) -> bool:
    """A reminder overtaken by events: report sent in, cycle closed, deadline moved."""
    if report is None:
        return True
    if notice.kind == Kind.RETURNED:
        return False
    cycle = report.cycle
    if report.state in DONE_STATES or cycle.state != ReportingCycle.State.OPEN or not cycle.reminders_enabled:
        return True
    if notice.kind == Kind.IDLE_DRAFT and report.state != State.DRAFT:
        return True
    return notice.kind in (Kind.DUE_SOON, Kind.OVERDUE) and report.effective_due_date != notice.due_on


def _return_comment(notice: Notice) -> str:
    if notice.kind != Kind.RETURNED or not notice.period.startswith("event-"):
        return ""
    event_id = notice.period.removeprefix("event-")
    if not event_id.isdigit():
        return ""
    event = ReportEvent.objects.filter(pk=int(event_id), report_id=notice.report_id).only("data").first()
    data = event.data if event is not None and isinstance(event.data, dict) else {}
    comment = data.get("comment", "")
    return comment if isinstance(comment, str) else ""


def report_link(report_id: int) -> str:
    """The absolute address of a report's page, for emails."""
    return settings.TRACKER_BASE_URL + reverse("reporting:report_detail", args=[report_id])


def _tidy(text: str) -> str:
    """Plain text without the blank lines template tags leave behind."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def notice_message(notice: Notice, report: ImplementationReport, *, today: date) -> EmailMultiAlternatives:
    """The email of a notice, in the notice's language, with a plain text and an HTML part."""
    due = report.effective_due_date
    days_left = (due - today).days
    context = {
        "notice": notice,
        "kind": notice.kind,
        "language": notice.language,
        "parliament": report.parliament.name,
        "cycle": report.cycle.title,
        "resolution": report.cycle.resolution.display_title,
        "due_date": due,
        "days_left": max(days_left, 0),
        "days_late": max(-days_left, 0),
        "link": report_link(report.pk),
        "comment": _return_comment(notice),
        "copied": bool(notice.copied),
        "secretariat_email": settings.SECRETARIAT_EMAIL,
    }
    with translation.override(notice.language):
        text = _tidy(render_to_string("reporting/email/notice.txt", context))
        html = render_to_string("reporting/email/notice.html", context)
    message = EmailMultiAlternatives(
        subject=notice.subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(notice.recipients),
        cc=list(notice.copied),
        headers={
            "Auto-Submitted": "auto-generated",
            "Content-Language": notice.language,
            "X-Tracker-Notice": f"{notice.kind} {notice.period}",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def notice_deliver(*, notice_id: int, today: date | None = None) -> bool:
    """Send one recorded notice; True if this call sent it.

    False, sending nothing, when the notice is already sent, skipped, held by another worker
    or not yet due for another attempt. A notice whose report was meanwhile submitted or
    accepted (or whose deadline moved) is marked skipped. A refusal by the mail server is
    recorded (attempts, last error, next attempt) and committed, then raised again so the
    caller (a Celery task) retries.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    refusal: BaseException | None = None
    with transaction.atomic():
        notice = _claim(notice_id, now)
        if notice is None:
            return False
        report = _report_for(notice)
        if _no_longer_needed(notice, report):
            Notice.objects.filter(pk=notice.pk).update(state=Notice.State.SKIPPED, next_attempt_at=None)
            return False
        message = notice_message(notice, report, today=today)
        notice.attempts += 1
        try:
            message.send()
        except MAIL_ERRORS as error:
            refusal = error
            notice.state = Notice.State.FAILED
            notice.last_error = f"{type(error).__name__}: {error}"[:1000]
            notice.next_attempt_at = timezone.now() + retry_delay(notice.attempts)
        else:
            notice.state = Notice.State.SENT
            notice.sent_at = timezone.now()
            notice.last_error = ""
            notice.next_attempt_at = None
        notice.save(update_fields=["state", "attempts", "last_error", "next_attempt_at", "sent_at"])
    if refusal is not None:
        logger.warning("Notice %s refused by the mail server (attempt %s): %s", notice_id, notice.attempts, refusal)
        raise refusal
    return True


def _due_notices(now: datetime) -> list[tuple[int, str]]:
    return list(Notice.objects.filter(_claimable(now)).order_by("created_at", "pk").values_list("pk", "kind"))


def reminders_run(*, today: date | None = None) -> dict[str, int]:
    """Plan, record and send what ``today`` calls for, with older notices waiting for a retry.

    Returns how many notices of each kind this run sent, every kind listed (zeros included).
    A refused message stays failed for a later attempt and does not stop the batch; a second
    run the same day sends nothing new.
    """
    today = today or timezone.localdate()
    reminders_record(reminders_plan(today=today))
    sent: Counter[str] = Counter()
    for notice_id, kind in _due_notices(timezone.now()):
        try:
            delivered = notice_deliver(notice_id=notice_id, today=today)
        except MAIL_ERRORS:
            continue  # recorded on the notice and logged by notice_deliver
        if delivered:
            sent[kind] += 1
    return {kind: sent[kind] for kind in Kind.values}


# The notice log ---------------------------------------------------------------------------


def _visible_parliaments(user: AnyUser) -> QuerySet[Parliament] | None:
    """Whose notices a user sees: every parliament for the Secretariat, a chair's group, else none."""
    if not policy.user_has_permission(user, Action.VIEW_CYCLES):
        return None
    if has_role(user, User.Role.REVIEWER, User.Role.SECRETARIAT_ADMIN):
        return Parliament.objects.all()
    if has_role(user, User.Role.GROUP_CHAIR) and user.geopolitical_group_id:
        return Parliament.objects.filter(groups=user.geopolitical_group_id)
    return None


def _log(notices: QuerySet[Notice]) -> QuerySet[Notice]:
    return notices.select_related("parliament", "cycle").order_by("-created_at", "-pk")


def notices_for_cycle(pk: int, *, user: AnyUser) -> tuple[ReportingCycle, QuerySet[Notice]] | None:
    """A cycle and those of its notices the user may see, newest first; None if the cycle is not for them."""
    parliaments = _visible_parliaments(user)
    if parliaments is None:
        return None
    cycles = policy.instances_user_has_permission_for(user, Action.VIEW_CYCLES, ReportingCycle.objects.all())
    cycle = cycles.select_related("resolution").defer(*RESOLUTION_DEFERRED).filter(pk=pk).first()
    if cycle is None:
        return None
    return cycle, _log(Notice.objects.filter(cycle=cycle, parliament__in=parliaments.values("pk")))


def notices_for_parliament(iso3: str, *, user: AnyUser) -> tuple[Parliament, QuerySet[Notice]] | None:
    """A parliament and its notices in every cycle, newest first; None if it is not for the user."""
    parliaments = _visible_parliaments(user)
    if parliaments is None:
        return None
    parliament = parliaments.filter(iso3=iso3.upper()).first()
    if parliament is None:
        return None
    return parliament, _log(Notice.objects.filter(parliament=parliament))
