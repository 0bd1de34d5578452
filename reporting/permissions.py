"""Who may see and change reporting cycles, reports and evidence.

Registered on the project's one policy (``tracker.permissions.policy``) when the app is
ready. The rules, in words:
- a parliament's reporter and approver see every report of their own parliament and edit
  it while it is a draft or returned; only the approver submits;
- the Secretariat (reviewer, admin) sees reports once submitted (never another party's
  draft content), reviews submitted ones; the admin opens cycles and grants extensions;
- a geopolitical group chair reads submitted and accepted reports of the group's
  parliaments and changes nothing;
- evidence files follow the report they belong to;
- a parliament's page (its reports across cycles) is the Secretariat's and its own people's;
- anyone, visitors included, reads the published summaries: cycles whose summary has been
  computed, the accepted answers of parliaments that agreed to publication, and the files
  of those answers not marked private.
"""

from __future__ import annotations

from django.db.models import QuerySet

from tracker.models import Parliament, User
from tracker.permissions import Action, AnyUser, Rule, has_role, is_active, policy

from .models import CommitmentResponse, Evidence, ImplementationReport, ReportingCycle

Role = User.Role
State = ImplementationReport.State
PARLIAMENT_ROLES = (Role.REPORTER, Role.APPROVER)
SECRETARIAT_ROLES = (Role.REVIEWER, Role.SECRETARIAT_ADMIN)
VISIBLE_TO_OTHERS = (State.SUBMITTED, State.RETURNED, State.ACCEPTED)


def _is_secretariat(user: AnyUser | None) -> bool:
    return has_role(user, *SECRETARIAT_ROLES)


def _own_parliament(user: AnyUser, report: ImplementationReport) -> bool:
    return (
        not user.is_superuser
        and user.role in PARLIAMENT_ROLES
        and user.parliament_id is not None
        and report.parliament_id == user.parliament_id
    )


def _chair_of(user: AnyUser, report: ImplementationReport) -> bool:
    if user.role != Role.GROUP_CHAIR or user.geopolitical_group_id is None:
        return False
    group_ids = {group.pk for group in report.parliament.groups.all()}
    return user.geopolitical_group_id in group_ids


def _editable(report: ImplementationReport) -> bool:
    """Drafts and returned reports of a cycle that is still open."""
    return report.is_editable and report.cycle.state == ReportingCycle.State.OPEN


def can_view_report(user: AnyUser, report: ImplementationReport) -> bool:
    if _own_parliament(user, report):
        return True
    if report.state not in VISIBLE_TO_OTHERS:
        return False
    if _is_secretariat(user):
        return True
    return report.state != State.RETURNED and _chair_of(user, report)


def reports_scope(user: AnyUser, queryset: QuerySet) -> QuerySet:
    if _is_secretariat(user):
        return queryset.filter(state__in=VISIBLE_TO_OTHERS)
    if user.role in PARLIAMENT_ROLES and user.parliament_id:
        return queryset.filter(parliament_id=user.parliament_id)
    if user.role == Role.GROUP_CHAIR and user.geopolitical_group_id:
        return queryset.filter(
            parliament__groups=user.geopolitical_group_id, state__in=(State.SUBMITTED, State.ACCEPTED)
        ).distinct()
    return queryset.none()


def _reporting_user(user: AnyUser | None) -> bool:
    return is_active(user) and (
        user.is_superuser or user.role in (*PARLIAMENT_ROLES, *SECRETARIAT_ROLES, Role.GROUP_CHAIR)
    )


def _evidence_scope(user: AnyUser, queryset: QuerySet) -> QuerySet:
    visible = reports_scope(user, ImplementationReport.objects.all()).values("pk")
    return queryset.filter(response__report__in=visible)


def can_view_parliament(user: AnyUser, parliament: Parliament) -> bool:
    """The Secretariat sees every parliament's page; a parliament's people see their own."""
    return _is_secretariat(user) or (
        not user.is_superuser and user.role in PARLIAMENT_ROLES and user.parliament_id == parliament.pk
    )


def _parliaments_scope(user: AnyUser, queryset: QuerySet) -> QuerySet:
    if _is_secretariat(user):
        return queryset
    return queryset.filter(pk=user.parliament_id) if user.parliament_id else queryset.none()


# What "published" means for each kind of row the public pages read.
_PUBLISHED = {
    ReportingCycle: {"summary__isnull": False},
    ImplementationReport: {"state": State.ACCEPTED, "publish_consent": True, "cycle__summary__isnull": False},
    CommitmentResponse: {
        "report__state": State.ACCEPTED,
        "report__publish_consent": True,
        "report__cycle__summary__isnull": False,
    },
    Evidence: {
        "is_private": False,
        "response__report__state": State.ACCEPTED,
        "response__report__publish_consent": True,
        "response__report__cycle__summary__isnull": False,
    },
}


def published_scope(user: AnyUser | None, queryset: QuerySet) -> QuerySet:
    """The published part of a queryset of cycles, reports, responses or evidence; nothing of any other model."""
    conditions = _PUBLISHED.get(queryset.model)
    return queryset.none() if conditions is None else queryset.filter(**conditions)


def is_published(user: AnyUser | None, instance: object) -> bool:
    model = type(instance)
    return model in _PUBLISHED and published_scope(user, model.objects.filter(pk=instance.pk)).exists()


def register() -> None:
    policy.register(Action.VIEW_CYCLES, Rule(allows=lambda user: has_role(user, *SECRETARIAT_ROLES, Role.GROUP_CHAIR)))
    policy.register(Action.MANAGE_CYCLES, Rule(allows=lambda user: has_role(user, Role.SECRETARIAT_ADMIN)))
    policy.register(
        Action.VIEW_REPORT,
        Rule(allows=_reporting_user, instance=can_view_report, scope=reports_scope),
    )
    policy.register(
        Action.EDIT_REPORT,
        Rule(
            allows=lambda user: has_role(user, *PARLIAMENT_ROLES) and not user.is_superuser,
            instance=lambda user, report: _own_parliament(user, report) and _editable(report),
            scope=lambda user, qs: qs.filter(
                parliament_id=user.parliament_id,
                state__in=(State.DRAFT, State.RETURNED),
                cycle__state=ReportingCycle.State.OPEN,
            ),
        ),
    )
    policy.register(
        Action.SUBMIT_REPORT,
        Rule(
            allows=lambda user: has_role(user, Role.APPROVER) and not user.is_superuser,
            instance=lambda user, report: _own_parliament(user, report) and _editable(report),
        ),
    )
    policy.register(
        Action.REVIEW_REPORT,
        Rule(
            allows=_is_secretariat,
            instance=lambda user, report: report.state == State.SUBMITTED,
            scope=lambda user, qs: qs.filter(state=State.SUBMITTED),
        ),
    )
    policy.register(
        Action.COMMENT_REPORT,
        Rule(
            allows=lambda user: has_role(user, *PARLIAMENT_ROLES, *SECRETARIAT_ROLES),
            instance=lambda user, report: can_view_report(user, report),
        ),
    )
    # Compliance exports hold every parliament's answers: the Secretariat's alone.
    policy.register(Action.EXPORT_SUMMARIES, Rule(allows=_is_secretariat))
    policy.register(
        Action.VIEW_PARLIAMENT,
        Rule(
            allows=lambda user: has_role(user, *SECRETARIAT_ROLES, *PARLIAMENT_ROLES),
            instance=can_view_parliament,
            scope=_parliaments_scope,
        ),
    )
    policy.register(
        Action.VIEW_PUBLISHED,
        Rule(allows=lambda user: True, instance=is_published, scope=published_scope),
    )
    policy.register(
        Action.VIEW_EVIDENCE,
        Rule(
            allows=_reporting_user,
            instance=lambda user, evidence: can_view_report(user, evidence.response.report),
            scope=_evidence_scope,
        ),
    )
