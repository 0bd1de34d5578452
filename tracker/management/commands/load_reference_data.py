"""``manage.py load_reference_data``: Assemblies, parliaments, groups and aliases from data/."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tracker.reference_data import reference_data_load


class Command(BaseCommand):
    help = "Load IPU Assemblies, member parliaments, geopolitical groups and aliases (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = reference_data_load()
        self.stdout.write(
            "Assemblies: {assemblies}, parliaments: {parliaments}, geopolitical groups: {groups}, "
            "aliases: {aliases}".format(**counts)
        )
