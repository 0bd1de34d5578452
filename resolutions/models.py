"""Imported documents, their paragraphs, and the commitments parliaments report on."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tracker.models import Assembly, Parliament


class Addressee(models.Model):
    """Who a commitment asks to act: parliaments, governments, States, the IPU..."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    label = models.CharField(_("label"), max_length=100)

    class Meta:
        ordering = ["label"]
        verbose_name = _("addressee")
        verbose_name_plural = _("addressees")

    def __str__(self) -> str:
        return self.label


class Theme(models.Model):
    """A subject from the keyword taxonomy in ``resolutions/parsing/themes.py``."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    label = models.CharField(_("label"), max_length=100)

    class Meta:
        ordering = ["label"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return self.label


class Document(models.Model):
    class Kind(models.TextChoices):
        RESOLUTION = "resolution", _("Resolution")
        DRAFT_RESOLUTION = "draft resolution", _("Draft resolution")
        BACKGROUND_NOTE = "background note", _("Background note")

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    status = models.CharField(
        _("status as printed"), max_length=100, blank=True, help_text=_('e.g. "revised draft resolution"')
    )
    title = models.TextField(_("title"), blank=True)
    body = models.CharField(_("adopting body"), max_length=200, blank=True)
    symbol = models.CharField(_("symbol"), max_length=100, blank=True, db_index=True)
    assembly = models.ForeignKey(
        Assembly,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("Assembly"),
    )
    assembly_number = models.PositiveIntegerField(_("Assembly number"), null=True, blank=True)
    session = models.CharField(_("session"), max_length=100, blank=True)
    place = models.CharField(_("place"), max_length=100, blank=True)
    adopted = models.DateField(_("adoption date"), null=True, blank=True)
    issued = models.DateField(_("date of the document"), null=True, blank=True)
    sponsors = models.JSONField(_("sponsors"), default=list, blank=True)
    related_to = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="background_documents",
        verbose_name=_("related resolution"),
    )
    related_title = models.TextField(_("title of the resolution discussed"), blank=True)
    guiding_questions = models.JSONField(_("guiding questions"), default=list, blank=True)

    deadline_phrase = models.CharField(_("reporting deadline as printed"), max_length=200, blank=True)
    deadline_assembly = models.ForeignKey(
        Assembly,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deadline_documents",
        verbose_name=_("deadline Assembly"),
    )
    deadline_date = models.DateField(_("reporting deadline"), null=True, blank=True)
    deadline_paragraph = models.ForeignKey(
        "Paragraph",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("deadline paragraph"),
    )

    source_name = models.CharField(_("source file name"), max_length=255, blank=True)
    source_text = models.TextField(_("source text, verbatim"))
    checksum = models.CharField(_("SHA-256 of the source"), max_length=64, unique=True)
    importer_version = models.CharField(_("importer version"), max_length=20)
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    imported_by = models.ForeignKey(
        "tracker.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )

    class Meta:
        ordering = ["-adopted", "-issued", "-imported_at"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.display_title

    def get_absolute_url(self) -> str:
        return reverse("resolutions:detail", args=[self.pk])

    @property
    def display_title(self) -> str:
        if self.title:
            return self.title
        if self.assembly_number:
            return str(_("Untitled resolution of the %(n)sth Assembly") % {"n": self.assembly_number})
        return self.symbol or self.source_name or str(_("Untitled document"))


class Paragraph(models.Model):
    class Kind(models.TextChoices):
        PREAMBULAR = "preambular", _("Preambular")
        OPERATIVE = "operative", _("Operative")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="paragraphs")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    position = models.PositiveIntegerField(_("position"), help_text=_("1-based, among paragraphs of this kind"))
    number = models.PositiveIntegerField(_("printed number"), null=True, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subparagraphs",
        verbose_name=_("parent paragraph"),
    )
    letter = models.CharField(_("letter"), max_length=5, blank=True)
    opening_phrase = models.CharField(_("opening phrase"), max_length=200, blank=True)
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["document", "kind", "position"]
        verbose_name = _("paragraph")
        verbose_name_plural = _("paragraphs")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "kind", "position"],
                condition=models.Q(parent__isnull=True),
                name="paragraph_unique_position",
            ),
            models.UniqueConstraint(
                fields=["parent", "letter"],
                condition=models.Q(parent__isnull=False),
                name="subparagraph_unique_letter",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.parent_id:
            return f"{self.parent.label} ({self.letter})"
        kind = _("PP") if self.kind == self.Kind.PREAMBULAR else _("OP")
        return f"{kind} {self.number or self.position}"


class Commitment(models.Model):
    """An operative paragraph or sub-paragraph that can be acted on and reported on."""

    paragraph = models.OneToOneField(Paragraph, on_delete=models.CASCADE, related_name="commitment")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="commitments")
    verb = models.CharField(_("operative verb"), max_length=100)
    strength = models.PositiveSmallIntegerField(
        _("strength"), default=0, help_text=_("0 (notes) to 5 (decides/demands); see the parsing docs")
    )
    addressees = models.ManyToManyField(Addressee, blank=True, related_name="commitments")
    themes = models.ManyToManyField(Theme, blank=True, related_name="commitments")
    addresses_parliaments = models.BooleanField(
        _("asks parliaments to act"), default=False, help_text=_("As read from the text by the importer.")
    )
    parliaments_report = models.BooleanField(
        _("parliaments report on this"),
        default=False,
        help_text=_("Member parliaments report on this commitment; the Secretariat may switch it."),
    )

    class Meta:
        ordering = ["document", "paragraph__position", "paragraph__letter"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")

    def __str__(self) -> str:
        return f"{self.paragraph.label}: {self.verb}"


class Reservation(models.Model):
    """One delegation's reservation or opposition, as printed under the text."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="reservations")
    delegation = models.CharField(_("delegation as printed"), max_length=200)
    parliament = models.ForeignKey(
        Parliament,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reservations",
        verbose_name=_("parliament"),
    )
    on = models.TextField(_("scope as printed"), blank=True)
    entire = models.BooleanField(_("on the entire resolution"), default=False)
    opposition = models.BooleanField(_("opposition to the resolution"), default=False)
    paragraphs = models.ManyToManyField(Paragraph, blank=True, related_name="reservations")
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["document", "position"]
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")

    def __str__(self) -> str:
        return f"{self.delegation}: {self.on}"


class DocumentReference(models.Model):
    """A mention of an earlier resolution ("adopted at the 118th Assembly, Cape Town, April 2008")."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="references")
    phrase = models.TextField(_("reference as printed"))
    title = models.TextField(_("title cited"), blank=True)
    assembly_number = models.PositiveIntegerField(_("Assembly number"), null=True, blank=True)
    target = models.ForeignKey(
        Document,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cited_by",
        verbose_name=_("resolution referred to"),
    )

    class Meta:
        ordering = ["document", "pk"]
        verbose_name = _("reference")
        verbose_name_plural = _("references")

    def __str__(self) -> str:
        return self.phrase
