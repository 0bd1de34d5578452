"""factory_boy factories shared by the whole test tree."""

from __future__ import annotations

import hashlib
from datetime import date

import factory

from resolutions.models import Commitment, Document, Paragraph
from tracker.models import Assembly, GeopoliticalGroup, Parliament, User


class AssemblyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assembly
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: 300 + n)
    city = "Geneva"
    country = "Switzerland"
    start_date = factory.LazyAttribute(lambda o: date(2000 + o.number % 100, 3, 20))
    end_date = factory.LazyAttribute(lambda o: date(2000 + o.number % 100, 3, 24))
    verified = True


class GeopoliticalGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GeopoliticalGroup
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Group {n}")
    slug = factory.Sequence(lambda n: f"group-{n}")


class ParliamentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Parliament
        django_get_or_create = ("iso3",)

    name = factory.Sequence(lambda n: f"Parliament {n}")
    iso3 = factory.Sequence(lambda n: f"Z{n // 26 % 26 + 65:c}{n % 26 + 65:c}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("pass")


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    kind = Document.Kind.RESOLUTION
    title = factory.Sequence(lambda n: f"Resolution {n}")
    body = "IPU Assembly"
    source_text = factory.Sequence(lambda n: f"source text {n}")
    checksum = factory.LazyAttribute(lambda o: hashlib.sha256(o.source_text.encode()).hexdigest())
    importer_version = "test"


class ParagraphFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Paragraph

    document = factory.SubFactory(DocumentFactory)
    kind = Paragraph.Kind.OPERATIVE
    position = factory.Sequence(lambda n: n + 1)
    number = factory.LazyAttribute(lambda o: o.position)
    opening_phrase = "Calls upon"
    text = "Calls upon parliaments to act."


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment

    paragraph = factory.SubFactory(ParagraphFactory)
    document = factory.LazyAttribute(lambda o: o.paragraph.document)
    verb = "Calls upon"
    strength = 3
    addresses_parliaments = True
    parliaments_report = True
