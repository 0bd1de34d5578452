"""The review workflow: draft → submitted → returned → submitted → accepted.

Each transition names the states it leaves from, the state it reaches and the policy
action it needs. ``report_transition`` is the only code that writes a report's state;
it locks the row, checks the guard, records the event and, in the same transaction,
an outbox message for the background work (summary rebuild, notices).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracker.permissions import Action, AnyUser, policy

from .models import ImplementationReport, ReportComment, ReportEvent
from .outbox import outbox_add

State = ImplementationReport.State


class TransitionNotAllowed(Exception):
    """The report is not in a state this transition leaves from, or the user may not make it."""


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    action: Action
    event: str
    needs_comment: bool = False


TRANSITIONS: dict[str, Transition] = {
    transition.name: transition
    for transition in (
        Transition(
            "submit",
            gettext_lazy("Submit to the IPU"),
            frozenset({State.DRAFT, State.RETURNED}),
            State.SUBMITTED,
            Action.SUBMIT_REPORT,
            ReportEvent.Kind.SUBMITTED,
        ),
        Transition(
            "return",
            gettext_lazy("Return for changes"),
            frozenset({State.SUBMITTED}),
            State.RETURNED,
            Action.REVIEW_REPORT,
            ReportEvent.Kind.RETURNED,
            needs_comment=True,
        ),
        Transition(
            "accept",
            gettext_lazy("Accept"),
            frozenset({State.SUBMITTED}),
            State.ACCEPTED,
            Action.REVIEW_REPORT,
            ReportEvent.Kind.ACCEPTED,
        ),
    )
}


def available_transitions(report: ImplementationReport, user: AnyUser | None) -> list[Transition]:
    return [
        transition
        for transition in TRANSITIONS.values()
        if report.state in transition.sources
        and policy.user_has_permission_for_instance(user, transition.action, report)
    ]


def report_transition(
    *, report: ImplementationReport, name: str, user: AnyUser, comment: str = ""
) -> ImplementationReport:
    """Move a report along the workflow, or raise TransitionNotAllowed saying why."""
    try:
        transition = TRANSITIONS[name]
    except KeyError:
        raise TransitionNotAllowed(_("Unknown action “%(name)s”.") % {"name": name}) from None
    comment = comment.strip()
    with transaction.atomic():
        locked = ImplementationReport.objects.select_for_update().select_related("parliament").get(pk=report.pk)
        if locked.state not in transition.sources:
            raise TransitionNotAllowed(
                _("This report is %(state)s; it cannot be changed that way.") % {"state": locked.get_state_display()}
            )
        if not policy.user_has_permission_for_instance(user, transition.action, locked):
            raise TransitionNotAllowed(_("You are not allowed to do this."))
        if transition.needs_comment and not comment:
            raise TransitionNotAllowed(_("Say what must change: a comment is required."))
        previous = locked.state
        now = timezone.now()
        locked.state = transition.target
        fields = ["state", "updated_at"]
        if transition.target == State.SUBMITTED:
            locked.submitted_at, locked.submitted_by = now, user
            fields += ["submitted_at", "submitted_by"]
        else:
            locked.reviewed_at = now
            fields.append("reviewed_at")
        locked.save(update_fields=fields)
        event = ReportEvent.objects.create(
            report=locked,
            kind=transition.event,
            actor=user,
            data={"from": previous, "to": transition.target, **({"comment": comment} if comment else {})},
        )
        # Background work (summary rebuild, notices) is recorded with the change itself.
        outbox_add(
            topic="report.transition",
            payload={"report": locked.pk, "cycle": locked.cycle_id, "transition": transition.name, "event": event.pk},
        )
        if comment:
            ReportComment.objects.create(report=locked, author=user, body=comment)
    report.state = locked.state
    report.submitted_at, report.submitted_by_id = locked.submitted_at, locked.submitted_by_id
    report.reviewed_at = locked.reviewed_at
    return locked
