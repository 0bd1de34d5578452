"""Graphics of the dashboard pages, rendered on the server: the status heatmap and the inlined charts.

The heatmap is an HTML table (parliaments x commitments) built here as one string, because
a template loop over 180 x 40 cells would cost more than the queries behind it. It is the
accessible version too: row and column headers, a letter code in each cell and the status
in words for screen readers, the full "Parliament – OP 3: status" as each cell's title.
Colours and codes are those of the Assembly documents (``exports.document.STATUS_STYLES``,
ColorBrewer RdYlBu, safe for colour-blind readers), so the page and the PDF agree.

Charts are the exports' own (``exports.charts``), drawn as SVG and inlined; they are cached
by their content, so a page drawn again with the same figures costs no drawing.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Sequence

from django.core.cache import cache
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from redis.exceptions import RedisError

from .exports import charts
from .exports.document import STATUS_STYLES, UNANSWERED, GroupFigures, StatusCount
from .exports.rows import CommitmentInfo
from .models import ImplementationReport
from .selectors_dashboard import DashboardRow, status_labels

logger = logging.getLogger(__name__)
State = ImplementationReport.State
CHART_CACHE_SECONDS = 24 * 60 * 60
# Bootstrap icons of the report states, as on the report badges.
STATE_ICONS = {
    State.DRAFT: "bi-pencil",
    State.SUBMITTED: "bi-send",
    State.RETURNED: "bi-arrow-return-left",
    State.ACCEPTED: "bi-check-circle",
}


def status_css() -> SafeString:
    """One class per status (``hm-s-<status>``) with its fill and ink, for the heatmap and the legends."""
    rules = [f".hm-s-{key}{{background:{style.fill};color:{style.ink}}}" for key, style in STATUS_STYLES.items()]
    return mark_safe("\n".join(rules))  # noqa: S308 - built from constants only


def heatmap_table(
    *,
    columns: Sequence[CommitmentInfo],
    rows: Sequence[DashboardRow],
    column_url: Callable[[int], str],
    row_url: Callable[[DashboardRow], str | None],
    parliament_url: Callable[[DashboardRow], str | None] = lambda row: None,
) -> SafeString:
    """The heatmap as one ``<table>``; rows whose answers the viewer may not read say so across the columns."""
    labels = status_labels()
    codes = {key: escape(str(style.code)) for key, style in STATUS_STYLES.items()}
    words = {key: escape(label) for key, label in labels.items()}
    titles = {column.pk: escape(column.label) for column in columns}
    caption = escape(_("Implementation status by parliament and commitment"))
    parliament = escape(_("Parliament"))
    report_state = escape(_("Report state"))
    out = [
        '<table class="heatmap" id="heatmap">',
        f'<caption class="visually-hidden">{caption}</caption>',
        "<thead><tr>",
        f'<th scope="col" class="hm-name">{parliament}</th>',
        f'<th scope="col" class="hm-state"><span class="visually-hidden">{report_state}</span></th>',
    ]
    for column in columns:
        full = escape(f"{column.label} · {column.verb}")
        out.append(
            f'<th scope="col" class="hm-col"><a href="{escape(column_url(column.pk))}" title="{full}"'
            f' aria-label="{titles[column.pk]}">{escape(column.short)}</a></th>'
        )
    out.append("</tr></thead><tbody>")
    # "Rwanda – OP 3: In progress"; the pattern is looked up once, not once per cell.
    cell_title = _("%(parliament)s – %(commitment)s: %(status)s")
    hidden_draft = escape(_("Not submitted: the answers stay with the parliament until then."))
    hidden_other = escape(_("The answers of this report are not shown to you."))
    for row in rows:
        name = escape(row.name)
        url = row_url(row)
        link = f'<a href="{escape(url)}">{name}</a>' if url else name
        iso3 = escape(row.iso3)
        page = parliament_url(row)
        code = f'<a class="hm-iso" href="{escape(page)}">{iso3}</a>' if page else f'<span class="hm-iso">{iso3}</span>'
        state = escape(row.state_label)
        out.append(
            f'<tr class="hm-row" data-parliament="{iso3}" data-state="{escape(row.state)}">'
            f'<th scope="row" class="hm-name">{link} {code}</th>'
            f'<td class="hm-state state-{escape(row.state)}" title="{state}">'
            f'<i class="bi {STATE_ICONS.get(row.state, "bi-circle")}" aria-hidden="true"></i>'
            f'<span class="visually-hidden">{state}</span></td>'
        )
        if row.statuses is None:
            message = hidden_draft if row.state == State.DRAFT else hidden_other
            if columns:
                out.append(f'<td class="hm-hidden" colspan="{len(columns)}">{message}</td>')
            out.append("</tr>")
            continue
        for column in columns:
            key = row.statuses.get(column.pk, "") or UNANSWERED
            title = cell_title % {"parliament": name, "commitment": titles[column.pk], "status": words[key]}
            out.append(
                f'<td class="hm hm-s-{key}" title="{title}">'
                f'<span aria-hidden="true">{codes[key]}</span><span class="visually-hidden">{words[key]}</span></td>'
            )
        out.append("</tr>")
    out.append("</tbody></table>")
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


# Charts ------------------------------------------------------------------------------------

_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.DOTALL)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_SIZE = re.compile(r'(<svg\b[^>]*?)\s+width="[^"]*"\s+height="[^"]*"')
_IDS = re.compile(r'\bid="([^"]+)"')
_REFERENCE = re.compile(r"#([A-Za-z_][\w.-]*)")


def inline_svg(svg: bytes, *, prefix: str, label: str) -> SafeString:
    """An SVG file made fit for an HTML page: no XML prolog, scalable, ids of its own, named for screen readers.

    Two charts on one page would otherwise share ids (clip paths, glyphs) and use each other's.
    """
    text = _METADATA.sub("", _PROLOG.sub("", svg.decode("utf-8"), count=1), count=1)
    text = _SIZE.sub(r"\1", text, count=1)
    ids = set(_IDS.findall(text))
    text = _IDS.sub(lambda found: f'id="{prefix}-{found[1]}"', text)
    text = _REFERENCE.sub(lambda found: f"#{prefix}-{found[1]}" if found[1] in ids else found[0], text)
    attributes = f'<svg role="img" aria-label="{escape(label)}" class="chart-svg" preserveAspectRatio="xMinYMin meet"'
    return mark_safe(text.replace("<svg", attributes, 1))  # noqa: S308 - our own matplotlib output


def _cached_svg(name: str, draw: Callable[[], bytes], *key_parts: object) -> bytes:
    """Draw once per distinct content; a cache that is down only costs the drawing."""
    key = "chart:" + hashlib.sha256(repr((name, *key_parts)).encode()).hexdigest()
    try:
        found = cache.get(key)
    except (RedisError, OSError) as error:
        logger.warning("Chart cache unavailable: %s", error)
        return draw()
    if found is not None:
        return found
    svg = draw()
    try:
        cache.set(key, svg, CHART_CACHE_SECONDS)
    except (RedisError, OSError) as error:
        logger.warning("Chart cache unavailable: %s", error)
    return svg


def status_chart(statuses: Sequence[StatusCount], *, prefix: str, title: str) -> SafeString:
    """How many answers have each status (the exports' chart), inlined."""
    xlabel = _("Answers in accepted reports")
    svg = _cached_svg(
        "status",
        lambda: charts.status_distribution(statuses, title=title, xlabel=xlabel),
        [(s.key, s.label, s.code, s.count, s.fill, round(s.share, 3)) for s in statuses],
        title,
        xlabel,
    )
    return inline_svg(svg, prefix=prefix, label=title)


def group_chart(groups: Sequence[GroupFigures], *, prefix: str) -> SafeString:
    """Response rate per geopolitical group (the exports' chart), inlined."""
    title = _("Response rate by geopolitical group")
    xlabel = _("Accepted reports / parliaments asked (%)")
    svg = _cached_svg(
        "groups",
        lambda: charts.group_response_rates(groups, title=title, xlabel=xlabel),
        [(g.name, g.asked, g.reported, round(g.response_rate, 3)) for g in groups],
        title,
        xlabel,
    )
    return inline_svg(svg, prefix=prefix, label=title)
