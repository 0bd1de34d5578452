"""Loads the IPU reference data (Assemblies, parliaments, groups, aliases) from ``data/*.csv``.

Every loader is idempotent: rows are matched on their natural key (Assembly number, ISO code,
group or alias name) and updated in place, so running it again changes nothing. Values the
Secretariat curates by hand are respected: a row it has confirmed (``verified``) is never
marked unconfirmed again, and a parliament's preferred language is only set when it is created.
"""

from __future__ import annotations

import csv
import logging
import re
import unicodedata
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.text import slugify

from tracker.models import Assembly, GeopoliticalGroup, Parliament, ParliamentAlias

logger = logging.getLogger(__name__)

UNVERIFIED = "unverified"


def _data_dir() -> Path:
    return Path(settings.BASE_DIR) / "data"


# Associate members (regional parliamentary assemblies) have no ISO 3166 code. They get a code
# from the range ISO 3166-1 leaves to users (X followed by two letters), so they never collide
# with a country. Keys are the names exactly as printed in ipu_members.csv.
ASSOCIATE_CODES: dict[str, str] = {
    "Arab Parliament": "XAP",
    "European Parliament": "XEP",
    "Inter-Parliamentary Assembly of Member Nations of the Commonwealth of Independent States (IPA CIS)": "XCS",
    "Parliamentary Assembly of the Council of Europe (PACE)": "XCE",
    "Latin American and Caribbean Parliament (PARLATINO)": "XLA",
    "Central American Parliament (PARLACEN)": "XCA",
    "Andean Parliament": "XAN",
    "Parliament of the Economic Community of West African States (ECOWAS Parliament)": "XEW",
    "East African Legislative Assembly (EALA)": "XEA",
    "Parliament of the Economic and Monetary Community of Central Africa (CEMAC)": "XCM",
    "Inter-Parliamentary Committee of the West African Economic and Monetary Union (WAEMU)": "XWA",
    "Parliamentary Assembly of the Black Sea Economic Cooperation (PABSEC)": "XBS",
}

# Parliaments whose usual working language with the IPU is French (the IPU's two official
# languages are English and French). The list holds countries where French is an official
# language of State and of parliamentary business (France, Belgium, Switzerland, Luxembourg,
# Monaco, Haiti and the francophone States of West and Central Africa and the Indian Ocean),
# the Maghreb parliaments, which correspond with the IPU in French, and the two francophone
# regional assemblies; Cameroon, bilingual, is listed for its French-speaking majority. Mainly
# English-speaking parliaments with French as one official language (Canada, Rwanda,
# Seychelles, Vanuatu) stay in English: Rwanda, for one, has worked in English since 2008.
# Everyone else defaults to English. The Secretariat can change any parliament's language; reloading the
# data never overwrites it.
FRENCH_SPEAKING: frozenset[str] = frozenset(
    {
        # Europe and the Americas
        "FRA",
        "BEL",
        "CHE",
        "LUX",
        "MCO",
        "HTI",
        # West and Central Africa, Indian Ocean
        "BEN",
        "BFA",
        "BDI",
        "CAF",
        "CIV",
        "CMR",
        "COD",
        "COG",
        "COM",
        "DJI",
        "GAB",
        "GIN",
        "MDG",
        "MLI",
        "NER",
        "SEN",
        "TCD",
        "TGO",
        # Maghreb
        "DZA",
        "MAR",
        "MRT",
        "TUN",
        # Regional assemblies
        "XCM",
        "XWA",
    }
)

# Other names under which delegations are printed in resolutions (reservations, sponsors):
# short forms, former names and abbreviations. Accents, case and a leading "The" are ignored
# when matching, so "Turkiye" or "the Russian Federation" need no entry of their own.
ALIASES: dict[str, str] = {
    "Bolivia": "BOL",
    "Brunei": "BRN",
    "Cape Verde": "CPV",
    "Congo (Democratic Republic of the)": "COD",
    "Czech Republic": "CZE",
    "DPR Korea": "PRK",
    "DR Congo": "COD",
    "Democratic Republic of Congo": "COD",
    "East Timor": "TLS",
    "Iran": "IRN",
    "Iran (Islamic Rep. of)": "IRN",
    "Ivory Coast": "CIV",
    "Korea (Republic of)": "KOR",
    "Lao PDR": "LAO",
    "Laos": "LAO",
    "Libyan Arab Jamahiriya": "LBY",
    "Macedonia": "MKD",
    "Micronesia": "FSM",
    "Moldova": "MDA",
    "Netherlands (Kingdom of the)": "NLD",
    "North Korea": "PRK",
    "Republic of the Congo": "COG",
    "Russia": "RUS",
    "South Korea": "KOR",
    "State of Palestine": "PSE",
    "Swaziland": "SWZ",
    "Syria": "SYR",
    "Syrian Arab Rep.": "SYR",
    "Tanzania": "TZA",
    "The former Yugoslav Republic of Macedonia": "MKD",
    "Turkey": "TUR",
    "UAE": "ARE",
    "United Kingdom of Great Britain and Northern Ireland": "GBR",
    "Venezuela": "VEN",
    "Vietnam": "VNM",
    # Associate members, by the abbreviation they are usually printed under
    "PACE": "XCE",
    "PARLATINO": "XLA",
    "PARLACEN": "XCA",
    "IPA CIS": "XCS",
    "ECOWAS Parliament": "XEW",
    "EALA": "XEA",
    "PABSEC": "XBS",
}


def _csv_rows(path: Path) -> Iterator[dict[str, str]]:
    """Rows of a CSV file, skipping the ``#`` comment lines that cite its sources."""
    with path.open(encoding="utf-8", newline="") as handle:
        lines = (line for line in handle if not line.lstrip().startswith("#") and line.strip())
        for row in csv.DictReader(lines):
            yield {key.strip(): (value or "").strip() for key, value in row.items() if key}


def _date(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def assemblies_load(*, path: Path | None = None) -> int:
    """Creates or updates one Assembly per row of ``ipu_assemblies.csv``; returns the row count."""
    path = path or _data_dir() / "ipu_assemblies.csv"
    count = 0
    with transaction.atomic():
        for row in _csv_rows(path):
            source = row.get("source", "")
            verified = bool(source) and source != UNVERIFIED
            defaults: dict[str, object] = {
                "city": row.get("city", ""),
                "country": row.get("country", ""),
                "start_date": _date(row.get("start_date", "")),
                "end_date": _date(row.get("end_date", "")),
                "source": source,
            }
            # Confirmation only ever goes one way: a row confirmed by hand stays confirmed.
            update_defaults = {**defaults, "verified": True} if verified else defaults
            Assembly.objects.update_or_create(
                number=int(row["number"]),
                defaults=update_defaults,
                create_defaults={**defaults, "verified": verified},
            )
            count += 1
    return count


def _group_names(value: str) -> list[str]:
    return [name.strip() for name in value.split("|") if name.strip()]


def parliaments_load(*, path: Path | None = None) -> int:
    """Creates or updates the parliaments of ``ipu_members.csv`` with their groups and aliases.

    Returns the number of parliaments loaded. Rows without an ISO code are loaded only when
    :data:`ASSOCIATE_CODES` gives them one; others are skipped with a warning.
    """
    path = path or _data_dir() / "ipu_members.csv"
    count = 0
    with transaction.atomic():
        groups: dict[str, GeopoliticalGroup] = {}
        for row in _csv_rows(path):
            name = row["name"]
            iso3 = (row.get("iso3") or ASSOCIATE_CODES.get(name, "")).upper()
            if not iso3:
                logger.warning("Skipping %r: no ISO code and no code assigned to it", name)
                continue
            source = row.get("source", "")
            verified = bool(source) and source != UNVERIFIED
            status = row.get("status") or Parliament.Status.MEMBER
            if status not in Parliament.Status.values:
                raise ValueError(f"{path.name}: unknown status {status!r} for {name}")
            defaults: dict[str, object] = {
                "name": name,
                "status": status,
                "source": source,
                "group_source": row.get("group_source", ""),
            }
            language = Parliament.Language.FRENCH if iso3 in FRENCH_SPEAKING else Parliament.Language.ENGLISH
            parliament, _created = Parliament.objects.update_or_create(
                iso3=iso3,
                defaults={**defaults, "verified": True} if verified else defaults,
                create_defaults={**defaults, "verified": verified, "preferred_language": language},
            )
            wanted = []
            for group_name in _group_names(row.get("geopolitical_groups", "")):
                if group_name not in groups:
                    groups[group_name], _ = GeopoliticalGroup.objects.get_or_create(
                        name=group_name, defaults={"slug": slugify(group_name)}
                    )
                wanted.append(groups[group_name])
            parliament.groups.set(wanted)
            count += 1
        aliases_load()
    return count


def aliases_load() -> int:
    """Creates the :data:`ALIASES` rows whose parliament exists; returns how many there are."""
    parliaments = {p.iso3: p for p in Parliament.objects.filter(iso3__in=set(ALIASES.values()))}
    count = 0
    with transaction.atomic():
        for alias, iso3 in ALIASES.items():
            parliament = parliaments.get(iso3)
            if parliament is None:
                continue
            ParliamentAlias.objects.update_or_create(name=alias, defaults={"parliament": parliament})
            count += 1
    return count


def reference_data_load() -> dict[str, int]:
    """Loads Assemblies, parliaments (with groups) and aliases; returns a count of each."""
    with transaction.atomic():
        assemblies = assemblies_load()
        parliaments = parliaments_load()
    return {
        "assemblies": assemblies,
        "parliaments": parliaments,
        "groups": GeopoliticalGroup.objects.count(),
        "aliases": ParliamentAlias.objects.count(),
    }


_PUNCTUATION = re.compile(r"[\W_]+")


def delegation_key(name: str) -> str:
    """The form names are compared in: no accents, case, punctuation or leading "The"."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("\u2019", "'").casefold()
    text = _PUNCTUATION.sub(" ", text).strip()
    text = re.sub(r"^the\s+", "", text)
    return " ".join(text.split())


def delegation_index() -> dict[str, Parliament]:
    """Every parliament under its name and aliases, keyed by :func:`delegation_key` (2 queries)."""
    index: dict[str, Parliament] = {}
    parliaments = {p.pk: p for p in Parliament.objects.all()}
    for parliament in parliaments.values():
        index.setdefault(delegation_key(parliament.name), parliament)
    for alias in ParliamentAlias.objects.all():
        parliament = parliaments.get(alias.parliament_id)
        if parliament is not None:
            index.setdefault(delegation_key(alias.name), parliament)
    return index


def parliament_for_delegation(name: str, *, index: dict[str, Parliament] | None = None) -> Parliament | None:
    """The parliament a delegation name printed in a text stands for, or ``None``.

    Pass ``index`` (from :func:`delegation_index`) when matching many names, so the lookup
    costs no query per name.
    """
    key = delegation_key(name)
    if not key:
        return None
    if index is None:
        index = delegation_index()
    return index.get(key)
