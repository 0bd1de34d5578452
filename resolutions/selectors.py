"""Reads behind the resolution pages, each in a fixed number of queries whatever the text's size."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from tracker.permissions import Action, AnyUser, policy

from .models import Addressee, Commitment, Document, DocumentReference, Paragraph, Reservation, Theme

# How firmly a commitment is worded, on the importer's 0-5 scale (resolutions/parsing/lexicon.py):
# each level is named after the verb that typifies it.
STRENGTH_LABELS = {
    0: _("Declaratory"),
    1: _("Invites"),
    2: _("Encourages"),
    3: _("Calls upon"),
    4: _("Urges"),
    5: _("Decides"),
}

# Addressee codes that name parliaments; the pages highlight them.
PARLIAMENT_ADDRESSEE_PREFIX = "parliament"

LIST_DEFERRED = ("source_text", "guiding_questions", "related_title")


def _count(queryset: QuerySet) -> Coalesce:
    """A correlated COUNT, so several counts on one row do not multiply each other."""
    counted = queryset.order_by().values("document").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def visible_documents(*, user: AnyUser | None) -> QuerySet[Document]:
    """Documents the user may read, as the permission policy scopes them."""
    return policy.instances_user_has_permission_for(user, Action.VIEW_DOCUMENTS, Document.objects.all())


def document_list(*, user: AnyUser | None, kind: str = "", body: str = "", search: str = "") -> QuerySet[Document]:
    """The list page's rows with their paragraph and commitment counts computed by the database."""
    operative = Paragraph.objects.filter(document=OuterRef("pk"), kind=Paragraph.Kind.OPERATIVE, parent__isnull=True)
    for_parliaments = Commitment.objects.filter(document=OuterRef("pk"), addresses_parliaments=True)
    queryset = (
        visible_documents(user=user)
        .select_related("assembly", "deadline_assembly")
        .defer(*LIST_DEFERRED)
        .annotate(operative_count=_count(operative), parliament_commitment_count=_count(for_parliaments))
    )
    if kind:
        queryset = queryset.filter(kind=kind)
    if body:
        queryset = queryset.filter(body=body)
    if search:
        queryset = queryset.filter(Q(title__icontains=search) | Q(symbol__icontains=search))
    return queryset


def document_bodies(*, user: AnyUser | None) -> list[str]:
    """Adopting bodies present in the data, for the list filter."""
    bodies = visible_documents(user=user).exclude(body="").order_by("body").values_list("body", flat=True)
    return list(bodies.distinct())


def latest_documents(*, user: AnyUser | None, limit: int = 5) -> list[Document]:
    """The most recent texts, for the home page."""
    return list(document_list(user=user)[:limit])


def is_parliament_addressee(addressee: Addressee) -> bool:
    return addressee.code.startswith(PARLIAMENT_ADDRESSEE_PREFIX)


@dataclass
class ParagraphDisplay:
    """One paragraph ready for the page: its commitment, sub-paragraphs and the reservations on it."""

    paragraph: Paragraph
    commitment: Commitment | None = None
    addressees: list[Addressee] = field(default_factory=list)
    themes: list[Theme] = field(default_factory=list)
    reservations: list[Reservation] = field(default_factory=list)
    subparagraphs: list[ParagraphDisplay] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        p = self.paragraph
        if p.parent_id:
            return f"op-{p.parent.number or p.parent.position}-{p.letter}"
        prefix = "pp" if p.kind == Paragraph.Kind.PREAMBULAR else "op"
        return f"{prefix}-{p.number or p.position}"

    @property
    def lead(self) -> str:
        """The opening phrase as printed at the start of the text (shown in italics)."""
        phrase = self.paragraph.opening_phrase
        if phrase and self.paragraph.text[: len(phrase)].lower() == phrase.lower():
            return self.paragraph.text[: len(phrase)]
        return phrase

    @property
    def rest(self) -> str:
        text = self.paragraph.text
        phrase = self.paragraph.opening_phrase
        if phrase and text[: len(phrase)].lower() == phrase.lower():
            return text[len(phrase) :]
        return f" {text}" if phrase else text

    @property
    def strength_label(self) -> str:
        if self.commitment is None:
            return ""
        return str(STRENGTH_LABELS.get(self.commitment.strength, self.commitment.strength))

    @property
    def addressee_badges(self) -> list[tuple[Addressee, bool]]:
        return [(addressee, is_parliament_addressee(addressee)) for addressee in self.addressees]


@dataclass
class DocumentDisplay:
    """Everything the detail page shows, gathered in a fixed number of queries."""

    document: Document
    preamble: list[ParagraphDisplay]
    operative: list[ParagraphDisplay]
    reservations: list[Reservation]
    document_reservations: list[Reservation]
    references: list[DocumentReference]
    background_documents: list[Document]
    deadline_paragraph: ParagraphDisplay | None = None
    # Whether any reservation names a paragraph: the page then keeps a column for them.
    has_paragraph_reservations: bool = False

    @property
    def subparagraph_count(self) -> int:
        return sum(len(p.subparagraphs) for p in self.operative)

    @property
    def commitment_count(self) -> int:
        return sum(
            (p.commitment is not None) + sum(s.commitment is not None for s in p.subparagraphs) for p in self.operative
        )


def _paragraph_display(paragraph: Paragraph, reservations: dict[int, list[Reservation]]) -> ParagraphDisplay:
    # A paragraph without a commitment has its reverse one-to-one cached as missing: no query.
    commitment = getattr(paragraph, "commitment", None)
    return ParagraphDisplay(
        paragraph=paragraph,
        commitment=commitment,
        addressees=list(commitment.addressees.all()) if commitment else [],
        themes=list(commitment.themes.all()) if commitment else [],
        reservations=reservations.get(paragraph.pk, []),
    )


def document_for_display(pk: int, *, user: AnyUser | None = None) -> DocumentDisplay | None:
    """The detail page's document, or None when it does not exist or the user may not see it."""
    paragraphs = Paragraph.objects.select_related("commitment").order_by()
    reservations = Reservation.objects.select_related("parliament").prefetch_related(
        Prefetch("paragraphs", queryset=Paragraph.objects.only("pk").order_by())
    )
    document = (
        visible_documents(user=user)
        .select_related("assembly", "deadline_assembly", "related_to")
        .defer("source_text")
        .prefetch_related(
            Prefetch("paragraphs", queryset=paragraphs),
            "paragraphs__commitment__addressees",
            "paragraphs__commitment__themes",
            Prefetch("reservations", queryset=reservations),
            Prefetch("references", queryset=DocumentReference.objects.select_related("target")),
            Prefetch("background_documents", queryset=Document.objects.defer(*LIST_DEFERRED)),
        )
        .filter(pk=pk)
        .first()
    )
    if document is None:
        return None

    all_reservations = list(document.reservations.all())
    by_paragraph: dict[int, list[Reservation]] = defaultdict(list)
    document_wide: list[Reservation] = []
    for reservation in all_reservations:
        named = list(reservation.paragraphs.all())
        for paragraph in named:
            by_paragraph[paragraph.pk].append(reservation)
        if reservation.entire or reservation.opposition or not named:
            document_wide.append(reservation)

    displays: dict[int, ParagraphDisplay] = {}
    children: dict[int, list[Paragraph]] = defaultdict(list)
    preamble: list[ParagraphDisplay] = []
    operative: list[ParagraphDisplay] = []
    for paragraph in sorted(document.paragraphs.all(), key=lambda p: (p.position, p.letter)):
        if paragraph.parent_id:
            children[paragraph.parent_id].append(paragraph)
            continue
        display = _paragraph_display(paragraph, by_paragraph)
        displays[paragraph.pk] = display
        (preamble if paragraph.kind == Paragraph.Kind.PREAMBULAR else operative).append(display)
    for parent_id, subs in children.items():
        parent = displays.get(parent_id)
        if parent is None:
            continue
        for sub in subs:
            sub.parent = parent.paragraph  # labels read the parent: keep it from a second query
            display = _paragraph_display(sub, by_paragraph)
            displays[sub.pk] = display
            parent.subparagraphs.append(display)

    return DocumentDisplay(
        document=document,
        preamble=preamble,
        operative=operative,
        reservations=all_reservations,
        document_reservations=document_wide,
        references=list(document.references.all()),
        background_documents=list(document.background_documents.all()),
        deadline_paragraph=displays.get(document.deadline_paragraph_id),
        has_paragraph_reservations=bool(by_paragraph),
    )
