"""The shared ground every app stands on: Assemblies, parliaments, groups and users."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy


class Assembly(models.Model):
    """A statutory IPU Assembly session; deadlines written as "by the Nth Assembly" use it."""

    number = models.PositiveIntegerField(_("number"), unique=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=100, blank=True)
    start_date = models.DateField(_("opening date"), null=True, blank=True)
    end_date = models.DateField(_("closing date"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=500, blank=True)
    verified = models.BooleanField(
        _("verified"),
        default=False,
        help_text=_("Unticked rows come from unconfirmed sources; the Secretariat confirms them."),
    )

    class Meta:
        ordering = ["number"]
        verbose_name = _("Assembly")
        verbose_name_plural = _("Assemblies")

    def __str__(self) -> str:
        place = f", {self.city}" if self.city else ""
        return _("%(ordinal)s Assembly%(place)s") % {"ordinal": ordinal(self.number), "place": place}


def ordinal(number: int) -> str:
    if 10 <= number % 100 <= 20:
        suffix = pgettext("ordinal suffix", "th")
    else:
        suffix = {
            1: pgettext("ordinal suffix", "st"),
            2: pgettext("ordinal suffix", "nd"),
            3: pgettext("ordinal suffix", "rd"),
        }.get(number % 10, pgettext("ordinal suffix", "th"))
    return f"{number}{suffix}"


class GeopoliticalGroup(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("geopolitical group")
        verbose_name_plural = _("geopolitical groups")

    def __str__(self) -> str:
        return self.name


class Parliament(models.Model):
    """An IPU member or associate member parliament."""

    class Status(models.TextChoices):
        MEMBER = "member", _("Member")
        ASSOCIATE = "associate", _("Associate member")

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        FRENCH = "fr", _("French")

    name = models.CharField(_("name"), max_length=200)
    iso3 = models.CharField(_("ISO 3166 code"), max_length=3, unique=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.MEMBER)
    groups = models.ManyToManyField(
        GeopoliticalGroup, related_name="parliaments", blank=True, verbose_name=_("geopolitical groups")
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=Language.choices, default=Language.ENGLISH
    )
    source = models.CharField(_("source"), max_length=500, blank=True)
    group_source = models.CharField(_("source of group membership"), max_length=500, blank=True)
    verified = models.BooleanField(_("verified"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("parliament")
        verbose_name_plural = _("parliaments")

    def __str__(self) -> str:
        return self.name


class ParliamentAlias(models.Model):
    """Another name a delegation is printed under (e.g. "Iran (Islamic Rep. of)")."""

    parliament = models.ForeignKey(Parliament, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(_("name"), max_length=200, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("parliament alias")
        verbose_name_plural = _("parliament aliases")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person using the tracker; the role decides what the permission policy allows."""

    class Role(models.TextChoices):
        REPORTER = "reporter", _("Parliament reporter")
        APPROVER = "approver", _("Parliament approver")
        REVIEWER = "reviewer", _("Secretariat reviewer")
        SECRETARIAT_ADMIN = "secretariat_admin", _("Secretariat admin")
        GROUP_CHAIR = "group_chair", _("Geopolitical group chair")

    role = models.CharField(_("role"), max_length=30, choices=Role.choices, blank=True)
    parliament = models.ForeignKey(
        Parliament,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("parliament"),
    )
    geopolitical_group = models.ForeignKey(
        GeopoliticalGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="chairs",
        verbose_name=_("geopolitical group"),
    )

    @property
    def is_secretariat(self) -> bool:
        return self.is_superuser or self.role in {self.Role.REVIEWER, self.Role.SECRETARIAT_ADMIN}


class FocalPoint(models.Model):
    """A person at a parliament who receives the IPU's reporting notices."""

    parliament = models.ForeignKey(
        Parliament, on_delete=models.CASCADE, related_name="focal_points", verbose_name=_("parliament")
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"))
    position = models.CharField(pgettext_lazy("job title", "position"), max_length=200, blank=True)
    receives_reminders = models.BooleanField(_("receives reminders"), default=True)

    class Meta:
        ordering = ["parliament", "name"]
        verbose_name = _("focal point")
        verbose_name_plural = _("focal points")
        constraints = [models.UniqueConstraint(fields=["parliament", "email"], name="focal_point_unique_email")]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"
