"""Loading Assemblies and parliaments from data/*.csv, and matching delegation names."""

from __future__ import annotations

import csv
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from tracker.models import Assembly, GeopoliticalGroup, Parliament, ParliamentAlias
from tracker.reference_data import (
    ALIASES,
    FRENCH_SPEAKING,
    assemblies_load,
    delegation_index,
    parliament_for_delegation,
    parliaments_load,
    reference_data_load,
)

pytestmark = pytest.mark.django_db

DATA = Path(settings.BASE_DIR) / "data"


def csv_rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


def snapshot() -> list[tuple]:
    return [
        *Assembly.objects.order_by("number").values_list(),
        *Parliament.objects.order_by("iso3").values_list(),
        *GeopoliticalGroup.objects.order_by("name").values_list(),
        *ParliamentAlias.objects.order_by("name").values_list(),
        *Parliament.groups.through.objects.order_by("pk").values_list(),
    ]


@pytest.mark.parametrize("name", ["ipu_assemblies.csv", "ipu_members.csv"])
def test_csv_files_cite_their_sources_in_a_comment_header(name):
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("#")
    header = [line for line in lines if line.startswith("#")]
    assert any("http" in line for line in header)
    assert any("unverified" in line for line in header)
    first_data_line = lines[len(header)]
    assert first_data_line.split(",")[0] in {"number", "name"}


def test_assemblies_load():
    rows = csv_rows("ipu_assemblies.csv")
    assert assemblies_load() == len(rows)
    assert Assembly.objects.count() == len(rows)

    kigali = Assembly.objects.get(number=145)
    assert (kigali.city, kigali.country) == ("Kigali", "Rwanda")
    assert (kigali.start_date, kigali.end_date) == (date(2022, 10, 11), date(2022, 10, 15))
    assert kigali.verified is True
    assert Assembly.objects.get(number=149).start_date == date(2024, 10, 13)

    unverified = {int(row["number"]) for row in rows if row["source"] == "unverified"}
    assert unverified
    assert set(Assembly.objects.filter(verified=False).values_list("number", flat=True)) == unverified

    undated = Assembly.objects.get(number=153)
    assert undated.start_date is None and undated.end_date is None


def test_parliaments_load():
    rows = csv_rows("ipu_members.csv")
    assert parliaments_load() == len(rows)
    assert Parliament.objects.count() == len(rows)

    algeria = Parliament.objects.get(iso3="DZA")
    assert set(algeria.groups.values_list("name", flat=True)) == {"African", "Arab"}
    assert algeria.status == Parliament.Status.MEMBER

    latin = GeopoliticalGroup.objects.get(name="Latin America and Caribbean")
    assert latin.slug == "latin-america-and-caribbean"
    assert latin.parliaments.filter(iso3="MEX").exists()
    assert GeopoliticalGroup.objects.count() == len(
        {g for row in rows for g in row["geopolitical_groups"].split("|") if g}
    )

    associates = Parliament.objects.filter(status=Parliament.Status.ASSOCIATE)
    assert associates.count() == sum(1 for row in rows if row["status"] == "associate")
    assert all(p.iso3.startswith("X") and len(p.iso3) == 3 for p in associates)

    unverified = {row["iso3"] for row in rows if row["source"] == "unverified" and row["iso3"]}
    assert unverified
    assert not Parliament.objects.filter(iso3__in=unverified, verified=True).exists()
    assert Parliament.objects.get(iso3="AFG").verified is True


def test_preferred_language():
    parliaments_load()
    languages = dict(Parliament.objects.values_list("iso3", "preferred_language"))
    assert languages["FRA"] == Parliament.Language.FRENCH
    assert languages["SEN"] == Parliament.Language.FRENCH
    assert languages["RWA"] == Parliament.Language.ENGLISH
    assert languages["MEX"] == Parliament.Language.ENGLISH
    french = {code for code, language in languages.items() if language == Parliament.Language.FRENCH}
    assert french == FRENCH_SPEAKING & set(languages)


def test_loading_twice_changes_nothing():
    reference_data_load()
    before = snapshot()
    counts = reference_data_load()
    assert snapshot() == before
    assert counts["parliaments"] == Parliament.objects.count()


def test_reloading_keeps_what_the_secretariat_changed():
    reference_data_load()
    Assembly.objects.filter(number=119).update(verified=True)
    Parliament.objects.filter(iso3="FRA").update(preferred_language=Parliament.Language.ENGLISH)
    Parliament.objects.filter(iso3="ZWE").update(verified=True)

    reference_data_load()

    assert Assembly.objects.get(number=119).verified is True
    assert Parliament.objects.get(iso3="FRA").preferred_language == Parliament.Language.ENGLISH
    assert Parliament.objects.get(iso3="ZWE").verified is True


def test_loaders_accept_another_path_and_skip_comments(tmp_path):
    path = tmp_path / "members.csv"
    path.write_text(
        "# a comment, with, commas\n"
        "name,iso3,status,source,geopolitical_groups,group_source\n"
        "# another comment\n"
        "Atlantis,ATL,member,https://example.org/atlantis,Twelve Plus|Arab,unverified\n"
        "Nowhere Assembly,,associate,unverified,,\n",
        encoding="utf-8",
    )
    assert parliaments_load(path=path) == 1
    atlantis = Parliament.objects.get(iso3="ATL")
    assert atlantis.verified is True
    assert sorted(atlantis.groups.values_list("slug", flat=True)) == ["arab", "twelve-plus"]
    assert not Parliament.objects.filter(name="Nowhere Assembly").exists()


def test_unknown_status_is_an_error(tmp_path):
    path = tmp_path / "members.csv"
    path.write_text(
        "name,iso3,status,source,geopolitical_groups,group_source\nAtlantis,ATL,observer,unverified,,\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="observer"):
        parliaments_load(path=path)


def test_aliases_are_loaded():
    reference_data_load()
    assert ParliamentAlias.objects.get(name="Iran (Islamic Rep. of)").parliament.iso3 == "IRN"
    assert ParliamentAlias.objects.get(name="Turkey").parliament.iso3 == "TUR"
    assert ParliamentAlias.objects.count() == len(ALIASES)


@pytest.mark.parametrize(
    ("printed", "iso3"),
    [
        ("Iran (Islamic Rep. of)", "IRN"),
        ("Iran (Islamic Republic of)", "IRN"),
        ("Turkey", "TUR"),
        ("Türkiye", "TUR"),
        ("TURKIYE", "TUR"),
        ("Syria", "SYR"),
        ("Syrian Arab Republic", "SYR"),
        ("the Syrian Arab Republic", "SYR"),
        ("The Russian Federation", "RUS"),
        ("Czech Republic", "CZE"),
        ("Czechia", "CZE"),
        ("Côte d\u2019Ivoire", "CIV"),
        ("Cote d'Ivoire", "CIV"),
        ("  viet   nam ", "VNM"),
        ("Venezuela (Bolivarian Republic of)", "VEN"),
        ("PACE", "XCE"),
    ],
)
def test_parliament_for_delegation(printed, iso3):
    reference_data_load()
    parliament = parliament_for_delegation(printed)
    assert parliament is not None
    assert parliament.iso3 == iso3


@pytest.mark.parametrize("printed", ["Atlantis", "", "   ", "The"])
def test_parliament_for_delegation_unknown(printed):
    reference_data_load()
    assert parliament_for_delegation(printed) is None


def test_parliament_for_delegation_with_an_index_costs_no_query(django_assert_num_queries):
    reference_data_load()
    index = delegation_index()
    with django_assert_num_queries(0):
        assert parliament_for_delegation("Hungary", index=index).iso3 == "HUN"


def test_load_reference_data_command_is_idempotent():
    out = StringIO()
    call_command("load_reference_data", stdout=out)
    first = out.getvalue()
    before = snapshot()
    out = StringIO()
    call_command("load_reference_data", stdout=out)
    assert out.getvalue() == first
    assert snapshot() == before
    assert f"parliaments: {Parliament.objects.count()}" in first
    assert f"Assemblies: {Assembly.objects.count()}" in first
