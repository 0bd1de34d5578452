"""Seeds the Addressee and Theme lookup rows the importer assigns to commitments."""

from django.db import migrations

ADDRESSEES = [
    ("parliaments", "Parliaments"),
    ("governments", "Governments"),
    ("states", "States"),
    ("ipu", "IPU"),
    ("un", "United Nations"),
    ("international-organizations", "International organizations"),
    ("civil-society", "Civil society"),
    ("private-sector", "Private sector"),
    ("secretary-general", "Secretary-General"),
    ("other", "Other"),
]

THEMES = [
    ("trafficking", "Trafficking"),
    ("migration", "Migration"),
    ("gender", "Gender"),
    ("children", "Children"),
    ("labour", "Labour"),
    ("data", "Data"),
    ("cooperation", "Cooperation"),
    ("human-rights", "Human rights"),
    ("refugees", "Refugees"),
    ("development", "Development"),
    ("crime", "Crime"),
    ("terrorism", "Terrorism"),
    ("corruption", "Corruption"),
    ("drugs", "Drugs"),
    ("health", "Health"),
    ("education", "Education"),
    ("climate", "Climate"),
    ("racism", "Racism"),
    ("legislation", "Legislation"),
    ("budget", "Budget"),
]


def seed(apps, schema_editor):
    Addressee = apps.get_model("resolutions", "Addressee")
    Theme = apps.get_model("resolutions", "Theme")
    for code, label in ADDRESSEES:
        Addressee.objects.get_or_create(code=code, defaults={"label": label})
    for code, label in THEMES:
        Theme.objects.get_or_create(code=code, defaults={"label": label})


class Migration(migrations.Migration):
    dependencies = [
        ("resolutions", "0002_initial"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
