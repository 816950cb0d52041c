"""The dashboard's tables, as the CSV downloads give them (``portal.catalogue.spreadsheets`` writes them)."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal import vocab
from portal.catalogue import NotFound, RuleViolation
from portal.catalogue.reporting.dashboard import Dashboard, dashboard
from portal.catalogue.reporting.health import CONCERN, GOOD, WATCH
from portal.catalogue.reporting.partners import PartnerRow
from portal.catalogue.reporting.period import ReportScope
from portal.i18n import current_language


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    header: tuple[str, ...]
    rows: Iterable[tuple]
    streamed: bool = False  # rows of plain values made as the CSV is sent: the partner tables (10 000 rows)


def _when(value: datetime | date | None) -> str:
    return value.isoformat()[:10] if value else ""  # YYYY-MM-DD


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}"


PARTNER_HEADER = (
    _l("Organisation"),
    _l("Country"),
    _l("Type"),
    _l("Partner since"),
    _l("Reported"),
    _l("Items counted"),
    _l("Submissions"),
    _l("Updates"),
    _l("Confirmations"),
    _l("Last contribution in the year"),
    _l("Last contribution (12 months)"),
    _l("Active"),
    _l("Ever contributed"),
    _l("Last reminder"),
)


def _partner_lines(rows: Iterable[PartnerRow]) -> Iterator[tuple]:
    """The partner table's lines, made as they are read, from plain data only: the words and labels are
    looked up here, once per language, not per row (with a catalogue lookup per cell, the network's
    10 000 partners took 0.3 s), so the lines need no request context once they are sent."""
    language = current_language()
    words = {True: _("yes"), False: _("no")}
    countries = vocab.country_names(language)
    types = vocab.labels(vocab.ORGANISATION_TYPES, language)
    return (
        (
            row.name,
            countries.get(row.country, row.country) if row.country else "",
            types.get(row.type, row.type),
            _when(row.joined_on),
            words[row.reported],
            row.items,
            row.submitted,
            row.updated,
            row.confirmed,
            _when(row.last_in_year),
            _when(row.last_recent),
            words[row.active],
            words[not row.never_contributed],
            _when(row.last_reminder),
        )
        for row in rows
    )


def _partners_table(name: str, title: str, keep=lambda row: True):
    def build(board: Dashboard) -> Table:
        lines = _partner_lines(row for row in board.partners if keep(row))
        return Table(name, title, PARTNER_HEADER, lines, streamed=True)

    return build


def _counts_table(name: str, title: str, what: str, pick):
    def build(board: Dashboard) -> Table:
        return Table(name, title, (what, _("Items")), [(count.label, count.count) for count in pick(board.counts)])

    return build


def _table_trend(board: Dashboard) -> Table:
    return Table(
        "trend",
        _("Reporting rate over five years"),
        (_("Year"), _("Partners"), _("Reported"), _("Rate (%)")),
        [(point.label, point.partners, point.reported, _percent(point.rate)) for point in board.trend],
    )


def _table_champions(board: Dashboard) -> Table:
    return Table(
        "champions",
        _("Champions"),
        (_("Organisation"), _("Items"), _("Submissions"), _("Updates"), _("Confirmations"), _("Examples")),
        [
            (c.name, c.items, c.submitted, c.updated, c.confirmed, "; ".join(e.title for e in c.examples))
            for c in board.champions
        ],
    )


def _table_programmes(board: Dashboard) -> Table:
    if board.scope.programme is not None:
        raise RuleViolation(_("The per-programme table belongs to the network-wide view."), field="programme")
    return Table(
        "programmes",
        _("Programmes"),
        (_("Programme"), _("Partners"), _("Reported"), _("Rate (%)")),
        [(line.name, line.partners, line.reported, _percent(line.rate)) for line in board.programmes],
    )


def _table_gaps(board: Dashboard) -> Table:
    found = board.gaps
    rows = [(_("SDG without items"), c.label, 0) for c in found.sdgs_without]
    rows += [(_("SDG with few items"), c.label, c.count) for c in found.sdgs_few]
    rows += [(_("Category without initiatives"), c.label, 0) for c in found.thin_categories if not c.count]
    rows += [(_("Thin category"), c.label, c.count) for c in found.thin_categories if c.count]
    rows += [(_("Country with few items"), c.label, c.count) for c in found.countries_few]
    rows += [(_("Country without items"), c.label, 0) for c in found.countries_without]
    return Table("gaps", _("Gaps"), (_("Gap"), _("Value"), _("Items")), rows)


def _table_health(board: Dashboard) -> Table:
    """The health table in the words the dashboard shows it with."""
    judged = {GOOD: _("good"), WATCH: _("to watch"), CONCERN: _("of concern")}
    return Table(
        "health",
        _("Partnership health"),
        (_("Indicator"), _("Value"), _("Good when"), _("Of concern when"), _("Judged")),
        [(i.label, i.shown, i.good_when, i.concern_when, judged.get(i.status, "—")) for i in board.health.indicators]
        + [(_("Verdict"), board.health.summary, "", "", "")],
    )


def _trend_table(key: str):
    def build(board: Dashboard) -> Table:
        dimension = board.trends.dimension(key)
        return Table(
            f"trend-{key}",
            dimension.title,
            (dimension.value_header, *board.trends.years, _("Change on the year before")),
            [(row.label, *row.counts, row.change) for row in dimension.rows],
        )

    return build


TABLES = {
    "partners": _partners_table("partners", _l("Partners")),
    "not-reported": _partners_table("not-reported", _l("Partners not yet reported"), lambda row: not row.reported),
    "never-contributed": _partners_table(
        "never-contributed", _l("Partners that never contributed"), lambda row: row.never_contributed
    ),
    "trend": _table_trend,
    "champions": _table_champions,
    "programmes": _table_programmes,
    "gaps": _table_gaps,
    "kinds": _counts_table("kinds", _l("Items by kind"), _l("Kind"), lambda counts: counts.kinds),
    "categories": _counts_table(
        "categories", _l("Initiatives by activity category"), _l("Activity category"), lambda counts: counts.categories
    ),
    "sdgs": _counts_table("sdgs", _l("Items by SDG"), _l("SDG"), lambda counts: counts.sdgs),
    "countries": _counts_table("countries", _l("Items by country"), _l("Country"), lambda counts: counts.countries),
    "regions": _counts_table("regions", _l("Items by region"), _l("Region"), lambda counts: counts.regions),
    "themes": _counts_table("themes", _l("Items by theme"), _l("Theme"), lambda counts: counts.themes),
    "portfolio": _counts_table(
        "portfolio", _l("Items by portfolio status"), _l("Portfolio status"), lambda counts: counts.portfolio
    ),
    "health": _table_health,
    "trend-categories": _trend_table("categories"),
    "trend-themes": _trend_table("themes"),
    "trend-sdgs": _trend_table("sdgs"),
}


def table(scope: ReportScope, name: str) -> Table:
    """One of the dashboard's tables, for CSV (from the same cached dashboard); an unknown name is NotFound."""
    if name not in TABLES:
        raise NotFound(name)
    return TABLES[name](dashboard(scope))
