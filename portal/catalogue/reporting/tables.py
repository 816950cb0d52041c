"""The dashboard's tables, as the CSV downloads give them (``portal.catalogue.spreadsheets`` writes them)."""

from dataclasses import dataclass
from datetime import date, datetime

from portal import vocab
from portal.catalogue import NotFound, RuleViolation
from portal.catalogue.reporting.dashboard import Dashboard, dashboard
from portal.catalogue.reporting.partners import PartnerRow
from portal.catalogue.reporting.period import ReportScope


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    header: tuple[str, ...]
    rows: list[tuple]


def _when(value: datetime | date | None) -> str:
    return value.isoformat()[:10] if value else ""  # YYYY-MM-DD


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}"


PARTNER_HEADER = (
    "Organisation",
    "Country",
    "Type",
    "Partner since",
    "Reported",
    "Items counted",
    "Submissions",
    "Updates",
    "Confirmations",
    "Last contribution in the year",
    "Last contribution (12 months)",
    "Active",
    "Ever contributed",
    "Last reminder",
)


def _partner_line(row: PartnerRow) -> tuple:
    return (
        row.name,
        vocab.country_name(row.country) if row.country else "",
        vocab.label(vocab.ORGANISATION_TYPES, row.type),
        _when(row.joined_on),
        "yes" if row.reported else "no",
        row.items,
        row.submitted,
        row.updated,
        row.confirmed,
        _when(row.last_in_year),
        _when(row.last_recent),
        "yes" if row.active else "no",
        "no" if row.never_contributed else "yes",
        _when(row.last_reminder),
    )


def _partners_table(name: str, title: str, keep=lambda row: True):
    def build(board: Dashboard) -> Table:
        return Table(name, title, PARTNER_HEADER, [_partner_line(row) for row in board.partners if keep(row)])

    return build


def _counts_table(name: str, title: str, what: str, pick):
    def build(board: Dashboard) -> Table:
        return Table(name, title, (what, "Items"), [(count.label, count.count) for count in pick(board.counts)])

    return build


def _table_trend(board: Dashboard) -> Table:
    return Table(
        "trend",
        "Reporting rate over five years",
        ("Year", "Partners", "Reported", "Rate (%)"),
        [(point.label, point.partners, point.reported, _percent(point.rate)) for point in board.trend],
    )


def _table_champions(board: Dashboard) -> Table:
    return Table(
        "champions",
        "Champions",
        ("Organisation", "Items", "Submissions", "Updates", "Confirmations", "Examples"),
        [
            (c.name, c.items, c.submitted, c.updated, c.confirmed, "; ".join(e.title for e in c.examples))
            for c in board.champions
        ],
    )


def _table_programmes(board: Dashboard) -> Table:
    if board.scope.programme is not None:
        raise RuleViolation("The per-programme table belongs to the network-wide view.", field="programme")
    return Table(
        "programmes",
        "Programmes",
        ("Programme", "Partners", "Reported", "Rate (%)"),
        [(line.name, line.partners, line.reported, _percent(line.rate)) for line in board.programmes],
    )


def _table_gaps(board: Dashboard) -> Table:
    found = board.gaps
    rows = [("SDG without items", c.label, 0) for c in found.sdgs_without]
    rows += [("SDG with few items", c.label, c.count) for c in found.sdgs_few]
    rows += [("Category without initiatives", c.label, 0) for c in found.thin_categories if not c.count]
    rows += [("Thin category", c.label, c.count) for c in found.thin_categories if c.count]
    rows += [("Country with few items", c.label, c.count) for c in found.countries_few]
    rows += [("Country without items", c.label, 0) for c in found.countries_without]
    return Table("gaps", "Gaps", ("Gap", "Value", "Items"), rows)


def _table_health(board: Dashboard) -> Table:
    return Table(
        "health",
        "Partnership health",
        ("Indicator", "Value", "Good when", "Concern when", "Status"),
        [(i.label, i.shown, i.good_when, i.concern_when, i.status) for i in board.health.indicators]
        + [("Verdict", board.health.summary, "", "", board.health.verdict)],
    )


def _trend_table(key: str):
    def build(board: Dashboard) -> Table:
        dimension = board.trends.dimension(key)
        return Table(
            f"trend-{key}",
            dimension.title,
            (dimension.value_header, *board.trends.years, "Change on the year before"),
            [(row.label, *row.counts, row.change) for row in dimension.rows],
        )

    return build


TABLES = {
    "partners": _partners_table("partners", "Partners"),
    "not-reported": _partners_table("not-reported", "Partners not yet reported", lambda row: not row.reported),
    "never-contributed": _partners_table(
        "never-contributed", "Partners that never contributed", lambda row: row.never_contributed
    ),
    "trend": _table_trend,
    "champions": _table_champions,
    "programmes": _table_programmes,
    "gaps": _table_gaps,
    "kinds": _counts_table("kinds", "Items by kind", "Kind", lambda counts: counts.kinds),
    "categories": _counts_table(
        "categories", "Initiatives by activity category", "Activity category", lambda counts: counts.categories
    ),
    "sdgs": _counts_table("sdgs", "Items by SDG", "SDG", lambda counts: counts.sdgs),
    "countries": _counts_table("countries", "Items by country", "Country", lambda counts: counts.countries),
    "regions": _counts_table("regions", "Items by region", "Region", lambda counts: counts.regions),
    "themes": _counts_table("themes", "Items by theme", "Theme", lambda counts: counts.themes),
    "portfolio": _counts_table(
        "portfolio", "Items by portfolio status", "Portfolio status", lambda counts: counts.portfolio
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
