"""``generate_scale_data``: what the small preset writes, refusing to run twice, --replace, loaded parliaments."""

from __future__ import annotations

from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from reporting.management.commands.generate_scale_data import PARLIAMENT_PREFIX, SYMBOL_PREFIX
from reporting.models import (
    CommitmentResponse,
    Extension,
    ImplementationReport,
    ImplementationStatus,
    ReportEvent,
    ReportingCycle,
)
from reporting.summaries import summaries_build_all
from resolutions.models import Commitment, Document
from tests.factories import GeopoliticalGroupFactory, ParliamentFactory
from tracker.models import FocalPoint, GeopoliticalGroup, Parliament

pytestmark = pytest.mark.django_db

State = ImplementationReport.State


def generate(*args: str) -> str:
    out = StringIO()
    call_command("generate_scale_data", *args, stdout=out)
    return out.getvalue()


def scale_cycles():
    return ReportingCycle.objects.filter(resolution__symbol__startswith=SYMBOL_PREFIX)


def test_the_small_preset_writes_10_parliaments_3_cycles_5_commitments():
    out = generate("--preset", "small")

    assert Document.objects.filter(symbol__startswith=SYMBOL_PREFIX).count() == 3
    commitments = Commitment.objects.filter(document__symbol__startswith=SYMBOL_PREFIX)
    assert commitments.count() == 15
    assert not commitments.filter(themes__isnull=True).exists()  # every commitment has a theme
    cycles = scale_cycles()
    assert cycles.count() == 3
    assert all(cycle.commitments.count() == 5 for cycle in cycles)
    reports = ImplementationReport.objects.filter(cycle__in=cycles)
    assert reports.count() == 30
    assert reports.values("parliament").distinct().count() == 10
    assert CommitmentResponse.objects.filter(report__cycle__in=cycles).count() == 150  # 10 x 3 x 5
    assert ReportEvent.objects.filter(report__in=reports, kind=ReportEvent.Kind.CREATED).count() == 30
    # No parliament was loaded, so all ten are invented, with groups; some sit in two.
    invented = Parliament.objects.filter(name__startswith=PARLIAMENT_PREFIX)
    assert invented.count() == 10
    assert not invented.filter(groups__isnull=True).exists()
    assert any(parliament.groups.count() == 2 for parliament in invented)
    assert FocalPoint.objects.filter(parliament__in=invented, email__endswith="@scale.invalid").count() == 10
    assert "Responses: 150" in out and "cycles: 3" in out


def test_reports_come_in_a_realistic_mix_of_states():
    generate("--parliaments", "60", "--cycles", "3", "--commitments", "4", "--seed", "7")

    reports = ImplementationReport.objects.filter(cycle__in=scale_cycles())
    states = Counter(reports.values_list("state", flat=True))
    assert set(states) == set(State.values)
    assert states[State.ACCEPTED] > states[State.SUBMITTED]
    assert not reports.filter(state=State.DRAFT, submitted_at__isnull=False).exists()
    assert not reports.exclude(state=State.DRAFT).filter(submitted_at__isnull=True).exists()
    responses = CommitmentResponse.objects.filter(report__in=reports)
    statuses = Counter(responses.values_list("status", flat=True))
    assert set(statuses) == {"", *ImplementationStatus.values}  # every status, and some left unanswered
    assert statuses[ImplementationStatus.IN_PROGRESS] > statuses[ImplementationStatus.NOT_APPLICABLE]
    assert Extension.objects.filter(cycle__in=scale_cycles()).exists()


def test_it_refuses_to_run_again_unless_asked_to_replace():
    generate("--preset", "small")
    with pytest.raises(CommandError, match="already loaded.*--replace"):
        generate("--preset", "small")
    assert scale_cycles().count() == 3


def test_replace_deletes_the_previous_scale_data_first():
    generate("--preset", "small")
    before = set(scale_cycles().values_list("pk", flat=True))

    out = generate("--preset", "small", "--replace")

    assert "Deleted the previous scale data: 3 cycles, 3 resolutions, 150 responses" in out
    after = set(scale_cycles().values_list("pk", flat=True))
    assert len(after) == 3 and not before & after
    assert CommitmentResponse.objects.count() == 150
    assert Parliament.objects.filter(name__startswith=PARLIAMENT_PREFIX).count() == 10
    assert GeopoliticalGroup.objects.filter(slug__startswith="scale-").count() == 6
    assert FocalPoint.objects.count() == 10


def test_loaded_parliaments_are_used_and_outlive_a_replace():
    group = GeopoliticalGroupFactory(name="African", slug="african")
    loaded = [ParliamentFactory(name=f"Member {code}", iso3=code) for code in ("AAA", "BBB", "CCC", "DDD")]
    for parliament in loaded:
        parliament.groups.add(group)
    own = FocalPoint.objects.create(parliament=loaded[0], name="Clerk", email="clerk@aaa.example")

    generate("--preset", "small")
    asked = set(ImplementationReport.objects.values_list("parliament_id", flat=True))
    assert {parliament.pk for parliament in loaded} <= asked
    assert Parliament.objects.filter(name__startswith=PARLIAMENT_PREFIX).count() == 6

    assert FocalPoint.objects.filter(email__endswith="@scale.invalid").count() == 9  # AAA has its own

    generate("--preset", "small", "--replace")
    assert Parliament.objects.filter(pk__in=[parliament.pk for parliament in loaded]).count() == 4
    assert GeopoliticalGroup.objects.filter(pk=group.pk).exists()
    assert FocalPoint.objects.filter(pk=own.pk).exists()


def test_the_same_seed_gives_the_same_data():
    generate("--preset", "small", "--seed", "11")
    first = Counter(CommitmentResponse.objects.values_list("report__state", "status"))
    generate("--preset", "small", "--seed", "11", "--replace")
    assert Counter(CommitmentResponse.objects.values_list("report__state", "status")) == first


def test_summaries_build_on_scale_data():
    generate("--preset", "small")
    summaries = summaries_build_all()
    assert len(summaries) == 3
    for summary in summaries:
        accepted = ImplementationReport.objects.filter(cycle_id=summary.cycle_id, state=State.ACCEPTED).count()
        assert (summary.parliaments_asked, summary.reported) == (10, accepted)
        assert summary.response_rate == pytest.approx(accepted * 10)  # accepted / 10 * 100
