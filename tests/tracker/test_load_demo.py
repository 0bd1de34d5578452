"""``manage.py load_demo``: reference data, sample documents and a user for every role."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from reporting.models import CommitmentResponse, ImplementationReport, ReportEvent, ReportingCycle
from resolutions.models import Document, Paragraph
from tracker.management.commands.load_demo import seed_paths, seeds_dir
from tracker.models import Assembly, GeopoliticalGroup, Parliament, ParliamentAlias, User

pytestmark = pytest.mark.django_db

MODELS = (
    Assembly,
    GeopoliticalGroup,
    Parliament,
    ParliamentAlias,
    User,
    Document,
    Paragraph,
    ReportingCycle,
    ImplementationReport,
    CommitmentResponse,
    ReportEvent,
)


def load_demo(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    counts = {model.__name__: model.objects.count() for model in MODELS}
    users = {
        u.username: (u.password, u.role, u.parliament_id, u.geopolitical_group_id, u.is_staff, u.is_superuser)
        for u in User.objects.all()
    }
    documents = sorted(Document.objects.values_list("pk", "checksum"))
    return {"counts": counts, "users": users, "documents": documents}


def test_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        load_demo()
    assert not User.objects.exists()
    assert not Document.objects.exists()


def test_loads_everything_and_a_second_run_changes_nothing(settings):
    settings.DEBUG = True
    out = load_demo()
    first = snapshot()
    out_again = load_demo()

    assert snapshot() == first
    assert first["counts"]["Assembly"] > 0
    assert first["counts"]["Parliament"] > 100
    assert first["counts"]["Document"] == len(seed_paths())
    assert "Demo logins" in out
    assert "(0 new)" in out_again


def test_imports_the_seed_documents_in_order(settings):
    settings.DEBUG = True
    load_demo()
    names = [p.name for p in seed_paths()]
    assert "expected.json" not in names
    assert len(names) == len([p for p in seeds_dir().iterdir() if p.suffix in {".md", ".txt"}])
    assert names.index("ipu-118-cape-town-2008-migrant-workers.txt") < names.index(
        "ipu-145-kigali-2022-migration-trafficking.md"
    )
    imported = list(Document.objects.order_by("pk").values_list("source_name", flat=True))
    assert imported == names
    assert Document.objects.filter(imported_by__username="admin").count() == len(names)


def test_demo_users_have_their_roles(settings):
    settings.DEBUG = True
    load_demo()
    admin = User.objects.get(username="admin")
    assert (admin.role, admin.is_staff, admin.is_superuser) == (User.Role.SECRETARIAT_ADMIN, True, True)
    reviewer = User.objects.get(username="reviewer")
    assert (reviewer.role, reviewer.is_staff, reviewer.is_superuser) == (User.Role.REVIEWER, True, False)
    for iso3 in ("RWA", "FRA", "MEX"):
        for role in (User.Role.REPORTER, User.Role.APPROVER):
            user = User.objects.get(username=f"{role}-{iso3.lower()}")
            assert (user.role, user.parliament.iso3, user.is_staff) == (role, iso3, False)
            assert user.email == f"{role}-{iso3.lower()}@demo.invalid"
    chair = User.objects.get(username="chair-africa")
    assert (chair.role, chair.geopolitical_group.name) == (User.Role.GROUP_CHAIR, "African")
    assert all(user.check_password("demo") for user in User.objects.all())


def test_password_is_set_only_when_a_user_is_created(settings):
    settings.DEBUG = True
    load_demo("--password", "first-password")
    load_demo("--password", "second-password")
    admin = User.objects.get(username="admin")
    assert admin.check_password("first-password")
    assert not admin.check_password("second-password")


def test_force_runs_with_debug_off(settings):
    settings.DEBUG = False
    load_demo("--force")
    assert User.objects.filter(username="reporter-rwa").exists()


def test_restores_a_demo_user_role_changed_by_hand(settings):
    settings.DEBUG = True
    load_demo()
    User.objects.filter(username="reviewer").update(role=User.Role.REPORTER, is_staff=False)
    load_demo()
    reviewer = User.objects.get(username="reviewer")
    assert (reviewer.role, reviewer.is_staff) == (User.Role.REVIEWER, True)


def test_demo_cycle_matches_the_contract(settings):
    """A cycle on the 145th Assembly resolution, due at the 149th, with RWA draft, FRA submitted, MEX accepted."""
    settings.DEBUG = True
    load_demo()
    cycle = ReportingCycle.objects.get()
    assert cycle.resolution.assembly_number == 145
    assert cycle.due_date == Assembly.objects.get(number=149).start_date
    assert cycle.due_date_source == ReportingCycle.DueDateSource.TEXT
    states = dict(cycle.reports.values_list("parliament__iso3", "state"))
    assert states == {"RWA": "draft", "FRA": "submitted", "MEX": "accepted"}
    fra = cycle.reports.get(parliament__iso3="FRA")
    assert fra.responses.count() == cycle.commitments.count() > 0
    assert not fra.responses.filter(status="").exists()
    assert cycle.reports.get(parliament__iso3="RWA").responses.filter(status="").exists()
