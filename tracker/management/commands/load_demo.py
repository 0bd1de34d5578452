"""``python manage.py load_demo [--password P] [--force]``: a working tracker to click through.

Loads the Assemblies and member parliaments, imports every sample document of
``resolutions/fixtures/seeds`` and creates one user for every role. Every step matches
existing rows on their natural key, so running the command again changes nothing; passwords
are set only when a user is created.

The demo users share one known password, so the command refuses to run with ``DEBUG`` off
unless ``--force`` is given.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass, field
from datetime import date
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from tracker.models import Assembly, GeopoliticalGroup, Parliament, User

DEFAULT_PASSWORD = "demo"  # noqa: S105 - demo accounts, local use only
EMAIL_DOMAIN = "demo.invalid"
DEMO_PARLIAMENTS = ("RWA", "FRA", "MEX")
CHAIR_GROUP = "African"


def seeds_dir() -> Path:
    return Path(settings.BASE_DIR) / "resolutions" / "fixtures" / "seeds"


def _natural_key(name: str) -> list[int | str]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name.lower())]


def seed_paths(directory: Path | None = None) -> list[Path]:
    """The sample documents in import order.

    Ordered by name, numbers compared as numbers (the 118th Assembly's resolution comes
    before the 145th's), with background notes last so the resolutions they discuss are
    already there. ``expected.json`` and other non-document files are left out.
    """
    directory = directory or seeds_dir()
    paths = [p for p in directory.iterdir() if p.is_file() and p.suffix in {".txt", ".md"}]
    return sorted(paths, key=lambda p: ("note" in p.stem.lower(), _natural_key(p.name)))


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    parliament: str | None = None
    group: str | None = None
    is_staff: bool = False
    is_superuser: bool = False


def demo_users() -> list[DemoUser]:
    users = [
        DemoUser("admin", User.Role.SECRETARIAT_ADMIN, is_staff=True, is_superuser=True),
        DemoUser("reviewer", User.Role.REVIEWER, is_staff=True),
    ]
    for iso3 in DEMO_PARLIAMENTS:
        users.append(DemoUser(f"reporter-{iso3.lower()}", User.Role.REPORTER, parliament=iso3))
        users.append(DemoUser(f"approver-{iso3.lower()}", User.Role.APPROVER, parliament=iso3))
    users.append(DemoUser("chair-africa", User.Role.GROUP_CHAIR, group=CHAIR_GROUP))
    return users


@dataclass
class DemoSummary:
    assemblies: int = 0
    parliaments: int = 0
    documents: list[tuple[str, bool]] = field(default_factory=list)
    users: list[tuple[str, bool]] = field(default_factory=list)
    reporting: dict[str, int] = field(default_factory=dict)


def reference_data_load() -> tuple[int, int]:
    """Assemblies and member parliaments, with their groups; returns the two counts."""
    if importlib.util.find_spec("tracker.reference_data") is not None:
        from tracker.reference_data import assemblies_load, parliaments_load

        assemblies_load()
        parliaments_load()
    else:
        call_command("load_reference_data", stdout=StringIO())
    return Assembly.objects.count(), Parliament.objects.count()


def users_load(*, password: str) -> list[tuple[str, bool]]:
    """The demo users, one per role; returns ``(username, created)`` pairs."""
    wanted = demo_users()
    iso3s = [u.parliament for u in wanted if u.parliament]
    parliaments = Parliament.objects.in_bulk(iso3s, field_name="iso3")
    groups = GeopoliticalGroup.objects.in_bulk([u.group for u in wanted if u.group], field_name="name")
    missing = [u.parliament for u in wanted if u.parliament and u.parliament not in parliaments]
    missing += [u.group for u in wanted if u.group and u.group not in groups]
    if missing:
        raise CommandError(f"Reference data lacks {', '.join(missing)}; check data/ipu_members.csv.")

    results = []
    for spec in wanted:
        fields = {
            "email": f"{spec.username}@{EMAIL_DOMAIN}",
            "role": spec.role,
            "parliament": parliaments.get(spec.parliament),
            "geopolitical_group": groups.get(spec.group),
            "is_staff": spec.is_staff,
            "is_superuser": spec.is_superuser,
            "is_active": True,
        }
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = User(username=spec.username, **fields)
            user.set_password(password)
            user.save()
            results.append((spec.username, True))
            continue
        changed = [name for name, value in fields.items() if getattr(user, name) != value]
        if changed:
            for name in changed:
                setattr(user, name, fields[name])
            user.save(update_fields=changed)
        results.append((spec.username, False))
    return results


def documents_load(*, user: User | None) -> list[tuple[str, bool]]:
    """Imports every sample document; returns ``(file name, created)`` pairs."""
    from resolutions.services import ImportRejected, document_import

    results = []
    for path in seed_paths():
        try:
            result = document_import(data=path.read_bytes(), source_name=path.name, user=user)
        except ImportRejected as exc:
            raise CommandError(f"{path.name}: {exc}") from exc
        results.append((path.name, result.created))
    return results


# Demo answers, cycled over the commitments: (status, measures, narrative).
DEMO_ANSWERS = (
    ("implemented", ["legislation"], "The law on trafficking in persons was amended and entered into force."),
    ("in_progress", ["oversight", "budget"], "A parliamentary committee follows the action plan; funds were voted."),
    ("planned", ["awareness"], "A public awareness campaign is scheduled with civil society partners."),
    ("not_started", [], ""),
    ("not_applicable", [], "The commitment concerns transit countries; it does not apply."),
)
DEMO_CYCLE_OPENED = date(2022, 11, 1)


def _answer_all(report, user: User, *, skip_every: int = 0) -> None:
    from reporting.services import ResponseChange, report_save

    changes = []
    for index, response in enumerate(report.responses.order_by("pk")):
        if skip_every and index % skip_every == skip_every - 1:
            continue
        status, measures, narrative = DEMO_ANSWERS[index % len(DEMO_ANSWERS)]
        values = {"status": status, "measures": measures, "narrative": narrative}
        changes.append(ResponseChange(response_id=response.pk, version=response.version, values=values))
    report_save(report=report, user=user, changes=changes)


def reporting_load(*, users: dict[str, User]) -> dict[str, int]:
    """A cycle on the 145th Assembly resolution, due at the 149th Assembly, with a draft
    (Rwanda), a submitted (France) and an accepted (Mexico) report. Kept as it is once there."""
    from reporting.models import ImplementationReport, ReportingCycle
    from reporting.services import cycle_open
    from resolutions.models import Document

    resolution = Document.objects.filter(kind=Document.Kind.RESOLUTION, assembly_number=145).first()
    if resolution is None:
        raise CommandError("The 145th Assembly resolution is missing from the sample documents.")
    cycle = ReportingCycle.objects.filter(resolution=resolution).first()
    if cycle is None:
        cycle = cycle_open(
            resolution=resolution,
            user=users["admin"],
            opened_on=DEMO_CYCLE_OPENED,
            selection=ReportingCycle.Selection.LIST,
            parliaments=Parliament.objects.filter(iso3__in=DEMO_PARLIAMENTS),
        )
        reports = {report.parliament.iso3: report for report in cycle.reports.select_related("parliament")}
        _answer_all(reports["RWA"], users["reporter-rwa"], skip_every=3)
        _answer_all(reports["FRA"], users["reporter-fra"])
        reports["FRA"].submit(by=users["approver-fra"])
        _answer_all(reports["MEX"], users["reporter-mex"])
        reports["MEX"].submit(by=users["approver-mex"])
        reports["MEX"].accept(by=users["reviewer"])
    states = ImplementationReport.objects.filter(cycle=cycle).values_list("state", flat=True)
    return {
        "Reporting cycles": ReportingCycle.objects.count(),
        **{f"Reports {s}": list(states).count(s) for s in sorted(set(states))},
    }


def demo_load(*, password: str = DEFAULT_PASSWORD) -> DemoSummary:
    summary = DemoSummary()
    with transaction.atomic():
        summary.assemblies, summary.parliaments = reference_data_load()
        summary.users = users_load(password=password)
        users = User.objects.in_bulk([name for name, _ in summary.users], field_name="username")
        summary.documents = documents_load(user=users["admin"])
        summary.reporting = reporting_load(users=users)
    return summary


class Command(BaseCommand):
    help = "Loads demo data: Assemblies, parliaments, the sample documents and a user for every role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"password of the demo users, set when they are created (default: {DEFAULT_PASSWORD})",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="run even with DEBUG off (the demo users have a known password)",
        )

    def handle(self, *args: object, password: str, force: bool, **options: object) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "load_demo creates users with a known password and runs only with DEBUG on; "
                "pass --force to load it anyway."
            )
        if not password:
            raise CommandError("--password must not be empty.")
        summary = demo_load(password=password)
        self._report(summary, password=password)

    def _report(self, summary: DemoSummary, *, password: str) -> None:
        def created(rows: list[tuple[str, bool]]) -> int:
            return sum(1 for _, was_created in rows if was_created)

        write = self.stdout.write
        write(f"Assemblies: {summary.assemblies}, parliaments: {summary.parliaments}")
        write(f"Documents: {len(summary.documents)} ({created(summary.documents)} new)")
        for name, was_created in summary.documents:
            write(f"  {'new ' if was_created else 'kept'} {name}")
        for kind, count in summary.reporting.items():
            write(f"{kind}: {count}")
        write(f"Users: {len(summary.users)} ({created(summary.users)} new)")
        shown = f"'{password}'" if password == DEFAULT_PASSWORD else "the one given with --password"
        write(self.style.SUCCESS(f"Demo logins (password {shown}, set when each user was first created):"))
        for spec in demo_users():
            where = spec.parliament or spec.group or ""
            write(f"  {spec.username:<14} {User.Role(spec.role).label}{f', {where}' if where else ''}")
